"""How each primitive is applied to batches: the ``batch`` field of the rule table.

A batched Hessian-vector product (:mod:`s2sad.passes.batch`) computes ``k``
products in one call: every value that depends on the directions carries a
leading *batch axis* of length ``k``.  An op with a batched operand is
rewritten by its primitive's batching rule, one of the objects below, so that
it computes, for each direction, what the op computes for that direction
alone.  A rule builds ops through a *context* the pass hands it:

* ``ctx.operands`` and ``ctx.flags``: the op's operands and which are batches;
* ``ctx.emit(name, operands, type)``: a new op of primitive ``name``, its result;
* ``ctx.finish(operands, name=None)``: the op itself (or primitive ``name`` in
  its place) applied to ``operands``, defining the op's results as batches;
* ``ctx.same(value)``: the op's result is ``value``;
* ``ctx.broadcast(value)`` (a batch of a value the same for every direction),
  ``ctx.first(value)`` (one direction's value, for its shape), ``ctx.const``,
  ``ctx.outranks(j, i)`` (operand ``j`` may have more dimensions than operand
  ``i``, for all the shape analysis knows), ``ctx.fits(i)`` (the value written by
  an indexed write has the dimensions of the place it goes), ``ctx.reads_number()``
  (the op's result is a number for each direction), ``ctx.index(v)``
  (an index of a value as an index of a batch, None where index arrays would
  move the batch axis), ``ctx.nested(i)`` (operand ``i`` is a sequence with a
  sequence among its items), ``ctx.may_be_sequence(i)`` (operand ``i`` is an
  item taken from a sequence, itself perhaps one), ``ctx.pack(values)`` (a
  tuple), ``ctx.batch`` (the count ``k``) and ``ctx.refuse(why)``.

A primitive whose ``batch`` is None is refused with an error naming it.  Only
the shape-reading arguments of an op may be batched where the result is not
(``x.shape``): the pass reads them from one direction's value, with no rule.
"""

from __future__ import annotations

from typing import Any

from ..ir.core import ARRAY, NOT_CONSTANT, SEQ, is_array


class Rule:
    """A way of applying a primitive to batched operands."""

    name = "rule"

    def apply(self, ctx: Any) -> None:
        """Rewrite the op of ``ctx`` for batches."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name


class Elementwise(Rule):
    """Operands broadcast against each other: a batch that may have fewer dimensions
    than another operand is lifted (axes of length 1 after its batch axis), then
    the op applies; a primitive for numbers switches to its ``array_twin``, or
    to the NumPy function ``twin`` (``math.sin``: ``np.sin``)."""

    name = "elementwise"

    def __init__(self, twin: str | None = None):
        self.twin = twin

    def apply(self, ctx: Any) -> None:
        operands = list(ctx.operands)
        for i, flag in enumerate(ctx.flags):
            if not flag:
                continue
            for j, other in enumerate(ctx.operands):
                if j != i and ctx.outranks(j, i):
                    helper = "lift_batched" if ctx.flags[j] else "lift"
                    operands[i] = ctx.emit(helper, [operands[i], other], ARRAY)
        ctx.finish(operands, name=self.twin, twin=True)


class Natural(Rule):
    """The op applied to a batch as it is already does it for each direction:
    it works on the last axes (``np.linalg.det``) or on every element alike
    (``np.copy``, ``zeros_like``)."""

    name = "natural"

    def apply(self, ctx: Any) -> None:
        ctx.finish(list(ctx.operands))


class Identity(Rule):
    """The op returns its operand (``float(x)``)."""

    name = "identity"

    def apply(self, ctx: Any) -> None:
        ctx.same(ctx.operands[0])


class Choice(Rule):
    """``a if c else b``: both alternatives made batches, so whichever is chosen is one."""

    name = "choice"

    def apply(self, ctx: Any) -> None:
        condition, *values = ctx.operands
        if ctx.flags[0]:
            ctx.refuse("its condition depends on the directions")
        values = [
            v if flag else ctx.broadcast(v) for v, flag in zip(values, ctx.flags[1:])
        ]
        ctx.finish([condition, *values])


class Reduction(Rule):
    """A reduction over ``axis``: the axis moves past the batch axis, and
    ``axis=None`` reduces every axis but the batch's."""

    name = "reduction"

    def __init__(self, axis: str = "axis"):
        self.axis = axis

    def apply(self, ctx: Any) -> None:
        operands = list(ctx.operands)
        k = ctx.entry.args.index(self.axis)
        if any(flag for j, flag in enumerate(ctx.flags) if j):
            ctx.refuse(
                "an argument other than the array reduced depends on the directions"
            )
        axis = operands[k]
        if axis.constant is NOT_CONSTANT or axis.constant is None:
            operands[k] = ctx.emit("batch_axis", [operands[0], axis], "object")
        else:
            operands[k] = ctx.const(shifted(axis.constant))
        ctx.finish(operands)


