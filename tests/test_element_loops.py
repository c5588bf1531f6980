"""Element-by-element loops over arrays made with np.zeros(n) and the like:
every transformation against finite differences, primal values and unmodified
arguments (see derivative_checks.check_all)."""

import numpy as np
import pytest

import s2sad
from derivative_checks import check_all
from numerics import central_directional_arrays

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


def recurrence(x, a):
    """The README's loop."""
    n = len(x)
    y = np.zeros(n)
    y[0] = x[0]
    for i in range(1, n):
        y[i] = a * y[i - 1] + x[i]
    return np.sum(y**2)


def previous_is_last_at_zero(x, a):
    """y[i - 1] at i = 0 reads y[-1]."""
    n = len(x)
    y = np.zeros(n)
    y[n - 1] = 2.0
    for i in range(n):
        y[i] = a * y[i - 1] + x[i]
    return np.sum(y**2)


def loop_runs_zero_times(x, a):
    n = len(x)
    y = np.zeros(n)
    for i in range(n, 2):
        y[i] = a * y[i - 1] + x[i]
    return np.sum(y * x) + a


def rank_grows_in_loop(x, a):
    n = len(x)
    y = np.zeros(n)
    for i in range(2):
        y = y[None] * a + x
    return np.sum(y**2)


def rank_changes_then_elements(x, a):
    n = len(x)
    y = np.zeros(n) + x
    for i in range(1, 3):
        y = np.outer(y, x)[0]
        y[i] = a * y[i - 1]
    return np.sum(y**2)


def branch_yields_other_rank(x, a):
    n = len(x)
    y = np.zeros(n)
    for i in range(1, n):
        if a > 0:
            y = np.zeros((n, n)) + x * a
        y[i] = a * y[i - 1] + x[i]
    return np.sum(y**2)


def rows_of_2d(M, a):
    n, m = M.shape
    Y = np.zeros((n, m))
    for i in range(n):
        Y[i] = a * M[i] + Y[i - 1]
    return np.sum(Y**2)


def elements_of_2d(M, a):
    n, m = M.shape
    Y = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            Y[i, j] = a * Y[i, j - 1] + M[i, j]
    return np.sum(Y**2)


def ellipsis_rows(M, a):
    n, m = M.shape
    Y = np.zeros((n, m))
    for i in range(n):
        Y[i, ...] = a * Y[i - 1, ...] + M[i]
    return np.sum(Y**2)


def number_into_a_row(M, a):
    n, m = M.shape
    Y = np.ones((n, m))
    for i in range(1, n):
        Y[i] = a * Y[i - 1, 0] + M[i, 1]
    return np.sum(Y**2)


def while_counter(x, a):
    n = len(x)
    y = np.zeros(n)
    i = 0
    while i < n - 1:
        i = i + 1
        y[i] = a * y[i - 1] + x[i] * y[i]
        y[i - 1] = y[i - 1] * a
    return np.sum(y**2)


def flat_index_of_two_counters(M, a):
    n, m = M.shape
    x = M.ravel()
    y = np.zeros(n * m)
    for i in range(n):
        for j in range(m):
            y[2 * i + j] = a * y[2 * i + j - 1] + x[j + i * m] * y[-(i + 1)]
    return np.sum(y**2)


def nested_whiles(M, a):
    n, m = M.shape
    y = np.zeros(n * m)
    i = 0
    while i < n:
        j = 0
        while j < m:
            y[i * m + j] = a * y[i * m + j - 1] + M[i, j]
            j += 1
        i += 1
    return np.sum(y**2)


def break_before_store(x, a):
    n = len(x)
    y = np.zeros(n)
    for i in range(1, n):
        if y[i - 1] > 1.0:
            break
        y[i] = a * y[i - 1] + x[i]
    return np.sum(y**2)


def continue_before_store(x, a):
    n = len(x)
    y = np.zeros(n)
    for i in range(1, n):
        t = a * y[i - 1]
        if x[i] < 0:
            continue
        y[i] = t + x[i]
    return np.sum(y**2)


def return_before_store(x, a):
    n = len(x)
    y = np.zeros(n)
    for i in range(1, n):
        t = a * y[i - 1] + x[i]
        if t > 2.0:
            return np.sum(y**2) + t
        y[i] = t
    return np.sum(y**2)


def stores_in_branches(x, a):
    n = len(x)
    y = np.zeros(n)
    for i in range(1, n):
        t = a * y[i - 1] + x[i]
        if x[i] > 0:
            y[i] = t * t
        else:
            y[i] = t
    return np.sum(y**2)


def stored_value_from_outside(x, a):
    n = len(x)
    y = np.zeros(n)
    t = a * x[0]
    for i in range(1, n):
        if x[i] > 0:
            y[i] = t
        t = t * a + y[i - 1]
    return np.sum(y**2) + t


