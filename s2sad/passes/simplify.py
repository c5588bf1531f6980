"""Simplification: constant folding, algebraic identities, common subexpressions, dead code.

Run after each derivative transformation, it turns the mechanical output of
the rules (``1.0 * x_dot + x * 0.0``) into the code a person would write.
Derivative ops follow real-number algebra (``0 * x == 0``, reassociated
constant factors): a zero tangent stays zero even where the primal is
infinite.  Ops of the user's program (:attr:`Op.exact`) only get rewrites
that keep their floating-point result bit for bit.
"""

from __future__ import annotations

import math
from typing import Any

from ..ir.core import (
    ARRAY,
    FLOAT,
    INT,
    NOT_CONSTANT,
    SEQ,
    TEMPORARY,
    Block,
    Function,
    Loc,
    Op,
    Value,
    is_array,
    type_of_constant,
)
from ..ir.ops import OUTPUT, RESIDUALS, TAPE, TERMINATORS
from ..ir.operands import has_effect, loop_inits
from ..rules.registry import PRIMITIVES, REDUCE
from ..analysis.sequences import refine_sequences
from ..analysis.shapes import SCALAR, TANGENT_OF, Shape, ShapeInference


def simplify(
    function: Function,
    seeds: dict[Value, Shape] | None = None,
    records: dict | None = None,
) -> Function:
    """Simplify ``function`` in place until nothing changes; returns it.

    ``seeds`` and ``records`` are shapes known from the function it was split
    from (see :class:`ShapeInference`).  Items of sequences are typed first
    (:func:`refine_sequences`): the rewrites of arrays must not apply to them."""
    refine_sequences(function)
    while True:
        changed = _Rewriter(function, seeds, records).block(function.body, {})
        changed |= eliminate_dead_code(function.body)
        if not changed:
            break
    for op in function.walk():
        op.attrs.pop(TANGENT_OF, None)
    eliminate_dead_code(function.body)
    return function


def eliminate_dead_code(block: Block) -> bool:
    """Remove ops whose results nothing reads; True if any was removed."""
    live: set[Value] = set()
    return _dead_code(block, live)


def _dead_code(block: Block, live: set[Value]) -> bool:
    kept: list[Op] = []
    changed = False
    for op in reversed(block.ops):
        if (
            op.name not in ("return", "yield")
            and not _has_effects(op)
            and not any(r in live for r in op.results)
        ):
            changed = True
            continue
        kept.append(op)
        if op.name == "if":
            changed |= _drop_dead_results(op, live)
        for region in op.regions:
            changed |= _dead_code(region, live)
        live.update(v for v in op.operands)
        if TANGENT_OF in op.attrs:
            live.add(op.attrs[TANGENT_OF])
    block.ops = kept[::-1]
    return changed


def _drop_dead_results(op: Op, live: set[Value]) -> bool:
    """Remove the results of an ``if`` that nothing reads, and what its branches yield for them."""
    keep = [k for k, r in enumerate(op.results) if r in live]
    if len(keep) == len(op.results):
        return False
    op.results = [op.results[k] for k in keep]
    for region in op.regions:
        term = region.terminator
        term.operands = [term.operands[k] for k in keep]
    return True


