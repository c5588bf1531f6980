"""IR functions -> one Python module: imports, user-primitive bindings, definitions, layout.

Each function is turned into a ``def`` by :mod:`s2sad.emitter`; the module is
laid out as black formats it.  The output is deterministic: the same IR and
header give the same bytes.
"""

from __future__ import annotations

import ast

from .emitter import FunctionEmitter
from .formatting import module_text
from .ir import Function
from .primitives import PRIMITIVES, Primitive


def emit_module(functions: list[Function], header: str) -> str:
    """Python source of a module defining ``functions``, black-formatted.

    ``header`` is a comment block (lines starting with ``#``) placed first.
    """
    bindings = _user_bindings(functions)
    trees = [ast.fix_missing_locations(FunctionEmitter(f).emit()) for f in functions]
    read = {
        node.id
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    imports = [
        statement
        for module, statement in MODULES.items()
        if module in read or (module == "runtime" and bindings)
    ]
    assignments = [
        f'{entry.name} = runtime.resolve("{entry.binding[0]}", "{entry.binding[1]}")'
        for entry in bindings
    ]
    definitions = [ast.unparse(tree) for tree in trees]
    return module_text(header, imports, assignments, definitions)


MODULES = {
    "math": "import math",
    "np": "import numpy as np",
    "runtime": "from s2sad import runtime",
}
"""The modules generated code may read, by the name it reads them as, in import order."""


def _user_bindings(functions: list[Function]) -> list[Primitive]:
    names = sorted(
        {op.name for f in functions for op in f.walk() if op.name in PRIMITIVES}
    )
    return [PRIMITIVES[n] for n in names if PRIMITIVES[n].binding is not None]
