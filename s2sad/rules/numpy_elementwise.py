"""Derivative rules of NumPy's elementwise functions (ufuncs), ``np.where`` and ``np.clip``.

Each works on numbers and on arrays of any shape.  Arguments broadcast
against each other; reverse mode sums every adjoint back to its argument's
shape (see :func:`s2sad.runtime.unbroadcast`), so the rules here are written
as if all shapes were equal.

Twins of :mod:`s2sad.rules.scalar`'s rules are registered here with the
scalar rule itself and ``lib`` bound to NumPy
(:data:`s2sad.rules.helpers.NUMPY`).
"""

from __future__ import annotations

import numpy as np

from .. import runtime
from . import scalar
from .helpers import NUMPY, runtime_helper
from .registry import BOOL_RESULT, PROMOTE, UFUNC, Syntax, primitive


@runtime_helper("xlogy_array", "x y", result_type=UFUNC, elementwise=True)
class xlogy_array:
    def tangent(x, y, x_dot, y_dot):
        return runtime.xlogy_array(x_dot, y) + x * y_dot / y

    def adjoint(x, y, out_bar):
        return runtime.xlogy_array(out_bar, y), out_bar * x / y


@runtime_helper(
    "sinc_derivative", "x, order", nondiff="order", result_type=UFUNC, elementwise=True
)
class sinc_derivative:
    def tangent(x, order, x_dot):
        return x_dot * runtime.sinc_derivative(x, order + 1)

    def adjoint(x, order, out_bar):
        return out_bar * runtime.sinc_derivative(x, order + 1)


def ufunc(name: str, args: str, fn, sympy: str | None = None, **options):
    """Declare the elementwise NumPy function ``np.<name>``."""
    options.setdefault("result_type", UFUNC)
    return primitive(
        f"np.{name}",
        args,
        fn,
        Syntax("call", f"np.{name}"),
        sympy=sympy,
        elementwise=True,
        library=NUMPY,
        **options,
    )


# ---------------------------------------------------------------- arithmetic


ufunc("add", "x y", np.add, "x + y")(scalar.add)
ufunc("subtract", "x y", np.subtract, "x - y")(scalar.sub)
ufunc("multiply", "x y", np.multiply, "x * y", linear=True)(scalar.mul)
ufunc("divide", "x y", np.divide, "x / y")(scalar.div)
ufunc("negative", "x", np.negative, "-x", linear=True)(scalar.neg)
ufunc("positive", "x", np.positive, "x", linear=True)(scalar.float_)
ufunc("power", "x y", np.power, "x**y")(scalar.pow_)


primitive(
    "np.pow_operator",
    "x y",
    np.power,
    Syntax("binop", "**"),
    sympy="x**y",
    result_type=PROMOTE,
    elementwise=True,
    lookup=False,
    library=NUMPY,
)(scalar.pow_)


ufunc("float_power", "x y", np.float_power, "x**y")(scalar.pow_)


@ufunc("square", "x", np.square, "x**2")
class square:
    def tangent(x, x_dot):
        return 2.0 * x * x_dot

    def adjoint(x, out_bar):
        return 2.0 * out_bar * x


ufunc("sqrt", "x", np.sqrt, "sqrt(x)")(scalar.sqrt)


@ufunc("cbrt", "x", np.cbrt, "cbrt(x)")
class cbrt:
    def tangent(out, x_dot):
        return x_dot / (3.0 * out * out)

    def adjoint(out, out_bar):
        return out_bar / (3.0 * out * out)


@ufunc("reciprocal", "x", np.reciprocal, "1 / x")
class reciprocal:
    def tangent(out, x_dot):
        return -x_dot * out * out

    def adjoint(out, out_bar):
        return -out_bar * out * out


@ufunc("absolute", "x", np.absolute, "Abs(x)", result_type=PROMOTE)
class absolute:
    def tangent(x, x_dot):
        return x_dot * np.sign(x)

    def adjoint(x, out_bar):
        return out_bar * np.sign(x)


