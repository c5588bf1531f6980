"""Activity analysis: which values need derivatives at all.

A value is *varied* when it depends on an input being differentiated; only
varied values get tangents or adjoints (dead code elimination then drops the
derivatives nothing reads).  Integer and boolean values are never
varied: loop counters and comparisons carry no derivative.  A value that
reaches an argument with no derivative (``np.clip``'s bounds) is an error,
not a silently dropped term.  The tape is not differentiable, but what goes
through it is: a popped value is varied when the value pushed in its place
(same ``record``, same position) is.  A residual tuple (what a forward sweep
hands its backward sweep) is varied when what it holds may be; so is a tape
unpacked from a varied one, and every value popped from such a tape whose
record another function pushed.
"""

from __future__ import annotations

from typing import Any

from ..errors import NoDerivativeRuleError
from ..ir.core import DIFFERENTIABLE, RESIDUALS, TAPE, Block, Function, Op, Value
from ..ir.operands import carried_args, loop_inits
from ..rules.registry import PRIMITIVES, Primitive

DIFFERENTIABLE_TYPES = (*DIFFERENTIABLE, RESIDUALS)
"""The types of values that may carry derivatives."""


def varied(function: Function, wrt: list[Value]) -> set[Value]:
    """Values that depend on any value in ``wrt`` (through loops: to a fixed point)."""
    result = {v for v in wrt if v.type in DIFFERENTIABLE_TYPES}
    pushes = pushes_by_record(function)
    while True:
        size = len(result)
        _varied_block(function.body, result, pushes)
        if len(result) == size:
            for op in function.walk():
                _check_derivative_exists(function, op, result)
            return result


def _check_derivative_exists(function: Function, op: Op, result: set[Value]) -> None:
    entry = PRIMITIVES.get(op.name)
    if entry is None or not any(r.type in DIFFERENTIABLE_TYPES for r in op.results):
        return
    for arg, operand in zip(entry.args, op.operands):
        if operand not in result or arg in entry.shape_only:
            continue
        if arg in entry.nondiff or not entry.has_rules:
            raise _no_derivative(function, op, entry, arg)


def _no_derivative(
    function: Function, op: Op, entry: Primitive, arg: str
) -> NoDerivativeRuleError:
    spelled = entry.syntax.text or entry.name
    return NoDerivativeRuleError(
        f"{spelled}() has no derivative with respect to its argument {arg!r}, "
        "which depends on the inputs being differentiated",
        file=function.file,
        line=op.loc.line if op.loc else None,
        col=op.loc.col if op.loc else None,
        hint="make that argument a constant, or register a rule for your own "
        "function with @s2sad.derivative_rule",
    )


def pushes_by_record(function: Function) -> dict[Any, Op]:
    """The ``push`` ops of ``function``, by their ``record`` attribute."""
    return _by_record(function, "push")


def pops_by_record(function: Function) -> dict[Any, Op]:
    """The ``pop`` ops of ``function``, by their ``record`` attribute."""
    return _by_record(function, "pop")


def _by_record(function: Function, name: str) -> dict[Any, Op]:
    return {op.attrs["record"]: op for op in function.walk() if op.name == name}


def _varied_block(block: Block, result: set[Value], pushes: dict[Any, Op]) -> None:
    for op in block.ops:
        for region in op.regions:
            _varied_block(region, result, pushes)
        if op.name == "pop":
            push = pushes.get(op.attrs["record"])
            if push is None and op.operands[0] in result:
                for popped in op.results:
                    _add(result, popped)
            pushed = push.operands[1:] if push is not None else []
            for value, popped in zip(pushed, op.results):
                if value in result:
                    _add(result, popped)
        elif op.name == "unpack" and op.operands[0] in result:
            for value in op.results:
                if value.type == TAPE:
                    result.add(value)
                _add(result, value)
        elif op.name == "if":
            for k, r in enumerate(op.results):
                if any(
                    region.terminator.operands[k] in result for region in op.regions
                ):
                    _add(result, r)
        elif op.name in ("for", "while"):
            carried = len(op.results)
            inits = loop_inits(op)
            yields = op.regions[-1].terminator.operands
            for k in range(carried):
                if inits[k] in result or yields[k] in result:
                    _add(result, op.results[k])
                    for region in op.regions:
                        _add(result, carried_args(region, op)[k])
        else:
            entry = PRIMITIVES.get(op.name)
            inputs = op.operands
            if entry is not None:
                inputs = [
                    v
                    for v, a in zip(op.operands, entry.args)
                    if a not in entry.nondiff and a not in entry.shape_only
                ]
            if any(v in result for v in inputs):
                for r in op.results:
                    _add(result, r)


def _add(result: set[Value], value: Value) -> None:
    if value.type in DIFFERENTIABLE_TYPES:
        result.add(value)
