"""Inlines a primitive's tangent or adjoint rule into the function being built.

Rules are plain Python functions; the frontend lowers each once (cached) into
an IR template, whose ops are copied into the derivative with the rule's
parameters bound to values of the function under construction.
"""

from __future__ import annotations

import types
from functools import cache
from typing import Any, Callable

from ..errors import S2SADError
from ..frontend.lowering import RULE
from ..frontend.program import lower
from ..ir.core import Block, Builder, Function, Loc, Op, Value
from ..rules.registry import PRIMITIVES, Primitive, specialized


@cache
def template(entry: Primitive, kind: str) -> Function:
    """The IR of ``entry``'s ``kind`` rule (``"tangent"`` or ``"adjoint"``).

    Checks that the rule returns one value per result: one tangent, or one
    adjoint per differentiable argument.
    """
    rule = lower(_with_library(getattr(entry, kind), entry.library), mode=RULE)
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


def _with_library(rule: Callable[..., Any], library: Any) -> Callable[..., Any]:
    """``rule`` with its name ``lib`` bound to ``library`` (``rule`` itself if None)."""
    if library is None:
        return rule
    scope = {**rule.__globals__, "lib": library}
    bound = types.FunctionType(
        rule.__code__, scope, rule.__name__, rule.__defaults__, rule.__closure__
    )
    bound.__qualname__ = rule.__qualname__
    return bound


@cache
def shape_only_params(entry: Primitive, kind: str) -> frozenset[str]:
    """The parameters of ``entry``'s ``kind`` rule that it reads only for their
    shape and dtype (``x`` in ``runtime.unreduce(out_bar, x)``)."""
    rule = template(entry, kind)
    uses: dict[str, list[bool]] = {p.name: [] for p in rule.params}
    by_value = {p: p.name for p in rule.params}
    for op in rule.walk():
        user = PRIMITIVES.get(op.name)
        for arg, operand in zip(user.args if user else (), op.operands):
            if operand in by_value:
                uses[by_value[operand]].append(arg in user.shape_only)
        if user is None:
            for operand in op.operands:
                if operand in by_value:
                    uses[by_value[operand]].append(False)
    return frozenset(name for name, flags in uses.items() if flags and all(flags))


def inline_rule(
    builder: Builder,
    entry: Primitive,
    kind: str,
    bind: Callable[[str], Value],
    wanted: list[bool] | None = None,
    loc: Loc | None = None,
) -> tuple[list[Value | None], set[Value]]:
    """Copy the rule's ops into ``builder`` and return its results.

    ``bind(name)`` gives the value of the rule parameter ``name``; it is
    asked only for the parameters the wanted results depend on, and only the
    ops they depend on are copied (``wanted`` marks the results needed, all
    by default; the others come back as None).  The copies carry ``loc``, the
    position of the op differentiated (a rule's own lines mean nothing in the
    user's file, where errors about the copies point).  Also returns the values
    created here, so the caller knows which results are fresh (and may be
    renamed) and which are passed-through inputs.
    """
    rule = template(entry, kind)
    wanted = wanted if wanted is not None else [True] * len(rule.returned)
    needed = {v for v, w in zip(rule.returned, wanted) if w}
    ops = []
    for op in reversed(rule.body.ops[:-1]):
        if any(r in needed for r in op.results):
            ops.append(op)
            needed.update(op.operands)
    mapping: dict[Value, Value] = {p: bind(p.name) for p in rule.params if p in needed}
    created: set[Value] = set()
    for op in reversed(ops):
        operands = [mapping[v] for v in op.operands]
        name, types = _retyped(op, operands)
        copy = builder.op(name, operands, types, attrs=op.attrs, loc=loc)
        for old, new in zip(op.results, copy.results):
            mapping[old] = new
            created.add(new)
    return [mapping[v] if w else None for v, w in zip(rule.returned, wanted)], created


def _retyped(op: Op, operands: list[Value]) -> tuple[str, list[str]]:
    """The name and result types of a rule's op applied to ``operands``: a rule
    written for numbers may be inlined for arrays (``x ** 2`` becomes the array
    power, and its result an array)."""
    entry = PRIMITIVES.get(op.name)
    if entry is None:
        return op.name, [r.type for r in op.results]
    entry, result_type = specialized(entry, operands)
    return entry.name, [result_type]


def rename(builder: Builder, value: Value, hint: str) -> None:
    """Give a fresh, still temporary value a readable name such as ``x_dot``."""
    value.hint = hint
    value.name = builder.function.names.fresh(hint)


def clone_op(
    builder: Builder,
    op: Op,
    mapping: dict[Value, Value],
    blocks: dict[Block, Block] | None = None,
) -> Op:
    """Copy ``op`` into ``builder``, regions included, mapping operands and keeping names.

    ``mapping`` gains every value the copy defines; ``blocks``, if given,
    gains each copied region.
    """
    regions = [_clone_block(builder, region, mapping, blocks) for region in op.regions]
    results = [_copy_value(builder, r) for r in op.results]
    operands = [mapping[v] for v in op.operands]
    copy = Op(op.name, operands, results, dict(op.attrs), regions, op.loc, op.exact)
    builder.block.ops.append(copy)
    mapping.update(zip(op.results, results))
    return copy


def _clone_block(
    builder: Builder,
    block: Block,
    mapping: dict[Value, Value],
    blocks: dict[Block, Block] | None,
) -> Block:
    copy = Block(args=[_copy_value(builder, a) for a in block.args])
    mapping.update(zip(block.args, copy.args))
    inner = Builder(builder.function, copy, builder.exact)
    for op in block.ops:
        clone_op(inner, op, mapping, blocks)
    if blocks is not None:
        blocks[block] = copy
    return copy


def _copy_value(builder: Builder, value: Value) -> Value:
    builder.function.names.taken.add(value.name)
    return value.copy()
