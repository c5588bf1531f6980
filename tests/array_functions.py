"""Array programs: NumPy losses, networks, loops and in-place updates, with points.

Each case is ``(function, arguments)``; float arrays and Python floats are
differentiated, ``int`` arguments are static.  Points stay away from the kinks
of ``max``, ``maximum``, ``where`` and of branch conditions.
"""

import numpy as np


def _rng(seed):
    return np.random.default_rng(seed)


def _normal(seed, *shape):
    return _rng(seed).normal(size=shape)


def _uniform(seed, low, high, *shape):
    return _rng(seed).uniform(low, high, size=shape)


# ---------------------------------------------------------------- helpers


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def affine(x, W, b):
    return x @ W + b


def normalize(v):
    return v / np.sqrt(np.sum(v * v))


def squared_distances(W):
    diff = W[:, None, :] - W[None, :, :]
    return np.sum(diff**2, axis=2)


# ---------------------------------------------------------------- programs


def mds_broadcast(W, D):
    """Multidimensional scaling stress with broadcasting."""
    diff = W[:, None, :] - W[None, :, :]
    sq = np.sum(diff**2, axis=2)
    return np.sum((sq - D) ** 2)


def mds_loops(W, D):
    """The same stress with explicit loops over pairs."""
    n = W.shape[0]
    total = 0.0
    for i in range(n):
        for j in range(n):
            d = W[i] - W[j]
            total = total + (np.sum(d * d) - D[i, j]) ** 2
    return total


def mds_helper(W, D):
    """The stress again, the distances computed by a helper."""
    return np.sum((squared_distances(W) - D) ** 2)


def feed_forward(x, W1, W2, W3, target):
    """v_k = sigma(v_{k-1} W_k) and a squared-error loss."""
    v1 = sigmoid(x @ W1)
    v2 = sigmoid(v1 @ W2)
    v3 = sigmoid(v2 @ W3)
    return np.sum((v3 - target) ** 2)


def mlp3(X, W1, b1, W2, b2, W3, b3, Y):
    """A 3-layer MLP on a batch, biases broadcast over its rows."""
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.maximum(h1 @ W2 + b2, 0.0)
    out = h2 @ W3 + b3
    return np.mean((out - Y) ** 2)


