"""Programs of tests/test_attack10.py (s2sad reads their source)."""

import numpy as np

import s2sad


def nested2(x):
    rows = [[x[0], x[1]], [x[2] * x[0], x[1]]]
    return rows[0][0] * rows[1][0] + np.sin(rows[1][1]) * rows[0][1]


def nested3(x):
    t = [[[x[0], x[1]], [x[2]]], [[x[0] * x[1]]]]
    return t[0][0][1] * t[1][0][0] + t[0][1][0] ** 2


def tuple_of_lists(x):
    pair = ([x[0], x[1]], [x[2], x[0] * 2.0])
    a, b = pair
    return a[0] * b[1] + a[1] * b[0]


def arrays_beside_numbers(x):
    items = [[x * 2.0, np.sin(x)], [x[0], x[1]]]
    arrays, numbers = items[0], items[1]
    return np.sum(arrays[0] * arrays[1]) + numbers[0] * numbers[1]


def int_index(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    s = 0.0
    for i in range(2):
        s = s + rows[i][0] * rows[i][1]
    return s


def int_index_var(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    k = 1
    r = rows[k]
    return r[0] * r[1]


def concat_items(x):
    parts = [[x[:2], x[1:] * 2.0], [np.sin(x)]]
    return np.sum(np.concatenate(parts[0]) ** 2) + np.sum(parts[1][0] * x)


def stack_items(x):
    parts = [[x, x * x], [np.cos(x), x]]
    return np.sum(np.stack(parts[0]) * np.stack(parts[1]))


def hstack_vstack(x):
    parts = [[x, x * 2.0], [x**2, x]]
    return np.sum(np.hstack(parts[0])) * np.sum(np.vstack(parts[1]) ** 2)


def array_of_items(x):
    rows = [[x[0], x[1]], [x[2], x[0] * x[1]]]
    m = np.array(rows[1])
    return np.sum(m * np.array(rows[0]))


def _first_of_rows(rows):
    return rows[0][0] * rows[1][1]


def helper_rows(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    return _first_of_rows(rows) + x[1]


def branch_rows(x):
    if x[0] > 0:
        rows = [[x[0], x[1]], [x[2], x[0]]]
    else:
        rows = [[x[1], x[0]], [x[0], x[2]]]
    return rows[0][1] * rows[1][0]


def loop_rows(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    s = 0.0
    for _ in range(3):
        s = s + rows[0][0] * rows[1][1] + s * rows[0][1]
    return s


def vec_nested(x):
    rows = [[x * 2.0, x[0] * x], [np.sin(x)]]
    return rows[0][1] * rows[1][0] + rows[0][0]


def array_of_item(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    return np.sum(np.array(rows[1]) * 2.0)


def rows_by_counter(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    s = 0.0
    for i in range(2):
        s = s + rows[i][0] * rows[i][1]
    return s


def matvec_of_x(x):
    A = np.outer(x, x) - 1.0
    return A @ x


def vec_mat(x):
    A = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0], [0.0, 0.0, 4.0]])
    return x @ A


def mat_vec(x):
    A = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0], [0.0, 0.0, 4.0]])
    return A @ x


def dot_vec(x):
    A = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0], [0.0, 0.0, 4.0]])
    return np.dot(A, x) + np.dot(x, A)


def weight_zero_first(x):
    A = np.diag(x) * x[0]
    return A @ np.array([1.0, 2.0, 3.0]) + x * 0.5


def batched_matmul(x):
    A = np.stack(
        [np.eye(3), np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])]
    )
    return np.ravel(A @ x.reshape(3, 1))


def batched_sets(x):
    X = x.reshape(2, 3, 1)
    A = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    return np.ravel(A @ X)


def matrix_of_x(x):
    M = x[:4].reshape(2, 2)
    v = np.array([0.0, 1.0])
    return M @ v + v @ M


def mat_mat_const(x):
    X = x.reshape(2, 3)
    B = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 2.0]])
    return np.ravel(X @ B) + np.ravel(B.T @ X.T)


def quad_form(x):
    A = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.5], [0.0, 0.5, 3.0]])
    return x @ A @ x + np.sum(np.sin(x))


def quad_form_of_x(x):
    A = np.diag(x)
    return x @ A @ x


def switched_matrix(x):
    A = np.diag((x > 0.5).astype(float))
    return A @ x + x[::-1] @ A


def switched_quad(x):
    A = np.diag((x > 0.5).astype(float))
    A[0, 2] = float(x[1] > 0.5)
    return x @ A @ x


def pair_loop_s1(u, v, steps: int, limit: float):
    k = 0
    state = (u, v)
    while s2sad.checkpointed(k < steps and np.sum(state[0]) < limit, snapshots=1):
        a, b = state
        state = (a + 0.1 * np.sin(b) * k, b * 0.9 + 0.05 * a * a)
        k = k + 1
    return np.sum(state[0] * state[1]) + k


