"""Programs for tests/test_composition_attack2.py: each composed derivative
(second and third order) of these is checked against differences of the
generated first derivative.  Points are chosen away from every branch switch."""

import math

import numpy as np

# ---------------------------------------------------------------- scalars, loops


def loop_carries_array_and_scalar(x: np.ndarray, a):
    y = x.copy()
    s = 0.0
    for i in range(4):
        y = y * a + np.sin(y)
        s = s + np.sum(y) * a + i
    return s + np.sum(y**2)


def while_break_continue(x, y):
    i = 0
    s = 0.0
    while i < 10:
        i += 1
        if i % 3 == 0:
            continue
        s = s + x * y * i
        if s > 5.0:
            break
        s = s * x
    return s * x + y


def return_at_inner_depth(x, y):
    for i in range(4):
        for j in range(3):
            if x * i + j * y > 3.0:
                return x * y * i * j + math.sin(x)
        x = x * 0.9 + 0.1 * y
    return x * y


def statement_after_inner_loop(x, y):
    s = 0.0
    for i in range(3):
        t = x
        for j in range(2):
            t = t * y + j
        s = s + t * t
        s = s * x
    return s


def break_in_inner_continue_in_outer(x, y):
    s = 0.0
    for i in range(4):
        if i == 1:
            continue
        for j in range(5):
            s = s + x * j + y * y
            if s > 2.0 + i:
                break
        s = s * 0.5 * x
    return s


def while_return_in_branch(x, y):
    k = 0
    while k < 8:
        x = x * y + 0.1
        if x > 4.0:
            return x * x
        k += 1
    return x + y


def nested_while(x, y):
    i = 0
    s = x
    while i < 3:
        j = 0
        while j < 2 and s < 50.0:
            s = s * y + x
            j += 1
        s = s - 0.5 * x
        i += 1
    return s * s


def continue_at_depth_two(x, y):
    s = 0.0
    for i in range(3):
        for j in range(3):
            if j == i:
                continue
            s = s + x**j * y**i
        s = s + math.cos(s)
    return s


def loop_reads_value_after_break(x, y):
    t = x
    for i in range(6):
        t = t * y + 0.3
        if t > 2.0:
            break
    u = t * x
    for j in range(2):
        u = u * t
    return u


# ---------------------------------------------------------------- helpers


def _h_inner(a, b):
    return a * b + math.sin(a)


def _h_outer(a, b):
    return _h_inner(a, b) * _h_inner(b, a)


def helper_calls_helper(x, y):
    return _h_outer(x, y) + _h_inner(x, 2.0)


def _step(y, a):
    return y * a + np.tanh(y)


def helper_in_loop_on_array(x: np.ndarray, a):
    y = x
    for _ in range(3):
        y = _step(y, a)
    return np.sum(y * y)


def _rotate(x, y):
    return x * math.cos(y), x * math.sin(y)


def helper_returns_tuple_twice(x, y):
    a, b = _rotate(x, y)
    c, d = _rotate(a + b, a * b)
    return c * d + a


def _pw(x, n: int):
    if n == 0:
        return 1.0
    return x * _pw(x, n - 1)


def recursion_by_int(x, y):
    return _pw(x, 3) * y + _pw(y, 2) * x


def _halve(x):
    if x < 0.5:
        return x * x
    return _halve(x * 0.5) + x


def recursion_by_value(x):
    return _halve(x) * math.exp(0.1 * x)


def _helper_loop(x, n: int):
    s = x
    for i in range(n):
        s = s * x + 0.5
    return s


def helper_with_loop_in_loop(x, y):
    s = 0.0
    for i in range(3):
        s = s + _helper_loop(x * y, 2) + _helper_loop(s * 0.1, 1)
    return s


def _returns_early(x):
    for i in range(5):
        if x > 2.0:
            return x * i
        x = x * 1.5
    return -x


def helper_returning_from_loop(x, y):
    return _returns_early(x) * y + _returns_early(y)


def _array_pair(x, w):
    return x * w, np.sum(x * x)


def helper_tuple_of_array_and_number(x: np.ndarray, w: np.ndarray):
    a, b = _array_pair(x, w)
    c, d = _array_pair(a, x)
    return np.sum(c) * b + d