def mlp_helpers(X, W1, b1, W2, b2):
    """A 2-layer MLP written with helper functions."""
    h = sigmoid(affine(X, W1, b1))
    out = affine(h, W2, b2)
    return np.sum(out * out) / X.shape[0]


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy, logsumexp stabilised by subtracting the row maximum."""
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=1))
    return np.mean(lse - np.sum(z * labels, axis=1))


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def layer_loop(x, Ws, n_layers: int):
    """A loop over layers of a weight tensor."""
    h = x
    for k in range(n_layers):
        h = np.tanh(h @ Ws[k])
    return np.sum(h**2)


def fill_loop(x):
    """y = np.zeros(n); y[i] = ... in a loop."""
    n = len(x)
    y = np.zeros(n)
    for i in range(n):
        y[i] = x[i] ** 2 * np.sin(x[i])
    return np.sum(y * x)


def slice_add_loop(x):
    """y[a:b] += expr in a loop, overlapping windows."""
    y = np.zeros(len(x))
    for k in range(3):
        y[k : k + 3] += x[k : k + 3] * x[k]
    return np.sum(y**2)


def mask_zero(x):
    """y[mask] = 0.0 with a boolean mask."""
    y = x**2
    mask = x < 0.0
    y[mask] = 0.0
    return np.sum(y * x)


def recurrence(x, a):
    """y[i] = y[i-1] * a + x[i]."""
    n = len(x)
    y = np.zeros(n)
    y[0] = x[0]
    for i in range(1, n):
        y[i] = y[i - 1] * a + x[i]
    return np.sum(y**2)


def rows_in_place(X, w):
    """Whole rows and columns written in loops."""
    n, m = X.shape
    Y = np.zeros((n, m))
    for i in range(n):
        Y[i, :] = X[i] * w[i]
    for j in range(m):
        Y[:, j] = Y[:, j] + np.sin(X[:, j])
    return np.sum(Y**2)


def repeated_indices(x):
    """Integer-array indexing with a repeated index, the index an array."""
    idx = np.array([0, 2, 2])
    v = x[idx]
    return np.sum(v**2 * np.arange(1, 4)) + np.sum(x[np.array([1, 1, 3])] * v)


def repeated_list_indices(x):
    """Integer-array indexing with a repeated index, the index a list display."""
    v = x[[0, 2, 2]]
    return np.sum(v**2 * np.arange(1, 4))


def negative_indices(x):
    """Negative indices."""
    return x[-1] ** 3 + x[-2] * x[0] + np.sum(x[:-1] * x[1:]) + np.sum(x[-3:] ** 2)


def stepped_slices(x):
    """Slices with a step, negative and positive."""
    return np.sum(x[::-2] * x[1::2]) + np.sum(x[4:0:-1] ** 2)


def newaxis_ellipsis(X, v):
    """x[None, :] and x[..., 0]."""
    A = v[None, :] * X
    return np.sum(A[..., 0] ** 2) + np.sum(np.sin(X[..., 1]) * v[:, None][1])


def methods_and_reductions(X):
    """x.sum(axis=0), x.mean(), x.max(), x.T."""
    s = X.sum(axis=0)
    return np.sum(s**2) * X.mean() + X.max() + np.sum(X.T @ X) + X.min(axis=1).sum()


def reshape_dot(X, y):
    """x.reshape(2, -1) and x.dot(y)."""
    R = X.reshape(2, -1)
    return R.dot(y).sum() + np.sum(R.T.dot(R))


def copy_then_write(x):
    """x.copy() then a write into the copy: x is unchanged."""
    z = x.copy()
    z[0] = 3.0
    return np.sum(z * x) + z[1] * x[0]


def astype_float(x):
    """x.astype(float)."""
    w = x.astype(float)
    return np.sum(w * x) + np.sum(x.astype(np.float64) ** 3)


def shape_attributes(X):
    """x.shape, len(x), x.ndim, x.size."""
    n, m = X.shape
    return np.sum(X**2) / (n * m) + len(X) * X.ndim * np.sum(X) / X.size


def relu_where(x):
    """np.where and np.maximum."""
    leaky = np.where(x > 0.0, x, 0.1 * x)
    return np.sum(leaky**2) + np.sum(np.maximum(x, 0.0) * x)


def norms(X):
    """np.linalg.norm of a matrix, of a row, along an axis."""
    return (
        np.linalg.norm(X)
        + np.linalg.norm(X[0]) ** 2
        + np.sum(np.linalg.norm(X, axis=1))
    )


def linalg_solve_loss(A, b):
    x = np.linalg.solve(A, b)
    return np.sum(x**2)


def linalg_inv_loss(A):
    return np.sum(np.linalg.inv(A) ** 2) + np.trace(np.linalg.inv(A))


def linalg_det_loss(A, B):
    return np.log(np.linalg.det(A @ A.T)) + np.linalg.det(B) ** 2


def linalg_mixed(A, b):
    """solve, inv and det in one loss."""
    x = np.linalg.solve(A, b)
    Ai = np.linalg.inv(A)
    return x @ Ai @ b + np.linalg.det(A) * np.sum(x)


def einsum_loss(A, B, v):
    """One- and two-operand einsum without repeated letters in an operand."""
    C = np.einsum("ij,jk->ik", A, B)
    u = np.einsum("ij,j->i", C, v)
    return (
        np.einsum("ij->", C**2) + np.einsum("ij,ij->", A, A) + np.einsum("i,i->", u, v)
    )


def einsum_trace(A, B):
    """A trace as an einsum: a letter repeated in one operand."""
    return np.einsum("ii->", A @ B) + np.einsum("ii->i", A @ B) @ np.einsum("ij->i", A)


def einsum_three_operands(C, v):
    """A three-operand einsum: v^T C v."""
    return np.einsum("i,ij,j->", v, C, v)


def concat_stack(x, y):
    """np.concatenate and np.stack of active arrays."""
    c = np.concatenate([x, y**2])
    s = np.stack([x, y])
    t = np.stack([x, y], axis=1)
    return np.sum(c * c) + np.sum(s[0] * s[1]) + np.sum(t[:, 1] ** 3)


def array_of_scalars(a, b, x):
    """np.array([a, b]) of active scalars."""
    v = np.array([a, b, a * b])
    s = np.sum(x)
    w = np.array([s, s * s])
    return np.sum(v * x[:3]) + np.sum(w**2)


def keepdims_center(X):
    """x - x.mean(axis=1, keepdims=True)."""
    C = X - X.mean(axis=1, keepdims=True)
    S = C / np.sqrt(np.sum(C**2, axis=0, keepdims=True))
    return np.sum(C**3) + np.sum(S * X)


def learning_rate_step(w, g, lr):
    """A float parameter times an array."""
    w_new = w - lr * g
    return np.sum(w_new**2) + lr * np.sum(w) + lr**2 * np.sum(g)


def gradient_descent(w, A, lr, steps: int):
    """Steps of gradient descent on a quadratic, unrolled in a loop."""
    for k in range(steps):
        w = w - lr * (A @ w - 1.0)
    return np.sum(w**2)


def while_on_arrays(x):
    """A while loop whose condition reduces an array."""
    y = x
    k = 0
    while np.sum(y**2) > 0.1 and k < 50:
        y = y * 0.7 + 0.01 * np.sin(y)
        k = k + 1
    return np.sum(y) + k


def if_on_reduction(x):
    if np.sum(x) > 0:
        y = x**2
    else:
        y = -(x**3)
    return np.sum(y * x)


def helper_pipeline(x, W, b):
    """Helpers taking and returning arrays."""
    u = normalize(x)
    h = sigmoid(affine(u, W, b))
    return np.sum(normalize(h) * b)


def alias_write(x):
    """z = y; z[0] = 1.0 changes y too."""
    y = x * 2.0
    z = y
    z[0] = 1.0
    return np.sum(y * x) + z[1]


def alias_made_in_loop(x):
    """``z = y`` inside the loop body, then a write through ``z``."""
    y = x * 1.0
    for i in range(2):
        z = y
        z[i] = z[i] * x[i]
    return np.sum(y)


def array_to_number_free_helper(a: float, w):
    """A helper without NumPy called with an array: its parameter is an array there."""
    return np.sum(scale(a, w))


def scale(a, w):
    return a * w


def alias_write_in_loop(x):
    """Writes through an alias inside a loop."""
    y = np.zeros(len(x))
    z = y
    for i in range(len(x)):
        z[i] = x[i] * (i + 1.0)
    return np.sum(y * x)


def cumsum_std_var(x):
    return np.sum(np.cumsum(x) ** 2) + np.std(x) + np.var(x) * x[0]


def attention(Q, K, V):
    """A softmax over rows of Q K^T."""
    scores = Q @ K.T / np.sqrt(Q.shape[1])
    scores = scores - np.max(scores, axis=1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / np.sum(weights, axis=1, keepdims=True)
    return np.sum((weights @ V) ** 2)


def logistic_regression(w, X, y):
    z = X @ w
    return np.mean(np.log1p(np.exp(-y * z))) + 0.1 * np.sum(w**2)


def matrix_power_loop(A, n: int):
    P = A
    for k in range(n - 1):
        P = P @ A
    return np.trace(P)


def outer_and_sums(x, y):
    M = np.outer(x, y)
    return np.sum(M * M.T[: len(x), : len(y)]) + np.sum(np.sum(M, axis=1) ** 2)


def grid_writes(X):
    """Y[i, j] = ... in a double loop."""
    n = X.shape[0]
    Y = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            Y[i, j] = X[i, j] * X[j, i] + np.cos(X[i, j])
    return np.sum(Y * X)


def accumulate_rows(X):
    """acc += row and acc[i] += ... on a fresh array inside a loop."""
    acc = np.zeros(X.shape[1])
    counts = np.zeros(X.shape[0])
    for i in range(X.shape[0]):
        acc += X[i] ** 2
        counts[i] += np.sum(X[i]) * i
    return np.sum(acc * acc) + np.sum(counts**2)


def boolean_mask_read(x):
    """Reading through a boolean mask."""
    positive = x[x > 0.0]
    return np.sum(positive**2) + np.sum(np.where(x > 0.0, 0.0, x) ** 3)


def fancy_rows_and_column_slices(X):
    """X[idx, :], X[:, 1:3] and a write into a column block."""
    R = X[np.array([0, 2, 0]), :]
    Y = X * 1.0
    Y[:, 1:3] = X[:, 1:3] ** 2
    return np.sum(R * R) + np.sum(Y * X)


def negative_index_writes(x):
    """y[-1] = ..., y[-2] += ..."""
    y = x * 1.0
    y[-1] = y[0] * 2.0
    y[-2] += x[1] ** 2
    return np.sum(y * x)


def break_on_norm(x):
    """A loop over arrays left by break."""
    y = x
    for k in range(20):
        y = 0.8 * y + 0.05 * np.sin(y)
        if np.linalg.norm(y) < 0.5:
            break
    return np.sum(y**2)


def clip_abs_sign(x):
    return (
        np.sum(np.clip(x, -0.5, 0.5) * x)
        + np.sum(np.abs(x) ** 3)
        + np.sum(np.sign(x) * x)
    )


def write_through_view_read_view(x):
    """A write through a view, reading only the view: allowed."""
    y = x * 1.0
    z = y[1:]
    z[0] = 5.0
    return np.sum(z * x[1:])


def augmented_fresh_array(x):
    """s += 1.0 on an array no other name holds."""
    s = x * 1.0
    s += 1.0
    s *= x
    return np.sum(x * s)


def mean_and_std(x):
    """A helper returning two numbers."""
    return np.mean(x), np.std(x)


def elementwise_sigmoid(z):
    """A helper that fills a fresh array row by row."""
    out = np.zeros(z.shape)
    for i in range(z.shape[0]):
        out[i] = 1.0 / (1.0 + np.exp(-z[i]))
    return out


def tuple_helper(x):
    m, s = mean_and_std(x)
    return (m - 1.0) ** 2 + s * m


def helper_with_loop(x, W):
    h = x
    for k in range(2):
        h = elementwise_sigmoid(h @ W)
    return np.sum(h)


def axis_reductions(X):
    """Reductions over axis tuples and single axes; 2-d slices."""
    return (
        np.sum(X**2, axis=(0, 1))
        + np.sum(X.mean(axis=0) ** 2)
        + np.sum(X[1:, :-1] * X[:-1, 1:])
        + np.sum(np.max(X, axis=0))
        + np.sum(np.min(X, axis=1) ** 2)
        + np.sum(np.minimum(X, 0.1) * X)
    )


def products(A, v):
    return np.sum(np.dot(A, v)) + np.inner(v, v) + np.vdot(A, A) + np.prod(v)


def shape_functions(x):
    """tile, flip, roll, expand_dims, broadcast_to."""
    return (
        np.sum(np.tile(x, 2) * np.arange(2 * len(x)))
        + np.sum(np.flip(x) * x)
        + np.sum(np.roll(x, 1) * x)
        + np.sum(np.expand_dims(x, 0) * np.expand_dims(x, 1))
        + np.sum(np.broadcast_to(x, (2, len(x))) ** 2)
    )


def triangular(A):
    return (
        np.sum(np.diag(A) ** 2) + np.sum(np.triu(A) * A) + np.sum(np.tril(A, -1) ** 3)
    )


def while_writes(X):
    """Writes into rows inside a while loop."""
    Y = X * 1.0
    k = 0
    while k < 3:
        Y[k % 2] = Y[k % 2] * 0.5 + Y[2]
        k = k + 1
    return np.sum(Y**2)


def loop_same_index(x):
    """The same entry read and written on every iteration."""
    y = x * 1.0
    for k in range(3):
        y[0] = y[0] * y[1] + x[2]
    return np.sum(y)


def decaying_scalar_in_loop(x, a):
    """A float parameter updated in a loop over an array."""
    s = 0.0
    for i in range(len(x)):
        s = s + a * x[i] ** 2
        a = a * 0.9
    return s


def reassigned_parameter(x):
    x = x * 2.0
    x[0] = 1.0
    return np.sum(x**2)


def methods_on_call_results(x):
    """A method called on the result of a NumPy call."""
    return np.exp(x).mean() + np.sum(x * np.arange(6).reshape(2, 3))


def fresh_array_writes(x):
    """Writes into np.ones_like and np.full arrays outside any loop."""
    y = np.ones_like(x)
    y[1:] = x[:-1] * 2.0
    Z = np.full((2, 2), 0.5)
    Z[0] = x[:2]
    return np.sum(y * x) + np.sum(Z * Z)


# ---------------------------------------------------------------- cases

N_PTS, DIM = 4, 2
_W = _normal(1, N_PTS, DIM)
_D = np.abs(_normal(2, N_PTS, N_PTS))
_D = _D + _D.T

_SPD = _normal(3, 3, 3) + 3.0 * np.eye(3)

_LOGITS = _normal(4, 3, 4)
_LABELS = np.eye(4)[[0, 3, 1]]

_X = _normal(5, 3, 4)


def _network():
    return (
        _normal(6, 2, 3),
        _normal(7, 3, 4),
        _normal(8, 4, 3),
        _normal(9, 3, 2),
        _uniform(10, 0.0, 1.0, 2, 2),
    )


def _mlp():
    X = _normal(11, 4, 3)
    W1, b1 = _normal(12, 3, 5), _normal(13, 5)
    W2, b2 = _normal(14, 5, 4), _normal(15, 4)
    W3, b3 = _normal(16, 4, 2), _normal(17, 2)
    Y = _normal(18, 4, 2)
    return X, W1, b1, W2, b2, W3, b3, Y


def fill_matrix(x):
    """A write in a nested loop (each element of a matrix)."""
    n = len(x)
    M = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            M[i, j] = x[i] * x[j]
    return np.sum(M * M)


def write_in_branch_in_loop(x):
    y = np.zeros_like(x)
    for i in range(len(x)):
        if x[i] > 0:
            y[i] = x[i] ** 2
        else:
            y[i] = -x[i]
    return np.sum(y)


def row_loop(X, w):
    """A loop over the rows of a matrix, each row a view."""
    total = 0.0
    for row in X:
        total = total + np.sum(row * w) ** 2
    return total


def row_loop_carries_array(X):
    """Rows of a matrix summed into an array the loop carries."""
    s = np.zeros(X.shape[1])
    for r in X:
        s = s + np.tanh(r)
    return np.sum(s * s)


def row_loop_rebinds_matrix(X):
    """Rebinding the matrix inside the loop leaves the rows it runs over alone, as in Python."""
    total = 0.0
    for row in X:
        X = X * 2.0
        total = total + np.sum(row * X[0])
    return total


def nested_row_loops(X):
    """A loop over the elements of each row of a loop over rows."""
    total = 0.0
    for row in X:
        for v in row:
            total = total + np.sin(v) * v
    return total


def row_loop_writes_matrix(X):
    total = 0.0
    for row in X:  # loop
        X[0] = X[0] + row  # write
        total = total + np.sum(X[0])
    return total


def row_loop_adds_to_matrix(X):
    Y = X * 1.0
    total = 0.0
    for row in Y:  # loop
        total = total + np.sum(row * row)
        Y += 1.0  # write
    return total


def row_loop_adds_to_alias(X):
    Y = X * 1.0
    Z = Y
    total = 0.0
    for row in Y:  # loop
        total = total + np.sum(row * row)
        Z += 1.0  # write
    return total


def row_loop_writes_through_view(X):
    Y = X * 1.0
    total = 0.0
    for row in Y:  # loop
        total = total + np.sum(row * row)
        v = Y[1:]
        v[0] = v[0] * 0.5  # write
    return total


ROW_LOOP_WRITES = [
    row_loop_writes_matrix,
    row_loop_adds_to_matrix,
    row_loop_adds_to_alias,
    row_loop_writes_through_view,
]


def row_loop_writes_rows(X):
    """Writes into the current row (a view of ``Y``): only rows already read change."""
    Y = X * 1.0
    row = Y[0]
    total = np.sum(row)
    for row in Y:
        row[0] = row[1] * 3.0
        row[1] = row[0] * 2.0
        total = total + np.sum(row * row)
    return total


def row_loop_rebinds_then_writes(X):
    """The matrix is rebound to a new array before the write: the rows run over stay."""
    Y = X * 1.0
    total = 0.0
    for row in Y:
        Y = Y * 2.0
        Y[0] = Y[0] + 1.0
        total = total + np.sum(row * Y[0])
    return total


def range_target_after_loop(x, n: int):
    i = 0
    for i in range(n):
        if i > 1:
            break
    return x[i] ** 2  # read


def row_target_after_loop(X):
    row = X[0] * 0.0
    for row in X:
        if np.sum(row) > 0.0:
            break
    return np.sum(row * row)  # read


def store_with_more_axes(X, c):
    """A row stored from a value with an extra axis of length 1 (NumPy drops it)."""
    u = X * 1.0
    u[0] = u[1] * c
    return np.sum(u * u)


def float_scale(X, s: float):
    """A float parameter whose adjoint sums a whole array."""
    return np.sum(np.sin(X * s))


def constant_zeros_plus(X, c):
    """A tangent from ``c`` alone, broadcast to the shape of the constant's."""
    q = np.zeros_like(X) + c
    return np.sum(np.sum(q, axis=0) * c)


