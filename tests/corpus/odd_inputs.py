"""Odd arguments: ints, bools, 0-d and empty arrays, float32, complex,
``np.matrix``, lists and tuples, nan and inf, views and read-only arrays.
Each must give the right derivative or a clear error."""

import math

import numpy as np

from corpus.entry import derivative, each_call, either, error


def cube(x):
    return x * x * x


def smooth(x):
    return math.atan(x) * 2.0


def pair_product(x):
    return x[0] * x[1]


def elementwise(x):
    return np.sin(x) * x


def loss(x):
    return np.sum(x * x + np.sin(x))


def weighted(x, w):
    return np.sum(x * w)


def matrix_loss(A):
    return np.sum(A * A)


def first_times_last(x):
    return x[0] * x[-1]


def scaled(x, n):
    return x * n


def loops_over(x, items):
    total = 0.0
    for k in range(len(items)):
        total = total + items[k] * x
    return total


def readonly(shape):
    array = np.linspace(0.2, 0.8, int(np.prod(shape))).reshape(shape)
    array.flags.writeable = False
    return array


ROW = np.array([0.3, -0.6, 0.9])
GRID = np.arange(1.0, 7.0).reshape(2, 3) / 7.0

ENTRIES = [
    either(cube, 3, name="int-argument"),
    either(cube, True, name="bool-argument"),
    either(cube, 3, call="jvp", tangents=(1.0,), name="int-argument-jvp"),
    derivative(cube, np.float64(0.7), name="np-float64-argument"),
    derivative(cube, np.float32(0.7), rtol=1e-3, name="np-float32-scalar"),
    derivative(cube, -0.0, name="negative-zero"),
    derivative(cube, 1e-310, name="subnormal"),
    derivative(smooth, math.nan, name="nan-argument"),
    derivative(smooth, math.inf, name="inf-argument"),
    derivative(smooth, -math.inf, call="jvp", name="minus-inf-argument-jvp"),
    derivative(smooth, 1e300, name="huge-argument"),
    error(cube, 0.7 + 0.1j, name="complex-argument"),
    error(loss, ROW + 0.1j, name="complex-array"),
    derivative(loss, np.array(0.7), name="0d-array"),
    derivative(loss, np.array(0.7), call="jvp", name="0d-array-jvp"),
    derivative(loss, np.array(0.7), call="vjp", name="0d-array-vjp"),
    derivative(loss, np.zeros(0), name="empty-array"),
    derivative(loss, np.zeros((0, 3)), name="empty-2d-array"),
    derivative(loss, np.zeros(0), call="vjp", name="empty-array-vjp"),
    derivative(loss, ROW.astype(np.float32), rtol=1e-3, name="float32-array"),
    derivative(
        loss, ROW.astype(np.float32), call="jvp", rtol=1e-3, name="float32-array-jvp"
    ),
    derivative(loss, ROW.astype(np.float16), rtol=5e-2, name="float16-array"),
    either(loss, np.array([1, 2, 3]), name="int-array"),
    either(loss, np.array([True, False]), rtol=1e-3, name="bool-array"),
    either(pair_product, [0.3, -0.6], name="list-argument"),
    either(pair_product, (0.3, -0.6), name="tuple-argument"),
    either(pair_product, (0.3, -0.6), call="vjp", name="tuple-argument-vjp"),
    error(matrix_loss, np.matrix(GRID), name="np-matrix"),
    error(matrix_loss, np.matrix(GRID), call="jvp", name="np-matrix-jvp"),
    derivative(loss, GRID.copy(), name="2d-array"),
    derivative(loss, np.arange(1.0, 25.0).reshape(2, 3, 4) / 25.0, name="3d-array"),
    derivative(loss, np.asfortranarray(GRID), name="fortran-order"),
    derivative(loss, np.arange(1.0, 9.0)[::2] / 9.0, name="strided-view"),
    derivative(loss, GRID.T, name="transposed-view"),
    derivative(loss, readonly((2, 3)), name="read-only-array"),
    derivative(loss, readonly((2, 3)), call="vjp", name="read-only-array-vjp"),
    derivative(loss, np.broadcast_to(ROW, (2, 3)), name="broadcast-view"),
    derivative(loss, np.ma.masked_array(ROW, mask=[0, 1, 0]).data, name="masked-data"),
    either(loss, np.ma.masked_array(ROW, mask=[0, 1, 0]), name="masked-array"),
    derivative(
        elementwise, np.array([math.nan, 0.3]), call="jvp", name="array-with-nan"
    ),
    derivative(
        elementwise, np.array([math.inf, 0.3]), call="jvp", name="array-with-inf"
    ),
    derivative(first_times_last, ROW.copy(), name="index-first-last"),
    derivative(
        weighted, ROW.copy(), np.array([1, 2, 3]), wrt=0, name="int-array-weights"
    ),
    derivative(weighted, ROW.copy(), 2, wrt=0, name="int-weight"),
    derivative(
        weighted, ROW.copy(), GRID.copy(), wrt=(0, 1), name="broadcast-arguments"
    ),
    derivative(scaled, 0.7, 3, name="int-second-argument"),
    derivative(
        scaled, 0.7, 3, call="jvp", tangents=(1.0, 0), name="int-second-argument-jvp"
    ),
    either(
        scaled, 0.7, 3, call="jvp", tangents=(1.0, None), name="none-tangent-for-int"
    ),
    either(loops_over, 0.7, [1.0, 2.0, 3.0], name="list-looped-over"),
    either(loops_over, 0.7, ROW.copy(), name="array-looped-over"),
]
ENTRIES += each_call(derivative, loss, np.linspace(-1.0, 1.0, 7), calls=("jvp", "vjp"))
ENTRIES += each_call(either, cube, np.float32(0.7), calls=("jvp", "vjp"), rtol=1e-3)
