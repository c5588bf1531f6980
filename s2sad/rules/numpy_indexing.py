"""Derivative rules of indexing (``x[i]``, ``y[i] = v``), array attributes, copies and conversions."""

from __future__ import annotations

import numpy as np

from .. import runtime
from ..ir.core import (
    ARRAY,
    BOOL,
    BOOL_ARRAY,
    FLOAT,
    INT,
    INT_ARRAY,
    OBJECT,
    RESIDUALS,
    SEQ,
    is_array,
)
from .batch_rules import (
    ADD_AT,
    ARRAY_OF,
    GETITEM,
    LOOP,
    NATURAL,
    SETITEM,
    TRANSPOSE,
    Helper,
)
from .helpers import runtime_helper
from .registry import (
    ARRAY_RESULT,
    INT_RESULT,
    OBJECT_RESULT,
    SAME,
    Syntax,
    primitive,
)


def _element_type(types: list[str], static: dict) -> str:
    """``x[i]``: an array of an array (possibly a number, the type does not say),
    a number of a shape, an element of a sequence."""
    base, index = types[0], types[1]
    if is_array(base) or base == SEQ:
        return ARRAY if base in (ARRAY, SEQ) else base
    if base == OBJECT:
        return INT if index == INT else OBJECT
    return FLOAT


@primitive(
    "getitem",
    "x index",
    lambda x, index: x[index],
    Syntax("subscript"),
    result_type=_element_type,
    nondiff="index",
    linear=True,
    view=True,
    batch=GETITEM,
)
class getitem:
    def tangent(index, x_dot):
        return x_dot[index]

    def adjoint(x, index, out_bar):
        return runtime.getitem_adjoint(out_bar, x, index)


def _like(position: int):
    """The result type of a helper making values shaped like its argument at
    ``position``: a list for a tuple or list there, else an array."""

    def typed(types: list[str], static: dict) -> str:
        return SEQ if types[position] == SEQ else ARRAY

    return typed


@runtime_helper(
    "getitem_adjoint",
    "g, x, index",
    result_type=_like(1),
    nondiff="x index",
    shape_only="x",
    linear=True,
    fresh=True,
    same_shape="x",
    batch=LOOP,
)
class getitem_adjoint:
    def tangent(x, index, g_dot):
        return runtime.getitem_adjoint(g_dot, x, index)

    def adjoint(g, index, out_bar):
        return runtime.unbroadcast(out_bar[index], g)


@runtime_helper(
    "setitem",
    "x index value",
    result_type=SAME,
    nondiff="index",
    dense="x",
    fresh=True,
    same_shape="x",
    batch=SETITEM,
)
class setitem:
    def tangent(index, x_dot, value_dot):
        return runtime.setitem(x_dot, index, value_dot)

    def adjoint(index, value, out_bar):
        value_bar = runtime.setitem_value_adjoint(out_bar, index, value)
        return runtime.setitem(out_bar, index, 0.0), value_bar


@runtime_helper(
    "setitem_value_adjoint",
    "g index value",
    result_type=ARRAY_RESULT,
    nondiff="index value",
    shape_only="value",
    linear=True,
    same_shape="value",
    batch=Helper("setitem_value_adjoint_batched", "g"),
)
class setitem_value_adjoint:
    def tangent(index, value, g_dot):
        return runtime.setitem_value_adjoint(g_dot, index, value)

    def adjoint(g, index, out_bar):
        return runtime.setitem(runtime.zeros_like(g), index, out_bar)


@runtime_helper(
    "add_at",
    "acc x index g",
    result_type=ARRAY_RESULT,
    nondiff="x index",
    shape_only="x",
    fresh=True,
    batch=ADD_AT,
)
class add_at:
    def tangent(x, index, acc_dot, g_dot):
        return runtime.add_at(acc_dot, x, index, g_dot)

    def adjoint(acc, index, g, out_bar):
        return runtime.unbroadcast(out_bar, acc), runtime.unbroadcast(out_bar[index], g)


