"""Loops over ``enumerate(...)`` and ``zip(...)``: what each loop variable runs over.

A mixin of the frontend's lowering.  In ``for i, v in enumerate(seq)`` and
``for a, b in zip(s, t)`` each loop variable has one *source*: a tuple or list
literal, a ``range``, the rows of an array, or ``enumerate``'s count.  Python
evaluates the sources in order before the loop, and so does the lowering.  A
loop over literals (and counts) is unrolled; any other is a loop over
``range(n)``, ``n`` the shortest length, each variable computed from the
counter: ``start + k * step`` for a range, ``X[k]`` for the rows of ``X``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .arrays import IteratedRows
from ..errors import UnsupportedSyntaxError
from ..ir.core import INT, TEMPORARY, Value, is_array
from ..rules.registry import PRIMITIVES, lookup_callable, lookup_syntax


@dataclass
class Source:
    """What one loop variable runs over: ``kind`` is ``literal`` (``values`` are
    the elements), ``range`` (start, stop, step), ``rows`` (the array) or
    ``count`` (enumerate's start)."""

    kind: str
    node: ast.expr
    values: list[Value]


class LoopSourceLowering:
    """The ``enumerate``/``zip`` half of the frontend's loop lowering (see the module docstring)."""

    def zipped_for(self, stmt: ast.For) -> None:
        """A ``for`` loop whose target unpacks ``enumerate(...)`` or ``zip(...)``."""
        leaves = self.loop_sources(stmt.iter, stmt.target)
        if any(source.kind == "literal" for _, source in leaves):
            self._unrolled_sources(stmt, leaves)
        else:
            self._counted_sources(stmt, leaves)

    def loop_sources(
        self, node: ast.expr, target: ast.expr
    ) -> list[tuple[str, Source]]:
        """Each name ``target`` binds with what it runs over, evaluated in order."""
        if self._is_builtin_call(node, (enumerate,)):
            return self._enumerate_sources(node, target)
        if self._is_builtin_call(node, (zip,)):
            if node.keywords:
                raise self._refused_source(node, "zip with keyword arguments")
            parts = self._unpacked(target, len(node.args), node)
            leaves = []
            for arg, part in zip(node.args, parts):
                leaves += self.loop_sources(arg, part)
            return leaves
        if not isinstance(target, ast.Name):
            raise self.error(
                UnsupportedSyntaxError,
                target,
                f"unsupported construct: loop target {ast.unparse(target)} over "
                f"`{ast.unparse(node)}`",
                "unpack enumerate(...) or zip(...), or loop over one plain name",
            )
        if isinstance(node, (ast.Tuple, ast.List)):
            values = [self.expr(element, hint=target.id) for element in node.elts]
            return [(target.id, Source("literal", node, values))]
        if self._is_range(node):
            return [(target.id, Source("range", node, self._range_bounds(node)))]
        if isinstance(node, ast.Call) and self._is_builtin(node.func):
            raise self._unsupported_iterable(node)
        rows = self.expr(node)
        if not is_array(rows.type):
            raise self._unsupported_iterable(node)
        return [(target.id, Source("rows", node, [rows]))]

    def _enumerate_sources(
        self, node: ast.Call, target: ast.expr
    ) -> list[tuple[str, Source]]:
        starts = node.args[1:] + [k.value for k in node.keywords if k.arg == "start"]
        if not node.args or len(node.args) + len(node.keywords) > 2 or len(starts) > 1:
            raise self._refused_source(node, "these arguments to enumerate")
        if any(k.arg != "start" for k in node.keywords):
            raise self._refused_source(node, "these arguments to enumerate")
        index, inner = self._unpacked(target, 2, node)
        if not isinstance(index, ast.Name):
            raise self._refused_source(
                node, f"{ast.unparse(index)} as enumerate's count"
            )
        start = self.expr(starts[0]) if starts else self.builder.const(0)
        if start.type != INT:
            raise self.error(
                UnsupportedSyntaxError,
                starts[0],
                "enumerate's start must be an int",
                "start the count at an int",
            )
        count = (index.id, Source("count", node, [start]))
        return [count] + self.loop_sources(node.args[0], inner)

    def _unpacked(self, target: ast.expr, count: int, node: ast.expr) -> list[ast.expr]:
        if isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == count:
            if not any(isinstance(e, ast.Starred) for e in target.elts):
                return list(target.elts)
        names = ", ".join(f"v{k}" for k in range(count))
        raise self.error(
            UnsupportedSyntaxError,
            target,
            f"unsupported construct: for loop over `{ast.unparse(node)}` with the "
            f"target {ast.unparse(target)}: each item holds {count} values",
            f"unpack each item into {count} names: for {names} in ...",
        )

    def _refused_source(self, node: ast.expr, what: str) -> Exception:
        return self.error(
            UnsupportedSyntaxError,
            node,
            f"unsupported construct: {what} in `{ast.unparse(node)}`",
            "write enumerate(seq) or zip(a, b, ...) over literals, ranges or arrays",
        )

    def _unrolled_sources(self, stmt: ast.For, leaves: list[tuple[str, Source]]):
        """Literals zipped with literals (and counts): the loop unrolled."""
        for name, source in leaves:
            if source.kind not in ("literal", "count"):
                raise self.error(
                    UnsupportedSyntaxError,
                    source.node,
                    f"unsupported construct: `{ast.unparse(source.node)}` zipped with "
                    "a tuple or list literal",
                    "make every sequence a literal, or loop over range(...) and index",
                )
        length = min(len(s.values) for _, s in leaves if s.kind == "literal")
        items = []
        for k in range(length):
            bindings = []
            for name, source in leaves:
                if source.kind == "literal":
                    bindings.append((name, source.values[k]))
                else:
                    bindings.append((name, self._offset(source.values[0], k, name)))
            items.append(bindings)
        self._unrolled_for(stmt, items)

    def _offset(self, start: Value, k: int, hint: str) -> Value:
        if isinstance(start.constant, int):
            return self.builder.const(start.constant + k)
        add = lookup_syntax("binop", "+")
        return self.apply(add, [start, self.builder.const(k)], self.node, hint)

    def _counted_sources(self, stmt: ast.For, leaves: list[tuple[str, Source]]):
        """Ranges, rows and counts: a loop over ``range(n)``, ``n`` the shortest length."""
        lengths = [
            self._length(source) for _, source in leaves if source.kind != "count"
        ]
        shortest = lookup_callable(min, 2)
        count = lengths[0]
        for other in lengths[1:]:
            count = self.apply(shortest, [count, other], stmt.iter, TEMPORARY)
        bounds = [self.builder.const(0), count, self.builder.const(1)]
        counter = self.flag_name("row")
        iterated = {}
        for name, source in leaves:
            if source.kind == "rows":
                rows = source.values[0]
                loop = IteratedRows(rows, ast.unparse(source.node), stmt.lineno)
                iterated[name] = loop
                self.iterated.append(loop)
        sharing = {
            n
            for n, v in self.env.items()
            if any(self.shares_memory(v, loop.rows) for loop in iterated.values())
        }

        def body(args: list[Value]) -> list[Value]:
            k = args[0]
            for name, source in leaves:
                self.env[name] = self._element(source, k, name)
                if name in iterated:
                    iterated[name].current = {self.env[name]}
            for carried in args[1:]:
                if carried.hint in sharing:
                    self.may_share(carried, [loop.rows for loop in iterated.values()])
            return args[1:]

        try:
            self._loop(stmt, "for", bounds, body, counter=counter)
        finally:
            for _ in iterated:
                self.iterated.pop()

    def _length(self, source: Source) -> Value:
        """How many items a range or an array's rows give."""
        node = source.node
        if source.kind == "rows":
            return self.apply(PRIMITIVES["len"], source.values, node, TEMPORARY)
        start, stop, step = source.values
        sign = step.constant
        if not isinstance(sign, int) or sign == 0:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"`{ast.unparse(node)}` zipped or enumerated needs a constant, "
                "nonzero step",
                "give the range a constant step, or loop over the range itself",
            )
        if sign < 0:
            start, stop, sign = stop, start, -sign
        sub = lookup_syntax("binop", "-")
        span = stop
        if start.constant != 0:
            span = self.apply(sub, [stop, start], node, TEMPORARY)
        if sign == 1:
            return span
        add, floordiv = lookup_syntax("binop", "+"), lookup_syntax("binop", "//")
        span = self.apply(add, [span, self.builder.const(sign - 1)], node, TEMPORARY)
        return self.apply(floordiv, [span, self.builder.const(sign)], node, TEMPORARY)

    def _element(self, source: Source, k: Value, hint: str) -> Value:
        """The value of a loop variable at counter ``k``."""
        node = source.node
        if source.kind == "rows":
            return self.apply(PRIMITIVES["getitem"], [source.values[0], k], node, hint)
        start, step = source.values[0], source.values[-1]
        if source.kind == "range" and step.constant != 1:
            mul = lookup_syntax("binop", "*")
            k = self.apply(mul, [k, step], node, TEMPORARY)
        if start.constant == 0:
            return k
        return self.apply(lookup_syntax("binop", "+"), [start, k], node, hint)