class Axes(Rule):
    """An op of an array (or a sequence of them) and constant axes: each axis moves
    past the batch axis.  ``None`` (every axis, or the flattened array) has no
    such axis, and a list among the sequence's items (``[x, [a, b]]``) would be
    read with its batch axis last: the op then runs once per direction, as
    :class:`Loop` does."""

    name = "axes"

    def __init__(self, *axes: str, joins: bool = False):
        self.axes = axes
        self.joins = joins
        """The op joins the items of a sequence (``np.stack``): given one array
        instead (a list written item by item is one), a batch of them would be
        read along its batch axis, so the op runs once per direction."""

    def apply(self, ctx: Any) -> None:
        operands = list(ctx.operands)
        if any(flag for j, flag in enumerate(ctx.flags) if j) or ctx.nested(0):
            return LOOP.apply(ctx)
        if self.joins and operands[0].type != SEQ:
            return LOOP.apply(ctx)
        for name in self.axes:
            k = ctx.entry.args.index(name)
            value = operands[k].constant
            if value is NOT_CONSTANT or value is None:
                return LOOP.apply(ctx)
            operands[k] = ctx.const(shifted(value))
        ctx.finish(operands)


class Transpose(Rule):
    """``x.T``, ``np.transpose(x, axes)``: the batch axis stays in front."""

    name = "transpose"

    def apply(self, ctx: Any) -> None:
        axes = ctx.operands[1] if len(ctx.operands) > 1 else ctx.const(None)
        ctx.finish([ctx.operands[0], axes], name="transpose_batched")


class Reshape(Rule):
    """``np.reshape(x, shape)`` and ``np.ravel(x)`` of each value: the batch axis kept."""

    name = "reshape"

    def apply(self, ctx: Any) -> None:
        if any(ctx.flags[1:]):
            ctx.refuse("the shape depends on the directions")
        shape = ctx.operands[1] if len(ctx.operands) > 1 else ctx.const(-1)
        ctx.finish([ctx.operands[0], shape], name="reshape_batched")


class Dot(Rule):
    """``np.dot(x, y)`` with either or both operands batches: ``x @ y`` where the
    values have one or two dimensions, else one call per direction
    (:func:`s2sad.runtime.dot_batched`)."""

    name = "dot"

    def apply(self, ctx: Any) -> None:
        x, y = ctx.operands
        flags = [ctx.const(bool(f)) for f in ctx.flags]
        ctx.finish([x, y, *flags], name="dot_batched")


class Product(Rule):
    """``x @ y`` with either or both operands batches (:func:`s2sad.runtime.matmul_batched`)."""

    name = "matmul"

    def apply(self, ctx: Any) -> None:
        x, y = ctx.operands
        flags = [ctx.const(bool(f)) for f in ctx.flags]
        ctx.finish([x, y, *flags], name="matmul_batched")


class Getitem(Rule):
    """``x[index]``: ``x[:, index]``, the batch axis kept in front (through
    :func:`s2sad.runtime.getitem_batched` where index arrays would move it); a
    sequence of batches is indexed as it is, and an item taken from a sequence,
    which may be either, by :func:`s2sad.runtime.item_batched`.  The batch of
    elements read where each direction reads a number is a copy: a number never
    changes when the array it was read from is written, a view would."""

    name = "getitem"

    def apply(self, ctx: Any) -> None:
        x, index = ctx.operands
        if ctx.flags[1]:
            ctx.refuse("the index depends on the directions")
        if ctx.operands[0].type == SEQ:
            return ctx.finish([x, index])
        if ctx.may_be_sequence(0):
            return ctx.finish([x, index], name="item_batched")
        batched = ctx.index(index)
        name, operands = (
            ("getitem_batched", [x, index]) if batched is None else (None, [x, batched])
        )
        if not ctx.reads_number():
            return ctx.finish(operands, name=name)
        picked = ctx.emit(name or "getitem", operands, ARRAY)
        ctx.finish([picked], name="np.copy")


class Setitem(Rule):
    """``x[index] = value``: written into a batch (``x`` made one if it is not) at
    ``[:, index]``, the value shaped as the place it goes (lifted, or its batch
    axis moved where index arrays put it: ``runtime.lift_region``); a sequence
    of batches written into an array is made one batch first
    (``runtime.array_batched``), as NumPy makes an array of a list it stores."""

    name = "setitem"

    def apply(self, ctx: Any) -> None:
        x, index, value = ctx.operands
        if ctx.flags[1]:
            ctx.refuse("the index depends on the directions")
        if ctx.flags[2] and value.type == SEQ and x.type != SEQ:
            value = ctx.emit("array_batched", [value], ARRAY)
        x = x if ctx.flags[0] else ctx.broadcast(x)
        batched = ctx.index(index, write=True)
        if ctx.flags[2] and not ctx.fits(2, batched):
            value = ctx.emit("lift_region", [value, x, batched], ARRAY)
        ctx.finish([x, batched, value])


