"""Batches of directions: one call of a derivative computes ``k`` of them.

The generated ``f_hvp(x, x_dot)`` computes ∇²f(x)·ẋ for one direction.  Its
batched version takes ``x_dot`` with a leading *batch axis* (shape ``(k,) +
x.shape``, a 1-D array of ``k`` for a number) and returns every product with
that axis too, computing all ``k`` in vectorised NumPy code.  The values
that depend on the directions get the batch axis (their types become array
types: a number becomes a 1-D array); the primal values, and so every ``if``,
loop and tape of the code, stay as they are.  Each op with a batched operand
is rewritten by its primitive's batching rule (the ``batch`` field of the
rule table, :mod:`s2sad.rules.batch_rules`); a primitive without one is
refused by name.  Where a value the same for every direction meets a batched
one (a loop's initial zero tangent, a branch that yields no tangent, a
direction that simplified away), it is made a batch (``runtime.batched``).

A helper's derivative ``h_jvp(params, params_dot)`` becomes
``h_jvp_batched(params, params_dot, batch)``: its tangent parameters and
results are batches (those of float, array, sequence and residual type), and
``batch`` is the count ``k``.  A tuple of batches (a residual tuple's tangent)
holds a batch for each of its numbers and arrays; a tape record pushed by one
function and popped by another holds batches in its tangent half.

The same rewriting batches a ``jvp`` over its tangents (the columns of a
Jacobian, ``s2sad.jacfwd``) and the backward sweep of a ``vjp`` over its
cotangents (its rows, ``s2sad.jacrev``): there the residuals, and the tape
records the forward sweep pushes, hold primal values, the same for every
direction, and a helper's ``h_vjp_bwd(residuals, out_bar)`` becomes
``h_vjp_bwd_batched(residuals, out_bar, batch)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ..analysis.shapes import SCALAR, Shape, ShapeInference
from ..errors import DifferentiationError
from ..ir.core import (
    ARRAY,
    BOOL,
    BOOL_ARRAY,
    FLOAT,
    INT,
    INT_ARRAY,
    OBJECT,
    RESIDUALS,
    SEQ,
    Block,
    Builder,
    Function,
    Op,
    Value,
    is_array,
)
from ..ir.module import derived_name
from ..ir.ops import (
    CHECKPOINTED_REVERSALS,
    DIRECTIONS,
    LOOPS,
    TANGENTS,
    TERMINATORS,
)
from ..ir.operands import (
    REVERSAL_TANGENTS,
    carried_args,
    loop_body,
    loop_bounds,
    loop_inits,
    reversal_parts,
    set_loop_init,
)
from ..rules.registry import PRIMITIVES, Primitive, specialized
from .activity import pops_by_record, pushes_by_record

CARRIES = (FLOAT, ARRAY, SEQ, RESIDUALS)
"""The types of values that hold a batch when they depend on the directions."""

BATCHED = {FLOAT: ARRAY, INT: INT_ARRAY, BOOL: BOOL_ARRAY}
"""The type of a batch of values of each scalar type."""

HELPER = "batched"
"""The derived-name kind of a helper's batched derivative."""


@dataclass(frozen=True)
class Signature:
    """Which parameters and results of a function are batches."""

    params: tuple[bool, ...]
    results: tuple[bool, ...]


def tangent_signature(primal: Function, wrt: Iterable[int]) -> Signature:
    """The signature of the batched jvp of ``primal`` along its parameters at
    ``wrt`` (parameters, then those tangents; results, then theirs): its
    tangents of float, array, sequence and residual type are batches."""
    tangents = [primal.params[k].type in CARRIES for k in wrt]
    results = [v.type in CARRIES for v in primal.returned]
    return Signature(
        tuple([False] * len(primal.params) + tangents),
        tuple([False] * len(results) + results),
    )


@dataclass(frozen=True)
class Sweep:
    """What batching the backward sweep of a ``vjp`` over its cotangents knows:
    the shapes of the values its residuals hold (and of its cotangents, where
    known) and of the tape records the forward sweep pushes (for shape inference).  A record the forward sweep
    pushes and the backward sweep pops holds primal values only: no batch."""

    seeds: dict
    records: dict


