"""IR functions -> one Python module: imports, user-primitive bindings, definitions, layout.

Each function is turned into a ``def`` by :mod:`s2sad.backend.emitter`; the module is
laid out as black formats it.  The output is deterministic: the same IR and
header give the same bytes.  The imports are worked out from the names the
written definitions read, and the finished module is checked before it is
written: it must compile, and every global name it reads must be defined.
"""

from __future__ import annotations

import ast
import builtins

from .emitter import FunctionEmitter
from ..errors import S2SADError
from .formatting import module_text
from .lines import source_lines
from .records import record_chunks
from ..ir.core import Function
from ..rules.registry import PRIMITIVES, Primitive


def emit_module(functions: list[Function], header: str) -> str:
    """Python source of a module defining ``functions``, black-formatted.

    ``header`` is a comment block (lines starting with ``#``) placed first.
    """
    return _emitted(functions, header)[0]


def emit_module_with_lines(
    functions: list[Function], header: str
) -> tuple[str, dict[int, tuple[str | None, int]]]:
    """The text of :func:`emit_module` and, for each of its lines that comes
    from a line of the user's source, that line: ``{line: (file, source line)}``."""
    text, trees = _emitted(functions, header)
    return text, source_lines(functions, trees, text)


def _emitted(
    functions: list[Function], header: str
) -> tuple[str, list[ast.FunctionDef]]:
    """The module's text and the definitions it was written from."""
    bindings = _user_bindings(functions)
    chunks = record_chunks(functions)
    trees = [
        ast.fix_missing_locations(FunctionEmitter(f, chunks).emit()) for f in functions
    ]
    definitions = [ast.unparse(tree) for tree in trees]
    read = set().union(*(_names_read(ast.parse(text)) for text in definitions))
    imports = [
        statement
        for module, statement in MODULES.items()
        if module in read or (module == "runtime" and bindings)
    ]
    assignments = [
        f'{entry.name} = runtime.resolve("{entry.binding[0]}", "{entry.binding[1]}")'
        for entry in bindings
    ]
    text = module_text(header, imports, assignments, definitions)
    check_module(text)
    return text, trees


MODULES = {
    "math": "import math",
    "np": "import numpy as np",
    "runtime": "from s2sad import runtime",
}
"""The modules generated code may read, by the name it reads them as, in import order."""


def check_module(text: str) -> None:
    """Raise ``S2SADError`` unless ``text`` compiles and defines every global name it reads.

    Generated code reads a name that is neither bound in the module nor a
    builtin only through a bug in s2sad; the check stops such a file from
    being written (where it would fail at its first call instead).
    """
    try:
        tree = ast.parse(text)
        compile(tree, "<generated>", "exec")
    except SyntaxError as error:
        raise _internal(f"generated code does not compile: {error}") from None
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    top = ast.Module([n for n in tree.body if n not in functions], [])
    defined = _names_bound(top) | {f.name for f in functions} | set(dir(builtins))
    missing = _names_read(top) - defined
    for function in functions:
        missing |= _names_read(function) - _names_bound(function) - defined
    missing = sorted(missing)
    if missing:
        raise _internal(f"generated code reads undefined name(s) {', '.join(missing)}")


def _internal(message: str) -> S2SADError:
    return S2SADError(
        f"internal error: {message}",
        hint="this is a bug in s2sad: please report it with the function",
    )


def _names_read(tree: ast.AST) -> set[str]:
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def _names_bound(tree: ast.AST) -> set[str]:
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound


def _user_bindings(functions: list[Function]) -> list[Primitive]:
    names = sorted(
        {op.name for f in functions for op in f.walk() if op.name in PRIMITIVES}
    )
    return [PRIMITIVES[n] for n in names if PRIMITIVES[n].binding is not None]