# ---------------------------------------------------------------- in place, aliases


def index_writes_then_reads(x: np.ndarray, a):
    y = np.zeros(3)
    y[0] = x[0] * a
    for i in range(1, 3):
        y[i] = y[i - 1] * x[i] + a
    return np.sum(y * x) + y[2] * y[1]


def augmented_array_in_loop(x: np.ndarray, a):
    y = x.copy()
    for i in range(3):
        y += a * np.sin(y)
        y *= 1.1
    return np.sum(y**2)


def slice_writes(x: np.ndarray, a):
    y = x.copy()
    y[1:] = y[1:] * y[:-1]
    y[:2] += a
    y[::2] *= y[::2]
    return np.sum(y * y)


def alias_then_write(x: np.ndarray, a):
    y = x * 1.0
    z = y
    z[0] = a * x[1]
    return np.sum(y * x) + z[0] * a


def alias_write_in_loop_reads_both(x: np.ndarray, a):
    y = x * 1.0
    z = y
    for i in range(3):
        z[i] = z[i] * a + y[(i + 1) % 3]
    return np.sum(y * y) + np.sum(z)


def element_writes_in_nested_loops(X: np.ndarray):
    Y = np.zeros((2, 3))
    for i in range(2):
        for j in range(3):
            Y[i, j] = X[i, j] * X[1 - i, (j + 1) % 3]
        Y[i] += X[i] ** 2
    return np.sum(Y * X)


def scalar_accumulator_into_array(x: np.ndarray, a):
    total = [0.0]
    for i in range(3):
        total[0] += x[i] * a * x[i]
    return total[0] * total[0]


def row_write_with_branch(X: np.ndarray, a):
    Y = X.copy()
    for i in range(2):
        if i == 0:
            Y[i] = Y[i] * a
        else:
            Y[i] = Y[i] + Y[i - 1] * Y[i]
    return np.sum(Y**3)


# ---------------------------------------------------------------- containers


def tuples_and_lists(x, y):
    t = (x * y, x + y, math.sin(x))
    u = [t[0], t[2], y]
    v = u[1] * t[1]
    return u[0] * v + t[-1] * u[-1]


def tuple_unpacked_in_loop(x, y):
    p = (x, y)
    for i in range(3):
        a, b = p
        p = (a * b + 0.1, a - b * 0.5)
    return p[0] * p[1]


def list_appended(x, y):
    v = []
    v.append(x * y)
    v.append(math.exp(x))
    v.append(v[0] * v[1])
    return sum(v) * v[2]


# ---------------------------------------------------------------- NumPy


def broadcasting_rows_and_columns(X: np.ndarray, b: np.ndarray):
    Z = (X + b) ** 2 * b
    return np.sum(Z) + np.sum(X * b[None, :], axis=0) @ b + np.sum(X[:, :, None] * b)


def where_maximum_abs(x: np.ndarray, a):
    return np.sum(np.where(x > 0, x**2, np.sin(x)) * np.maximum(x, a) + np.abs(x) ** 3)


def reductions_with_axis(X: np.ndarray):
    return np.sum(np.max(X, axis=0) * np.mean(X**2, axis=1)[0]) + np.sum(
        np.prod(X, axis=1) ** 2
    )


def matmul_dot_einsum(x: np.ndarray, A: np.ndarray):
    return (
        x @ A @ x
        + np.dot(A @ x, x) ** 2
        + np.einsum("ij,j->i", A, x) @ np.sin(x)
        + np.einsum("ij,ij->", A, A) * x[0]
    )


def solve_norm(A: np.ndarray, b: np.ndarray):
    s = np.linalg.solve(A, b)
    return np.sum(s**2) + np.linalg.norm(A @ b) + np.linalg.norm(A)


def prod_cumsum(x: np.ndarray):
    return np.prod(x) + np.sum(np.cumsum(x) ** 2) + np.sum(np.cumprod(x))


def det_inv_slogdet(A: np.ndarray):
    sign, logdet = np.linalg.slogdet(A)
    return np.linalg.det(A) + np.sum(np.linalg.inv(A)) + logdet


