"""Derivative rules of scalar primitives: Python operators, ``math`` functions, ``abs``/``min``/``max``.

One small class per primitive.  ``tangent`` maps input tangents to the output
tangent; ``adjoint`` maps the output adjoint to one adjoint per differentiable
input.  See :mod:`s2sad.rules.registry` for the naming convention.  Rule functions
take no ``self``: s2sad parses them, it never calls them as methods.

Most rules here are *twins*: :mod:`s2sad.rules.numpy_elementwise` registers
them for NumPy's ufunc of the same function.  They call library functions as
``lib.<name>``; ``lib`` is ``math`` here, and NumPy's registrations bind it
to NumPy (see :data:`s2sad.rules.helpers.TWIN_FUNCTIONS`).
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
from .batch_rules import CHOICE, ELEMENTWISE, IDENTITY, LOOP, Elementwise
from .helpers import MATH, choose, runtime_helper
from ..runtime import divide, power_factor, xlogy


def binop(symbol: str) -> Syntax:
    """Spelling of a binary operator."""
    return Syntax("binop", symbol)


def call(callee: str) -> Syntax:
    """Spelling of a call to a dotted name."""
    return Syntax("call", callee)


lib = MATH
"""What the twin rules below call (see the module docstring)."""


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
    also=(operator.truediv,),
    elementwise=True,
)
class div:
    def tangent(y, out, x_dot, y_dot):
        return lib.divide_by_argument(x_dot - out * y_dot, y)

    def adjoint(y, out, out_bar):
        return lib.divide_by_argument(out_bar, y), lib.divide_by_argument(
            -out_bar * out, y
        )


@primitive(
    "floordiv",
    "x y",
    operator.floordiv,
    binop("//"),
    sympy="floor(x / y)",
    result_type=PROMOTE,
    also=(operator.floordiv,),
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
        return x_dot - lib.floor_divide(x, y) * y_dot

    def adjoint(x, y, out_bar):
        return out_bar, -out_bar * lib.floor_divide(x, y)


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
        return y * power_factor(x, y) * x_dot + lib.xlogy(out * y_dot, x)

    def adjoint(x, y, out, out_bar):
        return out_bar * y * power_factor(x, y), lib.xlogy(out_bar * out, x)


@runtime_helper("power_factor", "x y", result_type=UFUNC, elementwise=True)
class power_factor_:
    """``x ** (y - 1)``: in ``x``, ``(y - 1) * x ** (y - 2)``; in ``y``, ``out * log(x)``
    (0 where ``out`` is, as at ``x = 0`` for ``y > 1``).  Its value 0 at ``x == y == 0``,
    where ``x ** (y - 1)`` has a pole, is only ever multiplied by ``y``."""

    def tangent(x, y, out, x_dot, y_dot):
        return (y - 1) * power_factor(x, y - 1) * x_dot + xlogy(out * y_dot, x)

    def adjoint(x, y, out, out_bar):
        return out_bar * (y - 1) * power_factor(x, y - 1), xlogy(out_bar * out, x)


@primitive(
    "divide",
    "x y",
    divide,
    call("runtime.divide"),
    sympy="x / y",
    result_type=UFUNC,
    batch=ELEMENTWISE,
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


@primitive(
    "math_pow",
    "x y",
    math.pow,
    call("math.pow"),
    sympy="x**y",
    batch=Elementwise("np.power"),
)
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


@primitive(
    "fabs",
    "x",
    math.fabs,
    call("math.fabs"),
    sympy="Abs(x)",
    batch=Elementwise("np.fabs"),
)
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
    batch=Elementwise("np.minimum"),
)
class min_:
    def tangent(x, y, x_dot, y_dot):
        return lib.where(x <= y, x_dot, y_dot)

    def adjoint(x, y, out_bar):
        return lib.where(x <= y, out_bar, 0.0), lib.where(x <= y, 0.0, out_bar)


@primitive(
    "max",
    "x y",
    max,
    call("max"),
    sympy="Max(x, y)",
    result_type=PROMOTE,
    scalar_only=True,
    commutative=True,
    batch=Elementwise("np.maximum"),
)
class max_:
    def tangent(x, y, x_dot, y_dot):
        return lib.where(x >= y, x_dot, y_dot)

    def adjoint(x, y, out_bar):
        return lib.where(x >= y, out_bar, 0.0), lib.where(x >= y, 0.0, out_bar)


@primitive(
    "select",
    "c a b",
    choose,
    Syntax("ifexp"),
    sympy="Piecewise((a, c), (b, True))",
    result_type=PROMOTE,
    nondiff="c",
    also=(choose,),
    batch=CHOICE,
)
class select:
    def tangent(c, a_dot, b_dot):
        return a_dot if c else b_dot

    def adjoint(c, out_bar):
        return (out_bar if c else 0.0), (0.0 if c else out_bar)


@primitive(
    "float", "x", float, call("float"), sympy="x", scalar_only=True, batch=IDENTITY
)
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
class piecewise_constant:
    """A zero derivative shaped as the argument (also NumPy's ``floor``, ``sign``, ...)."""

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


@primitive(
    "sin", "x", math.sin, call("math.sin"), sympy="sin(x)", batch=Elementwise("np.sin")
)
class sin:
    def tangent(x, x_dot):
        return lib.cos(x) * x_dot

    def adjoint(x, out_bar):
        return out_bar * lib.cos(x)


@primitive(
    "cos", "x", math.cos, call("math.cos"), sympy="cos(x)", batch=Elementwise("np.cos")
)
class cos:
    def tangent(x, x_dot):
        return -lib.sin(x) * x_dot

    def adjoint(x, out_bar):
        return -out_bar * lib.sin(x)


@primitive(
    "tan", "x", math.tan, call("math.tan"), sympy="tan(x)", batch=Elementwise("np.tan")
)
class tan:
    def tangent(out, x_dot):
        return (1.0 + out * out) * x_dot

    def adjoint(out, out_bar):
        return out_bar * (1.0 + out * out)


@primitive(
    "asin",
    "x",
    math.asin,
    call("math.asin"),
    sympy="asin(x)",
    batch=Elementwise("np.arcsin"),
)
class asin:
    def tangent(x, x_dot):
        return lib.divide_by_result(x_dot, lib.sqrt(1.0 - x * x))

    def adjoint(x, out_bar):
        return lib.divide_by_result(out_bar, lib.sqrt(1.0 - x * x))


@primitive(
    "acos",
    "x",
    math.acos,
    call("math.acos"),
    sympy="acos(x)",
    batch=Elementwise("np.arccos"),
)
class acos:
    def tangent(x, x_dot):
        return -lib.divide_by_result(x_dot, lib.sqrt(1.0 - x * x))

    def adjoint(x, out_bar):
        return -lib.divide_by_result(out_bar, lib.sqrt(1.0 - x * x))


@primitive(
    "atan",
    "x",
    math.atan,
    call("math.atan"),
    sympy="atan(x)",
    batch=Elementwise("np.arctan"),
)
class atan:
    def tangent(x, x_dot):
        return x_dot / (1.0 + x * x)

    def adjoint(x, out_bar):
        return out_bar / (1.0 + x * x)


@primitive(
    "atan2",
    "y x",
    math.atan2,
    call("math.atan2"),
    sympy="atan2(y, x)",
    batch=Elementwise("np.arctan2"),
)
class atan2:
    def tangent(y, x, y_dot, x_dot):
        return lib.divide(x * y_dot - y * x_dot, x * x + y * y)

    def adjoint(y, x, out_bar):
        r2 = x * x + y * y
        return lib.divide(out_bar * x, r2), -lib.divide(out_bar * y, r2)


# ---------------------------------------------------------------- hyperbolic


@primitive(
    "sinh",
    "x",
    math.sinh,
    call("math.sinh"),
    sympy="sinh(x)",
    batch=Elementwise("np.sinh"),
)
class sinh:
    def tangent(x, x_dot):
        return lib.cosh(x) * x_dot

    def adjoint(x, out_bar):
        return out_bar * lib.cosh(x)


@primitive(
    "cosh",
    "x",
    math.cosh,
    call("math.cosh"),
    sympy="cosh(x)",
    batch=Elementwise("np.cosh"),
)
class cosh:
    def tangent(x, x_dot):
        return lib.sinh(x) * x_dot

    def adjoint(x, out_bar):
        return out_bar * lib.sinh(x)


@primitive(
    "tanh",
    "x",
    math.tanh,
    call("math.tanh"),
    sympy="tanh(x)",
    batch=Elementwise("np.tanh"),
)
class tanh:
    def tangent(out, x_dot):
        return (1.0 - out * out) * x_dot

    def adjoint(out, out_bar):
        return out_bar * (1.0 - out * out)


@primitive(
    "asinh",
    "x",
    math.asinh,
    call("math.asinh"),
    sympy="asinh(x)",
    batch=Elementwise("np.arcsinh"),
)
class asinh:
    def tangent(x, x_dot):
        return x_dot / lib.sqrt(x * x + 1.0)

    def adjoint(x, out_bar):
        return out_bar / lib.sqrt(x * x + 1.0)


@primitive(
    "acosh",
    "x",
    math.acosh,
    call("math.acosh"),
    sympy="acosh(x)",
    batch=Elementwise("np.arccosh"),
)
class acosh:
    def tangent(x, x_dot):
        return lib.divide_by_result(x_dot, lib.sqrt(x * x - 1.0))

    def adjoint(x, out_bar):
        return lib.divide_by_result(out_bar, lib.sqrt(x * x - 1.0))


@primitive(
    "atanh",
    "x",
    math.atanh,
    call("math.atanh"),
    sympy="atanh(x)",
    batch=Elementwise("np.arctanh"),
)
class atanh:
    def tangent(x, x_dot):
        return lib.divide_by_argument(x_dot, 1.0 - x * x)

    def adjoint(x, out_bar):
        return lib.divide_by_argument(out_bar, 1.0 - x * x)


# ---------------------------------------------------------------- exponential and logarithm


@primitive(
    "exp", "x", math.exp, call("math.exp"), sympy="exp(x)", batch=Elementwise("np.exp")
)
class exp:
    def tangent(out, x_dot):
        return out * x_dot

    def adjoint(out, out_bar):
        return out_bar * out


@primitive(
    "expm1",
    "x",
    math.expm1,
    call("math.expm1"),
    sympy="exp(x) - 1",
    batch=Elementwise("np.expm1"),
)
class expm1:
    def tangent(out, x_dot):
        return (out + 1.0) * x_dot

    def adjoint(out, out_bar):
        return out_bar * (out + 1.0)


@primitive(
    "log", "x", math.log, call("math.log"), sympy="log(x)", batch=Elementwise("np.log")
)
class log:
    def tangent(x, x_dot):
        return lib.divide_by_argument(x_dot, x)

    def adjoint(x, out_bar):
        return lib.divide_by_argument(out_bar, x)


@primitive(
    "log_base",
    "x base",
    math.log,
    call("math.log"),
    sympy="log(x, base)",
    batch=LOOP,
)
class log_base:
    def tangent(x, base, out, x_dot, base_dot):
        return (x_dot / x - out * base_dot / base) / math.log(base)

    def adjoint(x, base, out, out_bar):
        return out_bar / (x * math.log(base)), -out_bar * out / (base * math.log(base))


@primitive(
    "log1p",
    "x",
    math.log1p,
    call("math.log1p"),
    sympy="log(1 + x)",
    batch=Elementwise("np.log1p"),
)
class log1p:
    def tangent(x, x_dot):
        return lib.divide_by_argument(x_dot, 1.0 + x)

    def adjoint(x, out_bar):
        return lib.divide_by_argument(out_bar, 1.0 + x)


@primitive(
    "log2",
    "x",
    math.log2,
    call("math.log2"),
    sympy="log(x, 2)",
    batch=Elementwise("np.log2"),
)
class log2:
    def tangent(x, x_dot):
        return x_dot / (x * lib.log(2.0))

    def adjoint(x, out_bar):
        return out_bar / (x * lib.log(2.0))


@primitive(
    "log10",
    "x",
    math.log10,
    call("math.log10"),
    sympy="log(x, 10)",
    batch=Elementwise("np.log10"),
)
class log10:
    def tangent(x, x_dot):
        return x_dot / (x * lib.log(10.0))

    def adjoint(x, out_bar):
        return out_bar / (x * lib.log(10.0))


@primitive(
    "sqrt",
    "x",
    math.sqrt,
    call("math.sqrt"),
    sympy="sqrt(x)",
    batch=Elementwise("np.sqrt"),
)
class sqrt:
    def tangent(out, x_dot):
        return lib.divide_by_result(0.5 * x_dot, out)

    def adjoint(out, out_bar):
        return lib.divide_by_result(0.5 * out_bar, out)


@primitive(
    "hypot",
    "x y",
    math.hypot,
    call("math.hypot"),
    sympy="sqrt(x**2 + y**2)",
    commutative=True,
    batch=Elementwise("np.hypot"),
)
class hypot:
    def tangent(x, y, out, x_dot, y_dot):
        return lib.divide_by_result(x * x_dot + y * y_dot, out)

    def adjoint(x, y, out, out_bar):
        return lib.divide_by_result(out_bar * x, out), lib.divide_by_result(
            out_bar * y, out
        )
