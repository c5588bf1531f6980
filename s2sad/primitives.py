"""The registry of primitives: the ops the IR is built from, each with its derivative rules.

A primitive is declared once, by decorating a *rule class* that holds two plain
Python functions, ``tangent`` and ``adjoint``.  Their parameters are named after
the primitive's arguments:

* primal arguments by their own names (``x``, ``y``),
* tangents as ``<arg>_dot``, the primal result as ``out``,
* the result's adjoint as ``out_bar``.

``tangent`` returns the result's tangent; ``adjoint`` returns the adjoint of each
differentiable argument (a tuple when there are several).  s2sad parses these
functions with its own frontend and inlines them into derivative code, so a rule
is written in the same language as the code it differentiates.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import S2SADError

FLOAT_RESULT = "float"
BOOL_RESULT = "bool"
PROMOTE = "promote"
"""Result type: ``int`` when every operand is an ``int``, else ``float``."""


@dataclass(frozen=True)
class Syntax:
    """How a primitive is spelled in Python: an operator symbol or a dotted callee.

    ``kind`` is one of ``binop``, ``unary``, ``compare``, ``ifexp``, ``call``.
    """

    kind: str
    text: str = ""


@dataclass(eq=False)
class Primitive:
    """One entry of the rule table."""

    name: str
    args: tuple[str, ...]
    python: Callable[..., Any]
    syntax: Syntax
    sympy: str | None = None
    """The primitive as a SymPy expression over its argument names, e.g. ``"exp(x) - 1"``."""
    result_type: str = FLOAT_RESULT
    nondiff: tuple[str, ...] = ()
    tangent: Callable[..., Any] | None = None
    adjoint: Callable[..., Any] | None = None
    binding: tuple[str, str] | None = None
    """``(module, qualname)`` for a user function the generated code must import."""
    callables: tuple[Any, ...] = field(default_factory=tuple)

    @property
    def differentiable_args(self) -> tuple[str, ...]:
        """Arguments that carry derivatives."""
        return tuple(a for a in self.args if a not in self.nondiff)

    @property
    def has_rules(self) -> bool:
        """True when values flowing through this primitive can be differentiated."""
        return self.tangent is not None and self.adjoint is not None


PRIMITIVES: dict[str, Primitive] = {}
"""Primitive name -> entry."""

_BY_CALLABLE: dict[Any, dict[int, Primitive]] = {}
_BY_SYNTAX: dict[Syntax, Primitive] = {}


def lookup_callable(fn: Any, nargs: int) -> Primitive | None:
    """The primitive that a call ``fn(...)`` with ``nargs`` arguments lowers to, if any."""
    try:
        by_arity = _BY_CALLABLE.get(fn)
    except TypeError:
        return None
    return None if by_arity is None else by_arity.get(nargs)


def arities(fn: Any) -> list[int]:
    """The argument counts ``fn`` is registered with."""
    return sorted(_BY_CALLABLE.get(fn, {}))


def lookup_syntax(kind: str, text: str = "") -> Primitive | None:
    """The primitive spelled by an operator symbol, e.g. ``("binop", "+")``."""
    return _BY_SYNTAX.get(Syntax(kind, text))


def primitive(
    name: str,
    args: str,
    python: Callable[..., Any],
    syntax: Syntax,
    *,
    sympy: str | None = None,
    result_type: str = FLOAT_RESULT,
    nondiff: str = "",
    also: tuple[Any, ...] = (),
) -> Callable[[type | None], type | None]:
    """Class decorator declaring a primitive and its rules (see the module docstring).

    ``python`` is the callable that computes the primitive (used for constant
    folding and to recognise calls); ``also`` lists further callables that mean
    the same thing.  A primitive with no derivative at all (a comparison) is
    declared by applying the decorator to ``None``.
    """

    def register(rules: type | None) -> type | None:
        entry = Primitive(
            name=name,
            args=tuple(args.split()),
            python=python,
            syntax=syntax,
            sympy=sympy,
            result_type=result_type,
            nondiff=tuple(nondiff.split()),
            tangent=getattr(rules, "tangent", None),
            adjoint=getattr(rules, "adjoint", None),
            callables=(python,) + tuple(also) if syntax.kind == "call" else tuple(also),
        )
        _register(entry)
        return rules

    return register


def derivative_rule(fn: Callable[..., Any]) -> Callable[[type], type]:
    """Register derivative rules for your own function ``fn``.

    Decorate a class holding ``tangent`` and ``adjoint`` functions whose
    parameters are named after ``fn``'s parameters (``x``), their tangents
    (``x_dot``), the result (``out``) and the result's adjoint (``out_bar``)::

        def softplus(x):
            return math.log1p(math.exp(x))

        @s2sad.derivative_rule(softplus)
        class SoftplusRule:
            def tangent(x, x_dot):
                return x_dot / (1.0 + math.exp(-x))

            def adjoint(x, out_bar):
                return out_bar / (1.0 + math.exp(-x))

    Calls to ``fn`` in differentiated code then use these rules; the generated
    file calls ``fn`` itself by importing it from its module.
    """
    if not callable(fn) or not hasattr(fn, "__qualname__"):
        raise S2SADError(f"derivative_rule needs a function, got {fn!r}")
    module = getattr(fn, "__module__", None)
    if not module or "<locals>" in fn.__qualname__:
        raise S2SADError(
            f"derivative_rule({fn.__qualname__}): the function must be defined at module level",
            hint="generated files import the function by its module and name",
        )
    params = tuple(inspect.signature(fn).parameters)

    def register(rules: type) -> type:
        name = _unique_name(fn.__name__)
        entry = Primitive(
            name=name,
            args=params,
            python=fn,
            syntax=Syntax("call", name),
            tangent=getattr(rules, "tangent", None),
            adjoint=getattr(rules, "adjoint", None),
            binding=(module, fn.__qualname__),
            callables=(fn,),
        )
        if not entry.has_rules:
            raise S2SADError(
                f"derivative_rule({fn.__name__}): the class must define both tangent and adjoint"
            )
        _register(entry)
        return rules

    return register


def _unique_name(base: str) -> str:
    name, k = base, 1
    while name in PRIMITIVES:
        k += 1
        name = f"{base}_{k}"
    return name


def _register(entry: Primitive) -> None:
    _check_rule_signatures(entry)
    previous = PRIMITIVES.get(entry.name)
    if previous is not None:
        _unregister(previous)
    PRIMITIVES[entry.name] = entry
    for fn in entry.callables:
        _BY_CALLABLE.setdefault(fn, {})[len(entry.args)] = entry
    if entry.syntax.kind != "call":
        _BY_SYNTAX[entry.syntax] = entry


def _unregister(entry: Primitive) -> None:
    for fn in entry.callables:
        _BY_CALLABLE.get(fn, {}).pop(len(entry.args), None)
    _BY_SYNTAX.pop(entry.syntax, None)


def _check_rule_signatures(entry: Primitive) -> None:
    diff = entry.differentiable_args
    allowed = {
        "tangent": set(entry.args) | {f"{a}_dot" for a in diff} | {"out"},
        "adjoint": set(entry.args) | {"out", "out_bar"},
    }
    for kind, names in allowed.items():
        rule = getattr(entry, kind)
        if rule is None:
            continue
        params = set(inspect.signature(rule).parameters)
        unknown = sorted(params - names)
        if unknown:
            raise S2SADError(
                f"{kind} rule of {entry.name} has unknown parameter(s) {', '.join(unknown)}",
                hint=f"parameters may be any of: {', '.join(sorted(names))}",
            )
