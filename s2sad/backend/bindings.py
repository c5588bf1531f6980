"""Which value each variable holds, at every point of a function's emitted code.

The emitter lets several SSA values share one Python variable: a loop's
carried value, its result and the value yielded into it; an array and the
result of writing into it in place.  Sharing is right only where no statement
reads a value after another value was written into its variable.
:func:`first_conflict` runs through the statements the emitter will write, in
their order — both arms of every ``if``, every loop body twice (so that a read
of a variable that a later statement of the previous iteration overwrote
shows), the code after a loop as after zero or more iterations — and returns
the first read that would see another value than the one the IR means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..ir.core import Block, Function, Op, Value

Holding = Value | frozenset
"""What a variable holds: one value, or (after a branch or loop) any of several."""


@dataclass(frozen=True)
class Conflict:
    """A read of ``value`` from ``variable``, which holds ``found`` there."""

    value: Value
    variable: str
    found: tuple[Value, ...]
    """The values the variable may hold at the read (none: never assigned)."""


class _Stop(Exception):
    def __init__(self, conflict: Conflict):
        self.conflict = conflict


class _Run:
    def __init__(
        self,
        function: Function,
        name: Callable[[Value], str],
        inlinable: Callable[[Block], set[Value]],
        at_each_use: Callable[[Op], bool],
    ):
        self.name = name
        self.inlinable = inlinable
        self.at_each_use = at_each_use
        self.definer = {r: op for op in function.walk() for r in op.results}
        self.inlined: set[Value] = set()
        self.inlinable_in: dict[int, set[Value]] = {}

    def read(self, value: Value, env: dict[str, Holding]) -> None:
        op = self.definer.get(value)
        if op is not None and (op.name == "const" or self.at_each_use(op)):
            self.reads(op.operands, env)
            return
        if value in self.inlined:
            self.reads(op.operands, env)
            return
        variable = self.name(value)
        held = env.get(variable)
        if held is not value:
            found = tuple(held) if isinstance(held, frozenset) else (held,)
            conflict = Conflict(value, variable, tuple(v for v in found if v))
            raise _Stop(conflict)

    def reads(self, values: Iterable[Value], env: dict[str, Holding]) -> None:
        for value in values:
            self.read(value, env)

    def write(self, values: Iterable[Value], env: dict[str, Holding]) -> None:
        for value in values:
            env[self.name(value)] = value

    def block(self, block: Block, env: dict[str, Holding]) -> None:
        inlinable = self.inlinable_in.get(id(block))
        if inlinable is None:
            inlinable = self.inlinable_in[id(block)] = self.inlinable(block)
            self.inlined |= inlinable
        for op in block.ops:
            if op.name == "yield":
                continue
            if op.name == "if":
                self.if_op(op, env)
            elif op.name == "for":
                self.for_op(op, env)
            elif op.name == "while":
                self.while_op(op, env)
            elif op.results and (op.name == "const" or self.at_each_use(op)):
                continue
            elif op.results and op.results[0] in inlinable:
                continue
            else:
                self.reads(op.operands, env)
                self.write(op.results, env)

    def yields(self, block: Block, targets: list[Value], env) -> None:
        """The parallel assignment that ends a region."""
        self.reads(block.terminator.operands, env)
        self.write(targets, env)

    def if_op(self, op: Op, env: dict[str, Holding]) -> None:
        self.read(op.operands[0], env)
        arms = []
        for region in op.regions:
            arm = dict(env)
            self.block(region, arm)
            self.yields(region, op.results, arm)
            arms.append(arm)
        env.clear()
        env.update(_merge(*arms))

    def for_op(self, op: Op, env: dict[str, Holding]) -> None:
        body = op.regions[0]
        counter, *carried = body.args
        self.reads(op.operands, env)
        self.write(carried, env)
        before = dict(env)
        for _ in range(2):
            self.write([counter], env)
            self.block(body, env)
            self.yields(body, carried, env)
        env.update(_merge(before, env))
        self.write(op.results, env)

    def while_op(self, op: Op, env: dict[str, Holding]) -> None:
        test, body = op.regions
        self.reads(op.operands, env)
        self.write(test.args, env)
        self._test(test, env)
        before = dict(env)
        for _ in range(2):
            self.write(body.args, env)
            self.block(body, env)
            self.yields(body, test.args, env)
            self._test(test, env)
        env.update(_merge(before, env))
        self.write(op.results, env)

    def _test(self, test: Block, env: dict[str, Holding]) -> None:
        self.block(test, env)
        self.reads(test.terminator.operands, env)
        self.reads(test.args, env)


def _merge(first: dict[str, Holding], *others: dict[str, Holding]):
    """What each variable may hold after paths ending in ``first`` or ``others``."""
    merged = dict(first)
    for env in others:
        for variable in merged.keys() - env.keys():
            merged[variable] = _either(merged[variable], None)
        for variable, held in env.items():
            if merged.get(variable, _ABSENT) is not held:
                merged[variable] = _either(merged.get(variable), held)
    return merged


_ABSENT = object()


def _either(a: Holding | None, b: Holding | None) -> frozenset:
    values = set()
    for held in (a, b):
        values |= held if isinstance(held, frozenset) else {held}
    return frozenset(values)


def first_conflict(
    function: Function,
    name: Callable[[Value], str],
    inlinable: Callable[[Block], set[Value]],
    at_each_use: Callable[[Op], bool],
) -> Conflict | None:
    """The first read in ``function``'s emitted code (variables named by
    ``name``; temporaries in ``inlinable(block)`` and ops ``at_each_use``
    written into the expression that reads them) that would find its variable
    holding another value; ``None`` when every read sees its own value."""
    run = _Run(function, name, inlinable, at_each_use)
    env: dict[str, Holding] = {}
    run.write(function.params, env)
    try:
        run.block(function.body, env)
    except _Stop as stop:
        return stop.conflict
    return None