runtime_helper(
    "scalar_seed",
    "y",
    result_type=ARRAY_RESULT,
    nondiff="y",
    shape_only="y",
)(None)


@runtime_helper(
    "detach", "x", result_type=SAME, linear=True, same_shape="x", batch=NATURAL
)
class detach:
    def tangent(x_dot):
        return runtime.detach(x_dot)

    def adjoint(out_bar):
        return out_bar


runtime_helper(
    "shape_of",
    "x",
    result_type=ARRAY_RESULT,
    nondiff="x",
    shape_only="x",
    same_shape="x",
)(None)


runtime_helper(
    "zeros_like",
    "x",
    result_type=_like(0),
    nondiff="x",
    shape_only="x",
    fresh=True,
    same_shape="x",
)(None)


def _sequence_of_either(types: list[str], static: dict) -> str:
    """``add_seq(x, y)``: a residual tuple or a sequence when either is one
    (the other may be the number 0 standing for a zero adjoint)."""
    for kind in (RESIDUALS, SEQ):
        if kind in types:
            return kind
    return types[0]


@runtime_helper(
    "add_seq",
    "x y",
    result_type=_sequence_of_either,
    linear=False,
    batch=LOOP,
)
class add_seq:
    def tangent(x_dot, y_dot):
        return runtime.add_seq(x_dot, y_dot)

    def adjoint(out_bar):
        return out_bar, out_bar


primitive(
    "slice",
    "start, stop, step=None, /",
    slice,
    Syntax("call", "slice"),
    result_type=OBJECT_RESULT,
    nondiff="start stop step",
)(None)


@runtime_helper(
    "unbroadcast",
    "g x",
    result_type=SAME,
    shape_only="x",
    nondiff="x",
    linear=True,
    view=True,
    same_shape="x",
    batch=Helper("unbroadcast_batched", "g"),
)
class unbroadcast:
    def tangent(x, g_dot):
        return runtime.unbroadcast(g_dot, x)

    def adjoint(g, out_bar):
        return np.broadcast_to(out_bar, np.shape(g))


@runtime_helper(
    "broadcast_like",
    "t x",
    result_type=ARRAY_RESULT,
    shape_only="x",
    nondiff="x",
    linear=True,
    view=True,
    read_only=True,
    same_shape="x",
    batch=Helper("broadcast_like_batched", "t"),
)
class broadcast_like:
    def tangent(x, t_dot):
        return runtime.broadcast_like(t_dot, x)

    def adjoint(t, out_bar):
        return runtime.unbroadcast(out_bar, t)


# ---------------------------------------------------------------- attributes


@primitive(
    "T",
    "x",
    np.transpose,
    Syntax("attribute", "T"),
    result_type=SAME,
    linear=True,
    view=True,
    lookup=False,
    batch=TRANSPOSE,
)
class T:
    def tangent(x_dot):
        return x_dot.T

    def adjoint(out_bar):
        return out_bar.T


for _name, _python, _type in (
    ("shape", np.shape, OBJECT_RESULT),
    ("ndim", np.ndim, INT_RESULT),
    ("size", np.size, INT_RESULT),
    ("dtype", lambda x: np.asarray(x).dtype, OBJECT_RESULT),
):
    primitive(
        _name,
        "x",
        _python,
        Syntax("attribute", _name),
        result_type=_type,
        nondiff="x",
        shape_only="x",
        lookup=False,
    )(None)

for _name, _python, _type in (
    ("np_shape", np.shape, OBJECT_RESULT),
    ("np_ndim", np.ndim, INT_RESULT),
    ("np_size", np.size, INT_RESULT),
    ("len", len, INT_RESULT),
):
    _text = _name.replace("np_", "np.")
    primitive(
        _text,
        "x",
        _python,
        Syntax("call", _text),
        result_type=_type,
        nondiff="x",
        shape_only="x",
    )(None)


# ---------------------------------------------------------------- copies and conversions


def _copy_type(types: list[str], static: dict) -> str:
    """``np.copy(x)``: an array like ``x``, or the array NumPy makes of a number or sequence."""
    return types[0] if is_array(types[0]) else _array_type(types, static)