def _kept_arrays(function: Function) -> set[Value]:
    """The arrays that must stay arrays, never the number 0 standing for zeros:
    those a loop starts from (it may index them), and those a branch yields
    where another branch may yield an array that is not zero (what reads the
    ``if``'s result may index it);
    then, through any depth, what an ``if``'s branches yield as such a value,
    copies (``np.copy(x_bar)`` starting a loop, as in forward mode over a
    gradient), stores (``x_bar[i] = 0.0``, the adjoint of a write after a
    loop) and the arrays of a sum (``e_dot = x_dot * 0.0 + x * 0.0``, the
    tangent of ``e = x * 0.0``)."""
    ops = list(function.walk())
    branches = [op for op in ops if op.name == "if"]
    passing = [op for op in ops if op.name in ("np.copy", "setitem")]
    sums = [
        op
        for op in ops
        if op.name in ("add", "sub") and op.results and op.result.type == ARRAY
    ]
    found = {v for op in ops for v in loop_inits(op)}
    zeros = _static_zeros(function.body, set())
    for op in branches:
        for k, result in enumerate(op.results):
            yielded = [region.terminator.operands[k] for region in op.regions]
            if result.type == ARRAY and not all(v in zeros for v in yielded):
                found.update(yielded)
    grown = True
    while grown:
        grown = False
        for op in passing:
            if op.result in found and op.operands[0] not in found:
                found.add(op.operands[0])
                grown = True
        for op in sums:
            if op.result in found:
                for v in op.operands:
                    if v.type == ARRAY and v not in found:
                        found.add(v)
                        grown = True
        for op in branches:
            for k, result in enumerate(op.results):
                if result not in found:
                    continue
                for region in op.regions:
                    yielded = region.terminator.operands[k]
                    if yielded not in found:
                        found.add(yielded)
                        grown = True
    return found


def _static_zeros(block: Block, zeros: set[Value]) -> set[Value]:
    """``zeros`` with the values of ``block`` (and its regions) that are zero as
    written: zeros shaped like a value, the constant 0, an ``if`` result every
    branch yields as such."""
    for op in block.ops:
        for region in op.regions:
            _static_zeros(region, zeros)
        value = op.attrs.get("value") if op.name == "const" else None
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if op.name == "zeros_like" or (number and value == 0):
            zeros.update(op.results)
        elif op.name == "if":
            for k, result in enumerate(op.results):
                if all(r.terminator.operands[k] in zeros for r in op.regions):
                    zeros.add(result)
    return zeros


def _kept(op: Op) -> bool:
    """Ops declared with an effect other than storing their operands (the tape,
    the residuals, output): never removed, merged or moved."""
    return has_effect(op, TAPE, RESIDUALS, OUTPUT)


def _has_effects(op: Op) -> bool:
    return _kept(op) or any(
        _has_effects(inner) for region in op.regions for inner in region.ops
    )


