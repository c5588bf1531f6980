"""IR -> SymPy: interpret a loop-free function as symbolic expressions.

Each parameter becomes a real :class:`sympy.Symbol` of the same name, each
constant a :class:`sympy.Integer` (ints stay exact) or :class:`sympy.Float`,
and each primitive op the SymPy expression its rule-table entry spells out
(parsed with the operands' expressions bound to the argument names).  This
gives :mod:`s2sad.compare` a symbolic reference for the derivatives s2sad
generates.
"""

from __future__ import annotations

import sympy

from .errors import S2SADError
from .ir.core import Function, Op, Value
from .rules.registry import PRIMITIVES


def to_sympy(function: Function) -> tuple[list[sympy.Symbol], list[sympy.Expr]]:
    """The parameters of ``function`` as symbols, and one expression per returned value."""
    symbols = [sympy.Symbol(p.name, real=True) for p in function.params]
    exprs: dict[Value, sympy.Basic] = dict(zip(function.params, symbols))
    for op in function.body.ops:
        if op.name == "return":
            break
        exprs[op.result] = _interpret(function, op, exprs)
    return symbols, [exprs[v] for v in function.returned]


def _interpret(
    function: Function, op: Op, exprs: dict[Value, sympy.Basic]
) -> sympy.Basic:
    if op.regions:
        raise _error(
            function,
            op,
            f"cannot interpret `{op.name}` symbolically: it has regions (control flow)",
            "only straight-line code has a symbolic form; compare a loop-free function",
        )
    if op.name == "const":
        return _constant(op.attrs["value"])
    entry = PRIMITIVES.get(op.name)
    if entry is None or entry.sympy is None:
        raise _error(
            function,
            op,
            f"primitive `{op.name}` has no SymPy counterpart",
            "compare a function that calls only built-in math primitives",
        )
    operands = {arg: exprs[v] for arg, v in zip(entry.args, op.operands)}
    try:
        return sympy.sympify(entry.sympy, locals=operands)
    except (TypeError, sympy.SympifyError):
        raise _error(
            function,
            op,
            f"`{op.name}` of these operands has no SymPy form",
            "SymPy cannot use a comparison as a number; compare a function without one",
        ) from None


def _constant(value: bool | int | float) -> sympy.Basic:
    if isinstance(value, bool):
        return sympy.true if value else sympy.false
    if isinstance(value, int):
        return sympy.Integer(value)
    return sympy.Float(value)


def _error(function: Function, op: Op, message: str, hint: str) -> S2SADError:
    return S2SADError(
        message,
        file=function.file,
        line=op.loc.line if op.loc else None,
        col=op.loc.col if op.loc else None,
        hint=hint,
    )
