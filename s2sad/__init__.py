"""s2sad: source-to-source automatic differentiation for Python.

``grad``, ``value_and_grad``, ``jvp`` and ``vjp`` turn a Python function into
generated, readable derivative code; ``derivative_rule`` teaches s2sad the
derivative of your own function.
"""

__version__ = "0.1.0"

from .api import grad, jvp, value_and_grad, vjp  # noqa: E402
from .errors import (  # noqa: E402
    DifferentiationError,
    InternalError,
    NoDerivativeRuleError,
    S2SADError,
    UnsupportedSyntaxError,
)
from .primitives import derivative_rule  # noqa: E402

__all__ = [
    "grad",
    "value_and_grad",
    "jvp",
    "vjp",
    "derivative_rule",
    "S2SADError",
    "UnsupportedSyntaxError",
    "NoDerivativeRuleError",
    "DifferentiationError",
    "InternalError",
]


def __dir__() -> list[str]:
    """The public API (submodules stay importable, e.g. ``s2sad.runtime``)."""
    return sorted(__all__ + ["__version__"])
