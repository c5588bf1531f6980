"""break, continue and return at every depth: values, derivatives in both modes, and
loops that the generated code leaves when the source does."""

import sys

import numpy as np
import pytest
from jump_functions import EARLY_EXITS, JUMP_CASES, rows_with_break
from numerics import (
    assert_close,
    central_directional,
    central_gradient,
    central_gradient_arrays,
    float_indices,
    partial_function,
)

import s2sad

IDS = [f"{f.__name__}{point}" for f, point in JUMP_CASES]


def direction(point, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(rng.uniform(-1, 1) if isinstance(p, float) else 0 for p in point)


@pytest.mark.parametrize("f, point", JUMP_CASES, ids=IDS)
def test_grad_and_value_and_grad(f, point):
    wrt = float_indices(point)
    expected = central_gradient(
        partial_function(f, point, wrt), [point[i] for i in wrt]
    )
    assert_close(s2sad.grad(f, wrt=wrt)(*point), expected, rtol=1e-6, atol=1e-6)
    value, gradient = s2sad.value_and_grad(f, wrt=wrt)(*point)
    assert value == f(*point)
    assert_close(gradient, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("f, point", JUMP_CASES, ids=IDS)
def test_jvp_and_vjp(f, point):
    tangent = direction(point)
    out, out_dot = s2sad.jvp(f, point, tangent)
    assert out == f(*point)
    assert_close(out_dot, central_directional(f, point, tangent), rtol=1e-6, atol=1e-6)
    out_again, vjp_fn = s2sad.vjp(f, *point)
    assert out_again == out
    adjoints = vjp_fn(0.7)
    lhs = 0.7 * out_dot
    rhs = sum(t * a for t, a in zip(tangent, adjoints) if t)
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-12)


def test_rows_loop_with_break():
    X = np.array([[0.3, 0.4], [0.8, -0.2], [0.5, 0.5]])
    kept = X.copy()
    value, gradient = s2sad.value_and_grad(rows_with_break)(X)
    assert value == rows_with_break(X)
    (expected,) = central_gradient_arrays(rows_with_break, [X])
    assert_close(gradient, expected)
    T = np.ones_like(X)
    out, out_dot = s2sad.jvp(rows_with_break, (X,), (T,))
    assert out == value
    _, vjp_fn = s2sad.vjp(rows_with_break, X)
    (X_bar,) = vjp_fn(1.0)
    assert out_dot == pytest.approx(float(np.sum(X_bar * T)))
    np.testing.assert_array_equal(X, kept)


def _lines_run(fn, *args):
    """How many lines of generated code calling ``fn(*args)`` runs: a count of
    the work done, independent of the machine's speed."""
    count = 0
    path = fn.path if hasattr(fn, "path") else None

    def trace(frame, event, arg):
        nonlocal count
        if path is not None and frame.f_code.co_filename != str(path):
            return None
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        result = fn(*args)
    finally:
        sys.settrace(None)
    return result, count


@pytest.mark.parametrize("f", EARLY_EXITS, ids=lambda f: f.__name__)
def test_generated_loops_leave_when_the_source_does(f):
    """A million-iteration loop left after about ten: every derivative runs about
    ten iterations, and the tape holds one record per iteration that ran."""
    grad = s2sad.grad(f)
    assert "range(1000000)" not in grad.source and "while not " in grad.source
    value_and_grad = s2sad.value_and_grad(f)
    for fn in (grad, value_and_grad):
        _, lines = _lines_run(fn, 1.7)
        assert lines < 500
    out, out_dot = s2sad.jvp(f, (1.7,), (1.0,))
    assert out == f(1.7)
    jvp_fn = s2sad.api.derive(f, "jvp", None).entry(0)
    assert "range(1000000)" not in jvp_fn.source
    _, lines = _lines_run(jvp_fn, 1.7, 1.0)
    assert lines < 500
    vjp = s2sad.api.derive(f, "vjp", None)
    forward, backward = vjp.entry(0), vjp.entry(1)
    _, residuals = forward(1.7)
    for residual in residuals:
        if isinstance(residual, list):
            assert len(residual) <= 12
        elif type(residual) is int:
            assert residual <= 12
    _, lines = _lines_run(backward, residuals, 1.0)
    assert lines < 500
