"""Checks the structural invariants of the IR; every pass's output is verified in tests."""

from __future__ import annotations

from ..ir.core import TERMINATORS, Block, Function, Op, Value
from ..ir.ops import ANY, CARRIED, OPS, OpDecl
from ..rules.registry import PRIMITIVES


class VerificationError(AssertionError):
    """The IR breaks an invariant (a compiler bug, never a user error)."""


def verify(function: Function) -> None:
    """Raise :class:`VerificationError` unless ``function`` is well formed.

    Checks: every value is defined exactly once and before each use (in its
    block or an enclosing one), the body ends with ``return`` and each region
    with ``yield``, terminators appear only at the end, primitive ops have the
    arity their rule declares, and structural ops the operands, results,
    regions, block arguments and yields their declaration (:mod:`s2sad.ir.ops`)
    calls for, and a tape record pushed and popped in this function has as
    many entries each way.
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
    decl = OPS.get(op.name)
    if decl is not None:
        _declared_shape(op, decl, where)
        return
    if op.regions:
        raise VerificationError(f"{where}: only if/for/while ops have regions")
    entry = PRIMITIVES.get(op.name)
    if entry is None:
        raise VerificationError(f"{where}: unknown op")
    _count(where, "operands", len(op.operands), (len(entry.args), len(entry.args)))
    _count(where, "results", len(op.results), (1, 1))


def _declared_shape(op: Op, decl: OpDecl, where: str) -> None:
    carried = len(op.results)
    rest = _range(decl.rest_count, carried)
    fixed = len(decl.operands)
    _count(where, "operands", len(op.operands), (fixed + rest[0], fixed + rest[1]))
    if decl.results != CARRIED:
        _count(where, "results", len(op.results), _range(decl.results, carried))
    if not decl.regions and op.regions:
        raise VerificationError(f"{where}: only if/for/while ops have regions")
    if decl.regions and len(op.regions) != len(decl.regions):
        raise VerificationError(
            f"{where}: expected {len(decl.regions)} regions, got {len(op.regions)}"
        )
    for index, (region, shape) in enumerate(zip(op.regions, decl.regions)):
        args = len(shape.args) + (carried if shape.carried else 0)
        yields = carried if shape.yields == CARRIED else shape.yields
        term = region.terminator
        got = len(term.operands) if term is not None else None
        if len(region.args) != args or got not in (None, yields):
            raise VerificationError(
                f"{where}: region {index} takes {len(region.args)} arguments and yields "
                f"{got}; expected {args} and {yields}"
            )


def _range(count: str | int | tuple[int, int], carried: int) -> tuple[int, float]:
    """The least and most a declared count allows."""
    if count == ANY:
        return 0, float("inf")
    if count == CARRIED:
        return carried, carried
    if isinstance(count, tuple):
        return count
    return count, count


def _count(where: str, what: str, got: int, allowed: tuple[int, float]) -> None:
    least, most = allowed
    if not least <= got <= most:
        expected = least if least == most else f"{least} to {most}"
        raise VerificationError(f"{where}: expected {expected} {what}, got {got}")
