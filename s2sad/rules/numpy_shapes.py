"""Derivative rules of NumPy's shape operations, and creation functions (constants, no derivative).

Shape operations move elements without changing them, so each adjoint moves
the result's adjoint back (``reshape`` back to the argument's shape, ``roll``
the other way, a split's pieces concatenated).
"""

from __future__ import annotations

import numpy as np

from .. import runtime
from ..ir.core import (
    ARRAY,
    BOOL_ARRAY,
    FLOAT,
    INT_ARRAY,
    OBJECT,
    as_array,
    element_type,
)
from .batch_rules import LOOP, RESHAPE, TRANSPOSE, Axes
from .helpers import runtime_helper
from .registry import ARRAY_RESULT, SEQ_RESULT, Syntax, primitive


def shape_op(name: str, args: str, nondiff: str = "", **options):
    """Declare ``np.<name>``, linear in its array argument."""
    options.setdefault("result_type", ARRAY_RESULT)
    fn = getattr(np, name)
    return primitive(
        f"np.{name}",
        args,
        fn,
        Syntax("call", f"np.{name}"),
        nondiff=nondiff,
        linear=True,
        **options,
    )


runtime_helper(
    "inverse_axes", "axes", nondiff="axes", result_type="object", linear=True
)(None)
# ``runtime.<f>_adjoint`` is linear in ``g``: its tangent is itself applied to
# ``g``'s tangent, its adjoint ``np.<f>`` (the primitive it is the adjoint of).


@runtime_helper(
    "concatenate_adjoint",
    "g, xs, axis",
    nondiff="xs axis",
    shape_only="xs",
    result_type=SEQ_RESULT,
    view=True,
    linear=True,
    batch=LOOP,
)
class concatenate_adjoint:
    def tangent(xs, axis, g_dot):
        return runtime.concatenate_adjoint(g_dot, xs, axis)

    def adjoint(axis, out_bar):
        return np.concatenate(out_bar, axis)


@runtime_helper(
    "stack_adjoint",
    "g, xs, axis",
    nondiff="xs axis",
    shape_only="xs",
    result_type=SEQ_RESULT,
    view=True,
    linear=True,
    batch=LOOP,
)
class stack_adjoint:
    def tangent(xs, axis, g_dot):
        return runtime.stack_adjoint(g_dot, xs, axis)

    def adjoint(axis, out_bar):
        return np.stack(out_bar, axis)


@runtime_helper(
    "hstack_adjoint",
    "g, xs",
    nondiff="xs",
    shape_only="xs",
    result_type=SEQ_RESULT,
    view=True,
    linear=True,
    batch=LOOP,
)
class hstack_adjoint:
    def tangent(xs, g_dot):
        return runtime.hstack_adjoint(g_dot, xs)

    def adjoint(out_bar):
        return np.hstack(out_bar)


@runtime_helper(
    "vstack_adjoint",
    "g, xs",
    nondiff="xs",
    shape_only="xs",
    result_type=SEQ_RESULT,
    view=True,
    linear=True,
    batch=LOOP,
)
class vstack_adjoint:
    def tangent(xs, g_dot):
        return runtime.vstack_adjoint(g_dot, xs)

    def adjoint(g, out_bar):
        return np.reshape(np.vstack(out_bar), np.shape(g))


@runtime_helper(
    "split_adjoint",
    "g, x, sections, axis",
    nondiff="x sections axis",
    shape_only="x",
    linear=True,
    batch=LOOP,
)
class split_adjoint:
    def tangent(x, sections, axis, g_dot):
        return runtime.split_adjoint(g_dot, x, sections, axis)

    def adjoint(sections, axis, out_bar):
        return np.split(out_bar, sections, axis)


@runtime_helper(
    "tile_adjoint",
    "g, x, reps",
    nondiff="x reps",
    shape_only="x",
    linear=True,
    batch=LOOP,
)
class tile_adjoint:
    def tangent(x, reps, g_dot):
        return runtime.tile_adjoint(g_dot, x, reps)

    def adjoint(reps, out_bar):
        return np.tile(out_bar, reps)


@runtime_helper(
    "repeat_adjoint",
    "g, x, repeats, axis",
    nondiff="x repeats axis",
    shape_only="x",
    linear=True,
    batch=LOOP,
)
class repeat_adjoint:
    def tangent(x, repeats, axis, g_dot):
        return runtime.repeat_adjoint(g_dot, x, repeats, axis)

    def adjoint(repeats, axis, out_bar):
        return np.repeat(out_bar, repeats, axis)


@runtime_helper(
    "diag_adjoint",
    "g, x, k",
    nondiff="x k",
    shape_only="x",
    view=True,
    linear=True,
    batch=LOOP,
)
class diag_adjoint:
    def tangent(x, k, g_dot):
        return runtime.diag_adjoint(g_dot, x, k)

    def adjoint(k, out_bar):
        return np.diag(out_bar, k)


