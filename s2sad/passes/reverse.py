"""Reverse mode: a forward sweep computes the primal values, a reverse sweep accumulates adjoints.

Walking the ops backwards from ``out_bar``, each active op's adjoint rule adds
its contribution ``v̄ᵢ += v̄ⱼ · ∂vⱼ/∂vᵢ`` to its inputs' adjoints ``vᵢ_bar``.

Control flow keeps its shape.  The adjoint of an ``if`` is an ``if`` on the
same condition; the adjoint of a ``for`` loop is a loop over the reversed
range, carrying the adjoints of the loop-carried values and of the outer
values the body reads; a ``while`` loop counts its iterations so its adjoint
can run as many.  Primal values the reverse sweep reads from inside a region
(a branch or a loop body, which may run many times) are pushed on a tape at
the end of that region in the forward sweep and popped at the start of its
adjoint region: only the values the reverse sweep actually reads.

A function that keeps a tape itself (a gradient, differentiated again) is
reversed as any other: its pushes and pops are copied into the forward
sweep, and the reverse sweep sends the adjoints of popped values back to
the pushed ones through adjoint tapes (see :mod:`.tape_adjoint`).  A loop
that ran backwards is reversed into one that runs forwards.

The sweeps of a helper's ``vjp`` hand each other a residual tuple, and may hand
over a tape in it.  Reversed, the tuple's adjoint is the tuple of its values'
adjoints, and a tape's adjoint is its adjoint tape: the sweep that popped the
tape pushes the adjoints of what it popped on that adjoint tape, which goes
back in the tuple's adjoint to the sweep that pushed, where each push pops them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..analysis.sequences import refine_sequences
from ..errors import DifferentiationError
from ..ir.core import (
    ARRAY,
    BOOL,
    INT,
    OBJECT,
    SEQ,
    RESIDUALS,
    TAPE,
    TEMPORARY,
    Block,
    Builder,
    Function,
    Loc,
    Op,
    Value,
    is_array,
    new_function,
    walk_block,
    walk_ops,
)
from ..ir.module import derived_name
from ..ir.ops import (
    CHECKPOINT,
    CHECKPOINTED_LOOP,
    CHECKPOINTED_REVERSALS,
    CHECKPOINTED_SWEEP,
    CHECKPOINTED_WHILE,
    CONDITION,
    SWEEP,
)
from ..ir.operands import carried_args, loop_body, loop_bounds, loop_init
from ..rules.registry import PRIMITIVES
from .activity import varied
from .rule_inline import clone_op, inline_rule, rename, shape_only_params
from .tape_adjoint import renumber_records, tape_bound, tape_entries

RECOMPUTED = ("add", "sub", "mul", "neg")
"""Integer operations the reverse sweep recomputes rather than pops (see ``_recomputable``)."""

RECOMPUTE_DEPTH = 2
"""How many such operations deep a recomputed index may be (``2 * i + 1``)."""


@dataclass
class ReverseResult:
    """The reverse-mode function, the first op of its backward sweep (the ops
    before it form the forward sweep) and the primal's default values (for
    the forward sweep of ``vjp``)."""

    function: Function
    backward_start: Op
    primal_defaults: tuple
    wrt: list[int]
    """The indices of the parameters whose adjoints the function returns."""


def reverse(
    function: Function,
    wrt: list[int],
    *,
    seed: str = "param",
    layout: tuple[int | None, ...] | None = None,
    return_value: bool = False,
    name: str | None = None,
    callee_wrt: dict[str, list[int]] | None = None,
    keep_snapshots: bool = False,
) -> ReverseResult:
    """The adjoint function of ``function`` for the parameters at indices ``wrt``.

    ``seed="param"`` adds one cotangent parameter ``<out>_bar`` per output;
    ``seed="one"`` seeds the single output with 1.0 (a gradient).  The result
    returns the primal outputs first when ``return_value`` is set, then the
    adjoints of the ``wrt`` parameters, grouped by ``layout`` (see the backend).
    ``callee_wrt`` gives, per helper, the parameters its ``_vjp_bwd`` returns
    adjoints of (all of them by default).  With ``keep_snapshots``, the
    checkpointed loops of the function's top level run in the forward
    sweep by their schedule (``checkpointed_sweep``), whose snapshots their
    reversals resume from instead of running the loops again; a helper's
    loops do not, as a helper called in a loop would keep the snapshots of
    every call.
    """
    params = function.params
    outputs = function.returned
    cotangents = [(f"{_output_name(v, i)}_bar", v.type) for i, v in enumerate(outputs)]
    cotangents = cotangents if seed == "param" else []
    new = new_function(
        name or derived_name(function.name, "vjp"),
        [(p.name, p.type) for p in params] + cotangents,
        reserved=set(function.names.taken) | function.names.reserved,
        defaults=function.defaults if seed == "one" else (),
        file=function.file,
    )
    sweep = _AdjointSweep(function, new, [params[i] for i in wrt], callee_wrt or {})
    sweep.forward_sweep(keep_snapshots)
    forward_ops = len(new.body.ops)
    seeds = new.params[len(params) :] if seed == "param" else [_one(sweep, outputs[0])]
    for output, out_bar in zip(outputs, seeds):
        if output in sweep.active or output.type == RESIDUALS:
            sweep.accumulate(output, out_bar)
    sweep.reverse_ops(function.body.ops[:-1])
    sweep.restore_unused_sweeps()
    sweep.finish_adjoint_tapes(forward_ops)
    forward_ops += sweep.finish_tape()

    builder = sweep.builder
    returned = [sweep.mapping[v] for v in outputs] if return_value else []
    returned += [sweep.adjoint_or_zeros(params[i]) for i in wrt]
    hints = [v.hint for v in outputs] if return_value else []
    hints += [f"{params[i].name}_bar" for i in wrt]
    builder.op("return", returned, [], attrs={"layout": layout, "hints": tuple(hints)})
    backward_start = new.body.ops[forward_ops]
    refine_sequences(new)
    return ReverseResult(new, backward_start, function.defaults, list(wrt))


@dataclass
class _Region:
    """An original region being reversed: the primal values its adjoint reads
    (popped from the tape at its start) and the values it provides directly."""

    block: Block
    needed: list[Value] = field(default_factory=list)
    popped: dict[Value, Value] = field(default_factory=dict)
    provided: dict[Value, Value] = field(default_factory=dict)


class _AdjointSweep:
    """Builds the forward sweep, then the reverse sweep, of one function."""

    def __init__(
        self,
        function: Function,
        new: Function,
        wrt: list[Value],
        callee_wrt: dict[str, list[int]],
    ):
        self.function = function
        self.callee_wrt = callee_wrt
        self.builder = Builder(new)
        self.mapping: dict[Value, Value] = dict(zip(function.params, new.params))
        self.adjoints: dict[Value, Value] = {}
        self.active = varied(function, wrt)
        self.home = _defining_blocks(function.body)
        self.definers = {r: op for op in function.walk() for r in op.results}
        self.copies: dict[Block, Block] = {}
        self.iteration_counts: dict[Op, Value] = {}
        self.call_residuals: dict[Op, Value] = {}
        self.sweeps: dict[Op, Value] = {}
        self.unused_sweeps: dict[Op, tuple[Block, Op, Op]] = {}
        self.stack: list[_Region] = []
        self.shape_markers: dict[Value, Value] = {}
        self.pushes: list[tuple[int, Block, list[Value]]] = []
        self.tape: Value | None = None
        self.entries = tape_entries(function, self.active)
        self.tape_bound = tape_bound(function, self.entries)
        self.adjoint_tapes: dict[Value, Value] = {}
        self.adjoint_records: dict[Any, int] = {}
        self.next_record = 0
        self.loc: Loc | None = None
        """The source position of the op being reversed (its adjoint sums take it)."""

    # ------------------------------------------------------------ forward sweep

    def forward_sweep(self, keep_snapshots: bool) -> None:
        """Copy the primal ops; ``while`` loops also count their iterations
        (not checkpointed ones: their reversal runs them again); with
        ``keep_snapshots``, checkpointed loops of the top level run by their
        schedule (see :func:`reverse`)."""
        for op in self.function.body.ops[:-1]:
            clone_op(self.builder, op, self.mapping, self.copies)
        self.next_record = renumber_records(self.builder.function)
        for op in self.function.walk():
            if op.name == "while":
                if CHECKPOINT not in op.attrs and self._has_adjoint(op):
                    self._count_iterations(op)
            elif op.name == "call" and not (
                op.attrs.get(CHECKPOINT) or CONDITION in op.attrs
            ):
                self._keep_residuals(op)
        for op in self.function.body.ops if keep_snapshots else ():
            loop = op.name in ("for", "while") and CHECKPOINT in op.attrs
            if loop and op.results and self._has_adjoint(op):
                self._sweep(op)

    def _sweep(self, op: Op) -> None:
        """Run the copy of the checkpointed loop ``op`` by ``checkpointed_sweep``,
        which also returns what its reversal resumes from."""
        body, copy = _find_definer(
            self.builder.function.body, self.mapping[op.results[0]]
        )
        (call,) = loop_body(copy).ops[:-1]
        carried = len(copy.results)
        snapshots, schedule = copy.attrs[CHECKPOINT]
        attrs = {
            "step": call.attrs["callee"],
            "snapshots": snapshots,
            "schedule": schedule,
            "carried": carried,
        }
        if op.name == "for":
            operands = copy.operands + call.operands[1 + carried :]
        else:
            (test,) = copy.regions[0].ops[:-1]
            reads = call.operands[carried:]
            attrs.update(condition=test.attrs["callee"], read=len(reads))
            operands = copy.operands + reads + test.operands[carried:]
        kept = self._fresh(OBJECT, "sweep")
        sweep = Op(
            CHECKPOINTED_SWEEP, operands, copy.results + [kept], attrs, [], op.loc
        )
        body.ops[body.ops.index(copy)] = sweep
        self._register(op, kept, self.sweeps)
        self.unused_sweeps[op] = (body, sweep, copy)

    def restore_unused_sweeps(self) -> None:
        """Run the loops whose reversal no adjoint reached as they are."""
        for body, sweep, copy in self.unused_sweeps.values():
            body.ops[body.ops.index(sweep)] = copy

    def _count_iterations(self, op: Op) -> None:
        """Give the copy of a ``while`` op one more carried value: its iteration count."""
        parent, copy = _find_definer(
            self.builder.function.body, self.mapping[op.results[0]]
        )
        before, body = copy.regions
        zero = Op("const", [], [self._fresh(INT)], {"value": 0})
        zero.result.constant = 0
        parent.ops.insert(parent.ops.index(copy), zero)
        copy.operands.append(zero.result)
        before.args.append(self._fresh(INT, "iterations"))
        counter = self._fresh(INT, "iterations")
        body.args.append(counter)
        one = Op("const", [], [self._fresh(INT)], {"value": 1})
        one.result.constant = 1
        step = Op("add", [counter, one.result], [self._fresh(INT)])
        body.ops[-1:-1] = [one, step]
        body.terminator.operands.append(step.result)
        count = self._fresh(INT, "iterations")
        copy.results.append(count)
        self._register(op, count, self.iteration_counts)

    def _keep_residuals(self, op: Op) -> None:
        """The copy of a call runs the callee's forward sweep, which also returns its residuals."""
        _, copy = _find_definer(self.builder.function.body, self.mapping[op.results[0]])
        residuals = self._fresh(RESIDUALS, "residuals")
        copy.results.append(residuals)
        group = None if len(op.results) == 1 else len(op.results)
        copy.attrs = {
            "callee": derived_name(op.attrs["callee"], "vjp_fwd"),
            "groups": (group, None),
        }
        self._register(op, residuals, self.call_residuals)

    def _register(self, op: Op, value: Value, table: dict[Op, Value]) -> None:
        """Make a value the forward sweep adds readable by the reverse sweep, like a primal one."""
        marker = value.copy()
        self.home[marker] = self.home[op.results[0]]
        self.mapping[marker] = value
        table[op] = marker

    def _fresh(self, type: str, hint: str = TEMPORARY) -> Value:
        return self.builder.value(hint, type)

    # ------------------------------------------------------------ primal values in the reverse sweep

    def primal(self, value: Value) -> Value:
        """``value`` as the reverse sweep sees it: directly at the top level,
        from the tape inside a region, recomputed if it is a constant."""
        home = self.home.get(value, self.function.body)
        if home is self.function.body:
            return self.mapping[value]
        definer = self.definers.get(value)
        if definer is not None and definer.name == "const":
            return self.builder.const(definer.attrs["value"])
        region = next(r for r in reversed(self.stack) if r.block is home)
        if value in region.provided:
            return region.provided[value]
        if value not in region.popped and self._recomputable(value, RECOMPUTE_DEPTH):
            operands = [self.primal(v) for v in definer.operands]
            return self.builder.op(definer.name, operands, [INT]).result
        if value not in region.popped:
            region.popped[value] = self.builder.value(value.hint, value.type)
            region.needed.append(value)
        return region.popped[value]

    def _recomputable(self, value: Value, depth: int) -> bool:
        """True for integer arithmetic on loop counters, constants and values of
        the function's top level (``i - 1``): cheaper to recompute in the reverse
        sweep than to keep on the tape."""
        home = self.home.get(value, self.function.body)
        if home is self.function.body or any(value in r.provided for r in self.stack):
            return True
        definer = self.definers.get(value)
        if definer is None or definer.name == "const":
            return definer is not None
        return (
            depth > 0
            and definer.name in RECOMPUTED
            and value.type == INT
            and all(self._recomputable(v, depth - 1) for v in definer.operands)
        )

    def primal_shape(self, value: Value) -> Value:
        """Something with ``value``'s shape and dtype, for arguments read only for
        those: ``value`` itself where it can be read directly, else a
        ``runtime.shape_of`` carrier (no data), so the tape keeps no array for it."""
        home = self.home.get(value, self.function.body)
        if home is self.function.body or not is_array(value.type):
            return self.primal(value)
        region = next(r for r in reversed(self.stack) if r.block is home)
        if value in region.provided:
            return region.provided[value]
        if value in region.popped:
            return region.popped[value]
        if value not in self.shape_markers:
            carrier = Op("shape_of", [self.mapping[value]], [self._fresh(ARRAY)])
            _insert_after_definition(self.copies[home], carrier)
            marker = carrier.result.copy()
            self.home[marker] = home
            self.mapping[marker] = carrier.result
            self.shape_markers[value] = marker
        return self.primal(self.shape_markers[value])

    def _detached(self, block: Block, value: Value) -> Value:
        """What the forward sweep pushes for ``value``: the value, or a copy of
        it where it may be a view of an array a later write changes in place."""
        pushed = self.mapping[value]
        definer = next((op for op in block.ops if pushed in op.results), None)
        entry = PRIMITIVES.get(definer.name) if definer is not None else None
        if entry is None or not entry.view or not is_array(pushed.type):
            return pushed
        copy = Op("detach", [pushed], [self._fresh(pushed.type)])
        _insert_after_definition(block, copy)
        return copy.result

    def finish_tape(self) -> int:
        """Insert the tape and its pushes into the forward sweep; the number of ops added to it."""
        if self.tape is None:
            return 0
        for record, block, values in self.pushes:
            operands = [self.tape] + [self._detached(block, v) for v in values]
            push = Op("push", operands, [], {"record": record})
            block.ops.insert(len(block.ops) - 1, push)
            _push_early(block)
        self.builder.function.body.ops.insert(0, Op("tape", [], [self.tape]))
        return 1

    def finish_adjoint_tapes(self, at: int) -> None:
        """Create the adjoint tapes where the reverse sweep starts (op ``at``)."""
        body = self.builder.function.body
        body.ops[at:at] = [Op("tape", [], [t]) for t in self.adjoint_tapes.values()]

    def _record(self) -> int:
        """A record number no other push of the function has."""
        self.next_record += 1
        return self.next_record - 1

    def _has_adjoint(self, op: Op) -> bool:
        """Whether the reverse sweep must have an adjoint of ``if``/``for``/``while``
        ``op``: it has active results, or pushes or pops active values."""
        return any(r in self.active for r in op.results) or op in self.tape_bound

    # ------------------------------------------------------------ reverse sweep

    def accumulate(self, primal: Value, contribution: Value) -> None:
        """``primal_bar += contribution``, naming the sum ``<primal>_bar``.

        Adjoints of temporaries stay temporaries; the first adjoint of a named
        value takes the name ``<primal>_bar`` if it has none yet.
        """
        named = self.mapping.get(primal, primal)
        hint = TEMPORARY if named.is_temporary else f"{named.hint}_bar"
        previous = self.adjoints.get(primal)
        if previous is None:
            if contribution.is_temporary and hint != TEMPORARY:
                rename(self.builder, contribution, hint)
            self.adjoints[primal] = contribution
            return
        if primal.type == RESIDUALS and not self._holds_no_tape(primal):
            raise DifferentiationError(
                f"reverse mode cannot differentiate {self.function.name}: it reads "
                f"the residual tuple {primal.name} twice, and a tape it may hold "
                "cannot be read twice",
                file=self.function.file,
                line=self.function.line,
                hint="differentiate one order less through this helper, or write "
                "its loop into the caller",
            )
        add = "add_seq" if primal.type in (SEQ, RESIDUALS) else "add"
        total = self.builder.op(
            add, [previous, contribution], [primal.type], hints=[hint], loc=self.loc
        )
        self.adjoints[primal] = total.result

    def _holds_no_tape(self, residuals: Value) -> bool:
        """Whether the residual tuple ``residuals`` is packed here, of no tape."""
        definer = self.definers.get(residuals)
        return (
            definer is not None
            and definer.name == "pack"
            and all(v.type != TAPE for v in definer.operands)
        )

    def adjoint_or_zeros(self, primal: Value) -> Value:
        """The adjoint of ``primal``; zeros of its shape (the number 0 for a
        number) where it has none, for values that are returned or carried."""
        adjoint = self.adjoints.get(primal)
        if adjoint is not None:
            return adjoint
        if primal.type in (ARRAY, SEQ, RESIDUALS, TAPE):
            shape = self.primal_shape(primal)
            zeros = self.builder.op("zeros_like", [shape], [primal.type])
            return zeros.result
        return self.builder.const(0.0)

    def reverse_ops(self, ops: list[Op]) -> None:
        """The adjoints of ``ops``, last op first."""
        for op in reversed(ops):
            self.loc = op.loc
            if op.name == "if":
                self.reverse_if(op)
            elif op.name in ("for", "while"):
                self.reverse_loop(op)
            elif op.name == "call":
                self.reverse_call(op)
            elif op.name == "pack" and op.result.type == RESIDUALS:
                self.reverse_residual_pack(op)
            elif op.name == "pack" and op.result in self.adjoints:
                self.reverse_pack(op)
            elif op.name == "unpack":
                self.reverse_unpack(op)
            elif op.name == "pop":
                self.reverse_pop(op)
            elif op.name == "push":
                self.reverse_push(op)
            elif op.name == "tape":
                continue
            elif any(r in self.adjoints for r in op.results):
                if op.name not in PRIMITIVES:
                    raise self._unknown(op)
                self.reverse_primitive(op)

    def _unknown(self, op: Op) -> DifferentiationError:
        """The error for an op reverse mode has no adjoint for."""
        loc = op.loc
        problem = f"it has an op {op.name!r} with no adjoint"
        hint = "this is a bug in s2sad: please report it with the function"
        if op.name in (*CHECKPOINTED_REVERSALS, CHECKPOINTED_SWEEP):
            problem = (
                "it reverses a checkpointed loop (s2sad.checkpointed), whose "
                "schedule reverse mode cannot differentiate again"
            )
            hint = (
                "for second derivatives use s2sad.hvp or s2sad.hessian of the "
                "function itself (forward over reverse follows the schedule), or "
                "write the loop without s2sad.checkpointed"
            )
        return DifferentiationError(
            f"reverse mode cannot differentiate {self.function.name}: {problem}",
            file=self.function.file,
            line=loc.line if loc else self.function.line,
            col=loc.col if loc else None,
            hint=hint,
        )

    def reverse_pop(self, op: Op) -> None:
        """``a, b = pop(tape)`` reversed: push ``a_bar, b_bar`` (its active
        entries) on the adjoint tape, for the adjoint of the matching push."""
        entries = self.entries.get(op.attrs["record"])
        if not entries:
            return
        values = [self.adjoint_or_zeros(op.results[k]) for k in entries]
        tape = self._adjoint_tape(op.operands[0])
        record = self._adjoint_record(op)
        self.builder.block.ops.append(Op("push", [tape, *values], [], record))

    def reverse_push(self, op: Op) -> None:
        """``push(tape, a, b)`` reversed: pop the adjoints of its active entries
        from the adjoint tape and add them to ``a_bar`` and ``b_bar``."""
        entries = self.entries.get(op.attrs["record"])
        if not entries:
            return
        pushed = [op.operands[1 + k] for k in entries]
        popped = [self._fresh(v.type, self._bar_hint(v)) for v in pushed]
        tape = self._adjoint_tape(op.operands[0])
        record = self._adjoint_record(op)
        self.builder.block.ops.append(Op("pop", [tape], popped, record))
        for value, adjoint in zip(pushed, popped):
            if value in self.active:
                self.accumulate(value, adjoint)

    def _adjoint_tape(self, tape: Value) -> Value:
        """The adjoint tape of ``tape``: handed back with a residual tuple's
        adjoint for a tape this function handed over, else a new one."""
        if tape in self.adjoints:
            return self.adjoints[tape]
        if tape not in self.adjoint_tapes:
            self.adjoint_tapes[tape] = self._fresh(TAPE, f"{tape.hint}_bar")
        return self.adjoint_tapes[tape]

    def _adjoint_record(self, op: Op) -> dict:
        """The attributes of the adjoint-tape op standing for ``op``'s record."""
        key = op.attrs["record"]
        if key not in self.adjoint_records:
            self.adjoint_records[key] = self._record()
        return {"record": self.adjoint_records[key]}

    def reverse_residual_pack(self, op: Op) -> None:
        """A residual tuple handed over, reversed: its adjoint unpacked into the
        adjoints of what it holds (for a tape, its adjoint tape)."""
        adjoints = [self._fresh(v.type, self._bar_hint(v)) for v in op.operands]
        self.builder.block.ops.append(
            Op("unpack", [self.adjoints[op.result]], adjoints, {}, [], op.loc)
        )
        for value, adjoint in zip(op.operands, adjoints):
            if value.type == TAPE:
                self.adjoints[value] = adjoint
            elif value in self.active:
                self.accumulate(value, adjoint)

    def reverse_unpack(self, op: Op) -> None:
        """A residual tuple's unpacking reversed: the tuple's adjoint packs the
        adjoints of its values (for a tape, the adjoint tape the pops of its
        records pushed on), zeros where they have none."""
        if op.operands[0] not in self.active:
            return
        adjoints = []
        for value in op.results:
            if value.type == TAPE and value in self.adjoint_tapes:
                adjoints.append(self.adjoint_tapes[value])
            else:
                adjoints.append(self.adjoint_or_zeros(value))
        packed = self.builder.op("pack", adjoints, [RESIDUALS]).result
        self.accumulate(op.operands[0], packed)

    def reverse_pack(self, op: Op) -> None:
        """``(a, b)`` reversed: ``a`` gets element 0 of the adjoint, ``b`` element 1."""
        seq_bar = self.adjoints[op.result]
        for k, element in enumerate(op.operands):
            if element in self.active:
                index = self.builder.const(k)
                part = self.builder.op("getitem", [seq_bar, index], [element.type])
                self.accumulate(element, part.result)

    def reverse_primitive(self, op: Op) -> None:
        entry = PRIMITIVES[op.name]
        primal_args = dict(zip(entry.args, op.operands))
        shapes_only = shape_only_params(entry, "adjoint")

        def bind(name: str) -> Value:
            if name == "out_bar":
                return self.adjoints[op.result]
            value = op.result if name == "out" else primal_args[name]
            if name in shapes_only:
                return self.primal_shape(value)
            return self.primal(value)

        differentiable = [
            v for v, a in zip(op.operands, entry.args) if a not in entry.nondiff
        ]
        wanted = [v in self.active for v in differentiable]
        contributions, _ = inline_rule(
            self.builder, entry, "adjoint", bind, wanted, loc=op.loc
        )
        for operand, contribution in zip(differentiable, contributions):
            if contribution is not None:
                if entry.elementwise:
                    contribution = self._unbroadcast(op, operand, contribution)
                self.accumulate(operand, contribution)

    def _unbroadcast(self, op: Op, operand: Value, contribution: Value) -> Value:
        """An elementwise op's adjoint, summed back to ``operand``'s shape where
        the other arguments may have broadcast it (see the runtime's ``unbroadcast``).
        """
        others = [v for v in op.operands if v is not operand]
        if is_array(operand.type) and any(is_array(v.type) for v in others):
            reduced = self.builder.op(
                "unbroadcast",
                [contribution, self.primal_shape(operand)],
                [operand.type],
            )
            return reduced.result
        if not is_array(operand.type) and is_array(op.result.type):
            reduced = self.builder.op(
                "unbroadcast",
                [contribution, self.primal_shape(operand)],
                [operand.type],
            )
            return reduced.result
        return contribution

    def reverse_call(self, op: Op) -> None:
        """``f(x)`` reversed: ``x_bar = f_vjp_bwd(residuals, out_bar)``, the
        residuals of a checkpointed call recomputed from its arguments."""
        seeds = [self.adjoints.get(r) for r in op.results]
        if all(s is None for s in seeds):
            return
        if op.attrs.get(CHECKPOINT):
            residuals = self._recomputed_residuals(op)
        else:
            residuals = self.primal(self.call_residuals[op])
        operands = [residuals] + [
            s if s is not None else self.adjoint_or_zeros(r)
            for r, s in zip(op.results, seeds)
        ]
        callee = op.attrs["callee"]
        wrt = self.callee_wrt.get(callee, range(len(op.operands)))
        arguments = [op.operands[k] for k in wrt]
        results = [self._fresh(v.type) for v in arguments]
        attrs = {"callee": derived_name(callee, "vjp_bwd"), "groups": (len(results),)}
        self.builder.block.ops.append(Op("call", operands, results, attrs, [], op.loc))
        for operand, adjoint in zip(arguments, results):
            if operand in self.active:
                self.accumulate(operand, adjoint)

    def _recomputed_residuals(self, op: Op) -> Value:
        """The residuals of a checkpointed call, from its forward sweep run again
        on its arguments: ``out, residuals = f_vjp_fwd(x)``."""
        results = [self._fresh(r.type) for r in op.results]
        residuals = self._fresh(RESIDUALS, "residuals")
        group = None if len(op.results) == 1 else len(op.results)
        attrs = {
            "callee": derived_name(op.attrs["callee"], "vjp_fwd"),
            "groups": (group, None),
        }
        operands = [self.primal(v) for v in op.operands]
        self.builder.block.ops.append(
            Op("call", operands, results + [residuals], attrs, [], op.loc)
        )
        return residuals

    def reverse_if(self, op: Op) -> None:
        """An ``if`` on the same condition whose branches reverse the original ones."""
        seeds = [self.adjoints.get(r) for r in op.results]
        if all(s is None for s in seeds) and op not in self.tape_bound:
            return
        outer = self._outer_values(op, op.regions)
        cond = self.primal(op.operands[0])
        regions = []
        for region in op.regions:

            def seed(region: Block = region) -> None:
                for value, adjoint in zip(region.terminator.operands, seeds):
                    if adjoint is not None and value in self.active:
                        self.accumulate(value, adjoint)

            regions.append(self._reverse_region(region, [], {}, seed, outer, []))
        self._join(op, "if", [cond], regions, outer, {})

    def reverse_loop(self, op: Op) -> None:
        """A loop running the iterations backwards, carrying adjoints."""
        if CHECKPOINT in op.attrs and op.name == "while":
            self.reverse_checkpointed_while(op)
            return
        if CHECKPOINT in op.attrs:
            self.reverse_checkpointed_loop(op)
            return
        body = loop_body(op)
        carried = len(op.results)
        args = carried_args(body, op)
        yields = body.terminator.operands
        active = [k for k in range(carried) if op.results[k] in self.active]
        seeds = [self.adjoints.get(op.results[k]) for k in active]
        if all(s is None for s in seeds) and op not in self.tape_bound:
            return
        outer = self._outer_values(op, [body])
        if op.name == "for":
            bounds = [self.primal(v) for v in loop_bounds(op)]
            counter = self.builder.value(body.args[0].hint, INT)
            provided = {body.args[0]: counter}
        else:
            count = self.primal(self.iteration_counts[op])
            bounds = [self.builder.const(0), count, self.builder.const(1)]
            counter = self.builder.value("_", INT)
            provided = {}
        inits = [
            s if s is not None else self.adjoint_or_zeros(op.results[k])
            for k, s in zip(active, seeds)
        ] + [self.adjoint_or_zeros(v) for v in outer]
        carried_adjoints = [
            self._fresh(args[k].type, self._bar_hint(args[k])) for k in active
        ]

        def seed() -> None:
            for k, adjoint in zip(active, carried_adjoints):
                if yields[k] in self.active:
                    self.accumulate(yields[k], adjoint)

        block = self._reverse_region(
            body,
            [counter] + carried_adjoints,
            provided,
            seed,
            outer,
            [args[k] for k in active],
        )
        forwards = op.name == "for" and not op.attrs.get("reversed")
        attrs = {"reversed": True} if forwards else {}
        results = self._join(
            op, "for", bounds + inits, [block], outer, attrs, carried_adjoints
        )
        for k, adjoint in zip(active, results):
            init = loop_init(op, k)
            if init in self.active:
                self.accumulate(init, adjoint)

    def reverse_checkpointed_loop(self, op: Op) -> None:
        """A checkpointed loop (its body one call of its step function) reversed
        by ``checkpointed_loop``: ``runtime.checkpointed_loop`` runs the schedule,
        from the loop's initial state (or where the loop's ``checkpointed_sweep``
        left it), calling the step, its forward sweep and its backward sweep; it
        returns the adjoints of the state before the loop and those of the
        values the step reads from outside, which it adds to."""
        (call,) = loop_body(op).ops[:-1]
        carried = len(op.results)
        seeds = [self.adjoints.get(r) for r in op.results]
        if all(s is None for s in seeds):
            return
        step = call.attrs["callee"]
        wrt = list(self.callee_wrt.get(step, range(len(call.operands))))
        params = [None] + [loop_init(op, k) for k in range(carried)]
        params += call.operands[1 + carried :]
        bars = [
            s if s is not None else self._zero_adjoint(r)
            for r, s in zip(op.results, seeds)
        ]
        read = [params[k] for k in wrt if k > carried]
        operands = [self.primal(v) for v in loop_bounds(op)]
        operands += [self.primal(v) for v in params[1:]] + bars
        operands += [self._read_adjoint(v) for v in read]
        results = [self._fresh(params[k].type) for k in wrt]
        snapshots, schedule = op.attrs[CHECKPOINT]
        attrs = {
            "step": step,
            "snapshots": snapshots,
            "schedule": schedule,
            "carried": carried,
            "wrt": tuple(wrt),
        }
        self._resume(op, operands, attrs)
        self.builder.block.ops.append(
            Op(CHECKPOINTED_LOOP, operands, results, attrs, [], op.loc)
        )
        self._take_loop_adjoints(
            [(params[k], k > carried, a) for k, a in zip(wrt, results)]
        )

    def reverse_checkpointed_while(self, op: Op) -> None:
        """A checkpointed ``while`` loop (its condition and its body each one call
        of a function of their own) reversed by ``runtime.checkpointed_while``:
        it runs the loop again from its initial state by the online schedule
        (unless the loop's ``checkpointed_sweep`` ran it so), then reverses it;
        it returns the adjoints of the state before the loop and those of the
        values the step reads from outside, which it adds to."""
        before, body = op.regions
        (test,) = before.ops[:-1]
        (call,) = body.ops[:-1]
        carried = len(op.results)
        seeds = [self.adjoints.get(r) for r in op.results]
        if all(s is None for s in seeds):
            return
        step = call.attrs["callee"]
        wrt = list(self.callee_wrt.get(step, range(len(call.operands))))
        params = [loop_init(op, k) for k in range(carried)] + call.operands[carried:]
        bars = [
            s if s is not None else self._zero_adjoint(r)
            for r, s in zip(op.results, seeds)
        ]
        read = [params[k] for k in wrt if k >= carried]
        condition_read = test.operands[carried:]
        operands = [self.primal(v) for v in params + condition_read] + bars
        operands += [self._read_adjoint(v) for v in read]
        results = [self._fresh(params[k].type) for k in wrt]
        attrs = {
            "step": step,
            "condition": test.attrs["callee"],
            "snapshots": op.attrs[CHECKPOINT][0],
            "schedule": op.attrs[CHECKPOINT][1],
            "carried": carried,
            "read": len(params) - carried,
            "condition_read": len(condition_read),
            "wrt": tuple(wrt),
        }
        self._resume(op, operands, attrs)
        self.builder.block.ops.append(
            Op(CHECKPOINTED_WHILE, operands, results, attrs, [], op.loc)
        )
        self._take_loop_adjoints(
            [(params[k], k >= carried, a) for k, a in zip(wrt, results)]
        )

    def _read_adjoint(self, value: Value) -> Value:
        """The adjoint a checkpointed loop's reversal starts a value its step
        reads from: the one it has, or the number 0 (the runtime makes zeros
        of the value's shape where a step's backward sweep needs them, so none
        are held through the reversal for nothing)."""
        adjoint = self.adjoints.get(value)
        return adjoint if adjoint is not None else self.builder.const(0.0)

    def _resume(self, op: Op, operands: list[Value], attrs: dict) -> None:
        """Where the forward sweep ran the loop ``op`` by its schedule, its
        reversal (``operands``, ``attrs``) resumes from what the sweep kept."""
        if op in self.sweeps:
            operands.append(self.primal(self.sweeps[op]))
            attrs[SWEEP] = True
            del self.unused_sweeps[op]

    def _take_loop_adjoints(self, found: list[tuple[Value, bool, Value]]) -> None:
        """The adjoints a checkpointed loop's reversal returns, ``(value, read,
        adjoint)``: a read value's is its adjoint now (the reversal added to the
        one it had), a state's adds to its adjoint."""
        found = [(v, read, a) for v, read, a in found if v in self.active]
        self.adjoints.update((v, a) for v, read, a in found if read)
        for value, read, adjoint in found:
            if not read:
                self.accumulate(value, adjoint)

    def _zero_adjoint(self, value: Value) -> Value:
        """A zero adjoint of a result no adjoint reached (the number 0 for an integer)."""
        if value.type in (INT, BOOL):
            return self.builder.const(0.0)
        return self.adjoint_or_zeros(value)

    def _bar_hint(self, value: Value) -> str:
        named = self.mapping.get(value, value)
        return TEMPORARY if named.is_temporary else f"{named.hint}_bar"

    def _reverse_region(
        self,
        region: Block,
        args: list[Value],
        provided: dict[Value, Value],
        seed,
        outer: list[Value],
        carried: list[Value],
    ) -> Block:
        """The adjoint block of ``region``: pops what it reads, reverses the ops,
        yields the adjoints of ``carried`` and ``outer`` values."""
        outer_args = (
            [self._fresh(v.type, self._bar_hint(v)) for v in outer]
            if carried or args
            else []
        )
        block = Block(args=args + outer_args)
        saved_block, saved_adjoints = self.builder.block, dict(self.adjoints)
        self.builder.block = block
        if outer_args:
            self.adjoints.update(zip(outer, outer_args))
        state = _Region(region, provided=provided)
        self.stack.append(state)
        seed()
        outer_loc = self.loc
        self.reverse_ops(region.ops[:-1])
        self.loc = outer_loc
        yields = [self.adjoint_or_zeros(v) for v in carried + outer]
        self.builder.op("yield", yields, [])
        self.stack.pop()
        self.builder.block, self.adjoints = saved_block, saved_adjoints
        if state.needed:
            self._tape_region(region, block, state)
        return block

    def _tape_region(self, region: Block, block: Block, state: _Region) -> None:
        if self.tape is None:
            self.tape = self.builder.value("tape", TAPE)
        popped = [state.popped[v] for v in state.needed]
        record = self._record()
        block.ops.insert(0, Op("pop", [self.tape], popped, {"record": record}))
        self.pushes.append((record, self.copies[region], state.needed))

    def _join(
        self,
        op: Op,
        name: str,
        operands: list[Value],
        regions: list[Block],
        outer: list[Value],
        attrs: dict,
        carried: tuple[Value, ...] | list[Value] = (),
    ) -> list[Value]:
        """Append the adjoint op; its first results carry on ``carried`` (named
        alike), the outer values' adjoints are its last results."""
        results = [self._fresh(v.type, v.hint) for v in carried]
        results += [self._fresh(v.type, self._bar_hint(v)) for v in outer]
        self.builder.block.ops.append(
            Op(name, operands, results, attrs, regions, op.loc)
        )
        self.adjoints.update(zip(outer, results[len(carried) :]))
        return results[: len(carried)]

    def _outer_values(self, op: Op, regions: list[Block]) -> list[Value]:
        """Active values defined outside ``op`` that ``regions`` read or yield, in
        order of use (not tapes: a tape's adjoint tape is one list, filled in place)."""
        inside = {a for r in op.regions for a in _defined_in(r)}
        found: list[Value] = []
        for region in regions:
            for inner in walk_block(region):
                for v in inner.operands:
                    if v.type == TAPE:
                        continue
                    if v in self.active and v not in inside and v not in found:
                        found.append(v)
        return found


