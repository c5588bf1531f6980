"""Symbolic shapes: which values certainly have the same shape, without knowing any shape.

Generated code must work for every shape, so reverse mode sums adjoints back
to each argument's shape at run time (``runtime.unbroadcast``).  Often that is
provably a no-op: in ``x[1:] - x[:-1] ** 2`` both sides have shape
``(n - 1, ...)`` for whatever ``x`` is.  This pass finds such facts, and the
simplifier uses them to drop the reductions and broadcasts that cannot change
anything.

A shape is a tuple of leading dimensions and an optional unknown *tail*.  A
dimension is an ``int`` or ``(base, offset)``: the size ``base`` (dimension
``k`` of some value's tail) plus a constant.  An array whose shape the pass
cannot follow (a parameter, a product) is all tail, a tail of its own: it
equals only itself and what elementwise operations with numbers make of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..ir import ARRAYS, Function, Op, Value
from ..primitives import PRIMITIVES

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

SAME_SHAPE_AS_OPERAND = {
    "setitem": 0,
    "unbroadcast": 1,
    "unreduce": 1,
    "broadcast_like": 1,
    "zeros_like": 0,
    "add_at": 1,
    "getitem_adjoint": 1,
    "np.copy": 0,
}
"""Ops whose result has the shape of one operand (its index)."""


def infer_shapes(function: Function) -> dict[Value, Shape]:
    """The symbolic shape of every value of ``function`` the pass can follow."""
    return _Inference(function).shapes


class _Inference:
    def __init__(self, function: Function):
        self.definer = {r: op for op in function.walk() for r in op.results}
        self.shapes: dict[Value, Shape] = {}
        for param in function.params:
            self._set(param, None)
        for op in function.walk():
            for region in op.regions:
                for arg in region.args:
                    self._set(arg, None)
            inferred = self._result_shape(op) if len(op.results) == 1 else None
            for result in op.results:
                self._set(result, inferred)

    def _set(self, value: Value, shape: Shape | None) -> None:
        """Record ``shape`` for ``value``: a number's is ``()``; an array whose
        shape is not known gets a shape of its own, equal to no other."""
        if value.type in SCALAR_TYPES:
            self.shapes[value] = SCALAR
        elif shape is not None:
            self.shapes[value] = shape
        elif value.type in ARRAYS:
            self.shapes[value] = Shape((), (value, 0))

    def _result_shape(self, op: Op) -> Shape | None:
        if op.name == "const" or op.regions:
            return None
        if op.name in SAME_SHAPE_AS_OPERAND:
            return self.shapes.get(op.operands[SAME_SHAPE_AS_OPERAND[op.name]])
        entry = PRIMITIVES.get(op.name)
        if entry is None:
            return None
        if entry.elementwise:
            return _broadcast([self.shapes.get(v) for v in op.operands])
        if op.name == "getitem" and op.operands[0].type in ARRAYS:
            return self._indexed(self.shapes.get(op.operands[0]), op.operands[1])
        return None

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
