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
    """Values that depend on any value in ``wrt`` (through loops: to a fixed point)."""
    result = {v for v in wrt if v.type in DIFFERENTIABLE_TYPES}
    while True:
        size = len(result)
        _varied_block(function.body, result)
        if len(result) == size:
            return result


def _varied_block(block: Block, result: set[Value]) -> None:
    for op in block.ops:
        for region in op.regions:
            _varied_block(region, result)
        if op.name == "if":
            for k, r in enumerate(op.results):
                if any(
                    region.terminator.operands[k] in result for region in op.regions
                ):
                    _add(result, r)
        elif op.name in ("for", "while"):
            carried = len(op.results)
            inits = op.operands[len(op.operands) - carried :]
            yields = op.regions[-1].terminator.operands
            for k in range(carried):
                if inits[k] in result or yields[k] in result:
                    _add(result, op.results[k])
                    for region in op.regions:
                        _add(result, region.args[len(region.args) - carried + k])
        else:
            entry = PRIMITIVES.get(op.name)
            inputs = op.operands
            if entry is not None:
                inputs = [
                    v for v, a in zip(op.operands, entry.args) if a not in entry.nondiff
                ]
            if any(v in result for v in inputs):
                for r in op.results:
                    _add(result, r)


def _add(result: set[Value], value: Value) -> None:
    if value.type in DIFFERENTIABLE_TYPES:
        result.add(value)


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
