"""IR -> SymPy: interpret a function of numbers as symbolic expressions.

Each parameter becomes a real :class:`sympy.Symbol` of the same name, each
constant a :class:`sympy.Integer` (ints stay exact) or :class:`sympy.Float`,
and each primitive op the SymPy expression its rule-table entry spells out
(parsed with the operands' expressions bound to the argument names).  This
gives :mod:`s2sad.compare` a symbolic reference for the derivatives s2sad
generates.

:func:`to_sympy` takes straight-line code.  :func:`to_sympy_at` also takes
branches, loops and calls of helpers, as they run at one point: each
condition is decided by the point's values, loops are unrolled (``for`` over
the range its bounds give there, ``while`` while its condition holds), and
helpers are interpreted where they are called.  The expressions are those of
the path taken, so their derivatives are the function's at that point (away
from the boundaries where a condition changes).
"""

from __future__ import annotations

import sympy

from .errors import S2SADError
from .ir.core import FLOAT, Block, Function, Op, Value
from .ir.operands import loop_bounds, loop_inits
from .rules.registry import PRIMITIVES

UNROLLED_OPS = 5000
"""The most ops :func:`to_sympy_at` interprets (loops unrolled, helpers inlined)
before it gives up: beyond that SymPy's expressions swell past use."""

SKIPPED = ("print", "assert")
"""Ops with no value: what they show or check does not enter the expressions."""


def to_sympy(function: Function) -> tuple[list[sympy.Symbol], list[sympy.Expr]]:
    """The parameters of ``function`` as symbols, and one expression per returned value."""
    symbols = [sympy.Symbol(p.name, real=True) for p in function.params]
    exprs: dict[Value, sympy.Basic] = dict(zip(function.params, symbols))
    for op in function.body.ops:
        if op.name == "return":
            break
        exprs[op.result] = _interpret(function, op, exprs)
    return symbols, [exprs[v] for v in function.returned]


def to_sympy_at(
    function: Function, point: tuple
) -> tuple[list[sympy.Symbol], list[sympy.Expr]]:
    """The ``float`` parameters of ``function`` as symbols (the others take their
    values in ``point``), and one expression per returned value, along the path
    that ``point`` takes through branches, loops and helpers."""
    symbols = {
        p: sympy.Symbol(p.name, real=True) for p in function.params if p.type == FLOAT
    }
    args = [
        (symbols[p], sympy.Float(float(x))) if p in symbols else (_constant(x),) * 2
        for p, x in zip(function.params, point)
    ]
    returned = _PathInterpreter().block(function, function.body, {}, args)
    return list(symbols.values()), [expr for expr, _ in returned]


class _PathInterpreter:
    """Interprets blocks into SymPy along the path the point takes: each value
    is a pair, its expression and its number at the point (conditions, loop
    bounds and indices read the number, never the swelling expression)."""

    def __init__(self) -> None:
        self.ops = 0

    def block(
        self, function: Function, block: Block, exprs: dict, args: list
    ) -> list[tuple[sympy.Basic, sympy.Basic]]:
        """What ``block`` yields (or returns), its arguments bound to ``args``."""
        exprs.update(zip(block.args, args))
        for op in block.ops:
            if op.name in ("yield", "return"):
                return [exprs[v] for v in op.operands]
            self.ops += 1
            if self.ops > UNROLLED_OPS:
                raise _error(
                    function,
                    op,
                    f"the path through {function.name} runs more than "
                    f"{UNROLLED_OPS} operations, too many to interpret symbolically",
                    "compare with fewer loop steps, or rely on finite differences",
                )
            exprs.update(zip(op.results, self.op(function, op, exprs)))
        return []

    def op(self, function: Function, op: Op, exprs: dict) -> list:
        """The (expression, number) pairs of ``op``'s results."""
        if op.name == "if":
            taken = op.regions[
                0 if self.holds(function, op, exprs[op.operands[0]]) else 1
            ]
            return self.block(function, taken, exprs, [])
        if op.name == "for":
            start, stop, step = (
                self.integer(function, op, exprs[v]) for v in loop_bounds(op)
            )
            carried = [exprs[v] for v in loop_inits(op)]
            for counter in range(start, stop, step):
                count = sympy.Integer(counter)
                args = [(count, count), *carried]
                carried = self.block(function, op.regions[0], exprs, args)
            return carried
        if op.name == "while":
            before, body = op.regions
            carried = [exprs[v] for v in loop_inits(op)]
            while self.holds(
                function, op, self.block(function, before, exprs, carried)[0]
            ):
                carried = self.block(function, body, exprs, carried)
            return carried
        if op.name == "call":
            callee = function.module[op.attrs["callee"]]
            args = [exprs[v] for v in op.operands]
            return self.block(callee, callee.body, {}, args)
        if op.name in SKIPPED:
            return []
        if op.name == "pack":
            items = tuple(exprs[v] for v in op.operands)
            return [(items, items)]
        if op.name == "getitem" and isinstance(exprs[op.operands[0]][0], tuple):
            items, index = (exprs[v] for v in op.operands)
            return [items[0][self.integer(function, op, index)]]
        symbolic = {v: pair[0] for v, pair in exprs.items()}
        numeric = {v: pair[1] for v, pair in exprs.items()}
        return [(_interpret(function, op, symbolic), _interpret(function, op, numeric))]

    def holds(self, function: Function, op: Op, pair: tuple) -> bool:
        """The truth at the point of a condition (else a clear error)."""
        value = sympy.sympify(pair[1])
        if value in (sympy.true, sympy.false):
            return bool(value)
        if value.is_number:
            return bool(value != 0)
        raise _error(
            function,
            op,
            "a condition cannot be decided at this point",
            "compare at a point away from the condition's boundary",
        )

    def integer(self, function: Function, op: Op, pair: tuple) -> int:
        """An integer (a loop bound, an index) at the point."""
        value = sympy.sympify(pair[1])
        if not value.is_integer:
            raise _error(
                function,
                op,
                f"a loop bound or index is not an integer at this point: {value}",
                "compare a function whose loop counts are ints",
            )
        return int(value)


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
