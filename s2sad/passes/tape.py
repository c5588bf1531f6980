"""Tape trimming: keep on the tape only values the reverse sweep cannot get otherwise.

The reverse pass pushes every primal value an adjoint region reads.  After
simplification some of those are constants (``0.5 * DT`` folded), some are
pushed twice (two expressions merged into one), some are no longer read by
the simplified reverse sweep, and some turned out to be defined at the top
level of the function, where the reverse sweep can read them directly.  This pass removes those from each ``push``/``pop`` pair
(matched by their ``record`` attribute) and drops pairs left empty.
"""

from __future__ import annotations

from ..ir.core import Block, Function, Op, Value
from ..rules.registry import PRIMITIVES


def trim_tape(pushing: Function, popping: Function) -> bool:
    """Trim the tape written by ``pushing`` and read by ``popping`` (the same
    function for ``grad``; the two halves of a ``vjp``).  True if anything changed.
    Records pushed elsewhere (an adjoint tape of the backward sweep, see
    :mod:`.tape_adjoint`) are left alone.

    Top-level values are read directly only when both sweeps are one function.
    """
    pushes = {
        op.attrs["record"]: (block, op)
        for block, op, _ in _ops_with_depths(pushing.body, "push", 1)
    }
    definers = {r: op for op in pushing.walk() for r in op.results}
    top_level: set[Value] = set()
    if pushing is popping:
        top_level = set(pushing.params)
        top_level.update(r for op in pushing.body.ops for r in op.results)
    replaced: dict[Value, Value] = {}
    read = {v for op in popping.walk() for v in op.operands}
    changed = False
    for block, pop, _ in list(_ops_with_depths(popping.body, "pop", 1)):
        if pop.attrs["record"] not in pushes:
            continue
        push_block, push = pushes[pop.attrs["record"]]
        kept: list[tuple[Value, Value]] = []
        first: dict[Value, Value] = {}
        for value, result in zip(push.operands[1:], pop.results):
            definer = definers.get(value)
            if result not in read:
                continue
            if value in top_level:
                replaced[result] = value
            elif definer is not None and _recomputable(definer, top_level, definers):
                at = block.ops.index(pop) + 1
                block.ops[at:at] = _recompute(definer, result, top_level, definers)
            elif value in first:
                replaced[result] = first[value]
            else:
                first[value] = result
                kept.append((value, result))
        if len(kept) == len(pop.results):
            continue
        changed = True
        push.operands = push.operands[:1] + [value for value, _ in kept]
        pop.results = [result for _, result in kept]
        if not kept:
            block.ops.remove(pop)
            push_block.ops.remove(push)
    for op in popping.walk():
        op.operands = [replaced.get(v, v) for v in op.operands]
    if pushing is popping and not any(op.name == "push" for op in pushing.walk()):
        pushing.body.ops = [op for op in pushing.body.ops if op.name != "tape"]
    return changed


def _recomputable(op: Op, top_level: set[Value], definers: dict[Value, Op]) -> bool:
    """A constant, or one built-in primitive on constants and values the reverse
    sweep can read directly."""
    if op.name == "const":
        return True
    entry = PRIMITIVES.get(op.name)
    return (
        entry is not None
        and entry.binding is None
        and not op.regions
        and all(v in top_level or _is_const(v, definers) for v in op.operands)
    )


def _recompute(
    op: Op, result: Value, top_level: set[Value], definers: dict[Value, Op]
) -> list[Op]:
    """Ops computing ``op`` again into ``result``, with copies of the constants it reads."""
    ops, operands = [], []
    for v in op.operands:
        if v in top_level:
            operands.append(v)
            continue
        copy = v.copy()
        ops.append(Op("const", [], [copy], dict(definers[v].attrs)))
        operands.append(copy)
    ops.append(Op(op.name, operands, [result], dict(op.attrs), exact=op.exact))
    return ops


def _is_const(value: Value, definers: dict[Value, Op]) -> bool:
    definer = definers.get(value)
    return definer is not None and definer.name == "const"


def split_long_records(pushing: Function, popping: Function, width: int) -> None:
    """Split each tape record whose ``tape.append((...))`` or ``... = tape.pop()``
    line would pass ``width`` columns into several shorter records (those
    ``pushing`` pushes and ``popping`` pops).

    Run after the final naming: widths are estimated from value names (an
    operand inlined as an expression may still make a line long).
    """
    pops = {
        op.attrs["record"]: (block, op, depth)
        for block, op, depth in _ops_with_depths(popping.body, "pop", 1)
    }
    constants = {
        op.result: repr(op.attrs["value"])
        for op in pushing.walk()
        if op.name == "const"
    }
    for push_block, push, push_depth in list(_ops_with_depths(pushing.body, "push", 1)):
        if push.attrs["record"] not in pops:
            continue
        pop_block, pop, pop_depth = pops[push.attrs["record"]]
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
        if len(bounds) == 2:
            continue
        chunks = list(zip(bounds, bounds[1:]))
        record = push.attrs["record"]
        pushes = [
            Op(
                "push",
                push.operands[:1] + push.operands[1 + a : 1 + b],
                [],
                {"record": (record, k)},
            )
            for k, (a, b) in enumerate(chunks)
        ]
        new_pops = [
            Op("pop", pop.operands, pop.results[a:b], {"record": (record, k)})
            for k, (a, b) in reversed(list(enumerate(chunks)))
        ]
        at = push_block.ops.index(push)
        push_block.ops[at : at + 1] = pushes
        at = pop_block.ops.index(pop)
        pop_block.ops[at : at + 1] = new_pops


def _ops_with_depths(block: Block, name: str, depth: int):
    """``(block, op, depth)`` for every op called ``name`` inside ``block``;
    ``depth`` counts indentation levels of the generated code."""
    for op in block.ops:
        if op.name == name:
            yield block, op, depth
        for region in op.regions:
            yield from _ops_with_depths(region, name, depth + 1)
