"""The runtime helpers generated code calls, on arrays large enough for their fast paths."""

import math

import numpy as np
import pytest

from s2sad import runtime

SHAPES = [
    ((200, 200, 2), (200, 1, 2)),
    ((200, 200, 2), (1, 200, 2)),
    ((200, 200, 2), (2,)),
    ((1000, 3), (1, 3)),
    ((1000, 3), (3,)),
    ((7, 200, 30), (200, 1)),
    ((50, 40, 30), (1, 40, 1)),
    ((5, 4, 100, 3), (4, 1, 1)),
    ((256, 256), (256,)),
    ((64, 300), (64, 1)),
    ((3, 4), ()),
]


def summed_to(g, shape):
    """``g`` summed to ``shape`` by NumPy's ``sum``, one axis at a time."""
    extra = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(k for k, n in enumerate(shape) if n == 1 and g.shape[k] != 1)
    return g.sum(axis=stretched, keepdims=True)


@pytest.mark.parametrize("g_shape, x_shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unbroadcast_sums_to_the_argument_shape(g_shape, x_shape, dtype):
    g = np.random.default_rng(0).normal(size=g_shape).astype(dtype)
    result = runtime.unbroadcast(g, np.zeros(x_shape, dtype))
    expected = summed_to(g.astype(np.float64), x_shape)
    assert result.shape == expected.shape
    assert result.dtype == dtype
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(result, expected, rtol=tolerance, atol=tolerance)


def test_unbroadcast_to_a_number_gives_a_number():
    g = np.random.default_rng(2).normal(size=(300, 4))
    result = runtime.unbroadcast(g, 2.0)
    assert np.ndim(result) == 0 and not isinstance(result, np.ndarray)
    assert result == pytest.approx(g.sum(), rel=1e-12)


def test_unbroadcast_to_more_axes_of_length_one():
    """``y[0] = v`` with ``v`` of shape (1, 2) stored into a row of length 2."""
    g = np.array([1.5, -2.0])
    result = runtime.unbroadcast(g, np.zeros((1, 2)))
    np.testing.assert_array_equal(result, [[1.5, -2.0]])
    np.testing.assert_array_equal(runtime.unbroadcast(g, np.zeros((1, 1))), [[-0.5]])


@pytest.mark.parametrize("layout", ["transposed", "broadcast", "integer"])
def test_unbroadcast_of_arrays_off_the_fast_path(layout):
    rng = np.random.default_rng(1)
    g = {
        "transposed": rng.normal(size=(2, 200, 200)).T,
        "broadcast": np.broadcast_to(rng.normal(size=(200, 1, 2)), (200, 200, 2)),
        "integer": rng.integers(-5, 5, size=(200, 200, 2)),
    }[layout]
    result = runtime.unbroadcast(g, np.zeros((200, 1, 2)))
    np.testing.assert_allclose(result, summed_to(g, (200, 1, 2)), rtol=1e-12)


def test_shape_of_keeps_shape_and_dtype_and_no_data():
    for x in (3.0, np.float32(2.0), np.ones((3, 0, 2), np.float32), np.ones((4, 5))):
        carrier = runtime.shape_of(x)
        assert carrier.shape == np.shape(x)
        assert carrier.dtype == np.asarray(x).dtype
        assert not carrier.flags.writeable
        assert carrier.size == 0 or not np.any(carrier)
        assert carrier.strides == (0,) * carrier.ndim


@pytest.mark.parametrize(
    "t_shape, x_shape", [((3,), (4, 3)), ((), (2, 3)), ((2, 1), (2, 5)), ((3,), (3,))]
)
def test_broadcast_like_and_unbroadcast_are_adjoint(t_shape, x_shape):
    """⟨broadcast_like(t, x), g⟩ = ⟨t, unbroadcast(g, t)⟩: the adjoint rule of one is the other."""
    rng = np.random.default_rng(3)
    t, g = rng.normal(size=t_shape), rng.normal(size=x_shape)
    spread = runtime.broadcast_like(t, np.zeros(x_shape, np.float32))
    assert spread.shape == x_shape
    lhs = np.sum(spread * g)
    rhs = np.sum(t * runtime.unbroadcast(g, t))
    assert lhs == pytest.approx(rhs, rel=1e-6)


def test_broadcast_like_keeps_a_float32_result():
    spread = runtime.broadcast_like(2.0, np.zeros((2, 3), np.float32))
    assert spread.dtype == np.float32 and spread.shape == (2, 3)
    same = np.ones((2, 3))
    assert runtime.broadcast_like(same, np.zeros((2, 3))) is same


def test_divide_is_ieee_where_python_raises():
    assert runtime.divide(3.0, 2.0) == 1.5
    assert runtime.divide(1.0, 0.0) == math.inf
    assert runtime.divide(-1.0, 0.0) == -math.inf
    assert runtime.divide(1.0, -0.0) == -math.inf
    assert math.isnan(runtime.divide(0.0, 0.0))
    assert math.isnan(runtime.divide(math.nan, 0.0))
    assert runtime.divide(2, 0) == math.inf


def test_power_factor_is_the_factor_of_y_in_the_derivative_of_a_power():
    assert runtime.power_factor(2.0, 3.0) == 4.0
    assert runtime.power_factor(-2.0, 3) == 4.0
    assert runtime.power_factor(0.0, 0.0) == 0.0
    assert runtime.power_factor(0.0, 0.5) == math.inf
    assert runtime.power_factor(-0.0, 0.0) == 0.0
    assert runtime.power_factor(-0.0, -1.0) == math.inf
    assert runtime.power_factor(-0.0, 0) == 0.0
    with np.errstate(all="ignore"):
        values = runtime.power_factor(
            np.array([0.0, 0.0, 2.0]), np.array([0.0, 0.5, 3.0])
        )
    np.testing.assert_array_equal(values, [0.0, np.inf, 4.0])


def test_xlogy_never_raises():
    assert runtime.xlogy(0.0, -1.0) == 0.0
    assert runtime.xlogy(2.0, 0.0) == -math.inf
    assert math.isnan(runtime.xlogy(2.0, -1.0))
    assert runtime.xlogy(2.0, math.e) == pytest.approx(2.0)


@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (3, 3), (4, 3, 3)])
def test_cofactor_is_det_times_inverse_transposed(shape):
    x = np.random.default_rng(7).normal(size=shape)
    expected = np.linalg.det(x)[..., None, None] * np.swapaxes(np.linalg.inv(x), -1, -2)
    np.testing.assert_allclose(runtime.cofactor(x), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        runtime.inverse_transposed(x), np.swapaxes(np.linalg.inv(x), -1, -2), rtol=1e-12
    )


def test_cofactor_of_singular_matrices():
    np.testing.assert_allclose(
        runtime.cofactor(np.array([[1.0, 2.0], [2.0, 4.0]])), [[4.0, -2.0], [-2.0, 1.0]]
    )
    np.testing.assert_allclose(runtime.cofactor(np.zeros((3, 3))), np.zeros((3, 3)))
    assert runtime.cofactor(np.ones((2, 2), np.float32)).dtype == np.float32


def test_zeros_like_of_a_tuple_is_a_list_of_zeros():
    zeros = runtime.zeros_like((np.ones(3), 2.0))
    assert isinstance(zeros, list) and len(zeros) == 2
    np.testing.assert_array_equal(zeros[0], np.zeros(3))
    assert zeros[1] == 0.0


def test_add_seq_adds_a_number_to_each_element():
    from s2sad import runtime

    assert runtime.add_seq(0.0, [1.0, np.ones(2)])[0] == 1.0
    np.testing.assert_array_equal(
        runtime.add_seq([np.ones(2), 2.0], 1.0)[0], 2 * np.ones(2)
    )
    assert runtime.add_seq([1.0, 2.0], (3.0, 4.0)) == [4.0, 6.0]
