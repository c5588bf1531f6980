"""Element-by-element loops over arrays made with np.zeros(n) and the like:
every transformation against finite differences, primal values and unmodified
arguments (see derivative_checks.check_all)."""

import numpy as np
import pytest

from derivative_checks import check_all

X = np.array([0.3, -0.8, 0.6, 0.45, -0.2])
M = np.array([[0.3, -1.2, 0.7], [1.5, -0.4, 0.9]])


def two_zeros_in_loop(x, a):
    """The simplifier merges the two np.zeros(n): one array, carried twice."""
    n = len(x)
    y = np.zeros(n)
    z = np.zeros(n)
    for i in range(n):
        y[i] = x[i] * a
        z[i] = z[i] + x[i]
    return np.sum(y**2) + np.sum(z**2)


def two_ones_in_while(x, a):
    n = len(x)
    y = np.ones(n)
    z = np.ones(n)
    i = 0
    while i < n:
        y[i] = x[i] * a
        z[i] = z[i] * x[i]
        i += 1
    return np.sum(y**2) + np.sum(z**2)


def two_zeros_like(x, a):
    y = np.zeros_like(x)
    z = np.zeros_like(x)
    for i in range(len(x)):
        y[i] = x[i] * a
        z[i] = z[i] + x[i]
    return np.sum(y**2) + np.sum(z**2)


def two_equal_products(x, a):
    y = x * 2.0
    z = x * 2.0
    for i in range(len(x)):
        y[i] = x[i] * a
        z[i] = z[i] + x[i]
    return np.sum(y**2) + np.sum(z**2)


def two_zeros_from_a_branch(x, a):
    """The branch yields one merged array for both y and z."""
    n = len(x)
    if a > 0:
        y = np.zeros(n)
        z = np.zeros(n)
    else:
        y = x * 3.0
        z = x * 2.0
    for i in range(n):
        y[i] = x[i] * a
        z[i] = z[i] + x[i]
    return np.sum(y**2) + np.sum(z**2)


def two_zeros_from_a_loop_body(x, a):
    n = len(x)
    y = x * 1.0
    z = x * 2.0
    for k in range(3):
        y[k] = y[k] * a
        z[k + 1] = z[k] + x[k]
        if k == 1:
            y = np.zeros(n)
            z = np.zeros(n)
    return np.sum(y**2) + np.sum(z**2)


MERGED = [
    two_zeros_in_loop,
    two_ones_in_while,
    two_zeros_like,
    two_equal_products,
    two_zeros_from_a_branch,
    two_zeros_from_a_loop_body,
]


@pytest.mark.parametrize("f", MERGED, ids=lambda f: f.__name__)
def test_equal_arrays_carried_by_one_loop_stay_apart(f):
    check_all(f, (X, 0.7), wrt=(0, 1))
