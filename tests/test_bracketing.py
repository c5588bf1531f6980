"""``jacobian(f, mode="optimal")``: a chain of stages, each in its cheaper mode, bracketed.

Every chain's Jacobian is checked against forward mode, reverse mode (1e-12)
and finite differences, its arguments left unmodified; the stages cut are
the statements computing from the previous one alone; random chains (written
to a module of their own) mix helpers, array ops, loops, numbers and values
not depending on ``x`` read by several stages.
"""

import importlib
import random
import sys

import numpy as np
import pytest

import s2sad
from jacobian_modes import autoencoder
from s2sad.chain import SPLIT
from s2sad.errors import S2SADError


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("bracketing")


def shared_constant(x, A, B, c):
    scale = np.sum(c) * 2.0
    h = np.tanh(A @ x) * scale
    g = np.sin(h) + scale
    y = B @ g
    return y


def through_a_number(x, w):
    s = np.sum(x * x)
    t = np.sin(s) * w
    y = np.exp(t)
    return y


def looped_stage(x, A, steps: int = 3):
    h = A @ x
    for _ in range(steps):
        h = np.tanh(h) * 0.9
    y = np.sum(h * h)
    return y


def skip_connection(x, A):
    h = np.tanh(A @ x)
    y = h + x
    return y


def two_outputs(x):
    return x * 2.0, x * 3.0


CHAINS = {
    "autoencoder": (autoencoder, ("h", "y")),
    "shared_constant": (shared_constant, ("h", "g", "y")),
    "through_a_number": (through_a_number, ("s", "t", "y")),
    "looped_stage": (looped_stage, ("h", "h_2", "y")),
    "skip_connection": (skip_connection, ("y",)),
}


def _arguments(name, rng):
    x = rng.normal(size=6)
    return {
        "autoencoder": (x, rng.normal(size=(3, 6)), rng.normal(size=(5, 3))),
        "shared_constant": (
            x,
            rng.normal(size=(3, 6)),
            rng.normal(size=(4, 3)),
            rng.normal(size=2),
        ),
        "through_a_number": (x * 0.3, rng.normal(size=4)),
        "looped_stage": (x, rng.normal(size=(4, 6)) * 0.5),
        "skip_connection": (x, rng.normal(size=(6, 6))),
    }[name]


def _differences(f, args, step=1e-6):
    x = args[0]
    columns = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = step
        plus = np.asarray(f(x + e, *args[1:]))
        minus = np.asarray(f(x - e, *args[1:]))
        columns.append((plus - minus) / (2 * step))
    return np.stack(columns, axis=-1)


def _check_chain(f, args, out_dir):
    optimal = s2sad.jacobian(f, mode="optimal", output_dir=out_dir)
    before = [np.copy(a) for a in args]
    J = optimal(*args)
    for old, new in zip(before, args):
        np.testing.assert_array_equal(old, new)
    for mode in ("fwd", "rev"):
        other = s2sad.jacobian(f, mode=mode, output_dir=out_dir)(*args)
        np.testing.assert_allclose(J, other, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(J, _differences(f, args), rtol=1e-6, atol=1e-7)
    return optimal


@pytest.mark.parametrize("name", CHAINS)
def test_optimal_jacobian_of_a_chain(name, out_dir):
    f, stages = CHAINS[name]
    optimal = _check_chain(f, _arguments(name, np.random.default_rng(1)), out_dir)
    assert optimal.mode == "optimal"
    assert tuple(s.name for s in optimal.plan.stages) == stages
    assert set(optimal.paths) == set(stages)


def test_the_plan_brackets_a_bottleneck(out_dir):
    rng = np.random.default_rng(2)
    args = (rng.normal(size=300), rng.normal(size=(3, 300)), rng.normal(size=(300, 3)))
    plan = s2sad.jacobian_plan(autoencoder, *args, output_dir=out_dir)
    assert plan.sizes == (300, 3, 300)
    assert plan.best.mode == SPLIT
    assert plan.best.cost < min(plan.forward, plan.reverse)
    text = str(plan)
    assert "h: 300 -> 3" in text and "chosen:      (fwd[y] · rev[h])" in text
    assert "all forward: fwd[y h]" in text and "all reverse: rev[y h]" in text
    _check_chain(autoencoder, args, out_dir)


def test_the_plan_is_kept_per_shapes(out_dir):
    optimal = s2sad.jacobian(autoencoder, mode="optimal", output_dir=out_dir)
    rng = np.random.default_rng(3)
    small = (rng.normal(size=4), rng.normal(size=(2, 4)), rng.normal(size=(3, 2)))
    optimal(*small)
    first = optimal.plan
    optimal(*(a * 0.5 for a in small))
    assert optimal.plan is first
    larger = (rng.normal(size=8), rng.normal(size=(2, 8)), rng.normal(size=(3, 2)))
    optimal(*larger)
    assert optimal.plan.sizes == (8, 2, 3)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda d: s2sad.jacobian(
                autoencoder, wrt=(0, 1), mode="optimal", output_dir=d
            )(np.ones(2), np.ones((2, 2)), np.ones((2, 2))),
            "not of several",
        ),
        (
            lambda d: s2sad.jacobian(two_outputs, mode="optimal", output_dir=d)(
                np.ones(2)
            ),
            "a chain has one output",
        ),
        (
            lambda d: s2sad.jacobian(autoencoder, mode="optimal", output_dir=d)(
                np.ones(2, dtype=int), np.ones((2, 2)), np.ones((2, 2))
            ),
            "has no Jacobian",
        ),
        (
            lambda d: s2sad.jacobian(
                autoencoder, mode="optimal", sparsity="detect", output_dir=d
            ),
            "takes no sparsity",
        ),
        (lambda d: s2sad.jacobian(autoencoder, mode="best", output_dir=d), "'optimal'"),
    ],
    ids=["several-wrt", "two-outputs", "integer-x", "sparsity", "unknown-mode"],
)
def test_refusals_are_clear(call, message, out_dir):
    with pytest.raises(S2SADError) as caught:
        call(out_dir)
    assert message in str(caught.value)
    assert "hint:" in str(caught.value)


