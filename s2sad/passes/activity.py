"""Activity analysis: which values need derivatives at all.

A value is *varied* when it depends on an input being differentiated and
*useful* when the function's outputs depend on it; only values that are both
(*active*) get tangents or adjoints.  Integer and boolean values are never
varied: loop counters and comparisons carry no derivative.
"""

from __future__ import annotations

from ..ir import FLOAT, Block, Function, Value
from ..primitives import PRIMITIVES

DIFFERENTIABLE_TYPES = (FLOAT,)


def varied(function: Function, wrt: list[Value]) -> set[Value]:
    """Values that depend on any value in ``wrt``."""
    result = {v for v in wrt if v.type in DIFFERENTIABLE_TYPES}
    _varied_block(function.body, result)
    return result


def _varied_block(block: Block, result: set[Value]) -> None:
    for op in block.ops:
        entry = PRIMITIVES.get(op.name)
        inputs = op.operands
        if entry is not None:
            inputs = [
                v for v, arg in zip(op.operands, entry.args) if arg not in entry.nondiff
            ]
        if any(v in result for v in inputs):
            result.update(r for r in op.results if r.type in DIFFERENTIABLE_TYPES)


def useful(function: Function) -> set[Value]:
    """Values that the returned values depend on."""
    result = {v for v in function.returned}
    for op in reversed(function.body.ops):
        if any(r in result for r in op.results):
            result.update(v for v in op.operands)
    return result


def active(function: Function, wrt: list[Value]) -> set[Value]:
    """Values that are both varied by ``wrt`` and useful for the outputs."""
    return varied(function, wrt) & useful(function)
