"""The derivative rule table: importing this package registers every built-in primitive."""

from . import numpy_elementwise, numpy_indexing, numpy_reductions, scalar

__all__ = ["numpy_elementwise", "numpy_indexing", "numpy_reductions", "scalar"]