def var_std_mean(x: np.ndarray):
    return np.var(x) * np.std(x) + np.mean(x**3)


def stacking_and_reshape(x: np.ndarray, y: np.ndarray):
    M = np.stack([x, y * x, np.sin(y)])
    R = M.reshape(3, 3).T
    return np.sum(R @ R) + np.sum(np.concatenate([x, y]) ** 3)


def array_built_from_scalars(x, y):
    v = np.array([x, y, x * y])
    return v @ v * x + np.sum(np.exp(v))


def softmax_loss(z: np.ndarray, w: np.ndarray):
    e = np.exp(z - np.max(z))
    p = e / np.sum(e)
    return -np.sum(w * np.log(p))


def logsumexp_rows(X: np.ndarray):
    m = np.max(X, axis=1, keepdims=True)
    return np.sum(m[:, 0] + np.log(np.sum(np.exp(X - m), axis=1)))


def fancy_index_read(x: np.ndarray):
    idx = np.array([0, 2, 2, 1])
    return np.sum(x[idx] ** 3) + np.sum(x[x > 0.0] ** 2)


def loop_over_rows(X: np.ndarray, w: np.ndarray):
    s = 0.0
    for row in X:
        s = s + np.tanh(row @ w) ** 2
    return s


def enumerate_zip(x: np.ndarray, y: np.ndarray):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, y)):
        s = s + a * b * (i + 1) + a**3
    return s


# ---------------------------------------------------------------- ints, constants, unused


def int_parameter(x, n: int):
    s = 0.0
    for i in range(n):
        s = s + x**i / (i + 1)
    return s


def unannotated_int(x, n):
    return x**n + n * x


def linear(x, y):
    return 3.0 * x - 2.0 * y + 1.0


def quadratic(x, y):
    return x * x + 3.0 * x * y - y * y


def constant(x):
    return 5.0


def floor_only(x):
    return math.floor(x) * 2.0


def unused_parameter(x, y, z):
    return x * x * y


def linear_arrays(x: np.ndarray, w: np.ndarray):
    return np.sum(x * 2.0) + np.sum(w) * 3.0


def quadratic_form(x: np.ndarray, A: np.ndarray):
    return x @ A @ x


def power_mix(x, y):
    return x**3 * y**2 + y**0.5 + x**y


def int_mixed_float_loop(x, y, k: int):
    s = y
    for i in range(k):
        if i % 2 == 0:
            s = s * x + i
        else:
            s = s - x * y
    return s * s


def polynomial4(x):
    return x**4 + math.cos(x) * x


def loop_one_float(x):
    s = x
    for i in range(3):
        s = s * math.sin(s) + x
        if s > 10.0:
            break
    return s


X3 = np.array([0.3, -0.7, 1.2])
W3 = np.array([0.5, 1.5, -1.0])
M23 = np.array([[0.3, -0.4, 0.9], [1.1, 0.2, -0.6]])
A33 = np.array([[2.0, 0.3, -0.1], [0.2, 1.5, 0.4], [-0.3, 0.1, 1.8]])
POS3 = np.array([0.6, 1.3, 0.8])

