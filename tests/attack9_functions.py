"""Programs of tests/test_attack9_sparsity.py (s2sad reads their source)."""

import numpy as np


def loud_switch(x):
    print("called")
    if x[0] > 0:
        return x * x[-1]
    return x * 2.0


def loud_hessian_switch(x):
    print("called")
    if x[0] > 0:
        return np.sum(x**3) + x[0] * x[-1]
    return np.sum(x**3)


def root_and_reversed(x):
    return np.sqrt(x) + np.where(x[::-1] > 1.0, x[::-1], 0.0)


def penalty(x):
    y = 1e10 * x
    if x[0] > 0:
        y = y + x[::-1]
    return y


def sine_times(x):
    return np.sin(x) * x


def squares(x):
    return np.sum(x**2 * x[::-1])


def banded(x):
    n = len(x)
    A = -2.0 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
    return A @ x + x**3


def one_row_twice(x):
    rows = [[x[0], x[1]]]
    return np.sum(np.concatenate([rows[0], rows[0]]) * np.array([1.0, 2.0, 3.0, 4.0]))


def two_rows_twice(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    return np.concatenate([rows[0], rows[1], rows[0]]) * 2.0


def item_of_item(x):
    rows = [[x[0], x[1]], [x[2], x[0] * x[2]]]
    return np.concatenate([rows[1], rows[0], [rows[0][1]]])


def item_of_item_loss(x):
    rows = [[x[0], x[1]], [x[2], x[0] * x[2]]]
    return np.sum(np.concatenate([rows[1], rows[0], [rows[0][1]]]) ** 2)


def item_of_item_helper_loss(x):
    y = item_of_item(x)
    return np.sum(np.sin(y) * y)


def cubes_switch(x):
    if x[0] > 0:
        return np.sum(x**3) + x[0] * x[-1]
    return np.sum(x**3)


def outer_reversed(x):
    return np.outer(x, x[::-1])


def positive_squares(x):
    return x[x > 0] ** 2


def dotted(x):
    A = np.eye(len(x)) * 2.0 + np.eye(len(x), k=1)
    return np.dot(A, x) * x


def one_tuple(x):
    return (x * x[0],)


def list_written(x):
    parts = [x[0], x[1], x[2]]
    parts[1] = parts[0] * parts[2]
    return np.stack(parts)


def list_written_concatenated(x):
    parts = [x[0] * 2.0, x[1], x[2]]
    parts[2] = parts[0] * parts[1]
    return np.concatenate([np.stack(parts), x])


def list_written_loss(x):
    y = list_written(x)
    return np.sum(np.sin(y) * y)


def pairs_joined(x):
    pairs = [[x[0], x[1]], [x[2], x[0] * x[1]]]
    return np.hstack([pairs[0], pairs[1], pairs[1][0]])


def rows_stacked_loss(x):
    rows = [[x[0], x[1]], [x[1] * x[2], x[0]]]
    y = np.vstack([rows[0], rows[1], [x[2], 1.0]]).ravel()
    return np.sum(np.sin(y) * y)


def list_written_hstacked(x):
    parts = [x[0], x[1], x[2]]
    parts[0] = parts[1] * parts[2]
    return np.hstack(parts)


def list_written_vstacked(x):
    parts = [x[0], x[1], x[2]]
    parts[2] = parts[1] * parts[0]
    return np.vstack(parts).ravel()


def list_written_hstacked_loss(x):
    y = list_written_hstacked(x)
    return np.sum(np.sin(y) * y)
