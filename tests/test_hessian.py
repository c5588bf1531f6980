"""Batched Hessian-vector products and ``s2sad.hessian``.

``s2sad.batched_hvp(f, wrt)(*args, V)`` runs the generated ``f_hessian`` once
for a batch of directions (a leading axis of ``V``); ``s2sad.hessian`` runs it
once with every basis direction.  On every function of the tables that has a
Hessian-vector product: the batched products equal separate ``s2sad.hvp``
calls (k = 1 and k = 3) to 1e-12, the Hessian equals central differences of
the generated gradient to 1e-6 and is symmetric to 1e-12, and no argument
changes.  Analytic Hessians (a quadratic form, Rosenbrock, log-sum-exp) hold
to 1e-12, SymPy's on the loop-free scalar table; wrong calls are clear errors.
"""

import math

import numpy as np
import pytest
import sympy
import array_functions
import control_functions
import helper_functions
import jump_functions
import scalar_functions
from second_order_functions import (
    curved,
    log_sum_exp,
    quadratic,
    rosenbrock,
    rosenbrock_hessian,
)

import s2sad
from s2sad.errors import S2SADError
from s2sad.frontend.program import lower
from s2sad.symbolic import to_sympy

TABLES = {
    "scalar": scalar_functions.SCALAR_CASES,
    "control": control_functions.CONTROL_CASES,
    "jump": jump_functions.JUMP_CASES,
    "helper": helper_functions.HELPER_CASES,
    "array": array_functions.ARRAY_CASES,
}
# ---------------------------------------------------------------- functions for the batching rules
#
# Each reaches rules the tables reach little or not at all: axes moved past the
# batch axis, index arrays that a slice separates (read and written), products
# of 1-D and stacked operands, ``axis=None`` (run once per direction), numbers
# switching to NumPy's functions, user rules, writes in loops.


def transpose_axes(X: np.ndarray):
    return np.sum(np.transpose(X, (1, 0, 2)) ** 2 * np.arange(24.0).reshape(3, 2, 4))


def advanced_read(X: np.ndarray):
    idx = np.array([0, 1, 1])
    return np.sum(X[idx, :, 2] ** 3) + np.sum(X[0, :, idx] ** 2)


def squeeze_expand(x: np.ndarray):
    y = np.expand_dims(x, -1) * np.expand_dims(x, 0)
    return np.sum(np.squeeze(y[:, :1]) ** 2) + np.sum(np.cumsum(x * x) * x)


def concat_flat(X: np.ndarray):
    return np.sum(np.concatenate([X, X * X], axis=None) ** 2) + np.sum(
        np.stack([X, X**2], axis=-1) ** 2
    )


def products(x: np.ndarray, A: np.ndarray):
    B = np.stack([A, A * A])
    return (
        np.sum((x @ B) ** 2)
        + np.sum((B @ x) ** 2)
        + np.sum((A @ B) ** 2)
        + np.dot(x, x) ** 2
    )


def reshape_ravel(X: np.ndarray):
    return (
        np.sum(np.ravel(X) ** 3)
        + np.sum(np.reshape(X * X, (-1, 2)) @ np.ones(2))
        + np.sum(X.T**2 * X.T)
    )


def flips(x: np.ndarray):
    M = np.outer(x, x)
    return (
        np.sum(np.flip(M) * M)
        + np.sum(np.fliplr(M) ** 2)
        + np.sum(np.roll(x, 1) * x**2)
        + np.sum(np.triu(M) ** 2)
    )


def mixed_numbers(x: np.ndarray, s: float):
    t = math.sin(s) * np.sum(x**2)
    return t * math.exp(s) + max(s, 0.5) ** 3 + abs(s) * np.sum(x) + math.hypot(s, 2.0)


def where_clip(x: np.ndarray):
    return np.sum(
        np.where(x > 0, x**2, x**3)
        + np.clip(x, -0.5, 0.5) ** 2
        + np.maximum(x, 0.1) ** 3
    )


def linalg(A: np.ndarray):
    return (
        np.linalg.det(A)
        + np.sum(np.linalg.inv(A) ** 2)
        + np.sum(np.linalg.solve(A, np.ones(3)) ** 2)
        + np.linalg.slogdet(A)[1]
    )


def norms_einsum(X: np.ndarray):
    return (
        np.linalg.norm(X) ** 3
        + np.einsum("ij,jk->", X, X.T) ** 2
        + np.trace(X @ X) ** 2
    )


