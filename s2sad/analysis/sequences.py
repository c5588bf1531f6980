"""Sequences typed as arrays: items of lists and tuples whose items are sequences.

The frontend types ``rows[0]`` as an array whatever ``rows`` holds: for all
the ``getitem`` rule knows, an item of a sequence is an array or a number.
Where ``rows`` is a display of displays (``[[a, b], [c, d]]``), or a value
built like one (the adjoint of such a list, ``runtime.getitem_adjoint`` of one
of its items, a sum of two such adjoints), ``rows[0]`` is a list, and the
derivative passes must treat it as one: its adjoint is added item by item, and
a batch of its values is a list of batches, not one array with a batch axis.

:func:`refine_sequences` follows each value's *structure* through the ops that
build or take apart sequences, and retypes as a sequence every array-typed
value whose structure is a sequence.  A structure is :data:`LEAF` (a number,
an array, or anything not known) or a tuple of the structures of its items.
Only a known structure retypes, so what is not known stays as the frontend
typed it.  A loop carries the structure of its initial value where each
iteration yields one alike (the adjoint of a list summed over a loop), and an
``if`` the structure both its branches yield.
"""

from __future__ import annotations

from typing import Any

from ..ir.core import ARRAY, INT, SEQ, Block, Function, Op, Value
from ..ir.operands import carried_args, loop_body, loop_inits
from ..rules.registry import PRIMITIVES, SAME, Primitive, result_type_of

LEAF = None
"""The structure of a value not known to be a sequence."""

BUILT_LIKE = {"concatenate_adjoint": "xs", "stack_adjoint": "xs", "shape_of": "x"}
"""Helpers whose result is built item by item like a sequence argument (the
adjoints of the items joined, the shape carriers of its items), beside those
whose ``same_shape`` argument gives a sequence for a sequence (or, where that
argument's structure is not known, whose first argument does: ``unbroadcast`` of
a list's adjoint to a list popped from the tape)."""


def refine_sequences(function: Function) -> None:
    """Retype, in place, the array-typed values of ``function`` that are sequences."""
    unsure: set[tuple[int, int]] = set()
    while True:
        structures: dict[Value, Any] = {}
        changed: set[tuple[int, int]] = set()
        _follow(function.body, structures, unsure, changed)
        if changed <= unsure:
            break
        unsure |= changed
    for value, structure in structures.items():
        if structure is not LEAF and value.type == ARRAY:
            value.type = SEQ


def _follow(block: Block, known: dict[Value, Any], unsure: set, changed: set) -> None:
    """Add to ``known`` the structures of the values ``block`` defines, and to
    ``changed`` the carried values (loop, position) whose iteration yields
    another structure than the initial value's; a loop carries none of those in
    ``unsure``."""
    for op in block.ops:
        if op.name in ("for", "while"):
            carried = [
                LEAF if (id(op), k) in unsure else known.get(init, LEAF)
                for k, init in enumerate(loop_inits(op))
            ]
            for region in op.regions:
                known.update(zip(carried_args(region, op), carried))
                _follow(region, known, unsure, changed)
            yielded = _yielded(loop_body(op), known)
            for k, structure in enumerate(carried):
                if structure is not LEAF and yielded[k] != structure:
                    changed.add((id(op), k))
            results = carried
        elif op.name == "if":
            for region in op.regions:
                _follow(region, known, unsure, changed)
            then, other = (_yielded(region, known) for region in op.regions)
            results = [a if a == b else LEAF for a, b in zip(then, other)]
        else:
            results = _structures(op, known)
        known.update(zip(op.results, results))


def _yielded(region: Block, known: dict[Value, Any]) -> list[Any]:
    """The structures of the values ``region`` yields."""
    end = region.terminator
    return [] if end is None else [known.get(v, LEAF) for v in end.operands]


def _structures(op: Op, known: dict[Value, Any]) -> list[Any]:
    """The structures of ``op``'s results."""
    if op.name == "pack":
        return [tuple(known.get(v, LEAF) for v in op.operands)]
    if op.name == "unpack":
        items = known.get(op.operands[0], LEAF)
        if items is LEAF or len(items) != len(op.results):
            return [LEAF] * len(op.results)
        return list(items)
    if op.name == "getitem":
        return [_item(known.get(op.operands[0], LEAF), op.operands[1])]
    if op.name == "add_seq":
        return [known.get(op.operands[0], known.get(op.operands[1], LEAF))]
    entry = PRIMITIVES.get(op.name)
    if entry is None or len(op.results) != 1:
        return [LEAF] * len(op.results)
    like = _built_like(entry)
    if like is None or len(op.operands) <= like:
        return [LEAF]
    structure = known.get(op.operands[like], LEAF)
    if structure is LEAF and entry.result_type == SAME:
        structure = known.get(op.operands[0], LEAF)
    return [structure]


def _built_like(entry: Primitive) -> int | None:
    """The position of the argument ``entry``'s result is built like, if a
    sequence there makes a sequence of the same structure."""
    if entry.name in BUILT_LIKE:
        return entry.args.index(BUILT_LIKE[entry.name])
    like = entry.same_shape or (entry.args[0] if entry.result_type == SAME else None)
    if like is None or result_type_of(entry, [SEQ] * len(entry.args), {}) != SEQ:
        return None
    return entry.args.index(like)


def _item(items: Any, index: Value) -> Any:
    """The structure of ``items[index]``: of the item at a constant position, or
    of every item where they are alike and the position is an int."""
    if items is LEAF:
        return LEAF
    k = index.constant
    if type(k) is int and -len(items) <= k < len(items):
        return items[k]
    if index.type == INT and items and all(i == items[0] for i in items):
        return items[0]
    return LEAF
