"""Reading a function's source: the ``def`` node and where it sits in its file."""

from __future__ import annotations

import ast
import hashlib
import inspect
import linecache
import os
import textwrap
import types
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import UnsupportedSyntaxError
from ..ir.core import Loc


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
    """The ``def`` node of ``fn`` and where it sits in its file.

    Refuses what is not a plain Python function, a function whose decorator
    wrapped it (its source is not what runs), and source that no longer
    matches the code that runs (its file was edited after import).
    """
    require_python_function(fn)
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
    _require_current(fn, file, first_line)
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


_STDLIB = os.path.dirname(os.path.abspath(os.__file__))
_LIBRARIES = ("numpy", "scipy", "math", "cmath", "builtins")


def is_library(f: Any) -> bool:
    """A function of the standard library, NumPy or SciPy (not the user's)."""
    if (getattr(f, "__module__", "") or "").split(".")[0] in _LIBRARIES:
        return True
    code = getattr(f, "__code__", None)
    file = os.path.abspath(code.co_filename) if code is not None else ""
    return file.startswith(_STDLIB) and "-packages" not in file


def require_python_function(fn: Any) -> None:
    """Refuse builtins, C functions, callable objects and decorated wrappers."""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    label = name or repr(fn)
    code = getattr(fn, "__code__", None)
    wrapped = getattr(fn, "__wrapped__", None)
    if wrapped is not None:
        inner = getattr(wrapped, "__code__", None)
        raise UnsupportedSyntaxError(
            f"{label} is wrapped by a decorator: s2sad would read the source of the "
            "inner function, not the wrapper that runs",
            file=inner.co_filename if inner else None,
            line=inner.co_firstlineno if inner else None,
            hint="differentiate the undecorated function (define it without the decorator "
            "and decorate a second name), or write the wrapper's work into the function",
        )
    if inspect.ismethod(fn):
        return
    if not isinstance(code, types.CodeType) or not inspect.isfunction(fn):
        raise UnsupportedSyntaxError(
            f"cannot read the source of {label} ({type(fn).__name__}): it is not a "
            "Python function defined with def",
            hint="differentiate a def that calls it; for a function with a known "
            "derivative, register it with s2sad.derivative_rule",
        )


_CURRENT: dict[Any, bool] = {}
"""The code objects whose source text was checked against them."""


def _require_current(fn: Any, file: str, first_line: int) -> None:
    """Refuse the source of ``fn`` if its file no longer compiles to the code
    that runs there: the file changed after the function was defined."""
    code = fn.__code__
    if code in _CURRENT:
        return
    compiled = _compiled(code)
    if compiled is None or _shape(compiled) != _shape(code):
        raise UnsupportedSyntaxError(
            f"the source of {fn.__qualname__} in {file} changed after it was imported: "
            "the code that runs is not the code in the file",
            file=file,
            line=first_line,
            hint="re-import the module (or restart Python) so the running code matches the file",
        )
    _CURRENT[code] = True


def _compiled(code: types.CodeType) -> types.CodeType | None:
    """The code object the current text of ``code``'s file compiles to at the
    same name and first line, or None (the file no longer parses, or moved it)."""
    text = "".join(linecache.getlines(code.co_filename))
    key = (code.co_filename, hashlib.sha256(text.encode()).digest())
    if key not in _FILES:
        try:
            _FILES[key] = compile(text, code.co_filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            _FILES[key] = None
    work = [_FILES[key]] if _FILES[key] is not None else []
    while work:
        item = work.pop()
        if item.co_name == code.co_name and item.co_firstlineno == code.co_firstlineno:
            return item
        work.extend(c for c in item.co_consts if isinstance(c, types.CodeType))
    return None


_FILES: dict[tuple[str, bytes], types.CodeType | None] = {}
"""Each source file's text, compiled (by file name and a hash of the text)."""


def _shape(code: types.CodeType) -> tuple:
    """What of a code object depends on its source, except where the lines sit."""
    consts = tuple(
        _shape(c) if isinstance(c, types.CodeType) else (type(c).__name__, repr(c))
        for c in code.co_consts
    )
    return (
        code.co_code,
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_argcount,
        code.co_kwonlyargcount,
        consts,
    )


def _source_file(fn: Callable[..., Any]) -> str:
    try:
        return inspect.getsourcefile(fn) or "<unknown>"
    except TypeError:
        return "<unknown>"