CASES = [
    (loop_carries_array_and_scalar, (X3 * 0.5, 0.8)),
    (while_break_continue, (0.9, 1.1)),
    (return_at_inner_depth, (0.7, 0.45)),
    (statement_after_inner_loop, (0.7, 0.6)),
    (break_in_inner_continue_in_outer, (0.35, 0.55)),
    (while_return_in_branch, (0.9, 1.7)),
    (nested_while, (0.6, 1.3)),
    (continue_at_depth_two, (0.7, 0.4)),
    (loop_reads_value_after_break, (0.8, 1.3)),
    (helper_calls_helper, (0.7, 0.4)),
    (helper_in_loop_on_array, (X3, 0.7)),
    (helper_returns_tuple_twice, (0.7, 0.4)),
    (recursion_by_int, (0.7, 1.3)),
    (recursion_by_value, (1.7,)),
    (helper_with_loop_in_loop, (0.6, 0.9)),
    (helper_returning_from_loop, (0.7, 1.3)),
    (helper_tuple_of_array_and_number, (X3, W3)),
    (index_writes_then_reads, (X3, 0.6)),
    (augmented_array_in_loop, (X3, 0.6)),
    (slice_writes, (X3, 0.6)),
    (alias_then_write, (X3, 0.6)),
    (alias_write_in_loop_reads_both, (X3, 0.6)),
    (element_writes_in_nested_loops, (M23,)),
    (scalar_accumulator_into_array, (X3, 0.6)),
    (row_write_with_branch, (M23, 0.6)),
    (tuples_and_lists, (0.7, 0.4)),
    (tuple_unpacked_in_loop, (0.7, 0.4)),
    (list_appended, (0.7, 0.4)),
    (broadcasting_rows_and_columns, (M23, W3)),
    (where_maximum_abs, (X3, 0.1)),
    (reductions_with_axis, (M23,)),
    (matmul_dot_einsum, (X3, A33)),
    (solve_norm, (A33, X3)),
    (prod_cumsum, (X3,)),
    (det_inv_slogdet, (A33,)),
    (var_std_mean, (X3,)),
    (stacking_and_reshape, (X3, W3)),
    (array_built_from_scalars, (0.7, 0.4)),
    (softmax_loss, (X3, POS3)),
    (logsumexp_rows, (M23,)),
    (fancy_index_read, (X3,)),
    (loop_over_rows, (M23, W3)),
    (enumerate_zip, (X3, W3)),
    (int_parameter, (0.7, 4)),
    (unannotated_int, (0.7, 3)),
    (linear, (0.7, 0.4)),
    (quadratic, (0.7, 0.4)),
    (constant, (0.7,)),
    (floor_only, (0.7,)),
    (unused_parameter, (0.7, 0.4, 1.1)),
    (linear_arrays, (X3, W3)),
    (quadratic_form, (X3, A33)),
    (power_mix, (0.7, 1.3)),
    (int_mixed_float_loop, (0.7, 0.4, 5)),
    (polynomial4, (0.7,)),
    (loop_one_float, (0.7,)),
]


# ---------------------------------------------------------------- second batch


def stack_with_constant(x: np.ndarray):
    M = np.stack([x, np.ones(3)])
    return np.sum(M**3)


def concatenate_with_constant(x: np.ndarray):
    return np.sum(np.concatenate([x, np.ones(2)]) ** 3)


def vstack_with_constant(x: np.ndarray):
    return np.sum(np.vstack([x, np.ones(3)]) ** 3)


def hstack_with_constant(x: np.ndarray):
    return np.sum(np.hstack([x, np.ones(2)]) ** 3)


def stack_product_of_parameters(x: np.ndarray, y: np.ndarray):
    M = np.stack([x * y, y])
    return np.sum(M * M)


def unused_array_parameter(x: np.ndarray, w: np.ndarray):
    return np.sum(x**3)


def integer_index_array(x: np.ndarray, idx: np.ndarray):
    return np.sum(x[idx] ** 3) + x[idx[0]] * x[idx[1]]


def float32_arrays(x: np.ndarray, w: np.ndarray):
    return np.sum(np.tanh(x * w) ** 2)


def default_parameter(x, a=2.0):
    return x**3 * a + math.exp(a * x)


def while_on_norm(x: np.ndarray):
    y = x.copy()
    k = 0
    while np.linalg.norm(y) < 5.0 and k < 10:
        y = y * 1.5 + np.cos(y) * 0.1
        k += 1
        if k > 6:
            break
    return np.sum(y**2) * np.sum(x)


def clip_where_two_branches(x: np.ndarray, w: np.ndarray):
    z = np.where(x * w > 0.0, x * w, np.exp(x * w) - 1.0)
    return np.sum(np.clip(z, -0.9, 5.0) ** 2 * np.maximum(x, w))


def einsum_three_tensordot(A: np.ndarray, x: np.ndarray):
    return np.einsum("ij,j,i->", A, x, x) ** 2 + np.sum(
        np.tensordot(A, A, axes=1) * np.outer(x, x)
    )


def trace_diag_triu(A: np.ndarray):
    return np.trace(A @ A) + np.sum(np.diag(A) ** 3) + np.sum(np.triu(A) ** 2)


