"""Outlining checkpointed loops: each step of the loop becomes a function of its own.

A ``for`` loop marked for checkpointing (``s2sad.checkpointed``) is reversed by
a schedule that runs single steps again from snapshots of the state, so a
step must be callable on its own.  :func:`outline_checkpointed_loops` moves
the body of each such loop into a new function ``<f>_step(t, carried...,
read...)`` of the loop counter, the carried values and the values from outside
the loop the body reads (constants are written into it), returning the carried values of the next step
and the values read, as they are (so that the adjoints of the values read
come into the step's backward sweep and add up as in the loop itself); the
loop's body becomes one call of it (marked :data:`CHECKPOINT`, so that reverse
mode recomputes the step's residuals instead of storing them).

A checkpointed ``while`` loop's step has no counter, and its condition
becomes a function too, ``<f>_condition(carried..., read...)``, which the
condition region calls (marked :data:`CONDITION`: reverse mode's online
schedule runs it, and it has no derivative).
"""

from __future__ import annotations

from ..ir.core import (
    NOT_CONSTANT,
    Block,
    Builder,
    Function,
    Op,
    Value,
    new_function,
)
from ..ir.module import Module, detached_copies
from ..ir.operands import loop_body, read_from_outside
from ..ir.ops import CHECKPOINT, CONDITION
from .rule_inline import clone_op


def outline_checkpointed_loops(module: Module) -> Module:
    """``module``, or a copy of it where every checkpointed loop's body is a call
    of a step function of its own (added to the copy); inner loops first, so
    that an outer loop's step calls the inner loop's step."""
    if not any(_checkpointed(op) for f in module for op in f.walk()):
        return module
    functions = detached_copies(list(module))
    steps = []
    taken = {f.name for f in functions}
    for function in functions:
        for op in reversed(list(function.walk())):
            if not _checkpointed(op):
                continue
            name = _fresh_name(f"{function.name}_step", taken)
            steps.append(_outline(function, op, loop_body(op), name, CHECKPOINT))
            if op.name == "while":
                name = _fresh_name(f"{function.name}_condition", taken)
                steps.append(_outline(function, op, op.regions[0], name, CONDITION))
    return Module(functions + steps)


def _checkpointed(op: Op) -> bool:
    return op.name in ("for", "while") and CHECKPOINT in op.attrs


def _outline(
    function: Function, loop: Op, body: Block, name: str, mark: str
) -> Function:
    """Make the region ``body`` of ``loop`` a call of a new function ``name``
    (marked ``mark``), returned: the step, which also returns the values it
    reads, or the condition of a ``while`` loop."""
    outside = read_from_outside(body.ops, body.args)
    read = [v for v in outside if v.constant is NOT_CONSTANT]
    params = body.args + read
    step = new_function(
        name,
        [(p.hint, p.type) for p in params],
        file=function.file,
        line=loop.loc.line if loop.loc else function.line,
    )
    step.doc = (
        f"One step of the checkpointed loop of {function.name}."
        if mark == CHECKPOINT
        else f"Whether the checkpointed loop of {function.name} runs another step."
    )
    mapping = dict(zip(params, step.params))
    builder = Builder(step)
    for v in outside:
        if v.constant is not NOT_CONSTANT:
            mapping[v] = builder.const(v.constant)
    for op in body.ops[:-1]:
        clone_op(builder, op, mapping)
    yielded = body.terminator.operands
    returned = yielded + read if mark == CHECKPOINT else yielded
    builder.ret([mapping[v] for v in returned])
    results = [Value(function.names.fresh(v.hint), v.type, v.hint) for v in returned]
    call = Op("call", list(params), results, {"callee": name, mark: True}, [], loop.loc)
    body.ops = [call, Op("yield", results[: len(yielded)], [])]
    return step


def _fresh_name(name: str, taken: set[str]) -> str:
    made, k = name, 1
    while made in taken:
        k += 1
        made = f"{name}_{k}"
    taken.add(made)
    return made
