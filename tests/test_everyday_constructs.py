"""enumerate, zip, chained comparisons, print and assert: values and derivatives
in both modes, prints and asserts kept in the primal sweep only."""

import numpy as np
import pytest
from everyday_functions import (
    ARRAY_CASES,
    SCALAR_CASES,
    asserts,
    chain_with_a_computed_middle,
    prints_values,
)
from numerics import (
    assert_close,
    central_directional,
    central_directional_arrays,
    central_gradient,
    central_gradient_arrays,
    float_indices,
    partial_function,
)

import s2sad
from s2sad.api import derive

SCALAR_IDS = [f"{f.__name__}{point}" for f, point in SCALAR_CASES]
ARRAY_IDS = [f.__name__ for f, _ in ARRAY_CASES]


@pytest.mark.parametrize("f, point", SCALAR_CASES, ids=SCALAR_IDS)
def test_scalar_derivatives(f, point):
    wrt = float_indices(point)
    expected = central_gradient(
        partial_function(f, point, wrt), [point[i] for i in wrt]
    )
    assert_close(s2sad.grad(f, wrt=wrt)(*point), expected, rtol=1e-6, atol=1e-6)
    value, gradient = s2sad.value_and_grad(f, wrt=wrt)(*point)
    assert value == f(*point)
    assert_close(gradient, expected, rtol=1e-6, atol=1e-6)
    tangent = tuple(
        0.3 + 0.4 * k if isinstance(p, float) else 0 for k, p in enumerate(point)
    )
    out, out_dot = s2sad.jvp(f, point, tangent)
    assert out == f(*point)
    assert_close(out_dot, central_directional(f, point, tangent), rtol=1e-6, atol=1e-6)
    out_again, vjp_fn = s2sad.vjp(f, *point)
    assert out_again == out
    adjoints = vjp_fn(0.7)
    rhs = sum(t * a for t, a in zip(tangent, adjoints) if t)
    assert 0.7 * out_dot == pytest.approx(rhs, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("f, point", ARRAY_CASES, ids=ARRAY_IDS)
def test_array_derivatives(f, point):
    kept = [p.copy() for p in point]
    wrt = tuple(range(len(point)))
    expected = central_gradient_arrays(f, list(point))
    value, gradient = s2sad.value_and_grad(f, wrt=wrt)(*point)
    assert value == f(*point)
    for actual, reference in zip(gradient, expected):
        assert_close(actual, reference)
    rng = np.random.default_rng(0)
    tangent = tuple(rng.uniform(-1, 1, p.shape) for p in point)
    out, out_dot = s2sad.jvp(f, point, tangent)
    assert out == value
    assert_close(out_dot, central_directional_arrays(f, point, tangent))
    _, vjp_fn = s2sad.vjp(f, *point)
    adjoints = vjp_fn(1.0)
    rhs = sum(float(np.sum(t * a)) for t, a in zip(tangent, adjoints))
    assert out_dot == pytest.approx(rhs, rel=1e-10, abs=1e-12)
    for before, after in zip(kept, point):
        np.testing.assert_array_equal(before, after)


def test_a_chained_comparison_evaluates_its_middle_once(tmp_path):
    source = derive(chain_with_a_computed_middle, "jvp", None, tmp_path).source
    assert source.count("math.sin(x)") == 1


def test_prints_run_once_in_the_primal_sweep(capsys, tmp_path):
    expected = "y is = 0.25\n0 0.24740395925452294\n1 0.24488779227422167\n"
    prints_values(0.5)
    assert capsys.readouterr().out == expected
    s2sad.grad(prints_values, output_dir=tmp_path)(0.5)
    assert capsys.readouterr().out == expected
    s2sad.jvp(prints_values, (0.5,), (1.0,), output_dir=tmp_path)
    assert capsys.readouterr().out == expected
    _, vjp_fn = s2sad.vjp(prints_values, 0.5, output_dir=tmp_path)
    assert capsys.readouterr().out == expected
    vjp_fn(1.0)
    assert capsys.readouterr().out == ""
    backward = derive(prints_values, "vjp", None, tmp_path).source.split("_bwd(")[1]
    assert "print" not in backward


def test_asserts_are_checked_by_every_derivative(tmp_path):
    for derived in (
        s2sad.grad(asserts, output_dir=tmp_path),
        s2sad.value_and_grad(asserts, output_dir=tmp_path),
        lambda x: s2sad.jvp(asserts, (x,), (1.0,), output_dir=tmp_path),
        lambda x: s2sad.vjp(asserts, x, output_dir=tmp_path),
    ):
        with pytest.raises(AssertionError, match="x must be positive"):
            derived(-1.0)


@pytest.mark.parametrize(
    "body, message",
    [
        ("    for a in zip(x, x):\n        t = t + a\n", "with the target a"),
        ("    for i, v in enumerate(x, start=1.5):\n        t = t + v\n", "an int"),
        ("    for a, b in zip((1.0, 2.0), range(2)):\n        t = t + a\n", "zipped"),
        ("    for i, v in enumerate(range(0, 4, n)):\n        t = t + v\n", "step"),
        ("    print(x, file=None)\n", "print(..., file=None)"),
        ("    print(f'{x}')\n", "f-string"),
        ("    if 0.0 < x < 1.0:\n        t = 1.0\n", "chained comparison of arrays"),
    ],
)
def test_what_stays_refused_says_why(body, message, tmp_path):
    module = tmp_path / "refused_everyday.py"
    module.write_text(
        "import numpy as np\n\n\ndef f(x: np.ndarray, n: int):\n    t = 0.0\n"
        f"{body}    return t + np.sum(x)\n"
    )
    namespace = {"__file__": str(module)}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    with pytest.raises(s2sad.UnsupportedSyntaxError) as info:
        s2sad.grad(namespace["f"], output_dir=tmp_path)
    assert info.value.line == 6
    assert message in info.value.message
    assert info.value.hint
