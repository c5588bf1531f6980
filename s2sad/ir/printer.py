"""Textual form of the IR, as printed by ``s2sad ir`` and compared by golden tests.

Constants, slices and index tuples are printed inline where they are used
(``getitem(x, [1:, None])``; a list rather than a tuple as ``list[a, b]``);
every other op is one line ``results = name(operands) {attrs}``, followed by
its regions, indented; an attribute that refers to a value (forward mode's
``tangent_of``) is written as that value's name.  A value that is not a ``float`` is written with its
type where it is defined (``n: int``).  :mod:`s2sad.ir.parser` reads the text back.
"""

from __future__ import annotations

from typing import Any

from .core import FLOAT, Block, Function, Op, Value
from .operands import declaration, region_labels, written_at_each_use


def print_function(function: Function) -> str:
    """The function's IR as text (stable: same IR, same text)."""
    printer = _Printer()
    names = [typed(p) for p in function.params]
    defaults = [f"={literal(d)}" for d in function.defaults]
    defaults = [""] * (len(names) - len(defaults)) + defaults
    params = ", ".join(n + d for n, d in zip(names, defaults))
    printer.line(0, f"func {function.name}({params}):")
    printer.block(function.body, 1)
    return "\n".join(printer.lines) + "\n"


def typed(value: Value) -> str:
    """``name``, or ``name: type`` for a value that is not a ``float``."""
    return value.name if value.type == FLOAT else f"{value.name}: {value.type}"


def literal(value: Any) -> str:
    """A constant or attribute as Python writes it (``...`` for the ellipsis)."""
    if value is Ellipsis:
        return "..."
    if isinstance(value, tuple):
        items = [literal(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    return repr(value)


class _Printer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: dict[Value, str] = {}

    def line(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    def operand(self, value: Value) -> str:
        return self.constants.get(value, value.name)

    def attribute(self, value: Any) -> str:
        """An attribute: a literal, or the name of the value it refers to."""
        return self.operand(value) if isinstance(value, Value) else literal(value)

    def block(self, block: Block, depth: int) -> None:
        for op in block.ops:
            if written_at_each_use(op):
                self.constants[op.result] = self.inline(op)
            else:
                self.op(op, depth)

    def inline(self, op: Op) -> str:
        """A constant, slice or static index tuple, as written where it is used."""
        decl = declaration(op)
        if decl is not None and decl.printed == "literal":
            return literal(op.attrs["value"])
        parts = [self.operand(v) for v in op.operands]
        if decl is not None:
            prefix = "list" if op.attrs.get("kind") == "list" else ""
            return f"{prefix}[{', '.join(parts)}]"
        text = ":".join("" if p == "None" else p for p in parts)
        return text.removesuffix(":")

    def op(self, op: Op, depth: int) -> None:
        operands = ", ".join(self.operand(v) for v in op.operands)
        decl = declaration(op)
        if decl is not None and decl.printed == "terminator":
            text = f"{op.name} {operands}".rstrip()
        else:
            text = f"{op.name}({operands})"
        if op.attrs:
            attrs = ", ".join(
                f"{k}={self.attribute(v)}" for k, v in sorted(op.attrs.items())
            )
            text += f" {{{attrs}}}"
        if op.results:
            text = f"{', '.join(typed(r) for r in op.results)} = {text}"
        if op.regions:
            text += ":"
        self.line(depth, text)
        labels = region_labels(op)
        for index, region in enumerate(op.regions):
            label = labels[index] if index < len(labels) else f"region{index}"
            args = ", ".join(typed(a) for a in region.args)
            self.line(depth + 1, f"{label}({args}):")
            self.block(region, depth + 2)
