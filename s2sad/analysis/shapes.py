"""Symbolic shapes: which values certainly have the same shape, without knowing any shape.

Generated code must work for every shape, so reverse mode sums adjoints back
to each argument's shape at run time (``runtime.unbroadcast``).  Often that is
provably a no-op: in ``x[1:] - x[:-1] ** 2`` both sides have shape
``(n - 1, ...)`` for whatever ``x`` is.  This pass finds such facts, and the
simplifier uses them to drop the reductions and broadcasts that cannot change
anything.

A shape is a tuple of leading dimensions and an optional unknown *tail*.  A
dimension is an ``int`` or ``(base, offset)``: the size ``base`` (dimension
``k`` of some value's tail, or an ``int`` value of the program, as in
``np.zeros(n)``) plus a constant.  An array whose shape the pass cannot follow
(a parameter, a product) is all tail, a tail of its own: it equals only itself
and what elementwise operations with numbers make of it.

Shapes follow values through loops (a carried value keeps its initial shape
when every iteration yields that shape again), through ``if`` (when both
branches yield one shape) and through the tape (a popped value has the shape
of the value pushed).  So ``y = np.zeros(n)`` written element by element in a
loop stays one-dimensional, and ``y[i - 1]`` in it is a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..ir.core import ARRAYS, INT, Block, Function, Op, Value
from ..ir.operands import carried_args, leading_args, loop_inits
from ..rules.registry import PRIMITIVES

SCALAR_TYPES = ("float", "int", "bool")


@dataclass(frozen=True)
class Shape:
    """Leading dimensions, then ``tail``: ``(source, k)`` for the dimensions of
    ``source`` from its ``k``-th on, or None when there are no more."""

    dims: tuple
    tail: tuple | None = None

    def split(self) -> tuple[Any, "Shape"] | None:
        """The first dimension and the shape of the rest (None for a scalar)."""
        if self.dims:
            return self.dims[0], Shape(self.dims[1:], self.tail)
        if self.tail is None:
            return None
        source, k = self.tail
        first = (("dim", source, k), 0)
        return first, Shape((), (source, k + 1))


SCALAR = Shape(())


def infer_shapes(function: Function) -> dict[Value, Shape]:
    """The symbolic shape of every value of ``function`` the pass can follow."""
    return ShapeInference(function).shapes


TANGENT_OF = "tangent_of"
"""The attribute forward mode puts on the op computing an elementwise array
result's tangent: the primal result, whose shape the tangent must have."""


