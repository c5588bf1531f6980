"""Derivative rules of scalar primitives: Python operators, ``math`` functions, ``abs``/``min``/``max``.

One small class per primitive.  ``tangent`` maps input tangents to the output
tangent; ``adjoint`` maps the output adjoint to one adjoint per differentiable
input.  See :mod:`s2sad.rules.registry` for the naming convention.  Rule functions
take no ``self``: s2sad parses them, it never calls them as methods.
"""

from __future__ import annotations

import math
import operator

from .registry import (
    BOOL_RESULT,
    FLOAT_RESULT,
    INT_RESULT,
    PROMOTE,
    UFUNC,
    Syntax,
    primitive,
)
from .helpers import runtime_helper
from ..runtime import divide, power_factor, xlogy


def binop(symbol: str) -> Syntax:
    """Spelling of a binary operator."""
    return Syntax("binop", symbol)


def call(callee: str) -> Syntax:
    """Spelling of a call to a dotted name."""
    return Syntax("call", callee)


# ---------------------------------------------------------------- arithmetic


@primitive(
    "add",
    "x y",
    operator.add,
    binop("+"),
    sympy="x + y",
    result_type=PROMOTE,
    elementwise=True,
    commutative=True,
)
class add:
    def tangent(x_dot, y_dot):
        return x_dot + y_dot

    def adjoint(out_bar):
        return out_bar, out_bar


@primitive(
    "sub",
    "x y",
    operator.sub,
    binop("-"),
    sympy="x - y",
    result_type=PROMOTE,
    elementwise=True,
)
class sub:
    def tangent(x_dot, y_dot):
        return x_dot - y_dot

    def adjoint(out_bar):
        return out_bar, -out_bar


@primitive(
    "mul",
    "x y",
    operator.mul,
    binop("*"),
    sympy="x * y",
    result_type=PROMOTE,
    elementwise=True,
    linear=True,
    commutative=True,
)
class mul:
    def tangent(x, y, x_dot, y_dot):
        return x_dot * y + x * y_dot

    def adjoint(x, y, out_bar):
        return out_bar * y, out_bar * x


@primitive(
    "div",
    "x y",
    operator.truediv,
    binop("/"),
    sympy="x / y",
    result_type=UFUNC,
    elementwise=True,
)
class div:
    def tangent(y, out, x_dot, y_dot):
        return (x_dot - out * y_dot) / y

    def adjoint(y, out, out_bar):
        return out_bar / y, -out_bar * out / y


@primitive(
    "floordiv",
    "x y",
    operator.floordiv,
    binop("//"),
    sympy="floor(x / y)",
    result_type=PROMOTE,
    elementwise=True,
)
class floordiv:
    def tangent(x_dot, y_dot):
        return 0.0

    def adjoint(out_bar):
        return 0.0, 0.0