def double(x):
    return 2.0 * x


@s2sad.derivative_rule(double)
class DoubleRule:
    def tangent(x_dot):
        return double(x_dot)

    def adjoint(out_bar):
        return double(out_bar)


def uses_double(x: np.ndarray):
    return np.sum(double(x * x) ** 2)


def advanced_write(X: np.ndarray, s: float):
    idx = np.array([0, 1, 1])
    y = np.zeros((2, 3, 4))
    y[idx[:2], :, 1] = X[idx[:2], :, 2] ** 2
    y[X > 0.5] = s * s
    y[0] = s * y[1]
    y[1, 1] = s**3
    return np.sum(y**2)


def loop_fill(x: np.ndarray, s: float):
    y = np.zeros(4)
    for i in range(4):
        y[i] = s * x[i] ** 2 + y[i - 1] * s
    return np.sum(y * y)


_rng = np.random.default_rng(0)
RULE_CASES = [
    (transpose_axes, (_rng.standard_normal((2, 3, 4)),)),
    (advanced_read, (_rng.standard_normal((2, 3, 4)),)),
    (squeeze_expand, (_rng.standard_normal(4),)),
    (concat_flat, (_rng.standard_normal((2, 3)),)),
    (products, (_rng.standard_normal(3), _rng.standard_normal((3, 3)))),
    (reshape_ravel, (_rng.standard_normal((3, 4)),)),
    (flips, (_rng.standard_normal(4),)),
    (mixed_numbers, (_rng.standard_normal(3), 0.7)),
    (where_clip, (_rng.standard_normal(5) + 0.05,)),
    (linalg, (_rng.standard_normal((3, 3)) + 3 * np.eye(3),)),
    (norms_einsum, (_rng.standard_normal((3, 3)),)),
    (uses_double, (_rng.standard_normal(3),)),
    (advanced_write, (_rng.standard_normal((2, 3, 4)), 0.8)),
    (loop_fill, (_rng.standard_normal(4), 0.6)),
]

CASES = [
    pytest.param(f, point, id=f"{table}-{f.__name__}-{k}")
    for table, cases in {**TABLES, "rules": RULE_CASES}.items()
    for k, (f, point) in enumerate(cases)
]
REFUSED: dict[str, str] = {}
"""Functions of the tables whose batched product is refused (none): name -> why."""


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("hessian")


def _wrt(point):
    return tuple(i for i, p in enumerate(point) if isinstance(p, (float, np.ndarray)))


def _copies(point):
    return [np.copy(p) if isinstance(p, np.ndarray) else p for p in point]


def _unchanged(before, point):
    for old, new in zip(before, point):
        np.testing.assert_array_equal(old, new)


def _hvp_or_skip(f, wrt, out_dir):
    try:
        return s2sad.hvp(f, wrt, output_dir=out_dir)
    except S2SADError:
        pytest.skip("no Hessian-vector product (more than one output)")


def _batched_or_refused(f, wrt, out_dir):
    if f.__name__ in REFUSED:
        with pytest.raises(S2SADError):
            s2sad.batched_hvp(f, wrt, output_dir=out_dir)
        pytest.skip(REFUSED[f.__name__])
    return s2sad.batched_hvp(f, wrt, output_dir=out_dir)


@pytest.mark.parametrize("f, point", CASES)
@pytest.mark.parametrize("k", [1, 3])
def test_batched_products_equal_separate_products(f, point, k, out_dir):
    wrt = _wrt(point)
    hvp = _hvp_or_skip(f, wrt, out_dir)
    batched = _batched_or_refused(f, wrt, out_dir)
    rng = np.random.default_rng(k)
    V = tuple(rng.standard_normal((k,) + np.shape(point[i])) for i in wrt)
    before, directions = _copies(point), [np.copy(v) for v in V]
    products = batched(*point, V)
    _unchanged(before, point)
    _unchanged(directions, V)
    assert len(products) == len(wrt)
    for j in range(k):
        separate = hvp(*point, tuple(v[j] for v in V))
        for product, expected, i in zip(products, separate, wrt):
            assert np.shape(product) == (k,) + np.shape(point[i])
            np.testing.assert_allclose(product[j], expected, rtol=1e-12, atol=1e-12)


def _flat(values):
    values = values if isinstance(values, tuple) else (values,)
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])