def norm_variants(A: np.ndarray, x: np.ndarray):
    return (
        np.linalg.norm(x, 3) ** 2
        + np.linalg.norm(A, "fro") ** 3
        + np.sum(np.linalg.norm(A, axis=1) ** 3)
    )


def index_by_int_parameter(x: np.ndarray, n: int):
    s = 0.0
    for i in range(n):
        s = s + x[i] * x[(i + 1) % n] ** 2
    return s * x[n - 1]


def arange_of_int(x: np.ndarray, n: int):
    k = np.arange(n) * 1.0
    return np.sum(x[:n] ** 2 * k) + np.sum(np.sin(x * n))


def helper_pair_in_taped_loop(x, y):
    a, b = x, y
    for i in range(4):
        a, b = _rotate(a * 0.9 + 0.1, b + a * 0.2)
        if a > 3.0:
            break
    return a * b + a * a


def _scale_row(r, w):
    return np.tanh(r * w), np.sum(r * r)


def helper_tuple_in_row_loop(X: np.ndarray, w: np.ndarray):
    s = 0.0
    for row in X:
        t, q = _scale_row(row, w)
        s = s + np.sum(t) * q
    return s


def alias_augmented_array(x: np.ndarray, a):
    y = x * 1.0
    z = y
    z += a * y
    z[1] = z[0] * a
    return np.sum(y * z) + y[1]


def full_slice_write(x: np.ndarray, a):
    y = np.zeros(3)
    y[:] = x * a
    y[0] = y[0] * y[2]
    return np.sum(y**2)


def write_reads_before_and_after(x: np.ndarray):
    y = x * 2.0
    before = y[0] * y[1]
    y[0] = y[1] * y[2]
    after = y[0] * y[1]
    return before * after + np.sum(y)


def list_of_arrays_indexed(x: np.ndarray, y: np.ndarray):
    items = [x * y, np.sin(x), y]
    total = items[0] * items[1]
    return np.sum(total + items[2] ** 2) + np.sum(items[-1])


def tuple_of_array_and_number_loop(x: np.ndarray, a):
    state = (x, a)
    for _ in range(3):
        v, c = state
        state = (v * c + np.sin(v), c * 0.9 + np.sum(v) * 0.1)
    return np.sum(state[0]) * state[1]


def zero_d_array_values(x: np.ndarray, a):
    s = np.sum(x)
    t = s * a
    u = np.mean(x * t)
    return u * s + t**2


def one_element_output(x: np.ndarray):
    return (x[:1] ** 3 * x[1]).sum() + np.sum(x[1:2] * x[2])


def cumprod_at_zero(x: np.ndarray):
    return np.sum(np.cumprod(x) * np.array([1.0, 2.0, 3.0])) + np.prod(x) ** 2


def gradient_exactly_linear(x: np.ndarray, A: np.ndarray):
    return np.sum(A @ x) + 0.5 * x @ x


def sum_generator(x, y):
    return sum(v * v * x for v in (x, y, x * y))


def integer_division_modulo(x, y):
    k = int(x * 10.0) // 3
    return x * y * k + (x % 1.0) * y


def ternaries_in_loop(x, y):
    s = 0.0
    for i in range(4):
        s = s + (x * i if i % 2 == 0 else y * y)
        s = s * 0.5 if s > 1.0 else s * x
    return s


def chained_comparison(x, y):
    if 0.1 < x < 1.0:
        return x * y**3
    return x + y


def min_max_abs_scalars(x, y):
    return max(x, y) ** 3 + min(x * y, 0.5) ** 2 + abs(x - y) ** 3


def math_mix(x, y):
    return math.atan2(x, y) * math.hypot(x, y) + math.log1p(x * y) * math.sinh(y)


def power_of_parameter(x, y):
    return y**x + x ** (y * 2.0) + 2.0**x


def loop_bound_computed(x, n: int):
    m = n * 2 - 1
    s = x
    for i in range(1, m, 2):
        s = s * x + i
    return s


MAT3 = np.array([[0.9, -0.4, 0.3], [0.2, 1.1, -0.6], [0.5, 0.1, 0.8]])

