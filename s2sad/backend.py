"""IR -> Python ``ast`` -> source text -> ``black``.

Each op becomes an assignment to its value's name; values without a source
name (temporaries) that are read exactly once, in the same block, are inlined
into the expression that reads them, and constants are written as literals.
The output is deterministic: the same IR and header give the same bytes.
"""

from __future__ import annotations

import ast
import math
from collections import Counter
from typing import Any

from .formatting import module_text
from .ir import Block, Function, Op, Value
from .primitives import PRIMITIVES, Primitive

_BINOPS = {
    "+": ast.Add,
    "-": ast.Sub,
    "*": ast.Mult,
    "/": ast.Div,
    "//": ast.FloorDiv,
    "%": ast.Mod,
    "**": ast.Pow,
}
_COMPARES = {
    "<": ast.Lt,
    "<=": ast.LtE,
    ">": ast.Gt,
    ">=": ast.GtE,
    "==": ast.Eq,
    "!=": ast.NotEq,
}


def emit_module(functions: list[Function], header: str) -> str:
    """Python source of a module defining ``functions``, black-formatted.

    ``header`` is a comment block (lines starting with ``#``) placed first.
    """
    bindings = _user_bindings(functions)
    imports = ["import math"] if _uses_math(functions) else []
    if bindings or _uses_runtime(functions):
        imports.append("from s2sad import runtime")
    assignments = [
        f'{entry.name} = runtime.resolve("{entry.binding[0]}", "{entry.binding[1]}")'
        for entry in bindings
    ]
    definitions = [
        ast.unparse(ast.fix_missing_locations(_FunctionEmitter(f).emit()))
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


def _dotted(name: str) -> ast.expr:
    parts = name.split(".")
    node: ast.expr = ast.Name(parts[0], ast.Load())
    for part in parts[1:]:
        node = ast.Attribute(node, part, ast.Load())
    return node


def literal(value: Any) -> ast.expr:
    """An expression for a numeric constant (negative numbers as ``-x``, so precedence stays right)."""
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return _dotted("math.nan")
        node = _dotted("math.inf")
        return node if value > 0 else ast.UnaryOp(ast.USub(), node)
    if not isinstance(value, bool) and (
        value < 0 or (value == 0 and math.copysign(1, value) < 0)
    ):
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


class _FunctionEmitter:
    def __init__(self, function: Function):
        self.function = function
        self.uses = Counter(v for op in function.walk() for v in op.operands)
        self.inline: dict[Value, ast.expr] = {}

    def emit(self) -> ast.FunctionDef:
        f = self.function
        params = [ast.arg(p.name) for p in f.params]
        defaults = [literal(v) for v in f.defaults]
        body: list[ast.stmt] = []
        if f.doc:
            body.append(ast.Expr(ast.Constant(f.doc)))
        body.extend(self.block(f.body))
        args = ast.arguments(
            posonlyargs=[],
            args=params,
            kwonlyargs=[],
            kw_defaults=[],
            defaults=defaults,
        )
        node = ast.FunctionDef(f.name, args, body, decorator_list=[], returns=None)
        node.type_params = []
        return node

    def block(self, block: Block) -> list[ast.stmt]:
        inlinable = self.inlinable(block)
        statements: list[ast.stmt] = []
        for op in block.ops:
            if op.name == "return":
                statements.append(ast.Return(self.returned(op)))
                continue
            expr = self.expression(op)
            if op.name == "const" or op.result in inlinable:
                self.inline[op.result] = expr
            else:
                statements.append(
                    ast.Assign([ast.Name(op.result.name, ast.Store())], expr)
                )
        return statements

    def inlinable(self, block: Block) -> set[Value]:
        """Temporaries read exactly once, by an op of this same block."""
        read_here = Counter(v for op in block.ops for v in op.operands)
        return {
            op.result
            for op in block.ops
            if len(op.results) == 1
            and op.result.is_temporary
            and self.uses[op.result] == 1
            and read_here[op.result] == 1
        }

    def operand(self, value: Value) -> ast.expr:
        return self.inline.get(value) or ast.Name(value.name, ast.Load())

    def expression(self, op: Op) -> ast.expr:
        if op.name == "const":
            return literal(op.attrs["value"])
        entry = PRIMITIVES[op.name]
        args = [self.operand(v) for v in op.operands]
        kind, text = entry.syntax.kind, entry.syntax.text
        if kind == "binop":
            return ast.BinOp(args[0], _BINOPS[text](), args[1])
        if kind == "unary":
            return ast.UnaryOp(ast.USub(), args[0])
        if kind == "compare":
            return ast.Compare(args[0], [_COMPARES[text]()], [args[1]])
        if kind == "ifexp":
            return ast.IfExp(args[0], args[1], args[2])
        return ast.Call(_dotted(text), args, [])

    def returned(self, op: Op) -> ast.expr:
        values = [self.operand(v) for v in op.operands]
        layout = op.attrs.get("layout")
        if layout is None:
            return values[0] if len(values) == 1 else ast.Tuple(values, ast.Load())
        groups: list[ast.expr] = []
        for size in layout:
            if size is None:
                groups.append(values.pop(0))
            else:
                groups.append(
                    ast.Tuple([values.pop(0) for _ in range(size)], ast.Load())
                )
        return groups[0] if len(groups) == 1 else ast.Tuple(groups, ast.Load())