def times_zero_plus(X, c):
    """``X * 0.0`` has a zero tangent, yet ``X``'s shape."""
    q = X * 0.0 + c
    return np.sum(np.sum(q, axis=0) * c)


def broadcast_by_constant(x):
    """A constant operand larger than the active one."""
    out = x * 2.0 + np.ones((4, 1))
    low = 1.0 - np.ones((4, 1)) * 3.0 - x
    return np.sum(np.sum(out * low, axis=0) ** 2)


ARRAY_CASES = [
    (constant_zeros_plus, (_normal(91, 3, 2), _normal(92, 2))),
    (times_zero_plus, (_normal(93, 3, 2), _normal(94, 2))),
    (broadcast_by_constant, (_normal(95, 3),)),
    (store_with_more_axes, (_normal(86, 3, 2), _normal(87, 1, 2))),
    (float_scale, (_normal(88, 3, 4), 0.7)),
    (row_loop, (_normal(81, 4, 3), _normal(82, 3))),
    (row_loop_writes_rows, (_normal(89, 4, 3),)),
    (row_loop_rebinds_then_writes, (_normal(90, 3, 3),)),
    (row_loop_carries_array, (_normal(83, 3, 4),)),
    (row_loop_rebinds_matrix, (_normal(84, 3, 2),)),
    (nested_row_loops, (_normal(85, 2, 3),)),
    (fill_matrix, (_normal(79, 3),)),
    (write_in_branch_in_loop, (_normal(80, 5),)),
    (alias_made_in_loop, (_normal(77, 4),)),
    (array_to_number_free_helper, (0.5, _normal(78, 4))),
    (mds_broadcast, (_W, _D)),
    (mds_loops, (_W, _D)),
    (mds_helper, (_W, _D)),
    (feed_forward, _network()),
    (mlp3, _mlp()),
    (
        mlp_helpers,
        (
            _normal(19, 3, 2),
            _normal(20, 2, 4),
            _normal(21, 4),
            _normal(22, 4, 2),
            _normal(23, 2),
        ),
    ),
    (softmax_cross_entropy, (_LOGITS, _LABELS)),
    (rosenbrock, (_uniform(24, -1.0, 1.0, 5),)),
    (layer_loop, (_normal(25, 2, 3), 0.7 * _normal(26, 3, 3, 3), 3)),
    (fill_loop, (_normal(27, 5),)),
    (slice_add_loop, (_normal(28, 6),)),
    (mask_zero, (np.array([0.5, -0.7, 1.2, -0.3, 0.9]),)),
    (recurrence, (_normal(29, 5), 0.8)),
    (rows_in_place, (_X, _normal(30, 3))),
    (repeated_indices, (_normal(31, 5),)),
    (repeated_list_indices, (_normal(31, 5),)),
    (negative_indices, (_normal(32, 6),)),
    (stepped_slices, (_normal(32, 6),)),
    (newaxis_ellipsis, (_X, _normal(33, 4))),
    (methods_and_reductions, (_X,)),
    (reshape_dot, (_X, _normal(34, 6))),
    (copy_then_write, (_normal(35, 4),)),
    (astype_float, (_normal(35, 4),)),
    (shape_attributes, (_X,)),
    (relu_where, (np.array([0.4, -1.1, 2.0, -0.2, 0.8]),)),
    (norms, (_X,)),
    (linalg_solve_loss, (_SPD, _normal(36, 3))),
    (linalg_inv_loss, (_SPD,)),
    (linalg_det_loss, (_SPD, _normal(37, 2, 2))),
    (linalg_mixed, (_SPD, _normal(38, 3))),
    (einsum_loss, (_normal(39, 3, 2), _normal(40, 2, 3), _normal(41, 3))),
    (einsum_trace, (_normal(39, 3, 2), _normal(40, 2, 3))),
    (einsum_three_operands, (_normal(72, 3, 3), _normal(41, 3))),
    (concat_stack, (_normal(42, 3), _normal(43, 3))),
    (array_of_scalars, (0.7, -1.3, _normal(44, 4))),
    (keepdims_center, (_X,)),
    (learning_rate_step, (_normal(45, 4), _normal(46, 4), 0.3)),
    (gradient_descent, (_normal(47, 3), _SPD @ _SPD.T / 20.0, 0.1, 4)),
    (while_on_arrays, (_normal(48, 3),)),
    (if_on_reduction, (np.array([0.5, 1.0, -0.2]),)),
    (if_on_reduction, (np.array([-0.5, 0.3, -0.9]),)),
    (helper_pipeline, (_normal(49, 3), _normal(50, 3, 2), _normal(51, 2))),
    (alias_write, (_normal(52, 4),)),
    (alias_write_in_loop, (_normal(53, 4),)),
    (cumsum_std_var, (_normal(54, 5),)),
    (attention, (_normal(55, 3, 2), _normal(56, 4, 2), _normal(57, 4, 3))),
    (
        logistic_regression,
        (_normal(58, 3), _normal(59, 5, 3), np.array([1.0, -1.0, 1.0, 1.0, -1.0])),
    ),
    (matrix_power_loop, (0.5 * _normal(60, 3, 3), 4)),
    (outer_and_sums, (_normal(61, 4), _normal(62, 4))),
    (grid_writes, (_normal(73, 3, 3),)),
    (accumulate_rows, (_X,)),
    (boolean_mask_read, (np.array([0.4, -1.1, 2.0, -0.2, 0.8]),)),
    (fancy_rows_and_column_slices, (_X,)),
    (negative_index_writes, (_normal(74, 4),)),
    (break_on_norm, (_normal(75, 3),)),
    (clip_abs_sign, (np.array([0.3, -0.9, 1.4, -0.2, 0.7]),)),
    (write_through_view_read_view, (_normal(76, 4),)),
    (augmented_fresh_array, (_normal(77, 4),)),
    (tuple_helper, (_normal(78, 5),)),
    (helper_with_loop, (_normal(79, 2, 3), _normal(80, 3, 3))),
    (axis_reductions, (_X,)),
    (products, (_normal(81, 3, 3), _normal(82, 3))),
    (shape_functions, (_normal(83, 3),)),
    (triangular, (_normal(84, 3, 3),)),
    (while_writes, (_normal(85, 3, 2),)),
    (loop_same_index, (_normal(86, 3),)),
    (decaying_scalar_in_loop, (_normal(87, 4), 0.7)),
    (reassigned_parameter, (_normal(88, 3),)),
    (methods_on_call_results, (_normal(89, 2, 3),)),
    (fresh_array_writes, (_normal(90, 4),)),
]


