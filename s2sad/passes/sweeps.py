"""Checkpointed loops run as loops again, for forward mode over a gradient.

Reverse mode's forward sweep runs a checkpointed loop of its top level by
the loop's schedule (``checkpointed_sweep``), keeping the snapshots the
loop's reversal resumes from (see :func:`s2sad.passes.reverse.reverse`).
Forward mode over that gradient (a Hessian-vector product, the jvp of a
gradient) differentiates the loop, not its schedule: the reversal carrying
tangents runs the schedule on the jvps, from the state before the loop, with
the tangents of that state.  :func:`plain_loops` gives it a module where each
sweep is the loop it ran, one call of the step per iteration (what the sweep
kept is None, should residuals pass it on), and each reversal resumes from
nothing.
"""

from __future__ import annotations

from ..ir.core import BOOL, INT, TEMPORARY, Block, Function, Op, Value
from ..ir.module import Module, detached_copies
from ..ir.ops import CHECKPOINT, CHECKPOINTED_SWEEP, CONDITION, SWEEP
from ..ir.operands import sweep_parts


def plain_loops(module: Module) -> Module:
    """``module``, or copies of its functions in a module of their own where
    every ``checkpointed_sweep`` is the loop (``for`` or ``while``) calling its
    step, and every reversal takes no sweep to resume from."""
    if not any(op.name == CHECKPOINTED_SWEEP for f in module for op in f.walk()):
        return module
    copies = detached_copies(list(module))
    for function in copies:
        for block in _blocks(function.body):
            block.ops = [made for op in block.ops for made in _plain(function, op)]
    return Module(copies)


def _blocks(block: Block) -> list[Block]:
    """``block`` and the blocks of the regions of its ops, nested or not."""
    found = [block]
    for op in block.ops:
        for region in op.regions:
            found += _blocks(region)
    return found


def _plain(function: Function, op: Op) -> list[Op]:
    """``op``; a sweep as its loop and None for what it kept; a reversal
    without its sweep operand."""
    if op.attrs.get(SWEEP):
        attrs = {k: v for k, v in op.attrs.items() if k != SWEEP}
        return [Op(op.name, op.operands[:-1], op.results, attrs, op.regions, op.loc)]
    if op.name != CHECKPOINTED_SWEEP:
        return [op]
    parts = sweep_parts(op)
    carried = op.attrs["carried"]

    def fresh(value: Value) -> Value:
        return Value(function.names.fresh(value.hint), value.type, value.hint)

    counter = (
        [] if "condition" in op.attrs else [Value(function.names.fresh("_"), INT, "_")]
    )
    args = [fresh(v) for v in parts["state"]]
    outputs = [fresh(r) for r in op.results[:carried]] + [
        fresh(v) for v in parts["read"]
    ]
    call = Op(
        "call",
        [*counter, *args, *parts["read"]],
        outputs,
        {"callee": op.attrs["step"], CHECKPOINT: True},
        [],
        op.loc,
    )
    regions = [Block([*counter, *args], [call, Op("yield", outputs[:carried], [])])]
    if counter:
        name, operands = "for", [*parts["bounds"], *parts["state"]]
    else:
        name, operands = "while", list(parts["state"])
        regions.insert(0, _test(function, op, [fresh(v) for v in parts["state"]]))
    checkpoint = (op.attrs["snapshots"], op.attrs["schedule"])
    loop = Op(
        name, operands, op.results[:carried], {CHECKPOINT: checkpoint}, regions, op.loc
    )
    kept = op.results[carried]
    kept.constant = None
    return [loop, Op("const", [], [kept], {"value": None})]


def _test(function: Function, op: Op, args: list[Value]) -> Block:
    """The ``before`` region of a ``while`` loop's sweep: its condition called
    on the state (``args``) and what the condition reads."""
    holds = Value(function.names.fresh(TEMPORARY), BOOL, TEMPORARY)
    operands = [*args, *sweep_parts(op)["condition_read"]]
    attrs = {"callee": op.attrs["condition"], CONDITION: True}
    call = Op("call", operands, [holds], attrs, [], op.loc)
    return Block(args, [call, Op("yield", [holds], [])])
