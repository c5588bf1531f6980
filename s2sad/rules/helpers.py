"""Declares the runtime helpers that derivative rules call (``runtime.unreduce``, ...)."""

from __future__ import annotations

from typing import Any, Callable

from .. import runtime
from .registry import ARRAY_RESULT, Syntax, primitive


def runtime_helper(
    name: str, args: str, **options: Any
) -> Callable[[type | None], type | None]:
    """Declare ``runtime.<name>`` as a primitive, spelled so in generated code;
    its result is an array unless ``result_type`` says otherwise."""
    options.setdefault("result_type", ARRAY_RESULT)
    fn = getattr(runtime, name)
    return primitive(name, args, fn, Syntax("call", f"runtime.{name}"), **options)
