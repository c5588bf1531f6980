"""Which parameters are scalars: the ones the function can only compute with as scalars.

Shapes are not part of s2sad's types, and a parameter without an annotation
could be a number or a NumPy array.  Treating a number as an array is always
correct (generated code sums adjoints back to each argument's shape at run
time); treating an array as a number is not.  So an unannotated parameter is
an array unless the function *requires* it to be a number: if it were an
array, some value that must be a number (an argument of a ``math`` function,
the test of an ``if``, the output of a gradient) would be an array too.
Elementwise operations propagate "is an array" from operands to results;
reductions and products (``np.sum``, ``np.dot``) do not.  A function that
uses no NumPy at all (no ``np.`` call, no indexing, no ``@``) is plain
scalar code: its parameters are numbers.  A value stored into one element of
an array of known rank (``y[i] = a * y[i - 1]`` with ``y = np.zeros(n)``) must
be a number too, where NumPy refuses anything else (see ``numbers``), unless
the store is inside an ``if``.
"""

from __future__ import annotations

from ..ir.core import ARRAYS, Function, Op, Value
from ..ir.operands import carried_args, loop_body, loop_bounds, loop_inits
from ..rules.registry import PRIMITIVES, SAME
from .numbers import STORES_ARE_NUMBERS
from .shapes import SCALAR, ShapeInference


def scalar_parameters(
    function: Function,
    scalar_output: bool,
    callee_scalars: dict[str, set[int]],
) -> set[int]:
    """Indices of the parameters of ``function`` that can only be scalars.

    ``scalar_output`` means the function's single output must be a number (it
    is differentiated by ``grad``); ``callee_scalars`` gives, for each helper
    it calls, the indices of that helper's scalar parameters.
    """
    required: set[Value] = set()
    spreads: dict[Value, list[Value]] = {}
    for op in function.walk():
        _constraints(op, required, spreads, callee_scalars)
    if STORES_ARE_NUMBERS:
        shapes = ShapeInference(function)
        required.update(
            op.operands[2]
            for op in _unconditional(function.body.ops)
            if op.name == "setitem" and shapes.slot(op) == SCALAR
        )
    if scalar_output:
        required.update(function.returned[:1])
    return {
        index
        for index, param in enumerate(function.params)
        if _reaches(param, required, spreads)
    }


MADE_LIKE = (
    "np.zeros_like",
    "np.ones_like",
    "np.empty_like",
    "np.full_like",
    "np.copy",
)
"""Ops making an array of their first operand's dtype (without ``dtype=``)."""


def float_array_parameters(function: Function) -> set[int]:
    """Indices of the unannotated array parameters an array is made like
    (``np.zeros_like(x)``, ``x.copy()``) in a function that writes into arrays:
    an integer array there would truncate the values written, which the
    derivative does not see, so only float arrays may be passed."""
    params = {
        p: k
        for k, p in enumerate(function.params)
        if p.hint in function.inferred and p.type in ARRAYS
    }
    made = {
        params[op.operands[0]]
        for op in function.walk()
        if op.name in MADE_LIKE
        and op.operands[0] in params
        and (len(op.operands) < 2 or op.operands[1].constant is None)
    }
    writes = any(op.name == "setitem" for op in function.walk())
    return made if writes else set()


def uses_arrays(function: Function, array_helpers: set[str]) -> bool:
    """True when ``function`` calls NumPy, indexes, or calls a helper in ``array_helpers``."""
    for op in function.walk():
        if op.name == "call" and op.attrs["callee"] in array_helpers:
            return True
        entry = PRIMITIVES.get(op.name)
        if op.name == "pack" or (entry is not None and entry.numpy):
            return True
    return False


def _unconditional(ops: list[Op]):
    """The ops of ``ops`` and of the loops among them, not those inside an ``if``:
    a store only some branch makes says nothing about the calls that skip it."""
    for op in ops:
        yield op
        if op.name in ("for", "while"):
            for region in op.regions:
                yield from _unconditional(region.ops)


def _constraints(
    op: Op,
    required: set[Value],
    spreads: dict[Value, list[Value]],
    callee_scalars: dict[str, set[int]],
) -> None:
    """Add what ``op`` says: operands that must be numbers, and which values
    are arrays whenever another one is."""

    def spread(source: Value, target: Value) -> None:
        spreads.setdefault(source, []).append(target)

    if op.name == "if":
        required.add(op.operands[0])
        for region in op.regions:
            for value, result in zip(region.terminator.operands, op.results):
                spread(value, result)
    elif op.name in ("for", "while"):
        inits = loop_inits(op)
        body = loop_body(op)
        yields = body.terminator.operands
        if op.name == "while":
            required.add(op.regions[0].terminator.operands[0])
        else:
            required.update(loop_bounds(op))
        for region in op.regions:
            for init, arg, result in zip(inits, carried_args(region, op), op.results):
                spread(init, arg)
                spread(arg, result)
        for value, arg in zip(yields, carried_args(body, op)):
            spread(value, arg)
    elif op.name == "call":
        scalars = callee_scalars.get(op.attrs["callee"], set())
        required.update(v for k, v in enumerate(op.operands) if k in scalars)
    elif op.name in PRIMITIVES:
        entry = PRIMITIVES[op.name]
        if entry.scalar_only:
            required.update(op.operands)
        elif entry.elementwise or entry.result_type == SAME:
            for operand in op.operands:
                for result in op.results:
                    spread(operand, result)


def _reaches(
    start: Value, required: set[Value], spreads: dict[Value, list[Value]]
) -> bool:
    seen, stack = {start}, [start]
    while stack:
        value = stack.pop()
        if value in required:
            return True
        for target in spreads.get(value, ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return False
