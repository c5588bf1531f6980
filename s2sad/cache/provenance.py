"""What a generated file is derived from: its content hash, its source's name, its file name.

The content hash covers everything that shapes the generated code (the
function's IR, the options, the compiler's own sources, user rules), so a file
whose recorded hash matches can be reused as it is.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import sys
from pathlib import Path
from typing import Any, Callable

from ..version import __version__
from ..ir.core import Function
from ..rules.registry import PRIMITIVES
from ..ir.printer import print_function
from ..passes.pipeline import kind_named

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The s2sad package folder (this module's is a subpackage of it)."""

NOT_COMPILER = (
    "checks.py",
    "cli.py",
    "compare.py",
    "compare_report.py",
    os.path.join("cache", "fingerprint.py"),
    "graph.py",
    os.path.join("ir", "parser.py"),
    "show.py",
    "symbolic.py",
)
"""Package modules that never shape generated code, by path in the package;
every other one does."""


@functools.cache
def compiler_files() -> tuple[str, ...]:
    """The paths, relative to the package, of the s2sad sources that shape
    generated code: every module of every subpackage but :data:`NOT_COMPILER`."""
    found, work = [], [PACKAGE]
    while work:
        folder = work.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir() and not entry.name.startswith(("_", ".")):
                    work.append(entry.path)
                elif entry.name.endswith(".py"):
                    found.append(os.path.relpath(entry.path, PACKAGE))
    return tuple(sorted(set(found) - set(NOT_COMPILER)))


@functools.cache
def compiler_fingerprint() -> str:
    """Hash of the s2sad sources that shape generated code, so a changed compiler regenerates."""
    digest = hashlib.sha256()
    for name in compiler_files():
        digest.update(Path(name).as_posix().encode())
        digest.update(Path(PACKAGE, name).read_bytes())
    return digest.hexdigest()


def content_hash(primal: Function, options: str) -> str:
    """Hash of everything a generated file depends on: IR, options, compiler, user rules."""
    digest = hashlib.sha256()
    digest.update(f"s2sad {__version__} {compiler_fingerprint()}\n{options}\n".encode())
    for function in [primal, *primal.callees]:
        digest.update(print_function(function).encode())
    for op in sorted({op.name for f in [primal, *primal.callees] for op in f.walk()}):
        entry = PRIMITIVES.get(op)
        if entry is not None and entry.binding is not None:
            for rule in (entry.tangent, entry.adjoint):
                digest.update(inspect.getsource(rule).encode())
    return "sha256:" + digest.hexdigest()[:32]


def source_name(f: Callable[..., Any]) -> tuple[str, str]:
    """``(module, qualname)`` of ``f``; a script's module is named after its file."""
    module = getattr(f, "__module__", None) or "__main__"
    if module == "__main__":
        file = (
            getattr(sys.modules.get("__main__"), "__file__", None)
            or inspect.getsourcefile(f)
            or "main"
        )
        module = Path(file).stem
    return module, f.__qualname__.replace(".<locals>.", ".")


def file_stem(primal: Function, kind: str, wrt: list[str], single: bool) -> str:
    """File name (without ``.py``) of a derivative: ``L_grad_w1_w2``, ``L_jvp``...

    A one-element tuple ``wrt=("x",)`` (whose gradient is a 1-tuple) gets
    ``_tuple`` appended, to keep apart from ``wrt="x"`` (a plain value).
    """
    if not kind_named(kind).picks:
        return f"{primal.name}_{kind}"
    suffix = ["tuple"] if len(wrt) == 1 and not single else []
    return "_".join([primal.name, kind, *wrt, *suffix])
