"""Forward mode: every active value ``v`` gets a tangent ``v_dot`` computed right after it.

``f(x, y) -> out`` becomes ``f_jvp(x, y, x_dot, y_dot) -> (out, out_dot)``: the
chain rule v̇ = Σ ∂v/∂u · u̇ applied op by op, each op's tangent rule inlined
from the rule table.
"""

from __future__ import annotations

from ..ir import FLOAT, Builder, Function, new_function
from ..primitives import PRIMITIVES
from .activity import DIFFERENTIABLE_TYPES, varied
from .rule_inline import clone_op, inline_rule, rename


def forward(function: Function, wrt: list[int], name: str | None = None) -> Function:
    """The tangent function of ``function`` for the parameters at indices ``wrt``.

    Its parameters are the primal ones followed by one tangent per ``wrt``
    parameter (ignored for ``int`` and ``bool`` parameters, which have none); it returns ``(outputs, output tangents)``, each group a single
    value when the function has one output, else a tuple.
    """
    params = function.params
    seeds = [params[i] for i in wrt]
    new = new_function(
        name or f"{function.name}_jvp",
        [(p.name, p.type) for p in params] + [(f"{p.name}_dot", FLOAT) for p in seeds],
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
    for op in function.body.ops[:-1]:
        copy = clone_op(builder, op, mapping)
        result = op.results[0] if op.results else None
        if result is None or result not in active:
            continue
        entry = PRIMITIVES[op.name]
        bindings = {arg: v for arg, v in zip(entry.args, copy.operands)}
        bindings["out"] = copy.result
        for arg, operand in zip(entry.args, op.operands):
            if arg not in entry.nondiff:
                bindings[f"{arg}_dot"] = tangents.get(operand) or builder.const(0.0)
        (tangent,), created = inline_rule(builder, entry, "tangent", bindings)
        if tangent in created and not copy.result.is_temporary:
            rename(builder, tangent, f"{copy.result.name}_dot")
        tangents[result] = tangent
    outputs = function.returned
    primal_out = [mapping[v] for v in outputs]
    tangent_out = [tangents.get(v) or builder.const(0.0) for v in outputs]
    group = None if len(outputs) == 1 else len(outputs)
    hints = [v.hint for v in outputs] + [v.hint and f"{v.hint}_dot" for v in outputs]
    attrs = {"layout": (group, group), "hints": tuple(hints)}
    builder.op("return", primal_out + tangent_out, [], attrs=attrs)
    new.doc = f"Value and tangent (forward mode) of {function.name}."
    return new