class AddAt(Rule):
    """``runtime.add_at(acc, x, index, g)``: ``acc`` (a batch, lifted to ``x``'s
    dimensions, or a number) with the batch ``g`` added at ``[:, index]``; a
    new batch from a number is laid out as ``g`` is (``runtime.add_at_batched``)."""

    name = "add_at"

    def apply(self, ctx: Any) -> None:
        acc, x, index, g = ctx.operands
        acc_batched, x_batched, index_batched, g_batched = ctx.flags
        if index_batched:
            ctx.refuse("the index depends on the directions")
        if x.type == SEQ or ctx.may_be_sequence(1):
            return LOOP.apply(ctx)  # the adjoint of a list item: a list per direction
        shape = x if x_batched else ctx.emit("batched_shape", [x, ctx.batch], ARRAY)
        if acc_batched and ctx.outranks(1, 0):
            acc = ctx.emit("lift_batched" if x_batched else "lift", [acc, x], ARRAY)
        elif not acc_batched and is_array(acc.type):
            acc = ctx.broadcast(acc)
        batched = ctx.index(index, write=True)
        if g_batched and not ctx.fits(3, batched):
            g = ctx.emit("lift_region", [g, shape, batched], ARRAY)
        fresh = not acc_batched and not is_array(acc.type)
        ctx.finish([acc, shape, batched, g], name="add_at_batched" if fresh else None)


class Helper(Rule):
    """A runtime helper with a batched twin (``runtime.unbroadcast_batched``): its
    ``data`` arguments made batches, its shape-reading ones read from one direction."""

    name = "helper"

    def __init__(self, twin: str, *data: str):
        self.twin = twin
        self.data = data

    def apply(self, ctx: Any) -> None:
        operands = []
        for arg, value, flag in zip(ctx.entry.args, ctx.operands, ctx.flags):
            if arg in self.data:
                value = value if flag else ctx.broadcast(value)
            elif flag and arg in ctx.entry.shape_only:
                value = ctx.first(value)
            elif flag:
                ctx.refuse(f"its argument {arg!r} depends on the directions")
            operands.append(value)
        ctx.finish(operands, name=self.twin)


class HelperOrLoop(Helper):
    """A runtime helper with a batched twin for batches of its ``data`` arguments
    alone (``runtime.matmul_adjoint_y_batched``, for batches of ``g``); where
    another argument is a batch too, one call per direction (:class:`Loop`)."""

    name = "helper-or-loop"

    def apply(self, ctx: Any) -> None:
        entry = ctx.entry
        others = [
            flag
            for arg, flag in zip(entry.args, ctx.flags)
            if arg not in self.data and arg not in entry.shape_only
        ]
        if any(others):
            return LOOP.apply(ctx)
        super().apply(ctx)


class ArrayOf(Rule):
    """``np.array(x)``: a copy of a batch, or the batch of arrays made of a sequence
    of batches (:func:`s2sad.runtime.array_batched`)."""

    name = "array"

    def apply(self, ctx: Any) -> None:
        if ctx.operands[0].type == SEQ:
            return ctx.finish(list(ctx.operands), name="array_batched")
        ctx.finish(list(ctx.operands))


class Loop(Rule):
    """The fallback for operations rarely met in Hessians (``np.linalg.solve``,
    ``np.einsum``): :func:`s2sad.runtime.batch_loop` calls the function once per
    direction and stacks the results, so it is right, but not vectorised."""

    name = "loop"

    def apply(self, ctx: Any) -> None:
        entry = ctx.entry
        if entry.binding is not None:
            spelled = ":".join(entry.binding)
        elif entry.syntax.kind == "call":
            spelled = entry.syntax.text
        else:
            return ctx.refuse("it has no function to call once per direction")
        keyword_only = entry.keyword_only()
        keywords = tuple(a if a in keyword_only else "" for a in entry.args)
        args = ctx.pack(list(ctx.operands))
        operands = [
            ctx.const(spelled),
            ctx.const(keywords),
            ctx.const(tuple(bool(f) for f in ctx.flags)),
            args,
        ]
        ctx.finish(operands, name="batch_loop")


def shifted(axis: Any) -> Any:
    """A constant axis (or tuple of axes) of a value as an axis of a batch of values."""
    if isinstance(axis, (tuple, list)):
        return tuple(shifted(a) for a in axis)
    return axis + 1 if axis >= 0 else axis


ELEMENTWISE = Elementwise()
NATURAL = Natural()
IDENTITY = Identity()
CHOICE = Choice()
REDUCTION = Reduction()
TRANSPOSE = Transpose()
RESHAPE = Reshape()
PRODUCT = Product()
DOT = Dot()
GETITEM = Getitem()
SETITEM = Setitem()
ADD_AT = AddAt()
ARRAY_OF = ArrayOf()
LOOP = Loop()
