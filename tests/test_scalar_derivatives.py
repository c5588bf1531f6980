"""grad, value_and_grad, jvp and vjp on the scalar function table, against finite differences."""

import numpy as np
import pytest
from numerics import assert_close, central_directional, central_gradient
from scalar_functions import MULTI_OUTPUT_CASES, SCALAR_CASES

import s2sad

CASE_IDS = [f.__name__ for f, _ in SCALAR_CASES]
MULTI_IDS = [f.__name__ for f, _ in MULTI_OUTPUT_CASES]


def all_params(point):
    return tuple(range(len(point)))


def direction(n, seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, n)


@pytest.mark.parametrize("f, point", SCALAR_CASES, ids=CASE_IDS)
def test_grad_matches_central_differences(f, point):
    gradient = s2sad.grad(f, wrt=all_params(point))(*point)
    assert isinstance(gradient, tuple) and len(gradient) == len(point)
    assert_close(gradient, central_gradient(f, point), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("f, point", SCALAR_CASES, ids=CASE_IDS)
def test_value_and_grad_returns_value_and_gradient(f, point):
    value, gradient = s2sad.value_and_grad(f, wrt=all_params(point))(*point)
    assert value == pytest.approx(f(*point), rel=1e-14, abs=1e-14)
    assert_close(
        gradient, s2sad.grad(f, wrt=all_params(point))(*point), rtol=1e-14, atol=0
    )


@pytest.mark.parametrize("f, point", SCALAR_CASES, ids=CASE_IDS)
def test_jvp_matches_directional_difference(f, point):
    tangent = direction(len(point))
    out, out_dot = s2sad.jvp(f, point, tuple(tangent))
    assert out == pytest.approx(f(*point), rel=1e-14, abs=1e-14)
    assert_close(out_dot, central_directional(f, point, tangent), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("f, point", SCALAR_CASES, ids=CASE_IDS)
def test_vjp_is_cotangent_times_gradient(f, point):
    out, vjp_fn = s2sad.vjp(f, *point)
    assert out == pytest.approx(f(*point), rel=1e-14, abs=1e-14)
    adjoints = vjp_fn(-2.5)
    assert len(adjoints) == len(point)
    assert_close(adjoints, -2.5 * central_gradient(f, point), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "f, point", SCALAR_CASES + MULTI_OUTPUT_CASES, ids=CASE_IDS + MULTI_IDS
)
def test_dot_product_identity_between_modes(f, point):
    """<J t, c> == <t, J^T c>: forward and reverse mode agree."""
    tangent = direction(len(point), seed=1)
    out, out_dot = s2sad.jvp(f, point, tuple(tangent))
    cotangent = direction(np.size(out), seed=2)
    _, vjp_fn = s2sad.vjp(f, *point)
    adjoints = vjp_fn(cotangent[0] if np.ndim(out) == 0 else tuple(cotangent))
    assert np.dot(np.ravel(out_dot), cotangent) == pytest.approx(
        np.dot(tangent, adjoints), rel=1e-10, abs=1e-12
    )


@pytest.mark.parametrize("f, point", MULTI_OUTPUT_CASES, ids=MULTI_IDS)
def test_multi_output_jvp_and_vjp(f, point):
    tangent = direction(len(point), seed=3)
    out, out_dot = s2sad.jvp(f, point, tuple(tangent))
    assert out == pytest.approx(f(*point))
    assert_close(out_dot, central_directional(f, point, tangent))
    _, vjp_fn = s2sad.vjp(f, *point)
    for k in range(len(out)):
        unit = tuple(1.0 if j == k else 0.0 for j in range(len(out)))
        row = central_gradient(lambda *x: f(*x)[k], point)
        assert_close(vjp_fn(unit), row)


def test_vjp_fn_can_be_called_repeatedly():
    from scalar_functions import seed_L

    _, vjp_fn = s2sad.vjp(seed_L, 2.0, 3.0)
    first = np.array(vjp_fn(1.0))
    assert_close(vjp_fn(3.0), 3.0 * first, rtol=1e-15, atol=0)
