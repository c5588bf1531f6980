"""Reads the text :mod:`s2sad.ir.printer` writes back into IR functions.

``print_function(parse_function_text(print_function(f)))`` is the text it
started from.  Constants, slices and static index tuples, which the printer
writes where they are used, become ops of their own just before the op that
uses them.  A value's name hint is its name without a version suffix
(``x_2`` -> ``x``); ``t3`` is a temporary.  Pass tests use it to write their
input and expected IR as text.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from .core import (
    FLOAT,
    OBJECT,
    TEMPORARY,
    Block,
    Function,
    NameTable,
    Op,
    Value,
    type_of_constant,
)
from .ops import OPS
from .module import Module

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<number>-?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|(?:inf|nan)(?![\w.])))
    |(?P<ellipsis>\.\.\.)
    |(?P<name>[A-Za-z_][\w.]*)
    |(?P<punct>[\[\](),:={}]))""",
    re.VERBOSE,
)
_TYPED = r"[A-Za-z_]\w*(?:: [\w\[\]]+)?"
_RESULTS = re.compile(rf"({_TYPED}(?:, {_TYPED})*) = (.*)")
_HEADER = re.compile(r"func ([\w.]+)\((.*)\):")
_REGION = re.compile(r"(\w+)\((.*)\):")
_VERSION = re.compile(r"_\d+$")
_NAMED_CONSTANTS = {"None": None, "True": True, "False": False}


class ParseError(ValueError):
    """The text is not IR as the printer writes it."""


def parse_functions(text: str) -> list[Function]:
    """Every ``func`` of ``text``, in order; all in one module."""
    lines = [(n + 1, line) for n, line in enumerate(text.splitlines()) if line.strip()]
    functions: list[Function] = []
    position = 0
    while position < len(lines):
        reader = _Reader(lines, position)
        functions.append(reader.function())
        position = reader.position
    Module(functions)
    return functions


def parse_function_text(text: str) -> Function:
    """The first function of ``text`` (the others are its callees)."""
    functions = parse_functions(text)
    if not functions:
        raise ParseError("no function in the text")
    return functions[0]


def _hint(name: str) -> str:
    if re.fullmatch(r"t\d+", name):
        return TEMPORARY
    return _VERSION.sub("", name)


def _split_typed(text: str) -> tuple[str, str]:
    name, _, type = text.partition(": ")
    return name.strip(), type.strip() or FLOAT


class _Tokens:
    """The tokens of one line's operands and attributes, read left to right."""

    def __init__(self, text: str, where: str):
        self.items: list[tuple[str, str]] = []
        self.where = where
        position = 0
        while text[position:].strip():
            match = _TOKEN.match(text, position)
            if match is None:
                raise ParseError(f"{where}: cannot read {text[position:]!r}")
            self.items.append((match.lastgroup, match.group(match.lastgroup)))
            position = match.end()
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.index] if self.index < len(self.items) else None

    def next(self) -> tuple[str, str]:
        item = self.peek()
        if item is None:
            raise ParseError(f"{self.where}: unexpected end of line")
        self.index += 1
        return item

    def at(self, text: str) -> bool:
        item = self.peek()
        return item is not None and item[1] == text and item[0] in ("punct", "name")

    def expect(self, text: str) -> None:
        kind, got = self.next()
        if got != text:
            raise ParseError(f"{self.where}: expected {text!r}, got {got!r}")

    def literal(self) -> Any:
        """A constant: number, string, ``None``/``True``/``False``, ``...`` or a tuple."""
        kind, text = self.next()
        if kind in ("string", "number"):
            return (
                float(text)
                if text.lstrip("-") in ("inf", "nan")
                else ast.literal_eval(text)
            )
        if kind == "ellipsis":
            return Ellipsis
        if kind == "name" and text in _NAMED_CONSTANTS:
            return _NAMED_CONSTANTS[text]
        if text == "(":
            items = []
            while not self.at(")"):
                items.append(self.literal())
                if not self.at(")"):
                    self.expect(",")
            self.expect(")")
            return tuple(items)
        raise ParseError(f"{self.where}: expected a constant, got {text!r}")


