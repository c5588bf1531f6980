"""Identity seeds: every basis direction of some parameters, as one batch.

``s2sad.hessian`` passes the basis directions of its parameters to one call
of a batched Hessian-vector product; ``s2sad.jacfwd`` passes those of its
parameters as tangents, ``s2sad.jacrev`` those of the outputs as cotangents.
The results come back with one row per direction and are cut into blocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Basis:
    """The basis directions of values of ``shapes``, one batch per value: row
    ``m`` of the batches together is the ``m``-th basis vector of all of them.
    The identity is laid out with the batch axis the fastest, so that the batched
    code runs over contiguous memory even where it slices the values."""

    shapes: tuple
    dtype: Any

    def __post_init__(self) -> None:
        self.sizes = [math.prod(shape) for shape in self.shapes]
        self.count = sum(self.sizes)
        self.starts = [sum(self.sizes[:i]) for i in range(len(self.sizes))]
        self.identity = np.asfortranarray(np.eye(self.count, dtype=self.dtype))
        self.identity.flags.writeable = False
        self.batches = tuple(
            self.identity[:, start : start + n].reshape((self.count,) + shape)
            for start, n, shape in zip(self.starts, self.sizes, self.shapes)
        )
        self.rows = [start + np.arange(n) for start, n in zip(self.starts, self.sizes)]
        self.columns = [np.arange(n) for n in self.sizes]

    def shared(self, results: tuple) -> bool:
        """Some result is (a view of) the identity itself."""
        return any(np.may_share_memory(r, self.identity) for r in results)


_BASES: dict[tuple, Basis] = {}
"""The bases handed out, by shapes and dtype (read only, made once)."""


def basis(shapes: tuple, dtype: Any) -> Basis:
    """The (shared, read-only) basis of values of ``shapes`` in ``dtype``."""
    key = (shapes, dtype)
    if key not in _BASES:
        _BASES[key] = Basis(shapes, dtype)
    return _BASES[key]


def float_dtype(values: Any) -> Any:
    """float32 where every array among ``values`` is float32, else float64."""
    arrays = [v for v in values if isinstance(v, np.ndarray)]
    if arrays and all(v.dtype == np.float32 for v in arrays):
        return np.float32
    return np.float64


def owned(columns: np.ndarray, dtype: Any) -> np.ndarray:
    """Identity columns as an array of their own, promoted as ``W @ I`` would be
    with the identity in ``dtype``: a column of ``W`` may be a view of an array
    the caller still holds (an argument, inside a tuple or not, or a global)."""
    dtype = np.result_type(columns.dtype, dtype)
    if columns.flags.owndata and columns.dtype == dtype:
        return columns
    return columns.astype(dtype)


def number_or(block: np.ndarray) -> Any:
    """A block of a Hessian or Jacobian: a float where it has no axes."""
    return float(block) if block.ndim == 0 else block
