"""Jacobian columns for the identity seed: ``W @ e_k`` is a column of ``W``, no product.

``jacfwd`` of a vector parameter calls ``<f>_jacfwd_identity`` where the file has
it: the batched tangent code with the identity for its directions, each product
of a matrix with them rewritten into a view of the matrix.  Checked against
reverse mode and finite differences on every table case, parameter by
parameter, and for not handing back (a view of) the caller's arrays.
"""

import numpy as np
import pytest

import array_functions
import control_functions
import helper_functions
import s2sad
from s2sad.errors import S2SADError

CASES = [
    pytest.param(f, point, k, id=f"{f.__name__}-{n}-arg{k}")
    for n, (f, point) in enumerate(
        array_functions.ARRAY_CASES
        + array_functions.VECTOR_CASES
        + control_functions.CONTROL_CASES
        + helper_functions.HELPER_CASES
    )
    for k, p in enumerate(point)
    if isinstance(p, np.ndarray) and p.ndim == 1 and p.dtype.kind == "f"
]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("identity")


def layer(x: np.ndarray, W: np.ndarray, b: np.ndarray):
    return np.tanh(W @ x + b)


def linear(x: np.ndarray, W: np.ndarray):
    return W @ x


def stacked(x: np.ndarray, W: np.ndarray):
    return np.sin(W @ x)


def in_a_loop(x: np.ndarray, W: np.ndarray, steps: int):
    y = x
    for _ in range(steps):
        y = np.tanh(W @ y) + x
    return y


def written_after(x: np.ndarray, W: np.ndarray):
    y = W @ x
    y[0] = 0.0
    y[1:3] *= 2.0
    return y * x[0]


def used_twice(x: np.ndarray, W: np.ndarray):
    return W @ x + x[:3] * (W @ x)


def two_products(x: np.ndarray, W: np.ndarray, V: np.ndarray):
    return np.concatenate([np.sin(W @ x), V @ x])


def in_a_branch(x: np.ndarray, W: np.ndarray):
    if x[0] > 0.0:
        y = W @ x
    else:
        y = np.cos(x[:3])
    return y * y


def row_vector(x: np.ndarray, V: np.ndarray):
    return np.exp(x @ V) + V @ x


def matrix_of_x(x: np.ndarray, W: np.ndarray):
    return (W * x) @ x


def helper(y: np.ndarray):
    return np.sum(y * y) * y


def through_a_helper(x: np.ndarray, W: np.ndarray):
    return helper(W @ x) + helper(x[:3])


def several_outputs(x: np.ndarray, W: np.ndarray):
    y = W @ x
    return y, np.sum(y * x[:3]), x


def while_after(x: np.ndarray, W: np.ndarray):
    y = W @ x
    k = 0
    while k < 3:
        y = y * 0.5 + W @ x
        if k == 1:
            break
        k += 1
    return y


RNG = np.random.default_rng(5)
X4, W34, V44 = RNG.normal(size=4), RNG.normal(size=(3, 4)), RNG.normal(size=(4, 4))
SHAPES = [
    (used_twice, (X4, W34)),
    (two_products, (X4, W34, V44)),
    (in_a_branch, (X4, W34)),
    (in_a_branch, (-X4, W34)),
    (row_vector, (X4, V44)),
    (matrix_of_x, (X4, W34)),
    (through_a_helper, (X4, W34)),
    (several_outputs, (X4, W34)),
    (while_after, (X4, W34)),
]


@pytest.mark.parametrize(
    "f, args", SHAPES, ids=[f"{f.__name__}-{k}" for k, (f, _) in enumerate(SHAPES)]
)
def test_identity_columns_where_the_seed_is_read_otherwise_too(f, args, out_dir):
    forward = s2sad.jacfwd(f, output_dir=out_dir)
    assert f"def {f.__name__}_jacfwd_identity(" in forward.source
    reverse = s2sad.jacrev(f, output_dir=out_dir)
    before = [np.copy(a) for a in args]
    columns = forward(*args)
    for old, new in zip(before, args):
        np.testing.assert_array_equal(old, new)
    rows = reverse(*args)
    for c, r in zip(_blocks(columns), _blocks(rows)):
        np.testing.assert_allclose(c, r, rtol=1e-12, atol=1e-12)
    step, x = 1e-6, args[0]
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = step
        plus, minus = _blocks(f(x + e, *args[1:])), _blocks(f(x - e, *args[1:]))
        for c, p, m in zip(_blocks(columns), plus, minus):
            np.testing.assert_allclose(
                np.asarray(c)[..., j], (p - m) / (2 * step), rtol=1e-6, atol=1e-8
            )


