"""The helpers generated code may call (and nothing else)."""

from __future__ import annotations

import importlib
from typing import Any


def resolve(module: str, qualname: str) -> Any:
    """The object ``module.qualname``: how a generated file reaches a user's own primitive."""
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target