@ufunc("fabs", "x", np.fabs, "Abs(x)")
class fabs(absolute):
    pass


ufunc("hypot", "x y", np.hypot, "sqrt(x**2 + y**2)")(scalar.hypot)


# ---------------------------------------------------------------- exponentials and logarithms


ufunc("exp", "x", np.exp, "exp(x)")(scalar.exp)
ufunc("expm1", "x", np.expm1, "exp(x) - 1")(scalar.expm1)


@ufunc("exp2", "x", np.exp2, "2**x")
class exp2:
    def tangent(out, x_dot):
        return np.log(2.0) * out * x_dot

    def adjoint(out, out_bar):
        return np.log(2.0) * out_bar * out


ufunc("log", "x", np.log, "log(x)")(scalar.log)
ufunc("log1p", "x", np.log1p, "log(1 + x)")(scalar.log1p)
ufunc("log2", "x", np.log2, "log(x, 2)")(scalar.log2)
ufunc("log10", "x", np.log10, "log(x, 10)")(scalar.log10)


@ufunc("logaddexp", "x y", np.logaddexp, "log(exp(x) + exp(y))")
class logaddexp:
    def tangent(x, y, out, x_dot, y_dot):
        return x_dot * np.exp(x - out) + y_dot * np.exp(y - out)

    def adjoint(x, y, out, out_bar):
        return out_bar * np.exp(x - out), out_bar * np.exp(y - out)


@ufunc("logaddexp2", "x y", np.logaddexp2, "log(2**x + 2**y, 2)")
class logaddexp2:
    def tangent(x, y, out, x_dot, y_dot):
        return x_dot * np.exp2(x - out) + y_dot * np.exp2(y - out)

    def adjoint(x, y, out, out_bar):
        return out_bar * np.exp2(x - out), out_bar * np.exp2(y - out)


# ---------------------------------------------------------------- trigonometric


ufunc("sin", "x", np.sin, "sin(x)")(scalar.sin)
ufunc("cos", "x", np.cos, "cos(x)")(scalar.cos)
ufunc("tan", "x", np.tan, "tan(x)")(scalar.tan)
ufunc("arcsin", "x", np.arcsin, "asin(x)")(scalar.asin)
ufunc("arccos", "x", np.arccos, "acos(x)")(scalar.acos)
ufunc("arctan", "x", np.arctan, "atan(x)")(scalar.atan)
ufunc("arctan2", "y x", np.arctan2, "atan2(y, x)")(scalar.atan2)


@ufunc("deg2rad", "x", np.deg2rad, "x * pi / 180", also=(np.radians,), linear=True)
class deg2rad:
    def tangent(x_dot):
        return x_dot * (np.pi / 180.0)

    def adjoint(out_bar):
        return out_bar * (np.pi / 180.0)


@ufunc("rad2deg", "x", np.rad2deg, "x * 180 / pi", also=(np.degrees,), linear=True)
class rad2deg:
    def tangent(x_dot):
        return x_dot * (180.0 / np.pi)

    def adjoint(out_bar):
        return out_bar * (180.0 / np.pi)


@ufunc("sinc", "x", np.sinc, "sin(pi * x) / (pi * x)")
class sinc:
    def tangent(x, x_dot):
        return x_dot * runtime.sinc_derivative(x, 1)

    def adjoint(x, out_bar):
        return out_bar * runtime.sinc_derivative(x, 1)


# ---------------------------------------------------------------- hyperbolic


ufunc("sinh", "x", np.sinh, "sinh(x)")(scalar.sinh)
ufunc("cosh", "x", np.cosh, "cosh(x)")(scalar.cosh)
ufunc("tanh", "x", np.tanh, "tanh(x)")(scalar.tanh)
ufunc("arcsinh", "x", np.arcsinh, "asinh(x)")(scalar.asinh)
ufunc("arccosh", "x", np.arccosh, "acosh(x)")(scalar.acosh)
ufunc("arctanh", "x", np.arctanh, "atanh(x)")(scalar.atanh)


