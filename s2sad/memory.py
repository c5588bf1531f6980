"""``s2sad.memory_report``: what reverse mode stores between its two sweeps.

The forward sweep of reverse mode (``f_sweeps_fwd``, the two sweeps for the
parameters picked) returns its residuals: the values its backward sweep reads, the tapes its
loops fill (one record per iteration) and the residuals of each helper it
calls.  :func:`memory_report` runs that forward sweep at the caller's
arguments and walks what it returned alongside the IR that built it, so that
every stored value is named as in the source, with the line computing it:
its shape, dtype, how many of it (one per iteration on a tape) and its bytes.
An array that is (a view of) an argument is listed but costs nothing new, an
array stored in two places is counted once, and a broadcast one (a stride of
0, what a shape is kept as) counts one item.

A checkpointed loop stores the state before it and, where it runs at the
function's top level, what its forward sweep kept for its reversal (``sweep``:
the snapshots its schedule took on the way and the residuals of the steps it
taped last); a checkpointed loop in a helper takes its snapshots during the
backward sweep.  Where the function has one, the report also runs
the backward sweep (from an adjoint of ones) and lists, for each checkpointed
loop reversed, what its schedule did (:mod:`s2sad.loop_counts`): its steps,
those run untaped and taped, the snapshots written and restored, the most
held at once and their most bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .api import Entry, PathLike, Wrt
from .checks import with_defaults
from .ir.core import BOOL, FLOAT, INT, RESIDUALS, SEQ, TAPE, Function, Op, Value
from .ir.ops import CHECKPOINTED_LOOP, CHECKPOINTED_WHILE
from .loop_counts import LoopCounts, recording
from .runtime import Sweep


@dataclass
class StoredValue:
    """One value the forward sweep stores, over all its records: where it
    comes from, how many times it is stored and what it costs."""

    function: str
    name: str
    file: str | None
    line: int | None
    count: int = 0
    shapes: set = field(default_factory=set)
    dtypes: set = field(default_factory=set)
    bytes: int = 0
    arguments: int = 0
    """How many of the stored arrays are (views of) the caller's arguments."""

    @property
    def where(self) -> str:
        """``file:line`` of the value (its function's line for a parameter)."""
        file = (self.file or "?").rsplit("/", 1)[-1]
        return f"{file}:{self.line}" if self.line else file


@dataclass(frozen=True)
class MemoryReport:
    """What the reverse sweep of one function stores at one set of arguments."""

    label: str
    values: tuple[StoredValue, ...]
    loops: tuple[tuple[str, LoopCounts], ...] = ()
    """Each checkpointed loop reversed, in the order reversed: where it is
    (``file:line``) and what its schedule did."""

    @property
    def total_bytes(self) -> int:
        """The bytes stored that are not (views of) the arguments."""
        return sum(v.bytes for v in self.values)

    def __str__(self) -> str:
        rows = [
            f"Reverse mode of {self.label} stores {_size(self.total_bytes)} between "
            "its sweeps:",
            f"  {'bytes':>10}  {'count':>6}  {'shape':<14} {'dtype':<8} {'value':<14} where",
        ]
        for v in self.values:
            shape = " ".join(sorted(v.shapes)) if len(v.shapes) < 3 else "various"
            dtype = " ".join(sorted(v.dtypes))
            note = " (argument, not copied)" if v.arguments == v.count else ""
            rows.append(
                f"  {v.bytes:>10}  {v.count:>6}  {shape:<14} {dtype:<8} "
                f"{v.name:<14} {v.where} in {v.function}{note}"
            )
        return "\n".join(rows + _loop_rows(self.loops))


