"""s2sad: source-to-source automatic differentiation for Python.

``grad``, ``value_and_grad``, ``jvp``, ``vjp``, ``hvp``, ``hessian``,
``batched_hvp``, and the Jacobians ``jacfwd``, ``jacrev`` and ``jacobian``
(forward, reverse, the mode its sizes make cheaper, or the cheapest bracketing
of a chain of stages, shown by ``jacobian_plan``) turn a Python function into
generated, readable derivative code;
``hutchinson_trace`` estimates a Hessian's trace from batches of its products;
``derivative_rule`` teaches s2sad the derivative of your own function;
``checkpoint`` marks a helper whose intermediates reverse mode recomputes,
``checkpointed`` a ``for`` or ``while`` loop it reverses keeping few states, and
``memory_report`` lists what reverse mode stores; ``graph`` draws a computational
graph and ``show`` puts a derivative beside its source on an HTML page.
"""

from .version import __version__  # noqa: F401  (s2sad.__version__)
from .api import batched_hvp, grad, hessian, hvp, jvp, value_and_grad, vjp
from .errors import (
    DifferentiationError,
    InternalError,
    NoDerivativeRuleError,
    S2SADError,
    UnsupportedSyntaxError,
)
from .bracketing import JacobianPlan, jacobian_plan
from .checkpoints import checkpoint, checkpointed
from .graph import graph
from .show import show
from .memory import MemoryReport, memory_report
from .jacobians import jacfwd, jacobian, jacrev
from .rules.registry import derivative_rule
from .trace import TraceEstimate, hutchinson_trace

__all__ = [
    "grad",
    "value_and_grad",
    "jvp",
    "vjp",
    "hvp",
    "hessian",
    "batched_hvp",
    "jacfwd",
    "jacrev",
    "jacobian",
    "jacobian_plan",
    "JacobianPlan",
    "hutchinson_trace",
    "TraceEstimate",
    "derivative_rule",
    "checkpoint",
    "checkpointed",
    "memory_report",
    "MemoryReport",
    "graph",
    "show",
    "S2SADError",
    "UnsupportedSyntaxError",
    "NoDerivativeRuleError",
    "DifferentiationError",
    "InternalError",
]


def __dir__() -> list[str]:
    """The public API (submodules stay importable, e.g. ``s2sad.runtime``)."""
    return sorted(__all__ + ["__version__"])