def batch(
    function: Function,
    signature: Signature,
    callees: dict[str, Signature],
    seeds: dict[int, int],
    helper: bool,
    sweep: Sweep | None = None,
) -> Function:
    """Rewrite ``function`` (in place, and return it) to take and return batches
    where ``signature`` says.

    ``callees`` gives the signature of each function it calls (by the name
    the call uses); each call becomes a call of that function's batched
    version, passed the count of directions.  A call of a function not among
    them that reads no batch stays as it is.  ``seeds`` maps each batched
    parameter to the parameter whose shape each of its values has (``x_dot`` to
    ``x``).  A ``helper`` is renamed to its batched derived name and takes the
    count as a last parameter ``batch``; otherwise the function reads it from
    its first batched parameter.  ``sweep`` is given for the backward sweep of
    a ``vjp``, batched over its cotangents (see :class:`Sweep`).
    """
    _Batching(function, signature, callees, seeds, helper, sweep).run()
    return function


class _Batching:
    """The batched values of one function, and its rewriting."""

    def __init__(
        self,
        function: Function,
        signature: Signature,
        callees: dict[str, Signature],
        seeds: dict[int, int],
        helper: bool,
        sweep: Sweep | None = None,
    ):
        self.function = function
        self.signature = signature
        self.callees = callees
        self.helper = helper
        self.sweep = sweep
        params = function.params
        known = dict(sweep.seeds) if sweep is not None else {}
        known.update(
            (params[k], Shape((), (params[j], 0)))
            for k, j in seeds.items()
            if is_array(params[j].type)
        )
        known.update((v, SCALAR) for v in _values(function) if _number(v))
        records = sweep.records if sweep is not None else None
        self.inference = ShapeInference(function, known, records)
        self.shapes = self.inference.shapes
        self.definer = {r: op for op in function.walk() for r in op.results}
        self.types = {v: v.type for v in _values(function)}
        self.batched: set[Value] = {
            p for p, flag in zip(params, signature.params) if flag
        }
        self.pushes = pushes_by_record(function)
        self.pops = pops_by_record(function)
        self.records: dict[Any, list[bool]] = {}
        self.replaced: dict[Value, Value] = {}
        self.count: Value | None = None
        self.counted = False
        """The number of directions, and whether the code reads it."""

    # ------------------------------------------------------------ analysis

    def run(self) -> None:
        """Find the batched values, retype them, rewrite every block."""
        while True:
            before = (len(self.batched), sum(map(sum, self.records.values())))
            self._analyse(self.function.body)
            if before == (len(self.batched), sum(map(sum, self.records.values()))):
                break
        for value in self.batched:
            value.type = BATCHED.get(value.type, value.type)
        if self.helper:
            self.count = Builder(self.function).value("batch", INT)
            self.function.body.args.append(self.count)
            self.function.name = derived_name(self.function.name, HELPER)
        self._rewrite(self.function.body, list(self.signature.results))
        if not self.helper and self.counted:
            first = next(p for p in self.function.params if p in self.batched)
            size = Op("batch_size", [first], [self.count])
            self.function.body.ops.insert(0, size)

    def _analyse(self, block: Block) -> None:
        for op in block.ops:
            if op.name == "if":
                for region in op.regions:
                    self._analyse(region)
                for k, result in enumerate(op.results):
                    if any(
                        r.terminator.operands[k] in self.batched for r in op.regions
                    ):
                        self.batched.add(result)
            elif op.name in LOOPS:
                inits, body = loop_inits(op), loop_body(op)
                for k, result in enumerate(op.results):
                    if (
                        inits[k] in self.batched
                        or body.terminator.operands[k] in self.batched
                    ):
                        self.batched.add(result)
                        for region in op.regions:
                            self.batched.add(carried_args(region, op)[k])
                for region in op.regions:
                    self._analyse(region)
            elif op.name == "push":
                flags = self._record(op.attrs["record"])
                for k, value in enumerate(op.operands[1:]):
                    if value in self.batched and not flags[k]:
                        if self._crosses(op.attrs["record"]):
                            raise self._crossing(op)
                        flags[k] = True
            elif op.name == "pop":
                flags = self._record(op.attrs["record"])
                self.batched.update(r for r, f in zip(op.results, flags) if f)
            elif op.name == "unpack":
                if op.operands[0] in self.batched:
                    self.batched.update(r for r in op.results if r.type in CARRIES)
            elif op.name == "pack":
                if any(v in self.batched for v in op.operands):
                    self.batched.add(op.result)
            elif op.name == "call":
                if self._unbatched_call(op):
                    continue
                signature = self._callee(op)
                self.batched.update(
                    r for r, f in zip(op.results, signature.results) if f
                )
            elif op.name in PRIMITIVES:
                entry = PRIMITIVES[op.name]
                if any(_data_flags(entry, self._flags(op))):
                    self.batched.update(op.results)
            elif _batches_per_direction(op) and any(self._flags(op)):
                half = len(op.results) // 2
                self.batched.update(r for r in op.results[half:] if r.type in CARRIES)

    def _record(self, record: Any) -> list[bool]:
        """Which entries of tape record ``record`` are batches: those pushed so here,
        or, for a record another function pushes or pops, its tangent half (of the
        entries of float, array, sequence and residual type)."""
        if record not in self.records:
            op = self.pushes.get(record) or self.pops.get(record)
            entries = op.operands[1:] if op.name == "push" else op.results
            flags = [False] * len(entries)
            if self._crosses(record) and self.sweep is None:
                half = len(entries) // 2
                for k in range(half, len(entries)):
                    flags[k] = entries[k - half].type in CARRIES
            self.records[record] = flags
        return self.records[record]

    def _crossing(self, op: Op) -> DifferentiationError:
        """The error for a batch pushed on a tape another function pops."""
        if self.sweep is not None:
            return self._error(
                op,
                "a tape it hands to another sweep carries values of the cotangents "
                "(reverse mode over a helper's reverse mode)",
                hint="use forward mode (s2sad.jacfwd of the gradient, or "
                "s2sad.hessian)",
            )
        return self._error(op, "a primal value on the tape depends on the directions")

    def _crosses(self, record: Any) -> bool:
        return (record in self.pushes) != (record in self.pops)

    def _unbatched_call(self, op: Op) -> bool:
        """A call of a function that has no batched version and reads no batch:
        the same for every direction, it stays as it is."""
        return op.attrs["callee"] not in self.callees and not any(self._flags(op))

    def _callee(self, op: Op) -> Signature:
        callee = op.attrs["callee"]
        if callee not in self.callees:
            raise self._error(op, f"it calls {callee}, which has no batched version")
        return self.callees[callee]

    def _flags(self, op: Op) -> list[bool]:
        return [v in self.batched for v in op.operands]

    # ------------------------------------------------------------ rewriting

    def _rewrite(self, block: Block, wanted: list[bool] | None) -> None:
        """Rewrite ``block``'s ops; its terminator yields batches where ``wanted``."""
        builder = Builder(self.function, Block(args=block.args))
        for op in block.ops:
            op.operands = [self.replaced.get(v, v) for v in op.operands]
            if op.name in TERMINATORS:
                for k, flag in enumerate(wanted or []):
                    if flag:
                        op.operands[k] = self.made_batch(builder, op.operands[k])
                builder.block.ops.append(op)
            elif op.regions:
                self._structured(builder, op)
            elif op.name == "push":
                self._push(builder, op)
            elif op.name == "pack":
                self._pack(builder, op)
            elif op.name == "call" and not self._unbatched_call(op):
                self._call(builder, op)
            elif op.name in PRIMITIVES and any(self._flags(op)):
                self._primitive(builder, op)
            elif op.name in ("print", "assert") and any(self._flags(op)):
                raise self._error(op, f"its {op.name} reads a value of the directions")
            elif _batches_per_direction(op) and any(self._flags(op)):
                self._reversal(builder, op)
            elif op.name in CHECKPOINTED_REVERSALS and any(self._flags(op)):
                raise self._error(
                    op,
                    "it reverses a checkpointed loop (s2sad.checkpointed), which "
                    "runs one direction at a time",
                    hint="use s2sad.grad or s2sad.vjp for it, or write the loop "
                    "without s2sad.checkpointed for Jacobians and Hessians",
                )
            else:
                builder.block.ops.append(op)
        block.ops = builder.block.ops

    def _structured(self, builder: Builder, op: Op) -> None:
        flags = [r in self.batched for r in op.results]
        if op.name == "if":
            tests = op.operands[:1]
        elif op.name == "for":
            tests = loop_bounds(op)
        else:
            tests = op.regions[0].terminator.operands[:1]
        if any(v in self.batched for v in tests):
            raise self._error(op, f"the {op.name} depends on the directions")
        if op.name in LOOPS:
            for k, (init, flag) in enumerate(zip(loop_inits(op), flags)):
                if flag:
                    set_loop_init(op, k, self.made_batch(builder, init))
        for index, region in enumerate(op.regions):
            test = op.name == "while" and index == 0
            self._rewrite(region, None if test else flags)
        builder.block.ops.append(op)

    def _push(self, builder: Builder, op: Op) -> None:
        flags = self._record(op.attrs["record"])
        for k, flag in enumerate(flags, start=1):
            if flag:
                op.operands[k] = self.made_batch(builder, op.operands[k])
        builder.block.ops.append(op)

    def _pack(self, builder: Builder, op: Op) -> None:
        """A tuple holding a batch: each of its numbers and arrays made a batch."""
        if op.result in self.batched:
            op.operands = [
                self.made_batch(builder, v) if _numeric(v) else v for v in op.operands
            ]
        builder.block.ops.append(op)

    def _call(self, builder: Builder, op: Op) -> None:
        """``h_jvp(args)`` becomes ``h_jvp_batched(args, batch)``."""
        signature = self._callee(op)
        op.operands = [
            self.made_batch(builder, v) if flag else v
            for v, flag in zip(op.operands, signature.params)
        ] + [self.batch_count()]
        op.attrs = {**op.attrs, "callee": derived_name(op.attrs["callee"], HELPER)}
        builder.block.ops.append(op)

    def _reversal(self, builder: Builder, op: Op) -> None:
        """A checkpointed loop's reversal carrying tangents takes them as
        batches, and their count: the runtime runs its schedule once per
        direction, on the jvps of the step and its sweeps."""
        parts = reversal_parts(op)
        tangents = [
            self.made_batch(builder, v) for g in REVERSAL_TANGENTS for v in parts[g]
        ]
        first = len(op.operands) - len(tangents)
        op.operands = op.operands[:first] + tangents + [self.batch_count()]
        op.attrs = {**op.attrs, DIRECTIONS: True}
        builder.block.ops.append(op)

    def _primitive(self, builder: Builder, op: Op) -> None:
        entry = PRIMITIVES[op.name]
        flags = self._flags(op)
        if not any(_data_flags(entry, flags)):
            op.operands = [
                self.first(builder, v) if f else v for v, f in zip(op.operands, flags)
            ]
            builder.block.ops.append(op)
            return
        if entry.batch is None:
            raise self._error(
                op,
                f"{_spelled(entry)}() has no batching rule",
                hint="compute one direction at a time (s2sad.hvp, s2sad.jvp or "
                "s2sad.vjp), or write the function with primitives that batch",
            )
        entry.batch.apply(_Context(self, builder, op, entry, flags))

    # ------------------------------------------------------------ batches

    def batch_count(self) -> Value:
        """The number of directions (a parameter of a helper, read by the entry)."""
        if self.count is None:
            self.count = Builder(self.function).value("batch", INT)
        self.counted = True
        return self.count

    def made_batch(self, builder: Builder, value: Value) -> Value:
        """``value`` as a batch: itself if it is one, else the same value for each direction."""
        if value in self.batched:
            return value
        type = BATCHED.get(value.type, SEQ if value.type == OBJECT else value.type)
        result = builder.op("batched", [value, self.batch_count()], [type]).result
        self.batched.add(result)
        return result

    def first(self, builder: Builder, value: Value) -> Value:
        """One direction's value of the batch ``value``, for its shape."""
        return builder.op("first", [value], [self.types.get(value, ARRAY)]).result

    def _error(self, op: Op, why: str, hint: str | None = None) -> DifferentiationError:
        loc = op.loc
        return DifferentiationError(
            f"cannot batch {self.function.name} over its directions: {why}",
            file=self.function.file,
            line=loc.line if loc else self.function.line,
            col=loc.col if loc else None,
            hint=hint
            or "compute one direction at a time (s2sad.hvp, s2sad.jvp or s2sad.vjp)",
        )