class _Rewriter:
    """One forward walk: fold, apply identities, merge duplicates."""

    def __init__(
        self,
        function: Function,
        seeds: dict[Value, Shape] | None = None,
        records: dict | None = None,
    ) -> None:
        self.function = function
        self.kept: list[Op] = []
        self.loc: Loc | None = None
        """The source position of the op being rewritten (new ops take it)."""
        self.replaced: dict[Value, Value] = {}
        self.constants: dict[Value, Any] = {}
        self.definers: dict[Value, Op] = {}
        self.changed = False
        self.kept_arrays = _kept_arrays(function)
        """Arrays that stay arrays, never folded to the number 0 (a loop may
        write into them, or code after a join index them)."""
        self.inference = ShapeInference(function, seeds, records)
        self.shapes = self.inference.shapes

    def block(self, block: Block, seen: dict[tuple, Value]) -> bool:
        outer, kept = self.kept, []
        self.kept = kept
        for op in block.ops:
            op.operands = [self.resolve(v) for v in op.operands]
            for region in op.regions:
                self.block(region, dict(seen))
            self.loc = op.loc
            if op.name == "if":
                self.zero_results(op)
            if (
                op.regions
                or op.name in TERMINATORS
                or _kept(op)
                or len(op.results) != 1
            ):
                kept.append(op)
                continue
            self.fold(op)
            replacement = self.identity(op)
            if replacement is None:
                replacement = seen.get(self.key(op))
            if replacement is not None:
                self.replaced[op.result] = replacement
                self.changed = True
                continue
            seen[self.key(op)] = op.result
            self.definers[op.result] = op
            if op.name == "const":
                self.constants[op.result] = op.attrs["value"]
            kept.append(op)
        block.ops = kept
        self.kept = outer
        return self.changed

    def zero_results(self, op: Op) -> None:
        """An ``if`` result every branch yields as zero (the number 0, or zeros
        shaped like a value) is the number 0: what reads it then folds, and no
        branch's number 0 is ever indexed as if it were the array."""
        for k, result in enumerate(op.results):
            if result.type not in (FLOAT, ARRAY) or result in self.replaced:
                continue
            if result.type == ARRAY and result in self.kept_arrays:
                continue
            yielded = [
                self.resolve(region.terminator.operands[k]) for region in op.regions
            ]
            if all(self._is_zero(v) for v in yielded):
                zero = 0.0 if result.type == FLOAT else 0
                self.replaced[result] = self.insert(
                    "const", [], type_of_constant(zero), zero
                )
                self.changed = True

    def _is_zero(self, value: Value) -> bool:
        if self.const(value) is not None:
            return self.zero_constant(value)
        return self.defined_by(value, "zeros_like") is not None

    def zero_constant(self, value: Value) -> bool:
        """``value`` is the constant number 0 (not False)."""
        constant = self.const(value)
        return constant == 0 and not isinstance(constant, bool)

    def resolve(self, value: Value) -> Value:
        while value in self.replaced:
            value = self.replaced[value]
        return value

    def key(self, op: Op) -> tuple:
        if op.name == "const":
            value = op.attrs["value"]
            return ("const", type(value).__name__, repr(value))
        operands = list(op.operands)
        entry = PRIMITIVES.get(op.name)
        if entry is not None and entry.commutative:
            operands.sort(key=id)
        return (op.name, tuple(operands), tuple(sorted(op.attrs.items())))

    def const(self, value: Value) -> Any:
        return self.constants.get(value)

    def defined_by(self, value: Value, name: str) -> Op | None:
        op = self.definers.get(value)
        return op if op is not None and op.name == name else None

    def fold(self, op: Op) -> None:
        entry = PRIMITIVES.get(op.name)
        if entry is None or entry.binding is not None or not op.operands:
            return
        values = [self.const(v) for v in op.operands]
        if any(v is None for v in values):
            return
        try:
            result = entry.python(*values)
        except (ArithmeticError, ValueError, TypeError, IndexError):
            return
        if isinstance(result, (int, float)) and not (
            isinstance(result, float) and math.isnan(result)
        ):
            self.become_const(op, result)

    def become_const(self, op: Op, value: Any) -> None:
        op.name, op.operands, op.attrs = "const", [], {"value": value}
        op.result.type = type_of_constant(value)
        op.result.constant = value
        self.changed = True

    def become(self, op: Op, name: str, operands: list[Value]) -> None:
        op.name, op.operands = name, operands
        self.changed = True

    def insert(
        self,
        name: str,
        operands: list[Value],
        type: str,
        value: Any = None,
        exact: bool = False,
    ) -> Value:
        """A new temporary ``name(operands)`` (a constant if ``value`` is given),
        placed before the op being rewritten, at its source line."""
        result = Value(
            self.function.names.fresh(TEMPORARY),
            type,
            TEMPORARY,
            NOT_CONSTANT if value is None else value,
        )
        attrs = {} if value is None else {"value": value}
        self.kept.append(Op(name, operands, [result], attrs, loc=self.loc, exact=exact))
        if value is not None:
            self.constants[result] = value
        self.definers[result] = self.kept[-1]
        return result

    def hoist_negation(self, op: Op, x: Value, y: Value) -> bool:
        """``(-a) * b``, ``a * (-b)``, ``(-a) / b`` -> ``-(a * b)``, ``-(a / b)``."""
        negated = self.defined_by(x, "neg")
        if negated is not None:
            inner = self.insert(
                op.name, [negated.operands[0], y], op.result.type, exact=op.exact
            )
        elif op.name == "mul" and (negated := self.defined_by(y, "neg")) is not None:
            inner = self.insert(
                op.name, [x, negated.operands[0]], op.result.type, exact=op.exact
            )
        else:
            return False
        self.become(op, "neg", [inner])
        return True

    def same_shape(self, a: Value, b: Value) -> bool:
        """True when ``a`` and ``b`` certainly have the same shape."""
        known = self.shapes.get(a)
        return known is not None and known == self.shapes.get(b)

    def scalar_spread(self, value: Value) -> Op | None:
        """The op ``unreduce(c, v)`` defining ``value``, when ``c`` is a number: ``c``
        spread over the shape of ``v`` (the adjoint of ``np.sum(v)``)."""
        op = self.defined_by(value, "unreduce")
        if op is None:
            return None
        g, _, axis, keepdims = op.operands
        if (
            self.shapes.get(g) == SCALAR
            and axis.constant is None
            and keepdims.constant is False
        ):
            return op
        return None

    def identity(self, op: Op) -> Value | None:
        """A value equal to ``op``'s result, or None; may rewrite ``op`` in place."""
        if self.zero_product(op):
            like = self.shaped_like(op) if self.kept_array(op) else None
            if like is not None:
                return self.insert("zeros_like", [like], op.result.type)
            self.become_const(op, 0.0)
            return None
        rule = _IDENTITIES.get(op.name)
        return rule(self, op, *op.operands) if rule else None

    def shaped_like(self, op: Op) -> Value | None:
        """An operand of ``op`` of its result's type and (inferred) shape, or None."""
        shape = self.shapes.get(op.result)
        if shape is None:
            return None
        for value in op.operands:
            if value.type == op.result.type and self.shapes.get(value) == shape:
                return value
        return None

    def kept_array(self, op: Op) -> bool:
        """``op``'s result is an array that must stay one (see :func:`_kept_arrays`):
        it is not folded to the number 0, which what reads it may index."""
        return op.result.type == ARRAY and op.result in self.kept_arrays

    def zero_product(self, op: Op) -> bool:
        """A derivative op linear in each differentiable argument, one of them 0
        (``0.0 @ x``, ``np.sum(0.0)``): its result is 0, of whatever shape."""
        entry = PRIMITIVES.get(op.name)
        if entry is None or not entry.linear or op.exact or op.name == "mul":
            return False
        return any(
            self.zero_constant(v)
            for v, arg in zip(op.operands, entry.args)
            if arg not in entry.nondiff and arg not in entry.shape_only
        )


