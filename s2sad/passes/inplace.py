"""Which writes into arrays (``setitem`` and ``add_at`` ops) generated code may do in place.

In the IR, ``y2 = setitem(y1, i, v)`` makes a new array.  Written as
``y1[i] = v`` instead, it costs O(1) rather than a copy of ``y1`` — but only
when nothing can tell the difference: ``y1`` must be an array the generated
function made itself (not an argument, not a value kept on the tape or in
the residuals of a ``vjp``), and nothing may read ``y1``, or a view of it,
after the write.
"""

from __future__ import annotations

from ..ir.core import (
    ARRAYS,
    BOOL,
    FLOAT,
    INT,
    TEMPORARY,
    Block,
    Function,
    Op,
    Value,
    is_array,
    walk_block,
)
from ..ir.ops import CHECKPOINTED_SWEEP, LOOPS, STORES, TERMINATORS
from ..ir.operands import carried_args, has_effect, loop_body, loop_init, set_loop_init
from ..rules.registry import PRIMITIVES

WRITES = ("setitem", "add_at")
"""Ops that write into a copy of their first operand (in place when safe)."""

NUMBERS = (FLOAT, INT, BOOL)
"""Types of values that are never views (NumPy scalars and Python numbers)."""


def _stores(op: Op) -> bool:
    """``op`` keeps a value for later (the tape, a helper, a tuple): a write would
    change what it keeps."""
    return has_effect(op, STORES)


def _escapes(op: Op) -> bool:
    """A value ``op`` reads may be read again after it, by code after the write."""
    return op.name in TERMINATORS or _stores(op)


def writes_in_place(function: Function) -> set[Op]:
    """The ``setitem`` and ``add_at`` ops of ``function`` that may write into their array in place."""
    places = _Places(function)
    return {op for op in function.walk() if op.name in WRITES and places.safe(op)}


def copy_before_loops(function: Function) -> None:
    """Give each loop that writes into a carried array an array of its own to
    start from: a copy, made once before the loop, of an initial array that is
    not the function's own (an argument, a broadcast), so the writes can all
    happen in place instead of copying at every iteration."""
    places = _Places(function)
    for op in list(function.walk()):
        if op.name not in LOOPS:
            continue
        body = loop_body(op)
        written = {w.operands[0] for w in walk_block(body) if w.name in WRITES}
        block = places.position[op][0]
        for k, arg in enumerate(carried_args(body, op)):
            init = loop_init(op, k)
            if arg not in written or not is_array(init.type):
                continue
            if (
                places.owned(init, block)
                and places.unread_after(init, op)
                and op.operands.count(init) == 1
            ):
                continue
            result = Value(function.names.fresh(TEMPORARY), init.type, TEMPORARY)
            block.ops.insert(block.ops.index(op), Op("np.copy", [init], [result]))
            set_loop_init(op, k, result)


def sharing_memory(function: Function, arrays: set[Value]) -> set[Value]:
    """``arrays`` and every value that may be a view of one of them."""
    readers: dict[Value, list[Op]] = {}
    for op in function.walk():
        for operand in op.operands:
            readers.setdefault(operand, []).append(op)
    shared, stack = set(arrays), list(arrays)
    while stack:
        for reader in readers.get(stack.pop(), []):
            entry = PRIMITIVES.get(reader.name)
            if entry is not None and entry.view:
                for result in reader.results:
                    if result not in shared:
                        shared.add(result)
                        stack.append(result)
    return shared


def basic_index(index: Value, definer: dict[Value, Op]) -> bool:
    """True when ``index`` holds only numbers, slices, ``None`` and ``...``: no
    index arrays, so no element can be selected twice."""
    op = definer.get(index)
    if op is None:
        return index.type == INT
    if op.name == "pack":
        return all(basic_index(v, definer) for v in op.operands)
    return op.name in ("const", "slice") or index.type == INT


def _makes_new_array(op: Op) -> bool:
    """``op``'s result is a new, writable array: a creation, a copy, an
    elementwise result, or the state after a ``checkpointed_sweep`` (which
    returns copies)."""
    if op.name == CHECKPOINTED_SWEEP:
        return True
    entry = PRIMITIVES.get(op.name)
    elementwise = entry is not None and entry.elementwise and not entry.view
    fresh = entry is not None and entry.fresh
    return fresh or (elementwise and op.results[0].type in ARRAYS)