def _loop_rows(loops: tuple[tuple[str, LoopCounts], ...]) -> list[str]:
    """The table of the checkpointed loops' counts (none without loops)."""
    if not loops:
        return []
    rows = [
        "Checkpointed loops, run and reversed by their schedules:",
        f"  {'steps':>6} {'untaped':>8} {'taped':>6} {'writes':>6} {'restores':>8} "
        f"{'peak':>4} {'peak bytes':>10}  schedule     where",
    ]
    for where, c in loops:
        rows.append(
            f"  {c.steps:>6} {c.advances:>8} {c.taped:>6} {c.writes:>6} "
            f"{c.restores:>8} {c.peak_snapshots:>4} {c.peak_bytes:>10}  "
            f"{c.schedule + ' ' + str(c.snapshots):<11}  {where}"
        )
    return rows


def memory_report(
    f: Callable[..., Any], *args: Any, wrt: Wrt = 0, output_dir: PathLike = None
) -> MemoryReport:
    """What reverse mode stores, differentiating ``f`` at ``args`` with respect to
    ``wrt``: each stored value with its shape, dtype, count and bytes and the
    source line computing it, largest first, then what each checkpointed loop's
    schedule did in the backward sweep (print it)."""
    entry = Entry(f, "sweeps", wrt, output_dir)
    full = entry.arguments(args, "memory_report")
    given = with_defaults(entry.target, full)
    returned = entry.generated(*given)
    functions = {fn.name: fn for fn in entry.derivative.functions}
    sweep = functions[entry.derivative.meta["names"][0]]
    walker = _Walker(functions, [a for a in given if isinstance(a, np.ndarray)])
    walker.residuals(sweep, sweep.returned[-1], returned[-1])
    ordered = sorted(walker.rows.values(), key=lambda v: (-v.bytes, -v.count, v.name))
    loops = _loop_counts(entry, functions, returned)
    return MemoryReport(entry.target.label, tuple(ordered), loops)


def _loop_counts(
    entry: Entry, functions: dict[str, Function], returned: tuple
) -> tuple[tuple[str, LoopCounts], ...]:
    """Where the derivative reverses checkpointed loops: each one's place and
    counts, from running its backward sweep on ``returned`` (the forward
    sweep's results) with an adjoint of ones."""
    kinds = (CHECKPOINTED_LOOP, CHECKPOINTED_WHILE)
    if not any(op.name in kinds for fn in functions.values() for op in fn.walk()):
        return ()
    value = returned[0]
    dtype = getattr(value, "dtype", None)
    seed = 1.0 if dtype is None else np.ones_like(value, np.result_type(dtype, "e"))
    with recording() as recorded:
        entry.derivative.entry(1)(returned[-1], seed)
    return tuple((_where(functions.get(c.step)), c) for c in recorded)


def _where(function: Function | None) -> str:
    """``file:line`` of a loop's step function."""
    if function is None:
        return "?"
    file = (function.file or "?").rsplit("/", 1)[-1]
    return f"{file}:{function.line}" if function.line else file