def _keeps_type(op: Op, value: Value) -> Value | None:
    return value if value.type == op.result.type else None


def _without_zero(s: _Rewriter, op: Op, kept: Value) -> Value | None:
    """``op``'s result where its other operand is 0: ``kept``, or, where ``op``
    is a tangent whose primal may have a larger shape (``x_dot + 0`` for
    ``x + B`` with ``B`` constant), ``kept`` broadcast to that shape."""
    if TANGENT_OF not in op.attrs:
        return _keeps_type(op, kept)
    primal = s.resolve(op.attrs[TANGENT_OF])
    shape = s.shapes.get(kept)
    if shape is not None and shape == s.shapes.get(primal):
        return _keeps_type(op, kept)
    s.become(op, "broadcast_like", [kept, primal])
    op.attrs = {}
    return None


def _add(s: _Rewriter, op: Op, x: Value, y: Value) -> Value | None:
    if s.const(y) == 0:
        return _without_zero(s, op, x)
    if s.const(x) == 0:
        return _without_zero(s, op, y)
    for total, part in ((x, y), (y, x)):
        scattered = s.defined_by(part, "add_at")
        if (
            scattered is not None
            and s.defined_by(scattered.operands[0], "zeros_like")
            and not op.exact
        ):
            _, array, index, g = scattered.operands
            s.become(op, "add_at", [total, array, index, g])
            op.result.type = ARRAY
            return None
    if x is y:
        two = 2 if op.result.type == INT else 2.0
        s.become(op, "mul", [s.insert("const", [], op.result.type, two), x])
    elif negated := s.defined_by(y, "neg"):
        s.become(op, "sub", [x, negated.operands[0]])
    elif negated := s.defined_by(x, "neg"):
        s.become(op, "sub", [y, negated.operands[0]])
    return None


