"""Sparse Jacobians and Hessians of a known or detected pattern, from few products.

``jacobian(f, sparsity=P)`` and ``hessian(f, sparsity=P)`` multiply the matrix
by the columns of a seed matrix (one direction per colour of
:mod:`s2sad.sparsity`, all in one batch) and by one check direction more.
The check catches a pattern that misses a nonzero: a pattern given by the
user is then refused with a clear error; a pattern s2sad detected is widened
with the dense matrix at those arguments, which is returned.

``sparsity="detect"`` takes the pattern from the program's dependences at the
first arguments of given shapes (:mod:`s2sad.dependences`: one run of the
generated code); where its code cannot carry them, from the dense matrix at
those arguments (its nonzeros and NaNs).  The check of every later call widens
the pattern where a value outside it is not zero any more (another branch
taken), so the result is never a matrix with nonzeros dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .errors import DifferentiationError, call_site
from .quiet import quietly
from .sparsity import Compression, pattern_of

DETECT = "detect"
"""The ``sparsity`` value that has s2sad find the pattern."""


@dataclass(frozen=True)
class Sweep:
    """One way to multiply the matrix by a batch of directions (columns of an
    array): ``multiply(directions)`` returns the products, one column each;
    with ``transposed``, it multiplies the transpose (reverse mode's rows).
    ``weight`` is the cost of one direction, relative to the others'."""

    multiply: Callable[[np.ndarray], np.ndarray]
    weight: float = 1.0
    transposed: bool = False


def checked_sparsity(sparsity: Any, dense: bool) -> Any:
    """``sparsity`` as given to ``jacobian`` or ``hessian``: None, ``"detect"``
    or a boolean pattern (refused clearly otherwise, and so is ``dense=False``
    without it)."""
    if sparsity is None and not dense:
        raise DifferentiationError(
            "dense=False returns the entries of a sparsity pattern, and no "
            "sparsity was given",
            hint="pass sparsity=pattern or sparsity='detect' with dense=False",
            **call_site(),
        )
    if sparsity is None or (isinstance(sparsity, str) and sparsity == DETECT):
        return sparsity
    pattern = np.asarray(sparsity) if not isinstance(sparsity, str) else None
    if pattern is None or pattern.dtype.kind not in "biu" or pattern.ndim < 1:
        raise DifferentiationError(
            f"sparsity must be a boolean array or {DETECT!r}, got {sparsity!r:.60}",
            hint="pass an array with True where an entry can be nonzero, shaped "
            "(outputs, inputs) or out.shape + x.shape, or sparsity='detect'",
            **call_site(),
        )
    return pattern.astype(bool)


def shapes_key(args: tuple) -> tuple:
    """What a derivative's sizes and pattern may depend on: each argument's
    type and shape, and an integer's or bool's value (a count of steps, a size)."""
    return tuple(_shape_key(value) for value in args)


def _shape_key(value: Any) -> tuple:
    """One argument's part of :func:`shapes_key`, item by item for a tuple or list."""
    if isinstance(value, (tuple, list)):
        return (type(value), shapes_key(value))
    if isinstance(value, (bool, int, np.integer, np.bool_)):
        return (type(value), value)
    return (type(value), np.shape(value))


class OutputsChanged(Exception):
    """A reverse sweep's outputs at these arguments have ``outputs`` entries, not
    as many as the pattern's rows (outputs sized by the arguments' values)."""

    def __init__(self, outputs: int):
        super().__init__(outputs)
        self.outputs = outputs


class Sparse:
    """The patterns, colourings and modes of one sparse derivative, by the shapes
    of its arguments; ``symmetric`` for a Hessian (star colouring)."""

    def __init__(
        self,
        sparsity: Any,
        symmetric: bool,
        what: str,
        error: Callable,
        dense: bool = True,
    ):
        self.given = None if isinstance(sparsity, str) else sparsity
        self.dense = dense
        self.symmetric = symmetric
        self.what = what
        self.error = error
        self.patterns: dict[Any, np.ndarray] = {}
        self.compressions: dict[tuple, Compression] = {}
        self.sources: dict[Any, str] = {}
        self.products = 0

    def matrix(
        self,
        key: Any,
        columns: int,
        sweeps: dict[str, Sweep],
        dense: Callable[[], np.ndarray],
        structure: Callable[[], np.ndarray | None] = lambda: None,
    ) -> tuple[Any, str | None]:
        """The matrix (of ``columns`` columns) at the arguments of shapes ``key``
        and the sweep that computed it (None where it is the ``dense`` one).
        The matrix is an array or, where ``dense`` is False, the triplets
        ``(values, (rows, columns))`` of the entries of its pattern.  A pattern
        to detect is ``structure()`` (the dependences) unless that is None."""
        pattern = self.patterns.get(key)
        if pattern is None and self.given is None:
            pattern = structure()
            if pattern is None:
                return self._detected(key, dense(), None), None
            if self.symmetric:
                pattern = pattern | pattern.T
            self.patterns[key], self.sources[key] = pattern, "dependences"
        if pattern is None:
            pattern = self.patterns[key] = self._shaped(self.given, columns)
            self.sources[key] = "given"
        name, compression = self._cheapest(key, pattern, sweeps)
        sweep = sweeps[name]
        if compression.count >= pattern.shape[0 if sweep.transposed else 1]:
            return self._uncompressed(key, dense(), pattern), None
        try:
            products = sweep.multiply(compression.directions)
            outputs = products.shape[1 if sweep.transposed else 0]
            changed = products.shape[0] != pattern.shape[1 if sweep.transposed else 0]
        except OutputsChanged as error:
            outputs, changed = error.outputs, True
        self.products = compression.directions.shape[1]
        if changed and self.given is not None:
            raise self.rows_differ(pattern.shape[0], outputs)
        if changed:
            with quietly():  # outputs sized by the values: the pattern found anew
                return self._detected(key, dense(), None), None
        found, sure = compression.recover(products)
        if found is not None and not sure:
            # the check agrees only loosely: a small nonzero may be missed
            with quietly():
                return self._uncompressed(key, dense(), pattern), None
        if found is not None and self.given is None:
            if not np.isfinite(products[:, -1]).all():
                # an inf or NaN in a row of the check hides a nonzero missed there
                with quietly():
                    return self._detected(key, dense(), pattern, nans=False), None
        if found is not None and self.dense:
            matrix = compression.dense(found)
            return (matrix.T if sweep.transposed else matrix), name
        if found is not None:
            order, at = compression.row_major(sweep.transposed)
            return (found if order is None else found[order], at), name
        if self.given is not None:
            raise self.misses()
        with quietly():  # the sweep showed the prints and warnings of this call
            return self._detected(key, dense(), pattern), None

    def _uncompressed(self, key: Any, matrix: np.ndarray, pattern: np.ndarray) -> Any:
        """The dense ``matrix``, computed where no colouring saves a product (its
        triplets where not ``dense``): a given pattern missing one of its
        nonzeros is refused, a detected one widened."""
        if matrix.shape != pattern.shape and self.given is None:
            return self._detected(key, matrix, None)
        if matrix.shape != pattern.shape:
            raise self.rows_differ(pattern.shape[0], matrix.shape[0])
        missed = (pattern_of(matrix) & ~pattern).any()
        if missed and self.given is not None:
            raise self.misses()
        if missed:
            return self._detected(key, matrix, pattern)
        self.products = matrix.shape[1]
        if self.dense:
            return matrix
        at = np.nonzero(pattern)
        return matrix[at], at

    def misses(self) -> DifferentiationError:
        """The error for a given pattern that misses a nonzero."""
        return self.error(
            f"the sparsity pattern given misses nonzeros of the {self.what} at "
            "these arguments",
            "mark every entry that can be nonzero True (at any arguments), or "
            "pass sparsity='detect'",
        )

    def rows_differ(self, rows: int, outputs: int) -> DifferentiationError:
        """The error for a pattern of ``rows`` rows where the output has ``outputs`` entries."""
        return self.error(
            f"the sparsity pattern has {rows} rows, but the output at these "
            f"arguments has {outputs} entries",
            "shape the pattern (outputs, inputs) or out.shape + x.shape",
        )

    def _detected(
        self, key: Any, matrix: np.ndarray, old: np.ndarray | None, nans: bool = True
    ) -> Any:
        """``matrix`` (its triplets where not ``dense``), after recording its
        pattern (widening ``old``) for ``key``; its NaNs count as nonzeros unless
        ``nans`` is False (where ``old`` is checked again at finite arguments)."""
        pattern = pattern_of(matrix) if nans else (matrix != 0) & ~np.isnan(matrix)
        if self.symmetric:
            pattern |= pattern.T
        pattern = self.patterns[key] = pattern if old is None else pattern | old
        self.sources[key] = "values" if old is None else "widened"
        self.compressions = {k: v for k, v in self.compressions.items() if k[0] != key}
        self.products = matrix.shape[1]
        if self.dense:
            return matrix
        at = np.nonzero(pattern)
        return matrix[at], at

    def _cheapest(
        self, key: Any, pattern: np.ndarray, sweeps: dict[str, Sweep]
    ) -> tuple[str, Compression]:
        """The sweep taking the fewest weighted directions, and its colouring."""
        best = None
        for name, sweep in sweeps.items():
            if (key, name) not in self.compressions:
                oriented = pattern.T if sweep.transposed else pattern
                self.compressions[key, name] = Compression(oriented, self.symmetric)
            compression = self.compressions[key, name]
            cost = sweep.weight * (compression.count + 1)
            if best is None or cost < best[0]:
                best = (cost, name, compression)
        return best[1], best[2]

    def _shaped(self, pattern: np.ndarray, columns: int) -> np.ndarray:
        """The given ``pattern`` as a ``rows × columns`` array (else a clear error)."""
        rows = pattern.size // columns if columns else 0
        if rows * columns != pattern.size or (
            pattern.ndim == 2 and pattern.shape[1] != columns
        ):
            raise self.error(
                f"the sparsity pattern has shape {pattern.shape}, which does not "
                f"end in the {columns} entries of the parameter",
                "shape it (outputs, inputs) or out.shape + x.shape (for a Hessian "
                "(n, n) or x.shape + x.shape)",
            )
        pattern = pattern.reshape(rows, columns)
        if self.symmetric and not np.array_equal(pattern, pattern.T):
            raise self.error(
                "a Hessian's sparsity pattern must be square and symmetric, "
                f"got {pattern.shape[0]} × {pattern.shape[1]} entries",
                "pass pattern | pattern.T, shaped (n, n) or x.shape + x.shape",
            )
        return pattern