def _batches_per_direction(op: Op) -> bool:
    """True for a checkpointed loop's reversal carrying tangents, which runs
    its schedule once per direction of a batch."""
    return op.name in CHECKPOINTED_REVERSALS and bool(op.attrs.get(TANGENTS))


class _Context:
    """What a batching rule builds with (see :mod:`s2sad.rules.batch_rules`)."""

    def __init__(
        self,
        batching: _Batching,
        builder: Builder,
        op: Op,
        entry: Primitive,
        flags: list[bool],
    ):
        self.batching = batching
        self.builder = builder
        self.op = op
        self.entry = entry
        self.flags = flags
        self.operands = list(op.operands)
        self.read_at_run_time: set[Value] = set()
        """The indices :meth:`index` leaves to ``runtime.batch_index``."""

    @property
    def batch(self) -> Value:
        """The number of directions."""
        return self.batching.batch_count()

    def emit(self, name: str, operands: list[Value], type: str) -> Value:
        """A new op of primitive ``name``; its result."""
        return self.builder.op(name, operands, [type], loc=self.op.loc).result

    def const(self, value: Any) -> Value:
        """A constant."""
        return self.builder.const(value)

    def pack(self, values: list[Value]) -> Value:
        """The tuple of ``values``."""
        return self.builder.op("pack", values, [SEQ], attrs={"kind": "tuple"}).result

    def finish(
        self, operands: list[Value], name: str | None = None, twin: bool = False
    ) -> None:
        """The op (or primitive ``name``) applied to ``operands``, defining the op's results."""
        entry = PRIMITIVES[name] if name else self.entry
        if twin:
            entry = specialized(entry, operands)[0]
            if entry.scalar_only:
                self.refuse("it is for numbers only and has no NumPy twin")
        attrs = dict(self.op.attrs) if entry is self.entry else {}
        copy = Op(
            entry.name, operands, self.op.results, attrs, [], self.op.loc, self.op.exact
        )
        self.builder.block.ops.append(copy)

    def same(self, value: Value) -> None:
        """The op's result is ``value``."""
        self.batching.replaced[self.op.result] = value

    def broadcast(self, value: Value) -> Value:
        """``value``, the same for each direction, as a batch."""
        return self.batching.made_batch(self.builder, value)

    def first(self, value: Value) -> Value:
        """One direction's value of the batch ``value``, for its shape."""
        return self.batching.first(self.builder, value)

    def outranks(self, j: int, i: int) -> bool:
        """Operand ``j`` may have more dimensions (for each direction) than operand ``i``."""
        a, b = self.operands[j], self.operands[i]
        if self.batching.types.get(a, a.type) in (FLOAT, INT, BOOL, OBJECT):
            return False
        if _number(a):
            return False
        return not _covers(self.batching.shapes.get(b), self.batching.shapes.get(a))

    def nested(self, i: int) -> bool:
        """Operand ``i`` is a sequence with a sequence among its items (or items
        not known when the code is generated)."""
        value = self.operands[i]
        if value.type != SEQ:
            return False
        op = self.batching.definer.get(value)
        if op is None or op.name != "pack":
            return True
        return any(
            item.type in (SEQ, OBJECT) or self._item(item) for item in op.operands
        )

    def may_be_sequence(self, i: int) -> bool:
        """Operand ``i`` is an item taken from a sequence, or from such an item
        (itself perhaps a sequence)."""
        return self._item(self.operands[i])

    def _item(self, value: Value) -> bool:
        op = self.batching.definer.get(value)
        if op is None or op.name != "getitem":
            return False
        return op.operands[0].type == SEQ or self._item(op.operands[0])

    def reads_number(self) -> bool:
        """The op's result is a number for each direction."""
        result = self.op.results[0]
        if self.batching.types.get(result, result.type) in (FLOAT, INT, BOOL):
            return True
        return self.batching.shapes.get(result) == SCALAR

    def fits(self, i: int, index: Value) -> bool:
        """The value written by an indexed write (operand ``i``) through ``index``
        (what :meth:`index` made) has, for each direction, the dimensions of the
        place it is written to, and the batch axis goes first there."""
        if index in self.read_at_run_time:
            return False
        array, index = (
            self.op.operands[:2] if self.op.name == "setitem" else self.op.operands[1:3]
        )
        region = self.batching.inference.indexed(array, index)
        shape = self.batching.shapes.get(self.operands[i])
        if shape is None or region is None:
            return False
        if shape == region:
            return True
        known = shape.tail is None and region.tail is None
        return known and len(shape.dims) == len(region.dims)

    def index(self, index: Value, write: bool = False) -> Value | None:
        """``index`` of a value as an index of a batch (``[:, index]``), or, where the
        index cannot be read when the code is generated or its index arrays would
        move the batch axis: ``runtime.batch_index`` for a write (whose value
        :func:`s2sad.runtime.lift_region` then shapes), None for a read."""
        parts = self._parts(index)
        if parts is None or not _adjacent([kind for kind, _ in parts]):
            if not write:
                return None
            batched = self.emit("batch_index", [index], OBJECT)
            self.read_at_run_time.add(batched)
            return batched
        none = self.const(None)
        every = self.emit("slice", [none, none, none], OBJECT)
        values = [every] + [value for _, value in parts]
        kind = SEQ if any(k == "array" for k, _ in parts) else OBJECT
        return self.builder.op("pack", values, [kind], attrs={"kind": "tuple"}).result

    def _parts(self, index: Value) -> list[tuple[str, Value]] | None:
        """The parts of an index, each with its kind (``int``, ``array`` or
        ``basic``), if they can be told apart when the code is generated."""
        op = self.batching.definer.get(index)
        if op is not None and op.name == "pack" and op.attrs.get("kind") == "tuple":
            parts = [self._part(v) for v in op.operands]
            return None if None in parts else parts
        if (
            op is not None
            and op.name == "const"
            and isinstance(op.attrs["value"], tuple)
        ):
            parts = [self._static(c) for c in op.attrs["value"]]
            return None if None in parts else parts
        part = self._part(index)
        return None if part is None else [part]

    def _part(self, value: Value) -> tuple[str, Value] | None:
        op = self.batching.definer.get(value)
        if value.type == INT:
            return ("int", value)
        if value.type == BOOL or is_array(value.type):
            return ("array", value)
        if op is not None and op.name == "pack":
            return ("array", value)
        if op is not None and op.name == "slice":
            return ("basic", value)
        if op is not None and op.name == "const":
            return self._static(op.attrs["value"], value)
        return None

    def _static(self, constant: Any, value: Value | None = None) -> tuple | None:
        if constant is None or constant is Ellipsis:
            kind = "basic"
        elif isinstance(constant, bool):
            kind = "array"
        elif isinstance(constant, int):
            kind = "int"
        else:
            return None
        return (kind, value if value is not None else self.const(constant))

    def refuse(self, why: str) -> None:
        """Refuse to batch the op."""
        raise self.batching._error(self.op, f"{_spelled(self.entry)}(): {why}")