def _sub(s: _Rewriter, op: Op, x: Value, y: Value) -> Value | None:
    if s.const(y) == 0:
        return _without_zero(s, op, x)
    if s.const(x) == 0:
        if TANGENT_OF in op.attrs:
            y = s.insert("neg", [y], y.type)
            return _without_zero(s, op, y)
        s.become(op, "neg", [y])
    elif negated := s.defined_by(y, "neg"):
        s.become(op, "add", [x, negated.operands[0]])
    return None


def _mul(s: _Rewriter, op: Op, x: Value, y: Value) -> Value | None:
    for a, b in ((x, y), (y, x)):
        if s.const(a) == 0 and not op.exact and not s.kept_array(op):
            s.become_const(op, 0.0 if op.result.type == FLOAT else 0)
            return None
        if s.const(a) == 1:
            return _keeps_type(op, b)
        if s.const(a) == -1:
            s.become(op, "neg", [b])
            return None
        if (
            s.const(a) is not None
            and not op.exact
            and _fold_constant_factor(s, op, a, b)
        ):
            return None
    s.hoist_negation(op, x, y)
    return None


def _fold_constant_factor(s: _Rewriter, op: Op, c: Value, product: Value) -> bool:
    """``c1 * (c2 * x)`` -> ``(c1 * c2) * x``."""
    inner = s.defined_by(product, "mul")
    if inner is None:
        return False
    for k, x in (inner.operands, inner.operands[::-1]):
        if s.const(k) is not None and s.const(x) is None:
            factor = s.insert("const", [], op.result.type, s.const(c) * s.const(k))
            s.become(op, "mul", [factor, x])
            return True
    return False


def _div(s: _Rewriter, op: Op, x: Value, y: Value) -> Value | None:
    if s.const(y) == 1:
        return _keeps_type(op, x)
    if s.const(x) == 0 and not op.exact:
        s.become_const(op, 0.0)
    else:
        s.hoist_negation(op, x, y)
    return None


def _neg(s: _Rewriter, op: Op, x: Value) -> Value | None:
    spread = s.scalar_spread(x)
    if spread is not None and not op.exact:
        c, v, axis, keepdims = spread.operands
        s.become(op, "unreduce", [s.insert("neg", [c], FLOAT), v, axis, keepdims])
        return None
    negated = s.defined_by(x, "neg")
    return negated.operands[0] if negated else None


def _pow(s: _Rewriter, op: Op, x: Value, y: Value) -> Value | None:
    if s.const(y) == 1:
        return _keeps_type(op, x)
    return None


def _power_factor(s: _Rewriter, op: Op, x: Value, y: Value) -> Value | None:
    """``runtime.power_factor(x, c)`` with a constant ``c`` is 0 for ``c == 0`` (rules
    only ever multiply it by ``c``) and ``x ** (c - 1)`` for ``c >= 1`` (where
    Python's ``**`` cannot raise)."""
    exponent = s.const(y)
    if not isinstance(exponent, (int, float)) or isinstance(exponent, bool):
        return None
    if exponent == 0 and not op.exact:
        s.become_const(op, 0.0)
    elif exponent >= 1:
        lowered = exponent - 1
        minus_one = s.insert("const", [], type_of_constant(lowered), lowered)
        s.become(
            op, "np.pow_operator" if is_array(op.result.type) else "pow", [x, minus_one]
        )
        return _pow(s, op, x, minus_one)
    return None


def _divide(s: _Rewriter, op: Op, x: Value, y: Value) -> Value | None:
    """``runtime.divide(x, c)`` with a constant ``c != 0`` is ``x / c``; of a zero
    (derivative) ``x`` it is 0."""
    divisor = s.const(y)
    if s.const(x) == 0 and not op.exact:
        s.become_const(op, 0.0)
    elif isinstance(divisor, (int, float)) and divisor != 0:
        s.become(op, "div", [x, y])
        return _spread_product(s, op, x, y)
    return None


