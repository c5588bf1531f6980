"""Programs of tests/test_attack10.py (s2sad reads their source)."""

import numpy as np


def nested2(x):
    rows = [[x[0], x[1]], [x[2] * x[0], x[1]]]
    return rows[0][0] * rows[1][0] + np.sin(rows[1][1]) * rows[0][1]


def array_of_items(x):
    rows = [[x[0], x[1]], [x[2], x[0] * x[1]]]
    m = np.array(rows[1])
    return np.sum(m * np.array(rows[0]))


def loop_rows(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    s = 0.0
    for _ in range(3):
        s = s + rows[0][0] * rows[1][1] + s * rows[0][1]
    return s


def rows_by_counter(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    s = 0.0
    for i in range(2):
        s = s + rows[i][0] * rows[i][1]
    return s


def switched_matrix(x):
    A = np.diag((x > 0.5).astype(float))
    return A @ x + x[::-1] @ A


def switched_quad(x):
    A = np.diag((x > 0.5).astype(float))
    A[0, 2] = float(x[1] > 0.5)
    return x @ A @ x


def array_of_nested_arrays(x):
    rows = [[x, 2.0 * x], [x * x, np.cos(x)]]
    return np.sum(np.array(rows) ** 2) + np.sum(np.stack(rows[1]) * np.array(rows[0]))


def row_replaced(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    rows[1] = [rows[1][1] * x[1], x[2]]
    return rows[0][0] * rows[1][0] + rows[1][1] ** 2


def row_replaced_in_loop(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    for i in range(2):
        rows[i] = [rows[i][1] * x[1], rows[i][0]]
    return rows[0][0] * rows[1][0] + rows[1][1] ** 2


def array_of_rows_numbers(x):
    m = np.array([[x[0], x[1]], [x[2], x[0] * x[1]]])
    rows = [[x[0], x[1]], [x[2], x[0] * x[1]]]
    return np.sum(m @ np.array(rows)) + np.sum(np.array(rows) ** 2)


def array_of_number_rows(x):
    rows = [[x[0], x[1]], [x[2], x[0] * x[1]]]
    return np.sum(np.array(rows) ** 2)


def nested_arrays_a(x):
    rows = [[x, 2.0 * x], [x * x, np.cos(x)]]
    return np.sum(np.array(rows) ** 2)


def nested_arrays_b(x):
    rows = [[x, 2.0 * x], [x * x, np.cos(x)]]
    return np.sum(np.stack(rows[1]) * np.array(rows[0]))


def list_argument_rows(rows, x):
    return rows[0][0] * x[0] + np.sum(rows[1][1] * x)