class _Places:
    """Where each value is defined and read, block by block."""

    def __init__(self, function: Function):
        self.definer: dict[Value, Op] = {}
        self.position: dict[Op, tuple[Block, int]] = {}
        self.parent: dict[Block, Op] = {}
        self.readers: dict[Value, list[Op]] = {}
        self.arg_of: dict[Value, tuple[Op, Block, int]] = {}
        self.visiting: set[Value] = set()
        self._index(function.body, None)

    def _index(self, block: Block, owner: Op | None) -> None:
        if owner is not None:
            self.parent[block] = owner
            for k, arg in enumerate(carried_args(block, owner)):
                self.arg_of[arg] = (owner, block, k)
        for index, op in enumerate(block.ops):
            self.position[op] = (block, index)
            for result in op.results:
                self.definer[result] = op
            for operand in op.operands:
                self.readers.setdefault(operand, []).append(op)
            for region in op.regions:
                self._index(region, op)

    def safe(self, write: Op) -> bool:
        """True when ``write`` may write into its array in place: an array from
        outside the branch of an ``if`` it sits in counts when nothing after
        that ``if`` reads it (only one branch runs)."""
        array = write.operands[0]
        block, _ = self.position[write]
        exclusive: list[Block] = []
        while not self._defined_in(array, block):
            owner = self.parent.get(block)
            if owner is None or owner.name != "if":
                return False
            exclusive += [b for b in owner.regions if b is not block]
            block = self.position[owner][0]
        return self.unread_after(array, write, exclusive) and self.owned(array, block)

    def _defined_in(self, value: Value, block: Block) -> bool:
        definer = self.definer.get(value)
        if definer is not None:
            return self.position[definer][0] is block
        return value in block.args

    def owned(self, value: Value, block: Block) -> bool:
        """``value`` is a new array of this function's, defined in ``block`` (or
        carried by it), that nothing else holds: made by a creation, a copy or an
        elementwise op, or an ``if``/loop result made of such arrays."""
        if value in self.visiting:
            return True
        self.visiting.add(value)
        try:
            definer = self.definer.get(value)
            if definer is not None:
                if self.position[definer][0] is not block:
                    return False
                if definer.regions:
                    return self._owned_result(definer, definer.results.index(value))
                return _makes_new_array(definer)
            if value not in self.arg_of:
                return False
            loop, body, k = self.arg_of[value]
            if body is not block or body is not loop.regions[-1]:
                return False
            return self._owned_result(loop, k)
        finally:
            self.visiting.discard(value)

    def _owned_result(self, op: Op, k: int) -> bool:
        """The ``k``-th result of ``op`` (an ``if`` or a loop) is owned: each value
        that may become it is, and none of them is read after ``op``."""
        block = self.position[op][0]
        if op.name == "if":
            return all(
                self._flows_owned(region.terminator.operands[k], region, op)
                for region in op.regions
            )
        init = loop_init(op, k)
        body = loop_body(op)
        return (
            self.owned(init, block)
            and self.unread_after(init, op)
            and op.operands.count(init) == 1
            and self._flows_owned(body.terminator.operands[k], body, op)
        )

    def _flows_owned(self, value: Value, region: Block, op: Op) -> bool:
        """``value``, yielded by ``region`` of ``op``, is owned: made in the region,
        or an owned array from outside that nothing reads after ``op``; and nothing
        keeps it (a tape push of one iteration would see the next one's writes),
        and ``region`` yields it once (merged duplicates, ``np.zeros(n)`` twice, are
        one array)."""
        if self._stored(value) or region.terminator.operands.count(value) > 1:
            return False
        inside = self.position.get(self.definer.get(value), (None,))[0] is region
        if inside or value in region.args:
            return self.owned(value, region)
        return self.owned(value, self.position[op][0]) and self.unread_after(value, op)

    def unread_after(
        self, array: Value, write: Op, elsewhere: list[Block] = ()
    ) -> bool:
        """Nothing reads ``array`` or a view of it after ``write``, except in the
        ``elsewhere`` branches, which never run together with the write (and do
        not store the array)."""
        shared, stack = {array}, [array]
        while stack:
            value = stack.pop()
            for reader in self.readers.get(value, []):
                if reader is write:
                    continue
                if _stores(reader):
                    return False
                if self._within(reader, elsewhere):
                    continue
                if _escapes(reader) or not self._precedes(reader, write):
                    return False
                entry = PRIMITIVES.get(reader.name)
                if reader.regions or (entry is not None and entry.view):
                    for result in reader.results:
                        if result not in shared and result.type not in NUMBERS:
                            shared.add(result)
                            stack.append(result)
        return True

    def _stored(self, array: Value) -> bool:
        """A ``push``, ``call`` or ``pack`` holds ``array`` or a view of it."""
        shared, stack = {array}, [array]
        while stack:
            for reader in self.readers.get(stack.pop(), []):
                if _stores(reader):
                    return True
                entry = PRIMITIVES.get(reader.name)
                if entry is not None and entry.view:
                    for result in reader.results:
                        if result not in shared and result.type not in NUMBERS:
                            shared.add(result)
                            stack.append(result)
        return False

    def _within(self, op: Op, blocks: list[Block]) -> bool:
        """``op`` is in one of ``blocks``, or nested in an op there."""
        where = self.position[op][0]
        while True:
            if any(where is b for b in blocks):
                return True
            owner = self.parent.get(where)
            if owner is None:
                return False
            where = self.position[owner][0]

    def _precedes(self, op: Op, target: Op) -> bool:
        """``op`` runs before ``target``: in the innermost block holding both,
        the op containing ``op`` comes before the one containing ``target``."""
        chain: dict[Block, int] = {}
        where, index = self.position[target]
        while True:
            chain[where] = index
            owner = self.parent.get(where)
            if owner is None:
                break
            where, index = self.position[owner]
        where, index = self.position[op]
        while where not in chain:
            owner = self.parent.get(where)
            if owner is None:
                return False
            where, index = self.position[owner]
        return index < chain[where]
