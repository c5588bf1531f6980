"""Sparse Jacobians and Hessians from few products: colourings, seeds and recovery.

A Jacobian whose columns ``j`` and ``k`` never have a nonzero in the same row
can have them summed into one direction: ``J (e_j + e_k)`` holds both.  A
*colouring* gives columns that may share a direction the same colour; the
*seed* matrix ``S`` (``n × colours``) has ``S[j, colour[j]] = 1``; the products
``B = J S`` (one jvp or HVP per colour, all in one batch) hold every nonzero.

* :func:`column_colouring`: greedy distance-1 colouring of the columns'
  intersection graph (Curtis, Powell and Reid), for Jacobians; a tridiagonal
  pattern takes 3 colours.
* :func:`star_colouring`: greedy star colouring of a symmetric pattern
  (Gebremedhin, Manne and Pothen): adjacent columns differ and every path on
  four columns uses at least three colours, so each nonzero of a Hessian is
  read directly from ``B`` at its row or at its column.

Patterns are boolean arrays (``m × n`` for a Jacobian, ``n × n`` for a Hessian).
"""

from __future__ import annotations

import numpy as np


def column_colouring(pattern: np.ndarray) -> np.ndarray:
    """A colour for each column (``0, 1, ...``) such that no two columns with a
    nonzero in the same row share one; columns are coloured most nonzeros first."""
    pattern = _as_pattern(pattern, square=False)
    rows_of = [np.flatnonzero(column) for column in pattern.T]
    columns_of = [np.flatnonzero(row) for row in pattern]
    colours = np.full(pattern.shape[1], -1)
    for j in _largest_first(pattern.sum(axis=0)):
        taken = {colours[k] for i in rows_of[j] for k in columns_of[i]}
        colours[j] = _smallest_free(taken)
    return colours


def star_colouring(pattern: np.ndarray) -> np.ndarray:
    """A star colouring of the columns of the symmetric ``pattern``: neighbours
    (``pattern[i, j]``, ``i != j``) differ, and no path on four columns is coloured
    with two colours only."""
    pattern = _as_pattern(pattern, square=True)
    if not np.array_equal(pattern, pattern.T):
        raise ValueError("a Hessian's sparsity pattern must be symmetric")
    graph = pattern & ~np.eye(len(pattern), dtype=bool)
    neighbours = [np.flatnonzero(row) for row in graph]
    colours = np.full(len(pattern), -1)
    for v in _largest_first(graph.sum(axis=0)):
        taken = set()
        for w in neighbours[v]:
            if colours[w] >= 0:
                taken.add(colours[w])
            for x in neighbours[w]:
                if x == v or colours[x] < 0:
                    continue
                if colours[w] < 0 or any(
                    colours[y] == colours[w] for y in neighbours[x] if y != w
                ):
                    taken.add(colours[x])
        colours[v] = _smallest_free(taken)
    return colours


def seed_matrix(colours: np.ndarray, dtype: type = float) -> np.ndarray:
    """The ``n × colours`` matrix with a 1 at each column's colour."""
    seeds = np.zeros((len(colours), int(colours.max(initial=-1)) + 1), dtype=dtype)
    seeds[np.arange(len(colours)), colours] = 1
    return seeds


def recover_jacobian(
    compressed: np.ndarray, pattern: np.ndarray, colours: np.ndarray
) -> np.ndarray:
    """The Jacobian from ``compressed = J @ seed_matrix(colours)`` (``m × colours``):
    each nonzero ``J[i, j]`` is ``compressed[i, colours[j]]``; zeros elsewhere."""
    pattern = _as_pattern(pattern, square=False)
    rows, columns = np.nonzero(pattern)
    jacobian = np.zeros(pattern.shape, dtype=compressed.dtype)
    jacobian[rows, columns] = compressed[rows, colours[columns]]
    return jacobian


def recover_hessian(
    compressed: np.ndarray, pattern: np.ndarray, colours: np.ndarray
) -> np.ndarray:
    """The symmetric Hessian from ``compressed = H @ seed_matrix(colours)`` for a
    star colouring: ``H[i, j]`` is ``compressed[i, colours[j]]`` where no other
    neighbour of ``i`` has ``j``'s colour, else ``compressed[j, colours[i]]``."""
    pattern = _as_pattern(pattern, square=True)
    hessian = np.zeros(pattern.shape, dtype=compressed.dtype)
    for i, j in zip(*np.nonzero(pattern)):
        if i > j:
            continue
        row = np.flatnonzero(pattern[i])
        clash = any(k != j and colours[k] == colours[j] for k in row)
        value = compressed[j, colours[i]] if clash else compressed[i, colours[j]]
        hessian[i, j] = hessian[j, i] = value
    return hessian


def _as_pattern(pattern: np.ndarray, square: bool) -> np.ndarray:
    pattern = np.asarray(pattern, dtype=bool)
    if pattern.ndim != 2 or (square and pattern.shape[0] != pattern.shape[1]):
        want = "a square" if square else "a 2-D"
        raise ValueError(
            f"a sparsity pattern is {want} array, got shape {pattern.shape}"
        )
    return pattern


def _largest_first(degrees: np.ndarray) -> list[int]:
    """Indices by decreasing degree, ties by index (a deterministic order)."""
    return sorted(range(len(degrees)), key=lambda k: (-int(degrees[k]), k))


def _smallest_free(taken: set) -> int:
    colour = 0
    while colour in taken:
        colour += 1
    return colour
