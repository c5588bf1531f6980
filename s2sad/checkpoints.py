"""``s2sad.checkpoint``: a helper whose intermediates reverse mode recomputes, not stores.

Reverse mode keeps what a helper's backward sweep reads (its residuals) from
the forward sweep until the backward sweep runs.  A checkpointed helper's
forward sweep runs the plain function and keeps only its arguments; the
backward sweep runs the helper's forward sweep again from them, then its
backward sweep (as ``jax.checkpoint``): memory for one helper's intermediates
at a time, for one more evaluation of each checkpointed helper.

``checkpoint(h)`` is the same function for plain Python (a copy of ``h`` with
its code, made once per function and marked); use it as a decorator or at a
call site, ``s2sad.checkpoint(h)(x)``.

``for t in checkpointed(range(n), snapshots=s):`` marks a loop whose reverse
sweep keeps ``s`` snapshots of the state it carries and recomputes the rest
by a schedule of :mod:`s2sad.schedules` (``"binomial"``, the fewest
recomputations, or ``"periodic"``); plain Python sees the range itself.
``while checkpointed(condition, snapshots=s):`` marks a ``while`` loop, whose
trip count is known only once it ends: its reverse sweep follows the
``"online"`` schedule; plain Python sees the condition itself.
"""

from __future__ import annotations

import functools
import inspect
import types
import weakref
from typing import Any, Callable, TypeVar

import numpy as np

from .errors import UnsupportedSyntaxError

_COPIES: "weakref.WeakKeyDictionary[Callable[..., Any], Callable[..., Any]]" = (
    weakref.WeakKeyDictionary()
)
_MARKED: "weakref.WeakSet[Callable[..., Any]]" = weakref.WeakSet()


def checkpoint(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, marked so that reverse mode recomputes its intermediates where its
    adjoint is needed instead of storing them (see the module docstring)."""
    if fn in _MARKED:
        return fn
    if not inspect.isfunction(fn):
        raise UnsupportedSyntaxError(
            f"s2sad.checkpoint takes a function defined with def, got "
            f"{type(fn).__name__}",
            hint="checkpoint a helper you wrote: @s2sad.checkpoint above its def",
        )
    copy = _COPIES.get(fn)
    if copy is None:
        copy = types.FunctionType(
            fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
        )
        functools.update_wrapper(copy, fn)
        del copy.__wrapped__
        copy.__kwdefaults__ = fn.__kwdefaults__
        _COPIES[fn] = copy
        _MARKED.add(copy)
    return copy


SCHEDULES = ("binomial", "periodic")
"""The schedules a checkpointed ``for`` loop can follow."""
WHILE_SCHEDULES = ("online",)
"""The schedules a checkpointed ``while`` loop can follow."""

Steps = TypeVar("Steps", range, bool, np.bool_)


def checkpointed(steps: Steps, snapshots: int, schedule: str | None = None) -> Steps:
    """``steps``, marking the loop for checkpointing: a range for a ``for`` loop
    (``schedule`` ``"binomial"``, the default, or ``"periodic"``), a condition
    for a ``while`` loop (``"online"``); its reverse sweep keeps ``snapshots``
    states (the first among them) and recomputes the others (see the module
    docstring)."""
    if isinstance(steps, range):
        allowed = SCHEDULES
    elif isinstance(steps, (bool, np.bool_)):
        allowed = WHILE_SCHEDULES
    else:
        raise TypeError(
            f"s2sad.checkpointed takes a range or a while loop's condition (a "
            f"bool), got {type(steps).__name__}"
        )
    if not isinstance(snapshots, int) or isinstance(snapshots, bool) or snapshots < 1:
        raise ValueError(f"snapshots must be a whole number >= 1, got {snapshots!r}")
    if schedule is not None and schedule not in allowed:
        raise ValueError(
            f"schedule must be one of {', '.join(allowed)}, got {schedule!r}"
        )
    return steps


def is_checkpointed(fn: Any) -> bool:
    """Whether ``fn`` is a function :func:`checkpoint` marked."""
    try:
        return fn in _MARKED
    except TypeError:
        return False
