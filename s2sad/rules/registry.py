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

A primitive's arguments are declared as a Python parameter list
(``"x, axis=None, *, keepdims=False"``); calls are bound to it as Python binds
them.  Arguments named in ``nondiff`` carry no derivative (an ``axis``, a
condition); an argument left at its default is left out of generated calls.
*Elementwise* primitives broadcast their arguments against each other: reverse
mode sums each adjoint back to its argument's shape.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ..errors import S2SADError, call_site
from .batch_rules import ELEMENTWISE, LOOP, Rule
from ..ir.core import (
    ARRAY,
    FLOAT,
    INT,
    NOT_CONSTANT,
    OBJECT,
    SEQ,
    Value,
    as_array,
    element_type,
    is_array,
    join_types,
)

FLOAT_RESULT = "float"
BOOL_RESULT = "bool"
"""Result type: ``bool``, or ``array[bool]`` when an operand is an array."""
PROMOTE = "promote"
"""Result type: ``int`` when every operand is an ``int``, else ``float``; an array of that
when an operand is an array."""
UFUNC = "ufunc"
"""Result type: ``float``, or ``array`` when an operand is an array."""
ARRAY_RESULT = "array"
INT_RESULT = "int"
OBJECT_RESULT = "object"
SEQ_RESULT = "seq"
SAME = "same"
"""Result type: the type of the first argument."""
REDUCE = "reduce"
"""Result type: ``float`` when ``axis`` is None and ``keepdims`` false (a reduction to one number), else ``array``."""


SCALAR_HELPERS = frozenset({"runtime.xlogy", "runtime.divide", "runtime.power_factor"})
"""Runtime helpers that scalar rules call: using them does not make code NumPy code."""


