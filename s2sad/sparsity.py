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


class Compression:
    """A sparsity ``pattern`` (rows × columns, symmetric for a Hessian), its
    colouring, and the directions to multiply the matrix by: the seed matrix's
    columns and one last *check* direction, a fixed random vector.  The check
    product ``A r`` is compared with ``recovered @ r``: a pattern that misses a
    nonzero of ``A`` then shows (with probability one), where it would
    otherwise give a wrong matrix silently.  :attr:`targets` are read-only: the
    triplets of every recovery share them."""

    def __init__(self, pattern: np.ndarray, symmetric: bool):
        self.pattern = _as_pattern(pattern, square=symmetric)
        self.symmetric = symmetric
        if symmetric:
            self.colours = star_colouring(self.pattern)
        else:
            self.colours = column_colouring(self.pattern)
        self.count = int(self.colours.max(initial=-1)) + 1
        self.check = np.random.default_rng(CHECK_SEED).standard_normal(
            self.pattern.shape[1]
        )
        self.directions = np.column_stack([seed_matrix(self.colours), self.check])
        self.targets, self.sources = self._positions()
        for index in self.targets:
            index.flags.writeable = False
        rows, directions = self.pattern.shape[0], self.directions.shape[1]
        read_rows, read_directions = self.sources
        self._by_direction = read_directions * rows + read_rows
        self._by_row = read_rows * directions + read_directions
        self._check_terms = self.check[self.targets[1]]

    def _positions(self) -> tuple[tuple, tuple]:
        """Where each nonzero goes in the matrix, and where it is read in the
        products, as index arrays (one vectorised gather per recovery)."""
        rows, columns = np.nonzero(self.pattern)
        if not self.symmetric:
            return (rows, columns), (rows, self.colours[columns])
        upper = rows <= columns
        rows, columns = rows[upper], columns[upper]
        read_rows, read_colours = rows.copy(), self.colours[columns]
        for k, (i, j) in enumerate(zip(rows, columns)):
            shared = self.colours[np.flatnonzero(self.pattern[i])] == self.colours[j]
            if shared.sum() > 1:
                read_rows[k], read_colours[k] = j, self.colours[i]
        off = rows != columns
        targets = (
            np.concatenate([rows, columns[off]]),
            np.concatenate([columns, rows[off]]),
        )
        sources = (
            np.concatenate([read_rows, read_rows[off]]),
            np.concatenate([read_colours, read_colours[off]]),
        )
        return targets, sources

    def recover(self, products: np.ndarray) -> np.ndarray | None:
        """The nonzeros (at :attr:`targets`) from ``products`` (rows ×
        directions: the matrix times :attr:`directions`), or None where the
        check product disagrees with them."""
        values = _gathered(products, self._by_direction, self._by_row)
        checked = products[:, -1]
        rows = self.targets[0]
        terms = values * self._check_terms
        expected = np.bincount(rows, terms, minlength=len(products))
        tolerance = np.sqrt(np.finfo(products.dtype).eps)
        scale = np.bincount(rows, np.abs(terms), minlength=len(products))
        scale = scale + np.abs(checked)
        close = np.abs(expected - checked) <= tolerance * scale
        if not close.all():
            close |= (expected == checked) | (np.isnan(expected) & np.isnan(checked))
        return values if close.all() else None

    def dense(self, values: np.ndarray) -> np.ndarray:
        """The matrix of the nonzeros ``values`` (at :attr:`targets`)."""
        matrix = np.zeros(self.pattern.shape, dtype=values.dtype)
        matrix[self.targets] = values
        return matrix


def _gathered(products: np.ndarray, by_direction: np.ndarray, by_row: np.ndarray):
    """``products`` read at the flat indices of its layout: direction-major
    (``by_direction``, a batch's products transposed) or row-major (``by_row``)."""
    if products.T.flags.c_contiguous:
        return products.T.ravel().take(by_direction)
    return np.ascontiguousarray(products).ravel().take(by_row)


CHECK_SEED = 20261203
"""The seed of the check direction of every :class:`Compression` (a fixed
vector, so results are reproducible)."""


def pattern_of(matrix: np.ndarray) -> np.ndarray:
    """The nonzeros (and NaNs) of ``matrix``, as a boolean pattern."""
    return (matrix != 0) | np.isnan(matrix)
