"""The helpers generated code may call (and nothing else)."""

from __future__ import annotations

import functools
import importlib
import itertools
import math
import string
from typing import Any

import numpy as np

from .loop_counts import HeldStates, LoopCounts, record
from .schedules import (
    ADVANCE,
    RESTORE,
    REVERSE,
    SNAPSHOT,
    TAPE,
    OnlinePlacement,
    binomial,
    online_reversal,
    periodic,
)


def resolve(module: str, qualname: str) -> Any:
    """The object ``module.qualname``: how a generated file reaches a user's own primitive."""
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


CLOSED_OVER: dict[str, Any] = {}
"""Arrays a differentiated function closes over, by key: filled when s2sad
transforms the function, in the process that runs the generated code."""


def constant(module: str, name: str, digest: str) -> Any:
    """The array ``module.name`` a differentiated function reads (``digest``, a
    hash of its value when the code was generated, keeps the generated file
    apart from one made for another value); ``module`` ``"<closure>"`` reads
    a closed-over array registered under ``name``."""
    if module == "<closure>":
        return CLOSED_OVER[name]
    return resolve(module, name)


def xlogy(x: float, y: float) -> float:
    """``x * log(y)``, and 0 where ``x`` is 0 (so ``d/dy 0**y`` is 0, not an error);
    ``log(0)`` is ``-inf`` and the log of a negative number ``nan``, as in IEEE arithmetic.
    """
    if x == 0:
        return 0.0
    if y > 0:
        return x * math.log(y)
    return x * (-math.inf if y == 0 else math.nan)


def divide(x: Any, y: Any) -> Any:
    """``x / y`` with IEEE semantics where Python raises: ``±inf``, or ``nan`` for ``0 / 0``.

    Derivative rules divide by values that may be 0 where the function itself
    is defined (``sqrt`` at 0); there the derivative is infinite, not an error.
    """
    try:
        return x / y
    except ZeroDivisionError:
        if x != x or x == 0:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)


def power_factor(x: Any, y: Any) -> Any:
    """``x ** (y - 1)``, the factor of ``y`` in the derivative ``y * x ** (y - 1)`` of
    ``x ** y``: 0 where ``x`` and ``y`` are both 0 (so the derivative of ``x ** 0`` is
    0, also at ``x = 0``), and ``±inf`` at ``x = 0`` for ``y < 1``, where Python's
    ``**`` raises, as NumPy gives; elementwise for arrays.  Elsewhere it is smooth
    in ``y`` too (``1 / x`` at ``y = 0``), so its derivative in ``y`` is
    ``x ** (y - 1) * log(x)``."""
    if np.ndim(x) or np.ndim(y) or isinstance(x, np.ndarray):
        with np.errstate(divide="ignore", invalid="ignore"):
            both_zero = np.equal(y, 0) & np.equal(x, 0)
            return np.where(both_zero, 0.0, np.power(x, np.subtract(y, 1.0)))
    if y == 0 and x == 0:
        return 0.0
    try:
        return x ** (y - 1)
    except ZeroDivisionError:
        odd = float(y - 1).is_integer() and int(y - 1) % 2 == 1
        return math.copysign(math.inf, x) if odd else math.inf


def xlogy_array(x: Any, y: Any) -> Any:
    """Elementwise ``x * log(y)``, 0 where ``x`` is 0."""
    x, y = np.asarray(x), np.asarray(y)
    safe = np.where(x == 0, 1, y)
    return np.where(x == 0, 0 * safe, x * np.log(safe))


def sinc_derivative(x: Any, order: int) -> Any:
    """The derivative of order ``order`` (1, 2, ...) of ``np.sinc`` at ``x``: near 0
    (``|x| < 1``) from its Taylor series, elsewhere by Leibniz's rule for
    ``sin(pi x) * (1 / (pi x))``."""
    x = np.asarray(x, dtype=np.result_type(x, 0.0))
    near = np.abs(x) < 1
    small = np.where(near, x, 0.0)
    series = np.zeros_like(x)
    for k in range((order + 1) // 2, (order + 1) // 2 + _SINC_TERMS):
        power = 2 * k - order
        coefficient = (-1) ** k * np.pi ** (2 * k) * math.perm(2 * k, order)
        series = series + coefficient / math.factorial(2 * k + 1) * small**power
    large = np.where(near, 1.0, x)
    leibniz = np.zeros_like(x)
    for j in range(order + 1):
        m = order - j
        sine = np.pi**j * np.sin(np.pi * large + j * np.pi / 2)
        reciprocal = (-1) ** m * math.factorial(m) / (np.pi * large ** (m + 1))
        leibniz = leibniz + math.comb(order, j) * sine * reciprocal
    return np.where(near, series, leibniz)


_SINC_TERMS = 24
"""Terms of the series near 0: for ``|x| < 1`` the last is below ``1e-30``."""


def unbroadcast(g: Any, x: Any) -> Any:
    """``g`` summed over the axes along which ``x`` was broadcast to ``g``'s shape.

    The adjoint of an elementwise operation has the result's shape; each
    argument's adjoint must have that argument's shape (a number for a number).
    ``g`` may also have fewer axes than ``x``: ``y[0] = v`` stores a ``v`` of
    shape ``(1, n)`` into a row of length ``n``.
    """
    shape = np.shape(x)
    if np.shape(g) == shape:
        return g
    extra = np.ndim(g) - len(shape)
    if extra < 0:
        g = np.reshape(g, (1,) * -extra + np.shape(g))
    elif extra:
        g = _summed(g, 0, extra).reshape(np.shape(g)[extra:])
    for k in reversed(range(len(shape))):
        if shape[k] == 1 and np.shape(g)[k] != 1:
            g = _summed(g, k, k + 1)
    return g[()] if shape == () else g


def broadcast_like(t: Any, x: Any) -> Any:
    """``t``, the tangent of an elementwise result ``x``, broadcast to ``x``'s shape
    where it is smaller (a read-only view): the tangent of ``x + B`` with ``B``
    constant is ``x_dot``, yet has ``B``'s shape too.  Keeps ``x``'s float dtype."""
    shape = np.shape(x)
    if np.shape(t) == shape:
        return t
    t = np.asarray(t, dtype=np.result_type(t, np.asarray(x).dtype, 0.0))
    return np.broadcast_to(t, shape)


def _summed(g: Any, start: int, stop: int) -> Any:
    """``g`` summed over its axes ``start:stop``, kept as axes of length 1.

    NumPy's ``sum`` is slow over an axis followed by a few elements (summing
    the rows of each ``(N, N, 2)`` block takes 40 times longer than the same
    number of additions over the first axis); there the sum is a product with
    a vector of ones, which BLAS does at memory speed.
    """
    shape = np.shape(g)
    before = math.prod(shape[:start])
    count = math.prod(shape[start:stop])
    after = math.prod(shape[stop:])
    kept = shape[:start] + (1,) * (stop - start) + shape[stop:]
    if (
        1 < after <= _SHORT_ROWS
        and np.size(g) >= _LARGE
        and isinstance(g, np.ndarray)
        and g.flags.c_contiguous
        and g.dtype.kind in "fc"
    ):
        rows = g.reshape(before, count, after)
        return (np.ones(count, g.dtype) @ rows).reshape(kept)
    return np.sum(g, axis=tuple(range(start, stop)), keepdims=True)


_SHORT_ROWS = 256
"""Up to this many elements after the summed axes, summing by a product with ones wins."""
_LARGE = 1024
"""Below this many elements the call overhead of ``np.sum`` is the smaller."""


def unreduce(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """``g``, the adjoint of a reduction of ``x`` over ``axis``, broadcast back to ``x``'s shape
    (a number ``g`` takes ``x``'s floating dtype: float32 stays float32)."""
    g = np.asarray(g, dtype=np.result_type(g, np.asarray(x).dtype, 0.0))
    if axis is not None and not keepdims and np.ndim(x) > 0:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, np.shape(x))


def getitem_adjoint(g: Any, x: Any, index: Any) -> Any:
    """The adjoint of ``x[index]``: zeros shaped like ``x`` with ``g`` added at ``index``
    (added, not written, so indices that repeat accumulate).  Of a tuple or list,
    a list: ``g`` at ``index``, zeros shaped like the other entries (numbers 0.0,
    a list of zeros for an entry that is a list itself)."""
    if isinstance(x, (tuple, list)):
        adjoint = [
            zeros_like(v) if isinstance(v, (np.ndarray, tuple, list)) else 0.0
            for v in x
        ]
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


def setitem_value_adjoint(g: Any, index: Any, value: Any) -> Any:
    """The adjoint of ``value`` in ``x[index] = value``: ``g[index]`` summed back to
    ``value``'s shape, without the places a later repeat of an index overwrote."""
    picked = np.array(np.asarray(g)[index])
    if not _is_basic(index):
        order = np.arange(picked.size).reshape(picked.shape)
        slots = np.full(np.shape(g), -1)
        slots[index] = order
        picked = np.where(slots[index] == order, picked, 0.0)
    return unbroadcast(picked, value)


SCALAR_HINT = (
    "reduce the output to one number (np.sum, an index), or use s2sad.jvp / "
    "s2sad.vjp (s2sad.jacfwd / s2sad.jacrev for the whole Jacobian) for a function "
    "with several outputs"
)


def scalar_seed(y: Any) -> Any:
    """The seed of a gradient whose output ``y`` may be an array: ones shaped like
    it, of a floating dtype; an output of more than one element is refused."""
    if np.size(y) != 1:
        from .errors import ScalarOutputError

        raise ScalarOutputError(
            f"a gradient needs a scalar output; this one has shape {np.shape(y)}",
            shape=np.shape(y),
            hint=SCALAR_HINT,
        )
    return np.ones_like(y, np.result_type(np.asarray(y).dtype, "e"))


def detach(x: Any) -> Any:
    """``x``, copied if it is a view of another array (so a later write into that
    array cannot change what the tape holds)."""
    if isinstance(x, np.ndarray) and x.base is not None:
        return x.copy()
    return x


def shape_of(x: Any) -> Any:
    """An array with ``x``'s shape and dtype holding one number: what reverse mode
    stores for a value it needs only the shape of (a tuple or list item by item)."""
    if isinstance(x, (tuple, list)):
        return type(x)(shape_of(item) for item in x)
    x = x if isinstance(x, np.ndarray) else np.asarray(x)
    return _carrier(x.shape, x.dtype)


@functools.lru_cache(maxsize=1024)
def _carrier(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """One read-only zero seen through strides of 0: carriers are shared, never written."""
    zero = np.zeros(1, dtype)
    zero.flags.writeable = False
    return np.ndarray(shape, dtype, zero, strides=(0,) * len(shape))


def add_seq(x: Any, y: Any) -> Any:
    """Two adjoints of a tuple or list of values added element by element (``+`` would
    concatenate); a number added to one is added to each of its elements (a zero
    adjoint is the number 0); items that are sequences themselves are added so too."""
    sequences = isinstance(x, (tuple, list)), isinstance(y, (tuple, list))
    if sequences == (True, True):
        return [add_seq(a, b) for a, b in zip(x, y)]
    if sequences == (True, False):
        return [add_seq(a, y) for a in x]
    if sequences == (False, True):
        return [add_seq(x, b) for b in y]
    return x + y


def items_like(g: Any, x: Any) -> Any:
    """The adjoint ``g`` of ``np.array(x)`` laid out as ``x``: for a tuple or list
    ``x``, a list of the adjoints of its items, ``g``'s rows (nested alike); for
    an array, ``g`` itself."""
    if not isinstance(x, (tuple, list)):
        return g
    return [items_like(gi, xi) for gi, xi in zip(g, x)]


def items_like_batched(g: Any, x: Any) -> Any:
    """:func:`items_like` of each direction of the batch ``g``: a list of batches."""
    if not isinstance(x, (tuple, list)):
        return g
    return [items_like_batched(g[:, i], xi) for i, xi in enumerate(x)]


def array_like(items: Any, g: Any) -> Any:
    """The array shaped like ``g`` of ``items`` (the adjoint of
    :func:`items_like`): a list's items stacked, a number (a zero adjoint)
    spread over its row."""
    if not isinstance(items, (tuple, list)):
        return np.broadcast_to(items, np.shape(g))
    return np.stack([array_like(item, gi) for item, gi in zip(items, g)])


def zeros_like(x: Any) -> Any:
    """Zeros shaped like ``x``, of a floating dtype (``x``'s own if it has one);
    for a tuple or list of values, a list of their zeros."""
    if isinstance(x, (tuple, list)):
        return [zeros_like(v) for v in x]
    x = x if isinstance(x, np.ndarray) else np.asarray(x)
    return np.zeros(x.shape, dtype=np.result_type(x, 0.0))


def reduced_count(x: Any, axis: Any) -> int:
    """How many elements of ``x`` a reduction over ``axis`` combines into each result."""
    shape = np.shape(x)
    if axis is None:
        return int(np.prod(shape))
    axes = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axes]))