@dataclass(frozen=True)
class Syntax:
    """How a primitive is spelled in Python: an operator symbol or a dotted callee.

    ``kind`` is one of ``binop``, ``unary``, ``compare``, ``ifexp``, ``call``,
    ``attribute`` (``x.T``), ``subscript`` (``x[i]``).
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
    result_type: str | Callable[[list[str], dict[str, Any]], str] = FLOAT_RESULT
    nondiff: tuple[str, ...] = ()
    tangent: Callable[..., Any] | None = None
    adjoint: Callable[..., Any] | None = None
    binding: tuple[str, str] | None = None
    """``(module, qualname)`` for a user function the generated code must import."""
    callables: tuple[Any, ...] = field(default_factory=tuple)
    signature: inspect.Signature | None = None
    """How calls bind to ``args``; None for a fixed list of positional arguments."""
    elementwise: bool = False
    """The arguments broadcast against each other (reverse mode unbroadcasts adjoints)."""
    linear: bool = False
    """Zero differentiable arguments give a zero result (``sum(0) == 0``)."""
    array_twin: str | None = None
    """The primitive to use instead when an argument is an array (``abs`` -> ``np.abs``)."""
    view: bool = False
    """The result may share memory with the first argument (``x[1:]``, ``x.T``)."""
    scalar_only: bool = False
    """Arrays are not accepted (``math.sin``, ``min``)."""
    shape_only: tuple[str, ...] = ()
    """Arguments read only for their shape or dtype (``np.zeros_like(x)``): no derivative flows
    through them, and they may depend on the inputs being differentiated."""
    dense: tuple[str, ...] = ()
    """Arguments whose zero tangent must be an array of their shape, not the number 0
    (``setitem`` writes into its first argument)."""
    fresh: bool = False
    """The result is always a new, writable array that nothing else holds (``np.zeros``)."""
    read_only: bool = False
    """The result may be a view NumPy lets no one write into (``np.broadcast_to``)."""
    same_shape: str | None = None
    """The argument whose shape the result always has (``np.copy(x)``: ``x``)."""
    commutative: bool = False
    """The two arguments may be swapped (``x + y``)."""
    library: Any = None
    """What the name ``lib`` in the rules stands for (:data:`s2sad.rules.helpers.NUMPY`, say):
    twin rules serve a ``math`` function and its NumPy ufunc; None: the rules' module says."""
    batch: Rule | None = None
    """How it applies to batches of values, one per direction of a batched Hessian-vector
    product (:mod:`s2sad.rules.batch_rules`); None: it cannot be batched."""

    @property
    def numpy(self) -> bool:
        """True for NumPy functions, array syntax (``x[i]``, ``x.T``, ``@``) and array helpers."""
        text = self.syntax.text
        return (
            self.syntax.kind in ("attribute", "subscript", "method")
            or text.startswith("np.")
            or (text.startswith("runtime.") and text not in SCALAR_HELPERS)
            or text == "@"
        )

    @property
    def differentiable_args(self) -> tuple[str, ...]:
        """Arguments that carry derivatives."""
        return tuple(a for a in self.args if a not in self.nondiff)

    @property
    def has_rules(self) -> bool:
        """True when values flowing through this primitive can be differentiated."""
        return self.tangent is not None and self.adjoint is not None

    def defaults(self) -> dict[str, Any]:
        """The default value of each argument that has one."""
        if self.signature is None:
            return {}
        return {
            name: p.default
            for name, p in self.signature.parameters.items()
            if p.default is not inspect.Parameter.empty
        }

    def keyword_only(self) -> set[str]:
        """Arguments that generated code passes by keyword only."""
        return self._of_kind(inspect.Parameter.KEYWORD_ONLY)

    def positional_only(self) -> set[str]:
        """Arguments that generated code passes by position only (``slice``'s)."""
        return self._of_kind(inspect.Parameter.POSITIONAL_ONLY)

    def _of_kind(self, kind: Any) -> set[str]:
        if self.signature is None:
            return set()
        return {n for n, p in self.signature.parameters.items() if p.kind is kind}

    def bind(self, positional: Sequence[Any], keywords: dict[str, Any]) -> list[Any]:
        """One entry per argument, ``positional``/``keywords`` bound as Python
        binds a call; :data:`DEFAULT` where an argument is left out.  Raises
        ``TypeError`` with Python's message when the call does not fit."""
        if self.signature is None:
            if keywords:
                return self._bind_by_name(positional, keywords)
            if len(positional) != len(self.args):
                raise TypeError(f"takes {len(self.args)} positional argument(s)")
            return list(positional)
        bound = self.signature.bind(*positional, **keywords).arguments
        return [bound.get(name, DEFAULT) for name in self.args]

    def _bind_by_name(
        self, positional: Sequence[Any], keywords: dict[str, Any]
    ) -> list[Any]:
        """A fixed-argument call with keywords: each keyword names the argument at
        its position in the Python function's own signature (``np.moveaxis(a,
        source=0, destination=1)``); every argument must be given."""
        try:
            names = list(inspect.signature(self.python).parameters)[: len(self.args)]
        except (TypeError, ValueError):
            names = list(self.args)
        spelled = dict(zip(names, self.args)) | {a: a for a in self.args}
        bound = dict(zip(self.args, positional))
        for name, value in keywords.items():
            arg = spelled.get(name)
            if arg is None or arg in bound:
                raise TypeError(f"unexpected keyword argument {name!r}")
            bound[arg] = value
        if len(bound) != len(self.args):
            raise TypeError(f"takes {len(self.args)} argument(s)")
        return [bound[a] for a in self.args]


DEFAULT = object()
"""Marks an argument a call leaves at its default (see :meth:`Primitive.bind`)."""

PRIMITIVES: dict[str, Primitive] = {}
"""Primitive name -> entry."""

_BY_CALLABLE: dict[Any, list[Primitive]] = {}
_BY_SYNTAX: dict[Syntax, Primitive] = {}


def lookup_callable(fn: Any, nargs: int) -> Primitive | None:
    """The primitive that a call ``fn(...)`` with ``nargs`` positional arguments lowers to, if any."""
    return lookup_call(fn, [None] * nargs, {})


def lookup_call(
    fn: Any, positional: Sequence[Any], keywords: dict[str, Any]
) -> Primitive | None:
    """The first primitive spelled ``fn`` whose arguments the call binds to, if any."""
    try:
        entries = _BY_CALLABLE.get(fn, [])
    except TypeError:
        return None
    for entry in entries:
        try:
            entry.bind(positional, keywords)
        except TypeError:
            continue
        return entry
    return None


