"""Control flow (if/elif/else, ternaries, and/or/not, early return, for, while) in both modes."""

import numpy as np
import pytest
from control_functions import CONTROL_CASES, MULTI_OUTPUT_CONTROL_CASES, swap_loop
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
from s2sad.ir.printer import print_function
from s2sad.passes.pipeline import derivative_functions
from s2sad.analysis.verifier import verify

CASES = CONTROL_CASES + MULTI_OUTPUT_CONTROL_CASES
IDS = [f"{f.__name__}{point}" for f, point in CASES]


def float_direction(point, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(rng.uniform(-1, 1) if isinstance(p, float) else 0 for p in point)


@pytest.mark.parametrize("f, point", CASES, ids=IDS)
def test_jvp_matches_finite_differences(f, point):
    direction = float_direction(point)
    out, out_dot = s2sad.jvp(f, point, direction)
    assert out == pytest.approx(f(*point), rel=1e-15, abs=1e-15)
    expected = central_directional(f, point, direction)
    assert_close(out_dot, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("f, point", CONTROL_CASES, ids=IDS[: len(CONTROL_CASES)])
def test_grad_matches_finite_differences(f, point):
    wrt = float_indices(point)
    gradient = s2sad.grad(f, wrt=wrt)(*point)
    expected = central_gradient(
        partial_function(f, point, wrt), [point[i] for i in wrt]
    )
    assert_close(gradient, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("f, point", CONTROL_CASES, ids=IDS[: len(CONTROL_CASES)])
def test_value_and_grad_agrees_with_grad(f, point):
    wrt = float_indices(point)
    value, gradient = s2sad.value_and_grad(f, wrt=wrt)(*point)
    assert value == pytest.approx(f(*point), rel=1e-15, abs=1e-15)
    assert_close(gradient, s2sad.grad(f, wrt=wrt)(*point), rtol=1e-15, atol=0)


@pytest.mark.parametrize("f, point", CASES, ids=IDS)
def test_dot_product_identity_between_modes(f, point):
    """<J t, c> == <t, J^T c>: forward and reverse mode agree through control flow."""
    tangent = float_direction(point, seed=1)
    out, out_dot = s2sad.jvp(f, point, tangent)
    cotangent = np.random.default_rng(2).uniform(-1, 1, np.size(out))
    out_again, vjp_fn = s2sad.vjp(f, *point)
    assert out_again == out
    adjoints = vjp_fn(cotangent[0] if np.ndim(out) == 0 else tuple(cotangent))
    lhs = float(np.dot(np.ravel(out_dot), cotangent))
    rhs = sum(t * a for t, a in zip(tangent, adjoints) if t)
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("f, point", CASES, ids=IDS)
@pytest.mark.parametrize("kind", ["jvp", "grad", "vjp"])
def test_lowered_and_derived_ir_verify(f, point, kind):
    primal = lower(f)
    verify(primal)
    if kind == "grad" and len(primal.returned) != 1:
        return
    wrt = list(float_indices(point))
    for function in derivative_functions(primal, kind, wrt, False):
        verify(function)


def test_jvp_source_keeps_the_shape_of_the_program(tmp_path):
    source = derive(swap_loop, "jvp", None, tmp_path).source
    assert "for _ in range(3):" in source
    assert "a_1, b_1, a_dot_1, b_dot_1 = (b_1, b_3, b_dot_1, a_dot_1 * 2.0)" in source


def test_printed_ir_of_an_if():
    from control_functions import if_without_else

    assert print_function(lower(if_without_else)) == (
        "func if_without_else(x):\n"
        "  y = mul(x, 2.0)\n"
        "  t3: bool = gt(y, 1.0)\n"
        "  y_2 = if(t3):\n"
        "    then():\n"
        "      y_1 = log(y)\n"
        "      yield y_1\n"
        "    else():\n"
        "      yield y\n"
        "  if_without_else = mul(y_2, x)\n"
        "  return if_without_else\n"
    )
