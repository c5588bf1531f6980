"""Forward mode: every active value ``v`` gets a tangent ``v_dot`` computed right after it.

``f(x, y) -> out`` becomes ``f_jvp(x, y, x_dot, y_dot) -> (out, out_dot)``: the
chain rule v̇ = Σ ∂v/∂u · u̇ applied op by op, each op's tangent rule inlined
from the rule table.

Over a reverse-mode function (a Hessian-vector product is forward mode over
a gradient) the tape has no tangent of its own: a ``push`` of active values
also pushes their tangents, as extra entries of the same record after the
primal ones, and the matching ``pop`` gets them back as extra results.  A
record pushed in one function and popped in another (the two sweeps of a
helper's ``vjp``) carries the tangents of all its entries, so that both
functions agree without seeing each other.  The tangent of a
residual tuple is the tuple of its values' tangents.  The reversal of a
checkpointed loop becomes one carrying tangents: the same schedule run on the
jvps of the loop's step and of its two sweeps (``runtime.checkpointed_loop_jvp``).
Forward mode refuses any op it does not know.
"""

from __future__ import annotations

from typing import Any

from ..analysis.sequences import refine_sequences
from ..errors import DifferentiationError
from ..ir.core import (
    ARRAY,
    RESIDUALS,
    SEQ,
    TAPE,
    TEMPORARY,
    Block,
    Builder,
    Function,
    Op,
    Value,
    is_array,
    new_function,
)
from ..ir.module import derived_name, reversal_callees
from ..ir.ops import (
    CHECKPOINTED_LOOP,
    CHECKPOINTED_REVERSALS,
    CONDITION,
    OPS,
    OUTPUT,
    TANGENTS,
)
from ..ir.operands import carried_args, loop_inits, reversal_parts
from ..rules.registry import PRIMITIVES, Primitive
from .activity import DIFFERENTIABLE_TYPES, pops_by_record, pushes_by_record, varied
from .rule_inline import clone_op, inline_rule, rename
from .simplify import TANGENT_OF


def forward(
    function: Function,
    wrt: list[int],
    name: str | None = None,
    callee_wrt: dict[str, list[int]] | None = None,
) -> Function:
    """The tangent function of ``function`` for the parameters at indices ``wrt``.

    Its parameters are the primal ones followed by one tangent per ``wrt``
    parameter (ignored for ``int`` and ``bool`` parameters, which have none);
    a call of ``h`` becomes a call of ``h_jvp``, passed the tangents of the
    parameters ``callee_wrt[h]`` lists (all of them where it has no entry);
    it returns ``(outputs, output tangents)``, each group a single value when
    the function has one output, else a tuple; a function that groups what it
    returns (a generated one) returns its values grouped so, then its
    tangents grouped alike, as calls to it expect.  Control flow keeps its shape:
    an ``if`` also yields the tangents of its active results, a loop also
    carries the tangents of its active carried values.
    """
    params = function.params
    seeds = [params[i] for i in wrt]
    new = new_function(
        name or derived_name(function.name, "jvp"),
        [(p.name, p.type) for p in params] + [(f"{p.name}_dot", p.type) for p in seeds],
        reserved=set(function.names.taken) | function.names.reserved,
        file=function.file,
    )
    builder = Builder(new)
    mapping = {old: new_p for old, new_p in zip(params, new.params)}
    tangents = {
        p: t
        for p, t in zip(seeds, new.params[len(params) :])
        if p.type in DIFFERENTIABLE_TYPES
    }
    active = varied(function, seeds)
    records = _records_with_tangents(function, active)
    sweep = _TangentSweep(
        builder, mapping, tangents, active, records, function, callee_wrt or {}
    )
    sweep.ops(function.body.ops[:-1])
    outputs = function.returned
    primal_out = [mapping[v] for v in outputs]
    tangent_out = [sweep.tangent(v, dense=True) for v in outputs]
    group = None if len(outputs) == 1 else len(outputs)
    layout = function.body.terminator.attrs.get("layout") or (group,)
    hints = [v.hint for v in outputs] + [v.hint and f"{v.hint}_dot" for v in outputs]
    attrs = {"layout": tuple(layout) * 2, "hints": tuple(hints)}
    builder.op("return", primal_out + tangent_out, [], attrs=attrs)
    new.doc = f"Value and tangent (forward mode) of {function.name}."
    refine_sequences(new)
    return new