def registered(fn: Any) -> list[Primitive]:
    """The primitives a call to ``fn`` may lower to."""
    try:
        return list(_BY_CALLABLE.get(fn, []))
    except TypeError:
        return []


def arities(fn: Any) -> list[int]:
    """The positional argument counts ``fn`` is registered with (fixed-argument primitives)."""
    return sorted(len(e.args) for e in registered(fn) if e.signature is None)


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
    elementwise: bool = False,
    linear: bool = False,
    array_twin: str | None = None,
    view: bool = False,
    scalar_only: bool | None = None,
    shape_only: str = "",
    dense: str = "",
    lookup: bool = True,
    fresh: bool = False,
    read_only: bool = False,
    same_shape: str | None = None,
    commutative: bool = False,
    library: Any = None,
    batch: Rule | None = None,
) -> Callable[[type | None], type | None]:
    """Class decorator declaring a primitive and its rules (see the module docstring).

    ``args`` is either names separated by spaces (positional arguments) or a
    Python parameter list with a comma (``"x, axis=None, *, keepdims=False"``).
    ``python`` is the callable that computes the primitive (used for constant
    folding and to recognise calls); ``also`` lists further callables that mean
    the same thing.  A primitive with no derivative at all (a comparison) is
    declared by applying the decorator to ``None``.  ``scalar_only`` defaults
    to true for ``math`` functions.  An entry with ``lookup`` false is never
    chosen for a call or an operator; it is some other entry's ``array_twin``.
    ``library`` binds the rules' name ``lib`` (see :attr:`Primitive.library`).
    ``batch`` says how it applies to batches (:attr:`Primitive.batch`); an
    elementwise primitive, or one with an ``array_twin``, broadcasts them by default.
    """
    if scalar_only is None:
        scalar_only = syntax.kind == "call" and syntax.text.startswith("math.")
    signature = _parse_signature(args) if "," in args or "=" in args else None
    names = tuple(signature.parameters) if signature else tuple(args.split())

    def register(rules: type | None) -> type | None:
        entry = Primitive(
            name=name,
            args=names,
            python=python,
            syntax=syntax,
            sympy=sympy,
            result_type=result_type,
            nondiff=tuple(nondiff.split()),
            tangent=getattr(rules, "tangent", None),
            adjoint=getattr(rules, "adjoint", None),
            callables=tuple(
                dict.fromkeys((python, *also) if syntax.kind == "call" else also)
            ),
            signature=signature,
            elementwise=elementwise,
            linear=linear,
            array_twin=array_twin,
            view=view,
            scalar_only=scalar_only,
            shape_only=tuple(shape_only.split()),
            dense=tuple(dense.split()),
            fresh=fresh,
            read_only=read_only,
            same_shape=same_shape,
            commutative=commutative,
            library=library,
            batch=(
                batch if batch is not None else _default_batch(elementwise, array_twin)
            ),
        )
        _register(entry, lookup)
        return rules

    return register


def _default_batch(elementwise: bool, array_twin: str | None) -> Rule | None:
    """Elementwise primitives, and those with a NumPy twin, broadcast batches."""
    return ELEMENTWISE if elementwise or array_twin else None


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
    file calls ``fn`` itself by importing it from its module.  A batched
    Hessian (``s2sad.hessian``) calls ``fn`` once per direction where its
    argument depends on the directions.
    """
    if not callable(fn) or not hasattr(fn, "__qualname__"):
        raise S2SADError(
            f"derivative_rule needs a function, got {fn!r}",
            hint="decorate the rule class with @s2sad.derivative_rule(f) for a "
            "module-level function f",
            **call_site(),
        )
    module = getattr(fn, "__module__", None)
    if not module or "<locals>" in fn.__qualname__:
        raise S2SADError(
            f"derivative_rule({fn.__qualname__}): the function must be defined at module level",
            hint="generated files import the function by its module and name",
            **call_site(),
        )
    try:
        params = tuple(inspect.signature(fn).parameters)
    except (ValueError, TypeError):
        raise S2SADError(
            f"derivative_rule({fn.__qualname__}): Python cannot read the parameters of "
            f"the builtin {fn.__qualname__}",
            hint=f"wrap it in a function of your own, e.g. def my_{fn.__name__}(x): "
            f"return {fn.__name__}(x); register the rule for that and call it",
            **call_site(),
        ) from None

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
            batch=LOOP,
        )
        if not entry.has_rules:
            raise S2SADError(
                f"derivative_rule({fn.__name__}): the class must define both tangent and adjoint",
                **call_site(),
            )
        _register(entry)
        return rules

    return register


def _parse_signature(spec: str) -> inspect.Signature:
    """The signature of ``def _(<spec>): ...``, defaults evaluated with NumPy's names."""
    namespace: dict[str, Any] = {}
    exec(f"def _({spec}): pass", {"inf": float("inf")}, namespace)
    return inspect.signature(namespace["_"])


