"""Every differentiable NumPy primitive on arrays, in both modes, against finite differences.

Each case is a small user function calling one NumPy function (``np.sum(x,
axis=1, keepdims=True)``, ``x[1:3]``, ``x ** y``) with inputs of a given shape
drawn from one seeded generator.  Per case:

* tangent: ``jvp`` along a random direction against central differences;
* adjoint: ``grad`` of ``np.sum(f(...) * C)`` against central differences, for
  every argument (gradients shaped like the arguments);
* modes: the dot-product test ``<J t, c> == <t, J^T c>`` between ``jvp`` and ``vjp``.

``test_table_covers_every_numpy_primitive`` lowers every case and fails when a
differentiable NumPy primitive of the rule table is reached by none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pytest
from numerics import (
    assert_close,
    central_directional_arrays,
    central_gradient_arrays,
)

import s2sad
from s2sad.frontend.program import lower
from s2sad.rules.registry import PRIMITIVES

RNG = np.random.default_rng(0)
RTOL, ATOL = 1e-6, 1e-8
"""Against central differences with step 1e-6."""
MODES_RTOL = 1e-10
"""The dot-product test: both sides are exact up to rounding."""


# ---------------------------------------------------------------- inputs


def normal(*shape):
    """Standard normal values."""
    return RNG.normal(size=shape)


def positive(*shape):
    """Values in [0.5, 2]: for log, sqrt, powers of a base."""
    return RNG.uniform(0.5, 2.0, size=shape)


def unit(*shape):
    """Values in (-0.9, 0.9): for arcsin, arccos, arctanh."""
    return RNG.uniform(-0.9, 0.9, size=shape)


def above_one(*shape):
    """Values in [1.2, 3]: for arccosh."""
    return RNG.uniform(1.2, 3.0, size=shape)


def away(*shape):
    """Values of either sign, at least 0.3 from 0: for abs, sign, 1 / x, prod."""
    return RNG.choice([-1.0, 1.0], size=shape) * RNG.uniform(0.3, 2.0, size=shape)


def angle(*shape):
    """Values in (-1.2, 1.2): for tan."""
    return RNG.uniform(-1.2, 1.2, size=shape)


def matrix(n, *batch):
    """A well-conditioned ``n`` x ``n`` matrix (or a batch of them)."""
    return 2.0 * np.eye(n) + 0.4 * RNG.normal(size=(*batch, n, n))


def number():
    """A Python float."""
    return float(RNG.uniform(0.5, 1.5))


def direction_like(value):
    """A random tangent or cotangent shaped like ``value`` (a float for a number)."""
    if np.ndim(value) == 0:
        return float(RNG.normal())
    return RNG.normal(size=np.shape(value))


# ---------------------------------------------------------------- the table


@dataclass
class Case:
    """One user function at one point, with a tangent per argument and a cotangent."""

    fn: Callable[..., Any]
    args: tuple
    tangents: tuple
    cotangent: Any
    id: str
    xfail: dict[str, str] = field(default_factory=dict)


CASES: list[Case] = []
TESTS = ("tangent", "adjoint", "modes")


def shape_text(value):
    if isinstance(value, float):
        return "f"
    return "x".join(map(str, np.shape(value))) or "0d"


def case(fn, *args, label=None, xfail=None):
    """Add ``fn`` at ``args`` to the table, with the id ``name[-label]-shapes``.
    ``xfail`` is a reason (every test fails) or a dict from test kind
    (``tangent``, ``adjoint``, ``modes``) to reason."""
    ident = "-".join([fn.__name__, *([label] if label else []), *map(shape_text, args)])
    assert ident not in {c.id for c in CASES}, f"two cases {ident}: give one a label"
    if isinstance(xfail, str):
        xfail = dict.fromkeys(TESTS, xfail)
    out = fn(*args)
    CASES.append(
        Case(
            fn,
            args,
            tuple(direction_like(a) for a in args),
            direction_like(out),
            ident,
            xfail or {},
        )
    )


# ---------------------------------------------------------------- elementwise, one argument


def negative(x):
    return np.negative(x)


def positive_(x):
    return np.positive(x)


def square(x):
    return np.square(x)


def sqrt(x):
    return np.sqrt(x)


def cbrt(x):
    return np.cbrt(x)


def reciprocal(x):
    return np.reciprocal(x)


def absolute(x):
    return np.absolute(x)


def abs_(x):
    return np.abs(x)


def fabs(x):
    return np.fabs(x)


def abs_builtin(x):
    return abs(np.sin(x))


def exp(x):
    return np.exp(x)


def expm1(x):
    return np.expm1(x)


def exp2(x):
    return np.exp2(x)


def log(x):
    return np.log(x)


def log1p(x):
    return np.log1p(x)


def log2(x):
    return np.log2(x)


def log10(x):
    return np.log10(x)


def sin(x):
    return np.sin(x)


def cos(x):
    return np.cos(x)


def tan(x):
    return np.tan(x)


def arcsin(x):
    return np.arcsin(x)


def arccos(x):
    return np.arccos(x)


def arctan(x):
    return np.arctan(x)


def deg2rad(x):
    return np.deg2rad(x)


def radians(x):
    return np.radians(x)


def rad2deg(x):
    return np.rad2deg(x)


def degrees(x):
    return np.degrees(x)


def sinc(x):
    return np.sinc(x)


def sinh(x):
    return np.sinh(x)


def cosh(x):
    return np.cosh(x)


def tanh(x):
    return np.tanh(x)


def arcsinh(x):
    return np.arcsinh(x)


def arccosh(x):
    return np.arccosh(x)


def arctanh(x):
    return np.arctanh(x)


def sign(x):
    return np.sign(x)


def floor(x):
    return np.floor(x)


def ceil(x):
    return np.ceil(x)


def trunc(x):
    return np.trunc(x)


def rint(x):
    return np.rint(x)


def round_(x):
    return np.round(x)


def round_decimals(x):
    return np.round(x, 1)


def around(x):
    return np.around(x, decimals=2)


UNARY = [
    (negative, normal),
    (positive_, normal),
    (square, normal),
    (sqrt, positive),
    (cbrt, away),
    (reciprocal, away),
    (absolute, away),
    (abs_, away),
    (fabs, away),
    (abs_builtin, away),
    (exp, normal),
    (expm1, normal),
    (exp2, normal),
    (log, positive),
    (log1p, positive),
    (log2, positive),
    (log10, positive),
    (sin, normal),
    (cos, normal),
    (tan, angle),
    (arcsin, unit),
    (arccos, unit),
    (arctan, normal),
    (deg2rad, normal),
    (radians, normal),
    (rad2deg, normal),
    (degrees, normal),
    (sinc, normal),
    (sinh, normal),
    (cosh, normal),
    (tanh, normal),
    (arcsinh, normal),
    (arccosh, above_one),
    (arctanh, unit),
    (sign, away),
    (floor, normal),
    (ceil, normal),
    (trunc, normal),
    (rint, normal),
    (round_, normal),
    (round_decimals, normal),
    (around, normal),
]
for _fn, _draw in UNARY:
    case(_fn, _draw(3, 4))
    case(_fn, _draw(2, 1, 3))
case(sinc, np.array([-1.5, -0.25, 0.0, 0.5, 2.0]), label="at_zero")
case(sqrt, 2.25)


# ---------------------------------------------------------------- elementwise, two arguments


def add(x, y):
    return np.add(x, y)


def subtract(x, y):
    return np.subtract(x, y)


def multiply(x, y):
    return np.multiply(x, y)


def divide(x, y):
    return np.divide(x, y)


def true_divide(x, y):
    return np.true_divide(x, y)


def power(x, y):
    return np.power(x, y)


def pow_operator(x, y):
    return np.exp(x) ** y


def float_power(x, y):
    return np.float_power(x, y)


def hypot(x, y):
    return np.hypot(x, y)


def logaddexp(x, y):
    return np.logaddexp(x, y)


def logaddexp2(x, y):
    return np.logaddexp2(x, y)


def arctan2(y, x):
    return np.arctan2(y, x)


def maximum(x, y):
    return np.maximum(x, y)


def minimum(x, y):
    return np.minimum(x, y)


def fmax(x, y):
    return np.fmax(x, y)


def fmin(x, y):
    return np.fmin(x, y)


def copysign(x):
    return np.copysign(x, np.array([1.0, -1.0, -2.0, 0.5]))


def copysign_float(x):
    return np.copysign(x, -1.0)


def fmod(x, y):
    return np.fmod(x, y)


def remainder(x, y):
    return np.remainder(x, y)


def mod(x, y):
    return np.mod(x, y)


def floor_divide(x, y):
    return np.floor_divide(x, y)


BINARY = [
    (add, normal, normal),
    (subtract, normal, normal),
    (multiply, normal, normal),
    (divide, normal, away),
    (power, positive, normal),
    (pow_operator, normal, normal),
    (float_power, positive, normal),
    (hypot, normal, normal),
    (logaddexp, normal, normal),
    (logaddexp2, normal, normal),
    (arctan2, normal, normal),
    (maximum, normal, normal),
    (minimum, normal, normal),
    (fmax, normal, normal),
    (fmin, normal, normal),
    (fmod, normal, positive),
    (remainder, normal, away),
    (floor_divide, normal, positive),
]
for _fn, _left, _right in BINARY:
    case(_fn, _left(3, 4), _right(4))
    case(_fn, _left(3, 1), _right(3, 4))
for _fn in (add, multiply, arctan2, maximum):
    case(_fn, normal(2, 3), normal(2, 3))
case(true_divide, normal(4), away(2, 1))
case(mod, normal(3, 4), positive(3, 1))
case(copysign, away(3, 4))
case(copysign, away(2, 1, 4))
case(copysign_float, away(3, 4))


def sign_times_sin(x):
    return np.sign(x) * np.sin(x)


def floor_plus(x):
    return np.floor(x) + x * x


def ceil_times(x):
    return np.ceil(x) * x


def trunc_minus(x):
    return x - np.trunc(x)


def rint_times(x):
    return np.rint(x) * np.exp(x)


def round_plus(x):
    return np.round(x, 1) + np.around(x) * x


def floor_divide_times(x, y):
    return np.floor_divide(x, y) * y + np.sin(x)


# A zero derivative added to a nonzero one keeps its shape: these pass, and
# check the zero rules' values where the cases above fail on the shape alone.
case(sign_times_sin, away(3, 4))
case(floor_plus, normal(3, 4))
case(ceil_times, normal(3, 4))
case(trunc_minus, normal(2, 3))
case(rint_times, normal(3, 4))
case(round_plus, normal(3, 4))
case(floor_divide_times, normal(3, 4), positive(4))


def heaviside_times(x, h):
    return np.heaviside(x, h) * x + h


def heaviside_at_zero(h):
    return np.heaviside(np.array([0.0, 1.0, -1.0]), h)


case(heaviside_times, away(3, 4), normal(4))
case(heaviside_at_zero, normal(3))


def add_float(x):
    return np.add(x, 1.5)


def subtract_from_float(x):
    return np.subtract(2.0, x)


def divide_float(x):
    return np.divide(1.0, x)


def power_float_exponent(x):
    return np.power(x, 2.5)


def power_float_base(y):
    return np.power(1.7, y)


def float_power_float(x):
    return np.float_power(x, 3.0)


def pow_operator_float_exponent(x):
    return np.abs(x) ** 1.5


def pow_operator_float_base(y):
    return 2.0 ** np.sin(y)


def square_by_pow(x):
    return np.cos(x) ** 2


def maximum_float(x):
    return np.maximum(x, 0.25)


def hypot_float(x):
    return np.hypot(3.0, x)


def multiply_number_argument(x, s):
    return np.multiply(s, x)


def scaled_by_float_parameter(x, s: float):
    return np.sin(s * x) / s


def arctan2_number_argument(y, x):
    return np.arctan2(y, x)


case(add_float, normal(3, 4))
case(subtract_from_float, normal(4))
case(divide_float, away(3, 4))
case(power_float_exponent, positive(3, 4))
case(power_float_base, normal(3, 4))
case(float_power_float, positive(2, 3))
case(pow_operator_float_exponent, away(3, 4))
case(pow_operator_float_base, normal(3, 4))
case(square_by_pow, normal(3, 4))
case(maximum_float, normal(3, 4))
case(hypot_float, normal(4))
case(multiply_number_argument, normal(3, 4), number())
case(scaled_by_float_parameter, normal(3, 4), number())
case(arctan2_number_argument, number(), normal(3))


def clip(x):
    return np.clip(x, -0.5, 0.5)


def clip_below(x):
    return np.clip(x, 0.0, None)


def where(x, y):
    return np.where(x > 0.0, x, y)


def where_float(x):
    return np.where(x > 0.0, np.sin(x), 0.5)


def where_broadcast(x, y):
    return np.where(x > y, x * y, y)


case(clip, normal(3, 4))
case(clip_below, normal(5))
case(where, normal(3, 4), normal(4))
case(where, normal(3, 1), normal(3, 4))
case(where_float, normal(3, 4))
case(where_broadcast, normal(3, 4), normal(3, 1))


# ---------------------------------------------------------------- reductions


def sum_method(x):
    return x.sum(axis=0)


def mean_method(x):
    return x.mean()


def max_method_keepdims(x):
    return x.max(axis=1, keepdims=True)


def sum_all(x):
    return np.sum(x)


def sum_axis0(x):
    return np.sum(x, axis=0)


def sum_axis1_keepdims(x):
    return np.sum(x, axis=1, keepdims=True)


def sum_negative_axis(x):
    return np.sum(x, axis=-1)


def sum_axes_tuple(x):
    return np.sum(x, axis=(0, 2))


def sum_all_keepdims(x):
    return np.sum(x, keepdims=True)


def mean_all(x):
    return np.mean(x)


def mean_axis1(x):
    return np.mean(x, axis=1)


def mean_axes_keepdims(x):
    return np.mean(x, axis=(0, 1), keepdims=True)


def prod_all(x):
    return np.prod(x)


def prod_axis0(x):
    return np.prod(x, axis=0)


def prod_axis1_keepdims(x):
    return np.prod(x, axis=1, keepdims=True)


def prod_negative_axes(x):
    return np.prod(x, axis=(-1, 0))


def max_all(x):
    return np.max(x)


def max_axis1(x):
    return np.max(x, axis=1)


def max_axis0_keepdims(x):
    return np.max(x, axis=0, keepdims=True)


def amax_axes(x):
    return np.amax(x, axis=(1, 2))


def min_all(x):
    return np.min(x)


def min_axis0(x):
    return np.min(x, axis=0)


def amin_axis1_keepdims(x):
    return np.amin(x, axis=1, keepdims=True)


def var_all(x):
    return np.var(x)


def var_axis0(x):
    return np.var(x, axis=0)


def var_ddof_keepdims(x):
    return np.var(x, axis=1, ddof=1, keepdims=True)


def std_all(x):
    return np.std(x)


def std_axis1(x):
    return np.std(x, axis=1)


def std_ddof(x):
    return np.std(x, axis=(0, 2), ddof=1)


def cumsum_flat(x):
    return np.cumsum(x)


def cumsum_axis0(x):
    return np.cumsum(x, axis=0)


def cumsum_axis_last(x):
    return np.cumsum(x, axis=-1)


def cumprod_flat(x):
    return np.cumprod(x)


def cumprod_axis1(x):
    return np.cumprod(x, axis=1)


def trace(x):
    return np.trace(x)


def trace_offset(x):
    return np.trace(x, offset=1)


def trace_negative_offset(x):
    return np.trace(x, -1)


case(sum_all, normal(3, 4))
case(sum_method, normal(3, 4))
case(mean_method, normal(3, 4))
case(max_method_keepdims, normal(3, 4))
case(sum_all, normal(5))
case(sum_axis0, normal(3, 4))
case(sum_axis1_keepdims, normal(3, 4))
case(sum_negative_axis, normal(2, 3, 4))
case(sum_axes_tuple, normal(2, 3, 4))
case(sum_all_keepdims, normal(3, 4))
case(mean_all, normal(3, 4))
case(mean_axis1, normal(3, 4))
case(mean_axes_keepdims, normal(2, 3, 4))
case(prod_all, away(2, 3))
case(prod_axis0, away(3, 4))
case(prod_axis1_keepdims, away(3, 4))
case(prod_all, np.array([[0.5, -1.5, 0.0], [2.0, 1.2, -0.7]]), label="zero")
case(
    prod_axis0,
    np.array([[0.0, 0.0, 1.5], [0.0, 1.3, 0.0], [0.8, -0.6, 2.0]]),
    label="zeros",
)
case(prod_negative_axes, away(2, 3, 2))
case(
    prod_negative_axes,
    np.where(RNG.uniform(size=(2, 3, 2)) < 0.3, 0.0, away(2, 3, 2)),
    label="zeros",
)
case(max_all, normal(3, 4))
case(max_axis1, normal(3, 4))
case(max_axis0_keepdims, normal(3, 4))
case(amax_axes, normal(2, 3, 4))
case(min_all, normal(3, 4))
case(min_axis0, normal(3, 4))
case(amin_axis1_keepdims, normal(3, 4))
case(var_all, normal(3, 4))
case(var_axis0, normal(3, 4))
case(var_ddof_keepdims, normal(3, 4))
case(std_all, normal(3, 4))
case(std_axis1, normal(3, 4))
case(std_ddof, normal(2, 3, 4))
case(cumsum_flat, normal(3, 4))
case(cumsum_axis0, normal(3, 4))
case(cumsum_axis_last, normal(2, 3, 4))
case(cumprod_flat, away(2, 3))
case(cumprod_axis1, away(3, 4))
case(
    cumprod_axis1,
    np.array([[0.5, 0.0, 1.5, 2.0], [0.0, 1.3, 0.0, -0.9]]),
    label="zeros",
)
case(cumprod_flat, np.array([1.5, -0.5, 0.0, 2.0, 0.7]), label="zero")
case(trace, normal(3, 3))
case(trace_offset, normal(3, 4))
case(trace_negative_offset, normal(4, 3))
case(trace, normal(3, 3, 2))


def norm(x):
    return np.linalg.norm(x)


def norm_ord1(x):
    return np.linalg.norm(x, 1)


def norm_ord2(x):
    return np.linalg.norm(x, ord=2)


def norm_ord3(x):
    return np.linalg.norm(x, ord=3)


def norm_ord_half(x):
    return np.linalg.norm(x, ord=0.5)


def norm_inf(x):
    return np.linalg.norm(x, ord=np.inf)


def norm_minus_inf(x):
    return np.linalg.norm(x, ord=-np.inf)


def norm_ord_minus1(x):
    return np.linalg.norm(x, -1)


def norm_axis1(x):
    return np.linalg.norm(x, axis=1)


def norm_ord1_axis0_keepdims(x):
    return np.linalg.norm(x, ord=1, axis=0, keepdims=True)


def norm_fro(x):
    return np.linalg.norm(x, "fro")


def norm_nuc(x):
    return np.linalg.norm(x, "nuc")


def norm_matrix_ord1(x):
    return np.linalg.norm(x, 1)


def norm_matrix_inf(x):
    return np.linalg.norm(x, np.inf)


def norm_matrix_ord_minus1(x):
    return np.linalg.norm(x, -1)


def norm_spectral(x):
    return np.linalg.norm(x, 2)


def norm_smallest_singular(x):
    return np.linalg.norm(x, -2)


def norm_matrix_axes(x):
    return np.linalg.norm(x, ord="fro", axis=(1, 2))


def norm_spectral_axes_keepdims(x):
    return np.linalg.norm(x, ord=2, axis=(0, 2), keepdims=True)


case(norm, normal(5))
case(norm, normal(3, 4))
case(norm, normal(2, 3, 2))
case(norm_ord_minus1, away(4))
case(norm_ord1, away(5))
case(norm_ord2, normal(5))
case(norm_ord3, away(5))
case(norm_ord_half, away(4))
case(norm_inf, normal(5))
case(norm_minus_inf, away(5))
case(norm_axis1, normal(3, 4))
case(norm_ord1_axis0_keepdims, away(3, 4))
case(norm_fro, normal(3, 4))
case(norm_nuc, normal(3, 4))
case(norm_matrix_ord1, away(3, 4))
case(norm_matrix_inf, away(3, 4))
case(norm_matrix_ord_minus1, away(3, 4))
case(norm_spectral, normal(3, 4))
case(norm_smallest_singular, normal(3, 3))
case(norm_matrix_axes, normal(2, 3, 4))
case(norm_spectral_axes_keepdims, normal(3, 2, 4))


# ---------------------------------------------------------------- products and linear algebra


def matmul_operator(x, y):
    return x @ y


def matmul(x, y):
    return np.matmul(x, y)


def dot(x, y):
    return np.dot(x, y)


def vdot(x, y):
    return np.vdot(x, y)


def inner(x, y):
    return np.inner(x, y)


def outer(x, y):
    return np.outer(x, y)


def tensordot(x, y):
    return np.tensordot(x, y)


def tensordot_axes1(x, y):
    return np.tensordot(x, y, axes=1)


def tensordot_axes_pairs(x, y):
    return np.tensordot(x, y, axes=([1, 0], [0, 1]))


def tensordot_axes_ints(x, y):
    return np.tensordot(x, y, axes=(0, 1))


case(matmul_operator, normal(3, 4), normal(4, 2))
case(matmul_operator, normal(4), normal(4, 2))
case(matmul_operator, normal(3, 4), normal(4))
case(matmul_operator, normal(4), normal(4))
case(matmul_operator, normal(2, 3, 4), normal(4, 2))
case(matmul_operator, normal(2, 1, 3, 4), normal(3, 4, 2))
case(matmul, normal(3, 4), normal(4, 2))
case(matmul, normal(4), normal(2, 4, 3))
case(dot, normal(3, 4), normal(4, 2))
case(dot, normal(4), normal(4))
case(dot, normal(3, 4), normal(4))
case(dot, normal(4), normal(4, 3))
case(dot, normal(3, 4), number())
case(vdot, normal(5), normal(5))
case(vdot, normal(3, 4), normal(3, 4))
case(inner, normal(4), normal(4))
case(inner, normal(3, 4), normal(2, 4))
case(inner, normal(3, 4), normal(4))
case(inner, normal(2, 3, 4), normal(4))
case(outer, normal(3), normal(4))
case(outer, normal(2, 2), normal(3))
case(tensordot, normal(2, 3, 4), normal(3, 4, 2))
case(tensordot_axes1, normal(3, 4), normal(4, 2))
case(tensordot_axes_pairs, normal(3, 4, 2), normal(4, 3, 5))
case(tensordot_axes_ints, normal(3, 4), normal(2, 3))


def einsum_transpose(x):
    return np.einsum("ij->ji", x)


def einsum_row_sums(x):
    return np.einsum("ij->i", x)


def einsum_total(x):
    return np.einsum("ijk->", x)


def einsum_implicit_transpose(x):
    return np.einsum("ji", x)


def einsum_matmul(x, y):
    return np.einsum("ij,jk->ik", x, y)


def einsum_inner(x, y):
    return np.einsum("i,i->", x, y)


def einsum_matvec(x, y):
    return np.einsum("ij,j->i", x, y)


def einsum_batch_matmul(x, y):
    return np.einsum("bij,bjk->bik", x, y)


def einsum_outer(x, y):
    return np.einsum("i,j->ij", x, y)


def einsum_implicit(x, y):
    return np.einsum("ij,kj", x, y)


def einsum_summed_letter(x, y):
    return np.einsum("ij,k->i", x, y)


def einsum_trace(x):
    return np.einsum("ii->", x)


def einsum_diagonal(x):
    return np.einsum("ii->i", x)


def einsum_chain(x, y, z):
    return np.einsum("ij,jk,k->i", x, y, z)


def einsum_ellipsis_matmul(x, y):
    return np.einsum("...ij,...jk->...ik", x, y)


def einsum_ellipsis_rows(x):
    return np.einsum("...i->...", x)


def einsum_ellipsis_broadcast(x, y):
    return np.einsum("...i,...i->...", x, y)


def einsum_implicit_ellipsis(x):
    return np.einsum("i...", x)


def einsum_ellipsis_between(x):
    return np.einsum("i...j->j...i", x)


def einsum_broadcast_letter(x, y):
    return np.einsum("ij,ij->i", x, y)


case(einsum_ellipsis_matmul, normal(2, 3, 4), normal(4, 2))
case(einsum_ellipsis_matmul, normal(3, 4), normal(2, 4, 2))
case(einsum_ellipsis_rows, normal(2, 3, 4))
case(einsum_ellipsis_broadcast, normal(1, 3), normal(4, 3))
case(einsum_ellipsis_broadcast, normal(2, 1, 3), normal(4, 3))
case(einsum_implicit_ellipsis, normal(3, 2))
case(einsum_ellipsis_between, normal(2, 3, 4, 5))
case(einsum_broadcast_letter, normal(3, 1), normal(3, 4))
case(einsum_trace, normal(3, 3))
case(einsum_diagonal, normal(4, 4))
case(einsum_chain, normal(3, 4), normal(4, 2), normal(2))
case(einsum_transpose, normal(3, 4))
case(einsum_row_sums, normal(3, 4))
case(einsum_total, normal(2, 3, 4))
case(einsum_implicit_transpose, normal(3, 4))
case(einsum_matmul, normal(3, 4), normal(4, 2))
case(einsum_inner, normal(5), normal(5))
case(einsum_matvec, normal(3, 4), normal(4))
case(einsum_batch_matmul, normal(2, 3, 4), normal(2, 4, 2))
case(einsum_outer, normal(3), normal(4))
case(einsum_implicit, normal(3, 4), normal(2, 4))
case(einsum_summed_letter, normal(3, 4), normal(2))


def matmul_constant_left(x):
    return np.array([[1.0, -2.0, 0.5, 3.0], [0.0, 1.5, -1.0, 2.0]]) @ x


def matmul_constant_right(x):
    return x @ np.array([1.0, -2.0, 0.5, 3.0])


def dot_constant(x):
    return np.dot(x, np.array([[1.0, -2.0], [0.5, 3.0], [0.0, 1.5], [-1.0, 2.0]]))


def vdot_constant(x):
    return np.vdot(np.array([1.0, -2.0, 0.5, 3.0]), x)


def inner_constant(x):
    return np.inner(x, np.array([1.0, -2.0, 0.5, 3.0]))


def outer_constant(x):
    return np.outer(np.array([1.0, -2.0, 0.5]), x)


def tensordot_constant(x):
    return np.tensordot(np.array([[1.0, -2.0, 0.5, 3.0], [0.0, 1.5, -1.0, 2.0]]), x, 1)


def einsum_constant(x):
    return np.einsum("ij,jk->ik", np.array([[1.0, -2.0, 0.5, 3.0]]), x)


def multiply_constant(x):
    return np.multiply(np.array([1.0, -2.0, 0.5, 3.0]), x)


for _fn, _shape in (
    (matmul_constant_left, (4, 3)),
    (matmul_constant_right, (3, 4)),
    (dot_constant, (3, 4)),
    (vdot_constant, (4,)),
    (inner_constant, (4,)),
    (tensordot_constant, (4, 3)),
    (einsum_constant, (4, 2)),
):
    case(_fn, normal(*_shape))
case(outer_constant, normal(4))
case(multiply_constant, normal(3, 4))


def inv(x):
    return np.linalg.inv(x)


def solve(a, b):
    return np.linalg.solve(a, b)


def det(x):
    return np.linalg.det(x)


def solve_constant_matrix(b):
    return np.linalg.solve(
        np.array([[2.0, 0.5, 0.0], [0.1, 1.5, 0.3], [0.0, -0.4, 1.0]]), b
    )


def solve_constant_vector(a):
    return np.linalg.solve(a, np.array([1.0, -2.0, 0.5]))


def slogdet_logabsdet(x):
    return np.linalg.slogdet(x)[1]


def slogdet_unpacked(x):
    sign, logabsdet = np.linalg.slogdet(x)
    return sign * logabsdet


case(inv, matrix(3))
case(inv, matrix(2, 3))
case(solve, matrix(3), normal(3))
case(solve, matrix(3), normal(3, 2))
case(solve, matrix(3, 2), normal(2, 3, 2))
case(solve, matrix(3, 2), normal(3))
case(solve, matrix(3), normal(2, 3, 2))
case(solve_constant_matrix, normal(3))
case(solve_constant_matrix, normal(3, 2))
case(solve_constant_vector, matrix(3))
case(solve_constant_vector, matrix(3, 2))
case(det, matrix(3))
case(det, matrix(2, 4))
case(slogdet_logabsdet, matrix(3))
case(slogdet_logabsdet, -matrix(3), label="negative_det")
case(slogdet_unpacked, -matrix(2))
case(slogdet_unpacked, matrix(3, 2))


# ---------------------------------------------------------------- shapes


def reshape(x):
    return np.reshape(x, (2, 6))


def reshape_inferred(x):
    return np.reshape(x, (-1,))


def ravel(x):
    return np.ravel(x)


def transpose(x):
    return np.transpose(x)


def transpose_axes(x):
    return np.transpose(x, (1, 2, 0))


def transpose_negative_axes(x):
    return np.transpose(x, (-1, 0, 1))


def swapaxes(x):
    return np.swapaxes(x, 0, 2)


def moveaxis(x):
    return np.moveaxis(x, 0, -1)


def expand_dims(x):
    return np.expand_dims(x, 1)


def expand_dims_negative(x):
    return np.expand_dims(x, -1)


def moveaxis_several(x):
    return np.moveaxis(x, (0, 1), (2, 0))


def squeeze_axes(x):
    return np.squeeze(x, axis=(0, 2))


def repeat_last_axis(x):
    return np.repeat(x, [2, 0, 1], axis=-1)


def expand_dims_axes(x):
    return np.expand_dims(x, (0, 3))


def squeeze(x):
    return np.squeeze(x)


def squeeze_axis(x):
    return np.squeeze(x, axis=1)


def broadcast_to(x):
    return np.broadcast_to(x, (3, 4))


def broadcast_to_new_axes(x):
    return np.broadcast_to(x, (2, 3, 4))


def flip(x):
    return np.flip(x)


def flip_axis(x):
    return np.flip(x, axis=1)


def flip_axes(x):
    return np.flip(x, (0, 2))


def fliplr(x):
    return np.fliplr(x)


def flipud(x):
    return np.flipud(x)


def roll(x):
    return np.roll(x, 2)


def roll_axis(x):
    return np.roll(x, -1, axis=1)


def roll_axes(x):
    return np.roll(x, (1, -2), axis=(0, 1))


def triu(x):
    return np.triu(x)


def triu_k(x):
    return np.triu(x, 1)


def tril(x):
    return np.tril(x)


def tril_k(x):
    return np.tril(x, k=-1)


def diag(x):
    return np.diag(x)


def diag_k(x):
    return np.diag(x, 1)


def diag_negative_k(x):
    return np.diag(x, k=-1)


def diagonal(x):
    return np.diagonal(x)


def diagonal_offset(x):
    return np.diagonal(x, 1)


def diagonal_axes(x):
    return np.diagonal(x, offset=-1, axis1=1, axis2=2)


def tile(x):
    return np.tile(x, 2)


def tile_rows(x):
    return np.tile(x, (2, 1))


def tile_more_axes(x):
    return np.tile(x, (2, 1, 3))


def repeat(x):
    return np.repeat(x, 2)


def repeat_axis(x):
    return np.repeat(x, 3, axis=1)


def repeat_counts(x):
    return np.repeat(x, [1, 0, 2], axis=0)


def repeat_counts_last_zero(x):
    return np.repeat(x, [2, 1, 0], axis=0)


def repeat_counts_flat(x):
    return np.repeat(x, [0, 3, 1, 2])


for _fn, _shape in (
    (reshape, (3, 4)),
    (reshape, (4, 3)),
    (reshape_inferred, (3, 4)),
    (ravel, (3, 4)),
    (ravel, (2, 3, 2)),
    (transpose, (3, 4)),
    (transpose, (2, 3, 4)),
    (transpose_axes, (2, 3, 4)),
    (transpose_negative_axes, (2, 3, 4)),
    (swapaxes, (2, 3, 4)),
    (moveaxis, (2, 3, 4)),
    (expand_dims, (3, 4)),
    (expand_dims_axes, (3, 4)),
    (expand_dims_negative, (3, 4)),
    (moveaxis_several, (2, 3, 4)),
    (squeeze_axes, (1, 3, 1, 2)),
    (repeat_last_axis, (2, 3)),
    (squeeze, (3, 1, 4)),
    (squeeze_axis, (3, 1, 1)),
    (broadcast_to, (4,)),
    (broadcast_to, (3, 1)),
    (broadcast_to_new_axes, (3, 1)),
    (flip, (3, 4)),
    (flip_axis, (3, 4)),
    (flip_axes, (2, 3, 4)),
    (fliplr, (3, 4)),
    (flipud, (3, 4)),
    (flipud, (5,)),
    (roll, (3, 4)),
    (roll_axis, (3, 4)),
    (roll_axes, (3, 4)),
    (triu, (3, 4)),
    (triu_k, (4, 4)),
    (tril, (4, 3)),
    (tril_k, (4, 4)),
    (triu, (2, 3, 3)),
    (diag, (4,)),
    (diag_k, (3,)),
    (diag, (3, 3)),
    (diag_k, (3, 4)),
    (diag_negative_k, (4, 3)),
    (diagonal, (3, 4)),
    (diagonal_offset, (4, 3)),
    (diagonal_axes, (2, 3, 4)),
    (tile, (3,)),
    (tile, (2, 3)),
    (tile_rows, (2, 3)),
    (tile_more_axes, (2, 3)),
    (repeat, (2, 3)),
    (repeat_axis, (2, 3)),
    (repeat_counts, (3, 2)),
    (repeat_counts_last_zero, (3, 2)),
    (repeat_counts_flat, (2, 2)),
):
    case(_fn, normal(*_shape))


def transpose_attribute(x):
    return x.T


def transpose_attribute_3d(x):
    y = np.sin(x)
    return y.T


def transpose_attribute_of_call(x):
    return np.sin(x).T


case(transpose_attribute, normal(3, 4))
case(transpose_attribute_3d, normal(2, 3, 4))
case(transpose_attribute_of_call, normal(3, 4))


def concatenate(x, y):
    return np.concatenate([x, y])


def concatenate_axis1(x, y):
    return np.concatenate((x, y), axis=1)


def concatenate_three(x, y):
    return np.concatenate([x, np.sin(y), x], axis=-1)


def concatenate_flat(x, y):
    return np.concatenate([x, y], axis=None)


def stack(x, y):
    return np.stack([x, y])


def stack_axis(x, y):
    return np.stack((x, y, x), axis=1)


def stack_last_axis(x, y):
    return np.stack([x, y], axis=-1)


def hstack(x, y):
    return np.hstack([x, y])


def vstack(x, y):
    return np.vstack([x, y])


def split_piece(x):
    return np.split(x, [1, 3], axis=1)[1]


def split_pieces(x):
    a, b = np.split(x, 2)
    return a * b


def split_three(x):
    a, b, c = np.split(x, 3, axis=1)
    return a - 2.0 * b + np.sin(c)


case(concatenate, normal(2, 3), normal(1, 3))
case(concatenate, normal(4), normal(2))
case(concatenate_axis1, normal(3, 2), normal(3, 4))
case(concatenate_three, normal(2, 3), normal(2, 1))
case(concatenate_flat, normal(2, 3), normal(4))
case(stack, normal(3, 4), normal(3, 4))
case(stack_axis, normal(3), normal(3))
case(stack_last_axis, normal(2, 3), normal(2, 3))
case(hstack, normal(3), normal(2))
case(hstack, normal(2, 3), normal(2, 1))
case(vstack, normal(3), normal(3))
case(vstack, normal(2, 3), normal(1, 3))
case(split_piece, normal(2, 5))
case(split_pieces, normal(4, 3))
case(split_three, normal(2, 6))


# ---------------------------------------------------------------- indexing


def index_int(x):
    return x[1]


def index_negative(x):
    return x[-1]


def index_element(x):
    return x[1, -2]


def index_slice(x):
    return x[1:3]


def index_step(x):
    return x[::2]


def index_negative_step(x):
    return x[::-1, 1:]


def index_column(x):
    return x[:, 1]


def index_ellipsis(x):
    return x[..., 0]


def index_new_axis(x):
    return x[None]


def index_new_axis_slice(x):
    return x[:, None, 1:]


def index_ellipsis_new_axis(x):
    return x[None, ..., -1]


def index_array(x):
    return x[np.array([0, 2, 2])]


def index_list(x):
    return x[[0, 2, 2]]


def index_arrays_pair(x):
    return x[np.array([0, 1, 1]), np.array([2, 2, 0])]


def index_slice_and_list(x):
    return x[1:, [0, 0, 3]]


def index_mask(x):
    return x[x > 0.0]


def index_mask_rows(x, y):
    return x[y > 0.0] * 2.0


def index_then_reduce(x):
    return np.sum(x[1:] * x[:-1], axis=0)


case(index_int, normal(4, 3))
case(index_int, normal(5))
case(index_negative, normal(4, 3))
case(index_element, normal(3, 4))
case(index_slice, normal(4, 3))
case(index_step, normal(5, 2))
case(index_negative_step, normal(3, 4))
case(index_column, normal(3, 4))
case(index_ellipsis, normal(2, 3, 4))
case(index_new_axis, normal(3, 4))
case(index_new_axis_slice, normal(3, 4))
case(index_ellipsis_new_axis, normal(2, 3))
case(index_array, normal(4, 3))
case(index_list, normal(4, 3))
case(index_arrays_pair, normal(3, 4))
case(index_slice_and_list, normal(3, 4))
case(index_mask, away(3, 4))
case(index_mask_rows, normal(4, 3), away(4))
case(index_then_reduce, normal(4, 3))


def setitem_slice(x, z):
    y = x.copy()
    y[1:3] = 2.0 * z
    return y


def setitem_int(x, z):
    y = np.copy(x)
    y[0] = np.sin(z)
    return y


def setitem_column(x, z):
    y = x.copy()
    y[:, 1] = z * z
    return y


def setitem_element(x, z):
    y = x.copy()
    y[1, 2] = z
    return y


def setitem_constant(x):
    y = x.copy()
    y[1:, 0] = 5.0
    return y * x


def setitem_array_index(x, z):
    y = x.copy()
    y[np.array([0, 2])] = z
    return y


def setitem_repeated_index(x, z):
    y = x.copy()
    y[np.array([0, 2, 0])] = z
    return y


def setitem_mask(x):
    y = x.copy()
    y[x < 0.0] = 0.0
    return y


def setitem_into_zeros(z):
    y = np.zeros((4, 3))
    y[1:3] = z
    return y


def setitem_augmented(x, z):
    y = x.copy()
    y[1:3] += z
    return y


def setitem_twice(x, z):
    y = x.copy()
    y[0] = z
    y[:, 0] = 2.0 * z[0]
    return y


case(setitem_slice, normal(4, 3), normal(2, 3))
case(setitem_slice, normal(4, 3), normal(3))
case(setitem_int, normal(4, 3), normal(3))
case(setitem_column, normal(3, 4), normal(3))
case(setitem_element, normal(3, 4), number())
case(setitem_constant, normal(3, 4))
case(setitem_array_index, normal(4, 3), normal(2, 3))
case(setitem_repeated_index, normal(4, 3), normal(3, 3))
case(setitem_repeated_index, normal(4, 3), normal(3))
case(setitem_mask, away(3, 4))
case(setitem_into_zeros, normal(2, 3))
case(setitem_augmented, normal(4, 3), normal(3))
case(setitem_twice, normal(3, 3), normal(3))


def copy_method(x):
    return x.copy() * 2.0


def copy(x):
    return np.copy(x)


def array(x):
    return np.array(x)


def array_dtype(x):
    return np.array(x, dtype="float64")


def array_dtype_object(x):
    return np.array(x, dtype=np.float64)


def astype(x):
    y = np.sin(x)
    return y.astype("float64")


def asarray(x):
    return np.asarray(x)


case(copy_method, normal(3, 4))
case(copy, normal(3, 4))
case(array, normal(3, 4))
case(array_dtype, normal(4))
case(array_dtype_object, normal(4))
case(astype, normal(3, 4))
case(asarray, normal(2, 3))


# ---------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory):
    """One directory for the whole module; each case writes under its own folder."""
    return tmp_path_factory.mktemp("array_rules")


def params(kind):
    return [
        pytest.param(
            c,
            id=c.id,
            marks=(
                [pytest.mark.xfail(reason=c.xfail[kind], strict=True)]
                if kind in c.xfail
                else []
            ),
        )
        for c in CASES
    ]


def make_loss(f, count):
    """``np.sum(f(...) * c)``: a scalar whose gradient is the adjoint of ``f`` for ``c``."""
    if count == 1:

        def loss(x, c):
            return np.sum(f(x) * c)

    elif count == 2:

        def loss(x, y, c):
            return np.sum(f(x, y) * c)

    elif count == 3:

        def loss(x, y, z, c):
            return np.sum(f(x, y, z) * c)

    else:
        raise ValueError(count)
    return loss


def as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("c", params("tangent"))
def test_tangent(c, output_dir):
    out, out_dot = s2sad.jvp(c.fn, c.args, c.tangents, output_dir=output_dir / c.id)
    expected = c.fn(*c.args)
    assert np.shape(out) == np.shape(expected)
    assert_close(out, expected, rtol=1e-14, atol=1e-14)
    assert np.shape(out_dot) == np.shape(expected)
    reference = central_directional_arrays(c.fn, c.args, c.tangents)
    assert_close(out_dot, reference, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("c", params("adjoint"))
def test_adjoint(c, output_dir):
    loss = make_loss(c.fn, len(c.args))
    wrt = tuple(range(len(c.args)))
    gradient = s2sad.grad(loss, wrt=wrt, output_dir=output_dir / c.id)
    computed = gradient(*c.args, c.cotangent)
    references = central_gradient_arrays(
        lambda *xs: loss(*xs, c.cotangent), list(c.args)
    )
    assert len(computed) == len(c.args)
    for value, arg, reference in zip(computed, c.args, references):
        assert np.shape(value) == np.shape(arg)
        assert_close(value, reference, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("c", params("modes"))
def test_modes_agree(c, output_dir):
    """Dot-product test: <J t, c> == <t, J^T c>, jvp against vjp."""
    _, out_dot = s2sad.jvp(c.fn, c.args, c.tangents, output_dir=output_dir / c.id)
    out, vjp_fn = s2sad.vjp(c.fn, *c.args, output_dir=output_dir / c.id)
    assert np.shape(out) == np.shape(out_dot)
    adjoints = as_tuple(vjp_fn(c.cotangent))
    assert [np.shape(a) for a in adjoints] == [np.shape(a) for a in c.args]
    forward = float(np.sum(np.multiply(out_dot, c.cotangent)))
    backward = sum(
        float(np.sum(np.multiply(t, a))) for t, a in zip(c.tangents, adjoints)
    )
    scale = sum(
        float(np.sum(np.abs(np.multiply(t, a)))) for t, a in zip(c.tangents, adjoints)
    )
    assert forward == pytest.approx(backward, rel=MODES_RTOL, abs=1e-13 * (1 + scale))


# ---------------------------------------------------------------- float32, ties, coverage


def loss_sin(x):
    return np.sum(np.sin(x))


def loss_sum_axis(x):
    return np.sum(np.sin(np.sum(x, axis=0)))


def loss_matmul(x, y):
    return np.sum(x @ y)


def loss_getitem(x):
    return np.sum(x[1:, 1:] * x[:-1, :3])


def loss_astype(x):
    y = np.sin(x)
    return np.sum(y.astype("float64"))


FLOAT32 = [
    (loss_sin, ((3, 4),)),
    (loss_sum_axis, ((3, 4),)),
    (loss_matmul, ((3, 4), (4, 2))),
    (loss_getitem, ((3, 4),)),
    (loss_astype, ((3, 4),)),
]


@pytest.mark.parametrize("f, shapes", FLOAT32, ids=[f.__name__ for f, _ in FLOAT32])
def test_float32_gradients_stay_float32(f, shapes, output_dir):
    rng = np.random.default_rng(0)
    args = [rng.normal(size=s).astype(np.float32) for s in shapes]
    gradient = s2sad.grad(
        f, wrt=tuple(range(len(args))), output_dir=output_dir / "float32"
    )
    values = gradient(*args)
    expected = s2sad.grad(
        f, wrt=tuple(range(len(args))), output_dir=output_dir / "float32"
    )(*[a.astype(np.float64) for a in args])
    for value, arg, reference in zip(values, args, expected):
        assert value.dtype == np.float32
        assert value.shape == arg.shape
        assert_close(value, reference, rtol=1e-5, atol=1e-5)


def max_of(x):
    return np.max(x)


def max_rows(x):
    return np.max(x, axis=1)


def test_max_splits_ties_evenly(output_dir):
    """At a tie the derivative is not defined; s2sad shares the adjoint equally."""
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]])
    gradient = s2sad.grad(max_of, output_dir=output_dir / "ties")
    assert_close(gradient(x), [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]], rtol=0, atol=0)
    _, vjp_fn = s2sad.vjp(max_rows, x, output_dir=output_dir / "ties")
    (rows,) = as_tuple(vjp_fn(np.array([1.0, 4.0])))
    assert_close(rows, [[0.0, 0.5, 0.5], [2.0, 0.0, 2.0]], rtol=0, atol=0)


def numpy_primitives():
    """The differentiable NumPy primitives: ``np.*`` entries with both rules, and indexing."""
    return {
        name
        for name, entry in PRIMITIVES.items()
        if entry.has_rules
        and (name.startswith("np.") or name in ("getitem", "setitem"))
    }


def test_table_covers_every_numpy_primitive():
    """Each is reached by a case that some test expects to pass."""
    reached = set()
    for c in CASES:
        if set(c.xfail) == set(TESTS):
            continue
        function = lower(c.fn)
        for f in [function, *function.callees]:
            reached.update(op.name for op in f.walk())
    missing = sorted(numpy_primitives() - reached)
    assert not missing, f"no passing case reaches {missing}: add one to {__name__}"


def test_rule_table_has_at_least_100_numpy_primitives():
    assert len(numpy_primitives()) >= 100
    assert len([p for p in PRIMITIVES.values() if p.has_rules]) >= 100


def test_case_ids_are_unique_and_xfails_name_tests():
    assert len({c.id for c in CASES}) == len(CASES)
    assert all(set(c.xfail) <= set(TESTS) for c in CASES)
