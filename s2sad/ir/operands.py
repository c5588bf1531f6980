"""Named parts of a structural op, read from its declaration in :mod:`s2sad.ir.ops`:
a loop's initial values, bounds and body, a region's carried arguments, the
values a piece of code reads from outside it, the groups of a checkpointed
loop's reversal.  Passes
use these instead of slicing operand lists by arithmetic."""

from __future__ import annotations

from typing import Iterable

from .core import Block, Op, Value, walk_ops
from .ops import CHECKPOINTED_LOOP, DIRECTIONS, OPS, SWEEP, TANGENTS, OpDecl


def declaration(op: Op) -> OpDecl | None:
    """The declaration of a structural op; None for a primitive."""
    return OPS.get(op.name)


def has_effect(op: Op, *effects: str) -> bool:
    """True when ``op`` is declared with one of ``effects``."""
    decl = OPS.get(op.name)
    return decl is not None and bool(decl.effects & set(effects))


def written_at_each_use(op: Op) -> bool:
    """Constants, slices and static index tuples are written out where they are
    used (``x[1:, None]``), never given a name of their own."""
    decl = OPS.get(op.name)
    if decl is None:
        return op.name == "slice"
    if decl.printed == "index":
        return op.results[0].type == "object"
    return decl.printed == "literal"


def loop_inits(op: Op) -> list[Value]:
    """The initial values of a loop's carried values (none for other ops)."""
    decl = OPS.get(op.name)
    if decl is None or not decl.carries:
        return []
    return op.operands[len(decl.operands) :]


def loop_init(op: Op, k: int) -> Value:
    """The initial value of a loop's ``k``-th carried value."""
    return loop_inits(op)[k]


def set_loop_init(op: Op, k: int, value: Value) -> None:
    """Make ``value`` the initial value of a loop's ``k``-th carried value."""
    op.operands[len(OPS[op.name].operands) + k] = value


def loop_bounds(op: Op) -> list[Value]:
    """``start, stop, step`` of a ``for`` loop."""
    return op.operands[: len(OPS["for"].operands)]


def loop_body(op: Op) -> Block:
    """The region a loop runs at each iteration (its last)."""
    return op.regions[-1]


def carried_args(region: Block, op: Op) -> list[Value]:
    """The block arguments of ``region`` (a region of ``op``) that stand for the
    values ``op`` carries: all but the leading ones such as ``for``'s counter;
    none for an ``if``."""
    decl = OPS[op.name].regions[op.regions.index(region)]
    if not decl.carried:
        return []
    return region.args[len(decl.args) :]


def leading_args(region: Block, op: Op) -> list[Value]:
    """The block arguments of ``region`` before the carried ones (``for``'s counter)."""
    decl = OPS[op.name].regions[op.regions.index(region)]
    return region.args[: len(decl.args)]


def region_labels(op: Op) -> tuple[str, ...]:
    """The printed names of ``op``'s regions (``then``, ``else``; ``body``)."""
    decl = OPS.get(op.name)
    return tuple(r.label for r in decl.regions) if decl is not None else ()


def read_from_outside(ops: list[Op], defined: Iterable[Value] = ()) -> list[Value]:
    """The values ``ops`` (and the ops of their regions) read that neither they,
    their regions nor ``defined`` define, in order of first read."""
    inside = set(defined)
    for op in walk_ops(ops):
        inside.update(op.results)
        for region in op.regions:
            inside.update(region.args)
    read: list[Value] = []
    for op in walk_ops(ops):
        for v in op.operands:
            if v not in inside and v not in read:
                read.append(v)
    return read


REVERSAL_TANGENTS = ("state_dot", "read_dot", "state_bar_dot", "read_bar_dot")
"""The groups of tangents a reversal carrying tangents takes, after its values."""


def reversal_parts(op: Op) -> dict[str, list[Value]]:
    """The operands of a checkpointed loop's reversal (``checkpointed_loop`` or
    ``checkpointed_while``) by group, in order: a ``for`` loop's ``bounds``
    (none for a ``while`` loop);
    the ``state`` before the loop, the values ``read`` by the step, a
    ``while`` loop's ``condition_read``, the adjoints ``state_bar`` of the state after
    the loop and ``read_bar`` of the values read it returns; the ``sweep`` it
    resumes from (one resuming a ``checkpointed_sweep``); then, for one
    carrying tangents, the tangents of those (:data:`REVERSAL_TANGENTS`); last,
    the ``batch`` count of one carrying batches of directions."""
    attrs = op.attrs
    carried = attrs["carried"]
    is_for = op.name == CHECKPOINTED_LOOP
    bars = sum(k >= is_for + carried for k in attrs["wrt"])
    tangents = bool(attrs.get(TANGENTS))
    count = int(bool(attrs.get(DIRECTIONS)))
    sweep = int(bool(attrs.get(SWEEP)))
    if is_for:
        values = (len(op.operands) - 3 - count - sweep) // (1 + tangents)
        sizes = {"bounds": 3, "state": carried, "read": values - 2 * carried - bars}
    else:
        sizes = {"bounds": 0, "state": carried, "read": attrs["read"]}
        sizes["condition_read"] = attrs["condition_read"]
    sizes.update(state_bar=carried, read_bar=bars, sweep=sweep)
    if tangents:
        sizes.update(zip(REVERSAL_TANGENTS, (carried, sizes["read"], carried, bars)))
    sizes["batch"] = count
    parts, start = {}, 0
    for name, size in sizes.items():
        parts[name] = op.operands[start : start + size]
        start += size
    return parts


def sweep_parts(op: Op) -> dict[str, list[Value]]:
    """The operands of a ``checkpointed_sweep`` by group: a ``for`` loop's
    ``bounds`` (none for a ``while`` loop, whose sweep names its ``condition``),
    the ``state`` before the loop, the values ``read`` by its step and those a
    ``while`` loop's condition reads (``condition_read``)."""
    carried = op.attrs["carried"]
    bounds = 0 if "condition" in op.attrs else 3
    state = op.operands[bounds : bounds + carried]
    rest = op.operands[bounds + carried :]
    reads = op.attrs.get("read", len(rest))
    return {
        "bounds": op.operands[:bounds],
        "state": state,
        "read": rest[:reads],
        "condition_read": rest[reads:],
    }
