"""Numbers typed as arrays: elements of arrays of known rank, and values stored into one element.

The frontend types a value as an array whenever it may be one: ``y[i - 1]`` is
an array for all it knows about ``y``.  Where the shape pass shows that ``y``
is one-dimensional (``y = np.zeros(n)``, written element by element in a
loop), ``y[i - 1]`` is a number, and so is what elementwise operations make of
it.  Retyping such values lets the derivative passes treat them as numbers:
no ``runtime.unbroadcast`` of their adjoints and no shape carriers on the
tape, which inside an element-by-element loop cost more than the loop itself.

NumPy (from 2.4) also refuses to store an array of one or more dimensions
into a single element: in ``y[i] = a * y[i - 1] + x[i]`` the value stored is
a number, and so are ``x[i]`` and ``a * y[i - 1]``, the elementwise operands it
is made of.  Only values computed in the same block as the store are retyped
so: the store runs whenever they are computed.  (Older NumPy only warns, so
there the stored value may be a one-element array and nothing is inferred.)
"""

from __future__ import annotations

import numpy as np

from ..ir.core import ARRAYS, Block, Function, Op, Value, element_type
from ..ir.operands import carried_args, loop_body, loop_init
from ..rules.registry import PRIMITIVES
from .shapes import SCALAR, Shape, ShapeInference

STORES_ARE_NUMBERS = np.lib.NumpyVersion(np.__version__) >= "2.4.0"
"""Whether NumPy refuses ``y[i] = v`` for a ``v`` of one or more dimensions and a
one-dimensional ``y`` (a DeprecationWarning before 2.4), so ``v`` is a number."""


def refine_numbers(function: Function) -> None:
    """Retype, in place, the array-typed values of ``function`` that can only be numbers."""
    if STORES_ARE_NUMBERS:
        _retype(_stored(function, ShapeInference(function)))
    while True:
        shapes = ShapeInference(function)
        found = {
            v
            for op in function.walk()
            if _makes_number(op, shapes)
            for v in op.results
            if v.type in ARRAYS and shapes.shapes.get(v) == SCALAR
        }
        found |= _carried(function, shapes.shapes)
        if not found:
            return
        _retype(found)


def _retype(values: set[Value]) -> None:
    for value in values:
        value.type = element_type(value.type)


def _makes_number(op: Op, shapes: ShapeInference) -> bool:
    """True when ``op`` gives a NumPy scalar (not a 0-d array) for number operands:
    an element read by ints, or an elementwise operation."""
    if op.name == "getitem":
        return op.operands[0].type in ARRAYS and shapes.by_ints(op.operands[1])
    entry = PRIMITIVES.get(op.name)
    return entry is not None and entry.elementwise and op.name != "np.where"


def _stored(function: Function, shapes: ShapeInference) -> set[Value]:
    """The values stored into one element of an array of known rank, and the
    elementwise operands they are made of, computed in the same block."""
    found: set[Value] = set()
    written = {op.operands[0] for op in function.walk() if op.name == "setitem"}
    for block in _blocks(function.body):
        definer = {r: op for op in block.ops for r in op.results}
        for op in block.ops:
            if op.name != "setitem" or shapes.slot(op) != SCALAR:
                continue
            work = [op.operands[2]]
            while work:
                value = work.pop()
                made = definer.get(value)
                if made is None or value in found or value in written:
                    continue
                if not _makes_number(made, shapes) or value.type not in ARRAYS:
                    continue
                found.add(value)
                if made.name != "getitem":
                    work.extend(made.operands)
    return found


def _carried(function: Function, shapes: dict[Value, Shape]) -> set[Value]:
    """Loop-carried values and ``if`` results typed as arrays whose every source
    (initial value and yields, or both branches' yields) is a number."""
    found: set[Value] = set()
    for op in function.walk():
        count = len(op.results) if op.name in ("for", "while", "if") else 0
        for k in range(count):
            result = op.results[k]
            if result.type not in ARRAYS or shapes.get(result) != SCALAR:
                continue
            if op.name == "if":
                sources = [r.terminator.operands[k] for r in op.regions]
                args = []
            else:
                sources = [loop_body(op).terminator.operands[k], loop_init(op, k)]
                args = [carried_args(r, op)[k] for r in op.regions]
            if all(v.type not in ARRAYS for v in sources):
                found.update([result, *args])
    return found


def _blocks(block: Block):
    yield block
    for op in block.ops:
        for region in op.regions:
            yield from _blocks(region)