class _Reader:
    """Reads one function, line by line, from ``lines[position]``."""

    def __init__(self, lines: list[tuple[int, str]], position: int):
        self.lines = lines
        self.position = position
        self.scopes: list[dict[Any, Value]] = []
        """Values by name, and the constants, slices and index tuples made, by what they hold."""
        self.names = NameTable()

    def where(self) -> str:
        return f"line {self.lines[self.position][0]}"

    def depth(self) -> int | None:
        if self.position >= len(self.lines):
            return None
        line = self.lines[self.position][1]
        return (len(line) - len(line.lstrip(" "))) // 2

    def text(self) -> str:
        return self.lines[self.position][1].strip()

    def function(self) -> Function:
        header = _HEADER.fullmatch(self.lines[self.position][1])
        if header is None:
            raise ParseError(f"{self.where()}: expected 'func name(params):'")
        end = self._end_of_function()
        words = " ".join(line for _, line in self.lines[self.position : end])
        self.names = NameTable(set(re.findall(r"[A-Za-z_]\w*", words)))
        params, defaults = self._params(header.group(2))
        self.position += 1
        body = Block(args=params)
        self.scopes = [{p.name: p for p in params}]
        self.block(body, 1)
        function = Function(header.group(1), body, defaults=tuple(defaults))
        self.names.taken.update(v.name for op in function.walk() for v in op.results)
        self.names.taken.update(p.name for p in params)
        self.names.taken.update(
            a.name for op in function.walk() for r in op.regions for a in r.args
        )
        function.names = self.names
        return function

    def _end_of_function(self) -> int:
        end = self.position + 1
        while end < len(self.lines) and self.lines[end][1].startswith(" "):
            end += 1
        return end

    def _params(self, text: str) -> tuple[list[Value], list[Any]]:
        params, defaults = [], []
        tokens = _Tokens(text, self.where())
        while tokens.peek() is not None:
            kind, name = tokens.next()
            type = FLOAT
            if tokens.at(":"):
                tokens.next()
                type = tokens.next()[1]
                if tokens.at("["):
                    tokens.next()
                    type += f"[{tokens.next()[1]}]"
                    tokens.expect("]")
            if tokens.at("="):
                tokens.next()
                defaults.append(tokens.literal())
            params.append(self.value(name, type))
            if tokens.peek() is not None:
                tokens.expect(",")
        return params, defaults

    def value(self, name: str, type: str) -> Value:
        return Value(name, type, _hint(name))

    def lookup(self, key: Any) -> Value | None:
        for scope in reversed(self.scopes):
            if key in scope:
                return scope[key]
        return None

    def block(self, block: Block, depth: int) -> None:
        while self.depth() == depth:
            self.op(block, depth)
        if self.depth() is not None and self.depth() > depth:
            raise ParseError(f"{self.where()}: unexpected indentation")

    def op(self, block: Block, depth: int) -> None:
        text, where = self.text(), self.where()
        results: list[Value] = []
        match = _RESULTS.fullmatch(text)
        if match is not None:
            results = [self.value(*_split_typed(r)) for r in match.group(1).split(", ")]
            text = match.group(2)
        name, _, rest = (
            text.partition(" ") if _is_terminator(text) else (text.partition("("))
        )
        tokens = _Tokens(rest, where)
        closing = None if _is_terminator(text) else ")"
        operands = self.operands(tokens, block, closing)
        attrs = self.attrs(tokens)
        has_regions = tokens.at(":")
        if has_regions:
            tokens.next()
        if tokens.peek() is not None:
            raise ParseError(f"{where}: unexpected {tokens.peek()[1]!r}")
        op = Op(name, operands, results, attrs)
        if name == "const":
            raise ParseError(f"{where}: constants are written where they are used")
        self.position += 1
        if has_regions:
            self.regions(op, depth)
        block.ops.append(op)
        self.scopes[-1].update((r.name, r) for r in results)

    def regions(self, op: Op, depth: int) -> None:
        while self.depth() == depth + 1:
            header = _REGION.fullmatch(self.text())
            if header is None:
                raise ParseError(f"{self.where()}: expected 'label(args):'")
            args = [self.value(*_split_typed(a)) for a in _split_args(header.group(2))]
            self.position += 1
            region = Block(args=args)
            self.scopes.append({a.name: a for a in args})
            self.block(region, depth + 2)
            self.scopes.pop()
            op.regions.append(region)

    def operands(self, tokens: _Tokens, block: Block, closing: str | None) -> list:
        values = []
        while tokens.peek() is not None and not tokens.at(closing or "{"):
            values.append(self.operand(tokens, block))
            if not tokens.at(closing or "{") and tokens.peek() is not None:
                tokens.expect(",")
        if closing is not None:
            tokens.expect(closing)
        return values

    def operand(self, tokens: _Tokens, block: Block) -> Value:
        """A value's name, or a constant, slice or index tuple written in place."""
        parts = [None if tokens.at(":") else self.atom(tokens, block)]
        while tokens.at(":"):
            tokens.next()
            ends = tokens.peek() is None or any(tokens.at(t) for t in ",:])")
            parts.append(None if ends else self.atom(tokens, block))
        if len(parts) == 1:
            return parts[0]
        parts += [None] * (3 - len(parts))
        operands = [self.const(None, block) if p is None else p for p in parts]
        return self.inline("slice", operands, {}, block)

    def atom(self, tokens: _Tokens, block: Block) -> Value:
        kind, text = tokens.peek()
        if kind == "name" and text not in _NAMED_CONSTANTS:
            tokens.next()
            if text == "list" and tokens.at("["):
                return self.index(tokens, block, "list")
            return self.named(text, tokens)
        if kind == "number" and self.lookup(text) is not None:
            tokens.next()
            return self.lookup(text)
        if text == "[":
            return self.index(tokens, block, "tuple")
        return self.const(tokens.literal(), block)

    def index(self, tokens: _Tokens, block: Block, kind: str) -> Value:
        tokens.expect("[")
        items = []
        while not tokens.at("]"):
            items.append(self.operand(tokens, block))
            if not tokens.at("]"):
                tokens.expect(",")
        tokens.expect("]")
        return self.inline("pack", items, {"kind": kind}, block)

    def const(self, value: Any, block: Block) -> Value:
        key = ("const", type(value).__name__, repr(value))
        found = self.lookup(key)
        if found is not None:
            return found
        result = Value(
            self.names.fresh(TEMPORARY), type_of_constant(value), TEMPORARY, value
        )
        block.ops.append(Op("const", [], [result], {"value": value}))
        self.scopes[-1][key] = result
        return result

    def inline(self, name: str, operands: list, attrs: dict, block: Block) -> Value:
        """A slice or index tuple: one op for each one written alike in a scope."""
        key = (name, tuple(id(v) for v in operands), attrs.get("kind"))
        found = self.lookup(key)
        if found is not None:
            return found
        result = Value(self.names.fresh(TEMPORARY), OBJECT, TEMPORARY)
        block.ops.append(Op(name, operands, [result], attrs))
        self.scopes[-1][key] = result
        return result

    def attrs(self, tokens: _Tokens) -> dict[str, Any]:
        if not tokens.at("{"):
            return {}
        tokens.next()
        attrs = {}
        while not tokens.at("}"):
            key = tokens.next()[1]
            tokens.expect("=")
            attrs[key] = self.attribute(tokens)
            if not tokens.at("}"):
                tokens.expect(",")
        tokens.expect("}")
        return attrs

    def attribute(self, tokens: _Tokens) -> Any:
        """An attribute's value: a literal, or a value named by its name."""
        kind, text = tokens.peek()
        if kind != "name" or text in _NAMED_CONSTANTS:
            return tokens.literal()
        tokens.next()
        return self.named(text, tokens)

    def named(self, name: str, tokens: _Tokens) -> Value:
        """The value called ``name`` where ``tokens`` are read."""
        value = self.lookup(name)
        if value is None:
            raise ParseError(f"{tokens.where}: {name} is not defined")
        return value


def _is_terminator(text: str) -> bool:
    name = text.split(" ", 1)[0]
    return name in OPS and OPS[name].terminator


def _split_args(text: str) -> list[str]:
    return [a for a in text.split(", ") if a]
