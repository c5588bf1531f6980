"""Tuples of tuples: refused where s2sad would lose track of what they hold.

A tuple is typed ``seq`` without the types of its elements, so an element read
from a tuple that crossed a loop, a branch or a call is taken for an array.  A
tuple built in the function and read at a constant position needs no types (the
lowering reads the element itself); one holding a tuple and carried by a loop,
yielded by a branch or passed to a helper is refused here, with a hint.
"""

from __future__ import annotations

from ..errors import UnsupportedSyntaxError
from ..ir.core import SEQ, Block, Function, Op, Value

CROSSINGS = {
    "yield": "yielded by a branch or a loop",
    "for": "carried by a loop",
    "while": "carried by a loop",
    "call": "passed to a helper",
}


def refuse_nested_crossings(function: Function) -> None:
    """Raise for a tuple holding a tuple that a loop, a branch or a call takes."""
    _check(function, function.body, set(), None)


def _check(
    function: Function, block: Block, nested: set[Value], parent: Op | None
) -> None:
    for op in block.ops:
        if op.name == "pack" and any(v.type == SEQ for v in op.operands):
            nested.add(op.results[0])
        crossing = CROSSINGS.get(op.name)
        if crossing is not None and any(v in nested for v in op.operands):
            raise _refusal(
                function, op if op.loc or parent is None else parent, crossing
            )
        for region in op.regions:
            _check(function, region, nested, op)


def _refusal(function: Function, op: Op, crossing: str) -> UnsupportedSyntaxError:
    return UnsupportedSyntaxError(
        f"a tuple or list holding tuples or lists is {crossing} here; s2sad "
        "cannot follow what its elements are",
        file=function.file,
        line=op.loc.line if op.loc else None,
        col=op.loc.col if op.loc else None,
        hint="keep each inner tuple in a variable of its own (a, b = ...; "
        "carry a and b), or use a flat tuple",
    )
