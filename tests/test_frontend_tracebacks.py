"""Inputs that used to raise a traceback from inside s2sad: each now works or is a clear error."""

import ctypes
import ctypes.util

import numpy as np
import pytest

import s2sad
from derivative_checks import check_all


def returns_list(x):
    return [x, x]


def test_grad_of_a_returned_list_is_refused_at_the_return():
    with pytest.raises(s2sad.DifferentiationError) as caught:
        s2sad.grad(returns_list)(1.3)
    assert caught.value.line == returns_list.__code__.co_firstlineno + 1
    out, out_dot = s2sad.jvp(returns_list, (1.3,), (1.0,))
    assert list(out) == [1.3, 1.3] and list(out_dot) == [1.0, 1.0]


def one_tuple_helper(a, b):
    return (a * b,)


def indexes_one_tuple(a, b):
    return one_tuple_helper(a, b)[0] + a


def takes_tuple(t):
    return t[0] * t[1]


def loops_over_list(xs):
    s = 0.0
    for v in xs:
        s = s + v * v
    return s


def empty_index(x):
    return np.sum(x[[]]) + np.sum(x * x)


def constant_row(x):
    m = np.array([[1.0, 2.0], [x[0], x[1]]])
    return np.sum(m * m)


def test_one_tuple_helper_indexed():
    check_all(indexes_one_tuple, (1.3, 0.7), wrt=(0, 1))


@pytest.mark.parametrize(
    "f, point",
    [
        (empty_index, (np.array([1.0, 2.0]),)),
        (constant_row, (np.array([1.0, 2.0]),)),
    ],
)
def test_array_programs_that_crashed(f, point):
    check_all(f, point)


@pytest.mark.parametrize(
    "f, point, expected",
    [(takes_tuple, (1.3, 2.0), [2.0, 1.3]), (loops_over_list, [1.0, 2.0], [2.0, 4.0])],
)
def test_sequence_arguments(f, point, expected):
    np.testing.assert_allclose(s2sad.grad(f)(point), expected)
    np.testing.assert_allclose(s2sad.vjp(f, point)[0], f(point))


LIBC = ctypes.CDLL(ctypes.util.find_library("c"))


def calls_ctypes(x):
    return LIBC.abs(x) * x


def test_ctypes_function_is_a_clear_error():
    with pytest.raises(s2sad.NoDerivativeRuleError) as caught:
        s2sad.grad(calls_ctypes)(1.3)
    assert caught.value.line == calls_ctypes.__code__.co_firstlineno + 1
    assert "module-level Python function" in caught.value.hint


def writes_zero_d(x):
    y = np.zeros(())
    y[()] = x * x
    return y + x


def writes_zero_d_ellipsis(x):
    y = np.array(0.0)
    y[...] = x * 3.0
    return np.sum(y) * x


@pytest.mark.parametrize("f", [writes_zero_d, writes_zero_d_ellipsis])
def test_writes_into_zero_d_arrays(f):
    check_all(f, (1.1,))