def _xlogy(s: _Rewriter, op: Op, x: Value, y: Value) -> Value | None:
    """``xlogy(0, y)`` is 0; ``xlogy(x, c)`` with a constant ``c > 0`` is ``x * log(c)``,
    a folded constant."""
    if s.const(x) == 0 and not op.exact:
        s.become_const(op, 0.0)
        return None
    base = s.const(y)
    if base is not None and base > 0:
        s.become(op, "mul", [x, s.insert("const", [], FLOAT, math.log(base))])
    return None


def _xlogy_array(s: _Rewriter, op: Op, x: Value, y: Value) -> Value | None:
    """``xlogy_array(0, y)`` is 0."""
    if s.const(x) == 0 and not op.exact:
        s.become_const(op, 0.0)
    return None


def _scatter(s: _Rewriter, op: Op, g: Value, x: Value, index: Value) -> Value | None:
    """``getitem_adjoint(g, x, i)`` is zeros shaped like ``x`` with ``g`` added at ``i``:
    written so, the zeros are a new array later adjoints are added into in place."""
    if is_array(x.type):
        zeros = s.insert("zeros_like", [x], ARRAY)
        s.become(op, "add_at", [zeros, x, index, g])
    return None


def _unbroadcast(s: _Rewriter, op: Op, g: Value, x: Value) -> Value | None:
    """Summing ``g`` back to the shape of ``x`` does nothing when the shapes are
    equal; a sum of ``-h`` or ``k * h`` (``k`` a number) is ``-`` or ``k *`` the sum of ``h``.
    """
    if s.same_shape(g, x):
        return g
    negated = s.defined_by(g, "neg")
    scaled = s.defined_by(g, "mul")
    if negated is not None:
        inner = s.insert("unbroadcast", [negated.operands[0], x], op.result.type)
        s.become(op, "neg", [inner])
    elif scaled is not None:
        for k, h in (scaled.operands, scaled.operands[::-1]):
            if s.shapes.get(k) == SCALAR and s.shapes.get(h) != SCALAR:
                inner = s.insert("unbroadcast", [h, x], op.result.type)
                s.become(op, "mul", [k, inner])
                break
    return None


def _items_like(s: _Rewriter, op: Op, g: Value, x: Value) -> Value | None:
    """The adjoint of ``np.array(x)`` laid out as ``x`` is that adjoint itself
    where ``x`` is an array."""
    return g if x.type != SEQ else None


def _spread_product(s: _Rewriter, op: Op, x: Value, y: Value) -> Value | None:
    """``g`` spread over ``v``'s shape, times a number ``k``, is ``g * k`` spread
    over that shape (fewer multiplications); ``c`` (a number) spread, times ``y`` of
    that same shape, is ``c * y``."""
    for a, b in ((x, y), (y, x)) if op.name == "mul" else ((x, y),):
        spread = s.defined_by(a, "unreduce")
        if spread is None or op.exact:
            continue
        g, v, axis, keepdims = spread.operands
        operands = [g, b] if a is x else [b, g]
        if s.shapes.get(b) == SCALAR:
            scaled = s.insert(op.name, operands, g.type)
            s.become(op, "unreduce", [scaled, v, axis, keepdims])
            return None
        if s.scalar_spread(a) is not None and s.same_shape(b, v):
            s.become(op, op.name, operands)
            return None
    return (_mul if op.name == "mul" else _div)(s, op, x, y)


def _unreduce(
    s: _Rewriter, op: Op, g: Value, x: Value, axis: Value, keepdims: Value
) -> Value | None:
    """A number spread over one shape, then spread again over ``x``'s, is that
    number spread over ``x``'s shape."""
    spread = s.scalar_spread(g)
    if spread is not None and not op.exact:
        c, _, whole, flat = spread.operands
        s.become(op, "unreduce", [c, x, whole, flat])
    return None