def _matrix(blocks, point, wrt):
    """The nested blocks of ``hessian`` as one matrix over all of ``wrt``."""
    sizes = [np.size(point[i]) for i in wrt]
    return np.block(
        [
            [np.reshape(blocks[a][b], (sizes[a], sizes[b])) for b in range(len(wrt))]
            for a in range(len(wrt))
        ]
    )


@pytest.mark.parametrize("f, point", CASES)
def test_hessian_matches_differences_of_the_gradient(f, point, out_dir):
    wrt = _wrt(point)
    _hvp_or_skip(f, wrt, out_dir)
    _batched_or_refused(f, wrt, out_dir)
    gradient = s2sad.grad(f, wrt=wrt, output_dir=out_dir)
    before = _copies(point)
    blocks = s2sad.hessian(f, wrt=wrt, output_dir=out_dir)(*point)
    _unchanged(before, point)
    for a, i in enumerate(wrt):
        for b, j in enumerate(wrt):
            assert np.shape(blocks[a][b]) == np.shape(point[i]) + np.shape(point[j])
            if not np.shape(blocks[a][b]):
                assert type(blocks[a][b]) is float
    H = _matrix(blocks, point, wrt)
    step, columns = 1e-6, []
    for i in wrt:
        for m in range(np.size(point[i])):
            moved = [_copies(point), _copies(point)]
            for sign, args in zip((1.0, -1.0), moved):
                if isinstance(point[i], np.ndarray):
                    args[i].flat[m] += sign * step
                else:
                    args[i] = point[i] + sign * step
            plus, minus = (_flat(gradient(*args)) for args in moved)
            columns.append((plus - minus) / (2 * step))
    differences = np.array(columns).T
    scale = max(1.0, float(np.max(np.abs(differences))))
    np.testing.assert_allclose(H, differences, rtol=1e-6, atol=1e-6 * scale)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12 * max(1.0, np.max(abs(H))))


@pytest.mark.parametrize("f, point", CASES)
def test_the_diagonal_is_the_hessian_s(f, point, out_dir):
    wrt = _wrt(point)
    _hvp_or_skip(f, wrt, out_dir)
    _batched_or_refused(f, wrt, out_dir)
    blocks = s2sad.hessian(f, wrt=wrt, output_dir=out_dir)(*point)
    diagonals = s2sad.hessian(f, wrt=wrt, diagonal=True, output_dir=out_dir)(*point)
    for a, i in enumerate(wrt):
        size = np.size(point[i])
        block = np.reshape(blocks[a][a], (size, size))
        assert np.shape(diagonals[a]) == np.shape(point[i])
        np.testing.assert_array_equal(np.ravel(diagonals[a]), np.diag(block))


def test_every_function_of_the_tables_batches():
    """The counts the README reports: every function with a product batches."""
    assert not REFUSED


# ---------------------------------------------------------------- analytic Hessians


def matrix_loss(W: np.ndarray, v: np.ndarray):
    return np.sum(np.tanh(W @ v) ** 2) + np.sum(W * W) * v[0]


def test_quadratic_form_is_exact(out_dir):
    rng = np.random.default_rng(0)
    A, x = rng.standard_normal((5, 5)), rng.standard_normal(5)
    H = s2sad.hessian(quadratic, output_dir=out_dir)(x, A)
    np.testing.assert_allclose(H, A + A.T, rtol=1e-12, atol=1e-12)


def test_rosenbrock_is_exact(out_dir):
    x = np.random.default_rng(1).uniform(-1.5, 1.5, 12)
    H = s2sad.hessian(rosenbrock, output_dir=out_dir)(x)
    np.testing.assert_allclose(H, rosenbrock_hessian(x), rtol=1e-12, atol=1e-9)
    diagonal = s2sad.hessian(rosenbrock, diagonal=True, output_dir=out_dir)(x)
    np.testing.assert_allclose(diagonal, np.diag(rosenbrock_hessian(x)), rtol=1e-12)


def test_log_sum_exp_is_exact(out_dir):
    x = np.random.default_rng(2).standard_normal(6)
    p = np.exp(x - log_sum_exp(x))
    H = s2sad.hessian(log_sum_exp, output_dir=out_dir)(x)
    np.testing.assert_allclose(H, np.diag(p) - np.outer(p, p), atol=1e-12)