def _blocks(value):
    return list(value) if isinstance(value, tuple) else [value]


@pytest.mark.parametrize("f, point, k", CASES)
def test_identity_columns_match_reverse_mode(f, point, k, out_dir):
    try:
        forward = s2sad.jacfwd(f, wrt=k, output_dir=out_dir)
        reverse = s2sad.jacrev(f, wrt=k, output_dir=out_dir)
    except S2SADError:
        pytest.skip("refused in both modes by the Jacobian tests' own rules")
    before = [np.copy(p) if isinstance(p, np.ndarray) else p for p in point]
    columns = forward(*point)
    for old, new in zip(before, point):
        np.testing.assert_array_equal(old, new)
    rows = reverse(*point)
    for c, r in zip(np.atleast_1d(columns), np.atleast_1d(rows)):
        np.testing.assert_allclose(c, r, rtol=1e-12, atol=1e-12)


def test_a_dense_layer_reads_like_its_closed_form(out_dir):
    forward = s2sad.jacfwd(layer, output_dir=out_dir)
    source = forward.source.split("def layer_jacfwd_identity(x, W, b):")[1]
    assert "np.moveaxis(W, -1, 0)" in source
    assert "matmul_batched" not in source and "identity_batch" not in source
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=7), rng.normal(size=(5, 7)), rng.normal(size=5)
    t = np.tanh(W @ x + b)
    np.testing.assert_allclose(
        forward(x, W, b), (1 - t**2)[:, None] * W, rtol=1e-14, atol=1e-15
    )


def test_the_jacobian_is_never_a_view_of_an_argument(out_dir):
    W = np.arange(12.0).reshape(3, 4)
    J = s2sad.jacfwd(linear, output_dir=out_dir)(np.ones(4), W)
    np.testing.assert_array_equal(J, W)
    assert not np.may_share_memory(J, W)
    J[0, 0] = 99.0
    assert W[0, 0] == 0.0


@pytest.mark.parametrize(
    "f, args",
    [
        (stacked, (np.linspace(0.1, 0.9, 4), np.linspace(-1, 1, 24).reshape(2, 3, 4))),
        (in_a_loop, (np.linspace(0.1, 0.5, 3), np.eye(3) * 0.5 + 0.1, 3)),
        (
            written_after,
            (np.linspace(0.5, 1.5, 4), np.linspace(-1, 1, 20).reshape(5, 4)),
        ),
    ],
    ids=["stacked-matrices", "in-a-loop", "written-after"],
)
def test_identity_columns_in_other_shapes(f, args, out_dir):
    forward = s2sad.jacfwd(f, output_dir=out_dir)
    before = [np.copy(a) for a in args]
    J = forward(*args)
    for old, new in zip(before, args):
        np.testing.assert_array_equal(old, new)
    step = 1e-6
    x = args[0]
    columns = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = step
        plus = f(
            x + e, *(np.copy(a) if isinstance(a, np.ndarray) else a for a in args[1:])
        )
        minus = f(
            x - e, *(np.copy(a) if isinstance(a, np.ndarray) else a for a in args[1:])
        )
        columns.append((plus - minus) / (2 * step))
    np.testing.assert_allclose(J, np.stack(columns, axis=-1), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(
        J, s2sad.jacrev(f, output_dir=out_dir)(*args), rtol=1e-12, atol=1e-12
    )


def test_a_matrix_parameter_takes_the_general_columns(out_dir):
    """The identity columns are for a vector; a matrix ``x`` gets the basis batch."""

    def right(A: np.ndarray, v: np.ndarray):
        return np.sin(A @ v)

    A, v = np.linspace(-1, 1, 6).reshape(2, 3), np.array([0.3, -0.2, 0.5])
    J = s2sad.jacfwd(right, output_dir=out_dir)(A, v)
    np.testing.assert_allclose(
        J, s2sad.jacrev(right, output_dir=out_dir)(A, v), rtol=1e-12, atol=1e-12
    )