@primitive(
    "np.copy",
    "x",
    np.copy,
    Syntax("call", "np.copy"),
    result_type=_copy_type,
    linear=True,
    fresh=True,
    same_shape="x",
    batch=NATURAL,
)
class copy:
    def tangent(x_dot):
        return np.copy(x_dot)

    def adjoint(out_bar):
        return out_bar


def _astype_result(types: list[str], static: dict) -> str:
    kind = np.dtype(static.get("dtype", "float64")).kind
    return {"f": ARRAY, "i": "array[int]", "u": "array[int]", "b": "array[bool]"}.get(
        kind, ARRAY
    )


@primitive(
    "astype",
    "x dtype",
    lambda x, dtype: np.asarray(x).astype(dtype),
    Syntax("method", "astype"),
    result_type=_astype_result,
    nondiff="dtype",
    linear=True,
    lookup=False,
    batch=NATURAL,
)
class astype:
    def tangent(dtype, x_dot):
        return np.asarray(x_dot, dtype)

    def adjoint(x, out_bar):
        return np.asarray(out_bar, x.dtype)


def _array_type(types: list[str], static: dict) -> str:
    """``np.array(x, dtype)``: an integer or boolean array where NumPy makes one
    (``dtype=int``, ``np.array([1, 2])``, an int ``x``), else a float array."""
    if static.get("dtype"):
        kind = np.dtype(static["dtype"]).kind
    elif isinstance(static.get("x"), (tuple, int, float)):
        kind = _static_kind(static["x"])
    else:
        kind = {INT: "i", BOOL: "b", INT_ARRAY: "i", BOOL_ARRAY: "b"}.get(types[0], "f")
    return {"i": INT_ARRAY, "u": INT_ARRAY, "b": BOOL_ARRAY}.get(kind, ARRAY)


def _static_kind(value) -> str:
    try:
        return np.asarray(value).dtype.kind
    except ValueError:
        return "O"


@primitive(
    "np.array",
    "x, dtype=None",
    np.array,
    Syntax("call", "np.array"),
    result_type=_array_type,
    nondiff="dtype",
    linear=True,
    fresh=True,
    batch=ARRAY_OF,
)
class array:
    def tangent(dtype, x_dot):
        return np.array(x_dot, dtype=dtype)

    def adjoint(x, out_bar):
        return runtime.items_like(out_bar, x)


@runtime_helper(
    "items_like",
    "g x",
    result_type=_like(1),
    nondiff="x",
    shape_only="x",
    linear=True,
    view=True,
    same_shape="x",
    batch=Helper("items_like_batched", "g"),
)
class items_like:
    def tangent(x, g_dot):
        return runtime.items_like(g_dot, x)

    def adjoint(g, out_bar):
        return runtime.array_like(out_bar, g)


@runtime_helper(
    "array_like",
    "items g",
    nondiff="g",
    shape_only="g",
    linear=True,
    fresh=True,
    batch=LOOP,
)
class array_like:
    def tangent(g, items_dot):
        return runtime.array_like(items_dot, g)

    def adjoint(items, out_bar):
        return runtime.items_like(out_bar, items)


@primitive(
    "np.asarray",
    "x, dtype=None",
    np.asarray,
    Syntax("call", "np.asarray"),
    result_type=_array_type,
    nondiff="dtype",
    linear=True,
    view=True,
    batch=ARRAY_OF,
)
class asarray(array):
    pass


# ---------------------------------------------------------------- constants read by name


def _constant_type(types: list[str], static: dict) -> str:
    """The type of the array ``runtime.constant`` reads, from its dtype."""
    value = runtime.constant(static["module"], static["name"], static["digest"])
    kind = np.asarray(value).dtype.kind
    return {"i": INT_ARRAY, "u": INT_ARRAY, "b": BOOL_ARRAY}.get(kind, ARRAY)


runtime_helper(
    "constant",
    "module name digest",
    result_type=_constant_type,
    nondiff="module name digest",
)(None)