# ---------------------------------------------------------------- array outputs (jvp and vjp)


def network_outputs(x, W1, W2):
    """The activations of the last layer, not a loss."""
    return sigmoid(sigmoid(x @ W1) @ W2)


def recurrence_states(x, a):
    n = len(x)
    y = np.zeros(n)
    y[0] = x[0]
    for i in range(1, n):
        y[i] = y[i - 1] * a + x[i]
    return y


def centered_and_norm(X):
    """Two outputs: an array and a number."""
    C = X - X.mean(axis=0, keepdims=True)
    return C, np.linalg.norm(C)


VECTOR_CASES = [
    (network_outputs, (_normal(63, 2, 3), _normal(64, 3, 4), _normal(65, 4, 2))),
    (recurrence_states, (_normal(66, 5), 0.8)),
    (centered_and_norm, (_X,)),
]


# ---------------------------------------------------------------- float32


def float32_loss(x, W):
    return np.sum(np.tanh(x @ W) ** 2) + np.sum(x * x)


def fill_loop_like(x):
    """fill_loop with y = np.zeros_like(x): float32 throughout for float32 x."""
    y = np.zeros_like(x)
    for i in range(len(x)):
        y[i] = x[i] ** 2 * np.sin(x[i])
    return np.sum(y * x)