# ---------------------------------------------------------------- random chains

MENU = [
    ("np.tanh({v})", "same"),
    ("np.sin({v}) * {v}", "same"),
    ("{v} * {v} + 1.0", "same"),
    ("M{k} @ {v}", "matrix"),
    ("np.cumsum({v})", "same"),
    ("{v}[::-1] * 2.0", "same"),
    ("help_{h}({v}, M{k})", "matrix"),
    ("np.sum({v} * {v}) * c[0]", "number"),
]
AFTER_A_NUMBER = ["np.exp({v}) * w", "np.sin({v}) + w * {v}"]


def _random_chain(rng: random.Random, index: int) -> tuple[str, dict]:
    """The source of one random chain (helpers first) and its matrices' shapes."""
    size, lines, helpers, shapes = 5, [], [], {}
    value, is_number = "x", False
    for k in range(rng.randint(1, 5)):
        if is_number:
            expr = rng.choice(AFTER_A_NUMBER).format(v=value)
            size, is_number = 4, False
        else:
            pattern, kind = rng.choice(MENU)
            if kind == "matrix":
                rows = rng.choice([2, 3, 7])
                shapes[f"M{k}"] = (rows, size)
                size = rows
            if pattern.startswith("help"):
                helpers.append(
                    f"def help_{index}_{k}(v, M):\n    return np.tanh(M @ v) * 0.5\n\n"
                )
            expr = pattern.format(v=value, k=k, h=f"{index}_{k}")
            is_number = kind == "number"
        lines.append(f"    s{k} = {expr}")
        if rng.random() < 0.3:
            lines.append(f"    unused_{k} = np.sum(c) * 3.0")
        value = f"s{k}"
    params = ", ".join(f"{p}: np.ndarray" for p in ["x", *shapes, "c", "w"])
    body = "\n".join(lines)
    return (
        "".join(helpers)
        + f"def chain_{index}({params}):\n{body}\n    return {value}\n",
        shapes,
    )


def _random_module(tmp_path, count=40, seed=7):
    rng = random.Random(seed)
    sources, cases = ["import numpy as np\n\n"], []
    for index in range(count):
        source, shapes = _random_chain(rng, index)
        sources.append(source)
        cases.append((index, shapes))
    path = tmp_path / "random_chains.py"
    path.write_text("\n\n".join(sources))
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("random_chains")
    finally:
        sys.path.remove(str(tmp_path))
    return module, cases


def test_random_chains(tmp_path, out_dir):
    module, cases = _random_module(tmp_path)
    rng = np.random.default_rng(4)
    for index, shapes in cases:
        f = getattr(module, f"chain_{index}")
        matrices = [rng.normal(size=s) * 0.5 for s in shapes.values()]
        x = rng.normal(size=5) * 0.5
        _check_chain(f, (x, *matrices, rng.normal(size=3), rng.normal(size=4)), out_dir)
