"""Which line of the user's source each line of a generated module comes from.

The emitter marks each statement it builds with the location of the op it
comes from (the attribute :data:`SOURCE_LOC`).  Laying the module out changes
where statements break, never which statements there are or their order, so
the statements of the written text pair one to one with the marked ones.
"""

from __future__ import annotations

import ast

from ..errors import InternalError
from ..ir.core import Function

SOURCE_LOC = "s2sad_loc"
"""The attribute of an emitted statement holding its op's ``Loc`` (or None)."""


def source_lines(
    functions: list[Function], trees: list[ast.FunctionDef], text: str
) -> dict[int, tuple[str | None, int]]:
    """``{generated line: (source file, source line)}`` for the lines of ``text``
    (the module of ``functions``, emitted as ``trees``) that come from a source
    line; a statement with no location of its own takes its enclosing one's."""
    written = [n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)]
    found: dict[int, tuple[str | None, int]] = {}
    for function, emitted, parsed in zip(functions, trees, written, strict=True):
        _pair(emitted.body, parsed.body, function.file, None, found)
    return found


def _pair(
    emitted: list[ast.stmt],
    parsed: list[ast.stmt],
    file: str | None,
    inherited: int | None,
    found: dict[int, tuple[str | None, int]],
) -> None:
    """Record the source line of each statement of ``parsed`` (and of those
    nested in it) from its twin in ``emitted``."""
    if len(emitted) != len(parsed):
        raise InternalError(
            "the written module's statements differ from the emitted ones",
            hint="this is a bug in s2sad: please report it with the function",
        )
    for before, after in zip(emitted, parsed):
        loc = getattr(before, SOURCE_LOC, None)
        line = inherited if loc is None else loc.line
        nested = [
            (f, getattr(after, f)) for f in ("body", "orelse") if hasattr(after, f)
        ]
        last = nested[0][1][0].lineno - 1 if nested else after.end_lineno
        if line is not None:
            for generated in range(after.lineno, last + 1):
                found[generated] = (file, line)
        for field, statements in nested:
            _pair(getattr(before, field), statements, file, line, found)
