"""The derivative rule table: importing this package registers every built-in primitive."""

from . import (
    numpy_elementwise,
    numpy_indexing,
    numpy_linalg,
    numpy_reductions,
    numpy_shapes,
    scalar,
)

__all__ = [
    "numpy_elementwise",
    "numpy_indexing",
    "numpy_linalg",
    "numpy_reductions",
    "numpy_shapes",
    "scalar",
]
