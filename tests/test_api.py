"""The public API: wrt forms, decorators, and agreement with SymPy on the whole function table."""

import math

import hypothesis.strategies as st
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from numerics import assert_close, central_gradient
from scalar_functions import SCALAR_CASES, gaussian, trig_mix

import s2sad
from s2sad.frontend.program import lower
from s2sad.symbolic import to_sympy

SYMBOLIC_CASES = [(f, p) for f, p in SCALAR_CASES if f.__name__ != "integer_arithmetic"]
"""SymPy leaves the derivative of ``%`` and ``//`` (through ``floor``) unevaluated."""
SYMBOLIC_IDS = [f.__name__ for f, _ in SYMBOLIC_CASES]


@pytest.mark.parametrize("f, point", SYMBOLIC_CASES, ids=SYMBOLIC_IDS)
def test_grad_matches_sympy(f, point):
    symbols, (expression,) = to_sympy(lower(f))
    values = dict(zip(symbols, point))
    expected = [
        float(sympy.diff(expression, s).evalf(30, subs=values)) for s in symbols
    ]
    gradient = s2sad.grad(f, wrt=tuple(range(len(point))))(*point)
    assert_close(gradient, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f, point", SYMBOLIC_CASES, ids=SYMBOLIC_IDS)
def test_jvp_matches_sympy(f, point):
    symbols, (expression,) = to_sympy(lower(f))
    values = dict(zip(symbols, point))
    tangent = np.linspace(-1.0, 1.0, len(point))
    expected = sum(
        t * float(sympy.diff(expression, s).evalf(30, subs=values))
        for s, t in zip(symbols, tangent)
    )
    _, out_dot = s2sad.jvp(f, point, tuple(tangent))
    assert out_dot == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_wrt_forms_agree():
    point = (0.5, 0.1, 1.3)
    full = s2sad.grad(gaussian, wrt=(0, 1, 2))(*point)
    assert s2sad.grad(gaussian)(*point) == pytest.approx(full[0], rel=1e-15)
    assert s2sad.grad(gaussian, wrt="sigma")(*point) == pytest.approx(
        full[2], rel=1e-15
    )
    assert s2sad.grad(gaussian, wrt=-1)(*point) == pytest.approx(full[2], rel=1e-15)
    assert s2sad.grad(gaussian, wrt=("sigma", 0))(*point) == pytest.approx(
        (full[2], full[0]), rel=1e-15
    )
    assert s2sad.grad(gaussian, wrt=[1])(*point) == pytest.approx((full[1],), rel=1e-15)


def test_single_wrt_returns_a_value_and_tuple_wrt_a_tuple():
    assert isinstance(s2sad.grad(trig_mix)(0.3, 0.8), float)
    assert isinstance(s2sad.grad(trig_mix, wrt=(0,))(0.3, 0.8), tuple)


def test_decorator_forms():
    from decorated import both_partials, slope, value_and_y_partial

    assert slope(0.7) == pytest.approx(math.sin(0.7) + 0.7 * math.cos(0.7), rel=1e-15)
    assert both_partials(1.5, 0.5) == pytest.approx(
        (1.5, 2.25 + math.exp(0.5)), rel=1e-15
    )
    value, partial = value_and_y_partial(3.0, 2.0)
    assert (value, partial) == pytest.approx((1.5, -0.75), rel=1e-15)
    assert "def slope_grad(x):" in slope.source


def test_defaults_are_kept_in_gradients():
    from scalar_functions import with_default

    gradient = s2sad.grad(with_default, wrt=(0, 1))
    assert gradient(1.5) == pytest.approx(gradient(1.5, 2.0), rel=1e-15)
    assert "def with_default_grad(x, y=2.0):" in gradient.source


@settings(max_examples=60, deadline=None)
@given(
    x=st.floats(min_value=-3.0, max_value=3.0),
    y=st.floats(min_value=-3.0, max_value=3.0),
)
def test_grad_matches_finite_differences_at_random_points(x, y):
    gradient = s2sad.grad(trig_mix, wrt=(0, 1))(x, y)
    if abs(math.cos(x * y)) < 0.05:
        return
    assert_close(
        gradient, central_gradient(trig_mix, (x, y), step=1e-6), rtol=1e-5, atol=1e-5
    )


def test_dir_shows_the_public_api_only():
    public = set(dir(s2sad))
    assert {"grad", "jvp", "vjp", "value_and_grad", "derivative_rule"} <= public
    assert not {"frontend", "passes", "emitter", "ir"} & public
