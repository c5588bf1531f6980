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

import functools

import numpy as np


def column_colouring(pattern: np.ndarray) -> np.ndarray:
    """A colour for each column (``0, 1, ...``) such that no two columns with a
    nonzero in the same row share one; columns are coloured most nonzeros first
    (each row keeps the colours its columns took as the bits of an integer).  A
    row with every column nonzero needs a colour for each: they are ``0..n-1``."""
    pattern = _as_pattern(pattern, square=False)
    if pattern.all(axis=1).any():
        return np.arange(pattern.shape[1])
    rows_of = [np.flatnonzero(column).tolist() for column in pattern.T]
    used = [0] * pattern.shape[0]
    colours = np.full(pattern.shape[1], -1)
    for j in _largest_first(pattern.sum(axis=0)):
        taken = 0
        for i in rows_of[j]:
            taken |= used[i]
        colour = (~taken & (taken + 1)).bit_length() - 1
        colours[j] = colour
        for i in rows_of[j]:
            used[i] |= 1 << colour
    return colours


def star_colouring(pattern: np.ndarray) -> np.ndarray:
    """A star colouring of the columns of the symmetric ``pattern``: neighbours
    (``pattern[i, j]``, ``i != j``) differ, and no path on four columns is coloured
    with two colours only.  Each column counts its neighbours of each colour, so
    that a two-coloured path through a neighbour is found with one vectorised
    look at that neighbour's neighbours.  Where the greedy search would look at
    more than :data:`STAR_WORK` paths (a nearly dense pattern), each column gets
    its own colour, which is a star colouring too."""
    pattern = _as_pattern(pattern, square=True)
    if not np.array_equal(pattern, pattern.T):
        raise ValueError("a Hessian's sparsity pattern must be symmetric")
    graph = pattern & ~np.eye(len(pattern), dtype=bool)
    degrees = graph.sum(axis=0)
    if degrees.astype(float) @ (graph.astype(float) @ degrees) > STAR_WORK:
        return np.arange(len(pattern))
    neighbours = [np.flatnonzero(row) for row in graph]
    colours = np.full(len(pattern), -1)
    around = np.zeros((len(pattern), 8), dtype=np.int64)
    for v in _largest_first(degrees):
        taken = np.zeros(around.shape[1] + 1, dtype=bool)
        for w in neighbours[v]:
            others = neighbours[w]
            others = others[(others != v) & (colours[others] >= 0)]
            if colours[w] >= 0:
                taken[colours[w]] = True
                others = others[around[others, colours[w]] > 1]
            taken[colours[others]] = True
        colour = int(np.argmin(taken))
        colours[v] = colour
        if colour >= around.shape[1] - 1:
            around = np.pad(around, ((0, 0), (0, around.shape[1])))
        around[neighbours[v], colour] += 1
    return colours


STAR_WORK = 2e7
"""The most paths on three edges :func:`star_colouring` looks at (about 10 s)."""


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
    rows, columns = np.nonzero(np.triu(pattern))
    clash = _clashes(pattern, colours, rows, columns)
    values = np.where(
        clash, compressed[columns, colours[rows]], compressed[rows, colours[columns]]
    )
    hessian = np.zeros(pattern.shape, dtype=compressed.dtype)
    hessian[rows, columns] = hessian[columns, rows] = values
    return hessian