def test_float32_stays_float32(out_dir):
    x = np.random.default_rng(3).uniform(-1.0, 1.0, 5).astype(np.float32)
    H = s2sad.hessian(rosenbrock, output_dir=out_dir)(x)
    assert H.dtype == np.float32
    np.testing.assert_allclose(H, rosenbrock_hessian(x.astype(float)), rtol=1e-4)


def test_blocks_of_several_parameters_nest_as_jax_s(out_dir):
    """``H[i][j]`` has shape ``s_i + s_j``: a matrix parameter and a vector."""
    rng = np.random.default_rng(4)
    W, v = rng.standard_normal((2, 3)), rng.standard_normal(3)
    blocks = s2sad.hessian(matrix_loss, wrt=(0, 1), output_dir=out_dir)(W, v)
    shapes = [[np.shape(b) for b in row] for row in blocks]
    assert shapes == [[(2, 3, 2, 3), (2, 3, 3)], [(3, 2, 3), (3, 3)]]
    np.testing.assert_allclose(
        blocks[0][1], np.moveaxis(blocks[1][0], 0, -1), rtol=1e-12, atol=1e-12
    )


def test_numbers_get_floats(out_dir):
    x, y = 0.7, 1.3
    H = np.array(
        [
            [-math.sin(x) * y**3 + 2 * y, 3 * math.cos(x) * y**2 + 2 * x],
            [3 * math.cos(x) * y**2 + 2 * x, 6 * math.sin(x) * y],
        ]
    )
    blocks = s2sad.hessian(curved, wrt=(0, 1), output_dir=out_dir)(x, y)
    assert all(type(b) is float for row in blocks for b in row)
    np.testing.assert_allclose(blocks, H, rtol=1e-12)
    one = s2sad.hessian(curved, wrt="y", output_dir=out_dir)(x, y)
    assert type(one) is float and one == pytest.approx(H[1, 1], rel=1e-12)
    diagonal = s2sad.hessian(curved, wrt=(0, 1), diagonal=True, output_dir=out_dir)
    np.testing.assert_allclose(diagonal(x, y), np.diag(H), rtol=1e-12)


LOOP_FREE = [
    (f, point)
    for f, point in scalar_functions.SCALAR_CASES
    if all(isinstance(p, float) for p in point) and len(point) <= 3
]


