"""Fifth attack: second-order and Jacobian entry points against differences.

Each test is the minimal program of a wrong derivative or a traceback from
generated code that a random-program attack on ``hvp``, ``hessian``,
``batched_hvp``, ``hutchinson_trace`` and the Jacobians found.
"""

import numpy as np
import pytest

import s2sad


def sum_shifted(x: np.ndarray, a: float):
    return np.sum(x + a)


def sliced_shift(x: np.ndarray, a: float):
    return np.sum((x + a)[2:] ** 2)


def constant_shifted(a: float):
    c = np.ones(3)
    return np.sum(c * 2.0 + a)


X = np.array([0.1, 0.2, 0.3, 0.4])


def test_jacfwd_of_an_array_shifted_by_the_number_differentiated():
    """The tangent of ``x + a`` along ``a`` alone is ``a_dot`` spread over ``x``'s
    shape (it was ``a_dot``: the sum counted it once, 1.0 for 4.0)."""
    assert s2sad.jacfwd(sum_shifted, 1)(X, 0.5) == 4.0
    assert s2sad.jacrev(sum_shifted, 1)(X, 0.5) == 4.0


def test_jvp_of_a_constant_array_shifted_by_a_number():
    assert s2sad.jvp(constant_shifted, (0.5,), (1.0,))[1] == 3.0


def test_hvp_of_a_slice_of_an_array_shifted_by_the_number_differentiated():
    """The slice ``(x + a)[2:]`` of that tangent (``a_dot[2:]`` of a float before)."""
    assert s2sad.hvp(sliced_shift, 1)(X, 0.5, 1.0) == 4.0
    assert s2sad.hessian(sliced_shift, 1)(X, 0.5) == 4.0
    assert s2sad.jacfwd(sliced_shift, 1)(X, 0.5) == 2 * np.sum(X[2:] + 0.5)


def shifted_by_a_sum(x: np.ndarray, y: np.ndarray):
    return np.sum((y + np.sum(x)) ** 2)


def test_hessian_through_an_array_shifted_by_a_varied_number():
    """``y + sum(x)`` with ``y`` constant: the adjoint of ``sum(x)`` sums the
    tangent over ``y``'s shape (the Hessian was 2 for 8, then a traceback)."""
    x, y = np.array([0.1, 0.2]), np.array([0.3, 0.4, 0.5, 0.6])
    expected = np.full((2, 2), 8.0)
    np.testing.assert_allclose(s2sad.hessian(shifted_by_a_sum)(x, y), expected)
    np.testing.assert_allclose(
        s2sad.hvp(shifted_by_a_sum)(x, y, np.array([1.0, 0.0])), [8.0, 8.0]
    )
    jacobian = s2sad.jacfwd(s2sad.grad(shifted_by_a_sum))(x, y)
    np.testing.assert_allclose(jacobian, expected)


def cubes(x: np.ndarray):
    return np.sum(x**3)


def test_trace_checks_its_arguments_first():
    """No arguments: the error of a wrong call, not an IndexError from s2sad; a
    list is refused in hutchinson_trace's name."""
    trace = s2sad.hutchinson_trace(cubes, method="exact")
    with pytest.raises(s2sad.DifferentiationError, match="takes 1 argument"):
        trace()
    with pytest.raises(s2sad.DifferentiationError, match="hutchinson_trace of cubes"):
        trace([1.0, 2.0])
    assert trace(np.array([1.0, 2.0])) == 18.0


def test_hvp_refuses_a_list_direction_as_a_list():
    """It said "v (for x) has shape (2,), but x has shape (2,)"."""
    with pytest.raises(s2sad.DifferentiationError, match="v .for x. is a list"):
        s2sad.hvp(cubes)(np.array([1.0, 2.0]), [1.0, 0.0])
