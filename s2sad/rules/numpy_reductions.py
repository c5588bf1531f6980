"""Derivative rules of NumPy reductions: sums, means, products, extrema, moments, norms, cumulative ops.

Each takes ``axis`` (None for all axes, an int, or a tuple) and ``keepdims``
where NumPy does.  Adjoints broadcast the result's adjoint back over the
reduced axes (see :func:`s2sad.runtime.unreduce`).
"""

from __future__ import annotations

import numpy as np

from .. import runtime
from ..ir.core import BOOL, INT, as_array
from .helpers import runtime_helper
from .batch_rules import LOOP, REDUCTION, Axes, Helper
from .registry import ARRAY_RESULT, REDUCE, Syntax, primitive

AXIS = "x, axis=None, *, keepdims=False"


def reduction(name: str, fn, args: str = AXIS, **options):
    """Declare the reduction ``np.<name>`` (``axis`` and ``keepdims`` carry no derivative)."""
    options.setdefault("nondiff", "axis keepdims")
    options.setdefault("result_type", REDUCE)
    options.setdefault("batch", REDUCTION)
    return primitive(f"np.{name}", args, fn, Syntax("call", f"np.{name}"), **options)


@runtime_helper(
    "unreduce",
    "g, x, axis=None, keepdims=False",
    nondiff="x axis keepdims",
    shape_only="x",
    linear=True,
    view=True,
    read_only=True,
    same_shape="x",
    batch=Helper("unreduce_batched", "g"),
)
class unreduce:
    def tangent(x, axis, keepdims, g_dot):
        return runtime.unreduce(g_dot, x, axis, keepdims)

    def adjoint(x, axis, keepdims, out_bar):
        return np.sum(out_bar, axis=axis, keepdims=keepdims)


runtime_helper(
    "reduced_count", "x, axis", nondiff="x axis", shape_only="x", result_type="int"
)(None)


@runtime_helper(
    "extremum_weights", "x, top, axis, keepdims", nondiff="axis keepdims", batch=LOOP
)
class extremum_weights:
    """Piecewise constant in ``x`` and ``top`` (they change only where ties do)."""

    def tangent(x):
        return runtime.zeros_like(x)

    def adjoint(x, top):
        return runtime.zeros_like(x), runtime.zeros_like(top)


@runtime_helper(
    "cumsum_adjoint",
    "g, x, axis",
    nondiff="x axis",
    shape_only="x",
    linear=True,
    batch=LOOP,
)
class cumsum_adjoint:
    def tangent(x, axis, g_dot):
        return runtime.cumsum_adjoint(g_dot, x, axis)

    def adjoint(g, axis, out_bar):
        return np.reshape(np.cumsum(out_bar, axis), np.shape(g))


@runtime_helper("prod_others", "x, axis", nondiff="axis", batch=LOOP)
class prod_others:
    """Exact where ``x`` has zeros: the product of all but two elements is a
    product of all but one of a matrix with ones on its diagonal."""

    def tangent(x, axis, x_dot):
        spread = runtime.spread_others(x, axis) + runtime.others_eye(x, axis)
        products = runtime.prod_others(spread, -1)
        return runtime.collect_others(
            products * runtime.spread_others(x_dot, axis), x, axis
        )

    def adjoint(x, axis, out_bar):
        spread = runtime.spread_others(x, axis) + runtime.others_eye(x, axis)
        products = runtime.prod_others(spread, -1)
        spread_bar = np.swapaxes(runtime.spread_others(out_bar, axis), -1, -2)
        return runtime.collect_others(
            np.swapaxes(products * spread_bar, -1, -2), x, axis
        )


@runtime_helper("spread_others", "x, axis", nondiff="axis", linear=True, batch=LOOP)
class spread_others:
    def tangent(axis, x_dot):
        return runtime.spread_others(x_dot, axis)

    def adjoint(x, axis, out_bar):
        return runtime.collect_others(np.swapaxes(out_bar, -1, -2), x, axis)