@primitive(
    "mod",
    "x y",
    operator.mod,
    binop("%"),
    sympy="Mod(x, y)",
    result_type=PROMOTE,
    elementwise=True,
)
class mod:
    def tangent(x, y, x_dot, y_dot):
        return x_dot - (x // y) * y_dot

    def adjoint(x, y, out_bar):
        return out_bar, -out_bar * (x // y)


@primitive(
    "pow",
    "x y",
    operator.pow,
    binop("**"),
    sympy="x**y",
    result_type=PROMOTE,
    also=(pow,),
    elementwise=True,
    array_twin="np.pow_operator",
)
class pow_:
    def tangent(x, y, out, x_dot, y_dot):
        return y * power_factor(x, y) * x_dot + xlogy(out * y_dot, x)

    def adjoint(x, y, out, out_bar):
        return out_bar * y * power_factor(x, y), xlogy(out_bar * out, x)


@runtime_helper("power_factor", "x y", result_type=UFUNC, elementwise=True)
class power_factor_:
    """``x ** (y - 1)``; its value 0 where ``x`` and ``y`` are 0 is only ever
    multiplied by ``y``, so it never reaches a derivative."""

    def tangent(x, y, out, x_dot, y_dot):
        return (y - 1) * power_factor(x, y - 1) * x_dot + xlogy(out * y_dot, x)

    def adjoint(x, y, out, out_bar):
        return out_bar * (y - 1) * power_factor(x, y - 1), xlogy(out_bar * out, x)


@primitive(
    "divide", "x y", divide, call("runtime.divide"), sympy="x / y", result_type=UFUNC
)
class divide_:
    def tangent(y, out, x_dot, y_dot):
        return divide(x_dot - out * y_dot, y)

    def adjoint(y, out, out_bar):
        return divide(out_bar, y), -divide(out_bar * out, y)


@primitive(
    "xlogy",
    "x y",
    xlogy,
    call("runtime.xlogy"),
    sympy="x*log(y)",
    array_twin="xlogy_array",
)
class xlogy_:
    def tangent(x, y, x_dot, y_dot):
        return xlogy(x_dot, y) + divide(x * y_dot, y)

    def adjoint(x, y, out_bar):
        return xlogy(out_bar, y), divide(out_bar * x, y)


@primitive("math_pow", "x y", math.pow, call("math.pow"), sympy="x**y")
class math_pow(pow_):
    pass


@primitive(
    "neg",
    "x",
    operator.neg,
    Syntax("unary", "-"),
    sympy="-x",
    result_type=PROMOTE,
    elementwise=True,
    linear=True,
)
class neg:
    def tangent(x_dot):
        return -x_dot

    def adjoint(out_bar):
        return -out_bar


@primitive(
    "abs",
    "x",
    abs,
    call("abs"),
    sympy="Abs(x)",
    result_type=PROMOTE,
    elementwise=True,
    array_twin="np.absolute",
)
class abs_:
    def tangent(x, x_dot):
        return x_dot if x >= 0.0 else -x_dot

    def adjoint(x, out_bar):
        return out_bar if x >= 0.0 else -out_bar


@primitive("fabs", "x", math.fabs, call("math.fabs"), sympy="Abs(x)")
class fabs(abs_):
    pass


@primitive(
    "min",
    "x y",
    min,
    call("min"),
    sympy="Min(x, y)",
    result_type=PROMOTE,
    scalar_only=True,
    commutative=True,
)
class min_:
    def tangent(x, y, x_dot, y_dot):
        return x_dot if x <= y else y_dot

    def adjoint(x, y, out_bar):
        return (out_bar if x <= y else 0.0), (0.0 if x <= y else out_bar)


@primitive(
    "max",
    "x y",
    max,
    call("max"),
    sympy="Max(x, y)",
    result_type=PROMOTE,
    scalar_only=True,
    commutative=True,
)
class max_:
    def tangent(x, y, x_dot, y_dot):
        return x_dot if x >= y else y_dot

    def adjoint(x, y, out_bar):
        return (out_bar if x >= y else 0.0), (0.0 if x >= y else out_bar)


def _select(c, a, b):
    return a if c else b


@primitive(
    "select",
    "c a b",
    _select,
    Syntax("ifexp"),
    sympy="Piecewise((a, c), (b, True))",
    result_type=PROMOTE,
    nondiff="c",
)
class select:
    def tangent(c, a_dot, b_dot):
        return a_dot if c else b_dot

    def adjoint(c, out_bar):
        return (out_bar if c else 0.0), (0.0 if c else out_bar)


@primitive("float", "x", float, call("float"), sympy="x", scalar_only=True)
class float_:
    def tangent(x_dot):
        return x_dot

    def adjoint(out_bar):
        return out_bar


# ---------------------------------------------------------------- to integers (no derivative)

for _name, _python in (
    ("int", int),
    ("math.floor", math.floor),
    ("math.ceil", math.ceil),
    ("math.trunc", math.trunc),
    ("math.factorial", math.factorial),
):
    primitive(
        _name,
        "x",
        _python,
        call(_name),
        result_type=INT_RESULT,
        nondiff="x",
        scalar_only=True,
    )(None)


def _round_type(types: list[str], static: dict) -> str:
    """``round(x)`` is an int, ``round(x, n)`` a float."""
    return INT_RESULT if static.get("ndigits", 0) is None else FLOAT_RESULT


@primitive(
    "round",
    "x, ndigits=None",
    round,
    call("round"),
    result_type=_round_type,
    nondiff="ndigits",
    scalar_only=True,
)
class round_:
    def tangent(x_dot):
        return 0.0 * x_dot

    def adjoint(out_bar):
        return 0.0 * out_bar


# ---------------------------------------------------------------- comparisons (no derivative)

for _name, _symbol, _python in (
    ("lt", "<", operator.lt),
    ("le", "<=", operator.le),
    ("gt", ">", operator.gt),
    ("ge", ">=", operator.ge),
    ("eq", "==", operator.eq),
    ("ne", "!=", operator.ne),
):
    primitive(
        _name,
        "x y",
        _python,
        Syntax("compare", _symbol),
        sympy=f"x {_symbol} y",
        result_type=BOOL_RESULT,
        nondiff="x y",
        elementwise=True,
        commutative=_name in ("eq", "ne"),
    )(None)


primitive(
    "not",
    "x",
    operator.not_,
    Syntax("unary", "not"),
    sympy="Not(x)",
    result_type=BOOL_RESULT,
    nondiff="x",
)(None)


# ---------------------------------------------------------------- trigonometric


@primitive("sin", "x", math.sin, call("math.sin"), sympy="sin(x)")
class sin:
    def tangent(x, x_dot):
        return math.cos(x) * x_dot

    def adjoint(x, out_bar):
        return out_bar * math.cos(x)


@primitive("cos", "x", math.cos, call("math.cos"), sympy="cos(x)")
class cos:
    def tangent(x, x_dot):
        return -math.sin(x) * x_dot

    def adjoint(x, out_bar):
        return -out_bar * math.sin(x)


@primitive("tan", "x", math.tan, call("math.tan"), sympy="tan(x)")
class tan:
    def tangent(out, x_dot):
        return (1.0 + out * out) * x_dot

    def adjoint(out, out_bar):
        return out_bar * (1.0 + out * out)


@primitive("asin", "x", math.asin, call("math.asin"), sympy="asin(x)")
class asin:
    def tangent(x, x_dot):
        return divide(x_dot, math.sqrt(1.0 - x * x))

    def adjoint(x, out_bar):
        return divide(out_bar, math.sqrt(1.0 - x * x))


@primitive("acos", "x", math.acos, call("math.acos"), sympy="acos(x)")
class acos:
    def tangent(x, x_dot):
        return -divide(x_dot, math.sqrt(1.0 - x * x))

    def adjoint(x, out_bar):
        return -divide(out_bar, math.sqrt(1.0 - x * x))


@primitive("atan", "x", math.atan, call("math.atan"), sympy="atan(x)")
class atan:
    def tangent(x, x_dot):
        return x_dot / (1.0 + x * x)

    def adjoint(x, out_bar):
        return out_bar / (1.0 + x * x)


@primitive("atan2", "y x", math.atan2, call("math.atan2"), sympy="atan2(y, x)")
class atan2:
    def tangent(y, x, y_dot, x_dot):
        return divide(x * y_dot - y * x_dot, x * x + y * y)

    def adjoint(y, x, out_bar):
        r2 = x * x + y * y
        return divide(out_bar * x, r2), -divide(out_bar * y, r2)


# ---------------------------------------------------------------- hyperbolic


@primitive("sinh", "x", math.sinh, call("math.sinh"), sympy="sinh(x)")
class sinh:
    def tangent(x, x_dot):
        return math.cosh(x) * x_dot

    def adjoint(x, out_bar):
        return out_bar * math.cosh(x)


@primitive("cosh", "x", math.cosh, call("math.cosh"), sympy="cosh(x)")
class cosh:
    def tangent(x, x_dot):
        return math.sinh(x) * x_dot

    def adjoint(x, out_bar):
        return out_bar * math.sinh(x)


@primitive("tanh", "x", math.tanh, call("math.tanh"), sympy="tanh(x)")
class tanh:
    def tangent(out, x_dot):
        return (1.0 - out * out) * x_dot

    def adjoint(out, out_bar):
        return out_bar * (1.0 - out * out)


@primitive("asinh", "x", math.asinh, call("math.asinh"), sympy="asinh(x)")
class asinh:
    def tangent(x, x_dot):
        return x_dot / math.sqrt(x * x + 1.0)

    def adjoint(x, out_bar):
        return out_bar / math.sqrt(x * x + 1.0)


@primitive("acosh", "x", math.acosh, call("math.acosh"), sympy="acosh(x)")
class acosh:
    def tangent(x, x_dot):
        return divide(x_dot, math.sqrt(x * x - 1.0))

    def adjoint(x, out_bar):
        return divide(out_bar, math.sqrt(x * x - 1.0))


@primitive("atanh", "x", math.atanh, call("math.atanh"), sympy="atanh(x)")
class atanh:
    def tangent(x, x_dot):
        return x_dot / (1.0 - x * x)

    def adjoint(x, out_bar):
        return out_bar / (1.0 - x * x)


# ---------------------------------------------------------------- exponential and logarithm


@primitive("exp", "x", math.exp, call("math.exp"), sympy="exp(x)")
class exp:
    def tangent(out, x_dot):
        return out * x_dot

    def adjoint(out, out_bar):
        return out_bar * out


@primitive("expm1", "x", math.expm1, call("math.expm1"), sympy="exp(x) - 1")
class expm1:
    def tangent(out, x_dot):
        return (out + 1.0) * x_dot

    def adjoint(out, out_bar):
        return out_bar * (out + 1.0)


@primitive("log", "x", math.log, call("math.log"), sympy="log(x)")
class log:
    def tangent(x, x_dot):
        return x_dot / x

    def adjoint(x, out_bar):
        return out_bar / x


@primitive("log_base", "x base", math.log, call("math.log"), sympy="log(x, base)")
class log_base:
    def tangent(x, base, out, x_dot, base_dot):
        return (x_dot / x - out * base_dot / base) / math.log(base)

    def adjoint(x, base, out, out_bar):
        return out_bar / (x * math.log(base)), -out_bar * out / (base * math.log(base))


@primitive("log1p", "x", math.log1p, call("math.log1p"), sympy="log(1 + x)")
class log1p:
    def tangent(x, x_dot):
        return x_dot / (1.0 + x)

    def adjoint(x, out_bar):
        return out_bar / (1.0 + x)


@primitive("log2", "x", math.log2, call("math.log2"), sympy="log(x, 2)")
class log2:
    def tangent(x, x_dot):
        return x_dot / (x * math.log(2.0))

    def adjoint(x, out_bar):
        return out_bar / (x * math.log(2.0))


@primitive("log10", "x", math.log10, call("math.log10"), sympy="log(x, 10)")
class log10:
    def tangent(x, x_dot):
        return x_dot / (x * math.log(10.0))

    def adjoint(x, out_bar):
        return out_bar / (x * math.log(10.0))


@primitive("sqrt", "x", math.sqrt, call("math.sqrt"), sympy="sqrt(x)")
class sqrt:
    def tangent(out, x_dot):
        return divide(0.5 * x_dot, out)

    def adjoint(out, out_bar):
        return divide(0.5 * out_bar, out)


@primitive(
    "hypot",
    "x y",
    math.hypot,
    call("math.hypot"),
    sympy="sqrt(x**2 + y**2)",
    commutative=True,
)
class hypot:
    def tangent(x, y, out, x_dot, y_dot):
        return divide(x * x_dot + y * y_dot, out)

    def adjoint(x, y, out, out_bar):
        return divide(out_bar * x, out), divide(out_bar * y, out)
