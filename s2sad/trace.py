"""Hessian traces from Hessian-vector products: Hutchinson, Hutch++ and exact.

``tr ∇²f = E[vᵀ ∇²f v]`` for probes ``v`` with ``E[v vᵀ] = I``.  Hutchinson's
estimator averages ``vᵀHv`` over Rademacher probes (error ∝ 1/√m for m
products; exact when the Hessian is diagonal).  Hutch++ (Meyer, Musco, Musco
and Woodruff, 2021) spends a third of the products on a sketch ``Q`` of the
Hessian's range, takes ``tr(QᵀHQ)`` exactly and Hutchinson's estimate of the
rest (error ∝ 1/m).  Every estimate asks for its products in batches: one call
of the generated batched Hessian-vector product per chunk of probes that fits
in cache, not one per probe.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .display import displayable
from .api import PathLike, Wrt, batched_hvp
from .errors import DifferentiationError, call_site

METHODS = ("hutchinson", "hutch++", "exact")
CHUNK_BYTES = 2**17
"""The most bytes of directions one batched Hessian-vector product is given."""


@dataclass(frozen=True)
class TraceEstimate:
    """An estimate of a Hessian's trace: its ``value``, the ``standard_error``
    of that value (0 when exact), and how many Hessian-vector products it took."""

    value: float
    standard_error: float
    products: int


def hutchinson_trace(
    f: Callable[..., Any] | None = None,
    wrt: Wrt = 0,
    *,
    samples: int = 100,
    method: str = "hutchinson",
    seed: int | None = None,
    return_error: bool = False,
    output_dir: PathLike = None,
) -> Any:
    """An estimate of the trace of scalar ``f``'s Hessian over parameter(s) ``wrt``.

    ``hutchinson_trace(f)(*args)`` is a float.  ``method`` is ``"hutchinson"``
    (``samples`` Rademacher probes), ``"hutch++"`` (``samples`` products in all,
    at least 3) or ``"exact"`` (one product per coordinate; ``samples`` unused).
    ``seed`` fixes the probes (the same on every call); None draws new ones each
    call.  With ``return_error=True`` the function returns a
    :class:`TraceEstimate` with the standard error of the estimate.
    """
    if f is None:
        return functools.partial(
            hutchinson_trace,
            wrt=wrt,
            samples=samples,
            method=method,
            seed=seed,
            return_error=return_error,
            output_dir=output_dir,
        )
    estimator = _estimator(method, samples)
    products = batched_hvp(f, wrt, output_dir=output_dir)
    several = isinstance(wrt, (tuple, list))

    def trace(*args: Any) -> Any:
        products.arguments(args, "hutchinson_trace")
        blocks = _Blocks(products, args, several)
        rng = np.random.default_rng(seed)
        estimate = estimator(blocks, samples, rng)
        return estimate if return_error else estimate.value

    trace.__name__ = trace.__qualname__ = f"{getattr(f, '__name__', 'f')}_trace"
    trace.source, trace.path = products.source, products.path
    return displayable(trace)


def _estimator(method: str, samples: Any) -> Callable[..., TraceEstimate]:
    """The estimator called ``method``, after checking ``samples`` suits it."""
    if method not in METHODS:
        raise DifferentiationError(
            f"hutchinson_trace: unknown method {method!r}",
            hint=f"use one of {', '.join(map(repr, METHODS))}",
            **call_site(),
        )
    least = 3 if method == "hutch++" else 1
    if method != "exact" and (
        isinstance(samples, bool) or not isinstance(samples, int) or samples < least
    ):
        raise DifferentiationError(
            f"hutchinson_trace: samples must be an int of at least {least} for "
            f"method {method!r}, got {samples!r}",
            hint="pass samples=100, say",
            **call_site(),
        )
    return {"hutchinson": _hutchinson, "hutch++": _hutch_plus_plus, "exact": _exact}[
        method
    ]


class _Blocks:
    """The Hessian over the ``wrt`` parameters at ``args`` as a symmetric
    operator on flat vectors (the parameters' coordinates end to end)."""

    def __init__(self, products: Callable[..., Any], args: tuple, several: bool):
        self.products, self.args, self.several = products, args, several
        self.shapes = [np.shape(args[k]) for k in products.positions]
        self.sizes = [math.prod(shape) for shape in self.shapes]
        self.size = sum(self.sizes)

    def times(self, rows: np.ndarray) -> np.ndarray:
        """``H`` times each row of a ``(k, size)`` matrix, as rows: one batched
        call per chunk of rows of at most ``CHUNK_BYTES`` (whole batches of large
        arrays run at memory speed; chunks stay in cache, three times faster)."""
        step = max(1, CHUNK_BYTES // (8 * max(self.size, 1)))
        if len(rows) <= step:
            return self._times(rows)
        out = np.empty(rows.shape)
        for i in range(0, len(rows), step):
            out[i : i + step] = self._times(rows[i : i + step])
        return out

    def _times(self, rows: np.ndarray) -> np.ndarray:
        k = rows.shape[0]
        parts = np.split(rows, np.cumsum(self.sizes)[:-1], axis=1)
        batch = tuple(p.reshape((k, *shape)) for p, shape in zip(parts, self.shapes))
        direction = batch if self.several else batch[0]
        out = self.products.products_for("hutchinson_trace", (*self.args, direction))
        products = out if self.several else (out,)
        flat = [np.reshape(p, (k, size)) for p, size in zip(products, self.sizes)]
        return flat[0] if len(flat) == 1 else np.concatenate(flat, axis=1)


def _rademacher(rng: np.random.Generator, k: int, n: int) -> np.ndarray:
    """``k`` probes of ``n`` independent signs ±1, one per row, from random bits."""
    bits = rng.integers(0, 256, size=(k, (n + 7) // 8), dtype=np.uint8)
    return np.unpackbits(bits, axis=1, count=n) * 2.0 - 1.0


def _hutchinson(blocks: _Blocks, samples: int, rng: np.random.Generator):
    probes = _rademacher(rng, samples, blocks.size)
    quadratic = np.einsum("ki,ki->k", probes, blocks.times(probes))
    return TraceEstimate(float(np.mean(quadratic)), _standard_error(quadratic), samples)


def _hutch_plus_plus(blocks: _Blocks, samples: int, rng: np.random.Generator):
    sketch = samples // 3
    rest = samples - 2 * sketch
    q, _ = np.linalg.qr(blocks.times(_rademacher(rng, sketch, blocks.size)).T)
    low_rank = float(np.einsum("ki,ik->", blocks.times(np.ascontiguousarray(q.T)), q))
    probes = _rademacher(rng, rest, blocks.size)
    probes -= (probes @ q) @ q.T
    quadratic = np.einsum("ki,ki->k", probes, blocks.times(probes))
    return TraceEstimate(
        low_rank + float(np.mean(quadratic)), _standard_error(quadratic), samples
    )


def _exact(blocks: _Blocks, samples: int, rng: np.random.Generator):
    rows = np.eye(blocks.size)
    return TraceEstimate(float(np.trace(blocks.times(rows))), 0.0, blocks.size)


def _standard_error(quadratic: np.ndarray) -> float:
    """The standard error of the mean of ``quadratic`` (inf for one sample)."""
    if quadratic.size < 2:
        return math.inf
    return float(np.std(quadratic, ddof=1) / math.sqrt(quadratic.size))