def _push_early(block: Block) -> None:
    """Move the push at the end of ``block`` up to just after the last op that
    defines one of its values or pushes on the tape itself (so records stay in
    order): the values it reads are then free to be overwritten."""
    push = block.ops[-2]
    pushed = set(push.operands[1:])
    at = 0
    for index, op in enumerate(block.ops[:-2]):
        inside = walk_ops([inner for region in op.regions for inner in region.ops])
        nested = any(inner.name == "push" for inner in inside)
        if nested or pushed & set(op.results):
            at = index + 1
    block.ops.insert(at, block.ops.pop(-2))


def _insert_after_definition(block: Block, op: Op) -> None:
    """Put ``op`` in ``block`` right after the op defining its operand (first if a block argument)."""
    operand = op.operands[0]
    at = next(
        (k + 1 for k, other in enumerate(block.ops) if operand in other.results), 0
    )
    block.ops.insert(at, op)


def _find_definer(block: Block, value: Value) -> tuple[Block, Op]:
    """The op defining ``value`` somewhere inside ``block``, and the block holding it."""
    for op in block.ops:
        if value in op.results:
            return block, op
        for region in op.regions:
            try:
                return _find_definer(region, value)
            except LookupError:
                continue
    raise LookupError(value.name)


def _defining_blocks(block: Block) -> dict[Value, Block]:
    homes = {a: block for a in block.args}
    for op in block.ops:
        for r in op.results:
            homes[r] = block
        for region in op.regions:
            homes.update(_defining_blocks(region))
    return homes


def _defined_in(block: Block) -> set[Value]:
    return set(_defining_blocks(block))


def _output_name(value: Value, index: int) -> str:
    """What the cotangent of the ``index``-th output ``value`` is named after."""
    if value.type == RESIDUALS:
        return "residuals"
    return f"out{index}" if value.is_temporary else value.hint


def _one(sweep: "_AdjointSweep", output: Value) -> Value:
    """A gradient's seed: 1.0, or ones shaped like an output that may be an array
    (``runtime.scalar_seed`` refuses one of more than one element)."""
    if not is_array(output.type) or output not in sweep.mapping:
        return sweep.builder.const(1.0)
    ones = sweep.builder.op("scalar_seed", [sweep.mapping[output]], [ARRAY])
    return ones.result