def array_of_scalars_f32(x):
    """Entries of a float32 array packed with np.array and combined."""
    v = np.array([x[0], x[1] * x[2]])
    return x[0] * x[3] + np.sum(v**2)


def entry_plus_sum(x):
    """An entry plus a sum: two adjoints of x meet."""
    return x[-1] + np.sum(x)


FLOAT32_CASES = [
    (
        float32_loss,
        (_normal(67, 2, 3).astype(np.float32), _normal(68, 3, 2).astype(np.float32)),
    ),
    (rosenbrock, (_uniform(69, -1.0, 1.0, 4).astype(np.float32),)),
    (mds_broadcast, (_W.astype(np.float32), _D.astype(np.float32))),
    (softmax_cross_entropy, (_LOGITS.astype(np.float32), _LABELS.astype(np.float32))),
    (mlp3, tuple(a.astype(np.float32) for a in _mlp())),
    (fill_loop_like, (_normal(27, 5).astype(np.float32),)),
    (negative_indices, (_normal(32, 6).astype(np.float32),)),
    (linalg_solve_loss, (_SPD.astype(np.float32), _normal(36, 3).astype(np.float32))),
    (array_of_scalars_f32, (_normal(44, 4).astype(np.float32),)),
    (entry_plus_sum, (_normal(91, 4).astype(np.float32),)),
]