CASES_2 = [
    (stack_with_constant, (X3,)),
    (concatenate_with_constant, (X3,)),
    (vstack_with_constant, (X3,)),
    (hstack_with_constant, (X3,)),
    (stack_product_of_parameters, (X3, W3)),
    (unused_array_parameter, (X3, W3)),
    (integer_index_array, (X3, np.array([2, 0, 2]))),
    (float32_arrays, (X3.astype(np.float32), W3.astype(np.float32))),
    (default_parameter, (0.7,)),
    (while_on_norm, (X3,)),
    (clip_where_two_branches, (X3, W3)),
    (einsum_three_tensordot, (MAT3, X3)),
    (trace_diag_triu, (MAT3,)),
    (norm_variants, (MAT3, X3)),
    (index_by_int_parameter, (X3, 3)),
    (arange_of_int, (X3, 2)),
    (helper_pair_in_taped_loop, (0.7, 0.4)),
    (helper_tuple_in_row_loop, (M23, W3)),
    (alias_augmented_array, (X3, 0.6)),
    (full_slice_write, (X3, 0.6)),
    (write_reads_before_and_after, (X3,)),
    (list_of_arrays_indexed, (X3, W3)),
    (tuple_of_array_and_number_loop, (X3 * 0.5, 0.8)),
    (zero_d_array_values, (X3, 0.6)),
    (one_element_output, (X3,)),
    (cumprod_at_zero, (np.array([0.7, 0.0, 1.3]),)),
    (gradient_exactly_linear, (X3, MAT3)),
    (sum_generator, (0.7, 0.4)),
    (integer_division_modulo, (0.77, 0.4)),
    (ternaries_in_loop, (0.7, 0.4)),
    (chained_comparison, (0.7, 0.4)),
    (min_max_abs_scalars, (0.7, 0.4)),
    (math_mix, (0.7, 0.4)),
    (power_of_parameter, (0.7, 1.4)),
    (loop_bound_computed, (0.7, 3)),
]


# ---------------------------------------------------------------- third batch


def list_read_twice_plus_linear(x, y):
    items = [x, y]
    return items[0] ** 3 + items[1]


def list_of_arrays_constant_gradient(x: np.ndarray, y: np.ndarray):
    items = [np.sin(x), y]
    return np.sum(items[0] ** 3) + np.sum(items[1])


def literal_loop_over_arrays(x: np.ndarray, y: np.ndarray):
    s = 0.0
    for v in (x, y, x * y):
        s = s + np.sum(v**3) * s + np.sum(v)
    return s


def zip_rows(X: np.ndarray, Y: np.ndarray):
    s = 0.0
    for a, b in zip(X, Y):
        s = s + np.sum(np.sin(a * b)) ** 2
    return s


def _unused_second(x):
    return x * x, np.cos(x)


def helper_tuple_second_unused(x: np.ndarray, y):
    a, b = _unused_second(x)
    c, d = _unused_second(y)
    return np.sum(a**2) * c


def _local_copy_write(v):
    w = v.copy()
    w[0] = w[0] * w[1]
    return np.sum(w**2)


def helper_writes_local_copy(x: np.ndarray):
    s = 0.0
    for i in range(2):
        s = s + _local_copy_write(x * (i + 1.0))
    return s


def window_writes_in_loop(x: np.ndarray, a):
    y = np.zeros(4)
    for i in range(3):
        y[i : i + 2] += x[i] * a * y[i] + x[i]
    return np.sum(y**2)


def mask_write(x: np.ndarray):
    y = x * 2.0
    y[y < 0.0] = 0.5
    return np.sum(y**3)


def matrix_quadratic(X: np.ndarray, A: np.ndarray):
    return np.sum((X.T @ A @ X) ** 2)


def solve_matrix_rhs(A: np.ndarray, B: np.ndarray):
    return np.sum(np.linalg.solve(A, B) ** 2) + np.sum(np.linalg.inv(A) @ B)


def det_in_loop(A: np.ndarray):
    M = A
    s = 0.0
    for _ in range(2):
        M = M @ A * 0.5
        s = s + np.linalg.det(M)
    return s


def vector_norm_only(x: np.ndarray):
    return np.linalg.norm(x) ** 3 + np.linalg.norm(x * x)


def frobenius_norm(A: np.ndarray):
    return np.linalg.norm(A) ** 2


