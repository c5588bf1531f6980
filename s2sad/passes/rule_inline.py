"""Inlines a primitive's tangent or adjoint rule into the function being built.

Rules are plain Python functions; the frontend lowers each once (cached) into
an IR template, whose ops are copied into the derivative with the rule's
parameters bound to values of the function under construction.
"""

from __future__ import annotations

from functools import cache

from ..errors import S2SADError
from ..frontend import RULE, lower
from ..ir import Builder, Function, Op, Value
from ..primitives import Primitive


@cache
def template(entry: Primitive, kind: str) -> Function:
    """The IR of ``entry``'s ``kind`` rule (``"tangent"`` or ``"adjoint"``).

    Checks that the rule returns one value per result: one tangent, or one
    adjoint per differentiable argument.
    """
    rule = lower(getattr(entry, kind), mode=RULE)
    expected = 1 if kind == "tangent" else len(entry.differentiable_args)
    if len(rule.returned) != expected:
        what = "the tangent" if kind == "tangent" else "one adjoint per argument"
        raise S2SADError(
            f"the {kind} rule of {entry.name} returns {len(rule.returned)} value(s), "
            f"expected {expected}",
            file=rule.file,
            line=rule.line,
            hint=f"return {what}: {', '.join(entry.differentiable_args)}",
        )
    return rule


def inline_rule(
    builder: Builder, entry: Primitive, kind: str, bindings: dict[str, Value]
) -> tuple[list[Value], set[Value]]:
    """Copy the rule's ops into ``builder`` and return its results.

    ``bindings`` maps each rule parameter name to a value.  Also returns the
    values created here, so the caller knows which results are
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
    assert not op.regions, "ops with regions are not differentiated yet"
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
        op.exact,
    )
    builder.block.ops.append(copy)
    for old, new in zip(op.results, results):
        mapping[old] = new
    return copy
