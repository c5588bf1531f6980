"""Checks the structural invariants of the IR; every pass's output is verified in tests."""

from __future__ import annotations

from .ir import TERMINATORS, Block, Function, Op, Value
from .primitives import PRIMITIVES

STRUCTURAL_ARITY = {
    "const": (0, 1),
    "tape": (0, 1),
    "push": (None, 0),
    "pop": (1, None),
    "call": (None, None),
    "unpack": (1, None),
    "pack": (None, 1),
    "print": (None, 0),
    "assert": (None, 0),
}


class VerificationError(AssertionError):
    """The IR breaks an invariant (a compiler bug, never a user error)."""


def verify(function: Function) -> None:
    """Raise :class:`VerificationError` unless ``function`` is well formed.

    Checks: every value is defined exactly once and before each use (in its
    block or an enclosing one), the body ends with ``return`` and each region
    with ``yield``, terminators appear only at the end, primitive ops have the
    arity their rule declares, and ``if``/``for``/``while`` ops have the
    regions, block arguments and yields their results call for, and a tape
    record pushed and popped in this function has as many entries each way.
    """
    defined: set[Value] = set()
    _block(function, function.body, [set()], defined, "return")
    _records(function)


def _records(function: Function) -> None:
    """Each tape record is pushed once, and popped as many entries as were pushed
    (a forward pass over reverse mode adds tangent entries to both)."""
    pushed: dict = {}
    for op in function.walk():
        if op.name == "push":
            record = op.attrs.get("record")
            if record in pushed:
                raise VerificationError(
                    f"{function.name}: tape record {record!r} pushed twice"
                )
            pushed[record] = len(op.operands) - 1
    for op in function.walk():
        if op.name == "pop" and op.attrs.get("record") in pushed:
            count = pushed[op.attrs["record"]]
            if len(op.results) != count:
                raise VerificationError(
                    f"{function.name}: tape record {op.attrs['record']!r} pushes "
                    f"{count} entries but pops {len(op.results)}"
                )


def _define(value: Value, scope: set[Value], defined: set[Value], where: str) -> None:
    if value in defined:
        raise VerificationError(f"{where}: value {value.name} defined twice")
    defined.add(value)
    scope.add(value)


def _block(
    function: Function,
    block: Block,
    scopes: list[set[Value]],
    defined: set[Value],
    end: str,
) -> None:
    scope = scopes[-1]
    for arg in block.args:
        _define(arg, scope, defined, f"{function.name}: block argument")
    for index, op in enumerate(block.ops):
        where = f"{function.name}: op {op.name}"
        for operand in op.operands:
            if not any(operand in s for s in scopes):
                raise VerificationError(
                    f"{where}: operand {operand.name} used before definition"
                )
        is_last = index == len(block.ops) - 1
        if op.name in TERMINATORS and (not is_last or op.name != end):
            raise VerificationError(
                f"{where}: misplaced terminator (expected {end} at block end)"
            )
        _arity(op, where)
        for region in op.regions:
            _block(function, region, scopes + [set()], defined, "yield")
        for result in op.results:
            _define(result, scope, defined, where)
    if not block.ops or block.ops[-1].name != end:
        raise VerificationError(f"{function.name}: block does not end with {end}")


def _arity(op: Op, where: str) -> None:
    if op.name in TERMINATORS:
        return
    if op.name in REGION_SHAPES:
        _region_shape(op, where)
        return
    if op.regions:
        raise VerificationError(f"{where}: only if/for/while ops have regions")
    if op.name in STRUCTURAL_ARITY:
        n_in, n_out = STRUCTURAL_ARITY[op.name]
    elif op.name in PRIMITIVES:
        n_in, n_out = len(PRIMITIVES[op.name].args), 1
    else:
        raise VerificationError(f"{where}: unknown op")
    if n_in is not None and len(op.operands) != n_in:
        raise VerificationError(
            f"{where}: expected {n_in} operands, got {len(op.operands)}"
        )
    if n_out is not None and len(op.results) != n_out:
        raise VerificationError(
            f"{where}: expected {n_out} results, got {len(op.results)}"
        )


def _if_shape(op: Op) -> tuple[int, list[tuple[int, int]]]:
    return 1, [(0, len(op.results)), (0, len(op.results))]


def _for_shape(op: Op) -> tuple[int, list[tuple[int, int]]]:
    carried = len(op.results)
    return 3 + carried, [(1 + carried, carried)]


def _while_shape(op: Op) -> tuple[int, list[tuple[int, int]]]:
    carried = len(op.results)
    return carried, [(carried, 1), (carried, carried)]


REGION_SHAPES = {"if": _if_shape, "for": _for_shape, "while": _while_shape}
"""For each structured op: its operand count and, per region, (block arguments, yielded values)."""


def _region_shape(op: Op, where: str) -> None:
    operands, regions = REGION_SHAPES[op.name](op)
    if len(op.operands) != operands:
        raise VerificationError(
            f"{where}: expected {operands} operands, got {len(op.operands)}"
        )
    if len(op.regions) != len(regions):
        raise VerificationError(
            f"{where}: expected {len(regions)} regions, got {len(op.regions)}"
        )
    for index, (region, (args, yields)) in enumerate(zip(op.regions, regions)):
        term = region.terminator
        got = len(term.operands) if term is not None else None
        if len(region.args) != args or got not in (None, yields):
            raise VerificationError(
                f"{where}: region {index} takes {len(region.args)} arguments and yields "
                f"{got}; expected {args} and {yields}"
            )
