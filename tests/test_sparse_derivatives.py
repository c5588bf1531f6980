"""Sparse Jacobians and Hessians: coloured products equal the dense results, a
pattern that misses a nonzero is refused, and ``"detect"`` finds the pattern
(more in test_dependence_sparsity.py)."""

import numpy as np
import pytest

import s2sad


def banded(x):
    y = np.zeros_like(x)
    y[1:-1] = x[:-2] - 2.0 * x[1:-1] ** 2 + np.sin(x[2:])
    y[0] = x[0] ** 3
    y[-1] = x[-1] * x[-2]
    return y


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def squares(x):
    return x * x * np.ones(3)


N = 9
X = np.linspace(0.1, 1.3, N)
TRIDIAGONAL = np.abs(np.subtract.outer(np.arange(N), np.arange(N))) <= 1


@pytest.mark.parametrize("mode", ["fwd", "rev", "auto"])
@pytest.mark.parametrize("sparsity", [TRIDIAGONAL, "detect"])
def test_a_coloured_jacobian_is_the_dense_one(mode, sparsity):
    dense = s2sad.jacfwd(banded)(X)
    jacobian = s2sad.jacobian(banded, mode=mode, sparsity=sparsity)
    for point in (X, X + 0.25):
        assert np.allclose(jacobian(point), s2sad.jacfwd(banded)(point), rtol=1e-12)
    assert jacobian.products == 4
    assert np.allclose(jacobian(X), dense, rtol=1e-12)
    values, (rows, columns) = s2sad.jacobian(
        banded, mode=mode, sparsity=sparsity, dense=False
    )(X)
    assert np.allclose(values, dense[rows, columns], rtol=1e-12)


@pytest.mark.parametrize("sparsity", [TRIDIAGONAL, "detect"])
def test_a_coloured_hessian_is_the_dense_one(sparsity):
    dense = s2sad.hessian(rosenbrock)(X)
    hessian = s2sad.hessian(rosenbrock, sparsity=sparsity)
    assert np.allclose(hessian(X), dense, rtol=1e-12)
    assert np.array_equal(hessian(X), hessian(X).T)
    assert hessian.products == 4
    diagonal = s2sad.hessian(rosenbrock, sparsity=sparsity, diagonal=True)(X)
    assert np.allclose(diagonal, np.diag(dense), rtol=1e-12)
    values, (rows, columns) = s2sad.hessian(rosenbrock, sparsity=sparsity, dense=False)(
        X
    )
    assert np.allclose(values, dense[rows, columns], rtol=1e-12)


def test_a_coloured_hessian_matches_finite_differences():
    gradient = s2sad.grad(rosenbrock)
    h = 1e-6
    columns = [(gradient(X + h * e) - gradient(X - h * e)) / (2 * h) for e in np.eye(N)]
    found = s2sad.hessian(rosenbrock, sparsity=TRIDIAGONAL)(X)
    assert np.allclose(found, np.array(columns).T, rtol=1e-6, atol=1e-6)


def test_a_pattern_missing_a_nonzero_is_refused():
    lower = TRIDIAGONAL & (np.arange(N)[:, None] >= np.arange(N))
    with pytest.raises(s2sad.DifferentiationError, match="misses nonzeros"):
        s2sad.jacobian(banded, sparsity=lower)(X)
    with pytest.raises(s2sad.DifferentiationError, match="misses nonzeros"):
        s2sad.hessian(rosenbrock, sparsity=np.eye(N, dtype=bool))(X)


def test_a_detected_pattern_keeps_entries_that_are_zero_at_the_first_point():
    jacobian = s2sad.jacobian(squares, sparsity="detect")
    assert np.array_equal(jacobian(np.array([0.0, 1.0, 0.0])), np.diag([0, 2.0, 0]))
    assert jacobian.products == 2
    x = np.array([1.0, 2.0, 3.0])
    assert np.array_equal(jacobian(x), np.diag(2 * x))
    assert jacobian.products == 2 and jacobian.pattern_source == "dependences"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: s2sad.jacobian(banded, sparsity="yes"), "boolean array"),
        (lambda: s2sad.jacobian(banded, dense=False), "no sparsity"),
        (lambda: s2sad.hessian(rosenbrock, dense=False), "no sparsity"),
        (
            lambda: s2sad.jacobian(banded, sparsity=np.ones((5, N), bool))(X),
            "5 rows",
        ),
        (
            lambda: s2sad.hessian(rosenbrock, sparsity=np.ones((N, 5), bool))(X),
            "does not end",
        ),
        (
            lambda: s2sad.hessian(rosenbrock, sparsity=np.tri(N, dtype=bool))(X),
            "symmetric",
        ),
    ],
)
def test_bad_sparsity_is_refused_clearly(call, message):
    with pytest.raises(s2sad.DifferentiationError, match=message) as caught:
        call()
    assert caught.value.hint