def _records_with_tangents(function: Function, active: set[Value]) -> dict:
    """Per record of ``function``'s tapes, the positions of the entries whose
    tangents go with them: the active ones of a record pushed and popped here,
    every one of a record only pushed or only popped here (an integer's
    tangent is the number 0)."""
    pushes = pushes_by_record(function)
    pops = pops_by_record(function)
    records = {}
    for record in pushes.keys() | pops.keys():
        if record in pushes and record in pops:
            entries = pushes[record].operands[1:]
            records[record] = [k for k, v in enumerate(entries) if v in active]
        else:
            entries = (
                pushes[record].operands[1:]
                if record in pushes
                else pops[record].results
            )
            records[record] = list(range(len(entries)))
    return records


class _TangentSweep:
    """Copies ops into ``builder``, each active value followed by its tangent."""

    def __init__(
        self,
        builder: Builder,
        mapping: dict[Value, Value],
        tangents: dict[Value, Value],
        active: set[Value],
        records: dict[Any, list[int]],
        function: Function,
        callee_wrt: dict[str, list[int]],
    ):
        self.builder = builder
        self.mapping = mapping
        self.tangents = tangents
        self.active = active
        self.records = records
        self.function = function
        self.callee_wrt = callee_wrt
        self.carriers = {
            r for op in function.walk() if op.name == "shape_of" for r in op.results
        }

    def tangent(self, value: Value, dense: bool = False) -> Value:
        """The tangent of ``value``; where it has none, the number 0, or with
        ``dense`` zeros of its shape for an array (what an output, a loop-carried
        value or an argument written into needs): a ``shape_of`` carrier, zeros
        of its shape holding no data, is its own."""
        found = self.tangents.get(value)
        if found is not None:
            return found
        if value.type == RESIDUALS:
            raise _refused(
                self.function,
                None,
                f"the residual tuple {value.name} does not depend on the inputs here, "
                "and its zero tangent has no known shape",
                "differentiate with respect to the inputs the helper's arguments depend on",
            )
        if dense and value in self.carriers:
            return self.mapping[value]
        if dense and value.type in (ARRAY, SEQ):
            primal = self.mapping.get(value, value)
            return self.builder.op("zeros_like", [primal], [value.type]).result
        if dense and isinstance(value.constant, tuple):
            return self.builder.const(_zeros_of(value.constant))
        return self.builder.const(0.0)

    def ops(self, ops: list[Op]) -> None:
        """Copy ``ops`` with their tangents into the current block."""
        for op in ops:
            if op.regions:
                self.structured(op)
            elif op.name == "call" and CONDITION in op.attrs:
                clone_op(self.builder, op, self.mapping)
            elif op.name == "call":
                self.call(op)
            elif op.name == "pack":
                self.pack(op)
            elif op.name == "push":
                self.push(op)
            elif op.name == "pop":
                self.pop(op)
            elif op.name == "unpack":
                self.unpack(op)
            elif op.name in PRIMITIVES:
                self.primitive(op)
            elif op.name in PASSIVE:
                clone_op(self.builder, op, self.mapping)
            elif op.name in CHECKPOINTED_REVERSALS:
                self.reversal(op)
            else:
                raise _refused(
                    self.function,
                    op,
                    f"it has an op {op.name!r}",
                    "this is a bug in s2sad: please report it with the function",
                )

    def push(self, op: Op) -> None:
        """``push(tape, a, b)`` also pushes the tangents of the active entries:
        ``push(tape, a, b, a_dot, b_dot)``, one record as before."""
        entries = op.operands[1:]
        tangents = [
            self.tangent(entries[k], dense=True)
            for k in self.records[op.attrs["record"]]
        ]
        copy = clone_op(self.builder, op, self.mapping)
        copy.operands += tangents

    def pop(self, op: Op) -> None:
        """``a, b = pop(tape)`` also pops the tangents its push pushed:
        ``a, b, a_dot, b_dot = pop(tape)``.  A record pushed by another
        function (a backward sweep's tape, from its residuals) has none: its
        values do not depend on the parameters differentiated here."""
        copy = clone_op(self.builder, op, self.mapping)
        for k in self.records.get(op.attrs["record"], []):
            tangent = self.tangent_value(op.results[k])
            copy.results.append(tangent)
            if op.results[k] in self.active:
                self.tangents[op.results[k]] = tangent

    def unpack(self, op: Op) -> None:
        """``a, b = residuals`` also unpacks their tangents,
        ``a_dot, b_dot = residuals_dot``, when the tuple is varied."""
        clone_op(self.builder, op, self.mapping)
        if op.operands[0] not in self.active:
            return
        tangents = [self.tangent_value(r) for r in op.results]
        self.builder.block.ops.append(
            Op("unpack", [self.tangent(op.operands[0])], tangents, {}, [], op.loc)
        )
        for result, tangent in zip(op.results, tangents):
            if result in self.active and result.type != TAPE:
                self.tangents[result] = tangent

    def pack(self, op: Op) -> None:
        """``(a, b)``: its tangent is ``(a_dot, b_dot)``, zeros of their shapes where
        inactive; a residual tuple always has one (what it holds may be varied
        where the tuple is unpacked)."""
        copy = clone_op(self.builder, op, self.mapping)
        if op.result not in self.active and op.result.type != RESIDUALS:
            return
        tangents = [self.tangent(v, dense=True) for v in op.operands]
        hint = TEMPORARY if op.result.is_temporary else f"{op.result.hint}_dot"
        self.tangents[op.result] = self.builder.op(
            "pack", tangents, [copy.result.type], hints=[hint], attrs=dict(op.attrs)
        ).result

    def primitive(self, op: Op) -> None:
        copy = clone_op(self.builder, op, self.mapping)
        result = op.results[0] if op.results else None
        if result is None or result not in self.active:
            return
        entry = PRIMITIVES[op.name]
        bindings = {arg: v for arg, v in zip(entry.args, copy.operands)}
        bindings["out"] = copy.result
        for arg, operand in zip(entry.args, op.operands):
            if arg not in entry.nondiff:
                bindings[f"{arg}_dot"] = self.tangent(operand, arg in entry.dense)
        (tangent,), created = inline_rule(
            self.builder, entry, "tangent", bindings.__getitem__, loc=op.loc
        )
        if tangent in created and _may_broadcast(entry, op, self.active):
            last = next(
                o for o in reversed(self.builder.block.ops) if tangent in o.results
            )
            last.attrs = {**last.attrs, TANGENT_OF: copy.result}
            tangent.type = copy.result.type
        if tangent in created and not copy.result.is_temporary:
            rename(self.builder, tangent, f"{copy.result.hint}_dot")
        self.tangents[result] = tangent

    def call(self, op: Op) -> None:
        """``f(x)`` becomes ``f_jvp(x, x_dot)``: the values and their tangents,
        each half grouped as the call's results are."""
        count = len(op.results)
        callee = op.attrs["callee"]
        along = self.callee_wrt.get(callee, range(len(op.operands)))
        operands = [self.mapping[v] for v in op.operands]
        operands += [self.tangent(op.operands[k], dense=True) for k in along]
        results = [self.copy_value(r) for r in op.results]
        results += [self.tangent_value(r) for r in op.results]
        groups = tuple(op.attrs.get("groups") or (None if count == 1 else count,))
        attrs = {
            "callee": derived_name(callee, "jvp"),
            "groups": groups * 2,
        }
        self.builder.block.ops.append(Op("call", operands, results, attrs, [], op.loc))
        self.mapping.update(zip(op.results, results))
        self.tangents.update(zip(op.results, results[count:]))

    def reversal(self, op: Op) -> None:
        """The reversal of a checkpointed loop, also carrying tangents: the same
        schedule run on the jvps of the step and of its sweeps, given the
        tangents of the state, of the values read and of their adjoints
        (``runtime.checkpointed_loop_jvp``); it returns the adjoints, then
        their tangents."""
        if op.attrs.get(TANGENTS):
            raise _refused(
                self.function,
                op,
                "it follows a checkpointed loop's schedule with tangents already "
                "(a third derivative)",
                "write the loop without s2sad.checkpointed for derivatives of "
                "Hessian-vector products",
            )
        self._check_reversal_tangents(op)
        parts = reversal_parts(op)
        differentiated = [v for name in REVERSAL_VALUES for v in parts[name]]
        operands = [self.mapping[v] for v in op.operands]
        operands += [self.tangent(v, dense=True) for v in differentiated]
        results = [self.copy_value(r) for r in op.results]
        results += [self.tangent_value(r) for r in op.results]
        attrs = {**op.attrs, TANGENTS: True}
        self.builder.block.ops.append(Op(op.name, operands, results, attrs, [], op.loc))
        count = len(op.results)
        self.mapping.update(zip(op.results, results))
        self.tangents.update(zip(op.results, results[count:]))

    def _check_reversal_tangents(self, op: Op) -> None:
        """The jvps the tangent of ``op`` runs take tangents along every
        parameter but a ``for`` loop's counter, the backward sweep's along
        every one, as ``runtime.checkpointed_loop_jvp`` passes them."""
        parts = reversal_parts(op)
        first = 1 if op.name == CHECKPOINTED_LOOP else 0
        params = len(parts["state"]) + len(parts["read"])
        step, forward, backward = reversal_callees(op)[:3]
        wanted = {
            step: list(range(first, first + params)),
            forward: list(range(first, first + params)),
            backward: list(range(1 + params)),
        }
        for callee, along in wanted.items():
            if list(self.callee_wrt.get(callee, along)) != along:
                raise _refused(
                    self.function,
                    op,
                    f"{callee} has tangents along {self.callee_wrt[callee]}, "
                    f"not {along}",
                    "this is a bug in s2sad: please report it with the function",
                )

    def structured(self, op: Op) -> None:
        """``if``/``for``/``while``: the same op, also yielding or carrying tangents."""
        active = [k for k, r in enumerate(op.results) if r in self.active]
        inits = loop_inits(op)
        operands = [self.mapping[v] for v in op.operands]
        operands += [
            self.tangent(inits[k], dense=True) for k in active if op.name != "if"
        ]
        regions = [self.region(op, region, active) for region in op.regions]
        results = [self.copy_value(r) for r in op.results]
        results += [self.tangent_value(op.results[k]) for k in active]
        copy = Op(op.name, operands, results, dict(op.attrs), regions, op.loc, op.exact)
        self.builder.block.ops.append(copy)
        self.mapping.update(zip(op.results, results))
        for k, tangent in zip(active, results[len(op.results) :]):
            self.tangents[op.results[k]] = tangent

    def region(self, op: Op, region: Block, active: list[int]) -> Block:
        carried = carried_args(region, op)
        args = [self.copy_value(a) for a in region.args]
        self.mapping.update(zip(region.args, args))
        tangent_args = (
            [self.tangent_value(carried[k]) for k in active] if carried else []
        )
        self.tangents.update((carried[k], t) for k, t in zip(active, tangent_args))
        block = Block(args=args + tangent_args)
        outer, self.builder.block = self.builder.block, block
        self.ops(region.ops[:-1])
        yielded = region.terminator.operands
        values = [self.mapping[v] for v in yielded]
        is_test = op.name == "while" and region is op.regions[0]
        if not is_test:
            values += [self.tangent(yielded[k], dense=True) for k in active]
        self.builder.op("yield", values, [])
        self.builder.block = outer
        return block

    def copy_value(self, value: Value) -> Value:
        """A value of the new function with the same name as ``value``."""
        self.builder.function.names.taken.add(value.name)
        return value.copy()

    def tangent_value(self, value: Value) -> Value:
        """A fresh value to hold the tangent of ``value``."""
        hint = TEMPORARY if value.is_temporary else f"{value.hint}_dot"
        return self.builder.value(hint, value.type)


