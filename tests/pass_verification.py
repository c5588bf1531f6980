"""The functions of the test tables, and the verifier run after every pass of every
derivative kind (through the ``verify_each_pass`` fixture of conftest.py)."""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np
from array_functions import ARRAY_CASES, VECTOR_CASES
from control_functions import (
    CONTROL_CASES,
    JUMP_CASES,
    MULTI_OUTPUT_CONTROL_CASES,
    RETURN_CASES,
)
from helper_functions import HELPER_CASES
from scalar_functions import MULTI_OUTPUT_CASES, SCALAR_CASES

from s2sad.passes import pipeline
from s2sad.ir.core import Function
from s2sad.passes import reverse, split
from s2sad.analysis.verifier import VerificationError, verify

TABLES = (
    SCALAR_CASES
    + MULTI_OUTPUT_CASES
    + CONTROL_CASES
    + MULTI_OUTPUT_CONTROL_CASES
    + JUMP_CASES
    + RETURN_CASES
    + HELPER_CASES
    + ARRAY_CASES
    + VECTOR_CASES
)
"""The cases of the scalar, control-flow, helper and array test tables."""


def table_functions() -> list[tuple[Any, frozenset[int]]]:
    """Each function of the test tables once, with the indices of its array arguments."""
    seen: dict[Any, frozenset[int]] = {}
    for case in TABLES:
        f, args = case[0], case[1]
        arrays = frozenset(k for k, a in enumerate(args) if isinstance(a, np.ndarray))
        seen.setdefault(f, arrays)
    return list(seen.items())


PIPELINE_MODULES = (pipeline, split)
"""The modules that run passes, one after another."""

PASSES = (
    "forward",
    "reverse",
    "simplify",
    "trim_tape",
    "dense_zeros",
    "split",
    "tidy_names",
    "copy_before_loops",
    "split_long_records",
    "_own_adjoints",
)
"""The passes those modules call, by the name they import them under."""


def functions_in(value: Any) -> list[Function]:
    """The IR functions among a pass's arguments or results."""
    if isinstance(value, Function):
        return [value]
    if isinstance(value, reverse.ReverseResult):
        return [value.function]
    if isinstance(value, (list, tuple)):
        return [f for item in value for f in functions_in(item)]
    return []


def verified(name: str, run: Callable[..., Any], log: list[str]) -> Callable[..., Any]:
    """``run``, followed by the verification of every function it was given or returned."""

    @functools.wraps(run)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = run(*args, **kwargs)
        for function in functions_in([*args, *kwargs.values(), result]):
            try:
                verify(function)
            except VerificationError as error:
                raise VerificationError(f"after pass {name}: {error}") from None
            log.append(f"{name}:{function.name}")
        return result

    return wrapper


def install(monkeypatch: Any) -> list[str]:
    """Wrap every pass the pipeline modules call; the returned list records each
    verification made (``pass:function``)."""
    log: list[str] = []
    for module in PIPELINE_MODULES:
        for name in PASSES:
            if hasattr(module, name):
                wrapped = verified(name, getattr(module, name), log)
                monkeypatch.setattr(module, name, wrapped)
    return log
