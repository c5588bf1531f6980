"""Declares the runtime helpers that derivative rules call (``runtime.unreduce``, ...),
and the two libraries that twin rules call."""

from __future__ import annotations

import math
import operator
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

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


def choose(c: Any, a: Any, b: Any) -> Any:
    """``a if c else b``, as a function (the ``select`` primitive)."""
    return a if c else b


TWIN_FUNCTIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "sin": (math.sin, np.sin),
    "cos": (math.cos, np.cos),
    "sinh": (math.sinh, np.sinh),
    "cosh": (math.cosh, np.cosh),
    "sqrt": (math.sqrt, np.sqrt),
    "log": (math.log, np.log),
    "xlogy": (runtime.xlogy, runtime.xlogy_array),
    "where": (choose, np.where),
    "floor_divide": (operator.floordiv, np.floor_divide),
    # x / y, by what the divisor is: anything (atan2's x * x + y * y) ...
    "divide": (runtime.divide, np.divide),
    # ... a value the library computed, 0 where the function is defined (sqrt's
    # result): NumPy's `/` of it is IEEE division already ...
    "divide_by_result": (runtime.divide, operator.truediv),
    # ... made of the arguments, maybe plain numbers, 0 only where the math
    # function raises (log's x)
    "divide_by_argument": (operator.truediv, np.divide),
}
"""What a *twin rule* calls as ``lib.<name>``: the function for numbers and for arrays.

A twin rule serves a ``math`` function (or operator) and its NumPy ufunc
(``math.sin`` and ``np.sin``).  Rule lowering binds ``lib`` to :data:`MATH` or
:data:`NUMPY`, the registration's library, so the rule calls ``math`` on
numbers and NumPy on arrays; where Python would raise at a zero divisor,
:func:`s2sad.runtime.divide` gives IEEE results."""

MATH = SimpleNamespace(**{name: pair[0] for name, pair in TWIN_FUNCTIONS.items()})
"""The library of twin rules for numbers."""

NUMPY = SimpleNamespace(**{name: pair[1] for name, pair in TWIN_FUNCTIONS.items()})
"""The library of twin rules for arrays."""