REVERSAL_VALUES = ("state", "read", "state_bar", "read_bar")
"""The operands of a checkpointed loop's reversal its tangent follows (not the
loop's bounds, nor what a ``while`` loop's condition reads)."""

PASSIVE = (
    "const",
    "tape",
    *(name for name, decl in OPS.items() if OUTPUT in decl.effects),
)
"""Ops forward mode copies as they are: constants, a new tape and the user's
``print`` and ``assert``."""


def _refused(
    function: Function, op: Op | None, why: str, hint: str
) -> DifferentiationError:
    """The error for a function forward mode cannot differentiate."""
    loc = op.loc if op is not None else None
    return DifferentiationError(
        f"forward mode cannot differentiate {function.name}: {why}",
        file=function.file,
        line=loc.line if loc else function.line,
        col=loc.col if loc else None,
        hint=hint,
    )


def _may_broadcast(entry: Primitive, op: Op, active: set[Value]) -> bool:
    """True for an elementwise op of two or more arrays, or of an array and a
    varied number: a part of its tangent (``x_dot`` of ``x + B``, ``a_dot`` of
    ``X + a``) may have a smaller shape than its result."""
    arrays = sum(is_array(v.type) for v in op.operands)
    number = any(not is_array(v.type) and v in active for v in op.operands)
    return entry.elementwise and is_array(op.result.type) and (arrays >= 2 or number)


def _zeros_of(constant: Any) -> Any:
    """Zeros nested as the constant tuple ``constant`` is: the tangent of a constant row
    in ``np.array([[x, y], (1.0, 2.0)])``."""
    if isinstance(constant, tuple):
        return tuple(_zeros_of(c) for c in constant)
    return 0.0