def _clashes(
    pattern: np.ndarray, colours: np.ndarray, rows: np.ndarray, columns: np.ndarray
) -> np.ndarray:
    """For each nonzero ``(rows[k], columns[k])``: another column of that row has
    the colour of ``columns[k]`` (so the entry is read at its column instead)."""
    every_row, every_column = np.nonzero(pattern)
    counts = np.zeros((len(pattern), int(colours.max(initial=-1)) + 1), dtype=np.int64)
    np.add.at(counts, (every_row, colours[every_column]), 1)
    return counts[rows, colours[columns]] > 1


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

    @functools.cached_property
    def directions(self) -> np.ndarray:
        """The seed matrix's columns, then the check direction."""
        return np.column_stack([seed_matrix(self.colours), self.check])

    @property
    def targets(self) -> tuple:
        """Where each nonzero goes in the matrix (rows, columns), read-only."""
        return self._layout[0]

    @functools.cached_property
    def _layout(self) -> tuple:
        """The targets (row by row, as ``np.nonzero`` orders a pattern), and the
        flat indices of the nonzeros in the products laid out direction-major and
        row-major, and the check's terms (made at the first recovery: a
        colouring may be looked at and not used)."""
        (rows, columns), (read_rows, read_directions) = self._positions()
        order = np.lexsort((columns, rows))
        targets = (rows[order], columns[order])
        read_rows, read_directions = read_rows[order], read_directions[order]
        for index in targets:
            index.flags.writeable = False
        count, directions = self.pattern.shape[0], self.directions.shape[1]
        by_direction = read_directions * count + read_rows
        by_row = read_rows * directions + read_directions
        return targets, by_direction, by_row, self.check[targets[1]]

    def _positions(self) -> tuple[tuple, tuple]:
        """Where each nonzero goes in the matrix, and where it is read in the
        products, as index arrays (one vectorised gather per recovery)."""
        rows, columns = np.nonzero(self.pattern)
        if not self.symmetric:
            return (rows, columns), (rows, self.colours[columns])
        upper = rows <= columns
        rows, columns = rows[upper], columns[upper]
        clash = _clashes(self.pattern, self.colours, rows, columns)
        read_rows = np.where(clash, columns, rows)
        read_colours = np.where(clash, self.colours[rows], self.colours[columns])
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

    def row_major(self, transposed: bool) -> tuple:
        """How to order the nonzeros (as :meth:`recover` returns them) row by row of
        the matrix (of the transposed pattern where ``transposed``), as
        ``np.nonzero`` of its pattern orders them (None: as they are), and their
        rows and columns in that order (read-only): a pattern's triplets are laid
        out the same at every call, whichever sweep or dense matrix computed them."""
        if not transposed:
            return None, self.targets
        if "_transposed" not in self.__dict__:
            rows, columns = self.targets
            order = np.lexsort((rows, columns))
            at = (columns[order], rows[order])
            for index in at:
                index.flags.writeable = False
            self._transposed = order, at
        return self._transposed

    def recover(self, products: np.ndarray) -> tuple[np.ndarray | None, bool]:
        """The nonzeros (at :attr:`targets`) from ``products`` (rows ×
        directions: the matrix times :attr:`directions`), and whether the check
        product agrees with them to rounding (:data:`SURE` of each row's scale).
        The nonzeros are None where it disagrees by more than ``√eps`` of the
        scale (a missed nonzero, surely); between the two, a nonzero small beside the
        others of its row may be missed: the caller decides with the matrix."""
        targets, by_direction, by_row, check_terms = self._layout
        values = _gathered(products, by_direction, by_row)
        checked = products[:, -1]
        rows = targets[0]
        terms = values * check_terms
        expected = np.bincount(rows, terms, minlength=len(products))
        eps = np.finfo(products.dtype).eps
        scale = np.bincount(rows, np.abs(terms), minlength=len(products))
        scale = scale + np.abs(checked)  # not +=: no nonzeros, bincount gives ints
        gap = np.abs(expected - checked)
        if (gap <= SURE * eps * scale).all():
            return values, True
        same = (expected == checked) | (np.isnan(expected) & np.isnan(checked))
        if not ((gap <= np.sqrt(eps) * scale) | same).all():
            return None, False
        return values, bool(((gap <= SURE * eps * scale) | same).all())

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


SURE = 1024
"""Within this many ulps of its row's scale, the check product agrees to rounding."""

CHECK_SEED = 20261203
"""The seed of the check direction of every :class:`Compression` (a fixed
vector, so results are reproducible)."""


def pattern_of(matrix: np.ndarray) -> np.ndarray:
    """The nonzeros (and NaNs) of ``matrix``, as a boolean pattern."""
    return (matrix != 0) | np.isnan(matrix)
