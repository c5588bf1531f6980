"""Declares the runtime helpers that derivative rules call (``runtime.unreduce``, ...),
and the libraries that twin rules call."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Library:
    """What a *twin rule* calls as ``lib.<name>``.

    A twin rule serves a ``math`` function and its NumPy ufunc (``math.sin``
    and ``np.sin``): rule lowering binds ``lib`` to the library of the
    primitive it inlines the rule for, so the rule calls ``math`` on numbers
    and NumPy on arrays.  The three divisions differ in what their divisor is.
    """

    sin: Callable[..., Any]
    cos: Callable[..., Any]
    sinh: Callable[..., Any]
    cosh: Callable[..., Any]
    sqrt: Callable[..., Any]
    log: Callable[..., Any]
    xlogy: Callable[..., Any]
    """``x * log(y)``, 0 where ``x`` is 0."""
    where: Callable[..., Any]
    """``where(c, a, b)``: ``a`` where ``c`` holds, else ``b``."""
    floor_divide: Callable[..., Any]
    divide: Callable[..., Any]
    """``x / y`` with IEEE results for any divisor (``atan2``'s ``x * x + y * y``)."""
    divide_by_result: Callable[..., Any]
    """``x / y`` for a divisor the library computed (``sqrt(...)``, the result),
    which may be 0 where the function is defined."""
    divide_by_argument: Callable[..., Any]
    """``x / y`` for a divisor made of the arguments (possibly plain numbers)
    that is 0 only where the ``math`` function raises (``log`` at 0)."""