class ShapeInference:
    """The shapes of one function's values (``shapes``), and of the elements its
    indexing ops read or write."""

    def __init__(
        self,
        function: Function,
        seeds: dict[Value, Shape] | None = None,
        records: dict[Any, list[Shape | None]] | None = None,
    ):
        """``seeds`` and ``records``: shapes known from elsewhere, for the backward
        sweep of ``vjp``: those of the values its residuals hold, and those of
        the tape records the forward sweep pushes."""
        self.definer = {r: op for op in function.walk() for r in op.results}
        self.seeds = seeds or {}
        self.shapes: dict[Value, Shape] = {}
        self.records: dict[Any, list[Shape | None]] = dict(records or {})
        for param in function.params:
            self._set(param, None)
        self._block(function.body)

    def _set(self, value: Value, shape: Shape | None) -> None:
        """Record ``shape`` for ``value``: a number's is ``()``; an array whose
        shape is not known gets a shape of its own, equal to no other."""
        if value.type in SCALAR_TYPES:
            self.shapes[value] = SCALAR
        elif shape is not None:
            self.shapes[value] = shape
        elif value in self.seeds:
            self.shapes[value] = self.seeds[value]
        elif value.type in ARRAYS:
            self.shapes[value] = Shape((), (value, 0))
        else:
            self.shapes.pop(value, None)

    def _block(self, block: Block) -> None:
        for op in block.ops:
            if op.name in ("for", "while"):
                self._loop(op)
            elif op.name == "if":
                self._if(op)
            elif op.name == "push":
                self.records[op.attrs["record"]] = [
                    self.shapes.get(v) for v in op.operands[1:]
                ]
            elif op.name == "pop":
                pushed = self.records.get(op.attrs["record"], [])
                for k, result in enumerate(op.results):
                    self._set(result, pushed[k] if k < len(pushed) else None)
            else:
                inferred = self._result_shape(op) if len(op.results) == 1 else None
                for result in op.results:
                    self._set(result, inferred)

    def _loop(self, op: Op) -> None:
        """A carried value keeps its initial shape if each iteration yields that
        shape again: guess so, check the yields, and give up on those that differ."""
        carried = len(op.results)
        inits = loop_inits(op)
        guess = [self.shapes.get(v) for v in inits]
        for _ in range(carried + 1):
            for region in op.regions:
                for arg in leading_args(region, op):
                    self._set(arg, None)
                for arg, shape in zip(carried_args(region, op), guess):
                    self._set(arg, shape)
                self._block(region)
            yields = op.regions[-1].terminator.operands
            kept = [
                shape if shape is not None and self.shapes.get(y) == shape else None
                for shape, y in zip(guess, yields)
            ]
            if kept == guess:
                break
            guess = kept
        for result, shape in zip(op.results, guess):
            self._set(result, shape)

    def _if(self, op: Op) -> None:
        for region in op.regions:
            self._block(region)
        for k, result in enumerate(op.results):
            shapes = {self.shapes.get(r.terminator.operands[k]) for r in op.regions}
            self._set(result, shapes.pop() if len(shapes) == 1 else None)

    def _result_shape(self, op: Op) -> Shape | None:
        if TANGENT_OF in op.attrs:
            return self.shapes.get(op.attrs[TANGENT_OF])
        if op.name == "const":
            value = op.attrs["value"]
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            return SCALAR if number else None
        if op.name == "add_at":
            return self._accumulated(op.operands[0], op.operands[1])
        entry = PRIMITIVES.get(op.name)
        if entry is None:
            return None
        if entry.fresh and entry.args[0] == "shape":
            dims = self._dims(op.operands[0])
            return None if dims is None else Shape(dims)
        if entry.same_shape is not None:
            return self.shapes.get(op.operands[entry.args.index(entry.same_shape)])
        if entry.elementwise:
            return _broadcast([self.shapes.get(v) for v in op.operands])
        if op.name == "getitem" and op.operands[0].type in ARRAYS:
            return self._indexed(self.shapes.get(op.operands[0]), op.operands[1])
        return None

    def _accumulated(self, acc: Value, x: Value) -> Shape | None:
        """The shape of ``add_at(acc, x, ...)``: ``x``'s, which an array ``acc`` (an
        adjoint of ``x``) has too; a number ``acc`` stands for an array of that shape.
        """
        shape = self.shapes.get(x)
        if shape is None and self.shapes.get(acc) != SCALAR:
            shape = self.shapes.get(acc)
        return shape

    def _dims(self, shape: Value) -> tuple | None:
        """The dimensions a creation function's ``shape`` operand gives: an int
        constant or value, or a tuple of them."""
        if isinstance(shape.constant, int) and not isinstance(shape.constant, bool):
            return (shape.constant,)
        if shape.type == INT:
            return ((("value", shape), 0),)
        op = self.definer.get(shape)
        if op is None or op.name != "pack":
            return None
        dims: tuple = ()
        for element in op.operands:
            inner = self._dims(element)
            if inner is None or element.type != INT:
                return None
            dims += inner
        return dims

    def slot(self, op: Op) -> Shape | None:
        """The shape of ``x[index]`` for a ``getitem`` or ``setitem`` op of an array ``x``."""
        x, index = op.operands[:2]
        return self._indexed(self.shapes.get(x), index) if x.type in ARRAYS else None

    def indexed(self, x: Value, index: Value) -> Shape | None:
        """The shape of ``x[index]`` (or of the place ``x[index] = v`` writes), if known."""
        return self._indexed(self.shapes.get(x), index) if x.type in ARRAYS else None

    def by_ints(self, index: Value) -> bool:
        """True for an index of ints only (``x[i]``, ``x[i, j]``), which reads a number
        (not a 0-d array) from an array of that many dimensions."""
        parts = self._index_parts(index)
        return parts is not None and all(part == 0 for part in parts)

    def _indexed(self, shape: Shape | None, index: Value) -> Shape | None:
        """The shape of ``x[index]`` for an index of numbers, slices with
        constant bounds, and ``None``."""
        parts = self._index_parts(index)
        if shape is None or parts is None:
            return None
        dims: list = []
        for part in parts:
            if part is None:
                dims.append(1)
                continue
            split = shape.split()
            if split is None:
                return None
            first, shape = split
            if isinstance(part, slice):
                sliced = _sliced(first, part)
                if sliced is None:
                    return None
                dims.append(sliced)
        return Shape(tuple(dims) + shape.dims, shape.tail)

    def _index_parts(self, index: Value) -> list | None:
        """``index`` as a list of ``0`` (a number), slices and None, if it is that simple."""
        if index.type == "int":
            return [0]
        op = self.definer.get(index)
        if op is None:
            return None
        if op.name == "const":
            return [None] if op.attrs["value"] is None else None
        if op.name == "slice":
            bounds = [v.constant for v in op.operands]
            if all(b is None or isinstance(b, int) for b in bounds):
                return [slice(*bounds)]
            return None
        if op.name == "pack":
            parts: list = []
            for element in op.operands:
                inner = self._index_parts(element)
                if inner is None:
                    return None
                parts += inner
            return parts
        return None


def _broadcast(operands: list[Shape | None]) -> Shape | None:
    """The shape of an elementwise result: the one non-scalar shape all operands share."""
    if any(s is None for s in operands):
        return None
    shaped = {s for s in operands if s != SCALAR}
    if len(shaped) > 1:
        return None
    return shaped.pop() if shaped else SCALAR


def _sliced(dim: Any, part: slice) -> Any:
    """The length of ``part`` of a dimension of length ``dim``, when it is ``dim`` minus a constant."""
    if part.step not in (None, 1):
        return None
    start = part.start or 0
    if start < 0 or (part.stop is not None and part.stop >= 0):
        return None
    cut = start - (part.stop or 0)
    if isinstance(dim, int):
        return max(dim - cut, 0)
    base, offset = dim
    return (base, offset - cut)
