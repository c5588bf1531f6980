"""The helpers generated code may call (and nothing else)."""

from __future__ import annotations

import importlib
import math
from typing import Any


def resolve(module: str, qualname: str) -> Any:
    """The object ``module.qualname``: how a generated file reaches a user's own primitive."""
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def xlogy(x: float, y: float) -> float:
    """``x * log(y)``, and 0 where ``x`` is 0 (so ``d/dy 0**y`` is 0, not an error)."""
    return 0.0 if x == 0 else x * math.log(y)
