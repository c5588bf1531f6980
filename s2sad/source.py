"""Reading a function's source: the ``def`` node and where it sits in its file."""

from __future__ import annotations

import ast
import inspect
import linecache
import textwrap
from dataclasses import dataclass
from typing import Any, Callable

from .errors import UnsupportedSyntaxError
from .ir import Loc


@dataclass
class SourceInfo:
    """Where a function's source lives: file, first line and the indentation removed."""

    file: str
    first_line: int
    indent: int

    def loc(self, node: ast.AST) -> Loc:
        """The 1-based location of ``node`` in the original file."""
        return Loc(node.lineno + self.first_line - 1, node.col_offset + self.indent + 1)


def parse_function(fn: Callable[..., Any]) -> tuple[ast.FunctionDef, SourceInfo]:
    """The ``def`` node of ``fn`` and where it sits in its file."""
    file = _source_file(fn)
    name = getattr(fn, "__name__", repr(fn))
    if name == "<lambda>":
        raise UnsupportedSyntaxError(
            "cannot differentiate a lambda",
            file=file,
            line=fn.__code__.co_firstlineno,
            hint="define the function with def",
        )
    if inspect.ismethod(fn):
        raise UnsupportedSyntaxError(
            f"cannot differentiate the bound method {fn.__qualname__}",
            file=file,
            line=fn.__code__.co_firstlineno,
            hint="differentiate a module-level function that takes the values as parameters",
        )
    try:
        lines, first_line = inspect.getsourcelines(fn)
    except (OSError, TypeError) as exc:
        raise UnsupportedSyntaxError(
            f"cannot read the source of {name!r} ({exc})",
            file=file,
            hint="s2sad needs the function's source file; define it in a .py file",
        ) from None
    first_line = max(first_line, 1)
    text = "".join(lines)
    dedented = textwrap.dedent(text)
    try:
        node = ast.parse(dedented).body[0]
        indent = len(text.splitlines()[0]) - len(dedented.splitlines()[0])
        info = SourceInfo(file, first_line, indent)
    except SyntaxError:
        node, info = _parse_from_file(file, first_line), SourceInfo(file, 1, 0)
    if not isinstance(node, ast.FunctionDef):
        raise UnsupportedSyntaxError(
            f"{name!r} is not defined by a def statement",
            file=file,
            line=first_line,
            hint="define the function with def",
        )
    return node, info


def _parse_from_file(file: str, first_line: int) -> ast.AST | None:
    """The definition starting at ``first_line`` of ``file``, parsing the whole file.

    Needed when the function's own lines cannot be dedented into a module (a
    nested function whose multi-line string reaches column 0).
    """
    tree = ast.parse("".join(linecache.getlines(file)))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if start == first_line:
                return node
    return None


def _source_file(fn: Callable[..., Any]) -> str:
    try:
        return inspect.getsourcefile(fn) or "<unknown>"
    except TypeError:
        return "<unknown>"
