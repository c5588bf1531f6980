"""A :class:`Module`: the functions of one program, resolved by name.

A lowered program is a module (the function differentiated and the user's
helpers it calls); so is every derivative (the derivative and those of the
functions it calls).  Calls name their callee; the callee is found in the
caller's module.  Derived functions are named by :func:`derived_name` alone,
so a pass that emits a call to the derivative of a callee and the pass that
makes that derivative agree on its name.
"""

from __future__ import annotations

import copy
from typing import Any, Iterator

from .core import NOT_CONSTANT, Function, Op
from .ops import CHECKPOINTED_REVERSALS, TANGENTS

DERIVED_KINDS = (
    "grad",
    "value_and_grad",
    "jvp",
    "vjp",
    "hvp",
    "hessian",
    "jacfwd",
    "jacfwd_identity",
    "jacrev",
    "sweeps",
    "batched",
    "vjp_fwd",
    "vjp_bwd",
    "fwd",
    "bwd",
)
"""The derivative kinds a function's name can be derived for: the primal's own
kinds, a helper's sweeps (``vjp_fwd``, ``vjp_bwd``), the two sweeps a ``vjp``
is split into (``fwd``, ``bwd``) and a helper's derivative on batches of
directions (``batched``), and a Jacobian's columns for the identity seed
(``jacfwd_identity``)."""


def derived_name(base: str, kind: str) -> str:
    """The name of derivative ``kind`` of the function called ``base``."""
    if kind not in DERIVED_KINDS:
        raise ValueError(f"no derived name for kind {kind!r}")
    return f"{base}_{kind}"


class Module:
    """Functions by name, in the order they were added (the order of a file)."""

    def __init__(self, functions: list[Function] | tuple[Function, ...] = ()):
        self.functions: dict[str, Function] = {}
        for function in functions:
            self.add(function)

    def add(self, function: Function) -> None:
        """Add ``function``, which then belongs to this module."""
        if self.functions.get(function.name, function) is not function:
            raise ValueError(f"the module already has a function {function.name!r}")
        self.functions[function.name] = function
        function.module = self

    def __getitem__(self, name: str) -> Function:
        return self.functions[name]

    def __contains__(self, name: object) -> bool:
        return name in self.functions

    def __iter__(self) -> Iterator[Function]:
        return iter(list(self.functions.values()))

    def __len__(self) -> int:
        return len(self.functions)

    def reached(self, name: str, reversals: bool = True) -> list[Function]:
        """The function called ``name`` and those it calls, directly or not, in
        order of first call (without ``reversals``, by ``call`` ops alone)."""
        order = [name]
        for current in order:
            for callee in called_names(self.functions[current], reversals):
                if callee not in order:
                    order.append(callee)
        missing = [n for n in order if n not in self.functions]
        if missing:
            raise KeyError(f"{name} calls {', '.join(missing)}, not in its module")
        return [self.functions[n] for n in order]


def detached_copies(functions: list[Function]) -> list[Function]:
    """Deep copies of ``functions`` belonging to no module yet (a module they are
    added to owns the copies, not the originals); a value that is not a constant
    stays marked :data:`NOT_CONSTANT` itself."""
    memo: dict[int, Any] = {id(f.module): None for f in functions if f.module}
    memo[id(NOT_CONSTANT)] = NOT_CONSTANT
    return copy.deepcopy(functions, memo)


def called_names(function: Function, reversals: bool = True) -> list[str]:
    """The callees ``function``'s ``call`` ops name, and (with ``reversals``)
    the functions the reversals of its checkpointed loops run, in order of
    first call."""
    names: list[str] = []
    for op in function.walk():
        if op.name == "call":
            called = (op.attrs["callee"],)
        else:
            called = reversal_callees(op) if reversals else ()
        names += [name for name in called if name not in names]
    return names


def reversal_callees(op: Op) -> tuple[str, ...]:
    """The functions a checkpointed loop's reversal ``op`` runs: its step and
    the step's two sweeps (their jvps when it carries tangents), and the
    condition of a ``while`` loop; none for another op."""
    if op.name not in CHECKPOINTED_REVERSALS:
        return ()
    step = op.attrs["step"]
    sweeps = (step, derived_name(step, "vjp_fwd"), derived_name(step, "vjp_bwd"))
    if op.attrs.get(TANGENTS):
        sweeps = tuple(derived_name(name, "jvp") for name in sweeps)
    return sweeps + ((op.attrs["condition"],) if "condition" in op.attrs else ())