@runtime_helper(
    "collect_others",
    "g, x, axis",
    nondiff="x axis",
    shape_only="x",
    linear=True,
    batch=LOOP,
)
class collect_others:
    def tangent(x, axis, g_dot):
        return runtime.collect_others(g_dot, x, axis)

    def adjoint(axis, out_bar):
        return np.swapaxes(runtime.spread_others(out_bar, axis), -1, -2)


runtime_helper("others_eye", "x, axis", nondiff="x axis", shape_only="x")(None)


@runtime_helper(
    "cumulative_spread", "x, axis, side", nondiff="axis side", linear=True, batch=LOOP
)
class cumulative_spread:
    def tangent(axis, side, x_dot):
        return runtime.cumulative_spread(x_dot, axis, side)

    def adjoint(x, axis, side, out_bar):
        return runtime.cumulative_collect(out_bar, x, axis, side)


@runtime_helper(
    "cumulative_collect",
    "g, x, axis, side",
    nondiff="x axis side",
    shape_only="x",
    linear=True,
    batch=LOOP,
)
class cumulative_collect:
    def tangent(x, axis, side, g_dot):
        return runtime.cumulative_collect(g_dot, x, axis, side)

    def adjoint(axis, side, out_bar):
        return runtime.cumulative_spread(out_bar, axis, side)


# The second derivative of ``c = np.cumprod(x, axis)`` along ``v`` and ``w``,
# ``c''[n] = sum over m != l <= n of v[m] w[l] prod(x[k], k <= n, k != m, l)``,
# is exact at zeros as ``prod_others``' rules are: row ``m`` of
# ``spread_others(x) + others_eye(x)`` is ``x`` with ``x[m]`` set to 1, and
# its cumulative products' tangent along ``w`` without ``w[m]``,
# ``pairs[m, n]``, holds the products of all but two.  Summed over ``m <= n``
# with ``v[m]``, that is the tangent of ``cumprod_tangent`` in ``x``; over
# ``n >= m`` with ``g[n]``, that of ``cumprod_adjoint`` and both adjoints in
# ``x``.  Their ``cumulative`` is ``np.cumprod(x, axis)``: what depends on it
# is in the derivative in ``x``, and it has none of its own.


@runtime_helper("cumprod_tangent", "x, axis, cumulative, v", nondiff="axis", batch=LOOP)
class cumprod_tangent:
    def tangent(x, axis, cumulative, v, x_dot, v_dot):
        ones = runtime.spread_others(x, axis) + runtime.others_eye(x, axis)
        pairs = runtime.cumprod_tangent(
            ones, -1, np.cumprod(ones, -1), runtime.spread_others(x_dot, axis)
        )
        return runtime.cumprod_tangent(
            x, axis, cumulative, v_dot
        ) + runtime.cumulative_collect(
            runtime.cumulative_spread(v, axis, 0) * pairs, cumulative, axis, 1
        )

    def adjoint(x, axis, cumulative, v, out_bar):
        ones = runtime.spread_others(x, axis) + runtime.others_eye(x, axis)
        pairs = runtime.cumprod_tangent(
            ones, -1, np.cumprod(ones, -1), runtime.spread_others(v, axis)
        )
        return (
            runtime.cumulative_collect(
                runtime.cumulative_spread(out_bar, axis, 1) * pairs, x, axis, 0
            ),
            runtime.zeros_like(cumulative),
            runtime.cumprod_adjoint(out_bar, x, axis, cumulative),
        )


@runtime_helper("cumprod_adjoint", "g, x, axis, cumulative", nondiff="axis", batch=LOOP)
class cumprod_adjoint:
    def tangent(g, x, axis, cumulative, g_dot, x_dot):
        ones = runtime.spread_others(x, axis) + runtime.others_eye(x, axis)
        pairs = runtime.cumprod_tangent(
            ones, -1, np.cumprod(ones, -1), runtime.spread_others(x_dot, axis)
        )
        return runtime.cumprod_adjoint(
            g_dot, x, axis, cumulative
        ) + runtime.cumulative_collect(
            runtime.cumulative_spread(g, axis, 1) * pairs, x, axis, 0
        )

    def adjoint(g, x, axis, cumulative, out_bar):
        ones = runtime.spread_others(x, axis) + runtime.others_eye(x, axis)
        pairs = runtime.cumprod_tangent(
            ones, -1, np.cumprod(ones, -1), runtime.spread_others(out_bar, axis)
        )
        return (
            runtime.cumprod_tangent(x, axis, cumulative, out_bar),
            runtime.cumulative_collect(
                runtime.cumulative_spread(g, axis, 1) * pairs, x, axis, 0
            ),
            runtime.zeros_like(cumulative),
        )


