"""Derivative rules of NumPy's elementwise functions (ufuncs), ``np.where`` and ``np.clip``.

Each works on numbers and on arrays of any shape.  Arguments broadcast
against each other; reverse mode sums every adjoint back to its argument's
shape (see :func:`s2sad.runtime.unbroadcast`), so the rules here are written
as if all shapes were equal.
"""

from __future__ import annotations

import numpy as np

from .. import runtime
from .helpers import runtime_helper
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
        **options,
    )


# ---------------------------------------------------------------- arithmetic


@ufunc("add", "x y", np.add, "x + y")
class add:
    def tangent(x_dot, y_dot):
        return x_dot + y_dot

    def adjoint(out_bar):
        return out_bar, out_bar


@ufunc("subtract", "x y", np.subtract, "x - y")
class subtract:
    def tangent(x_dot, y_dot):
        return x_dot - y_dot

    def adjoint(out_bar):
        return out_bar, -out_bar


@ufunc("multiply", "x y", np.multiply, "x * y", linear=True)
class multiply:
    def tangent(x, y, x_dot, y_dot):
        return x_dot * y + x * y_dot

    def adjoint(x, y, out_bar):
        return out_bar * y, out_bar * x


@ufunc("divide", "x y", np.divide, "x / y")
class divide:
    def tangent(y, out, x_dot, y_dot):
        return np.divide(x_dot - out * y_dot, y)

    def adjoint(y, out, out_bar):
        return np.divide(out_bar, y), -np.divide(out_bar * out, y)


@ufunc("negative", "x", np.negative, "-x", linear=True)
class negative:
    def tangent(x_dot):
        return -x_dot

    def adjoint(out_bar):
        return -out_bar


@ufunc("positive", "x", np.positive, "x", linear=True)
class positive:
    def tangent(x_dot):
        return x_dot

    def adjoint(out_bar):
        return out_bar


@ufunc("power", "x y", np.power, "x**y")
class power:
    def tangent(x, y, out, x_dot, y_dot):
        return y * runtime.power_factor(x, y) * x_dot + runtime.xlogy_array(
            out * y_dot, x
        )

    def adjoint(x, y, out, out_bar):
        return out_bar * y * runtime.power_factor(x, y), runtime.xlogy_array(
            out_bar * out, x
        )


@primitive(
    "np.pow_operator",
    "x y",
    np.power,
    Syntax("binop", "**"),
    sympy="x**y",
    result_type=PROMOTE,
    elementwise=True,
    lookup=False,
)
class array_pow(power):
    pass


@ufunc("float_power", "x y", np.float_power, "x**y")
class float_power(power):
    pass


@ufunc("square", "x", np.square, "x**2")
class square:
    def tangent(x, x_dot):
        return 2.0 * x * x_dot

    def adjoint(x, out_bar):
        return 2.0 * out_bar * x


@ufunc("sqrt", "x", np.sqrt, "sqrt(x)")
class sqrt:
    def tangent(out, x_dot):
        return 0.5 * x_dot / out

    def adjoint(out, out_bar):
        return 0.5 * out_bar / out


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


@ufunc("hypot", "x y", np.hypot, "sqrt(x**2 + y**2)")
class hypot:
    def tangent(x, y, out, x_dot, y_dot):
        return (x * x_dot + y * y_dot) / out

    def adjoint(x, y, out, out_bar):
        return out_bar * x / out, out_bar * y / out


# ---------------------------------------------------------------- exponentials and logarithms


@ufunc("exp", "x", np.exp, "exp(x)")
class exp:
    def tangent(out, x_dot):
        return out * x_dot

    def adjoint(out, out_bar):
        return out_bar * out


@ufunc("expm1", "x", np.expm1, "exp(x) - 1")
class expm1:
    def tangent(out, x_dot):
        return (out + 1.0) * x_dot

    def adjoint(out, out_bar):
        return out_bar * (out + 1.0)


@ufunc("exp2", "x", np.exp2, "2**x")
class exp2:
    def tangent(out, x_dot):
        return np.log(2.0) * out * x_dot

    def adjoint(out, out_bar):
        return np.log(2.0) * out_bar * out


@ufunc("log", "x", np.log, "log(x)")
class log:
    def tangent(x, x_dot):
        return np.divide(x_dot, x)

    def adjoint(x, out_bar):
        return np.divide(out_bar, x)


@ufunc("log1p", "x", np.log1p, "log(1 + x)")
class log1p:
    def tangent(x, x_dot):
        return np.divide(x_dot, 1.0 + x)

    def adjoint(x, out_bar):
        return np.divide(out_bar, 1.0 + x)


@ufunc("log2", "x", np.log2, "log(x, 2)")
class log2:
    def tangent(x, x_dot):
        return x_dot / (x * np.log(2.0))

    def adjoint(x, out_bar):
        return out_bar / (x * np.log(2.0))


@ufunc("log10", "x", np.log10, "log(x, 10)")
class log10:
    def tangent(x, x_dot):
        return x_dot / (x * np.log(10.0))

    def adjoint(x, out_bar):
        return out_bar / (x * np.log(10.0))


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