@runtime_helper(
    "diagonal_adjoint",
    "g, x, offset, axis1, axis2",
    nondiff="x offset axis1 axis2",
    shape_only="x",
    linear=True,
    batch=LOOP,
)
class diagonal_adjoint:
    def tangent(x, offset, axis1, axis2, g_dot):
        return runtime.diagonal_adjoint(g_dot, x, offset, axis1, axis2)

    def adjoint(offset, axis1, axis2, out_bar):
        return np.diagonal(out_bar, offset, axis1, axis2)


@shape_op("reshape", "x shape", "shape", view=True, batch=RESHAPE)
class reshape:
    def tangent(shape, x_dot):
        return np.reshape(x_dot, shape)

    def adjoint(x, out_bar):
        return np.reshape(out_bar, np.shape(x))


@shape_op("ravel", "x", view=True, batch=RESHAPE)
class ravel:
    def tangent(x_dot):
        return np.ravel(x_dot)

    def adjoint(x, out_bar):
        return np.reshape(out_bar, np.shape(x))


@shape_op("transpose", "x, axes=None", "axes", view=True, batch=TRANSPOSE)
class transpose:
    def tangent(axes, x_dot):
        return np.transpose(x_dot, axes)

    def adjoint(axes, out_bar):
        return np.transpose(out_bar, runtime.inverse_axes(axes))


@shape_op(
    "swapaxes", "x axis1 axis2", "axis1 axis2", view=True, batch=Axes("axis1", "axis2")
)
class swapaxes:
    def tangent(axis1, axis2, x_dot):
        return np.swapaxes(x_dot, axis1, axis2)

    def adjoint(axis1, axis2, out_bar):
        return np.swapaxes(out_bar, axis1, axis2)


@shape_op(
    "moveaxis",
    "x source destination",
    "source destination",
    view=True,
    batch=Axes("source", "destination"),
)
class moveaxis:
    def tangent(source, destination, x_dot):
        return np.moveaxis(x_dot, source, destination)

    def adjoint(source, destination, out_bar):
        return np.moveaxis(out_bar, destination, source)


@shape_op("expand_dims", "x axis", "axis", view=True, batch=Axes("axis"))
class expand_dims:
    def tangent(axis, x_dot):
        return np.expand_dims(x_dot, axis)

    def adjoint(x, out_bar):
        return np.reshape(out_bar, np.shape(x))


@shape_op("squeeze", "x, axis=None", "axis", view=True, batch=Axes("axis"))
class squeeze:
    def tangent(axis, x_dot):
        return np.squeeze(x_dot, axis)

    def adjoint(x, out_bar):
        return np.reshape(out_bar, np.shape(x))


@shape_op("broadcast_to", "x shape", "shape", view=True, read_only=True, batch=LOOP)
class broadcast_to:
    def tangent(shape, x_dot):
        return np.broadcast_to(x_dot, shape)

    def adjoint(x, out_bar):
        return runtime.unbroadcast(out_bar, x)


@shape_op("flip", "x, axis=None", "axis", view=True, batch=Axes("axis"))
class flip:
    def tangent(axis, x_dot):
        return np.flip(x_dot, axis)

    def adjoint(axis, out_bar):
        return np.flip(out_bar, axis)


@shape_op("fliplr", "x", view=True, batch=LOOP)
class fliplr:
    def tangent(x_dot):
        return np.fliplr(x_dot)

    def adjoint(out_bar):
        return np.fliplr(out_bar)


@shape_op("flipud", "x", view=True, batch=LOOP)
class flipud:
    def tangent(x_dot):
        return np.flipud(x_dot)

    def adjoint(out_bar):
        return np.flipud(out_bar)


@shape_op("roll", "x, shift, axis=None", "shift axis", batch=Axes("axis"))
class roll:
    def tangent(shift, axis, x_dot):
        return np.roll(x_dot, shift, axis)

    def adjoint(shift, axis, out_bar):
        return np.roll(out_bar, np.negative(shift), axis)


@shape_op("triu", "x, k=0", "k", batch=LOOP)
class triu:
    def tangent(k, x_dot):
        return np.triu(x_dot, k)

    def adjoint(k, out_bar):
        return np.triu(out_bar, k)


@shape_op("tril", "x, k=0", "k", batch=LOOP)
class tril:
    def tangent(k, x_dot):
        return np.tril(x_dot, k)

    def adjoint(k, out_bar):
        return np.tril(out_bar, k)


@shape_op("diag", "x, k=0", "k", view=True, batch=LOOP)
class diag:
    def tangent(k, x_dot):
        return np.diag(x_dot, k)

    def adjoint(x, k, out_bar):
        return runtime.diag_adjoint(out_bar, x, k)


