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

    def stored(self, states: list[Any]) -> None:
        """Count a write, ``states`` being the states held after it."""
        self.writes += 1
        self.peak_snapshots = max(self.peak_snapshots, len(states))
        self.peak_bytes = max(self.peak_bytes, state_bytes(states, set()))


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


def state_bytes(value: Any, seen: set[int]) -> int:
    """The bytes of the arrays and numbers in ``value`` (nested tuples and lists),
    an array counted once however often it appears (``seen`` holds their ids)."""
    if isinstance(value, (tuple, list)):
        return sum(state_bytes(item, seen) for item in value)
    if isinstance(value, np.ndarray):
        if id(value) in seen:
            return 0
        seen.add(id(value))
        return value.nbytes
    return np.asarray(value).nbytes
