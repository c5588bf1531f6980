"""What the reverse sweeps of checkpointed loops did, recorded while asked.

The runtime's schedule machine counts, for each checkpointed loop it
reverses, the steps it runs untaped and taped, the snapshots it writes and
restores, the most snapshots it holds at once and their most bytes at once
(a snapshot is released once the reversal has passed it).  Inside
:func:`recording` each loop's counts are appended to the list it yields, as
:func:`s2sad.memory_report` does; elsewhere they are dropped.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np


@dataclass
class LoopCounts:
    """One checkpointed loop's reversal: its step function, schedule and
    snapshots, its trip count and what its schedule did (as
    :func:`s2sad.schedules.tally` counts a schedule)."""

    step: str
    schedule: str
    snapshots: int
    steps: int = 0
    advances: int = 0
    taped: int = 0
    writes: int = 0
    restores: int = 0
    peak_snapshots: int = 0
    peak_bytes: int = 0

    def stored(self, held: int, bytes_: int) -> None:
        """Count a write, after which ``held`` snapshots of ``bytes_`` bytes are held."""
        self.writes += 1
        self.peak_snapshots = max(self.peak_snapshots, held)
        self.peak_bytes = max(self.peak_bytes, bytes_)


_RECORDED: ContextVar[list[LoopCounts] | None] = ContextVar("recorded", default=None)


@contextmanager
def recording() -> Iterator[list[LoopCounts]]:
    """A list collecting the :class:`LoopCounts` of the loops reversed inside."""
    counts: list[LoopCounts] = []
    token = _RECORDED.set(counts)
    try:
        yield counts
    finally:
        _RECORDED.reset(token)


def record(counts: LoopCounts) -> None:
    """Keep ``counts`` where :func:`recording` is collecting."""
    recorded = _RECORDED.get()
    if recorded is not None:
        recorded.append(counts)


class HeldStates:
    """The states a schedule holds, by slot, and their bytes, kept up to date as
    slots are written and dropped: the bytes of the arrays and numbers in
    them (nested tuples and lists), an array held in several slots counted once."""

    def __init__(self) -> None:
        self.slots: dict[int, tuple] = {}
        self.bytes = 0
        self._leaves: dict[int, list[tuple[int | None, int]]] = {}
        self._holders: dict[int, int] = {}

    def hold(self, slot: int, snapshot: tuple) -> None:
        """Keep ``snapshot`` (a step and the state before it) in ``slot``."""
        self.drop(slot)
        self.slots[slot] = snapshot
        leaves = self._leaves[slot] = list(_leaves(snapshot[1]))
        for key, size in leaves:
            if key is None or not self._holders.get(key):
                self.bytes += size
            if key is not None:
                self._holders[key] = self._holders.get(key, 0) + 1

    def drop(self, slot: int) -> None:
        """Forget what ``slot`` holds (if anything)."""
        self.slots.pop(slot, None)
        for key, size in self._leaves.pop(slot, ()):
            if key is not None:
                self._holders[key] -= 1
                if self._holders[key]:
                    continue
                del self._holders[key]
            self.bytes -= size


def _leaves(value: Any) -> Iterator[tuple[int | None, int]]:
    """``(id, bytes)`` of each array in ``value`` (nested tuples and lists),
    ``(None, bytes)`` of each number."""
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, np.ndarray):
        yield id(value), value.nbytes
    else:
        yield None, np.asarray(value).nbytes
