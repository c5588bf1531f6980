"""One check of every transformation of a function at a point, against finite differences."""

import copy

import numpy as np

import s2sad
from numerics import (
    assert_close,
    central_directional_arrays,
    central_gradient_arrays,
)


def check_all(f, point, wrt=0, seed=0):
    """grad, value_and_grad, jvp and vjp of scalar-valued ``f`` at ``point``:
    derivatives against central differences, the vjp against the jvp (dot-product
    test), primal values against ``f``, and the arguments left unmodified."""
    spelled = wrt
    wrt = (wrt,) if isinstance(wrt, int) else tuple(wrt)
    original = copy.deepcopy(point)
    expected = f(*copy.deepcopy(point))
    reference = central_gradient_arrays(f, point)
    gradient = s2sad.grad(f, wrt=spelled)(*point)
    value, gradient_too = s2sad.value_and_grad(f, wrt=spelled)(*point)
    assert_close(value, expected)
    for k, index in enumerate(wrt):
        assert_close(
            gradient[k] if not isinstance(spelled, int) else gradient, reference[index]
        )
        assert_close(
            gradient_too[k] if not isinstance(spelled, int) else gradient_too,
            reference[index],
        )
    rng = np.random.default_rng(seed)
    tangents = tuple(
        (
            (
                rng.standard_normal(np.shape(p))
                if np.ndim(p)
                else float(rng.standard_normal())
            )
            if k in wrt
            else np.zeros(np.shape(p)) if np.ndim(p) else 0.0
        )
        for k, p in enumerate(point)
    )
    out, out_dot = s2sad.jvp(f, point, tangents)
    assert_close(out, expected)
    assert_close(out_dot, central_directional_arrays(f, point, tangents), rtol=1e-5)
    out, vjp_fn = s2sad.vjp(f, *point)
    assert_close(out, expected)
    bars = vjp_fn(1.0)
    dot = sum(float(np.sum(np.asarray(bars[k]) * tangents[k])) for k in wrt)
    assert_close(dot, out_dot, rtol=1e-9, atol=1e-12)
    for before, after in zip(original, point):
        np.testing.assert_array_equal(before, after)