# ---------------------------------------------------------------- rejected


def write_through_view(x):
    y = x * 1.0
    z = y[1:]
    z[0] = 5.0  # write
    return np.sum(y * x)  # read


def write_through_transpose(X):
    Y = X * 2.0
    Z = Y.T
    Z[0, 1] = 0.0  # write
    return np.sum(Y)  # read


def write_through_reshape(X):
    Y = X * 2.0
    Z = Y.reshape(-1)
    Z[0] = 0.0  # write
    return np.sum(Y)  # read


def augmented_alias(x):
    s = x
    s += 1.0  # write
    return np.sum(x * s)  # read


def alias_made_in_if(x, c: bool):
    y = x * 2.0
    if c:
        z = y
    else:
        z = x * 3.0
    z[0] = 10.0  # write
    return np.sum(y * x)  # read


def alias_made_by_ternary(x, c: bool):
    y = x * 2.0
    z = y if c else x * 3.0
    z[0] = 10.0  # write
    return np.sum(y * x)  # read


def tail(a):
    return a[1:]


def view_from_helper(x):
    y = x * 2.0
    v = tail(y)
    y[1] = 0.0  # write
    return np.sum(v * x[1:])  # read


def view_from_split(x):
    y = x * 2.0
    a, b = np.split(y, 2)
    y[0] = 0.0  # write
    return np.sum(a * x[:2])  # read