# ---------------------------------------------------------------- piecewise


ufunc("maximum", "x y", np.maximum, "Max(x, y)")(scalar.max_)
ufunc("minimum", "x y", np.minimum, "Min(x, y)")(scalar.min_)


@ufunc("fmax", "x y", np.fmax, "Max(x, y)")
class fmax:
    def tangent(x, y, out, x_dot, y_dot):
        return np.where(out == x, x_dot, y_dot)

    def adjoint(x, out, out_bar):
        return np.where(out == x, out_bar, 0.0), np.where(out == x, 0.0, out_bar)


@ufunc("fmin", "x y", np.fmin, "Min(x, y)")
class fmin(fmax):
    pass


@ufunc("clip", "x, a_min, a_max", np.clip, nondiff="a_min a_max")
class clip:
    def tangent(x, out, x_dot):
        return np.where(out == x, x_dot, 0.0)

    def adjoint(x, out, out_bar):
        return np.where(out == x, out_bar, 0.0)


@primitive(
    "np.where",
    "condition, x, y",
    np.where,
    Syntax("call", "np.where"),
    result_type=PROMOTE,
    elementwise=True,
    nondiff="condition",
)
class where:
    def tangent(condition, x_dot, y_dot):
        return np.where(condition, x_dot, y_dot)

    def adjoint(condition, out_bar):
        return np.where(condition, out_bar, 0.0), np.where(condition, 0.0, out_bar)


@ufunc("copysign", "x y", np.copysign, nondiff="y")
class copysign:
    def tangent(x, out, x_dot):
        return x_dot * np.sign(x) * np.sign(out)

    def adjoint(x, out, out_bar):
        return out_bar * np.sign(x) * np.sign(out)


@ufunc("fmod", "x y", np.fmod, "Mod(x, y)")
class fmod:
    def tangent(x, y, x_dot, y_dot):
        return x_dot - np.trunc(x / y) * y_dot

    def adjoint(x, y, out_bar):
        return out_bar, -out_bar * np.trunc(x / y)


ufunc("remainder", "x y", np.remainder, "Mod(x, y)")(scalar.mod)


# ---------------------------------------------------------------- piecewise constant (zero derivative)


for _name in ("sign", "floor", "ceil", "trunc", "rint"):
    ufunc(_name, "x", getattr(np, _name), result_type=PROMOTE)(
        scalar.piecewise_constant
    )


ufunc("round", "x, decimals=0", np.round, nondiff="decimals", also=(np.around,))(
    scalar.piecewise_constant
)


@ufunc("heaviside", "x h", np.heaviside)
class heaviside:
    """A step in ``x`` (zero derivative); ``h`` is its value where ``x == 0``."""

    def tangent(x, x_dot, h_dot):
        return np.where(x == 0.0, h_dot, 0.0 * x_dot)

    def adjoint(x, out_bar):
        return 0.0 * out_bar, np.where(x == 0.0, out_bar, 0.0)


@ufunc("floor_divide", "x y", np.floor_divide, result_type=PROMOTE)
class floor_divide:
    def tangent(x_dot, y_dot):
        return 0.0 * x_dot

    def adjoint(out_bar):
        return 0.0 * out_bar, 0.0 * out_bar


# ---------------------------------------------------------------- comparisons and tests (no derivative)

for _name in (
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "equal",
    "not_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
):
    ufunc(_name, "x y", getattr(np, _name), result_type=BOOL_RESULT, nondiff="x y")(
        None
    )

for _name in ("isnan", "isinf", "isfinite", "logical_not", "signbit"):
    ufunc(_name, "x", getattr(np, _name), result_type=BOOL_RESULT, nondiff="x")(None)
