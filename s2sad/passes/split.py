"""Splits a reverse-mode function into a forward sweep and a backward sweep (for ``vjp``).

The forward function returns the primal outputs and the *residuals*: the
values the backward sweep reads.  The backward function takes the residuals
and the cotangents.  Each function here is one step of the ``vjp`` pipeline
(see :mod:`s2sad.passes.pipeline`, which simplifies between them): the
backward sweep is built first, with every value it might read as a candidate
residual; once it is simplified, only the candidates it still reads are kept,
and the forward sweep returns those.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..rules.registry import PRIMITIVES
from ..ir.core import (
    ARRAY,
    RESIDUALS,
    TEMPORARY,
    Builder,
    Function,
    Op,
    Value,
    is_array,
    new_function,
    walk_ops,
)
from ..ir.module import derived_name
from .reverse import ReverseResult
from .rule_inline import clone_op
from ..analysis.shapes import ShapeInference


@dataclass
class Sweeps:
    """A reverse-mode function being split: its backward sweep, the values the
    backward sweep may read from the forward one (``candidates``, unpacked from
    the residuals in that order), what shape inference knew of the whole
    function, and, once built, the forward sweep."""

    result: ReverseResult
    n_primals: int
    n_outputs: int
    backward: Function
    candidates: list[Value]
    unpacked: dict[Value, Value]
    """Each candidate -> the backward sweep's value of it."""
    known: ShapeInference
    seeds: dict
    """Shapes of the backward sweep's unpacked residuals, for its simplification."""
    forward: Function | None = None
    mapping: dict[Value, Value] | None = None
    shapes_only: set[Value] = field(default_factory=set)
    """Candidates the backward sweep reads only for their shape and dtype: the
    forward sweep stores a ``shape_of`` carrier (no data) for them, unless they
    stay alive anyway (a parameter, an output)."""
    """The whole function's values -> the forward sweep's."""

    @property
    def whole(self) -> Function:
        """The reverse-mode function being split."""
        return self.result.function


def backward_sweep(result: ReverseResult, n_outputs: int, n_cotangents: int) -> Sweeps:
    """``bwd(residuals, *cotangents) -> adjoints`` of the reverse-mode function
    in ``result`` (made with ``return_value=True``): its backward sweep, reading
    every value of the forward sweep it uses (and the array arguments, for zeros
    of their shape) from the residuals tuple, unpacked at its start."""
    whole = result.function
    boundary = whole.body.ops.index(result.backward_start)
    primal_ops = whole.body.ops[:boundary]
    sweep_ops = whole.body.ops[boundary:-1]
    adjoints = whole.returned[n_outputs:]
    n_primals = len(whole.params) - n_cotangents
    cotangents = whole.params[n_primals:]

    primal_params = set(whole.params[:n_primals])
    primal_defs = {r for op in primal_ops for r in op.results}
    constant_ops = _constant_ops(primal_ops)
    recomputed = {r for op in constant_ops for r in op.results}
    candidates: list[Value] = []
    arrays = [whole.params[i] for i in result.wrt if is_array(whole.params[i].type)]
    read = [v for op in walk_ops(sweep_ops) for v in op.operands]
    for value in read + adjoints + arrays:
        stored = value in primal_defs or value in primal_params
        if stored and value not in recomputed and value not in candidates:
            candidates.append(value)

    bwd = _backward(whole, constant_ops + sweep_ops, candidates, cotangents, adjoints)
    unpacked = dict(zip(candidates, bwd.body.ops[0].results))
    known = ShapeInference(whole)
    seeds = {unpacked[v]: known.shapes[v] for v in candidates if v in known.shapes}
    return Sweeps(result, n_primals, n_outputs, bwd, candidates, unpacked, known, seeds)


def residual_parameters(sweeps: Sweeps) -> list[Value]:
    """The backward sweep's values of the ``wrt`` parameters (unpacked residuals
    where it reads them), in order: the primals its zeros are shaped like."""
    wrt = [sweeps.whole.params[i] for i in sweeps.result.wrt]
    return [sweeps.unpacked.get(p, p) for p in wrt]


def keep_used_residuals(sweeps: Sweeps) -> None:
    """Trim the backward sweep's unpacking to what it reads, and the candidates
    to those kept, in order."""
    bwd = sweeps.backward
    unpack = bwd.body.ops[0]
    used = {v for op in bwd.walk() for v in op.operands}
    kept = [k for k, r in enumerate(unpack.results) if r in used]
    unpack.results = [unpack.results[k] for k in kept]
    if not kept:
        bwd.body.ops.pop(0)
    sweeps.candidates = [sweeps.candidates[k] for k in kept]
    sweeps.shapes_only = {
        candidate
        for candidate, unpacked in zip(sweeps.candidates, unpack.results)
        if _read_for_shape_only(bwd, unpacked)
    }


