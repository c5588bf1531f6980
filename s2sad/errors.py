"""Errors raised by s2sad, each carrying the source location and a hint."""

from __future__ import annotations

import os
import sys
from typing import Any


class S2SADError(Exception):
    """Base class of every s2sad error.

    ``file``, ``line`` and ``col`` locate the offending construct in the user's
    source (1-based line, 1-based column); ``hint`` says how to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
        hint: str | None = None,
    ):
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.hint = hint
        super().__init__(self.__str__())

    @property
    def location(self) -> str:
        """``file:line:col`` (as much of it as is known)."""
        parts = [self.file or "<unknown>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UnsupportedSyntaxError(S2SADError):
    """A Python construct that s2sad cannot (yet) differentiate."""


class NoDerivativeRuleError(S2SADError):
    """A call to a function that has no derivative rule."""


class DifferentiationError(S2SADError):
    """A request that cannot be honoured (non-scalar output for grad, bad ``wrt``, ...)."""


class ScalarOutputError(DifferentiationError):
    """An output of more than one element where one number is needed (a
    gradient's, a Hessian's); ``shape`` is the output's shape."""

    def __init__(self, message: str, *, shape: tuple, **where: Any):
        self.shape = shape
        super().__init__(message, **where)


class InternalError(S2SADError):
    """A program s2sad accepted but cannot generate correct code for: refused
    rather than risk a wrong derivative."""


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def call_site() -> dict[str, Any]:
    """``file`` and ``line`` of the user's code that called into s2sad (for
    errors about a call rather than about a function's source)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None:
        return {"file": None, "line": None}
    return {"file": frame.f_code.co_filename, "line": frame.f_lineno}


def function_site(file: str | None, line: int | None) -> dict[str, Any]:
    """``file`` and ``line`` of a function's code; the user's call into s2sad
    instead where there is no line (code s2sad generated, differentiated again)."""
    if line is None:
        site = call_site()
        if site["file"] is not None:
            return site
    return {"file": file, "line": line}
