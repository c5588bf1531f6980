"""Cutting a function into a chain of stages, for its Jacobian chain.

A function whose body computes ``h = g1(x)``, then ``y = g2(h)`` from ``h``
alone (and values that do not depend on ``x``), is the chain ``y = g2(g1(x))``:
its Jacobian is the product of the stages' Jacobians.  :func:`cut_stages`
finds the cuts: the statements after which exactly one value that depends on
``x``, one the source names, is still needed, and makes each stage a function
of its own (its input, then the parameters it reads), whose ops are those of
the stage and the ops not depending on ``x`` that they read (computed again
in each stage that needs them).  A function with no such cut is one stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.core import (
    DIFFERENTIABLE,
    Builder,
    Function,
    Op,
    Value,
    new_function,
    walk_block,
)
from ..ir.module import Module, detached_copies
from ..ir.operands import has_effect, read_from_outside
from ..ir.ops import OUTPUT
from .activity import varied
from .rule_inline import clone_op


@dataclass
class StageFunction:
    """One stage: its IR function (its first parameter the stage's input), the
    name of the value it computes and the indices of the parameters of the
    whole function it reads after its input."""

    function: Function
    name: str
    reads: list[int]


def cut_stages(function: Function, wrt: int) -> list[StageFunction]:
    """The stages of ``function`` along its parameter ``wrt`` (see the module
    docstring), each in a module with copies of ``function``'s helpers."""
    ops = function.body.ops[:-1]
    (output,) = function.returned
    x = function.params[wrt]
    active = varied(function, [x])
    reads = [set(read_from_outside([op])) for op in ops]
    last = _last_uses(ops, reads, output)
    defined = {v: k for k, op in enumerate(ops) for v in op.results}
    printing = _printing(function.callees)
    effects = {k for k, op in enumerate(ops) if _effectful(op, printing)}
    cuts = _cuts(ops, active, defined, last, x, output, effects)
    while True:
        stages = []
        names = _names(cuts[1:])
        for k, (start, end) in enumerate(zip(cuts, cuts[1:])):
            first = defined.get(start, -1) + 1
            after = len(ops) if k == len(cuts) - 2 else defined[end] + 1
            members = [
                i for i in range(first, after) if _moves(i, ops, active, effects)
            ]
            stage = _stage(
                function, ops, reads, members, (start, end), names[k], active, effects
            )
            if stage is None:
                del cuts[k]
                break
            stages.append(stage)
        else:
            return stages


def _names(values: list[Value]) -> list[str]:
    """The source name of each value, numbered from its second stage on (``h``,
    ``h_2``: a name the source assigns twice)."""
    names: list[str] = []
    for value in values:
        name, count = value.hint, 2
        while name in names:
            name, count = f"{value.hint}_{count}", count + 1
        names.append(name)
    return names


def _last_uses(ops: list[Op], reads: list[set[Value]], output: Value) -> dict:
    """The index of the last op reading each value (``len(ops)``: returned)."""
    last: dict[Value, int] = {}
    for k, values in enumerate(reads):
        for v in values:
            last[v] = k
    last[output] = len(ops)
    return last


def _moves(i: int, ops: list[Op], active: set[Value], effects: set[int]) -> bool:
    """Op ``i`` belongs to one stage: it depends on ``x``, or has an effect (at
    ``effects``)."""
    return i in effects or any(r in active for r in ops[i].results)


def _effectful(op: Op, printing: set[str]) -> bool:
    """``op`` prints or asserts: itself, in its regions or in a helper it calls
    (one of ``printing``)."""
    for inner in [op, *(o for region in op.regions for o in walk_block(region))]:
        if has_effect(inner, OUTPUT):
            return True
        if inner.name == "call" and inner.attrs["callee"] in printing:
            return True
    return False


def _printing(helpers: list[Function]) -> set[str]:
    """The names of the ``helpers`` that print or assert, or call one that does."""
    printing: set[str] = set()
    while True:
        found = {
            f.name for f in helpers if any(_effectful(o, printing) for o in f.walk())
        }
        if found == printing:
            return printing
        printing = found


def _cuts(
    ops: list[Op],
    active: set[Value],
    defined: dict[Value, int],
    last: dict[Value, int],
    x: Value,
    output: Value,
    effects: set[int],
) -> list[Value]:
    """``x``, the values that are the only ones depending on ``x`` still needed
    after the statement defining them, and ``output``."""
    cuts = [x]
    for k, op in enumerate(ops):
        live = [v for v in active if defined.get(v, -1) <= k and last.get(v, -1) > k]
        if len(live) != 1 or live[0] in cuts or live[0] is output:
            continue
        (value,) = live
        moved = any(_moves(i, ops, active, effects) for i in range(k + 1, len(ops)))
        if (
            defined.get(value) == k
            and not value.is_temporary
            and value.type in DIFFERENTIABLE
            and moved
        ):
            cuts.append(value)
    return cuts + [output]


def _stage(
    function: Function,
    ops: list[Op],
    reads: list[set[Value]],
    members: list[int],
    ends: tuple[Value, Value],
    name: str,
    active: set[Value],
    effects: set[int],
) -> StageFunction | None:
    """The stage ``name`` computing ``end`` from ``start`` (``ends``) with the ops
    at ``members``;
    None where they would read a value depending on ``x`` other than ``start``
    (``len(x)`` read again after a cut), or one an op with an effect of another
    stage computes (it would print again): the cut before it does not hold."""
    start, end = ends
    defined = {v: k for k, op in enumerate(ops) for v in op.results}
    needed = set(members)
    if end in defined:
        needed.add(defined[end])
    for i in sorted(needed):
        _add_inputs(i, ops, reads, defined, active, needed)
    if (needed - set(members)) & effects:
        return None
    taken = sorted(needed)
    params = function.params
    inside = {v for i in taken for v in ops[i].results}
    free = set().union(*(reads[i] for i in taken), {end}) - inside - {start}
    if any(v in active for v in free):
        return None
    const_params = [k for k, p in enumerate(params) if p in free]
    stage = new_function(
        _stage_name(function, name),
        [(start.hint, start.type)]
        + [(params[k].hint, params[k].type) for k in const_params],
        file=function.file,
        line=function.line,
    )
    mapping = {start: stage.params[0]}
    mapping.update(zip((params[k] for k in const_params), stage.params[1:]))
    builder = Builder(stage)
    for i in taken:
        clone_op(builder, ops[i], mapping)
    builder.ret([mapping[end]])
    stage.doc = f"The stage of {function.name} computing {end.hint} from {start.hint}."
    Module([stage, *detached_copies(function.callees)])
    return StageFunction(stage, name, const_params)


def _add_inputs(
    i: int,
    ops: list[Op],
    reads: list[set[Value]],
    defined: dict[Value, int],
    active: set[Value],
    needed: set[int],
) -> None:
    """Add to ``needed`` the ops not depending on ``x`` that op ``i`` reads, and theirs."""
    for v in reads[i]:
        k = defined.get(v)
        if k is not None and k not in needed and v not in active:
            needed.add(k)
            _add_inputs(k, ops, reads, defined, active, needed)


def _stage_name(function: Function, name: str) -> str:
    """``<function>_<name>``, not the name of a helper of its module."""
    made = f"{function.name}_{name}"
    taken = {f.name for f in function.callees}
    while made in taken:
        made += "_"
    return made
