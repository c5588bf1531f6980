"""One corpus entry: a function, the s2sad call to make, and what must happen.

``expect="derivative"``: the call must give the derivative (checked against
central finite differences), the primal value of ``f``, and leave the
arguments unmodified.  ``expect="error"``: it must raise an ``S2SADError``
with a non-empty hint and, where the function has source, the line of the
offending construct — the line ending in ``# <-``, else the ``def`` line —
never another exception.  ``expect="either"`` accepts both outcomes (the
derivative, if given, must be right).  ``known_failure`` names the defect class of an
entry that s2sad still gets wrong: the test xfails it, strictly, so a fix
shows up as an unexpected pass and the mark must then be removed.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np

MARKER = "# <-"
CALLS = ("grad", "value_and_grad", "jvp", "vjp")
EXPECTATIONS = ("derivative", "error", "either")


@dataclass
class Entry:
    """A corpus program: call ``call`` of s2sad on ``fn`` at ``args``."""

    fn: Any
    call: str
    args: tuple
    expect: str  # "derivative", "error" or "either" (a correct one, or an error)
    wrt: Any = 0  # for grad and value_and_grad
    tangents: Any = None  # for jvp; None: a fixed random direction
    cotangent: Any = None  # for vjp; None: a fixed random cotangent
    line: Any = "auto"  # "auto", "def", an int, a function whose marked line, or None
    rtol: float = 1e-5  # against finite differences
    known_failure: str = ""  # the defect class, while s2sad still fails
    name: str = ""

    def __post_init__(self):
        assert self.call in CALLS + ("custom",) and self.expect in EXPECTATIONS
        if not self.name:
            base = getattr(self.fn, "__name__", type(self.fn).__name__)
            self.name = f"{base}-{self.call}"


def derivative(fn, *args, call="grad", **options) -> Entry:
    """An entry whose derivative must be correct."""
    return Entry(fn, call, args, "derivative", **options)


def error(fn, *args, call="grad", **options) -> Entry:
    """An entry that must be refused with a clear error."""
    return Entry(fn, call, args, "error", **options)


def either(fn, *args, call="grad", **options) -> Entry:
    """An entry that must give a correct derivative or a clear error."""
    return Entry(fn, call, args, "either", **options)


def custom(name: str, action, **options) -> Entry:
    """An entry whose call is ``action()`` (API misuse beyond one transformation),
    which must raise a clear error; no line is checked."""
    return Entry(action, "custom", (), "error", name=name, line=None, **options)


def each_call(make, fn, *args, calls=CALLS, known=None, **options) -> list:
    """``make(fn, *args, call=c, **options)`` for every call ``c``; ``known``
    maps a call to its known failure."""
    known = known or {}
    default = options.pop("known_failure", "")
    return [
        make(fn, *args, call=c, known_failure=known.get(c, default), **options)
        for c in calls
    ]


def expected_line(entry: Entry):
    """The line the error must name, or None when it cannot be known."""
    if callable(entry.line):  # the marked line of another function (a helper)
        return _marked_line(entry.line)
    if entry.line != "auto":
        if entry.line == "def":
            return _def_line(entry.fn)
        return entry.line
    return _marked_line(entry.fn)


def _marked_line(fn):
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        return None
    for offset, text in enumerate(lines):
        if text.rstrip().endswith(MARKER):
            return first + offset
    return _def_line(fn)


def _def_line(fn):
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        return None
    for offset, text in enumerate(lines):
        if text.lstrip().startswith(("def ", "async def ")):
            return first + offset
    return first


def random_like(value, seed: int):
    """A fixed random value shaped like ``value`` (floats stay floats)."""
    rng = np.random.default_rng(seed)
    if isinstance(value, tuple):
        return tuple(random_like(v, seed + 1 + k) for k, v in enumerate(value))
    if isinstance(value, np.ndarray):
        return rng.uniform(-1.0, 1.0, value.shape).astype(value.dtype)
    return float(rng.uniform(-1.0, 1.0))


def mark_known(entries: list, failures: dict) -> list:
    """Set ``known_failure`` on the entries named in ``failures`` (name -> class)."""
    names = {entry.name for entry in entries}
    unknown = set(failures) - names
    assert not unknown, f"no such entries: {sorted(unknown)}"
    for entry in entries:
        entry.known_failure = failures.get(entry.name, entry.known_failure)
    return entries