class _Walker:
    """Walks stored values alongside the IR ops that stored them."""

    def __init__(self, functions: dict[str, Function], arguments: list[np.ndarray]):
        self.functions = functions
        self.arguments = arguments
        self.rows: dict[tuple, StoredValue] = {}
        self.seen: set[int] = set()
        self.known: dict[str, dict[Value, Op]] = {}

    def definers(self, function: Function) -> dict[Value, Op]:
        """The op defining each value of ``function`` (regions included)."""
        if function.name not in self.known:
            found = {r: op for op in function.walk() for r in op.results}
            for op in function.walk():
                found.update((a, op) for region in op.regions for a in region.args)
            self.known[function.name] = found
        return self.known[function.name]

    def residuals(self, function: Function, value: Value, stored: Any) -> None:
        """The residual tuple ``stored``, packed in ``function`` as ``value``."""
        definer = self.definers(function).get(value)
        if definer is None or definer.name != "pack":
            self.leaf(function, value, stored)
            return
        for operand, item in zip(definer.operands, stored):
            self.item(function, operand, item)

    def item(self, function: Function, value: Value, stored: Any) -> None:
        """One stored item: a leaf, a helper's residuals or a tape."""
        definer = self.definers(function).get(value)
        if value.type == RESIDUALS and definer is not None and definer.name == "call":
            callee = self.functions.get(definer.attrs["callee"])
            if callee is not None:
                self.residuals(callee, callee.returned[-1], stored)
                return
        if value.type == RESIDUALS:
            self.residuals(function, value, stored)
        elif value.type == TAPE:
            self.tape(function, value, stored)
        else:
            self.leaf(function, value, stored)

    def tape(self, function: Function, tape: Value, records: list) -> None:
        """Each record of a tape, against a ``push`` of its length (a push of
        one value appends the value itself, of several a tuple) whose values
        are of the kinds of the record's, where pushes of one length differ."""
        by_length: dict[int, list[Op]] = {}
        for op in function.walk():
            if op.name == "push" and op.operands[0] is tape:
                by_length.setdefault(len(op.operands) - 1, []).append(op)
        for record in records:
            several = isinstance(record, tuple) and len(record) in by_length
            items = record if several else (record,)
            pushes = by_length.get(len(items), [])
            fitting = [op for op in pushes if all(map(_fits, op.operands[1:], items))]
            push = (fitting or pushes or [None])[-1]
            if push is None:
                self.leaf(function, tape, record)
            elif several:
                for operand, item in zip(push.operands[1:], record):
                    self.item(function, operand, item)
            else:
                self.item(function, push.operands[1], record)

    def leaf(self, function: Function, value: Value, stored: Any) -> None:
        """A stored number or array (or what a checkpointed loop's forward sweep
        kept, its states and residuals), added to its row."""
        if isinstance(stored, Sweep):
            stored = stored.kept()
        definer = self.definers(function).get(value)
        line = (
            definer.loc.line if definer is not None and definer.loc else function.line
        )
        key = (function.name, value.name, line)
        row = self.rows.get(key)
        if row is None:
            name = value.hint
            if value.is_temporary:
                made = definer.name if definer is not None else "?"
                name = f"{value.name} ({made})"
            row = self.rows[key] = StoredValue(function.name, name, function.file, line)
        row.count += 1
        if isinstance(stored, (tuple, list)):
            row.shapes.add(f"{type(stored).__name__}[{len(stored)}]")
        else:
            row.shapes.add(str(np.shape(stored)))
            row.dtypes.add(str(np.asarray(stored).dtype))
        cost, argument = self.cost(stored)
        row.bytes += cost
        row.arguments += argument

    def cost(self, stored: Any) -> tuple[int, bool]:
        """The new bytes ``stored`` holds (a tuple's or list's, its entries'), and
        whether it is all (views of) the arguments.  An array counts once, and a
        broadcast one the items of its axes that are not broadcast."""
        if isinstance(stored, (tuple, list)):
            costs = [self.cost(entry) for entry in stored]
            bytes_ = sum(c for c, _ in costs)
            return bytes_, bool(costs) and all(a for _, a in costs)
        if not isinstance(stored, np.ndarray):
            return np.asarray(stored).nbytes, False
        if any(np.may_share_memory(stored, a) for a in self.arguments):
            return 0, True
        if id(stored) in self.seen:
            return 0, False
        self.seen.add(id(stored))
        kept = [n for n, stride in zip(stored.shape, stored.strides) if stride]
        return stored.itemsize * math.prod(kept), False


def _fits(value: Value, stored: Any) -> bool:
    """Whether ``stored`` can be a value of ``value``'s kind."""
    if value.type == TAPE:
        return isinstance(stored, list)
    if value.type in (RESIDUALS, SEQ):
        return isinstance(stored, (tuple, list))
    if value.type in (BOOL, INT, FLOAT):
        return not isinstance(stored, (np.ndarray, tuple, list))
    return isinstance(stored, np.ndarray)


def _size(count: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"
