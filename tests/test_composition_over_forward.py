"""Derivatives of generated jvp functions: vjp(jvp(f)) and jvp(jvp(f)) on every table.

``s2sad.api.jvp_function(f)`` is ``f_jvp(*primals, *tangents) -> (out, out_dot)``,
a function of twice as many arguments.  Reverse mode over it (``vjp``) is
checked against central differences of it by the dot-product test, forward
mode over it (``jvp``) against central differences directly; both also check
the value they return against ``f_jvp`` itself and that no argument changed.
Helpers (recursion included), loops, jumps, in-place updates and broadcasting
are all in the tables.
"""

import copy

import numpy as np
import pytest

import s2sad
from array_functions import ARRAY_CASES
from control_functions import CONTROL_CASES
from helper_functions import HELPER_CASES
from jump_functions import JUMP_CASES
from scalar_functions import SCALAR_CASES

TABLES = {
    "scalar": SCALAR_CASES,
    "control": CONTROL_CASES,
    "jump": JUMP_CASES,
    "helper": HELPER_CASES,
    "array": ARRAY_CASES,
}
CASES = [
    pytest.param(f, point, id=f"{table}-{f.__name__}-{k}")
    for table, cases in TABLES.items()
    for k, (f, point) in enumerate(cases)
]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("composition_over_forward")


def is_float(value):
    return isinstance(value, float) or (
        isinstance(value, np.ndarray) and value.dtype.kind == "f"
    )


def like(value, rng):
    """A random value shaped like ``value`` (a float array, a float or, for an
    int, the int 0: ints have no tangent); tuples and lists element by element."""
    if isinstance(value, (tuple, list)):
        return type(value)(like(v, rng) for v in value)
    if isinstance(value, np.ndarray):
        return rng.uniform(-1.0, 1.0, value.shape)
    if isinstance(value, (float, np.floating)):
        return float(rng.uniform(-1.0, 1.0))
    return 0


def flat(value):
    if isinstance(value, (tuple, list)):
        parts = [flat(v) for v in value]
        return np.concatenate(parts) if parts else np.zeros(0)
    return np.ravel(np.asarray(value, dtype=float))


def moved(args, direction, step):
    return [
        a + step * d if is_float(a) else a
        for a, d in zip(copy.deepcopy(args), direction)
    ]


def differences(g, args, direction, step=1e-5):
    return (
        flat(g(*moved(args, direction, step))) - flat(g(*moved(args, direction, -step)))
    ) / (2 * step)


def jvp_and_arguments(f, point, out_dir, seed):
    """``f_jvp`` and arguments for it: the point, then a random tangent per parameter."""
    first = s2sad.api.jvp_function(f, output_dir=out_dir)
    rng = np.random.default_rng(seed)
    tangents = [like(p, rng) if is_float(p) else 0 for p in point]
    return first, list(copy.deepcopy(point)) + tangents, rng


def skip_without_floats(point):
    if not any(is_float(p) for p in point):
        pytest.skip("nothing to differentiate")


@pytest.mark.parametrize("f, point", CASES)
def test_reverse_over_forward(f, point, out_dir):
    """vjp(jvp(f)): the dot-product test against differences of jvp(f)."""
    skip_without_floats(point)
    first, args, rng = jvp_and_arguments(f, point, out_dir, 1)
    before = copy.deepcopy(args)
    out, vjp_fn = s2sad.vjp(first, *copy.deepcopy(args), output_dir=out_dir)
    np.testing.assert_allclose(flat(out), flat(first(*copy.deepcopy(args))), rtol=1e-12)
    cotangent = like(out, rng)
    pulled = vjp_fn(cotangent)
    direction = [like(a, rng) if is_float(a) else 0 for a in args]
    left = float(
        flat([p for p, a in zip(pulled, args) if is_float(a)])
        @ flat([d for d, a in zip(direction, args) if is_float(a)])
    )
    right = float(flat(cotangent) @ differences(first, args, direction))
    assert left == pytest.approx(right, rel=1e-5, abs=1e-6)
    for old, new in zip(before, args):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize("f, point", CASES)
def test_forward_over_forward(f, point, out_dir):
    """jvp(jvp(f)) against differences of jvp(f)."""
    skip_without_floats(point)
    first, args, rng = jvp_and_arguments(f, point, out_dir, 2)
    direction = [like(a, rng) if is_float(a) else 0 for a in args]
    value, tangent = s2sad.jvp(
        first, tuple(copy.deepcopy(args)), tuple(direction), output_dir=out_dir
    )
    np.testing.assert_allclose(
        flat(value), flat(first(*copy.deepcopy(args))), rtol=1e-12
    )
    expected = differences(first, args, direction)
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(flat(tangent), expected, rtol=1e-5, atol=1e-6 * scale)


def test_reverse_over_forward_of_helpers_calls_their_sweeps(tmp_path):
    """The jvp calls ``h_jvp``; reverse mode over it calls ``h_jvp_vjp_fwd`` and
    ``h_jvp_vjp_bwd``, generated in the same file."""
    from helper_functions import uses_helpers

    first = s2sad.api.jvp_function(uses_helpers, output_dir=tmp_path)
    s2sad.vjp(first, 0.7, 0.4, 1.0, 0.0, output_dir=tmp_path)
    sources = "".join(path.read_text() for path in tmp_path.rglob("*_jvp_vjp*.py"))
    assert "def square_plus_jvp_vjp_fwd(" in sources
    assert "def square_plus_jvp_vjp_bwd(" in sources
