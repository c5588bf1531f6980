"""Tape records written over several lines where one line would pass black's
line length: a presentation choice of the backend, so the IR never knows widths."""

from __future__ import annotations

from ..ir.core import Function, Op
from ..passes.tape import ops_with_depths
from .formatting import LINE_LENGTH

Chunks = dict[Op, list[tuple[int, int]]]
"""A push or pop op -> the slices of its entries written as one line each."""


def record_chunks(functions: list[Function], width: int = LINE_LENGTH) -> Chunks:
    """How to write each tape record of one module whose ``tape.append((...))``
    or ``... = tape.pop()`` line would pass ``width`` columns: as several
    records, pushed in order and popped in reverse.  A record a function pushes
    is popped by the function itself or else by the next one (its backward
    sweep, for ``vjp``).

    Widths are estimated from value names (an operand inlined as an expression
    may still make a line long)."""
    pops = [
        {
            op.attrs["record"]: (op, depth)
            for _, op, depth in ops_with_depths(function.body, "pop", 1)
        }
        for function in functions
    ]
    chunks: Chunks = {}
    for k, pushing in enumerate(functions):
        popped = {**(pops[k + 1] if k + 1 < len(pops) else {}), **pops[k]}
        chunks.update(_function_chunks(pushing, popped, width))
    return chunks


def _function_chunks(
    pushing: Function, pops: dict[int, tuple[Op, int]], width: int
) -> Chunks:
    """The chunks of the records ``pushing`` pushes, popped by ``pops`` (record -> op, depth)."""
    constants = {
        op.result: repr(op.attrs["value"])
        for op in pushing.walk()
        if op.name == "const"
    }
    chunks: Chunks = {}
    for _, push, push_depth in ops_with_depths(pushing.body, "push", 1):
        if push.attrs["record"] not in pops:
            continue
        pop, pop_depth = pops[push.attrs["record"]]
        tape = push.operands[0].name
        pushed = [constants.get(v, v.name) for v in push.operands[1:]]
        popped = [r.name for r in pop.results]

        def fits(start: int, stop: int) -> bool:
            items = ", ".join(pushed[start:stop])
            item = items if stop - start == 1 else f"({items})"
            append = 4 * push_depth + len(f"{tape}.append({item})")
            assign = 4 * pop_depth + len(
                f"{', '.join(popped[start:stop])} = {tape}.pop()"
            )
            return max(append, assign) <= width

        bounds = [0]
        for stop in range(1, len(pushed) + 1):
            if stop - bounds[-1] > 1 and not fits(bounds[-1], stop):
                bounds.append(stop - 1)
        bounds.append(len(pushed))
        if len(bounds) > 2:
            chunks[push] = chunks[pop] = list(zip(bounds, bounds[1:]))
    return chunks