runtime_helper(
    "norm_power", "x, ord, axis", nondiff="x ord axis", result_type="float", batch=LOOP
)(None)


@runtime_helper(
    "norm_derivative",
    "x, norm, ord, axis, keepdims",
    nondiff="ord axis keepdims",
    batch=LOOP,
)
class norm_derivative:
    """The norm's Hessian, symmetric, so the tangent and the adjoint agree (see
    :func:`s2sad.runtime.norm_power`).  ``norm`` is ``np.linalg.norm(x, ...)``: what
    depends on it is in the derivative in ``x``, and it has none of its own."""

    def tangent(x, norm, ord, axis, keepdims, out, x_dot):
        p = runtime.norm_power(x, ord, axis)
        whole = runtime.unreduce(norm, x, axis, keepdims)
        along = np.sum(out * x_dot, axis=axis, keepdims=keepdims)
        change = runtime.unreduce(along, x, axis, keepdims) / whole
        power = runtime.power_factor(np.abs(x), p - 1.0) / whole ** (p - 1.0)
        return (p - 1.0) * (power * x_dot - out * change)

    def adjoint(x, norm, ord, axis, keepdims, out, out_bar):
        p = runtime.norm_power(x, ord, axis)
        whole = runtime.unreduce(norm, x, axis, keepdims)
        along = np.sum(out * out_bar, axis=axis, keepdims=keepdims)
        change = runtime.unreduce(along, x, axis, keepdims) / whole
        power = runtime.power_factor(np.abs(x), p - 1.0) / whole ** (p - 1.0)
        return (p - 1.0) * (power * out_bar - out * change), runtime.zeros_like(norm)


@runtime_helper(
    "trace_adjoint",
    "g, x, offset",
    nondiff="x offset",
    shape_only="x",
    linear=True,
    batch=LOOP,
)
class trace_adjoint:
    def tangent(x, offset, g_dot):
        return runtime.trace_adjoint(g_dot, x, offset)

    def adjoint(offset, out_bar):
        return np.trace(out_bar, offset)


@reduction("sum", np.sum, linear=True)
class sum_:
    def tangent(axis, keepdims, x_dot):
        return np.sum(x_dot, axis=axis, keepdims=keepdims)

    def adjoint(x, axis, keepdims, out_bar):
        return runtime.unreduce(out_bar, x, axis, keepdims)


@reduction("mean", np.mean, linear=True)
class mean:
    def tangent(axis, keepdims, x_dot):
        return np.mean(x_dot, axis=axis, keepdims=keepdims)

    def adjoint(x, axis, keepdims, out_bar):
        return runtime.unreduce(
            out_bar / runtime.reduced_count(x, axis), x, axis, keepdims
        )


@reduction("prod", np.prod)
class prod:
    def tangent(x, axis, keepdims, x_dot):
        others = runtime.prod_others(x, axis)
        return np.sum(x_dot * others, axis=axis, keepdims=keepdims)

    def adjoint(x, axis, keepdims, out_bar):
        others = runtime.prod_others(x, axis)
        return runtime.unreduce(out_bar, x, axis, keepdims) * others


@reduction("max", np.max, also=(np.amax,))
class max_:
    def tangent(x, axis, keepdims, out, x_dot):
        weights = runtime.extremum_weights(x, out, axis, keepdims)
        return np.sum(x_dot * weights, axis=axis, keepdims=keepdims)

    def adjoint(x, axis, keepdims, out, out_bar):
        weights = runtime.extremum_weights(x, out, axis, keepdims)
        return runtime.unreduce(out_bar, x, axis, keepdims) * weights


@reduction("min", np.min, also=(np.amin,))
class min_(max_):
    pass


VARIANCE = "x, axis=None, *, ddof=0, keepdims=False"


