"""The helpers generated code may call (and nothing else)."""

from __future__ import annotations

import importlib
import math
from typing import Any

import numpy as np


def resolve(module: str, qualname: str) -> Any:
    """The object ``module.qualname``: how a generated file reaches a user's own primitive."""
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def xlogy(x: float, y: float) -> float:
    """``x * log(y)``, and 0 where ``x`` is 0 (so ``d/dy 0**y`` is 0, not an error)."""
    return 0.0 if x == 0 else x * math.log(y)


def xlogy_array(x: Any, y: Any) -> Any:
    """Elementwise ``x * log(y)``, 0 where ``x`` is 0."""
    x, y = np.asarray(x), np.asarray(y)
    safe = np.where(x == 0, 1, y)
    return np.where(x == 0, 0 * safe, x * np.log(safe))


def sinc_derivative(x: Any, out: Any) -> Any:
    """The derivative of ``np.sinc`` at ``x`` (where ``out = np.sinc(x)``): 0 at 0."""
    x = np.asarray(x)
    safe = np.where(x == 0, 1, x)
    return np.where(x == 0, 0 * safe, (np.cos(np.pi * safe) - out) / safe)


def unbroadcast(g: Any, x: Any) -> Any:
    """``g`` summed over the axes along which ``x`` was broadcast to ``g``'s shape.

    The adjoint of an elementwise operation has the result's shape; each
    argument's adjoint must have that argument's shape (a number for a number).
    """
    shape = np.shape(x)
    if np.shape(g) == shape:
        return g
    extra = np.ndim(g) - len(shape)
    if extra:
        g = np.sum(g, axis=tuple(range(extra)))
    stretched = tuple(k for k, n in enumerate(shape) if n == 1 and np.shape(g)[k] != 1)
    if stretched:
        g = np.sum(g, axis=stretched, keepdims=True)
    return g


def unreduce(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """``g``, the adjoint of a reduction of ``x`` over ``axis``, broadcast back to ``x``'s shape."""
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, np.shape(x))


def getitem_adjoint(g: Any, x: Any, index: Any) -> Any:
    """The adjoint of ``x[index]``: zeros shaped like ``x`` with ``g`` added at ``index``
    (added, not written, so indices that repeat accumulate)."""
    if isinstance(x, (tuple, list)):
        adjoint = [0.0] * len(x)
        adjoint[index] = g
        return adjoint
    result = np.zeros(np.shape(x), dtype=np.result_type(x, g, 0.0))
    if _is_basic(index):
        result[index] += g
    else:
        np.add.at(result, index, g)
    return result


def _is_basic(index: Any) -> bool:
    """True for an index of ints, slices, None and ``...`` (no index arrays)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
        for p in parts
    )


def setitem(x: Any, index: Any, value: Any) -> Any:
    """A copy of ``x`` with ``value`` written at ``index``."""
    result = np.array(x)
    result[index] = value
    return result


def add_seq(x: Any, y: Any) -> Any:
    """Two adjoints of a tuple or list of values added element by element (``+`` would concatenate)."""
    if not isinstance(x, (tuple, list)):
        return x + y
    if not isinstance(y, (tuple, list)):
        return y + x
    return [a + b for a, b in zip(x, y)]


def zeros_like(x: Any) -> Any:
    """Zeros shaped like ``x``, of a floating dtype (``x``'s own if it has one)."""
    return np.zeros(np.shape(x), dtype=np.result_type(x, 0.0))


def extremum_weights(x: Any, out: Any, axis: Any, keepdims: bool) -> Any:
    """Where ``x`` reaches its maximum (or minimum) ``out`` along ``axis``:
    1 / (number of ties) there, 0 elsewhere."""
    hits = np.asarray(x == unreduce(out, x, axis, keepdims), dtype=np.result_type(x, 0.0))
    return hits / np.sum(hits, axis=axis, keepdims=True)


def cumsum_adjoint(g: Any, x: Any, axis: Any) -> Any:
    """The adjoint of ``np.cumsum(x, axis)``: the cumulative sum of ``g`` taken from the end."""
    if axis is None:
        flat = np.ravel(g)[::-1]
        return np.reshape(np.cumsum(flat)[::-1], np.shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def trace_adjoint(g: Any, x: Any, offset: int) -> Any:
    """The adjoint of ``np.trace(x, offset)``: ``g`` on that diagonal of the first two axes."""
    shape = np.shape(x)
    eye = np.eye(shape[0], shape[1], k=offset, dtype=np.result_type(x, 0.0))
    return np.reshape(eye, shape[:2] + (1,) * (len(shape) - 2)) * g


def norm_derivative(x: Any, out: Any, ord: Any, axis: Any, keepdims: bool) -> Any:
    """The derivative of ``np.linalg.norm(x, ord, axis, keepdims)`` (``out``) with
    respect to each element of ``x``: vector norms of every order, and the
    Frobenius, nuclear, 1, inf and spectral norms of matrices."""
    x = np.asarray(x)
    matrix = (isinstance(axis, tuple) and len(axis) == 2) or (
        axis is None and ord is not None and x.ndim == 2
    )
    whole = unreduce(out, x, axis, keepdims)
    if ord in (None, "fro") or (ord == 2 and not matrix):
        return x / whole
    if not matrix:
        return _vector_norm_derivative(x, whole, ord, axis)
    axes = (0, 1) if axis is None else axis
    if ord in (1, -1, np.inf, -np.inf):
        summed = 0 if ord in (1, -1) else 1
        line_axis = axes[summed]
        sums = np.sum(np.abs(x), axis=line_axis, keepdims=True)
        picks = np.where(
            ord > 0, sums == np.max(sums, axis=axes, keepdims=True), sums == np.min(sums, axis=axes, keepdims=True)
        )
        picks = picks / np.sum(picks, axis=axes, keepdims=True)
        return np.sign(x) * picks
    if ord in (2, -2, "nuc"):
        moved = np.moveaxis(x, axes, (-2, -1))
        u, s, vt = np.linalg.svd(moved, full_matrices=False)
        if ord == "nuc":
            slope = u @ vt
        else:
            k = 0 if ord == 2 else -1
            slope = u[..., :, k : k + 1 or None] @ vt[..., k : k + 1 or None, :]
        return np.moveaxis(slope, (-2, -1), axes)
    raise NotImplementedError(f"s2sad has no derivative of np.linalg.norm with ord={ord!r}")


def _vector_norm_derivative(x: Any, whole: Any, ord: Any, axis: Any) -> Any:
    if ord == 1:
        return np.sign(x)
    if ord in (np.inf, -np.inf):
        target = whole
        hits = np.asarray(np.abs(x) == target, dtype=np.result_type(x, 0.0))
        return np.sign(x) * hits / np.sum(hits, axis=axis, keepdims=True)
    if ord == 0:
        return np.zeros_like(x, dtype=np.result_type(x, 0.0))
    return np.sign(x) * np.abs(x) ** (ord - 1) / whole ** (ord - 1)