def extremum_weights(x: Any, out: Any, axis: Any, keepdims: bool) -> Any:
    """Where ``x`` reaches its maximum (or minimum) ``out`` along ``axis``:
    1 / (number of ties) there, 0 elsewhere."""
    hits = np.asarray(
        x == unreduce(out, x, axis, keepdims), dtype=np.result_type(x, 0.0)
    )
    return hits / np.sum(hits, axis=axis, keepdims=True)


def cumsum_adjoint(g: Any, x: Any, axis: Any) -> Any:
    """The adjoint of ``np.cumsum(x, axis)``: the cumulative sum of ``g`` taken from the end."""
    if axis is None:
        flat = np.ravel(g)[::-1]
        return np.reshape(np.cumsum(flat)[::-1], np.shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def _reduced_rows(x: Any, axis: Any) -> tuple[Any, tuple, tuple, tuple]:
    """``x`` with the axes a reduction over ``axis`` combines moved last and merged
    into one, ``(batch..., count)``; with the axes and shape that undo it."""
    x = np.asarray(x)
    axes = range(x.ndim) if axis is None else np.atleast_1d(axis) % max(x.ndim, 1)
    axes = tuple(int(a) for a in axes)
    ends = tuple(range(x.ndim - len(axes), x.ndim))
    moved = np.moveaxis(x, axes, ends)
    count = int(np.prod([x.shape[a] for a in axes]))
    rows = np.reshape(moved, moved.shape[: x.ndim - len(axes)] + (count,))
    return rows, axes, ends, moved.shape


def prod_others(x: Any, axis: Any) -> Any:
    """For each element of ``x``, the product of the others ``np.prod(x, axis)``
    multiplies it with (its partial derivative), exact where ``x`` has zeros."""
    rows, axes, ends, moved_shape = _reduced_rows(x, axis)
    ones = np.ones_like(rows[..., :1])
    left = np.cumprod(np.concatenate([ones, rows[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, rows[..., :0:-1]], axis=-1), axis=-1)
    others = np.reshape(left * right[..., ::-1], moved_shape)
    return np.moveaxis(others, ends, axes)


def spread_others(x: Any, axis: Any) -> Any:
    """For each element ``i`` of a reduction of ``x`` over ``axis``, the elements
    ``j`` it combines, 0 at ``j == i``: shape ``(batch..., count, count)``."""
    rows = _reduced_rows(x, axis)[0]
    count = rows.shape[-1]
    return (1.0 - np.eye(count)) * rows[..., None, :]


def others_eye(x: Any, axis: Any) -> Any:
    """The identity matrix of :func:`spread_others`'s last two axes, per batch."""
    rows = _reduced_rows(x, axis)[0]
    count = rows.shape[-1]
    eye = np.eye(count, dtype=np.result_type(rows, 0.0))
    return np.broadcast_to(eye, rows.shape[:-1] + (count, count))


def collect_others(g: Any, x: Any, axis: Any) -> Any:
    """``g[..., i, j]`` summed over ``j != i`` and laid out like ``x``: the
    adjoint of :func:`spread_others` with its last two axes swapped."""
    _, axes, ends, moved_shape = _reduced_rows(x, axis)
    count = np.shape(g)[-1]
    summed = np.sum((1.0 - np.eye(count)) * g, axis=-1)
    return np.moveaxis(np.reshape(summed, moved_shape), ends, axes)


def _cumprod_zeros(x: Any, axis: int) -> tuple[Any, Any, Any]:
    """Along ``axis``: where ``np.cumprod(x)`` has met no zero yet, where it meets
    its first zero, and the cumulative products with that zero taken as 1."""
    zeros = np.cumsum(x == 0, axis=axis)
    first = (x == 0) & (zeros == 1)
    return zeros == 0, first, np.cumprod(np.where(first, 1, x), axis=axis)


def cumprod_tangent(x: Any, axis: Any, cumulative: Any, v: Any) -> Any:
    """The tangent along ``v`` of ``cumulative = np.cumprod(x, axis)``, exact where
    ``x`` has zeros."""
    x = np.asarray(x)
    if axis is None:
        x, v, axis = np.ravel(x), np.ravel(v), 0
    before, first, skipped = _cumprod_zeros(x, axis)
    regular = cumulative * np.cumsum(v / np.where(x == 0, 1, x), axis=axis)
    at_zero = np.sum(np.where(first, v, 0), axis=axis, keepdims=True) * skipped
    return np.where(before, regular, at_zero)


def cumprod_adjoint(g: Any, x: Any, axis: Any, cumulative: Any) -> Any:
    """The adjoint of ``cumulative = np.cumprod(x, axis)``, exact where ``x`` has zeros."""
    x = np.asarray(x)
    shape = np.shape(x)
    if axis is None:
        x, axis = np.ravel(x), 0
    before, first, skipped = _cumprod_zeros(x, axis)
    regular = cumsum_adjoint(np.where(before, g * cumulative, 0), x, axis)
    regular = regular / np.where(x == 0, 1, x)
    at_zero = np.sum(np.where(before, 0, g * skipped), axis=axis, keepdims=True)
    return np.reshape(np.where(before, regular, np.where(first, at_zero, 0)), shape)


def cumulative_spread(x: Any, axis: Any, side: int) -> Any:
    """``x``'s rows along ``axis`` (all of ``x`` flattened for None, as
    ``np.cumprod`` takes them) spread over a square ``(batch..., n, n)``: at
    ``[m, j]`` for ``m <= j``, ``x[m]`` (``side`` 0) or ``x[j]`` (``side`` 1); 0 below.
    """
    rows = np.ravel(x) if axis is None else np.moveaxis(x, axis, -1)
    upper = _upper_triangle(rows.shape[-1])
    spread = rows[..., :, None] if side == 0 else rows[..., None, :]
    return np.where(upper, spread, 0.0)


def cumulative_collect(g: Any, x: Any, axis: Any, side: int) -> Any:
    """The adjoint of :func:`cumulative_spread`: ``g[..., m, j]`` over ``m <= j``
    summed over ``j`` (``side`` 0) or over ``m`` (``side`` 1), laid out like ``x``."""
    upper = _upper_triangle(np.shape(g)[-1])
    rows = np.sum(np.where(upper, g, 0.0), axis=-1 if side == 0 else -2)
    if axis is None:
        return np.reshape(rows, np.shape(x))
    return np.moveaxis(rows, -1, axis)


def _upper_triangle(n: int) -> Any:
    """``[m, j]`` true for ``m <= j``."""
    return np.triu(np.ones((n, n), dtype=bool))


def trace_adjoint(g: Any, x: Any, offset: int) -> Any:
    """The adjoint of ``np.trace(x, offset)``: ``g`` on that diagonal of the first two axes."""
    shape = np.shape(x)
    eye = np.eye(shape[0], shape[1], k=offset, dtype=np.result_type(x, 0.0))
    return np.reshape(eye, shape[:2] + (1,) * (len(shape) - 2)) * g


def norm_derivative(x: Any, norm: Any, ord: Any, axis: Any, keepdims: bool) -> Any:
    """The derivative of ``norm = np.linalg.norm(x, ord, axis, keepdims)`` with
    respect to each element of ``x``: vector norms of every order, and the
    Frobenius, nuclear, 1, inf and spectral norms of matrices."""
    x = np.asarray(x)
    matrix = _is_matrix_norm(x, ord, axis)
    whole = unreduce(norm, x, axis, keepdims)
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
            ord > 0,
            sums == np.max(sums, axis=axes, keepdims=True),
            sums == np.min(sums, axis=axes, keepdims=True),
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
    raise NotImplementedError(
        f"s2sad has no derivative of np.linalg.norm with ord={ord!r}"
    )


def norm_power(x: Any, ord: Any, axis: Any) -> float:
    """The ``p`` of :func:`norm_derivative` written ``sign(x) |x|**(p - 1) / norm**(p - 1)``,
    whose derivative is then ``(p - 1) * (|x|**(p - 2) * dx / norm**(p - 1) - slope * dnorm / norm)``:
    2 for the Frobenius and 2-norms, ``ord`` for the other vector norms, and 1 (a
    derivative of 0) where the slope is piecewise constant (vector norms of order
    0, 1 and ``±inf``, matrix norms of order ``±1`` and ``±inf``).  The spectral
    and nuclear norms of matrices are refused: their second derivatives need
    those of the singular value decomposition."""
    if _is_matrix_norm(np.asarray(x), ord, axis):
        if ord in (None, "fro"):
            return 2.0
        if ord in (1, -1, np.inf, -np.inf):
            return 1.0
        from .errors import NoDerivativeRuleError

        raise NoDerivativeRuleError(
            f"s2sad has no second derivative of np.linalg.norm with ord={ord!r} "
            "of a matrix (its derivative is one of the singular value decomposition)",
            hint="use ord='fro', 1 or inf, or a vector norm, where a second "
            "derivative is needed",
        )
    if ord is None:
        return 2.0
    if ord in (0, 1, np.inf, -np.inf):
        return 1.0
    return float(ord)


def _is_matrix_norm(x: Any, ord: Any, axis: Any) -> bool:
    """True where ``np.linalg.norm(x, ord, axis)`` is a matrix norm."""
    return (isinstance(axis, tuple) and len(axis) == 2) or (
        axis is None and ord is not None and x.ndim == 2
    )


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


def matmul_adjoint_x(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``x`` in ``x @ y`` (NumPy's rules for 1-D operands and batches)."""
    g, x, y = np.asarray(g), np.asarray(x), np.asarray(y)
    if y.ndim == 1:
        result = g[..., None] * y
    elif x.ndim == 1:
        result = np.matmul(y, g[..., None])[..., 0]
    else:
        result = np.matmul(g, np.swapaxes(y, -1, -2))
    return unbroadcast(result, x)


def matmul_adjoint_y(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``y`` in ``x @ y``."""
    g, x, y = np.asarray(g), np.asarray(x), np.asarray(y)
    if x.ndim == 1 and y.ndim == 1:
        result = g * x
    elif x.ndim == 1:
        result = x[:, None] * g[..., None, :]
    elif y.ndim == 1:
        result = np.swapaxes(x, -1, -2) @ g[..., None]
        result = result[..., 0]
    else:
        result = np.matmul(np.swapaxes(x, -1, -2), g)
    return unbroadcast(result, y)


def dot_adjoint_x(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``x`` in ``np.dot(x, y)`` (numbers, and arrays of any dimension)."""
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(np.multiply(g, y), x)
    if np.ndim(x) > 2 or np.ndim(y) > 2:
        return tensordot_adjoint_x(g, x, y, _dot_axes(x, y))
    return matmul_adjoint_x(g, x, y)


def dot_adjoint_y(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``y`` in ``np.dot(x, y)``."""
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(np.multiply(g, x), y)
    if np.ndim(x) > 2 or np.ndim(y) > 2:
        return tensordot_adjoint_y(g, x, y, _dot_axes(x, y))
    return matmul_adjoint_y(g, x, y)


def _dot_axes(x: Any, y: Any) -> tuple[list[int], list[int]]:
    """``np.dot`` as a ``tensordot``: the last axis of ``x`` against the second-to-last of ``y``."""
    return [np.ndim(x) - 1], [max(np.ndim(y) - 2, 0)]


def inner_adjoint_x(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``x`` in ``np.inner(x, y)`` (sums over the last axes)."""
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(g)
    if x.ndim == 0 or y.ndim == 0:
        return unbroadcast(g * y, x)
    lead = x.ndim - 1
    return np.tensordot(g, y, axes=(list(range(lead, g.ndim)), list(range(y.ndim - 1))))


def inner_adjoint_y(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``y`` in ``np.inner(x, y)``."""
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(g)
    if x.ndim == 0 or y.ndim == 0:
        return unbroadcast(g * x, y)
    lead = x.ndim - 1
    return np.tensordot(g, x, axes=(list(range(lead)), list(range(lead))))


def _tensordot_axes(axes: Any, nx: int, ny: int) -> tuple[list[int], list[int]]:
    if isinstance(axes, int):
        return list(range(nx - axes, nx)), list(range(axes))
    ax, ay = axes
    ax = [ax] if isinstance(ax, int) else list(ax)
    ay = [ay] if isinstance(ay, int) else list(ay)
    return [a % nx for a in ax], [a % ny for a in ay]


def tensordot_adjoint_x(g: Any, x: Any, y: Any, axes: Any) -> Any:
    """The adjoint of ``x`` in ``np.tensordot(x, y, axes)``."""
    x, y = np.asarray(x), np.asarray(y)
    ax, ay = _tensordot_axes(axes, x.ndim, y.ndim)
    free_x = [i for i in range(x.ndim) if i not in ax]
    free_y = [j for j in range(y.ndim) if j not in ay]
    result = np.tensordot(g, y, axes=(list(range(len(free_x), np.ndim(g))), free_y))
    order = free_x + [ax[ay.index(j)] for j in sorted(ay)]
    return np.transpose(result, np.argsort(order))


def tensordot_adjoint_y(g: Any, x: Any, y: Any, axes: Any) -> Any:
    """The adjoint of ``y`` in ``np.tensordot(x, y, axes)``."""
    x, y = np.asarray(x), np.asarray(y)
    ax, ay = _tensordot_axes(axes, x.ndim, y.ndim)
    free_x = [i for i in range(x.ndim) if i not in ax]
    free_y = [j for j in range(y.ndim) if j not in ay]
    result = np.tensordot(x, g, axes=(free_x, list(range(len(free_x)))))
    order = [ay[ax.index(i)] for i in sorted(ax)] + free_y
    return np.transpose(result, np.argsort(order))


def einsum_adjoint(
    subscripts: str, g: Any, k: int, x: Any, y: Any = None, z: Any = None
) -> Any:
    """The adjoint of operand ``k`` of ``np.einsum(subscripts, x[, y[, z]])``.

    Letters only operand ``k`` has are summed in the product and broadcast
    back; a letter it repeats (``"ii->"``) puts the adjoint on that diagonal;
    a letter (or a dimension of ``...``) of length 1 in operand ``k`` but
    longer in the others is summed over.
    """
    operands = [v for v in (x, y, z) if v is not None]
    inputs, output = _einsum_parts(subscripts, [np.shape(v) for v in operands])
    target = inputs[k]
    others = [(s, v) for i, (s, v) in enumerate(zip(inputs, operands)) if i != k]
    available = set(output).union(*(set(s) for s, _ in others))
    letters = "".join(dict.fromkeys(target))
    kept = "".join(c for c in letters if c in available)
    spec = ",".join([output] + [s for s, _ in others]) + "->" + kept
    reduced = np.einsum(spec, g, *[v for _, v in others])
    for position, letter in enumerate(letters):
        if letter not in available:
            reduced = np.expand_dims(reduced, position)
    sizes = dict(zip(target, np.shape(operands[k])))
    shape = [sizes[c] for c in letters]
    stretched = tuple(
        p for p, (n, m) in enumerate(zip(np.shape(reduced), shape)) if m == 1 < n
    )
    if stretched:
        reduced = np.sum(reduced, axis=stretched, keepdims=True)
    spread = np.broadcast_to(reduced, shape)
    if letters == target:
        return spread
    result = np.zeros(np.shape(operands[k]), dtype=np.result_type(spread, 0.0))
    np.einsum(f"{target}->{letters}", result)[...] = spread
    return result


def _einsum_parts(
    subscripts: str, shapes: list[tuple[int, ...]]
) -> tuple[list[str], str]:
    """Each operand's letters and the output's, with ``...`` spelled out in
    letters the subscripts do not use (aligned from the right, as NumPy does)."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    parts = inputs.split(",")
    if len(parts) != len(shapes):
        raise ValueError(
            f"{subscripts!r} names {len(parts)} operands, got {len(shapes)}"
        )
    widths = [
        len(shape) - len(part) + 3
        for part, shape in zip(parts, shapes)
        if "..." in part
    ]
    unused = [c for c in string.ascii_letters if c not in spec]
    ellipsis = "".join(unused[: max(widths, default=0)])
    parts = [
        part.replace("...", ellipsis[len(ellipsis) - len(shape) + len(part) - 3 :])
        for part, shape in zip(parts, shapes)
    ]
    if arrow:
        return parts, output.replace("...", ellipsis)
    letters = "".join(parts)
    singles = sorted(c for c in set(letters) if letters.count(c) == 1)
    return parts, ellipsis + "".join(c for c in singles if c not in ellipsis)


def cofactor(x: Any) -> Any:
    """The cofactor matrix of each matrix in ``x`` (the transposed adjugate): the
    derivative of ``det(x)``, also where ``x`` is singular (where ``det(x) * inv(x).T``
    cannot be formed).  From the SVD ``x = u s vt``: ``det(u) det(vt) u diag(p) vt``,
    ``p`` the products of the other singular values."""
    u, s, vt = np.linalg.svd(np.asarray(x))
    sign = np.linalg.det(u) * np.linalg.det(vt)
    return sign[..., None, None] * ((u * prod_others(s, -1)[..., None, :]) @ vt)


def inverse_transposed(x: Any) -> Any:
    """``inv(x).T`` for each matrix in ``x``, the derivative of ``log|det(x)|``; where a
    matrix is singular, its cofactors divided by its zero determinant (``inf``/``nan``).
    """
    try:
        return np.swapaxes(np.linalg.inv(x), -1, -2)
    except np.linalg.LinAlgError:
        with np.errstate(divide="ignore", invalid="ignore"):
            return cofactor(x) / np.linalg.det(x)[..., None, None]


def solve_tangent(a: Any, b: Any, out: Any, a_dot: Any, b_dot: Any) -> Any:
    """The tangent of ``out = np.linalg.solve(a, b)``: ``solve(a, b_dot - a_dot @ out)``,
    ``b`` a vector (``ndim`` 1) or a stack of matrices; a zero tangent may be the number 0.
    """
    vector = np.ndim(b) == 1
    column = np.asarray(out)[..., None] if vector else np.asarray(out)
    rhs = np.asarray(b_dot)[..., None] if vector and np.ndim(b_dot) else b_dot
    if np.ndim(a_dot):
        rhs = rhs - np.matmul(a_dot, column)
    result = np.linalg.solve(a, np.broadcast_to(rhs, column.shape))
    return result[..., 0] if vector else result


def solve_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    """``solve(a^T, g)``: the adjoint of ``b`` in ``np.linalg.solve(a, b)``, before
    summing over the batch axes ``b`` was broadcast along."""
    transposed = np.swapaxes(a, -1, -2)
    if np.ndim(b) == 1:
        return np.linalg.solve(transposed, np.asarray(g)[..., None])[..., 0]
    return np.linalg.solve(transposed, g)


def solve_adjoint_a(b_bar: Any, out: Any, a: Any, b: Any) -> Any:
    """The adjoint of ``a`` in ``out = np.linalg.solve(a, b)``: ``-b_bar @ out^T``
    (an outer product per batch for a vector ``b``), summed to ``a``'s shape."""
    b_bar, out = np.asarray(b_bar), np.asarray(out)
    if np.ndim(b) == 1:
        result = -b_bar[..., :, None] * out[..., None, :]
    else:
        result = -np.matmul(b_bar, np.swapaxes(out, -1, -2))
    return unbroadcast(result, a)


def solve_product(m: Any, v: Any, b: Any) -> Any:
    """``m @ v`` for each matrix of ``m``, ``v`` a stack of vectors where ``b`` (the
    right-hand side of a ``np.linalg.solve``) is a vector (``ndim`` 1), else of matrices.
    """
    if np.ndim(b) == 1:
        return np.matmul(m, np.asarray(v)[..., None])[..., 0]
    return np.matmul(m, v)


def inverse_axes(axes: Any) -> Any:
    """The permutation that undoes ``np.transpose(x, axes)`` (None for a reversal)."""
    return None if axes is None else tuple(np.argsort([a % len(axes) for a in axes]))


def concatenate_adjoint(g: Any, xs: Any, axis: int) -> Any:
    """The adjoint of ``np.concatenate(xs, axis)``: ``g`` cut into pieces shaped like ``xs``
    (stacked into one array where ``xs`` is one array, a list written item by item)."""
    if isinstance(xs, np.ndarray):
        if axis is None:
            return np.reshape(g, xs.shape).copy()
        return np.stack(np.split(g, len(xs), axis))
    if axis is None:
        sizes = np.cumsum([np.size(x) for x in xs])[:-1]
        pieces = [np.reshape(p, np.shape(x)) for p, x in zip(np.split(g, sizes), xs)]
    else:
        sizes = np.cumsum([np.shape(x)[axis] for x in xs])[:-1]
        pieces = np.split(g, sizes, axis)
    return [nested_like(p, x) for p, x in zip(pieces, xs)]


def nested_like(g: Any, x: Any) -> Any:
    """The adjoint ``g`` of ``x`` as ``x`` is nested: a list of its items' adjoints
    where ``x`` is a list or tuple (so that a batch of them is a list of batches)."""
    if isinstance(x, (tuple, list)):
        return [nested_like(item, x_item) for item, x_item in zip(g, x)]
    return g


def stack_adjoint(g: Any, xs: Any, axis: int) -> Any:
    """The adjoint of ``np.stack(xs, axis)``: ``g``'s slices along ``axis`` (one array
    of them where ``xs`` is one array, a list written item by item)."""
    if isinstance(xs, np.ndarray):
        return np.array(np.moveaxis(g, axis, 0))
    return [nested_like(p, x) for p, x in zip(np.moveaxis(g, axis, 0), xs)]


def hstack_adjoint(g: Any, xs: Any) -> Any:
    """The adjoint of ``np.hstack(xs)`` (one array where ``xs`` is one array)."""
    axis = 0 if np.ndim(g) == 1 else 1
    pieces = concatenate_adjoint(g, [np.atleast_1d(x) for x in xs], axis)
    return _items_adjoint(pieces, xs)


def vstack_adjoint(g: Any, xs: Any) -> Any:
    """The adjoint of ``np.vstack(xs)`` (one array where ``xs`` is one array)."""
    pieces = concatenate_adjoint(g, [np.atleast_2d(x) for x in xs], 0)
    return _items_adjoint(pieces, xs)


def _items_adjoint(pieces: list, xs: Any) -> Any:
    """The adjoints ``pieces`` of the items of ``xs``, each shaped as its item: a
    list (nested as ``xs``), or one array where ``xs`` is one array (a list
    written item by item is one)."""
    if isinstance(xs, np.ndarray):
        return np.reshape(np.stack(pieces), xs.shape)
    return [nested_like(np.reshape(p, np.shape(x)), x) for p, x in zip(pieces, xs)]


def split_adjoint(g: Any, x: Any, sections: Any, axis: int) -> Any:
    """The adjoint of ``np.split(x, sections, axis)``: the pieces' adjoints joined,
    zeros for pieces that have none."""
    zeros = np.split(zeros_like(x), sections, axis)
    pieces = [
        z if np.ndim(p) == 0 else p for p, z in zip(_listed(g, len(zeros)), zeros)
    ]
    return np.concatenate([p + z for p, z in zip(pieces, zeros)], axis)


def _listed(g: Any, count: int) -> list:
    return list(g) if isinstance(g, (list, tuple)) else [g] * count


def tile_adjoint(g: Any, x: Any, reps: Any) -> Any:
    """The adjoint of ``np.tile(x, reps)``: the tiles of ``g`` summed."""
    shape = np.shape(x)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    ndim = max(len(shape), len(reps))
    shape = (1,) * (ndim - len(shape)) + shape
    reps = (1,) * (ndim - len(reps)) + reps
    split = []
    for r, n in zip(reps, shape):
        split += [r, n]
    summed = np.sum(np.reshape(g, split), axis=tuple(range(0, 2 * ndim, 2)))
    return np.reshape(summed, np.shape(x))


def repeat_adjoint(g: Any, x: Any, repeats: Any, axis: Any) -> Any:
    """The adjoint of ``np.repeat(x, repeats, axis)``: each element's copies summed."""
    if axis is None:
        flat = np.ravel(zeros_like(x))
        flat = _repeat_sum(np.ravel(g), flat, repeats, 0)
        return np.reshape(flat, np.shape(x))
    return _repeat_sum(g, zeros_like(x), repeats, axis)


def _repeat_sum(g: Any, zeros: Any, repeats: Any, axis: int) -> Any:
    counts = np.broadcast_to(repeats, (np.shape(zeros)[axis],))
    owners = np.repeat(np.arange(len(counts)), counts)
    result = np.moveaxis(np.array(zeros), axis, 0)
    np.add.at(result, owners, np.moveaxis(g, axis, 0))
    return np.moveaxis(result, 0, axis)


def diag_adjoint(g: Any, x: Any, k: int) -> Any:
    """The adjoint of ``np.diag(x, k)``: the diagonal of ``g`` for a vector ``x``,
    ``g`` placed on that diagonal for a matrix ``x``."""
    if np.ndim(x) == 1:
        return np.diag(g, k)
    result = np.zeros(np.shape(x), dtype=np.result_type(g, x, 0.0))
    rows, cols = np.shape(x)
    i = np.arange(len(g)) + max(-k, 0)
    result[i, i + k] = g
    return result


def diagonal_adjoint(g: Any, x: Any, offset: int, axis1: int, axis2: int) -> Any:
    """The adjoint of ``np.diagonal(x, offset, axis1, axis2)``."""
    result = zeros_like(x)
    view = np.diagonal(result, offset, axis1, axis2)
    view.setflags(write=True)
    view[...] = g
    return result


def add_at(acc: Any, x: Any, index: Any, g: Any) -> Any:
    """``acc + getitem_adjoint(g, x, index)`` in a new array: ``acc`` (an adjoint of
    ``x``, possibly a number standing for a constant array) with ``g`` added at ``index``;
    of a tuple or list ``x``, a list (:func:`getitem_adjoint`'s, ``acc`` added).
    """
    if isinstance(x, (tuple, list)):
        return add_seq(acc, getitem_adjoint(g, x, index))
    dtype = np.result_type(acc, g, x, 0.0)
    if np.ndim(acc):
        result = np.array(np.broadcast_to(acc, np.shape(x)), dtype=dtype)
    elif acc == 0:
        result = np.zeros(np.shape(x), dtype=dtype)
    else:
        result = np.full(np.shape(x), acc, dtype=dtype)
    if _is_basic(index):
        result[index] += g
    else:
        np.add.at(result, index, g)
    return result


# ---------------------------------------------------------------- batches of directions
#
# A batched Hessian-vector product (``s2sad.hessian``) runs the code of one
# product for ``k`` directions at once: every value that depends on the
# directions carries a leading axis of length ``k``, its ``j``-th entry the value
# the product for direction ``j`` computes.  The helpers below apply an
# operation to such batches, or turn a value the same for every direction
# into one.


class ObjectCount(int):
    """A count of directions whose batches hold Python objects (the dependence sets
    of :mod:`s2sad.dependences`): the batches made for it hold objects too."""


def batch_size(x: Any) -> int:
    """How many directions the batch ``x`` holds: the length of its leading axis
    (an :class:`ObjectCount` for a batch of objects)."""
    k = np.shape(x)[0]
    return ObjectCount(k) if getattr(x, "dtype", None) == object else k


def batched(x: Any, k: int) -> Any:
    """``x``, the same for each of ``k`` directions, as a batch: a new array of shape
    ``(k,) + np.shape(x)`` (a tuple or list of values item by item)."""
    if isinstance(x, (tuple, list)):
        return type(x)(batched(item, k) for item in x)
    x = np.asarray(x)
    dtype = object if isinstance(k, ObjectCount) else np.result_type(x, 0.0)
    result = np.empty((k,) + x.shape, dtype=dtype)
    result[...] = x
    return result


def batched_shape(x: Any, k: int) -> Any:
    """A data-free array of shape ``(k,) + np.shape(x)`` and ``x``'s dtype: what reads
    only the shape of a batch of values shaped like ``x`` (a tuple or list of
    values item by item)."""
    if isinstance(x, (tuple, list)):
        return type(x)(batched_shape(item, k) for item in x)
    x = x if isinstance(x, np.ndarray) else np.asarray(x)
    return _carrier((k,) + x.shape, x.dtype)


def first(x: Any) -> Any:
    """The first direction's value of the batch ``x``, for what reads only its shape
    and dtype (zeros of that shape for an empty batch)."""
    if isinstance(x, (tuple, list)):
        return type(x)(first(item) for item in x)
    x = np.asarray(x)
    return x[0] if len(x) else np.zeros(x.shape[1:], x.dtype)


def lift(b: Any, y: Any) -> Any:
    """The batch ``b`` with axes of length 1 after its batch axis, so that its values
    have at least as many dimensions as ``y`` (the same for every direction): when
    they broadcast against each other, the batch axis stays in front."""
    missing = np.ndim(y) - np.ndim(b) + 1
    if missing <= 0:
        return b
    b = np.asarray(b)
    return b.reshape(b.shape[:1] + (1,) * missing + b.shape[1:])


def lift_batched(b: Any, y: Any) -> Any:
    """The batch ``b`` lifted (see :func:`lift`) against the values of the batch ``y``."""
    missing = np.ndim(y) - np.ndim(b)
    if missing <= 0:
        return b
    b = np.asarray(b)
    return b.reshape(b.shape[:1] + (1,) * missing + b.shape[1:])


def lift_region(v: Any, x: Any, index: Any) -> Any:
    """The batch ``v`` written into ``x[index]`` (``x`` a batch, ``index`` one of
    :func:`batch_index`'s) shaped as that region: lifted, or without the leading
    axes of length 1 NumPy drops when it stores a value with more; where index
    arrays that a slice separates put their axes first, the batch axis after them.
    Written into an item of a sequence of batches ``x``, ``v`` as it is."""
    if isinstance(x, (tuple, list)):
        return v
    v = np.asarray(v)
    region = np.ndim(np.asarray(x)[index]) - 1
    extra = v.ndim - 1 - region
    if extra > 0:
        v = v.reshape(v.shape[:1] + v.shape[1 + extra :])
    elif extra < 0:
        v = v.reshape(v.shape[:1] + (1,) * -extra + v.shape[1:])
    parts = index[1:]
    if _adjacent_advanced(parts):
        return v
    return np.moveaxis(v, 0, _advanced_ndim(parts))


def _advanced_ndim(parts: tuple) -> int:
    """How many axes the index arrays (and integers) among ``parts`` make together."""
    shapes = []
    for p in parts:
        if isinstance(p, (list, np.ndarray, bool, np.bool_, int, np.integer)):
            p = np.asarray(p)
            shapes.append((int(np.count_nonzero(p)),) if p.dtype == bool else p.shape)
    return len(np.broadcast_shapes(*shapes))


def batch_axis(x: Any, axis: Any) -> Any:
    """``axis`` of a value as an axis of the batch ``x`` of such values: ``None`` (every
    axis) is every axis but the batch's; an axis counted from the end stays."""
    if axis is None:
        return tuple(range(1, np.ndim(x)))
    return shifted_axis(axis)


def shifted_axis(axis: Any) -> Any:
    """An axis (or tuple of axes) of a value as the axis of a batch of such values."""
    if isinstance(axis, (tuple, list)):
        return tuple(shifted_axis(a) for a in axis)
    return axis + 1 if axis >= 0 else axis


def batch_index(index: Any) -> tuple:
    """``index`` of a value as an index of a batch of such values, the batch axis
    whole before the others (index arrays that a slice separates put theirs
    first, and the batch axis after them: see :func:`lift_region`)."""
    parts = index if isinstance(index, tuple) else (index,)
    return (slice(None),) + parts


def _adjacent_advanced(parts: tuple) -> bool:
    """True when the index arrays among ``parts`` (and the integers, when there are
    index arrays) stand next to each other."""
    arrays = [
        k
        for k, p in enumerate(parts)
        if isinstance(p, (list, np.ndarray, bool, np.bool_))
    ]
    if not arrays:
        return True
    advanced = [
        k
        for k, p in enumerate(parts)
        if k in arrays or isinstance(p, (int, np.integer))
    ]
    return advanced == list(range(advanced[0], advanced[-1] + 1))


def getitem_batched(x: Any, index: Any) -> Any:
    """``x[index]`` for each value of the batch ``x``, whatever ``index`` is."""
    parts = index if isinstance(index, tuple) else (index,)
    if _adjacent_advanced(parts):
        return np.asarray(x)[(slice(None),) + parts]
    if any(p is Ellipsis for p in parts):
        parts = parts + (slice(None),)
    picked = np.moveaxis(np.asarray(x), 0, -1)[parts]
    return np.moveaxis(picked, -1, 0)


def item_batched(x: Any, index: Any) -> Any:
    """``x[index]`` for each direction of ``x``, an item taken from a sequence: a
    sequence of batches is indexed as it is, a batch at ``[:, index]`` (a copy)."""
    if isinstance(x, (tuple, list)):
        return x[index]
    return np.array(getitem_batched(x, index))


def add_at_batched(acc: Any, x: Any, index: Any, g: Any) -> Any:
    """:func:`add_at` of a number ``acc`` and the batch ``g``, in a new batch laid
    out as ``g`` is: with the batch axis the fastest where ``g``'s is (so that
    the elementwise code after it runs over contiguous memory).  Where ``x`` is a
    sequence of batches (the batched shape of a list), a list of batches: ``g``
    at its item ``index[1]``, zeros at the others."""
    if isinstance(x, (tuple, list)):
        adjoint = [zeros_like(item) for item in x]
        adjoint[index[1]] = add_seq(adjoint[index[1]], g)
        return add_seq(acc, adjoint)
    dtype = np.result_type(acc, g, x, 0.0)
    g = np.asarray(g)
    order = "F" if g.ndim > 1 and g.flags.f_contiguous else "C"
    if acc == 0:
        result = np.zeros(np.shape(x), dtype=dtype, order=order)
    else:
        result = np.full(np.shape(x), acc, dtype=dtype, order=order)
    if _is_basic(index):
        result[index] += g
    else:
        np.add.at(result, index, g)
    return result


def unbroadcast_batched(g: Any, x: Any) -> Any:
    """:func:`unbroadcast` of each value of the batch ``g`` to ``x``'s shape (item
    by item where ``g`` is a list of batches, the adjoint of a list ``x``)."""
    if isinstance(g, (tuple, list)):
        return type(g)(unbroadcast_batched(gi, xi) for gi, xi in zip(g, x))
    g = np.asarray(g)
    shape = np.shape(x)
    k = g.shape[0]
    if g.shape[1:] == shape:
        return g
    extra = g.ndim - 1 - len(shape)
    if extra < 0:
        g = g.reshape((k,) + (1,) * -extra + g.shape[1:])
    elif extra:
        g = np.sum(g, axis=tuple(range(1, 1 + extra)))
    for a in reversed(range(len(shape))):
        if shape[a] == 1 and g.shape[a + 1] != 1:
            g = np.sum(g, axis=a + 1, keepdims=True)
    return g


def broadcast_like_batched(t: Any, x: Any) -> Any:
    """:func:`broadcast_like` of each value of the batch ``t`` to ``x``'s shape."""
    t = np.asarray(t)
    shape = t.shape[:1] + np.shape(x)
    if t.shape == shape:
        return t
    t = np.asarray(lift(t, x), dtype=np.result_type(t, np.asarray(x).dtype, 0.0))
    return np.broadcast_to(t, shape)


def unreduce_batched(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """:func:`unreduce` of each value of the batch ``g`` back to ``x``'s shape."""
    g = np.asarray(g, dtype=np.result_type(g, np.asarray(x).dtype, 0.0))
    if axis is not None and not keepdims and np.ndim(x) > 0:
        g = np.expand_dims(g, shifted_axis(axis))
    g = lift(g, x)
    return np.broadcast_to(g, g.shape[:1] + np.shape(x))


def setitem_value_adjoint_batched(g: Any, index: Any, value: Any) -> Any:
    """:func:`setitem_value_adjoint` for each value of the batch ``g``."""
    parts = index if isinstance(index, tuple) else (index,)
    if not _is_basic(index):
        return np.stack([setitem_value_adjoint(each, index, value) for each in g])
    picked = np.array(np.asarray(g)[(slice(None),) + parts])
    return unbroadcast_batched(picked, value)


def checkpointed_loop(
    step: Any,
    forward: Any,
    backward: Any,
    steps: range,
    snapshots: int,
    schedule: str,
    wrt: tuple,
    state: tuple,
    read: tuple,
    state_bar: tuple,
    read_bar: tuple,
    sweep: "Sweep | None" = None,
) -> tuple:
    """The reverse sweep of a checkpointed loop: from the state before it
    (``state``) and the adjoints of the state after it (``state_bar``), the
    adjoints of the step's parameters ``wrt`` (indices into ``(t, *state,
    *read)``: the state before the loop, summed over the steps for the values
    it reads), following the ``schedule`` with ``snapshots`` snapshots.
    ``step(t, *state, *read)`` is one step (returning the next state, then
    ``read`` as it is), ``forward`` its forward sweep (``(outputs, residuals)``)
    and ``backward(residuals, *state_bar, *read_bar)`` its backward sweep (the
    adjoints of ``wrt``).  ``read_bar`` holds the adjoints the read values of
    ``wrt`` have so far: each step's backward sweep adds to them, in the order
    the loop reversed step by step does (so the sums are the same).  With
    ``sweep``, what :func:`checkpointed_sweep` kept running the loop, the
    schedule resumes where that sweep left it (once: a second reversal of
    the same sweep runs the schedule from the state before the loop)."""
    sweeps = (step, forward, backward)
    return _reverse_loop(
        sweeps,
        step.__name__,
        steps,
        snapshots,
        schedule,
        wrt,
        state,
        read,
        state_bar,
        read_bar,
        sweep,
    )


def checkpointed_sweep(
    step: Any,
    forward: Any,
    steps: range,
    snapshots: int,
    schedule: str,
    state: tuple,
    read: tuple,
) -> tuple:
    """The forward sweep of a checkpointed loop: run it from ``state`` (and
    ``read``) as its ``schedule`` begins, taking the snapshots the schedule
    takes and taping the steps it tapes before it reverses one (the loop's
    last step, or last segment), so that :func:`checkpointed_loop` resumes
    there instead of running the loop again.  Returns the state after the
    loop (a copy: the residuals may hold the last step's), then the
    :class:`Sweep` the reversal resumes from."""
    counts = LoopCounts(step.__name__, schedule, snapshots, len(steps))
    machine = _Reversal((step, forward, None), steps, state, read, counts)
    done = machine.sweep(_schedule(schedule, len(steps), snapshots))
    return _swept(machine, done)


class Sweep:
    """What :func:`checkpointed_sweep` (:func:`checkpointed_while_sweep`) kept
    for the reversal of its loop: the machine that ran it (its snapshots and
    taped residuals) and how far it got: the number of the schedule's actions
    it followed (the online placement, for a ``while`` loop)."""

    def __init__(self, machine: "_Reversal", progress: Any):
        self._held: tuple | None = (machine, progress)

    def take(self) -> tuple | None:
        """``(machine, progress)`` the first time, None after: the reversal frees
        the snapshots as it passes them."""
        held, self._held = self._held, None
        return held

    def kept(self) -> tuple:
        """The states and residuals held (none once taken)."""
        if self._held is None:
            return ()
        machine = self._held[0]
        states = tuple(state for _, state in machine.slots.values())
        return (*states, *machine.residuals)


def _schedule(schedule: str, steps: int, snapshots: int) -> Any:
    """The actions of the ``for`` loop ``schedule`` reversing ``steps`` steps."""
    return (binomial if schedule == "binomial" else periodic)(steps, snapshots)


def _swept(machine: "_Reversal", progress: Any) -> tuple:
    """What a forward sweep returns: copies of the state ``machine`` reached
    (its residuals may hold the last step's), then the :class:`Sweep`."""
    return (*(_fresh_copy(value) for value in machine.state), Sweep(machine, progress))


def _fresh_copy(value: Any) -> Any:
    """``value`` with its arrays copied (a list's item by item)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_fresh_copy(item) for item in value]
    return value


def checkpointed_loop_jvp(
    step: Any,
    forward: Any,
    backward: Any,
    steps: range,
    snapshots: int,
    schedule: str,
    wrt: tuple,
    state: tuple,
    read: tuple,
    state_bar: tuple,
    read_bar: tuple,
    state_dot: tuple,
    read_dot: tuple,
    state_bar_dot: tuple,
    read_bar_dot: tuple,
    batch: int | None = None,
) -> tuple:
    """The tangent (forward mode) of :func:`checkpointed_loop`: the adjoints of
    ``wrt``, then their tangents along ``state_dot``, ``read_dot``,
    ``state_bar_dot`` and ``read_bar_dot``.  The same ``schedule`` reverses the
    loop, on the jvps of the step (``step``) and of its two sweeps
    (``forward``, ``backward``), each state a snapshot of the values and their
    tangents together: memory stays bounded as in the gradient.  With
    ``batch``, the tangents are batches of that many directions (leading
    axis), and the schedule runs once per direction (:func:`_per_direction`)."""
    pairs = _TangentSweeps((step, forward, backward), len(state), len(read), 1)

    def reverse(*tangents: tuple) -> tuple:
        state_dot, read_dot, state_bar_dot, read_bar_dot = tangents
        return _reverse_loop(
            pairs.sweeps(),
            step.__name__,
            steps,
            snapshots,
            schedule,
            pairs.wrt(wrt),
            (*state, *state_dot),
            (*read, *read_dot),
            (*state_bar, *state_bar_dot),
            (*read_bar, *read_bar_dot),
        )

    tangents = (state_dot, read_dot, state_bar_dot, read_bar_dot)
    return _per_direction(reverse, tangents, batch)


def _per_direction(reverse: Any, tangents: tuple, batch: int | None) -> tuple:
    """``reverse(*tangents)``, the adjoints then their tangents; for tangents in
    batches of ``batch`` directions, once per direction: the adjoints (the same
    for each), then their tangents stacked into batches (empty ones, shaped
    from one run with zero tangents, for no direction)."""
    if batch is None:
        return reverse(*tangents)
    if not batch:
        found = reverse(*first(tangents))
        half = len(found) // 2
        return (*found[:half], *(batched(t, 0) for t in found[half:]))
    found = [reverse(*_element(tangents, j)) for j in range(batch)]
    half = len(found[0]) // 2
    return (*found[0][:half], *_stacked([each[half:] for each in found]))


def _reverse_loop(
    sweeps: tuple,
    name: str,
    steps: range,
    snapshots: int,
    schedule: str,
    wrt: tuple,
    state: tuple,
    read: tuple,
    state_bar: tuple,
    read_bar: tuple,
    sweep: Sweep | None = None,
) -> tuple:
    """Reverse a checkpointed ``for`` loop whose step and sweeps are ``sweeps``
    (counted under ``name``) by ``schedule``, resuming from ``sweep`` where it
    still holds what a forward sweep kept: the adjoints of ``wrt``."""
    actions = _schedule(schedule, len(steps), snapshots)
    held = sweep.take() if sweep is not None else None
    if held is None:
        counts = LoopCounts(name, schedule, snapshots, len(steps))
        machine = _Reversal(sweeps, steps, state, read, counts)
    else:
        machine, done = held
        machine.backward = sweeps[2]
        actions = itertools.islice(actions, done, None)
    machine.follow(actions, wrt, state_bar, read_bar)
    record(machine.counts)
    return machine.adjoints()


def checkpointed_while(
    condition: Any,
    step: Any,
    forward: Any,
    backward: Any,
    snapshots: int,
    schedule: str,
    wrt: tuple,
    state: tuple,
    read: tuple,
    condition_read: tuple,
    state_bar: tuple,
    read_bar: tuple,
    sweep: "Sweep | None" = None,
) -> tuple:
    """The reverse sweep of a checkpointed ``while`` loop, by the online schedule
    of :mod:`s2sad.schedules`: from the state before the loop, run the steps
    while ``condition(*state, *condition_read)`` holds, each by its forward
    sweep (only the last step's residuals kept), storing the states
    :class:`~s2sad.schedules.OnlinePlacement` picks in ``snapshots`` slots
    (the state before a step once the condition after it holds);
    then reverse the steps by :func:`~s2sad.schedules.online_reversal`.  The
    step, its sweeps, ``wrt`` (indices into ``(*state, *read)``) and the
    adjoints are as in :func:`checkpointed_loop`, with no loop counter; the
    ``schedule`` is ``"online"``, the only one for a ``while`` loop.  With
    ``sweep``, what :func:`checkpointed_while_sweep` kept running the loop,
    the reversal starts from there (once, as for a ``for`` loop)."""
    _check_online(schedule)

    def holds(current: tuple) -> bool:
        return condition(*current, *condition_read)

    sweeps = (step, forward, backward)
    return _reverse_while(
        holds,
        sweeps,
        step.__name__,
        snapshots,
        wrt,
        state,
        read,
        state_bar,
        read_bar,
        sweep,
    )


def checkpointed_while_sweep(
    condition: Any,
    step: Any,
    forward: Any,
    snapshots: int,
    schedule: str,
    state: tuple,
    read: tuple,
    condition_read: tuple,
) -> tuple:
    """The forward sweep of a checkpointed ``while`` loop: run it from ``state``
    while ``condition(*state, *condition_read)`` holds, storing the states the
    online schedule picks and taping the last step, as
    :func:`checkpointed_while` does before it reverses the steps, so that it
    resumes there.  Returns the state after the loop (a copy), then the
    :class:`Sweep` the reversal resumes from."""
    _check_online(schedule)

    def holds(current: tuple) -> bool:
        return condition(*current, *condition_read)

    counts = LoopCounts(step.__name__, "online", snapshots)
    machine = _Reversal((step, forward, None), None, state, read, counts)
    placement = _run_online(holds, machine, snapshots)
    return _swept(machine, placement)


def _check_online(schedule: str) -> None:
    """Refuse a ``while`` loop's schedule other than ``"online"``."""
    if schedule != "online":
        raise ValueError(f"a while loop follows the online schedule, not {schedule!r}")


def checkpointed_while_jvp(
    condition: Any,
    step: Any,
    forward: Any,
    backward: Any,
    snapshots: int,
    schedule: str,
    wrt: tuple,
    state: tuple,
    read: tuple,
    condition_read: tuple,
    state_bar: tuple,
    read_bar: tuple,
    state_dot: tuple,
    read_dot: tuple,
    state_bar_dot: tuple,
    read_bar_dot: tuple,
    batch: int | None = None,
) -> tuple:
    """The tangent (forward mode) of :func:`checkpointed_while`: the adjoints of
    ``wrt``, then their tangents, as :func:`checkpointed_loop_jvp` gives them
    for a ``for`` loop (``batch`` too).  The online schedule runs on the jvps
    of the step and of its sweeps, ``condition`` reading the values of the
    state alone."""
    _check_online(schedule)
    carried = len(state)

    def holds(current: tuple) -> bool:
        return condition(*current[:carried], *condition_read)

    pairs = _TangentSweeps((step, forward, backward), carried, len(read), 0)

    def reverse(*tangents: tuple) -> tuple:
        state_dot, read_dot, state_bar_dot, read_bar_dot = tangents
        return _reverse_while(
            holds,
            pairs.sweeps(),
            step.__name__,
            snapshots,
            pairs.wrt(wrt),
            (*state, *state_dot),
            (*read, *read_dot),
            (*state_bar, *state_bar_dot),
            (*read_bar, *read_bar_dot),
        )

    tangents = (state_dot, read_dot, state_bar_dot, read_bar_dot)
    return _per_direction(reverse, tangents, batch)


def _reverse_while(
    holds: Any,
    sweeps: tuple,
    name: str,
    snapshots: int,
    wrt: tuple,
    state: tuple,
    read: tuple,
    state_bar: tuple,
    read_bar: tuple,
    sweep: Sweep | None = None,
) -> tuple:
    """Run a checkpointed ``while`` loop, whose step and sweeps are ``sweeps``
    (counted under ``name``), while ``holds(state)`` (unless ``sweep`` still
    holds what a forward sweep kept running it), then reverse it by the
    online schedule: the adjoints of ``wrt``."""
    held = sweep.take() if sweep is not None else None
    if held is None:
        counts = LoopCounts(name, "online", snapshots)
        machine = _Reversal(sweeps, None, state, read, counts)
        placement = _run_online(holds, machine, snapshots)
    else:
        machine, placement = held
        machine.backward = sweeps[2]
    actions = online_reversal(placement.kept, machine.position, snapshots)
    machine.follow(actions, wrt, state_bar, read_bar)
    record(machine.counts)
    return machine.adjoints()


def _run_online(holds: Any, machine: "_Reversal", snapshots: int) -> OnlinePlacement:
    """Run the loop on ``machine`` while ``holds(state)``, each step by its forward
    sweep (only the last step's residuals kept), storing the states
    :class:`~s2sad.schedules.OnlinePlacement` picks (the state before a step
    once the condition after it holds): the placement, its stored steps."""
    placement = OnlinePlacement(snapshots)
    previous = None
    while holds(machine.state):
        if previous is not None:
            slot = placement.keep(previous[0])
            if slot is not None:
                machine.store(slot, previous)
        previous = (machine.position, machine.state)
        machine.forward_step()
    machine.counts.steps = machine.position
    return placement


class _Reversal:
    """The machine a schedule runs on: the current state and its step, the
    snapshots, the taped residuals and the adjoints so far, counting what it
    does in ``counts``.  ``counters`` are the loop counters the step takes
    first (None for a ``while`` loop)."""

    def __init__(
        self,
        sweeps: tuple,
        counters: Any,
        state: tuple,
        read: tuple,
        counts: LoopCounts,
    ):
        self.step, self.forward, self.backward = sweeps
        self.counters = counters
        self.wrt: tuple = ()
        self.carried = len(state)
        self.outputs = self.carried + len(read)
        self.first = 0 if counters is None else 1
        self.state, self.read = tuple(state), tuple(read)
        self.position = 0
        self.held = HeldStates()
        self.slots = self.held.slots
        self.residuals: list[Any] = []
        self.bars: list[Any] = []
        self.read_bars: dict[int, Any] = {}
        self.counts = counts

    def store(self, slot: int, snapshot: tuple) -> None:
        """Keep ``snapshot`` (a step and the state before it) in ``slot``."""
        self.held.hold(slot, snapshot)
        self.counts.stored(len(self.slots), self.held.bytes)

    def forward_step(self) -> None:
        """One step of a ``while`` loop's forward pass, taped; the records of the
        step before are dropped, so that step counts as untaped."""
        if self.residuals:
            self.residuals.clear()
            self.counts.taped -= 1
            self.counts.advances += 1
        self.run(1, taped=True)

    def run(self, count: int, taped: bool) -> None:
        """Run ``count`` steps from the current state, keeping their residuals
        when ``taped``."""
        for _ in range(count):
            counter = () if self.counters is None else (self.counters[self.position],)
            arguments = (*counter, *self.state, *self.read)
            if taped:
                out, kept = self.forward(*arguments)
                self.residuals.append(kept)
            else:
                out = self.step(*arguments)
            self.state = _carried(out, self.carried, self.outputs)
            self.position += 1
        if taped:
            self.counts.taped += count
        else:
            self.counts.advances += count

    def sweep(self, actions: Any) -> int:
        """Run ``actions`` up to the first reversal of a step: how many ran."""
        done = 0
        for action in actions:
            if action.kind == REVERSE:
                break
            self.act(action)
            done += 1
        return done

    def follow(
        self, actions: Any, wrt: tuple, state_bar: tuple, read_bar: tuple
    ) -> None:
        """Run ``actions``, from the adjoints ``state_bar`` of the state after
        the loop and ``read_bar`` of the values read, for the adjoints of ``wrt``
        (zeros of a state's shape for the number 0 standing for its zero
        adjoint: with no step to reverse, they are what the reversal returns;
        those of the values read are made where needed, see :meth:`adjoints`)."""
        self.wrt = wrt
        self.bars = [_dense(bar, like) for bar, like in zip(state_bar, self.state)]
        read = [k for k in self.wrt if k >= self.first + self.carried]
        self.read_bars = dict(zip(read, read_bar))
        for action in actions:
            self.act(action)

    def act(self, action: Any) -> None:
        """Run one action of a schedule."""
        if action.kind in (ADVANCE, TAPE):
            self.run(action.count, action.kind == TAPE)
        elif action.kind == SNAPSHOT:
            self.store(action.slot, (self.position, self.state))
        elif action.kind == RESTORE:
            self.position, self.state = self.slots[action.slot]
            self.counts.restores += 1
        else:
            for _ in range(action.count):
                self.reverse_one()
            self.release(self.position - action.count)

    def release(self, reversed_to: int) -> None:
        """Drop the snapshots of the states from step ``reversed_to`` on, which
        the reversal has passed."""
        for slot in [s for s, (at, _) in self.slots.items() if at >= reversed_to]:
            self.held.drop(slot)

    def reverse_one(self) -> None:
        """The adjoints before the last step taped, from those after it."""
        first, outputs = self.first, self.outputs
        reads = range(first + self.carried, first + outputs)
        bars = [_dense(bar, like) for bar, like in zip(self.bars, self.state)]
        seeds = [
            _dense(self.read_bars[k], like) if k in self.read_bars else 0.0
            for k, like in zip(reads, self.read)
        ]
        found = self.backward(self.residuals.pop(), *bars, *seeds)
        adjoints = dict(zip(self.wrt, found))
        self.bars = [adjoints.get(first + k, 0.0) for k in range(self.carried)]
        self.read_bars = {k: adjoints[k] for k in self.read_bars}

    def adjoints(self) -> tuple:
        """The adjoints of ``wrt`` before the loop (zeros shaped like a value
        read where its adjoint is still the number 0)."""
        first, carried = self.first, self.carried
        return tuple(
            (
                self.bars[k - first]
                if k < first + carried
                else _dense(self.read_bars[k], self.read[k - first - carried])
            )
            for k in self.wrt
        )


def _dense(adjoint: Any, like: Any) -> Any:
    """``adjoint``, or zeros shaped like ``like`` where it is the number 0 standing
    for the zero adjoint of an array or list (a step's backward sweep indexes
    and writes into the adjoints it is given)."""
    number = isinstance(adjoint, (int, float)) and adjoint == 0
    if number and (isinstance(like, (tuple, list)) or np.ndim(like) > 0):
        return zeros_like(like)
    return adjoint


class _TangentSweeps:
    """The jvps of a checkpointed loop's step and of its two sweeps, called as
    :class:`_Reversal` calls a step and its sweeps: on a state of the values
    then their tangents (``(*state, *state_dot)``), reading ``(*read,
    *read_dot)``, with the residuals and their tangents as one record and the
    adjoints then their tangents.  The jvps take tangents along every
    parameter but the loop counter (``first`` is 1 for a ``for`` loop's),
    the backward sweep's along every one."""

    def __init__(self, jvps: tuple, carried: int, reads: int, first: int):
        self.step_jvp, self.forward_jvp, self.backward_jvp = jvps
        self.carried, self.reads, self.first = carried, reads, first

    def sweeps(self) -> tuple:
        """The step, its forward sweep and its backward sweep on the pairs."""
        return (self.step, self.forward, self.backward)

    def wrt(self, wrt: tuple) -> tuple:
        """The positions of the values ``wrt`` names, then of their tangents,
        among ``(counter, *state, *state_dot, *read, *read_dot)``."""
        start = self.first + self.carried
        values = tuple(k if k < start else k + self.carried for k in wrt)
        tangents = tuple(
            k + self.carried if k < start else k + self.carried + self.reads
            for k in wrt
        )
        return values + tangents

    def step(self, *args: Any) -> tuple:
        """One step: the next state and its tangents."""
        outputs, tangents = self._grouped(*self.step_jvp(*self._arguments(args)))
        return (*outputs[: self.carried], *tangents[: self.carried])

    def forward(self, *args: Any) -> tuple:
        """One step's forward sweep: the next state and its tangents, then the
        residuals with their tangents."""
        found = self.forward_jvp(*self._arguments(args))
        outputs, residuals, tangents, residuals_dot = found
        outputs, tangents = self._grouped(outputs, tangents)
        state = (*outputs[: self.carried], *tangents[: self.carried])
        return state, (residuals, residuals_dot)

    def backward(self, kept: tuple, *cotangents: Any) -> tuple:
        """One step's backward sweep: the adjoints of ``wrt``, then their tangents."""
        residuals, residuals_dot = kept
        c, r = self.carried, self.reads
        values = (*cotangents[:c], *cotangents[2 * c : 2 * c + r])
        tangents = (*cotangents[c : 2 * c], *cotangents[2 * c + r :])
        adjoints, dots = self.backward_jvp(residuals, *values, residuals_dot, *tangents)
        return (*adjoints, *dots)

    def _arguments(self, args: tuple) -> tuple:
        """The jvp's arguments from the pairs' ones: the counter, the values,
        then their tangents."""
        first, c, r = self.first, self.carried, self.reads
        state, state_dot = args[first : first + c], args[first + c : first + 2 * c]
        read, read_dot = (
            args[first + 2 * c : first + 2 * c + r],
            args[first + 2 * c + r :],
        )
        return (*args[:first], *state, *read, *state_dot, *read_dot)

    def _grouped(self, outputs: Any, tangents: Any) -> tuple:
        """A step's outputs and their tangents as tuples (a step with one
        output returns it alone)."""
        if self.carried + self.reads == 1:
            return (outputs,), (tangents,)
        return tuple(outputs), tuple(tangents)


def _carried(values: Any, count: int, outputs: int) -> tuple:
    """The ``count`` values a step carries, of its ``outputs`` results."""
    return tuple(values)[:count] if outputs > 1 else (values,)


def identity_batch(x: Any) -> Any:
    """The basis of the entries of the vector ``x`` as one batch (leading axis):
    the identity matrix, in ``x``'s float type."""
    return np.eye(np.size(x), dtype=np.result_type(np.asarray(x).dtype, 0.0))


def matmul_batched(x: Any, y: Any, x_batched: bool, y_batched: bool) -> Any:
    """``x @ y`` for each direction, with ``x``, ``y`` or both batches (NumPy's rules
    for 1-D operands and stacks of matrices hold for the values, not the batch)."""
    x, y = np.asarray(x), np.asarray(y)
    nx, ny = x.ndim - x_batched, y.ndim - y_batched
    if x_batched and not y_batched and nx >= 2 and ny <= 2:
        return _matmul(x, y)
    if y_batched and not x_batched and nx == 2 and ny >= 2:
        return _matmul(x, y)
    if y_batched and not x_batched and nx == 2 and ny == 1:
        return _matmul(y, x.T)
    x = x if x_batched else x[None]
    y = y if y_batched else y[None]
    if nx == 1:
        x = x[:, None, :]
    if ny == 1:
        y = y[..., None]
    stacked_x, stacked_y = max(nx, 2) - 2, max(ny, 2) - 2
    if stacked_x < stacked_y:
        x = x.reshape(x.shape[:1] + (1,) * (stacked_y - stacked_x) + x.shape[1:])
    elif stacked_y < stacked_x:
        y = y.reshape(y.shape[:1] + (1,) * (stacked_x - stacked_y) + y.shape[1:])
    result = _matmul(x, y)
    if ny == 1:
        result = result[..., 0]
    if nx == 1:
        result = result[..., 0] if ny == 1 else result[..., 0, :]
    return result


def dot_batched(x: Any, y: Any, x_batched: bool, y_batched: bool) -> Any:
    """``np.dot(x, y)`` for each direction: :func:`matmul_batched` where the values
    have one or two dimensions (``np.dot`` is ``@`` there), else one call each."""
    nx, ny = np.ndim(x) - x_batched, np.ndim(y) - y_batched
    if 1 <= nx <= 2 and 1 <= ny <= 2:
        return matmul_batched(x, y, x_batched, y_batched)
    return batch_loop("np.dot", ("", ""), (x_batched, y_batched), (x, y))


def dot_adjoint_x_batched(g: Any, x: Any, y: Any) -> Any:
    """:func:`dot_adjoint_x` for each value of the batch ``g``: one vectorised
    product where ``x`` and ``y`` have one or two dimensions, else one call each."""
    if 1 <= np.ndim(x) <= 2 and 1 <= np.ndim(y) <= 2:
        return matmul_adjoint_x_batched(g, x, y)
    return batch_loop(
        "runtime.dot_adjoint_x", ("", "", ""), (True, False, False), (g, x, y)
    )


def dot_adjoint_y_batched(g: Any, x: Any, y: Any) -> Any:
    """:func:`dot_adjoint_y` for each value of the batch ``g`` (as
    :func:`dot_adjoint_x_batched`)."""
    if 1 <= np.ndim(x) <= 2 and 1 <= np.ndim(y) <= 2:
        return matmul_adjoint_y_batched(g, x, y)
    return batch_loop(
        "runtime.dot_adjoint_y", ("", "", ""), (True, False, False), (g, x, y)
    )


def matmul_adjoint_x_batched(g: Any, x: Any, y: Any) -> Any:
    """:func:`matmul_adjoint_x` for each value of the batch ``g`` (``x``, read for
    its shape, and ``y`` the same for every direction): one vectorised product."""
    x, y = np.asarray(x), np.asarray(y)
    g = _full_batch(g, _matmul_shape(x.shape, y.shape))
    if y.ndim == 1:
        result = g[..., None] * y
    elif x.ndim == 1 and y.ndim == 2:
        result = _matmul(g, y.T)
    elif x.ndim == 1:
        result = _matmul(y, g[..., None])[..., 0]
    else:
        result = _matmul(g, np.swapaxes(y, -1, -2))
    return unbroadcast_batched(result, x)


def matmul_adjoint_y_batched(g: Any, x: Any, y: Any) -> Any:
    """:func:`matmul_adjoint_y` for each value of the batch ``g`` (``x`` and ``y``,
    read for its shape, the same for every direction): one vectorised product."""
    x, y = np.asarray(x), np.asarray(y)
    g = _full_batch(g, _matmul_shape(x.shape, y.shape))
    if x.ndim == 1 and y.ndim == 1:
        result = g[..., None] * x
    elif x.ndim == 1:
        result = x[:, None] * g[..., None, :]
    elif y.ndim == 1 and x.ndim == 2:
        result = _matmul(g, x)
    elif y.ndim == 1:
        result = _matmul(np.swapaxes(x, -1, -2), g[..., None])[..., 0]
    else:
        result = _matmul(np.swapaxes(x, -1, -2), g)
    return unbroadcast_batched(result, y)


def _matmul(x: Any, y: Any) -> Any:
    """``x @ y`` of two arrays; where one of them holds dependence sets (objects)
    and the other numbers, each entry is the union of the sets the product
    multiplies by a nonzero number: a matrix's zeros are its structure (a band,
    a stencil), so the pattern of a product by a constant operator keeps it.
    A number zero only at these arguments leaves the pattern exact here, and
    the check direction widens it at the call where it is not."""
    if (x.dtype == object) == (y.dtype == object):
        return x @ y
    shape = _matmul_shape(x.shape, y.shape)
    if y.dtype == object:
        mask = _nonzero_matrix(x if x.ndim >= 2 else x[None])
        sets = y if y.ndim >= 2 else y[:, None]
        result = np.moveaxis(_union_rows(mask, np.moveaxis(sets, -2, 0)), 0, -2)
    else:
        mask = _nonzero_matrix(y if y.ndim >= 2 else y[:, None]).T
        sets = x if x.ndim >= 2 else x[None]
        result = np.moveaxis(_union_rows(mask, np.moveaxis(sets, -1, 0)), 0, -1)
    if y.ndim == 1:
        result = result[..., 0]
    if x.ndim == 1:
        result = result[..., 0] if y.ndim == 1 else result[..., 0, :]
    return np.array(np.broadcast_to(result, shape))


def _nonzero_matrix(a: np.ndarray) -> np.ndarray:
    """Where the last two axes of ``a`` are nonzero in any of its matrices."""
    nonzero = a != 0
    return nonzero.reshape((-1,) + a.shape[-2:]).any(axis=0)


def _union_rows(mask: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """For each row of the boolean ``mask`` (rows × k), the sum (the union) of the
    entries of ``sets`` (k × ...) it picks; rows alike are summed once."""
    patterns, inverse = np.unique(mask, axis=0, return_inverse=True)
    flat = sets.reshape(sets.shape[0], -1)
    sums = np.zeros((len(patterns), flat.shape[1]), dtype=object)
    for row, pattern in enumerate(patterns):
        if pattern.any():
            sums[row] = np.add.reduce(flat[pattern], axis=0)
    return sums[inverse.reshape(-1)].reshape(mask.shape[:1] + sets.shape[1:])


def _matmul_shape(a: tuple, b: tuple) -> tuple:
    """The shape of ``x @ y`` for ``x`` of shape ``a`` and ``y`` of shape ``b``."""
    if len(a) == 1 and len(b) == 1:
        return ()
    if len(a) == 1:
        return b[:-2] + b[-1:]
    if len(b) == 1:
        return a[:-1]
    return np.broadcast_shapes(a[:-2], b[:-2]) + (a[-2], b[-1])


def _full_batch(g: Any, shape: tuple) -> Any:
    """The batch ``g`` with each of its values broadcast to ``shape`` (a view)."""
    g = np.asarray(g)
    missing = len(shape) - (g.ndim - 1)
    if missing > 0:
        g = g.reshape(g.shape[:1] + (1,) * missing + g.shape[1:])
    return np.broadcast_to(g, g.shape[:1] + shape)


def transpose_batched(x: Any, axes: Any = None) -> Any:
    """``np.transpose`` of each value of the batch ``x``."""
    n = np.ndim(x) - 1
    if axes is None:
        order = tuple(range(n, 0, -1))
    else:
        order = tuple(a % n + 1 for a in axes)
    return np.transpose(x, (0,) + order)


def reshape_batched(x: Any, shape: Any) -> Any:
    """``np.reshape`` of each value of the batch ``x`` to ``shape``."""
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    return np.reshape(x, np.shape(x)[:1] + shape)


def array_batched(x: Any, dtype: Any = None) -> Any:
    """``np.array`` of each direction's value of ``x``, a tuple or list (nested) whose
    every number or array is a batch."""
    depth, inner = 0, x
    while isinstance(inner, (tuple, list)):
        depth, inner = depth + 1, inner[0]
    return np.moveaxis(np.array(x, dtype=dtype), depth, 0)


def batch_loop(name: str, keywords: tuple, flags: tuple, args: tuple) -> Any:
    """The function ``name`` applied for each direction, one call each, and the
    results stacked into a batch: the fallback for operations rarely met in
    Hessians (``flags`` marks the batched ``args``; ``keywords`` names those
    passed by keyword, ``""`` for positional ones)."""
    fn = _named(name)
    k = next(_count(a) for a, flag in zip(args, flags) if flag)
    results = []
    for j in range(k):
        positional, named = [], {}
        for key, flag, value in zip(keywords, flags, args):
            value = _element(value, j) if flag else value
            if key:
                named[key] = value
            else:
                positional.append(value)
        results.append(fn(*positional, **named))
    return _stacked(results)


def _named(name: str) -> Any:
    """``np.linalg.det``, ``runtime.cofactor``, ``math.log`` or ``module:qualname``."""
    if ":" in name:
        return resolve(*name.split(":"))
    root, *path = name.split(".")
    target: Any = {"np": np, "math": math, "runtime": globals()}.get(root)
    if isinstance(target, dict):
        target, path = target[path[0]], path[1:]
    for part in path:
        target = getattr(target, part)
    return target


def _count(x: Any) -> int:
    while isinstance(x, (tuple, list)):
        x = x[0]
    return np.shape(x)[0]


def _element(x: Any, j: int) -> Any:
    if isinstance(x, (tuple, list)):
        return type(x)(_element(item, j) for item in x)
    return x[j]


def _stacked(results: list) -> Any:
    sample = results[0]
    if isinstance(sample, (tuple, list)):
        parts = [_stacked([r[i] for r in results]) for i in range(len(sample))]
        return parts if isinstance(sample, list) else tuple(parts)
    return np.stack([np.asarray(r) for r in results])