def _reduced_count(s: _Rewriter, op: Op, x: Value, axis: Value) -> Value | None:
    """Count elements without computing the array: through an elementwise op to
    an operand of the same shape, and through a reduction to its argument."""
    definer = s.definers.get(x)
    entry = PRIMITIVES.get(definer.name) if definer is not None else None
    if entry is None:
        return None
    if entry.elementwise:
        for operand in definer.operands:
            if operand is not x and s.same_shape(operand, x):
                s.become(op, "reduced_count", [operand, axis])
                return None
    if entry.result_type == REDUCE and axis.constant is None:
        static = dict(zip(entry.args, definer.operands))
        if static["keepdims"].constant is False:
            every = s.insert("reduced_count", [static["x"], axis], INT)
            part = s.insert("reduced_count", [static["x"], static["axis"]], INT)
            s.become(op, "floordiv", [every, part])
    return None


def _add_at(
    s: _Rewriter, op: Op, acc: Value, x: Value, index: Value, g: Value
) -> Value | None:
    """Adding ``c`` spread over a shape at ``index`` adds ``c`` to each element
    there; an array ``acc`` of ``x``'s shape gives that shape itself (so ``x``
    need not be kept for it); with a number ``acc``, so does ``y`` for ``x =
    zeros_like(y)`` (the zeros need not be made: ``add_at`` reads only the shape
    and floating dtype of ``x``)."""
    spread = s.scalar_spread(g)
    zeros = s.defined_by(x, "zeros_like")
    if spread is not None:
        s.become(op, "add_at", [acc, x, index, spread.operands[0]])
    elif x is not acc and s.same_shape(acc, x) and s.shapes[acc] != SCALAR:
        s.become(op, "add_at", [acc, acc, index, g])
    elif zeros is not None and s.shapes.get(acc) == SCALAR:
        s.become(op, "add_at", [acc, zeros.operands[0], index, g])
    return None


def _broadcast_like(s: _Rewriter, op: Op, t: Value, x: Value) -> Value | None:
    """A tangent already of its primal's shape is not broadcast (as at run time)."""
    return t if s.same_shape(t, x) else None


def _setitem_value_adjoint(
    s: _Rewriter, op: Op, g: Value, index: Value, value: Value
) -> Value | None:
    """The adjoint of a number stored into one element, ``x[i] = v``, is that
    element of ``x``'s adjoint: ``g[i]``."""
    if s.shapes.get(value) == SCALAR and s.inference.slot(op) == SCALAR:
        s.become(op, "getitem", [g, index])
        op.result.type = FLOAT
    return None


def _setitem(
    s: _Rewriter, op: Op, x: Value, index: Value, value: Value
) -> Value | None:
    """Zeros with a zero stored into them are zeros: ``setitem(0, i, 0.0)``, the
    adjoint before a write that no adjoint reached, is 0."""
    zero = s.zero_constant(x) and s.zero_constant(value)
    if zero and not op.exact and not s.kept_array(op):
        s.become_const(op, 0.0)
    return None


def _select(s: _Rewriter, op: Op, c: Value, a: Value, b: Value) -> Value | None:
    if a is b:
        return a
    condition = s.const(c)
    if condition is None:
        return None
    return a if condition else b


_IDENTITIES = {
    "add": _add,
    "sub": _sub,
    "mul": _spread_product,
    "div": _spread_product,
    "neg": _neg,
    "pow": _pow,
    "np.pow_operator": _pow,
    "np.power": _pow,
    "select": _select,
    "xlogy": _xlogy,
    "xlogy_array": _xlogy_array,
    "power_factor": _power_factor,
    "divide": _divide,
    "getitem_adjoint": _scatter,
    "unbroadcast": _unbroadcast,
    "items_like": _items_like,
    "unreduce": _unreduce,
    "reduced_count": _reduced_count,
    "add_at": _add_at,
    "broadcast_like": _broadcast_like,
    "setitem_value_adjoint": _setitem_value_adjoint,
    "setitem": _setitem,
}