def second_name(x, a):
    n = len(x)
    y = np.zeros(n)
    z = y
    for i in range(1, n):
        z[i] = a * y[i - 1] + x[i]
    return np.sum(y**2) + np.sum(z * x)


def int_and_bool_arrays(x, a):
    n = len(x)
    k = np.zeros(n, dtype=int)
    b = np.zeros(n, dtype=bool)
    y = np.zeros(n)
    for i in range(1, n):
        k[i] = k[i - 1] + 1
        b[i] = x[i] > 0
        y[i] = a * y[i - 1] + x[i] * k[i] + b[i]
    return np.sum(y**2)


def zeros_like_argument(x, a):
    y = np.zeros_like(x)
    for i in range(1, len(x)):
        y[i] = a * y[i - 1] + x[i]
    return np.sum(y**2)


def zeros_like_2d(M, a):
    Y = np.zeros_like(M)
    for i in range(1, len(M)):
        Y[i] = a * Y[i - 1] + M[i]
    return np.sum(Y**2)


def scale(u, a):
    return a * u + 1.0


def stored_from_helper(x, a):
    n = len(x)
    y = np.zeros(n)
    for i in range(1, n):
        y[i] = scale(y[i - 1], a) + x[i]
    return np.sum(y**2)


def augmented_elements(x, a):
    n = len(x)
    y = np.zeros(n)
    for i in range(n):
        y[i] += x[i]
        y[i - 1] *= a
        y[i] -= y[i - 1] * a
    return np.sum(y**2)


def empty_then_filled(x, a):
    n = len(x)
    y = np.empty(n)
    y[0] = a
    for i in range(1, n):
        y[i] = a * y[i - 1] + x[i]
    return np.sum(y**2)


def zero_d_slot(x, a):
    y = np.zeros(())
    for i in range(3):
        y[()] = y[()] * a + x[i]
    return y * 1.0


def diagonal_after_outer(x, a):
    n = len(x)
    y = np.zeros(n)
    for i in range(1, n):
        y[i] = a * y[i - 1] + x[i]
    Y = np.outer(y, y)
    for i in range(1, n):
        Y[i, i] = Y[i - 1, i] * a
    return np.sum(Y)


VECTOR = [
    recurrence,
    previous_is_last_at_zero,
    loop_runs_zero_times,
    rank_grows_in_loop,
    rank_changes_then_elements,
    branch_yields_other_rank,
    while_counter,
    break_before_store,
    continue_before_store,
    return_before_store,
    stores_in_branches,
    stored_value_from_outside,
    second_name,
    int_and_bool_arrays,
    zeros_like_argument,
    stored_from_helper,
    augmented_elements,
    empty_then_filled,
    zero_d_slot,
    diagonal_after_outer,
]
MATRIX = [
    rows_of_2d,
    elements_of_2d,
    ellipsis_rows,
    number_into_a_row,
    flat_index_of_two_counters,
    nested_whiles,
    zeros_like_2d,
]


@pytest.mark.parametrize("f", VECTOR, ids=lambda f: f.__name__)
def test_vector_loops(f):
    check_all(f, (X * 3.0 if "before_store" in f.__name__ else X, 0.7), wrt=(0, 1))


@pytest.mark.parametrize("f", MATRIX, ids=lambda f: f.__name__)
def test_matrix_loops(f):
    check_all(f, (M, 0.7), wrt=(0, 1))


@pytest.mark.parametrize("n", [1, 2, 200])
def test_recurrence_lengths(n):
    check_all(recurrence, (np.linspace(-1.0, 1.0, n), 0.9), wrt=(0, 1))


@pytest.mark.parametrize("a", [np.array(0.7), 0.7])
def test_number_parameter_given_a_0d_array(a):
    check_all(recurrence, (X, a), wrt=(0, 1))


def states(x, a):
    n = len(x)
    y = np.zeros(n)
    y[0] = x[0]
    for i in range(1, n):
        y[i] = a * y[i - 1] + x[i]
    return y


def test_array_output_jvp_and_vjp_agree():
    t = (np.linspace(-0.5, 0.5, len(X)), 0.37)
    out, dot = s2sad.jvp(states, (X, 0.7), t)
    np.testing.assert_allclose(out, states(X, 0.7))
    np.testing.assert_allclose(dot, central_directional_arrays(states, (X, 0.7), t))
    out, vjp_fn = s2sad.vjp(states, X, 0.7)
    c = np.cos(np.arange(len(X)))
    x_bar, a_bar = vjp_fn(c)
    np.testing.assert_allclose(np.sum(x_bar * t[0]) + a_bar * t[1], np.sum(c * dot))