@ufunc("sin", "x", np.sin, "sin(x)")
class sin:
    def tangent(x, x_dot):
        return np.cos(x) * x_dot

    def adjoint(x, out_bar):
        return out_bar * np.cos(x)


@ufunc("cos", "x", np.cos, "cos(x)")
class cos:
    def tangent(x, x_dot):
        return -np.sin(x) * x_dot

    def adjoint(x, out_bar):
        return -out_bar * np.sin(x)


@ufunc("tan", "x", np.tan, "tan(x)")
class tan:
    def tangent(out, x_dot):
        return (1.0 + out * out) * x_dot

    def adjoint(out, out_bar):
        return out_bar * (1.0 + out * out)


@ufunc("arcsin", "x", np.arcsin, "asin(x)")
class arcsin:
    def tangent(x, x_dot):
        return x_dot / np.sqrt(1.0 - x * x)

    def adjoint(x, out_bar):
        return out_bar / np.sqrt(1.0 - x * x)


@ufunc("arccos", "x", np.arccos, "acos(x)")
class arccos:
    def tangent(x, x_dot):
        return -x_dot / np.sqrt(1.0 - x * x)

    def adjoint(x, out_bar):
        return -out_bar / np.sqrt(1.0 - x * x)


@ufunc("arctan", "x", np.arctan, "atan(x)")
class arctan:
    def tangent(x, x_dot):
        return x_dot / (1.0 + x * x)

    def adjoint(x, out_bar):
        return out_bar / (1.0 + x * x)


@ufunc("arctan2", "y x", np.arctan2, "atan2(y, x)")
class arctan2:
    def tangent(y, x, y_dot, x_dot):
        return np.divide(x * y_dot - y * x_dot, x * x + y * y)

    def adjoint(y, x, out_bar):
        r2 = x * x + y * y
        return np.divide(out_bar * x, r2), -np.divide(out_bar * y, r2)


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


@ufunc("sinh", "x", np.sinh, "sinh(x)")
class sinh:
    def tangent(x, x_dot):
        return np.cosh(x) * x_dot

    def adjoint(x, out_bar):
        return out_bar * np.cosh(x)


@ufunc("cosh", "x", np.cosh, "cosh(x)")
class cosh:
    def tangent(x, x_dot):
        return np.sinh(x) * x_dot

    def adjoint(x, out_bar):
        return out_bar * np.sinh(x)


@ufunc("tanh", "x", np.tanh, "tanh(x)")
class tanh:
    def tangent(out, x_dot):
        return (1.0 - out * out) * x_dot

    def adjoint(out, out_bar):
        return out_bar * (1.0 - out * out)


@ufunc("arcsinh", "x", np.arcsinh, "asinh(x)")
class arcsinh:
    def tangent(x, x_dot):
        return x_dot / np.sqrt(x * x + 1.0)

    def adjoint(x, out_bar):
        return out_bar / np.sqrt(x * x + 1.0)


@ufunc("arccosh", "x", np.arccosh, "acosh(x)")
class arccosh:
    def tangent(x, x_dot):
        return x_dot / np.sqrt(x * x - 1.0)

    def adjoint(x, out_bar):
        return out_bar / np.sqrt(x * x - 1.0)


@ufunc("arctanh", "x", np.arctanh, "atanh(x)")
class arctanh:
    def tangent(x, x_dot):
        return np.divide(x_dot, 1.0 - x * x)

    def adjoint(x, out_bar):
        return np.divide(out_bar, 1.0 - x * x)


# ---------------------------------------------------------------- piecewise


@ufunc("maximum", "x y", np.maximum, "Max(x, y)")
class maximum:
    def tangent(x, y, x_dot, y_dot):
        return np.where(x >= y, x_dot, y_dot)

    def adjoint(x, y, out_bar):
        return np.where(x >= y, out_bar, 0.0), np.where(x >= y, 0.0, out_bar)


@ufunc("minimum", "x y", np.minimum, "Min(x, y)")
class minimum:
    def tangent(x, y, x_dot, y_dot):
        return np.where(x <= y, x_dot, y_dot)

    def adjoint(x, y, out_bar):
        return np.where(x <= y, out_bar, 0.0), np.where(x <= y, 0.0, out_bar)


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


@ufunc("remainder", "x y", np.remainder, "Mod(x, y)")
class remainder:
    def tangent(x, y, x_dot, y_dot):
        return x_dot - np.floor_divide(x, y) * y_dot

    def adjoint(x, y, out_bar):
        return out_bar, -out_bar * np.floor_divide(x, y)


# ---------------------------------------------------------------- piecewise constant (zero derivative)


class _flat:
    def tangent(x_dot):
        return 0.0 * x_dot

    def adjoint(out_bar):
        return 0.0 * out_bar


for _name in ("sign", "floor", "ceil", "trunc", "rint"):
    ufunc(_name, "x", getattr(np, _name), result_type=PROMOTE)(_flat)


@ufunc("round", "x, decimals=0", np.round, nondiff="decimals", also=(np.around,))
class round_(_flat):
    pass


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