def _read_for_shape_only(function: Function, value: Value) -> bool:
    """Every op of ``function`` reading ``value`` reads it as an argument taken
    only for its shape and dtype (``runtime.unbroadcast(g, x)``'s ``x``)."""
    for op in function.walk():
        entry = PRIMITIVES.get(op.name)
        for k, operand in enumerate(op.operands):
            if operand is not value:
                continue
            if entry is None or k >= len(entry.args):
                return False
            if entry.args[k] not in entry.shape_only:
                return False
    return True


def forward_sweep(sweeps: Sweeps) -> None:
    """``fwd(primals) -> (outs, residuals)``: the forward sweep of the whole
    function, returning the primal outputs and the residuals kept."""
    whole, n_primals, n_outputs = sweeps.whole, sweeps.n_primals, sweeps.n_outputs
    boundary = whole.body.ops.index(sweeps.result.backward_start)
    fwd = new_function(
        derived_name(whole.name, "fwd"),
        [(p.name, p.type) for p in whole.params[:n_primals]],
        reserved=set(whole.names.taken),
        defaults=sweeps.result.primal_defaults,
        file=whole.file,
    )
    builder = Builder(fwd)
    mapping = {old: new for old, new in zip(whole.params, fwd.params)}
    for op in whole.body.ops[:boundary]:
        clone_op(builder, op, mapping)
    outs = [mapping[v] for v in whole.returned[:n_outputs]]
    group = None if n_outputs == 1 else n_outputs
    hints = whole.body.terminator.attrs["hints"][:n_outputs]
    kept_anyway = set(fwd.params) | set(outs)
    stored = [
        (
            builder.op("shape_of", [mapping[v]], [ARRAY]).result
            if v in sweeps.shapes_only
            and is_array(v.type)
            and mapping[v] not in kept_anyway
            else mapping[v]
        )
        for v in sweeps.candidates
    ]
    residuals = builder.op("pack", stored, [RESIDUALS]).result
    builder.op(
        "return",
        outs + [residuals],
        [],
        attrs={"layout": (group, None), "hints": (*hints, TEMPORARY)},
    )
    fwd.doc = "Forward sweep: the outputs and the residuals the backward sweep reads."
    sweeps.forward, sweeps.mapping = fwd, mapping


def residuals_of(forward: Function) -> list[Value]:
    """The values the forward sweep ``forward`` packs into the residual tuple it returns."""
    packed = forward.returned[-1]
    return next(op.operands for op in forward.walk() if packed in op.results)


def pushed_shapes(sweeps: Sweeps) -> dict:
    """The shapes of the entries the forward sweep pushes, as shape inference
    found them in the whole function (whose records trimming may have shortened
    since): the backward sweep's simplification reads them."""
    whole_of = {new: old for old, new in sweeps.mapping.items()}
    return {
        op.attrs["record"]: [
            sweeps.known.shapes.get(whole_of.get(v)) for v in op.operands[1:]
        ]
        for op in sweeps.forward.walk()
        if op.name == "push"
    }


def _constant_ops(ops: list[Op]) -> list[Op]:
    """The ops whose values follow from literals alone: recomputed, never stored."""
    known: set[Value] = set()
    chosen = []
    for op in ops:
        computed = op.operands and not op.regions and op.name in PRIMITIVES
        if op.name == "const" or (computed and all(v in known for v in op.operands)):
            chosen.append(op)
            known.update(op.results)
    return chosen


def _backward(
    whole: Function,
    sweep_ops: list[Op],
    candidates: list[Value],
    cotangents: list[Value],
    adjoints: list[Value],
) -> Function:
    bwd = new_function(
        derived_name(whole.name, "bwd"),
        [("residuals", RESIDUALS)] + [(c.name, c.type) for c in cotangents],
        reserved=set(whole.names.taken),
        file=whole.file,
    )
    builder = Builder(bwd)
    unpacked = [builder.value(v.hint, v.type) for v in candidates]
    bwd.body.ops.append(Op("unpack", [bwd.params[0]], unpacked))
    mapping = dict(zip(candidates + cotangents, unpacked + bwd.params[1:]))
    for op in sweep_ops:
        clone_op(builder, op, mapping)
    hints = whole.body.terminator.attrs["hints"][-len(adjoints) :]
    builder.op(
        "return",
        [mapping[v] for v in adjoints],
        [],
        attrs={"layout": (len(adjoints),), "hints": hints},
    )
    bwd.doc = "Backward sweep: the adjoints of the primal inputs."
    return bwd
