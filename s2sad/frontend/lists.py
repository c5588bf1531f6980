"""Lowering of Python lists used as containers: written by index, or appended to.

A mixin of the frontend's lowering.  A list display bound to a name the
function writes into (``v = [0.0] * n; v[i] = x * i``) is lowered as a 1-D
NumPy array, ``np.array([...])`` (``np.tile`` of it for ``[...] * n``), so
the writes are ``setitem`` ops that both modes differentiate; ``+`` and ``*``
on such a name, which would concatenate or repeat a list, are refused.  A
list only appended to (``v = []; v.append(x)``) is a ``pack`` of its
elements, rebuilt by each ``append`` in straight-line code; an ``append``
inside a loop or a branch, whose effect the lowering would lose, is refused.
"""

from __future__ import annotations

import ast

import numpy as np

from ..errors import UnsupportedSyntaxError
from ..ir.core import TEMPORARY, Block, Value, is_array
from ..rules.registry import PRIMITIVES

LIST_METHODS = ("append", "extend", "insert", "pop", "remove", "clear", "sort")
"""List methods that change the list in place."""


class ListLowering:
    """Lists as containers (see the module docstring)."""

    def find_containers(self) -> None:
        """Record the names bound to a list display that are written by index
        (``self.list_arrays``) or appended to (``self.appended``)."""
        written, appended, lists = set(), set(), set()
        for node in ast.walk(self.node):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                base = node.value
                while isinstance(base, ast.Subscript):
                    base = base.value
                if isinstance(base, ast.Name):
                    written.add(base.id)
            elif _is_append(node):
                appended.add(node.func.value.id)
            elif isinstance(node, ast.Assign) and _is_list_display(node.value):
                lists.update(t.id for t in node.targets if isinstance(t, ast.Name))
        self.list_arrays = lists & written
        self.appended = lists & appended - written
        self.list_elements: dict[Value, tuple[list[Value], Block]] = {}

    def list_value(self, name: str, node: ast.expr) -> Value | None:
        """The value of ``name = node`` when ``node`` is a list display lowered
        as a container; None for other assignments."""
        if not _is_list_display(node):
            return None
        if name in self.list_arrays:
            return self._list_array(node, name)
        if name in self.appended and isinstance(node, ast.List):
            elements = [self.argument(e) for e in node.elts]
            return self._appendable(elements, node)
        return None

    def _list_array(self, node: ast.expr, hint: str) -> Value:
        """``[a, b]`` as ``np.array([a, b])``; ``[a] * n`` as ``np.tile(np.array([a]), n)``."""
        if isinstance(node, ast.List):
            call = ast.Call(ast.Name("np", ast.Load()), [node], [])
            ast.copy_location(call, node)
            return self.call_primitive(np.array, call, hint, "np.array")
        display, count = (
            (node.left, node.right)
            if isinstance(node.left, ast.List)
            else (node.right, node.left)
        )
        array = self._list_array(display, TEMPORARY)
        reps = self.expr(count)
        return self.apply(PRIMITIVES["np.tile"], [array, reps], node, hint)

    def _appendable(self, elements: list[Value], node: ast.AST) -> Value:
        packed = self.pack(elements, node, "list")
        self.list_elements[packed] = (elements, self.builder.block)
        return packed

    def list_method(self, call: ast.Call) -> bool:
        """Lower ``v.append(e)`` as a statement; True if ``call`` was one.  Other
        methods that change a list in place are refused."""
        func = call.func
        if not (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.env
            and func.attr in LIST_METHODS
        ):
            return False
        name = func.value.id
        current = self.env[name]
        known = self.list_elements.get(current)
        if func.attr != "append" or len(call.args) != 1 or call.keywords:
            raise self._list_error(call, f".{func.attr}() on a list")
        if name in self.list_arrays:
            raise self._list_error(
                call,
                f"append to {name!r}, which is also written by index",
                f"create {name} at its full length ({name} = [0.0] * n) and write "
                f"{name}[i] = ... instead of appending",
            )
        if known is None or known[1] is not self.builder.block:
            raise self._list_error(
                call,
                f"append to {name!r} inside a loop or branch",
                f"create {name} at its full length before the loop ({name} = [0.0] * n) "
                f"and write {name}[i] = ... in it",
            )
        updated = self._appendable(known[0] + [self.argument(call.args[0])], call)
        for other, value in list(self.env.items()):
            if value is current:
                self.env[other] = updated
        return True

    def builtin_sum(self, node: ast.Call, hint: str) -> Value:
        """``sum([a, b, c])``, ``sum(f(v) for v in (a, b))`` (unrolled), ``sum(v)``
        of a list built here, and ``sum(x)`` of an array (``np.sum(x, axis=0)``)."""
        if node.keywords or not 1 <= len(node.args) <= 2:
            raise self._list_error(
                node,
                f"sum() with these arguments: `{ast.unparse(node)}`",
                "write sum(values) or sum(values, start)",
            )
        elements = self._summands(node.args[0])
        if elements is None:
            array = self.expr(node.args[0])
            if not is_array(array.type):
                raise self._list_error(
                    node,
                    f"sum() of `{ast.unparse(node.args[0])}`",
                    "sum a list or tuple display, a generator over one, or an array",
                )
            axis = self.builder.const(0)
            keep = self.builder.const(False)
            total = self.apply(PRIMITIVES["np.sum"], [array, axis, keep], node, hint)
            elements = [total]
        if len(node.args) == 2:
            elements = [self.expr(node.args[1])] + elements
        if not elements:
            return self.builder.const(0, loc=self.info.loc(node))
        add = PRIMITIVES["add"]
        total = elements[0]
        for k, element in enumerate(elements[1:]):
            last = k == len(elements) - 2
            total = self.apply(add, [total, element], node, hint if last else TEMPORARY)
        return total

    def _summands(self, node: ast.expr) -> list[Value] | None:
        """The values a display, a generator over a display, or a list built here
        holds; None for anything else."""
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.expr(e) for e in node.elts]
        if isinstance(node, ast.Name) and node.id in self.env:
            known = self.list_elements.get(self.env[node.id])
            return list(known[0]) if known is not None else None
        if not isinstance(node, ast.GeneratorExp):
            return None
        loop = node.generators[0]
        if (
            len(node.generators) != 1
            or loop.ifs
            or loop.is_async
            or not isinstance(loop.target, ast.Name)
            or not isinstance(loop.iter, (ast.List, ast.Tuple))
        ):
            raise self._list_error(
                node,
                f"generator expression `{ast.unparse(node)}`",
                "sum over a tuple or list display (sum(f(v) for v in (a, b))), or "
                "accumulate in a for loop",
            )
        name = loop.target.id
        saved = self.env.get(name)
        values = []
        for element in loop.iter.elts:
            self.env[name] = self.expr(element, hint=name)
            values.append(self.expr(node.elt))
        if saved is None:
            self.env.pop(name, None)
        else:
            self.env[name] = saved
        return values

    def refuse_list_operator(self, node: ast.BinOp) -> None:
        """``v + w`` or ``v * 2`` where ``v`` is a list lowered as an array: a list
        would concatenate or repeat, an array adds or multiplies."""
        for side in (node.left, node.right):
            if isinstance(side, ast.Name) and side.id in self.list_arrays:
                raise self._list_error(
                    node,
                    f"operator on the list {side.id!r} (`{ast.unparse(node)}`)",
                    f"write the elements out, or make {side.id} an array with np.array "
                    "and use NumPy operations",
                )

    def _list_error(self, node: ast.AST, what: str, hint: str = "") -> Exception:
        return self.error(
            UnsupportedSyntaxError,
            node,
            f"unsupported construct: {what}",
            hint
            or "build the list with a display ([a, b, c]) or create it at its full "
            "length ([0.0] * n) and write v[i] = ...",
        )


def _is_list_display(node: ast.expr) -> bool:
    """``[...]`` or ``[...] * n`` / ``n * [...]``."""
    if isinstance(node, ast.List):
        return True
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mult)
        and (isinstance(node.left, ast.List) or isinstance(node.right, ast.List))
    )


def _is_append(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "append"
        and isinstance(node.func.value, ast.Name)
    )
