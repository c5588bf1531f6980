"""Reverse mode: a forward sweep computes the primal values, a reverse sweep accumulates adjoints.

Walking the ops backwards from ``out_bar``, each active op's adjoint rule adds
its contribution ``v̄ᵢ += v̄ⱼ · ∂vⱼ/∂vᵢ`` to its inputs' adjoints ``vᵢ_bar``.
The primal values the reverse sweep reads stay available because the sweep
follows the forward sweep in the same function; :mod:`.split` separates the
two for ``vjp``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UnsupportedSyntaxError
from ..ir import FLOAT, TEMPORARY, Builder, Function, Value, new_function
from ..primitives import PRIMITIVES
from .activity import active
from .rule_inline import clone_op, inline_rule, rename


@dataclass
class ReverseResult:
    """The reverse-mode function, how many of its ops form the forward sweep,
    and the primal's default values (for the forward sweep of ``vjp``)."""

    function: Function
    forward_ops: int
    primal_defaults: tuple


def reverse(
    function: Function,
    wrt: list[int],
    *,
    seed: str = "param",
    layout: tuple[int | None, ...] | None = None,
    return_value: bool = False,
    name: str | None = None,
) -> ReverseResult:
    """The adjoint function of ``function`` for the parameters at indices ``wrt``.

    ``seed="param"`` adds one cotangent parameter ``<out>_bar`` per output;
    ``seed="one"`` seeds the single output with 1.0 (a gradient).  The result
    returns the primal outputs first when ``return_value`` is set, then the
    adjoints of the ``wrt`` parameters, grouped by ``layout`` (see the backend).
    """
    _require_straight_line(function)
    params = function.params
    outputs = function.returned
    cotangents = [
        (f"{'out' + str(i) if v.is_temporary else v.name}_bar", FLOAT)
        for i, v in enumerate(outputs)
    ]
    cotangents = cotangents if seed == "param" else []
    new = new_function(
        name or f"{function.name}_vjp",
        [(p.name, p.type) for p in params] + cotangents,
        reserved=set(function.names.taken) | function.names.reserved,
        defaults=function.defaults if seed == "one" else (),
        file=function.file,
    )
    builder = Builder(new)
    mapping = {old: new_p for old, new_p in zip(params, new.params)}
    for op in function.body.ops[:-1]:
        clone_op(builder, op, mapping)
    forward_ops = len(new.body.ops)

    live = active(function, [params[i] for i in wrt])
    adjoints: dict[Value, Value] = {}
    seeds = new.params[len(params) :] if seed == "param" else [builder.const(1.0)]
    for output, out_bar in zip(outputs, seeds):
        if output in live:
            _accumulate(builder, adjoints, output, mapping, out_bar)
    for op in reversed(function.body.ops[:-1]):
        result = op.results[0] if op.results else None
        if result is None or result not in adjoints:
            continue
        entry = PRIMITIVES[op.name]
        bindings = {arg: mapping[v] for arg, v in zip(entry.args, op.operands)}
        bindings["out"] = mapping[result]
        bindings["out_bar"] = adjoints[result]
        contributions, _ = inline_rule(builder, entry, "adjoint", bindings)
        differentiable = [
            v for v, arg in zip(op.operands, entry.args) if arg not in entry.nondiff
        ]
        for operand, contribution in zip(differentiable, contributions):
            if operand in live:
                _accumulate(builder, adjoints, operand, mapping, contribution)

    returned = [mapping[v] for v in outputs] if return_value else []
    returned += [adjoints.get(params[i]) or builder.const(0.0) for i in wrt]
    hints = [v.hint for v in outputs] if return_value else []
    hints += [f"{params[i].name}_bar" for i in wrt]
    builder.op("return", returned, [], attrs={"layout": layout, "hints": tuple(hints)})
    return ReverseResult(new, forward_ops, function.defaults)


def _accumulate(
    builder: Builder,
    adjoints: dict[Value, Value],
    primal: Value,
    mapping: dict[Value, Value],
    contribution: Value,
) -> None:
    """``primal_bar += contribution``, naming the sum ``<primal>_bar``.

    Adjoints of temporaries stay temporaries; the first adjoint of a named
    value takes the name ``<primal>_bar`` if it has none yet.
    """
    named = mapping[primal]
    hint = TEMPORARY if named.is_temporary else f"{named.name}_bar"
    previous = adjoints.get(primal)
    if previous is None:
        if contribution.is_temporary and hint != TEMPORARY:
            rename(builder, contribution, hint)
        adjoints[primal] = contribution
        return
    total = builder.op("add", [previous, contribution], [FLOAT], hints=[hint])
    adjoints[primal] = total.result


def _require_straight_line(function: Function) -> None:
    for op in function.body.ops:
        if op.regions:
            raise UnsupportedSyntaxError(
                f"reverse mode (grad, vjp) through `{op.name}` is not supported yet",
                file=function.file,
                line=op.loc.line if op.loc else None,
                col=op.loc.col if op.loc else None,
                hint="use s2sad.jvp (forward mode) for functions with control flow for now",
            )