def view_from_diag(M):
    y = M * 2.0
    d = np.diag(y)
    y[0, 0] = 0.0  # write
    return np.sum(d * d)  # read


def writes_into_argument(a):
    a[0] = 0.0  # write
    return np.sum(a)


def writes_into_argument_caller(x):
    y = x * 2.0
    s = writes_into_argument(y)
    return s + np.sum(y * x)


def shared_at_iteration_end(x):
    y = x * 1.0
    z = x * 3.0
    s = 0.0
    for i in range(3):
        y[i] = x[i] * x[i]
        s = s + np.sum(z * x)
        w = np.sin(x)
        y = w
        z = w
    return s


def loop_and_branch(x):
    s = 0.0
    for i in range(3):
        if x[i] > 0.0:
            s = s + np.sin(x[i]) * x[i]
        else:
            s = s - x[i] * x[i]
    return s


def passes_through(x, c: bool):
    if c:
        s = x * 2.0
    else:
        s = x
    return s


REJECTED = [
    (write_through_view, (_normal(70, 4),)),
    (write_through_transpose, (_X,)),
    (write_through_reshape, (_X,)),
    (augmented_alias, (_normal(71, 4),)),
    (alias_made_in_if, (_normal(72, 4), True)),
    (alias_made_by_ternary, (_normal(73, 4), False)),
    (view_from_helper, (_normal(74, 4),)),
    (view_from_split, (_normal(75, 4),)),
    (view_from_diag, (_normal(76, 3, 3),)),
]