def _unique_name(base: str) -> str:
    name, k = base, 1
    while name in PRIMITIVES:
        k += 1
        name = f"{base}_{k}"
    return name


def _register(entry: Primitive, lookup: bool = True) -> None:
    _check_rule_signatures(entry)
    previous = PRIMITIVES.get(entry.name)
    if previous is not None:
        _unregister(previous)
    PRIMITIVES[entry.name] = entry
    if not lookup:
        return
    for fn in entry.callables:
        same = [e for e in _BY_CALLABLE.get(fn, []) if not _same_arity(e, entry)]
        _BY_CALLABLE[fn] = same + [entry]
    if entry.syntax.kind not in ("call", "attribute"):
        _BY_SYNTAX[entry.syntax] = entry


def _same_arity(a: Primitive, b: Primitive) -> bool:
    """Two fixed-argument entries with as many arguments (the later one replaces the earlier)."""
    return a.signature is None and b.signature is None and len(a.args) == len(b.args)


def _unregister(entry: Primitive) -> None:
    for fn in entry.callables:
        if fn in _BY_CALLABLE:
            _BY_CALLABLE[fn] = [e for e in _BY_CALLABLE[fn] if e is not entry]
    if _BY_SYNTAX.get(entry.syntax) is entry:
        del _BY_SYNTAX[entry.syntax]


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


def result_type_of(entry: Primitive, types: list[str], static: dict[str, Any]) -> str:
    """The type of ``entry``'s result for operands of ``types``; ``static`` holds
    the values of arguments that are constants (``axis``, ``keepdims``)."""
    kind = entry.result_type
    if callable(kind):
        return kind(types, static)
    arrays = any(is_array(t) for t in types)
    if kind == BOOL_RESULT:
        return as_array(BOOL_RESULT) if arrays else BOOL_RESULT
    if kind == PROMOTE:
        numeric = [t for t in types if t not in (OBJECT, SEQ)]
        joined = join_types(numeric) if numeric else FLOAT
        return as_array(element_type(joined)) if arrays else joined
    if kind == UFUNC:
        return ARRAY if arrays else FLOAT
    if kind == SAME:
        return types[0]
    if kind == REDUCE:
        reduces_all = (
            "axis" in static and static["axis"] is None and not static.get("keepdims")
        )
        return FLOAT if reduces_all else ARRAY
    return {
        ARRAY_RESULT: ARRAY,
        INT_RESULT: INT,
        OBJECT_RESULT: OBJECT,
        SEQ_RESULT: SEQ,
    }.get(kind, kind)


def specialized(entry: Primitive, operands: list[Value]) -> tuple[Primitive, str]:
    """The entry to apply to ``operands`` (its array twin when one of them is an
    array) and the type of its result, read from the operands' types and the
    values of those that are constants."""
    if entry.array_twin and any(is_array(v.type) for v in operands):
        entry = PRIMITIVES[entry.array_twin]
    static = {
        arg: v.constant
        for arg, v in zip(entry.args, operands)
        if v.constant is not NOT_CONSTANT
    }
    return entry, result_type_of(entry, [v.type for v in operands], static)
