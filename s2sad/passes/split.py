"""Splits a reverse-mode function into a forward sweep and a reverse sweep (for ``vjp``).

The forward function returns the primal outputs and the *residuals*: the
values the reverse sweep reads.  The backward function takes the residuals and
the cotangents.  Only values still read after simplification become residuals.
"""

from __future__ import annotations

from ..rules.registry import PRIMITIVES
from ..ir.core import (
    RESIDUALS,
    Builder,
    Function,
    Op,
    Value,
    is_array,
    new_function,
    walk_ops,
)
from .reverse import ReverseResult
from .rule_inline import clone_op
from ..analysis.shapes import ShapeInference
from .simplify import simplify
from .dense import dense_zeros
from .tape import trim_tape


def split(
    result: ReverseResult, n_outputs: int, n_cotangents: int
) -> tuple[Function, Function]:
    """``(fwd, bwd)``: ``fwd(primals) -> (outs, residuals)``, ``bwd(residuals, *cotangents) -> adjoints``.

    ``residuals`` is one tuple, unpacked at the start of ``bwd``.  It holds the
    array arguments whose adjoints simplify to 0, for zeros of their shape.

    ``result`` must come from :func:`reverse` with ``return_value=True``.
    """
    whole = result.function
    primal_ops = whole.body.ops[: result.forward_ops]
    sweep_ops = whole.body.ops[result.forward_ops : -1]
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
    simplify(bwd, seeds, known.records)
    wrt = [whole.params[i] for i in result.wrt]
    dense_zeros(bwd, 0, [unpacked.get(p, p) for p in wrt])
    residuals = _keep_used_residuals(bwd, candidates)

    fwd = new_function(
        f"{whole.name}_fwd",
        [(p.name, p.type) for p in whole.params[:n_primals]],
        reserved=set(whole.names.taken),
        defaults=result.primal_defaults,
        file=whole.file,
    )
    builder = Builder(fwd)
    mapping = {old: new for old, new in zip(whole.params, fwd.params)}
    for op in primal_ops:
        clone_op(builder, op, mapping)
    outs = [mapping[v] for v in whole.returned[:n_outputs]]
    group = None if n_outputs == 1 else n_outputs
    hints = whole.body.terminator.attrs["hints"][:n_outputs]
    builder.op(
        "return",
        outs + [mapping[v] for v in residuals],
        [],
        attrs={"layout": (group, len(residuals)), "hints": hints},
    )
    fwd.doc = "Forward sweep: the outputs and the residuals the backward sweep reads."
    simplify(fwd)
    if trim_tape(fwd, bwd) | trim_tape(bwd, bwd):
        simplify(fwd)
        simplify(bwd, seeds, _records(fwd, mapping, known))
    return fwd, bwd


def _records(fwd: Function, mapping: dict[Value, Value], known: ShapeInference):
    """The shapes of the entries ``fwd`` pushes, as ``known`` found them in the
    whole function (whose records trimming may have shortened since)."""
    whole_of = {new: old for old, new in mapping.items()}
    return {
        op.attrs["record"]: [known.shapes.get(whole_of.get(v)) for v in op.operands[1:]]
        for op in fwd.walk()
        if op.name == "push"
    }


def _keep_used_residuals(bwd: Function, candidates: list[Value]) -> list[Value]:
    """Trim the backward sweep's unpacking to what it reads; the candidates kept, in order."""
    unpack = bwd.body.ops[0]
    used = {v for op in bwd.walk() for v in op.operands}
    kept = [k for k, r in enumerate(unpack.results) if r in used]
    unpack.results = [unpack.results[k] for k in kept]
    if not kept:
        bwd.body.ops.pop(0)
    return [candidates[k] for k in kept]


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
        f"{whole.name}_bwd",
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
