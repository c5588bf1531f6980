"""The derivative rule table: importing this package registers every built-in primitive."""

from . import scalar

__all__ = ["scalar"]
