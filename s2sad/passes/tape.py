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
        for block, op, _ in ops_with_depths(pushing.body, "push", 1)
    }
    definers = {r: op for op in pushing.walk() for r in op.results}
    top_level: set[Value] = set()
    if pushing is popping:
        top_level = set(pushing.params)
        top_level.update(r for op in pushing.body.ops for r in op.results)
    replaced: dict[Value, Value] = {}
    read = {v for op in popping.walk() for v in op.operands}
    changed = False
    for block, pop, _ in list(ops_with_depths(popping.body, "pop", 1)):
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


def ops_with_depths(block: Block, name: str, depth: int):
    """``(block, op, depth)`` for every op called ``name`` inside ``block``;
    ``depth`` counts indentation levels of the generated code."""
    for op in block.ops:
        if op.name == name:
            yield block, op, depth
        for region in op.regions:
            yield from ops_with_depths(region, name, depth + 1)
