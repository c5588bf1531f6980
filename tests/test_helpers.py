"""Calls to the user's own functions: differentiated as separate generated functions, recursion included."""

import numpy as np
import pytest
from helper_functions import HELPER_CASES, uses_helpers, uses_recursion
from numerics import (
    assert_close,
    central_directional,
    central_gradient,
    float_indices,
    partial_function,
)

import s2sad
from s2sad.api import derive
from s2sad.frontend.program import lower
from s2sad.passes.pipeline import derivative_functions
from s2sad.analysis.verifier import verify

IDS = [f"{f.__name__}{point}" for f, point in HELPER_CASES]


@pytest.mark.parametrize(
    "f, point", [c for c in HELPER_CASES if c[0].__name__ != "polar"], ids=IDS[:-1]
)
def test_grad_through_helpers(f, point):
    wrt = float_indices(point)
    gradient = s2sad.grad(f, wrt=wrt)(*point)
    expected = central_gradient(
        partial_function(f, point, wrt), [point[i] for i in wrt]
    )
    assert_close(gradient, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("f, point", HELPER_CASES, ids=IDS)
def test_jvp_and_vjp_through_helpers_agree(f, point):
    tangent = tuple(
        0.5 - 0.3 * i if isinstance(p, float) else 0 for i, p in enumerate(point)
    )
    out, out_dot = s2sad.jvp(f, point, tangent)
    assert np.allclose(out, f(*point), rtol=1e-15, atol=0)
    assert_close(out_dot, central_directional(f, point, tangent))
    cotangent = np.linspace(0.7, -0.4, np.size(out))
    _, vjp_fn = s2sad.vjp(f, *point)
    adjoints = vjp_fn(cotangent[0] if np.ndim(out) == 0 else tuple(cotangent))
    lhs = float(np.dot(np.ravel(out_dot), cotangent))
    assert lhs == pytest.approx(
        sum(t * a for t, a in zip(tangent, adjoints) if t), rel=1e-10
    )


@pytest.mark.parametrize("kind", ["grad", "jvp", "vjp"])
@pytest.mark.parametrize("f, point", HELPER_CASES, ids=IDS)
def test_helper_derivatives_verify(f, point, kind):
    primal = lower(f)
    for function in [primal, *primal.callees]:
        verify(function)
    if kind == "grad" and len(primal.returned) != 1:
        return
    for function in derivative_functions(
        primal, kind, list(float_indices(point)), False
    ):
        verify(function)


def test_helpers_become_separate_generated_functions(tmp_path):
    source = derive(uses_helpers, "grad", (0, 1), tmp_path).source
    for name in (
        "square_plus_vjp_fwd",
        "square_plus_vjp_bwd",
        "polar_vjp_fwd",
        "polar_vjp_bwd",
    ):
        assert f"def {name}(" in source
    assert "(px, py), residuals_1 = polar_vjp_fwd(a, y)" in source
    jvp_source = derive(uses_helpers, "jvp", None, tmp_path).source
    assert "def polar_jvp(r, theta, r_dot, theta_dot):" in jvp_source


def test_recursion_keeps_its_tape_in_the_residuals(tmp_path):
    source = derive(uses_recursion, "grad", 0, tmp_path).source
    assert "t3, residuals = power_vjp_fwd(x, n - 1)" in source
    assert "return (power, (t1, tape, x))" in source
