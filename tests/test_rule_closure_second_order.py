"""Second derivatives of user functions whose gradients call the helpers that
last got rules: ``np.cumprod`` (exact at zeros), ``np.einsum`` of one, two and
three operands, ``np.linalg.norm`` of several orders, and ``x ** y`` in the
exponent (also at ``y == 0``).

Each is checked by :func:`test_composition.second_order`: forward over reverse
against central differences of the generated gradient, symmetry of the
Hessian-vector products, and reverse over reverse against forward over
reverse (dot-product test).
"""

import math

import numpy as np
import pytest
from numerics import assert_close, central_directional_arrays
from test_composition import second_order

import s2sad


def cumprod_rows(x: np.ndarray):
    return np.sum(np.sin(np.cumprod(x, axis=1)))


def cumprod_flat(x: np.ndarray):
    return np.sum(np.cumprod(x) ** 2)


def cumprod_columns(x: np.ndarray, y: np.ndarray):
    return np.sum(np.cumprod(x * y, axis=0) * y)


def einsum_one(a: np.ndarray):
    return np.sum(np.einsum("ij->j", a) ** 3)


def einsum_diagonal(a: np.ndarray):
    return np.sin(np.einsum("ii->", a * a))


def einsum_two(a: np.ndarray, b: np.ndarray):
    return np.sum(np.tanh(np.einsum("ij,jk->ik", a, b)))


def einsum_three(u: np.ndarray, a: np.ndarray, v: np.ndarray):
    return np.sin(np.einsum("i,ij,j->", u, a, v))


def norm_two(x: np.ndarray):
    return np.linalg.norm(x) * np.sum(x)


def norm_frobenius(x: np.ndarray):
    return np.linalg.norm(x, "fro") ** 3


def norm_rows(x: np.ndarray):
    return np.sum(np.linalg.norm(x, axis=1) ** 2 * x[:, 0])


def norm_orders(x: np.ndarray):
    return (
        np.sum(np.linalg.norm(x, 3, axis=0, keepdims=True) * x)
        + np.linalg.norm(x[0], 1.5) ** 2
        + np.linalg.norm(x[1], -2) * np.linalg.norm(x[2])
    )


def norm_piecewise(x: np.ndarray):
    return (
        np.linalg.norm(x, 1) * np.linalg.norm(x[0], np.inf)
        + np.linalg.norm(x, np.inf) * np.linalg.norm(x[:, 1], 1)
        + np.sum(np.linalg.norm(x, 1, axis=1) ** 2)
    )


def powers_of_arrays(x: np.ndarray, y: np.ndarray):
    return np.sum(x**y) + np.sum(np.power(x + 1.0, y * x))


def power_in_the_exponent(x, y):
    return x**y + math.pow(2.0 + x, y)


R = np.random.default_rng(7)
MATRIX = R.normal(size=(3, 4))
POSITIVE = R.uniform(0.5, 1.5, size=(3, 4))
WITH_ZEROS = np.array([[0.7, 0.0, -1.3, 0.4], [1.1, 0.0, 0.0, 0.9]])

CASES = [
    (cumprod_rows, (MATRIX * 0.8,)),
    (cumprod_rows, (WITH_ZEROS,)),
    (cumprod_flat, (WITH_ZEROS,)),
    (cumprod_columns, (WITH_ZEROS, R.normal(size=(2, 4)))),
    (einsum_one, (MATRIX,)),
    (einsum_diagonal, (R.normal(size=(3, 3)),)),
    (einsum_two, (MATRIX, R.normal(size=(4, 2)))),
    (einsum_three, (R.normal(size=3), MATRIX, R.normal(size=4))),
    (norm_two, (R.normal(size=5),)),
    (norm_frobenius, (MATRIX,)),
    (norm_rows, (MATRIX,)),
    (norm_orders, (POSITIVE,)),
    (norm_piecewise, (MATRIX,)),
    (powers_of_arrays, (POSITIVE, np.array([[0.0, 1.0, -0.5, 2.2]] * 3))),
    (power_in_the_exponent, (1.3, 0.0)),
    (power_in_the_exponent, (0.8, -1.7)),
    (power_in_the_exponent, (2.1, 2.5)),
]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("closure")


@pytest.mark.parametrize(
    "f, point",
    [pytest.param(f, p, id=f"{f.__name__}-{k}") for k, (f, p) in enumerate(CASES)],
)
def test_second_derivatives_in_both_orders(f, point, out_dir):
    assert second_order(f, point, out_dir) == "correct"


@pytest.mark.parametrize("point", [(1.3, 0.0), (0.8, -1.7), (2.1, 2.5)])
@pytest.mark.parametrize("k", [0, 1])
def test_grad_of_grad_of_a_power(point, k, out_dir):
    first = s2sad.grad(power_in_the_exponent, wrt=k, output_dir=out_dir)
    second = s2sad.grad(first, wrt=(0, 1), output_dir=out_dir)
    for j, value in enumerate(second(*point)):
        step = [0.0, 0.0]
        step[j] = 1.0
        expected = central_directional_arrays(first, list(point), step, step=1e-5)
        assert_close(value, expected, rtol=1e-6, atol=1e-8)


def test_the_mixed_derivative_of_a_power_at_a_zero_exponent(out_dir):
    """``d/dy d/dx x ** y`` at ``y == 0`` is ``1 / x`` (the factor ``x ** (y - 1)``
    is not cut to 0 there)."""
    first = s2sad.grad(power_in_the_exponent, wrt=0, output_dir=out_dir)
    second = s2sad.grad(first, wrt=1, output_dir=out_dir)
    x = 1.3
    assert second(x, 0.0) == pytest.approx(1 / x + 1 / (2.0 + x))


def nuclear(x: np.ndarray):
    return np.linalg.norm(x, "nuc")


def spectral(x: np.ndarray):
    return np.linalg.norm(x, 2)


@pytest.mark.parametrize("f, ord", [(nuclear, "'nuc'"), (spectral, "2")])
def test_spectral_and_nuclear_norms_are_refused_at_second_order(f, ord, out_dir):
    gradient = s2sad.grad(f, output_dir=out_dir)
    with pytest.raises(s2sad.NoDerivativeRuleError, match=f"ord={ord} of a matrix"):
        s2sad.jvp(gradient, (MATRIX,), (np.ones((3, 4)),), output_dir=out_dir)