def recursion_on_arrays(x: np.ndarray, n: int):
    if n == 0:
        return np.sum(x**2)
    return recursion_on_arrays(np.sin(x) * 1.5, n - 1) + np.sum(x)


def recursion_uses(x: np.ndarray):
    return recursion_on_arrays(x, 3)


def _mutual_a(x, n: int):
    if n <= 0:
        return x
    return _mutual_b(x * 1.1, n - 1) + x * x


def _mutual_b(x, n: int):
    return _mutual_a(math.sin(x), n - 1) * x


def mutual_recursion(x, y):
    return _mutual_a(x * y, 4)


def while_continue_break_return(x, y):
    k = 0
    s = 0.0
    while k < 12:
        k += 1
        if k % 2 == 0:
            continue
        s = s + x * k * y
        if s > 8.0:
            return s * y
        if s < -5.0:
            break
    return s * x


def helper_called_in_while(x, y):
    s = x
    k = 0
    while s < 4.0 and k < 6:
        s = _h_inner(s, y) + 0.5
        k += 1
    return s * y


def array_grad_depends_on_other(x: np.ndarray, w: np.ndarray, c):
    return np.sum(np.exp(x * w) * c) + c * c * np.sum(w)


def maximum_of_two_arrays(x: np.ndarray, w: np.ndarray):
    return np.sum(np.maximum(x, w) ** 3 + np.minimum(x * w, 0.2) ** 2)


def abs_sign_away_from_zero(x: np.ndarray):
    return np.sum(np.abs(x) ** 3 * np.sign(x) + np.abs(x * x - 0.1))


def std_var_axis(X: np.ndarray):
    return np.sum(np.std(X, axis=0) ** 2) + np.sum(np.var(X, axis=1))


def cumsum_axis(X: np.ndarray):
    return np.sum(np.cumsum(X, axis=1) ** 3) + np.sum(np.cumprod(X, axis=0))


def int_exponents(x, n: int):
    return x**n + x ** (n - 1) * n + 1.0 / x**n


def float_and_int_unannotated(x, k):
    s = 0.0
    for i in range(k):
        s = s + x ** (i + 1) * k
    return s


def repeated_reads_in_place(x: np.ndarray):
    y = x.copy()
    for i in range(3):
        y[i] = y[i] * y[(i + 1) % 3] + y[(i + 2) % 3]
    return np.sum(y * y)


def rebinding_alias_in_loop(x: np.ndarray):
    y = x * 1.0
    for i in range(3):
        z = y
        z[i] = z[i] ** 2
        y = z * 1.5
    return np.sum(y)


Y23 = np.array([[0.5, 0.1, -0.3], [0.2, -0.8, 0.4]])

CASES_3 = [
    (list_read_twice_plus_linear, (0.7, 0.4)),
    (list_of_arrays_constant_gradient, (X3, W3)),
    (literal_loop_over_arrays, (X3 * 0.5, W3 * 0.5)),
    (zip_rows, (M23, Y23)),
    (helper_tuple_second_unused, (X3, 0.7)),
    (helper_writes_local_copy, (X3,)),
    (window_writes_in_loop, (X3, 0.6)),
    (mask_write, (X3,)),
    (matrix_quadratic, (M23.T.copy(), A33[:3, :3])),
    (solve_matrix_rhs, (A33, M23.T.copy())),
    (det_in_loop, (A33,)),
    (vector_norm_only, (X3,)),
    (frobenius_norm, (A33,)),
    (recursion_uses, (X3,)),
    (mutual_recursion, (0.7, 1.2)),
    (while_continue_break_return, (0.7, 0.4)),
    (helper_called_in_while, (0.6, 1.1)),
    (array_grad_depends_on_other, (X3, W3, 0.7)),
    (maximum_of_two_arrays, (X3, W3)),
    (abs_sign_away_from_zero, (X3,)),
    (std_var_axis, (M23,)),
    (cumsum_axis, (M23,)),
    (int_exponents, (0.7, 3)),
    (float_and_int_unannotated, (0.7, 3)),
    (repeated_reads_in_place, (X3,)),
    (rebinding_alias_in_loop, (X3,)),
]
