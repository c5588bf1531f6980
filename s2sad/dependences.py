"""Sparsity patterns from the program's dependences, not from derivative values.

``sparsity="detect"`` runs a derivative's generated code once with *dependence*
tangents: NumPy object arrays whose entries are :class:`Dependence` sets (Python
integers used as bit sets) of the parameter entries they depend on.  The tangent
code is linear in its tangents, so each of its operations on them is a sum of
terms, each a tangent times a factor computed from the primal values; a
dependence set takes the union of the sets of every term and ignores the
factors.  A factor that happens to be zero at these arguments (``cos(x)`` at
``x = π/2``, a weight still zero) therefore keeps its entries in the pattern,
and finding the pattern costs one run of the code, not one per parameter entry.
A matrix product is the exception: its matrix's zeros are usually its
structure (the band of a stencil, a sparse operator), so ``runtime._matmul``
takes the union of the sets its nonzero entries multiply.  The pattern stays
exact at these arguments; where a zero was one only here, the check direction
widens the pattern at the call where it is not.

The pattern is that of the operations the code runs at these arguments: the
branches, loops and ``np.where`` choices taken there.  Where another choice at
later arguments makes an entry nonzero, the check direction of
:mod:`s2sad.compressed` notices it and widens the pattern.  Where the generated
code cannot run on dependence sets (it converts a tangent to a float, calls
LAPACK on it), :func:`pattern_from` returns None and the pattern is found from
the values of the dense matrix instead.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .quiet import quietly


class Dependence:
    """The set of parameter entries (bits of ``bits``) one tangent entry depends on.

    Sums, differences, products and quotients with numbers or other sets give
    the union: the value of a factor does not matter, only that it is there."""

    __slots__ = ("bits",)

    def __init__(self, bits: int):
        self.bits = bits

    def _union(self, other: Any) -> "Dependence":
        if isinstance(other, Dependence):
            return Dependence(self.bits | other.bits)
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = _union
    __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _union

    def __neg__(self) -> "Dependence":
        return self

    __pos__ = __neg__

    def conjugate(self) -> "Dependence":
        """The same set (the tangent of a real value is its own conjugate)."""
        return self

    def __repr__(self) -> str:
        return f"Dependence({self.bits:#x})"


def seed(shape: tuple) -> np.ndarray:
    """A batch of one direction of ``shape``: entry ``j`` (flat) depends on entry ``j``."""
    size = int(np.prod(shape, dtype=np.int64))
    entries = np.empty(size, dtype=object)
    entries[:] = [Dependence(1 << j) for j in range(size)]
    return entries.reshape((1,) + tuple(shape))


def rows(products: Any, columns: int) -> np.ndarray:
    """The boolean ``entries × columns`` pattern of the dependence sets ``products``
    (a batch of one direction, as :func:`seed` makes; numbers depend on nothing)."""
    entries = np.asarray(products, dtype=object).reshape(-1)
    width = (columns + 7) // 8
    packed = b"".join(
        (entry.bits if isinstance(entry, Dependence) else 0).to_bytes(width, "little")
        for entry in entries
    )
    bits = np.frombuffer(packed, dtype=np.uint8).reshape(entries.size, width)
    return np.unpackbits(bits, axis=1, count=columns, bitorder="little").astype(bool)


def pattern_from(run: Callable[[], np.ndarray]) -> np.ndarray | None:
    """``run()``'s pattern, or None where the generated code it runs cannot carry
    dependence sets.  Its prints and warnings are not shown: the derivative's own
    run at these arguments shows them."""
    with quietly():
        try:
            return run()
        except Exception:  # any failure to carry the sets: find the pattern from values
            return None
