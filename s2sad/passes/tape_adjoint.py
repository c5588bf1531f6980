"""What reverse mode needs to know of a tape it differentiates (reverse over reverse).

A gradient keeps a tape: its forward sweep pushes values that its backward
sweep pops.  Reverse mode over such a function runs both sweeps in its own
forward sweep, and in its reverse sweep turns each ``a, b = pop(tape)`` into
a push of ``a_bar, b_bar`` on an *adjoint tape* and each ``push(tape, a, b)``
into a pop of them, accumulated into the adjoints of ``a`` and ``b``.  The
reverse sweep meets the pops first (it runs the backward sweep backwards),
so the adjoint tape is filled and emptied in last-in, first-out order.

This module finds, per record, the entries whose adjoints travel that way
(the active ones), the loops and branches that hold such pushes or pops (they
must be reversed even when no other adjoint reaches them), and gives the
records of the copied function numbers of their own.
"""

from __future__ import annotations

from typing import Any

from ..errors import DifferentiationError
from ..ir.core import RESIDUALS, Block, Function, Op, Value
from .activity import pops_by_record, pushes_by_record


def tape_entries(function: Function, active: set[Value]) -> dict[Any, list[int]]:
    """Per record of ``function``'s tapes, the positions of the entries whose
    adjoints travel back through an adjoint tape.

    For a record pushed and popped here, its active entries (pushed and popped
    values are active together, see ``activity.varied``).  A record with its
    other half in another function (the two sweeps of a helper's ``vjp``)
    sends back every entry, so that both functions agree without seeing each
    other: pushed here on a tape handed over in a residual tuple, whose
    adjoint comes back in the tuple's adjoint; popped here from such a tape
    (the tape is then varied), whose adjoint goes out in the adjoint of the
    residual tuple it was unpacked from.  Active entries pushed on a tape that
    goes nowhere are refused.
    """
    pushes = pushes_by_record(function)
    pops = pops_by_record(function)
    handed_over = {
        v
        for op in function.walk()
        if op.name == "pack" and op.result.type == RESIDUALS
        for v in op.operands
    }
    entries: dict[Any, list[int]] = {}
    for record, push in pushes.items():
        pushed = push.operands[1:]
        if record in pops:
            entries[record] = [k for k, v in enumerate(pushed) if v in active]
        elif push.operands[0] in handed_over:
            entries[record] = list(range(len(pushed)))
        elif any(v in active for v in pushed):
            raise _one_sided(function, push, "pushes", "popped")
    for record, pop in pops.items():
        if record in pushes:
            continue
        if pop.operands[0] in active:
            entries[record] = list(range(len(pop.results)))
        elif any(v in active for v in pop.results):
            raise _one_sided(function, pop, "pops", "pushed")
    return entries


def _one_sided(
    function: Function, op: Op, does: str, other: str
) -> DifferentiationError:
    return DifferentiationError(
        f"reverse mode cannot differentiate {function.name}: it {does} values "
        f"that depend on the inputs on a tape {other} in another function",
        file=function.file,
        line=op.loc.line if op.loc else function.line,
        hint="differentiate the whole gradient, not one sweep of a vjp",
    )


def tape_bound(function: Function, entries: dict[Any, list[int]]) -> set[Op]:
    """The ``if``/``for``/``while`` ops of ``function`` holding a push or pop
    with active entries: their adjoint must run even when no other adjoint
    reaches them, so that the adjoint tape is pushed and popped alike."""
    found: set[Op] = set()

    def visit(block: Block) -> bool:
        holds = False
        for op in block.ops:
            inside = any([visit(region) for region in op.regions])
            if inside:
                found.add(op)
            tape_op = op.name in ("push", "pop") and entries.get(op.attrs["record"])
            holds = holds or inside or bool(tape_op)
        return holds

    visit(function.body)
    return found


def renumber_records(function: Function) -> int:
    """Number the records of ``function``'s tape 0, 1, … in order of first
    appearance (a copied gradient may have records such as ``(3, 1)``);
    returns how many there are, the first number free for new records."""
    numbers: dict[Any, int] = {}
    for op in function.walk():
        if op.name in ("push", "pop"):
            record = numbers.setdefault(op.attrs["record"], len(numbers))
            op.attrs = {**op.attrs, "record": record}
    return len(numbers)
