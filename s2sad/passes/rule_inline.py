"""Inlines a primitive's tangent or adjoint rule into the function being built.

Rules are plain Python functions; the frontend lowers each once (cached) into
an IR template, whose ops are copied into the derivative with the rule's
parameters bound to values of the function under construction.
"""

from __future__ import annotations

from functools import cache

from ..frontend import RULE, lower
from ..ir import Builder, Function, Op, Value
from ..primitives import Primitive


@cache
def template(entry: Primitive, kind: str) -> Function:
    """The IR of ``entry``'s ``kind`` rule (``"tangent"`` or ``"adjoint"``)."""
    return lower(getattr(entry, kind), mode=RULE)


def inline_rule(
    builder: Builder, entry: Primitive, kind: str, bindings: dict[str, Value]
) -> tuple[list[Value], set[Value]]:
    """Copy the rule's ops into ``builder`` and return its results.

    ``bindings`` maps each rule parameter name to a value.  Also returns the
    ids of the values created here, so the caller knows which results are
    fresh (and may be renamed) and which are passed-through inputs.
    """
    rule = template(entry, kind)
    mapping: dict[Value, Value] = {p: bindings[p.name] for p in rule.params}
    created: set[Value] = set()
    for op in rule.body.ops[:-1]:
        copy = builder.op(
            op.name,
            [mapping[v] for v in op.operands],
            [r.type for r in op.results],
            attrs=op.attrs,
            loc=op.loc,
        )
        for old, new in zip(op.results, copy.results):
            mapping[old] = new
            created.add(new)
    return [mapping[v] for v in rule.returned], created


def rename(builder: Builder, value: Value, hint: str) -> None:
    """Give a fresh, still temporary value a readable name such as ``x_dot``."""
    value.hint = hint
    value.name = builder.function.names.fresh(hint)


def clone_op(builder: Builder, op: Op, mapping: dict[Value, Value]) -> Op:
    """Copy a region-free op into ``builder``, mapping operands, keeping result names."""
    results = [Value(r.name, r.type, r.hint) for r in op.results]
    for result in results:
        builder.function.names.taken.add(result.name)
    copy = Op(
        op.name,
        [mapping[v] for v in op.operands],
        results,
        dict(op.attrs),
        [],
        op.loc,
    )
    builder.block.ops.append(copy)
    for old, new in zip(op.results, results):
        mapping[old] = new
    return copy