def _data_flags(entry: Primitive, flags: list[bool]) -> list[bool]:
    """The flags of the arguments read for more than their shape."""
    return [f for a, f in zip(entry.args, flags) if a not in entry.shape_only]


def _covers(shape: Shape | None, other: Shape | None) -> bool:
    """True when a value of ``shape`` certainly has at least as many dimensions as
    one of ``other``."""
    if other == SCALAR:
        return True
    if shape is None or other is None:
        return False
    if shape == other:
        return True
    return (
        shape.tail is None and other.tail is None and len(shape.dims) >= len(other.dims)
    )


def _adjacent(kinds: list[str]) -> bool:
    """The index arrays (and the integers, when there are index arrays) stand
    next to each other, so NumPy keeps the batch axis in front."""
    if "array" not in kinds:
        return True
    advanced = [k for k, kind in enumerate(kinds) if kind in ("array", "int")]
    return advanced == list(range(advanced[0], advanced[-1] + 1))


def _numeric(value: Value) -> bool:
    """A value a tuple holding batches holds a batch of: a number, an array, a
    sequence, a residual tuple, or a constant tuple of numbers."""
    if value.type in CARRIES:
        return True
    return value.type == OBJECT and isinstance(value.constant, tuple)


def _number(value: Value) -> bool:
    """A constant number (whatever its type says: simplification may type one ``array``)."""
    return isinstance(value.constant, (int, float)) and value.constant is not True


def _spelled(entry: Primitive) -> str:
    return entry.syntax.text or entry.name


def _values(function: Function) -> list[Value]:
    values = list(function.params)
    for op in function.walk():
        values += op.results
        for region in op.regions:
            values += region.args
    return values