@reduction("var", np.var, VARIANCE, nondiff="axis ddof keepdims")
class var:
    def tangent(x, axis, ddof, keepdims, out, x_dot):
        centred = x - np.mean(x, axis=axis, keepdims=True)
        scale = 2.0 / (runtime.reduced_count(x, axis) - ddof)
        return np.sum(x_dot * centred, axis=axis, keepdims=keepdims) * scale

    def adjoint(x, axis, ddof, keepdims, out_bar):
        centred = x - np.mean(x, axis=axis, keepdims=True)
        scale = 2.0 / (runtime.reduced_count(x, axis) - ddof)
        return runtime.unreduce(out_bar * scale, x, axis, keepdims) * centred


@reduction("std", np.std, VARIANCE, nondiff="axis ddof keepdims")
class std:
    def tangent(x, axis, ddof, keepdims, out, x_dot):
        centred = x - np.mean(x, axis=axis, keepdims=True)
        count = runtime.reduced_count(x, axis) - ddof
        return np.sum(x_dot * centred, axis=axis, keepdims=keepdims) / (count * out)

    def adjoint(x, axis, ddof, keepdims, out, out_bar):
        centred = x - np.mean(x, axis=axis, keepdims=True)
        count = runtime.reduced_count(x, axis) - ddof
        return runtime.unreduce(out_bar / (count * out), x, axis, keepdims) * centred


@reduction(
    "cumsum",
    np.cumsum,
    "x, axis=None",
    nondiff="axis",
    result_type=ARRAY_RESULT,
    linear=True,
    batch=Axes("axis"),
)
class cumsum:
    def tangent(axis, x_dot):
        return np.cumsum(x_dot, axis=axis)

    def adjoint(x, axis, out_bar):
        return runtime.cumsum_adjoint(out_bar, x, axis)


@reduction(
    "cumprod",
    np.cumprod,
    "x, axis=None",
    nondiff="axis",
    result_type=ARRAY_RESULT,
    batch=Axes("axis"),
)
class cumprod:
    def tangent(x, axis, out, x_dot):
        return runtime.cumprod_tangent(x, axis, out, x_dot)

    def adjoint(x, axis, out, out_bar):
        return runtime.cumprod_adjoint(out_bar, x, axis, out)


@primitive(
    "np.linalg.norm",
    "x, ord=None, axis=None, keepdims=False",
    np.linalg.norm,
    Syntax("call", "np.linalg.norm"),
    result_type=REDUCE,
    nondiff="ord axis keepdims",
    batch=LOOP,
)
class norm:
    def tangent(x, ord, axis, keepdims, out, x_dot):
        slope = runtime.norm_derivative(x, out, ord, axis, keepdims)
        return np.sum(x_dot * slope, axis=axis, keepdims=keepdims)

    def adjoint(x, ord, axis, keepdims, out, out_bar):
        slope = runtime.norm_derivative(x, out, ord, axis, keepdims)
        return runtime.unreduce(out_bar, x, axis, keepdims) * slope


@reduction(
    "trace",
    np.trace,
    "x, offset=0",
    nondiff="offset",
    result_type=ARRAY_RESULT,
    linear=True,
    batch=LOOP,
)
class trace:
    def tangent(offset, x_dot):
        return np.trace(x_dot, offset=offset)

    def adjoint(x, offset, out_bar):
        return runtime.trace_adjoint(out_bar, x, offset)


def _reduced_type(element: str):
    """The result type of a reduction to ``element``s: one, or an array of them along an axis."""

    def result(types: list[str], static: dict) -> str:
        whole = static.get("axis", 0) is None and not static.get("keepdims")
        return element if whole else as_array(element)

    return result


for _name, _element in (("all", BOOL), ("any", BOOL), ("argmax", INT), ("argmin", INT)):
    _args = AXIS if _name in ("all", "any") else "x, axis=None, *, keepdims=False"
    reduction(
        _name,
        getattr(np, _name),
        _args,
        result_type=_reduced_type(_element),
        nondiff="x axis keepdims",
        batch=REDUCTION if _name in ("all", "any") else LOOP,
    )(None)
