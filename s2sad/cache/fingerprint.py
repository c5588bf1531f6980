"""The source key: a hash of what a derivative is generated from, computed without lowering.

The generated code of a function depends on its code, its defaults and
annotations, the values of the globals and closed-over names it reads (module
constants, helpers and their own globals, attributes of modules), the derivative
rules users registered, the options and the compiler.  The key hashes all of
these from the function objects themselves, so a process can find a current
generated file before lowering anything (see :mod:`s2sad.cache.loader`).  A value of
a kind the key cannot describe faithfully makes the key ``None``: the
derivative is then always generated the slow, safe way.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import os
import sys
import types
from typing import Any, Callable

import numpy as np

from ..version import __version__
from ..rules.registry import PRIMITIVES, registered
from ..analysis.numbers import STORES_ARE_NUMBERS
from .provenance import PACKAGE, compiler_files

MAX_FUNCTIONS = 64
"""A program reaching more functions than this is not keyed (generated the slow way)."""

_SCALARS = (type(None), bool, int, float, complex, str, bytes)
_LIBRARIES = ("numpy", "math", "builtins", "scipy", "cmath", "operator", "functools")


@functools.cache
def compiler_stamp() -> str:
    """Size and modification time of each compiler source: cheaper to read than
    their contents, and changes whenever they do (a needless change only costs
    one regeneration, which the content hash then checks)."""
    entries = []
    for name in compiler_files():
        stat = os.stat(os.path.join(PACKAGE, name))
        entries.append((name, stat.st_size, stat.st_mtime_ns))
    return hashlib.sha256(repr(entries).encode()).hexdigest()


class _Unkeyable(Exception):
    """A value the source key cannot describe."""


def source_key(fn: Callable[..., Any], options: str) -> str | None:
    """The source key of deriving ``fn`` with ``options``, or None if it cannot be computed."""
    digest = hashlib.sha256()
    head = (
        f"s2sad {__version__} {compiler_stamp()} {sys.version_info[:2]} "
        f"stores-are-numbers={STORES_ARE_NUMBERS}"
    )
    digest.update(f"{head}\n{options}\n".encode())
    try:
        _Keyer(digest).function(fn)
        _Keyer(digest).rules()
    except _Unkeyable:
        return None
    return "sha256:" + digest.hexdigest()[:32]


class _Keyer:
    """Feeds a program's functions and the values they read into one hash."""

    def __init__(self, digest: Any):
        self.digest = digest
        self.seen: dict[int, int] = {}

    def put(self, *parts: Any) -> None:
        for part in parts:
            self.digest.update(part if isinstance(part, bytes) else repr(part).encode())
            self.digest.update(b"\0")

    def function(self, fn: types.FunctionType) -> None:
        """A user function: its code, defaults, annotations, closure and globals it reads."""
        if id(fn) in self.seen:
            self.put("ref", self.seen[id(fn)])
            return
        if len(self.seen) >= MAX_FUNCTIONS:
            raise _Unkeyable()
        self.seen[id(fn)] = len(self.seen)
        code = fn.__code__
        self.put("function", fn.__module__, fn.__qualname__)
        names = set()
        self.code(code, names)
        for value in fn.__defaults__ or ():
            self.value(value, names)
        for name, value in sorted((fn.__kwdefaults__ or {}).items()):
            self.put(name)
            self.value(value, names)
        for name, value in fn.__annotations__.items():
            self.put(name)
            self.annotation(value)
        for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
            self.put("cell", name)
            try:
                self.value(cell.cell_contents, names)
            except ValueError:
                self.put("empty")
        scope = fn.__globals__
        for name in sorted(names):
            if name in scope:
                self.put("global", name)
                self.value(scope[name], names)
            elif hasattr(builtins, name):
                self.put("builtin", name)

    def code(self, code: types.CodeType, names: set[str]) -> None:
        """A code object and the code objects nested in it; collects the names they read."""
        names.update(code.co_names)
        self.put(
            code.co_name,
            code.co_firstlineno,
            code.co_argcount,
            code.co_posonlyargcount,
            code.co_kwonlyargcount,
            code.co_flags,
            code.co_varnames,
            code.co_freevars,
            code.co_cellvars,
            code.co_names,
            code.co_code,
            code.co_linetable,
        )
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                self.code(const, names)
            else:
                self.put("const", type(const).__name__, const)

    def annotation(self, value: Any) -> None:
        if isinstance(value, (str, type(None))):
            self.put(value)
        else:
            self.put(getattr(value, "__module__", None), repr(value))

    def value(self, value: Any, names: set[str], depth: int = 0) -> None:
        """A value a function reads; module attributes only as far as ``names`` reach."""
        kind = type(value)
        if kind in _SCALARS:
            self.put(kind.__name__, value)
        elif kind is np.ndarray:
            self.put("ndarray", value.dtype.str, value.shape)
            self.put(np.ascontiguousarray(value).tobytes())
        elif isinstance(value, np.generic):
            self.put("generic", value.dtype.str, value.tobytes())
        elif kind in (tuple, list):
            self.put(kind.__name__, len(value))
            for item in value:
                self.value(item, names, depth)
        elif kind is types.ModuleType:
            self.module(value, names, depth)
        elif kind is types.FunctionType and not registered(value):
            if value.__module__ and value.__module__.split(".")[0] in _LIBRARIES:
                self.put("library", value.__module__, value.__qualname__)
            else:
                self.function(value)
        elif callable(value) and _library_object(value):
            self.put("callable", getattr(value, "__module__", None), _name(value))
        else:
            raise _Unkeyable()

    def module(self, module: types.ModuleType, names: set[str], depth: int) -> None:
        self.put("module", module.__name__)
        if depth > 3:
            raise _Unkeyable()
        if module.__name__.split(".")[0] in _LIBRARIES:
            return
        for name in sorted(names):
            if name in vars(module):
                self.put("attribute", name)
                self.value(vars(module)[name], names, depth + 1)

    def rules(self) -> None:
        """The rules users registered (their code), which shape calls to their functions."""
        for name, entry in sorted(PRIMITIVES.items()):
            if entry.binding is None:
                continue
            self.put("rule", name, entry.binding, entry.args)
            for rule in (entry.tangent, entry.adjoint):
                if type(rule) is not types.FunctionType:
                    raise _Unkeyable()
                self.function(rule)


def _library_object(value: Any) -> bool:
    """A builtin, NumPy or other library callable (a ufunc, a C function, a type)."""
    if registered(value):
        return True
    module = getattr(value, "__module__", None) or ""
    if isinstance(value, np.ufunc):
        return True
    return module.split(".")[0] in _LIBRARIES


def _name(value: Any) -> str:
    return getattr(value, "__qualname__", None) or getattr(value, "__name__", "?")
