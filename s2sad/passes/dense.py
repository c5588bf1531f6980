"""Zeros of the right shape where a derivative simplified to the number 0."""

from __future__ import annotations

from ..ir.core import NOT_CONSTANT, TEMPORARY, Function, Op, Value, is_array


def dense_zeros(function: Function, first: int, primals: list[Value]) -> None:
    """Returned derivatives from the ``first`` on that simplified to the number 0
    (``np.floor``'s) become zeros shaped like their primal (in ``primals``, in
    order) when that primal is an array: the caller gets an array of the shape it expects.
    """
    term = function.body.terminator
    for k, primal in enumerate(primals, start=first):
        value = term.operands[k]
        if is_array(primal.type) and value.constant is not NOT_CONSTANT:
            result = Value(function.names.fresh(TEMPORARY), primal.type, TEMPORARY)
            zeros = Op("zeros_like", [primal], [result])
            function.body.ops.insert(len(function.body.ops) - 1, zeros)
            term.operands[k] = result
