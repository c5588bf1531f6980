"""IR functions -> one Python module: imports, user-primitive bindings, definitions, layout.

Each function is turned into a ``def`` by :mod:`s2sad.emitter`; the module is
laid out as black formats it.  The output is deterministic: the same IR and
header give the same bytes.
"""

from __future__ import annotations

import ast
import math

from .emitter import FunctionEmitter
from .formatting import module_text
from .ir import Function
from .primitives import PRIMITIVES, Primitive


def emit_module(functions: list[Function], header: str) -> str:
    """Python source of a module defining ``functions``, black-formatted.

    ``header`` is a comment block (lines starting with ``#``) placed first.
    """
    bindings = _user_bindings(functions)
    imports = ["import math"] if _uses_math(functions) else []
    if _uses_numpy(functions):
        imports.append("import numpy as np")
    if bindings or _uses_runtime(functions):
        imports.append("from s2sad import runtime")
    assignments = [
        f'{entry.name} = runtime.resolve("{entry.binding[0]}", "{entry.binding[1]}")'
        for entry in bindings
    ]
    definitions = [
        ast.unparse(ast.fix_missing_locations(FunctionEmitter(f).emit()))
        for f in functions
    ]
    return module_text(header, imports, assignments, definitions)


def _primitives_used(functions: list[Function]) -> list[Primitive]:
    names = sorted(
        {op.name for f in functions for op in f.walk() if op.name in PRIMITIVES}
    )
    return [PRIMITIVES[n] for n in names]


def _user_bindings(functions: list[Function]) -> list[Primitive]:
    return [p for p in _primitives_used(functions) if p.binding is not None]


def _uses_runtime(functions: list[Function]) -> bool:
    calls = [
        p.syntax.text for p in _primitives_used(functions) if p.syntax.kind == "call"
    ]
    return any(c.startswith("runtime.") for c in calls)


def _uses_numpy(functions: list[Function]) -> bool:
    calls = [
        p.syntax.text for p in _primitives_used(functions) if p.syntax.kind == "call"
    ]
    writes = any(op.name in ("add_at", "slice") for f in functions for op in f.walk())
    return writes or any(c.startswith("np.") for c in calls)


def _uses_math(functions: list[Function]) -> bool:
    calls = [
        p.syntax.text for p in _primitives_used(functions) if p.syntax.kind == "call"
    ]
    constants = [
        op.attrs["value"]
        for f in functions
        for op in f.walk()
        if op.name == "const" and isinstance(op.attrs["value"], float)
    ]
    return any(c.startswith("math.") for c in calls) or any(
        not math.isfinite(c) for c in constants
    )
