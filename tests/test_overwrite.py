"""A value overwritten in its variable before a derivative reads it (issue: trust, class 1).

The emitter lets a loop's carried value, its result and the value yielded into it
share one variable; these programs put statements before and after inner loops so
that sharing would make a read see the new value. Both modes are checked against
finite differences, and the naming check itself on a hand-made conflict.
"""

import numpy as np
import pytest
from numerics import (
    assert_close,
    central_directional_arrays,
    central_gradient_arrays,
)
from overwrite_functions import ARRAY_CASES, SCALAR_CASES

import s2sad
from s2sad.bindings import first_conflict
from s2sad.frontend import lower

CASES = SCALAR_CASES + ARRAY_CASES
IDS = [f.__name__ for f, _ in CASES]


def copies(point):
    return tuple(np.copy(p) if isinstance(p, np.ndarray) else p for p in point)


def direction(point, seed):
    rng = np.random.default_rng(seed)
    return tuple(
        rng.uniform(-1, 1, np.shape(p)) if np.ndim(p) else rng.uniform(-1, 1)
        for p in point
    )


def unchanged(point, before):
    for p, q in zip(point, before):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("f, point", CASES, ids=IDS)
def test_jvp_value_and_tangent(f, point):
    before = copies(point)
    tangent = direction(point, 0)
    out, out_dot = s2sad.jvp(f, point, tangent)
    unchanged(point, before)
    assert_close(out, f(*copies(point)), rtol=1e-14, atol=0)
    expected = central_directional_arrays(lambda *a: f(*copies(a)), point, tangent)
    assert_close(out_dot, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("f, point", CASES, ids=IDS)
def test_grad_and_value_and_grad(f, point):
    wrt = tuple(range(len(point)))
    before = copies(point)
    gradient = s2sad.grad(f, wrt=wrt)(*point)
    value, again = s2sad.value_and_grad(f, wrt=wrt)(*point)
    unchanged(point, before)
    assert_close(value, f(*copies(point)), rtol=1e-14, atol=0)
    expected = central_gradient_arrays(lambda *a: f(*copies(a)), point)
    for g, h, e in zip(gradient, again, expected):
        assert_close(g, e, rtol=1e-6, atol=1e-7)
        assert_close(h, g, rtol=1e-15, atol=0)


@pytest.mark.parametrize("f, point", CASES, ids=IDS)
def test_vjp_against_jvp(f, point):
    """<J t, c> == <t, J^T c>, and the vjp's primal is f's value."""
    tangent = direction(point, 1)
    out, vjp_fn = s2sad.vjp(f, *point)
    assert_close(out, f(*copies(point)), rtol=1e-14, atol=0)
    cotangent = 0.7
    bars = vjp_fn(cotangent)
    bars = bars if isinstance(bars, tuple) else (bars,)
    _, out_dot = s2sad.jvp(f, point, tangent)
    left = float(np.sum(out_dot * cotangent))
    right = sum(float(np.sum(t * b)) for t, b in zip(tangent, bars))
    assert left == pytest.approx(right, rel=1e-10, abs=1e-12)


def overwrite(x):
    v = x * 3.0
    w = v + x
    return w


def test_the_naming_check_finds_a_read_after_overwrite():
    """``v`` forced into ``x``'s variable: the check names the read of ``x`` that breaks."""
    function = lower(overwrite)
    x = function.params[0]
    v = function.body.ops[1].result
    assert v.hint == "v"

    def check(names):
        return first_conflict(
            function,
            lambda value: names.get(value, value.name),
            lambda block: set(),
            lambda op: False,
        )

    assert check({}) is None
    conflict = check({v: x.name})
    assert (conflict.value, conflict.variable, conflict.found) == (x, x.name, (v,))
    w = function.body.ops[2].result
    assert check({w: v.name}) is None
