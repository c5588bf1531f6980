"""Letting go of arrays a generated function no longer reads.

Python keeps every local variable alive until its function returns, so a
gradient that names the forward sweep's intermediates (``t1 = X @ W1``) would
hold all of them to the end, where a hand-written backward pass lets each go
as it goes.  After the top-level statement that last reads an array variable
the emitted function says ``del t1``; where every later read asks only for the
array's shape or dtype (``runtime.unbroadcast(g, t1)``), it keeps a carrier of
those instead, ``t1 = runtime.shape_of(t1)``, and the data is freed.  Freed
blocks are reused by the next allocation, which is what keeps the peak memory
and the page faults of a generated gradient level with a hand-written one.

Only variables every path has bound are released: those assigned by a
statement of the function's own body, not only inside a loop or a branch.
"""

from __future__ import annotations

import ast


def release_dead_arrays(
    statements: list[ast.stmt],
    arrays: set[str],
    shape_reads: set[int],
) -> list[ast.stmt]:
    """``statements`` with ``del`` and shape carriers inserted after last reads.

    ``arrays`` names the variables that hold arrays the function may release;
    ``shape_reads`` holds the ``id`` of each ``ast.Name`` node read only for
    its shape and dtype.
    """
    data_reads: dict[str, int] = {}
    shape_only_reads: dict[str, int] = {}
    bound: dict[str, int] = {}
    for i, statement in enumerate(statements):
        for name in _assigned(statement):
            bound.setdefault(name, i)
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                reads = shape_only_reads if id(node) in shape_reads else data_reads
                reads[node.id] = i
    last = len(statements) - 1
    carriers: dict[int, list[str]] = {}
    deleted: dict[int, list[str]] = {}
    for name, first in sorted(bound.items(), key=lambda item: item[1]):
        if name not in arrays:
            continue
        data = max(data_reads.get(name, first), first)
        shape = shape_only_reads.get(name, -1)
        if shape > data + 1:
            carriers.setdefault(data, []).append(name)
        elif max(data, shape) < last - 1:
            deleted.setdefault(max(data, shape), []).append(name)
    released: list[ast.stmt] = []
    for i, statement in enumerate(statements):
        released.append(statement)
        released.extend(_carrier(name) for name in carriers.get(i, ()))
        if i in deleted:
            targets = [ast.Name(name, ast.Del()) for name in deleted[i]]
            released.append(ast.Delete(targets))
    return released


def _assigned(statement: ast.stmt) -> list[str]:
    """The variables a top-level ``a = ...`` or ``a, (b, c) = ...`` binds (generated
    code writes ``+=`` only into subscripts, ``x_bar[i] += g``, which read ``x_bar``).
    """
    if not isinstance(statement, ast.Assign):
        return []
    return [
        node.id
        for target in statement.targets
        for node in ast.walk(target)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    ]


def _carrier(name: str) -> ast.stmt:
    """``name = runtime.shape_of(name)``."""
    shape_of = ast.Attribute(ast.Name("runtime", ast.Load()), "shape_of", ast.Load())
    call = ast.Call(shape_of, [ast.Name(name, ast.Load())], [])
    return ast.Assign([ast.Name(name, ast.Store())], call)
