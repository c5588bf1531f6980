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


def functions_in(value: Any) -> list[Function]:
    """The IR functions a step made or is making."""
    if isinstance(value, Function):
        return [value]
    if isinstance(value, pipeline.Derivation):
        made = [value.function]
        if value.sweeps is not None:
            made += [value.sweeps.forward, value.sweeps.backward]
        return [f for f in made if f is not None]
    return []


def verified(name: str, run: Callable[..., Any], log: list[str]) -> Callable[..., Any]:
    """``run``, followed by the verification of every function it made or changed."""

    @functools.wraps(run)
    def wrapper(subject: Any) -> Any:
        result = run(subject)
        for function in functions_in(subject):
            try:
                verify(function)
            except VerificationError as error:
                raise VerificationError(f"after pass {name}: {error}") from None
            log.append(f"{name}:{function.name}")
        return result

    return wrapper


def install(monkeypatch: Any) -> list[str]:
    """Wrap every step of every derivative kind, and the finishing passes; the
    returned list records each verification made (``step:function``)."""
    log: list[str] = []
    for kind in pipeline.KINDS.values():
        steps = tuple(verified(step.__name__, step, log) for step in kind.steps)
        monkeypatch.setattr(kind, "steps", steps)
    finish = tuple(verified(step.__name__, step, log) for step in pipeline.FINISH)
    monkeypatch.setattr(pipeline, "FINISH", finish)
    return log