@pytest.mark.parametrize("f, point", LOOP_FREE, ids=[f.__name__ for f, _ in LOOP_FREE])
def test_hessian_matches_sympy(f, point, out_dir):
    symbols, (expr,) = to_sympy(lower(f))
    if expr.has(sympy.Mod):
        pytest.skip("x % c: SymPy differentiates Mod without end")
    expected = np.array(
        sympy.hessian(expr, symbols).subs(dict(zip(symbols, point))).evalf(),
        dtype=float,
    )
    wrt = tuple(range(len(point)))
    blocks = s2sad.hessian(f, wrt=wrt, output_dir=out_dir)(*point)
    np.testing.assert_allclose(np.array(blocks), expected, rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------- the files and calls


def test_the_file_is_one_vectorised_function(out_dir):
    hessian = s2sad.hessian(rosenbrock, output_dir=out_dir)
    assert hessian.path.name == "rosenbrock_hessian_x.py"
    assert hessian.path.read_text() == hessian.source
    assert "def rosenbrock_hessian(x, x_dot):" in hessian.source
    assert "x_dot[:, :-1]" in hessian.source
    assert "batch_loop" not in hessian.source and "for " not in hessian.source
    assert s2sad.batched_hvp(rosenbrock, output_dir=out_dir).path == hessian.path


def test_loops_and_branches_keep_their_shape(out_dir):
    """Control flow depends on primal values only: it stays, carrying batches."""
    f = control_functions.while_with_branch
    hessian = s2sad.hessian(f, output_dir=out_dir)
    assert "while " in hessian.source and "if " in hessian.source
    assert "tape.pop()" in hessian.source
    step = 1e-5
    gradient = s2sad.grad(f, output_dir=out_dir)
    expected = (gradient(1.3 + step) - gradient(1.3 - step)) / (2 * step)
    assert hessian(1.3) == pytest.approx(expected, rel=1e-6)


def test_helpers_get_batched_derivatives(out_dir):
    batched = s2sad.batched_hvp(
        helper_functions.uses_helpers, (0, 1), output_dir=out_dir
    )
    assert "def square_plus_vjp_fwd_jvp_batched(" in batched.source
    assert "def square_plus_vjp_bwd_jvp_batched(" in batched.source
    assert (
        "square_plus_vjp_fwd_jvp_batched(\n        x, 1.0, x_dot, batch\n    )"
        in batched.source
    )


def test_an_empty_batch_gives_empty_products(out_dir):
    batched = s2sad.batched_hvp(curved, wrt=(0, 1), output_dir=out_dir)
    products = batched(0.7, 1.3, (np.zeros(0), np.zeros(0)))
    assert [p.shape for p in products] == [(0,), (0,)]
    x = np.ones(4)
    assert s2sad.batched_hvp(rosenbrock, output_dir=out_dir)(
        x, np.zeros((0, 4))
    ).shape == (0, 4)


def test_products_never_share_memory_with_the_directions(out_dir):
    def half_square(x: np.ndarray):
        return 0.5 * np.sum(x * x)

    V = np.eye(3)
    product = s2sad.batched_hvp(half_square, output_dir=out_dir)(np.ones(3), V)
    np.testing.assert_array_equal(product, V)
    assert not np.shares_memory(product, V)
    H = s2sad.hessian(half_square, output_dir=out_dir)(np.ones(3))
    H[0, 0] = 5.0
    np.testing.assert_array_equal(
        s2sad.hessian(half_square, output_dir=out_dir)(np.ones(3)), np.eye(3)
    )


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda b: b(0.7, 1.3, (np.ones(2),)), "tuple of 2 batches"),
        (lambda b: b(0.7, 1.3, np.ones(2)), "tuple of 2 batches of directions, got"),
        (
            lambda b: b(0.7, 1.3, (np.ones(2), [1.0, 2.0])),
            "V\\[1\\] \\(for y\\) is a list",
        ),
        (lambda b: b(0.7, 1.3, (np.ones(2), np.ones(3))), "holds 3 directions"),
        (lambda b: b(0.7, 1.3, (np.ones((2, 1)), np.ones(2))), "has shape \\(2, 1\\)"),
        (lambda b: b(0.7, 1.3, (2.0, np.ones(2))), "V\\[0\\] \\(for x\\) is a float"),
        (lambda b: b(), "takes the arguments, then V"),
    ],
)
def test_wrong_directions_are_refused_clearly(call, message, out_dir):
    batched = s2sad.batched_hvp(curved, wrt=(0, 1), output_dir=out_dir)
    with pytest.raises(s2sad.DifferentiationError, match=message) as caught:
        call(batched)
    assert caught.value.hint


def test_a_batch_for_an_array_has_its_shape_after_the_batch_axis(out_dir):
    batched = s2sad.batched_hvp(rosenbrock, output_dir=out_dir)
    with pytest.raises(s2sad.DifferentiationError, match=r"shape \(k,\) \+ \(4,\)"):
        batched(np.ones(4), np.ones(4))


def test_an_output_that_is_not_a_scalar_is_refused(out_dir):
    def twice(x: np.ndarray):
        return 2.0 * x

    with pytest.raises(s2sad.DifferentiationError, match="scalar"):
        s2sad.hessian(twice, output_dir=out_dir)(np.ones(3))


def test_an_array_for_a_number_parameter_is_refused(out_dir):
    with pytest.raises(s2sad.DifferentiationError, match="got an array for x"):
        s2sad.hessian(curved, output_dir=out_dir)(np.ones(3), 1.3)


def rounded_tanh(x):
    return math.tanh(x)


@s2sad.derivative_rule(rounded_tanh)
class RoundedTanhRule:
    """A tangent rule that rounds the tangent: ``round`` has no batching rule."""

    def tangent(x, x_dot):
        return round(x_dot, 15) * (1.0 - math.tanh(x) ** 2)

    def adjoint(x, out_bar):
        return out_bar * (1.0 - math.tanh(x) ** 2)


def uses_rounded_tanh(x):
    return rounded_tanh(x) * x


def test_a_primitive_without_a_batching_rule_is_refused_by_name(out_dir):
    assert s2sad.hvp(uses_rounded_tanh, output_dir=out_dir)(0.3, 1.0)
    with pytest.raises(
        s2sad.DifferentiationError, match="round\\(\\) has no batching rule"
    ):
        s2sad.hessian(uses_rounded_tanh, output_dir=out_dir)