def pair_loop_s2(u, v, steps: int, limit: float):
    k = 0
    state = (u, v)
    while s2sad.checkpointed(k < steps and np.sum(state[0]) < limit, snapshots=2):
        a, b = state
        state = (a + 0.1 * np.sin(b) * k, b * 0.9 + 0.05 * a * a)
        k = k + 1
    return np.sum(state[0] * state[1]) + k


def pair_loop_s3(u, v, steps: int, limit: float):
    k = 0
    state = (u, v)
    while s2sad.checkpointed(k < steps and np.sum(state[0]) < limit, snapshots=3):
        a, b = state
        state = (a + 0.1 * np.sin(b) * k, b * 0.9 + 0.05 * a * a)
        k = k + 1
    return np.sum(state[0] * state[1]) + k


def pair_loop_s5(u, v, steps: int, limit: float):
    k = 0
    state = (u, v)
    while s2sad.checkpointed(k < steps and np.sum(state[0]) < limit, snapshots=5):
        a, b = state
        state = (a + 0.1 * np.sin(b) * k, b * 0.9 + 0.05 * a * a)
        k = k + 1
    return np.sum(state[0] * state[1]) + k


def pair_loop_plain(u, v, steps: int, limit: float):
    k = 0
    state = (u, v)
    while k < steps and np.sum(state[0]) < limit:
        a, b = state
        state = (a + 0.1 * np.sin(b) * k, b * 0.9 + 0.05 * a * a)
        k = k + 1
    return np.sum(state[0] * state[1]) + k


def arrow(x):
    return x * x[0] + np.roll(x, 1) * x[-1] + x[::-1] ** 2


def arrow_energy(x):
    return np.sum(x**2 * x[0]) + np.sum(x[1:] * x[:-1]) + x[2] * x[-1] ** 2


def written_items(x):
    rows = [[0.0, 0.0], [0.0, 0.0]]
    rows[0][0] = x[0] * x[1]
    rows[1][1] = np.sin(x[2])
    rows[1] = [rows[1][1], x[0]]
    return rows[0][0] * rows[1][0] + rows[1][1]


def appended_rows(x):
    rows = []
    for i in range(3):
        rows.append([x[i], x[i] * x[0]])
    return rows[0][1] * rows[2][0] + rows[1][1]


def stacked_rows_of_arrays(x):
    rows = [[x, 2.0 * x], [x * x, np.cos(x)]]
    return np.sum(np.array(rows) ** 2) + np.sum(
        np.concatenate([np.stack(r) for r in rows])
    )


def rows_of_arrays_loop(x):
    rows = [[x, 2.0 * x], [x * x, np.cos(x)]]
    s = 0.0
    for r in rows:
        s = s + np.sum(r[0] * r[1])
    return s


def tuple_rows_indexed(x):
    t = ((x[0], x[1]), (x[2], x[0] * x[2]))
    i = 1
    a = t[i][0] * t[0][i]
    return a + t[-1][-1]


def three_levels_arrays(x):
    deep = [[[x, x[::-1]], [np.sin(x)]], [[x * 3.0]]]
    return np.sum(deep[0][0][1] * deep[1][0][0]) + np.sum(deep[0][1][0] ** 2)


def vstack_of_items(x):
    rows = [[x[:2], x[1:]], [x[::2], x[:2] * x[1]]]
    return np.ravel(np.vstack(rows[0]) * np.vstack(rows[1]))


def array_of_nested_arrays(x):
    rows = [[x, 2.0 * x], [x * x, np.cos(x)]]
    return np.sum(np.array(rows) ** 2) + np.sum(np.stack(rows[1]) * np.array(rows[0]))


def rows_of_arrays_by_counter(x):
    rows = [[x, 2.0 * x], [x * x, np.cos(x)]]
    s = 0.0
    for i in range(2):
        r = rows[i]
        s = s + np.sum(r[0] * r[1])
    return s


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


def array_of_array_rows(x):
    rows = [[x, 2.0 * x]]
    return np.sum(np.array(rows) ** 2)


def nested_arrays_a(x):
    rows = [[x, 2.0 * x], [x * x, np.cos(x)]]
    return np.sum(np.array(rows) ** 2)


def nested_arrays_b(x):
    rows = [[x, 2.0 * x], [x * x, np.cos(x)]]
    return np.sum(np.stack(rows[1]) * np.array(rows[0]))


def sets_matrix_times_vector(x):
    X = x.reshape(2, 3)
    v = np.array([0.0, 1.0, 2.0])
    w = np.array([3.0, 0.0])
    return np.concatenate([X @ v, w @ X, np.dot(X, v), np.dot(w, X)])


def stacked_sets_times_matrix(x):
    X = x.reshape(2, 1, 3)
    B = np.stack([np.diag([1.0, 0.0, 2.0]), np.eye(3)[::-1]])
    return np.ravel(X @ B) + np.ravel(np.matmul(X, np.eye(3)))


def list_argument_rows(rows, x):
    return rows[0][0] * x[0] + np.sum(rows[1][1] * x)
