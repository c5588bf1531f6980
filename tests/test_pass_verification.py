"""The verifier runs after every pass of every derivative kind, on every function of
the scalar, control-flow, helper and array test tables."""

import pytest
from pass_verification import table_functions

from s2sad.frontend.program import lower
from s2sad.passes.pipeline import KINDS, derivative_functions
from s2sad.analysis.verifier import verify

FUNCTIONS = table_functions()
CASES = [(f, arrays, kind) for f, arrays in FUNCTIONS for kind in KINDS]


@pytest.mark.parametrize(
    "f, arrays, kind", CASES, ids=[f"{f.__name__}-{k}" for f, _, k in CASES]
)
def test_every_pass_verifies(f, arrays, kind, verify_each_pass):
    scalar = KINDS[kind].scalar_output
    primal = lower(f, scalar_output=scalar, arrays=arrays)
    for function in [primal, *primal.callees]:
        verify(function)
    if scalar and len(primal.returned) != 1:
        pytest.skip("gradients need one output")
    wrt = list(range(len(primal.params)))
    for function in derivative_functions(primal, kind, wrt, single=False):
        verify(function)
    passes = {entry.split(":")[0] for entry in verify_each_pass}
    first = {
        "jvp": "forward_tangents",
        "vjp": "reverse_vjp",
        "hvp": "forward_over_gradient",
        "jacfwd": "forward_tangents",
        "jacrev": "reverse_vjp",
        "sweeps": "reverse_vjp",
    }.get(kind, "reverse_gradient")
    assert {first, "tidy_names"} <= passes
    assert (
        "simplify_backward" in passes
        if kind in ("vjp", "jacrev", "sweeps")
        else "simplify_function" in passes
    )