@shape_op(
    "diagonal",
    "x, offset=0, axis1=0, axis2=1",
    "offset axis1 axis2",
    view=True,
    batch=Axes("axis1", "axis2"),
)
class diagonal:
    def tangent(offset, axis1, axis2, x_dot):
        return np.diagonal(x_dot, offset, axis1, axis2)

    def adjoint(x, offset, axis1, axis2, out_bar):
        return runtime.diagonal_adjoint(out_bar, x, offset, axis1, axis2)


@shape_op("tile", "x reps", "reps", batch=LOOP)
class tile:
    def tangent(reps, x_dot):
        return np.tile(x_dot, reps)

    def adjoint(x, reps, out_bar):
        return runtime.tile_adjoint(out_bar, x, reps)


@shape_op("repeat", "x, repeats, axis=None", "repeats axis", batch=Axes("axis"))
class repeat:
    def tangent(repeats, axis, x_dot):
        return np.repeat(x_dot, repeats, axis)

    def adjoint(x, repeats, axis, out_bar):
        return runtime.repeat_adjoint(out_bar, x, repeats, axis)


# ---------------------------------------------------------------- joining and splitting sequences


@shape_op("concatenate", "xs, axis=0", "axis", batch=Axes("axis", joins=True))
class concatenate:
    def tangent(axis, xs_dot):
        return np.concatenate(xs_dot, axis)

    def adjoint(xs, axis, out_bar):
        return runtime.concatenate_adjoint(out_bar, xs, axis)


@shape_op("stack", "xs, axis=0", "axis", batch=Axes("axis", joins=True))
class stack:
    def tangent(axis, xs_dot):
        return np.stack(xs_dot, axis)

    def adjoint(xs, axis, out_bar):
        return runtime.stack_adjoint(out_bar, xs, axis)


@shape_op("hstack", "xs", batch=LOOP)
class hstack:
    def tangent(xs_dot):
        return np.hstack(xs_dot)

    def adjoint(xs, out_bar):
        return runtime.hstack_adjoint(out_bar, xs)


@shape_op("vstack", "xs", batch=LOOP)
class vstack:
    def tangent(xs_dot):
        return np.vstack(xs_dot)

    def adjoint(xs, out_bar):
        return runtime.vstack_adjoint(out_bar, xs)


@shape_op(
    "split",
    "x, indices_or_sections, axis=0",
    "indices_or_sections axis",
    result_type=SEQ_RESULT,
    view=True,
    batch=Axes("axis"),
)
class split:
    def tangent(indices_or_sections, axis, x_dot):
        return np.split(x_dot, indices_or_sections, axis)

    def adjoint(x, indices_or_sections, axis, out_bar):
        return runtime.split_adjoint(out_bar, x, indices_or_sections, axis)


# ---------------------------------------------------------------- creation (constants)


def _arange_type(types: list[str], static: dict) -> str:
    return ARRAY if FLOAT in types or static.get("dtype") else INT_ARRAY


def _creation_type(types: list[str], static: dict) -> str:
    """The array ``np.zeros``/``np.full``/``np.eye``... make: of ``dtype`` when it is
    given, else of the element type NumPy picks (``x``'s for ``*_like``, the fill
    value's for ``np.full``, float otherwise)."""
    if static.get("dtype"):
        kind = np.dtype(static["dtype"]).kind
        return {"i": INT_ARRAY, "u": INT_ARRAY, "b": BOOL_ARRAY}.get(kind, ARRAY)
    like = static.get("like")
    if like is not None and like != OBJECT:
        return as_array(element_type(like))
    return ARRAY


def _typed(like: int | None):
    """The result type of a creation function whose element type, without a
    ``dtype``, is that of its argument at index ``like``."""

    def typed(types: list[str], static: dict) -> str:
        if like is not None and like < len(types):
            static = {**static, "like": types[like]}
        return _creation_type(types, static)

    return typed


def creation(name: str, args: str, like: int | None = None, **options) -> None:
    """Declare ``np.<name>``, whose result does not depend on the values of its
    arguments' elements; ``like`` is the index of the argument whose element type
    the result has when no ``dtype`` is given."""
    options.setdefault("result_type", _typed(like))
    names = [a.split("=")[0].strip(" *") for a in args.split(",")]
    nondiff = " ".join(n for n in names if n)
    primitive(
        f"np.{name}",
        args,
        getattr(np, name),
        Syntax("call", f"np.{name}"),
        nondiff=nondiff,
        fresh=True,
        **options,
    )(None)


for _name in ("zeros", "ones", "empty"):
    creation(_name, "shape, dtype=None")
for _name in ("zeros_like", "ones_like", "empty_like"):
    creation(_name, "x, dtype=None", 0, shape_only="x", same_shape="x")
creation("full", "shape, fill_value, dtype=None", 1)
creation("full_like", "x, fill_value, dtype=None", 0, shape_only="x", same_shape="x")
creation("eye", "N, M=None, k=0, dtype=None")
creation("identity", "n, dtype=None")
creation(
    "arange", "start, stop=None, step=None, *, dtype=None", result_type=_arange_type
)
creation("linspace", "start, stop, num=50, endpoint=True")
