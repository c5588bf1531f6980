"""Lowering of NumPy array syntax: subscripts, writes into arrays, methods, attributes, sequences.

A mixin of the frontend's lowering.  ``x[i]`` becomes a ``getitem`` op whose
index is a value of its own (slices, ``None``, ``...`` and tuples of those are
``object`` values); ``y[i] = v`` becomes ``y = setitem(y, i, v)``, a new SSA
value, which generated code writes in place where that is safe.  Methods
(``x.sum(axis=0)``) lower to the NumPy function of the same name, and list or
tuple displays passed to NumPy (``np.stack([a, b])``) to ``pack`` ops.

NumPy arrays are shared by reference, so a write through one name changes
the array every other name bound to it sees.  The lowering follows that for
plain aliases (``z = y; z[0] = 1.0`` updates ``y`` too).  A write into an array
that may be a *view* of another (``z = y[1:]``, ``y.T``, ``y.reshape(...)``),
or into an array that has such a view, would change values s2sad cannot
track: reading the other name afterwards raises an error with a hint.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import UnsupportedSyntaxError
from ..ir.core import (
    BOOL_ARRAY,
    DIFFERENTIABLE,
    INT_ARRAY,
    NOT_CONSTANT,
    OBJECT,
    SEQ,
    TEMPORARY,
    Value,
    is_array,
)
from ..rules.registry import PRIMITIVES

METHODS = {
    "sum": np.sum,
    "mean": np.mean,
    "prod": np.prod,
    "max": np.max,
    "min": np.min,
    "std": np.std,
    "var": np.var,
    "cumsum": np.cumsum,
    "cumprod": np.cumprod,
    "dot": np.dot,
    "copy": np.copy,
    "ravel": np.ravel,
    "reshape": np.reshape,
    "transpose": np.transpose,
    "squeeze": np.squeeze,
    "swapaxes": np.swapaxes,
    "clip": np.clip,
    "trace": np.trace,
    "repeat": np.repeat,
    "diagonal": np.diagonal,
    "all": np.all,
    "any": np.any,
    "argmax": np.argmax,
    "argmin": np.argmin,
}
"""Array methods and the NumPy function each one calls with the array first."""

SHAPE_VARARGS = ("reshape", "transpose")
"""Methods that also take their shape or axes as separate arguments (``x.reshape(2, 3)``)."""

ATTRIBUTES = {
    "T": "T",
    "shape": "shape",
    "ndim": "ndim",
    "size": "size",
    "dtype": "dtype",
}
"""Array attributes and the primitive each one reads."""

DTYPES = {float: "float64", int: "int64", bool: "bool"}
"""The NumPy dtype each Python type names in ``x.astype(float)`` or ``dtype=int``."""


class ArrayLowering:
    """The NumPy half of the frontend's lowering (see the module docstring)."""

    # ------------------------------------------------------------ reading

    def is_local(self, node: ast.expr) -> bool:
        """True when ``node`` computes with the function's own values (``x.T``,
        ``(x + y).sum``) or with an array from outside it (``B.copy()``), not
        with a module-level name (``np.linalg``)."""
        base = node
        while isinstance(base, ast.Attribute):
            base = base.value
        if not isinstance(base, ast.Name) or base.id in self.env:
            return True
        return base is not node and isinstance(self._resolve_quietly(base), np.ndarray)

    def attribute(self, node: ast.Attribute, hint: str) -> Value:
        """``x.T``, ``x.shape``, ``x.ndim``, ``x.size`` of a local array."""
        name = ATTRIBUTES.get(node.attr)
        if name is None:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"unsupported construct: attribute .{node.attr} of an array",
                f"s2sad reads {', '.join('.' + a for a in ATTRIBUTES)} of arrays",
            )
        return self.apply(PRIMITIVES[name], [self.expr(node.value)], node, hint)

    def method_call(self, node: ast.Call, hint: str) -> Value:
        """``x.sum(axis=0)`` as ``np.sum(x, axis=0)``; ``x.astype(float)``."""
        method = node.func.attr
        if method == "astype":
            return self._astype(node, hint)
        if method == "flatten":
            raveled = self._method(node, "ravel", TEMPORARY)
            return self.apply(PRIMITIVES["np.copy"], [raveled], node, hint)
        return self._method(node, method, hint)

    def _method(self, node: ast.Call, method: str, hint: str) -> Value:
        owner = node.func.value
        function = METHODS.get(method)
        if function is None:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"unsupported construct: array method .{method}()",
                "call the NumPy function instead, e.g. np.sum(x) for x.sum(); "
                "methods that change the array in place are not supported",
            )
        args = list(node.args)
        if method in SHAPE_VARARGS and len(args) > 1:
            args = [ast.copy_location(ast.Tuple(args, ast.Load()), args[0])]
        spelled = ast.Attribute(ast.Name("np", ast.Load()), method, ast.Load())
        call = ast.Call(spelled, [owner] + args, node.keywords)
        ast.copy_location(call, node)
        return self.call_primitive(
            function, call, hint, f"{ast.unparse(owner)}.{method}"
        )

    def _astype(self, node: ast.Call, hint: str) -> Value:
        if len(node.args) != 1 or node.keywords:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                "astype() takes one argument, the dtype",
                "write x.astype(float) or x.astype(np.float32)",
            )
        dtype = self._dtype_name(node.args[0])
        operands = [self.expr(node.func.value), self.builder.const(dtype)]
        return self.apply(PRIMITIVES["astype"], operands, node, hint)

    def _dtype_name(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value: Any = node.value
        else:
            value = self._resolve(node)
        try:
            return np.dtype(DTYPES.get(value, value)).name
        except TypeError:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"`{ast.unparse(node)}` is not a dtype",
                "write float, np.float32, np.float64 or a dtype name",
            ) from None

    def subscript(self, node: ast.Subscript, hint: str) -> Value:
        """``x[index]`` as ``getitem(x, index)``."""
        base = self.expr(node.value)
        index = self.index(node.slice)
        return self.element(base, index, node, hint)

    def element(self, base: Value, index: Value, node: ast.AST, hint: str) -> Value:
        """``base[index]``: of a tuple built here at a constant position, that
        element itself when it is a number or a tuple (an array may have been
        written into since); else ``getitem(base, index)``."""
        elements = self.tuples.get(base)
        k = index.constant
        if (
            elements is not None
            and type(k) is int
            and -len(elements) <= k < len(elements)
            and not is_array(elements[k].type)
        ):
            return elements[k]
        return self.apply(PRIMITIVES["getitem"], [base, index], node, hint)

    def index(self, node: ast.expr) -> Value:
        """An index expression: numbers, slices, ``None``, ``...``, arrays, or a tuple of those."""
        if isinstance(node, ast.Slice):
            parts = [node.lower, node.upper, node.step]
            operands = [
                self.builder.const(None) if p is None else self.expr(p) for p in parts
            ]
            return self.apply(PRIMITIVES["slice"], operands, node, TEMPORARY)
        if isinstance(node, ast.Tuple):
            elements = [self.index(element) for element in node.elts]
            return self.pack(elements, node, "tuple")
        if isinstance(node, ast.List):
            integer = ast.copy_location(ast.Name("int", ast.Load()), node)
            dtype = [ast.keyword("dtype", integer)]
            array = ast.Call(ast.Name("np", ast.Load()), [node], dtype[: not node.elts])
            return self.call_primitive(
                np.array, ast.copy_location(array, node), TEMPORARY, "np.array"
            )
        if isinstance(node, ast.Constant) and node.value in (None, Ellipsis):
            return self.builder.const(node.value, loc=self.info.loc(node))
        if self._is_newaxis(node):
            return self.builder.const(None, loc=self.info.loc(node))
        return self.expr(node)

    def _is_newaxis(self, node: ast.expr) -> bool:
        return (
            isinstance(node, (ast.Name, ast.Attribute))
            and not self.is_local(node)
            and self._resolve_quietly(node) is None
            and ast.unparse(node).endswith("newaxis")
        )

    def argument(self, node: ast.expr) -> Value:
        """A call argument: a number or array, or a static value (``None``, a
        string, a tuple such as ``axis=(0, 1)``), or a list or tuple of values."""
        static = _literal(node)
        if static is not _NOT_LITERAL:
            return self.builder.const(static, loc=self.info.loc(node))
        if isinstance(node, (ast.Tuple, ast.List)):
            return self._display(node)
        if isinstance(node, (ast.Name, ast.Attribute)) and not self.is_local(node):
            value = self._resolve_quietly(node)
            if value is None or isinstance(value, str):
                return self.builder.const(value, loc=self.info.loc(node))
            if isinstance(value, (type, np.dtype)):
                return self.builder.const(
                    self._dtype_name(node), loc=self.info.loc(node)
                )
        return self.expr(node)

    def _display(self, node: ast.Tuple | ast.List) -> Value:
        """A display holding values: nested displays are packs too, so a row of
        constants next to a row of values has a tangent of its own shape."""
        elements = [
            (
                self._display(element)
                if isinstance(element, (ast.Tuple, ast.List))
                else self.argument(element)
            )
            for element in node.elts
        ]
        kind = "list" if isinstance(node, ast.List) else "tuple"
        return self.pack(elements, node, kind)

    def pack(self, elements: list[Value], node: ast.AST, kind: str) -> Value:
        """A tuple or list of values: ``seq`` when it holds anything differentiable."""
        differentiable = any(e.type in DIFFERENTIABLE for e in elements)
        packed = self.builder.op(
            "pack",
            elements,
            [SEQ if differentiable else OBJECT],
            attrs={"kind": kind},
            loc=self.info.loc(node),
        ).result
        self.may_share(packed, elements)
        if kind == "tuple":
            self.tuples[packed] = elements
        return packed

    def unpack_sequence(self, value: Value, count: int, node: ast.AST) -> list[Value]:
        """``a, b = value`` for a shape, a sequence or an array: one ``getitem`` each."""
        return [
            self.element(value, self.builder.const(k), node, TEMPORARY)
            for k in range(count)
        ]

    # ------------------------------------------------------------ writing

    def store_subscript(
        self, target: ast.Subscript, value: ast.expr, op: ast.operator | None = None
    ) -> None:
        """``y[i] = v`` (or ``y[i] += v`` when ``op`` is given): the array
        bound to ``y``, and to every alias of it, becomes ``setitem(y, i, v)``."""
        if not isinstance(target.value, ast.Name):
            raise self.error(
                UnsupportedSyntaxError,
                target,
                f"unsupported construct: assignment to {ast.unparse(target)}",
                "write into a named array: y[i] = v, or y[i, j] = v",
            )
        name = target.value.id
        array = self.expr(target.value)
        if not is_array(array.type):
            raise self.error(
                UnsupportedSyntaxError,
                target,
                f"unsupported construct: writing into {name!r}, which is not an array "
                "here (a tuple, a number, or a list s2sad does not follow)",
                f"make {name} an array (np.array(...), np.zeros(n)), or a list display "
                f"assigned in this function ({name} = [0.0] * n)",
            )
        self.refuse_outside_write(array, target)
        self.refuse_helper_write(array, target)
        self.refuse_iterated_write(name, array, target)
        index = self.index(target.slice)
        if op is not None:
            current = self.apply(
                PRIMITIVES["getitem"], [array, index], target, TEMPORARY
            )
            symbol = self.operator_symbol(op)
            entry = self.syntax_entry(("binop", symbol), target)
            new = self.apply(entry, [current, self.expr(value)], target, TEMPORARY)
        else:
            new = self.expr(value)
        self.refuse_truncating_write(name, array, new, target)
        updated = self.apply(PRIMITIVES["setitem"], [array, index, new], target, name)
        for loop in self.iterated:
            if array in loop.current:
                loop.current.add(updated)
        self.rebind(name, array, updated, target)

    def refuse_truncating_write(
        self, name: str, array: Value, new: Value, node: ast.AST
    ) -> None:
        """A float written into an integer or boolean array is truncated by NumPy:
        refused where the value may carry a derivative (a constant is fine)."""
        if (
            array.type in (INT_ARRAY, BOOL_ARRAY)
            and new.type in DIFFERENTIABLE
            and new.constant is NOT_CONSTANT
            and not self.provisional
        ):
            kind = "an integer" if array.type == INT_ARRAY else "a boolean"
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"{name!r} is {kind} array: writing `{ast.unparse(node)} = ...` into it "
                "would truncate a value s2sad differentiates",
                f"make {name} a float array (e.g. np.zeros(n) or dtype=float, or write "
                "float literals such as 0.0), or store int(...) of the value",
            )

    def refuse_casting_update(self, stmt: ast.AugAssign, before: Value | None) -> None:
        """``y += x`` with ``y`` an integer or boolean array and ``x`` a float: NumPy
        refuses to write the float result into ``y`` in place (the function raises)."""
        name = stmt.target.id
        after = self.env.get(name)
        if (
            before is None
            or before.type not in (INT_ARRAY, BOOL_ARRAY)
            or after is None
            or after.type == before.type
            or self.provisional
        ):
            return
        kind = "an integer" if before.type == INT_ARRAY else "a boolean"
        symbol = self.operator_symbol(stmt.op)
        raise self.error(
            UnsupportedSyntaxError,
            stmt,
            f"{name!r} is {kind} array: `{ast.unparse(stmt)}` would write values of "
            f"another type into it in place, which NumPy refuses (casting rule "
            "'same_kind')",
            f"make {name} a float array (np.zeros(n) or dtype=float), or write "
            f"{name} = {name} {symbol} ... to make a new array",
        )

    def augmented_array(
        self, target: ast.Name, value: ast.expr, op: ast.operator
    ) -> None:
        """After ``y += v``: other names for the same array (``z = y``) may no
        longer be read.  NumPy changes an array in place there but rebinds a
        number, and s2sad cannot tell which ``y`` holds when it may be either."""
        array = self.env.get(target.id)
        if array is None or not is_array(array.type) or self.provisional:
            return
        self.refuse_outside_write(array, target)
        self.refuse_helper_write(array, target, rebinds_numbers=True)
        self.refuse_iterated_write(target.id, array, target)
        line = self.info.loc(target).line
        symbol = self.operator_symbol(op)
        for other, bound in self.env.items():
            if other != target.id and self.shares_memory(bound, array):
                self.stale[other] = (
                    f"{other!r} and {target.id!r} may be the same array, which "
                    f"`{target.id} {symbol}= ...` at line {line} changes in place",
                    f"write {target.id} = {target.id} {symbol} ... to make a new "
                    f"array, or copy it first: {target.id} = {other}.copy()",
                )

    def rebind(self, name: str, old: Value, new: Value, node: ast.AST) -> None:
        """After a write into ``old`` through ``name``: its aliases see ``new``;
        names that may share memory with it become unreadable."""
        line = self.info.loc(node).line
        for other, value in list(self.env.items()):
            if value is old:
                self.env[other] = new
            elif (
                other != name
                and self.shares_memory(value, old)
                and not self.provisional
            ):
                self.stale[other] = (
                    f"{other!r} may share memory with {name!r}, which line {line} "
                    f"writes into; s2sad cannot follow writes through views",
                    (
                        f"build {other} after line {line}, or put a copy in it "
                        f"({name}.copy())"
                        if value.type == SEQ
                        else f"copy one of them first, e.g. {other} = {other}.copy()"
                    ),
                )
        self.env[name] = new
        self.stale.pop(name, None)
        if old in self.views:
            self.views[new] = set(self.views[old])

    def shares_memory(self, a: Value, b: Value) -> bool:
        """True when ``a`` and ``b`` may be (views of) one array."""
        return bool(self._bases(a) & self._bases(b))

    def _bases(self, value: Value) -> set[Value]:
        bases, stack = {value}, [value]
        while stack:
            for base in self.views.get(stack.pop(), ()):
                if base not in bases:
                    bases.add(base)
                    stack.append(base)
        return bases

    def may_share(self, value: Value, others: list[Value]) -> None:
        """Record that ``value`` may be (a view of) any of ``others`` (the
        result of an ``if``, a loop, a helper call)."""
        shared = {v for v in others if v is not value and _holds_arrays(v)}
        if shared and _holds_arrays(value):
            self.views.setdefault(value, set()).update(shared)

    def carry_sharing(self, carried: list[str], args: list[Value]) -> None:
        """A loop's carried block arguments start as the values bound to
        ``carried`` before it: each may share memory with what its value may."""
        for name, arg in zip(carried, args):
            if name in self.env:
                self.may_share(arg, [self.env[name]])

    def refuse_outside_write(self, array: Value, node: ast.AST) -> None:
        """A write into an array from outside the function (a module-level or
        closed-over one) would change it for every later call: refused."""
        for base in self._bases(array):
            if base in self.outside:
                name = self.outside[base]
                raise self.error(
                    UnsupportedSyntaxError,
                    node,
                    f"writing into {name!r}, an array from outside the function, "
                    "changes it for every later call",
                    f"copy it first (buffer = {name}.copy()) and write into the copy",
                )

    def refuse_helper_write(
        self, array: Value, node: ast.AST, rebinds_numbers: bool = False
    ) -> None:
        """A helper may not write into an array its caller passed it: the caller's
        array would change, which s2sad does not follow.  With ``rebinds_numbers``
        (``s *= 2``), an unannotated parameter is refused only at a call that
        passes an array for it: a number is rebound, not written into."""
        if not self.is_helper:
            return
        for k, param in enumerate(self.builder.function.params):
            if not self.shares_memory(array, param):
                continue
            error = self.error(
                UnsupportedSyntaxError,
                node,
                f"{self.node.name}() writes into its argument {param.name!r}, which "
                "changes the caller's array",
                f"copy it first ({param.name} = {param.name}.copy()), or return the new values",
            )
            if not (rebinds_numbers and param.name in self.inferred):
                raise error
            self.array_writes.setdefault(k, error)

    def refuse_iterated_write(self, name: str, array: Value, node: ast.AST) -> None:
        """A write into an array a ``for row in X`` loop runs over, other than into
        the current row, would change rows still to come, which s2sad has read."""
        for loop in self.iterated:
            if array not in loop.current and self.shares_memory(array, loop.rows):
                which = (
                    "is the array"
                    if name == loop.text
                    else f"may share memory with `{loop.text}`, the array"
                )
                raise self.error(
                    UnsupportedSyntaxError,
                    node,
                    f"{name!r} {which} whose rows the loop at line {loop.line} runs "
                    "over; writing into it would change the rows still to come",
                    "loop over range(len(...)) and index the rows, so each write is "
                    "one s2sad can follow",
                )

    def with_aliases(self, written: list[str], known: list[str]) -> list[str]:
        """The names not in ``known`` bound to the same array as a name in ``written``."""
        shared = {self.env[n] for n in written if n in self.env}
        return [
            n
            for n, v in self.env.items()
            if v in shared and is_array(v.type) and n not in known
        ]


@dataclass
class IteratedRows:
    """The array a ``for row in X`` loop runs over, and the values of the current row."""

    rows: Value
    text: str
    line: int
    current: set[Value] = field(default_factory=set)


def _holds_arrays(value: Value) -> bool:
    return is_array(value.type) or value.type == SEQ


_NOT_LITERAL = object()


def _literal(node: ast.expr) -> Any:
    """The static value of ``node`` (``None``, a string, ``...``, a tuple of
    numbers), or ``_NOT_LITERAL``; plain numbers are not static here."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NOT_LITERAL
    if isinstance(value, list):
        value = tuple(value)
    if value is None or value is Ellipsis or isinstance(value, str):
        return value
    if isinstance(value, tuple) and _static_tuple(value):
        return value
    return _NOT_LITERAL


def _static_tuple(value: tuple) -> bool:
    return all(
        (isinstance(v, (int, float)) and not isinstance(v, complex))
        or v is None
        or (isinstance(v, tuple) and _static_tuple(v))
        for v in value
    )
