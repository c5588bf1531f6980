"""The derivative rule table: importing this package registers every built-in primitive."""

from . import (
    batch_helpers,
    numpy_elementwise,
    numpy_indexing,
    numpy_linalg,
    numpy_reductions,
    numpy_shapes,
    scalar,
)

__all__ = [
    "batch_helpers",
    "numpy_elementwise",
    "numpy_indexing",
    "numpy_linalg",
    "numpy_reductions",
    "numpy_shapes",
    "scalar",
]
