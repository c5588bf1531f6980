"""What the public API checks around generated code, on every call and cheaply.

The target of a transformation (a function, a ``functools.partial`` of one, a
cached function) and its fixed arguments; the checks that a gradient's output
is a scalar, that arguments are plain numbers or ``numpy.ndarray`` (not
``np.matrix``, whose ``*`` is a matrix product), and that tangents and
cotangents have the primals' and outputs' shapes.
"""

from __future__ import annotations

import functools
import inspect
import sys
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .display import displayable, source_html
from .errors import DifferentiationError, UnsupportedSyntaxError, call_site
from .frontend.source import is_library, require_python_function
from .runtime import SCALAR_HINT

NUMBERS = frozenset(
    {float, int, bool, np.float64, np.float32, np.float16, np.int64, np.int32}
)
"""Argument types used as they are, with no further look."""


DERIVED = "__s2sad_derived__"
"""The attribute of a generated function naming the derivative it belongs to
and its index there, by which s2sad differentiates it again."""


@dataclass
class Target:
    """The Python function a transformation reads, and the arguments a
    ``functools.partial`` fixed: ``args`` first, ``keywords`` (the values of its
    last parameters) last."""

    fn: Callable[..., Any]
    args: tuple = ()
    keywords: tuple = ()
    label: str = ""

    @property
    def fixed_count(self) -> int:
        """How many arguments the partial fixed."""
        return len(self.args) + len(self.keywords)

    @property
    def names(self) -> list[str]:
        """The function's parameter names."""
        code = self.fn.__code__
        return list(code.co_varnames[: code.co_argcount])

    @property
    def file(self) -> str:
        """The file the function is defined in."""
        return self.fn.__code__.co_filename

    @property
    def line(self) -> int:
        """The line of its ``def``."""
        return self.fn.__code__.co_firstlineno

    def arguments(self, given: tuple) -> tuple:
        """The full argument tuple of ``fn`` for the arguments the caller ``given``."""
        if self.args or self.keywords:
            return self.args + tuple(given) + self.keywords
        return given

    def zero_tangents(self, full: tuple) -> list:
        """Zero tangents for the fixed arguments (and the others, ignored)."""
        if not self.fixed_count:
            return []
        return [zero_tangent(v) for v in full]

    def callers(self, indices: Any) -> tuple[int, ...]:
        """``indices`` of ``fn``'s parameters as positions among the caller's
        arguments (those the partial fixed left out)."""
        shift = len(self.args)
        end = len(self.names) - len(self.keywords)
        return tuple(k - shift for k in indices if shift <= k < end)

    def drop_fixed(self, adjoints: Any) -> Any:
        """The adjoints of the caller's arguments only."""
        return tuple(adjoints)[len(self.args) : len(adjoints) - len(self.keywords)]

    def shift_wrt(self, wrt: Any) -> Any:
        """``wrt`` (about the caller's arguments) as indices or names of ``fn``'s."""
        if not self.fixed_count:
            return wrt
        free = self.names[len(self.args) : len(self.names) - len(self.keywords)]
        items = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
        shifted = []
        for item in items:
            if isinstance(item, int) and not isinstance(item, bool):
                if not -len(free) <= item < len(free):
                    raise self.error(
                        f"wrt={item} is out of range: the partial of {self.label} takes "
                        f"{len(free)} argument(s)",
                        f"its free parameters are: {', '.join(free)}",
                    )
                item = len(self.args) + item % len(free)
            elif isinstance(item, str) and item not in free:
                raise self.error(
                    f"{item!r} is not a free parameter of the partial of {self.label}",
                    f"its free parameters are: {', '.join(free)}",
                )
            shifted.append(item)
        return shifted[0] if not isinstance(wrt, (tuple, list)) else tuple(shifted)

    def check_arity(self, count: int, exact: bool) -> None:
        """Refuse ``count`` arguments if ``fn`` does not take them."""
        params = inspect.signature(self.fn).parameters.values()
        required = (
            len(params)
            if exact
            else sum(1 for p in params if p.default is inspect.Parameter.empty)
        )
        if not required <= count <= len(params):
            raise self.error(
                f"{self.label} takes {len(params)} argument(s), got {count - self.fixed_count} primal(s)"
                + (
                    f" and {self.fixed_count} fixed by the partial"
                    if self.fixed_count
                    else ""
                ),
                "pass one value per parameter",
            )

    def error(self, message: str, hint: str | None = None) -> DifferentiationError:
        """A DifferentiationError located at the function's ``def``."""
        return DifferentiationError(message, file=self.file, line=self.line, hint=hint)


def resolve_target(f: Any) -> Target:
    """The function s2sad reads for ``f``: ``f`` itself, the function of a
    ``functools.partial`` (its fixed arguments kept), or the function a
    ``functools.cache``/``lru_cache`` wraps (same values); other wrappers,
    builtins and library functions are refused."""
    label = getattr(f, "__qualname__", None) or repr(f)
    generated = getattr(f, "generated", None)
    if hasattr(generated, DERIVED):
        label = getattr(generated, "__qualname__", label)
        if isinstance(f, Checked) and f.target.fixed_count:
            raise DifferentiationError(
                f"cannot differentiate {label} again: it is the gradient of a partial",
                hint="differentiate the gradient of a def of your own that takes the "
                "fixed values as constants",
                **call_site(),
            )
        return Target(generated, label=label)
    if isinstance(f, functools.partial):
        inner = resolve_target(f.func)
        if inner.fixed_count:
            raise _partial_error(
                label, "arguments fixed twice (a partial of a partial)"
            )
        names = inner.names
        keys = list(f.keywords)
        tail = names[len(names) - len(keys) :] if keys else []
        if sorted(keys) != sorted(tail) or len(f.args) + len(keys) > len(names):
            raise _partial_error(
                inner.label,
                f"keywords {', '.join(keys)} that are not its last parameters",
            )
        return Target(
            inner.fn,
            tuple(f.args),
            tuple(f.keywords[n] for n in tail),
            f"partial({inner.label})",
        )
    if type(f).__name__ == "_lru_cache_wrapper" and hasattr(f, "__wrapped__"):
        return resolve_target(f.__wrapped__)
    if is_library(f):
        module = (getattr(f, "__module__", None) or "").split(".")[0]
        name = f"{_ALIASES.get(module, module)}.{label}" if module else label
        name = name.removeprefix("builtins.")
        raise UnsupportedSyntaxError(
            f"cannot read the source of {name}: it is library code, not a def of "
            "yours, so s2sad cannot differentiate it itself",
            hint=f"differentiate a def of your own that calls it, e.g. "
            f"def f(x): return {name}(x)",
            **call_site(),
        )
    try:
        require_python_function(f)
    except UnsupportedSyntaxError as error:
        if error.file is None:
            error.file, error.line = call_site().values()
            error.args = (str(error),)
        raise
    return Target(f, label=label)


_ALIASES = {"numpy": "np"}


def _partial_error(label: str, what: str) -> DifferentiationError:
    return DifferentiationError(
        f"cannot differentiate a partial of {label} with {what}",
        hint="fix leading positional arguments, or keyword arguments for the last "
        "parameters only; or write a def that calls the function",
        **call_site(),
    )


def check_primal_types(target: Target, values: tuple, who: str) -> None:
    """Refuse array subclasses (``np.matrix``, masked arrays), complex numbers and
    values that are not numbers or arrays of numbers among ``values``."""
    for k, value in enumerate(values):
        kind = type(value)
        if kind not in NUMBERS and (
            kind is not np.ndarray or value.dtype.kind not in REAL
        ):
            _require_plain(target, k, value, who)


REAL = "biuf"
"""The NumPy dtype kinds s2sad differentiates (and counts with)."""


def refuse_containers(target: Target, primals: tuple, positions: Any, who: str) -> None:
    """Refuse a list or tuple among the caller's ``primals`` at a differentiated
    position: generated code reads a parameter as a number or an array, and a
    list's ``+`` and ``*`` concatenate and repeat where an array's add and scale."""
    for k in positions:
        if k < len(primals) and isinstance(primals[k], (tuple, list)):
            name = _param_name(target, k)
            raise target.error(
                f"{who} of {target.label}: argument {name} is a "
                f"{type(primals[k]).__name__}; s2sad differentiates with respect to "
                "numbers and float arrays",
                f"pass np.asarray({name}) (or several parameters, one per item)",
            )


def _same_structure(gradient: Any, given: Any) -> bool:
    """``gradient`` has the structure of ``given``: a sequence of its length
    whose items have its items' structures (a list of lists too), or an array
    of its shape."""
    if isinstance(gradient, (tuple, list)) and isinstance(given, (tuple, list)):
        return len(gradient) == len(given) and all(
            map(_same_structure, gradient, given)
        )
    try:
        return np.shape(gradient) == np.shape(given)
    except ValueError:
        return False


def accepts_containers(target: Target, full: tuple, kwargs: dict | None = None) -> None:
    """Run ``fn`` on ``full`` when a list or tuple is among them, so that a
    function that cannot take the container (``x ** 3`` of a list) raises its
    own error rather than a derivative computing something it does not.  Only
    calls with containers pay for this."""
    values = (*full, *(kwargs or {}).values())
    if any(isinstance(value, (tuple, list)) for value in values):
        target.fn(*full, **(kwargs or {}))


def unsupported_value(value: Any) -> str | None:
    """Why ``value`` cannot be a primal, tangent or cotangent (None if it can): a
    complex number, a string, ``None``, an array of another dtype."""
    if isinstance(value, (tuple, list)):
        return next(filter(None, map(unsupported_value, value)), None)
    if isinstance(value, (complex, np.complexfloating)):
        return "a complex number (s2sad differentiates real functions)"
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "c":
            return "a complex array (s2sad differentiates real functions)"
        if value.dtype.kind not in REAL:
            return f"an array of dtype {value.dtype}"
        return None
    if isinstance(value, (bool, int, float, np.number, np.bool_)):
        return None
    return f"a {type(value).__name__}, not a number or array"


def _require_plain(target: Target, k: int, value: Any, who: str) -> None:
    problem = unsupported_value(value)
    if problem is not None:
        name = _param_name(target, k)
        raise target.error(
            f"{who} of {target.label}: argument {name} is {problem}",
            f"pass a real number or a float array for {name}",
        )
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        name = _param_name(target, k)
        raise target.error(
            f"{who} of {target.label}: argument {name} is a {type(value).__module__}."
            f"{type(value).__name__}, whose operators differ from numpy.ndarray's",
            f"pass np.asarray({name}) (for np.matrix, write matrix products with @)",
        )


def _param_name(target: Target, k: int) -> str:
    names = target.names[len(target.args) :]
    return names[k] if k < len(names) else f"#{k}"


def zero_tangent(value: Any) -> Any:
    """The zero tangent of a primal value."""
    if isinstance(value, np.ndarray):
        return np.zeros(value.shape)
    return 0.0


def fill_tangents(target: Target, primals: tuple, tangents: tuple) -> tuple:
    """``tangents`` with ``None`` read as zero; refuses a count that is not the
    primals' and a tangent whose shape is not its primal's."""
    if len(primals) != len(tangents):
        raise DifferentiationError(
            f"jvp got {len(primals)} primal(s) but {len(tangents)} tangent(s)",
            hint="pass one tangent per primal (None for one not varied)",
            **call_site(),
        )
    return _slow_tangents(target, primals, tangents)


def _slow_tangents(target: Target, primals: tuple, tangents: tuple) -> tuple:
    filled = []
    for k, (p, t) in enumerate(zip(primals, tangents)):
        if t is None:
            filled.append(zero_tangent(p))
            continue
        problem = unsupported_value(t)
        if problem is not None:
            raise target.error(
                f"jvp of {target.label}: tangents[{k}] (for {_param_name(target, k)}) is "
                f"{problem}",
                "a tangent is a real number or float array of its primal's shape",
            )
        if isinstance(t, np.ndarray) and type(t) is not np.ndarray:
            raise target.error(
                f"jvp of {target.label}: tangents[{k}] is a {type(t).__name__}",
                "pass a numpy.ndarray",
            )
        try:
            shape, wanted = np.shape(t), np.shape(p)
        except ValueError:
            shape, wanted = None, np.shape(p)
        if shape != wanted or isinstance(t, (tuple, list)) != isinstance(
            p, (tuple, list)
        ):
            raise target.error(
                f"jvp of {target.label}: tangents[{k}] (for {_param_name(target, k)}) "
                f"has shape {_shape_text(t)}, but its primal has shape {_shape_text(p)}",
                "a tangent has its primal's shape; pass None (or zeros) for one not varied",
            )
        filled.append(t)
    return tuple(filled)


def check_directions(
    target: Target, primals: tuple, directions: tuple, positions: list[int]
) -> None:
    """Refuse a direction of ``hvp`` that is not a real number or float array of
    the shape of the argument at its position among the caller's ``primals``."""
    for j, (k, v) in enumerate(zip(positions, directions)):
        p, name = primals[k], _param_name(target, k)
        label = "v" if len(positions) == 1 else f"v[{j}]"
        problem = unsupported_value(v) if v is not None else "None"
        if problem is None and isinstance(v, (tuple, list)):
            problem = f"a {type(v).__name__}, not an array"
        elif (
            problem is None and isinstance(v, np.ndarray) and type(v) is not np.ndarray
        ):
            problem = f"a {type(v).__name__}"
        if problem is not None:
            raise target.error(
                f"hvp of {target.label}: {label} (for {name}) is {problem}",
                f"pass a real number or a float array of {name}'s shape",
            )
        if np.shape(v) != np.shape(p):
            raise target.error(
                f"hvp of {target.label}: {label} (for {name}) has shape "
                f"{_shape_text(v)}, but {name} has shape {_shape_text(p)}",
                f"pass a direction of {name}'s shape",
            )


def check_batches(
    target: Target, primals: tuple, batches: tuple, positions: list[int], who: str
) -> int:
    """Refuse a batch of directions that is not a real float array of shape ``(k,)
    + shape`` of the argument at its position among the caller's ``primals``, or
    whose ``k`` differs from another's; returns ``k``."""
    count = None
    for j, (k, v) in enumerate(zip(positions, batches)):
        p, name = primals[k], _param_name(target, k)
        label = "V" if len(positions) == 1 else f"V[{j}]"
        problem = unsupported_value(v) if v is not None else "None"
        if problem is None and not isinstance(v, np.ndarray):
            problem = f"a {type(v).__name__}, not an array"
        elif problem is None and type(v) is not np.ndarray:
            problem = f"a {type(v).__name__}"
        if problem is not None:
            raise target.error(
                f"{who} of {target.label}: {label} (for {name}) is {problem}",
                f"pass a float array of shape (k,) + {name}'s shape: k directions",
            )
        wanted = np.shape(p)
        if v.shape[1:] != wanted or v.ndim != len(wanted) + 1:
            raise target.error(
                f"{who} of {target.label}: {label} (for {name}) has shape {v.shape}, "
                f"but a batch of directions for {name} has shape (k,) + {wanted}",
                f"stack the directions along a leading axis: shape (k,) + {wanted}",
            )
        if count is not None and v.shape[0] != count:
            raise target.error(
                f"{who} of {target.label}: {label} (for {name}) holds {v.shape[0]} "
                f"directions, but V[0] holds {count}",
                "pass as many directions for every parameter of wrt",
            )
        count = v.shape[0]
    return count


def _shape_text(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    try:
        return str(np.shape(value))
    except ValueError:
        return type(value).__name__


def ints_of(values: tuple) -> frozenset[int]:
    """The indices of the Python ints among ``values`` (parameters not differentiated)."""
    return frozenset(k for k, v in enumerate(values) if type(v) is int)


def refuse_int_tangents(target: Target, tangents: tuple, indices: list[int]) -> None:
    """Refuse a nonzero tangent for an unannotated parameter passed a Python int:
    an int is not differentiated (as in JAX), so the tangent would be dropped
    (a parameter annotated ``int`` says so itself, and its tangent is ignored)."""
    for k in indices:
        tangent = tangents[k] if k < len(tangents) else None
        if tangent is not None and np.any(np.asarray(tangent) != 0):
            name = target.names[len(target.args) + k]
            raise target.error(
                f"jvp of {target.label}: {name} is an int, which is not "
                f"differentiated, but its tangent is {tangent!r}",
                f"pass {name} as a float to differentiate with respect to it, or "
                "None for its tangent",
            )


def own_arrays(values: tuple, copy: bool) -> tuple[tuple, frozenset[int]]:
    """``values`` with each array copied (when ``copy``), and the indices of the arrays."""
    indices = frozenset(k for k, v in enumerate(values) if isinstance(v, np.ndarray))
    if copy and indices:
        values = tuple(v.copy() if k in indices else v for k, v in enumerate(values))
    return values, indices


def one_cotangent(target: Target, cotangent: Any) -> Any:
    """The cotangent inside the 1-tuple given for a function returning ``(y,)``."""
    if isinstance(cotangent, (tuple, list)) and len(cotangent) == 1:
        return cotangent[0]
    raise target.error(
        f"vjp_fn of {target.label}: the function returns a tuple of one value, so "
        "its cotangent is a tuple of one cotangent",
        "pass (cotangent,)",
    )


def check_cotangents(target: Target, out: Any, cotangent: Any, n_out: int) -> tuple:
    """The cotangents, one per output, each checked against its output's shape."""
    if n_out == 1:
        outs, cotangents = (out,), (cotangent,)
        if isinstance(cotangent, tuple) and not isinstance(out, tuple):
            raise target.error(
                f"vjp_fn of {target.label}: the function has one output, got a tuple of "
                f"{len(cotangent)} cotangents",
                f"pass one cotangent of the output's shape {_shape_text(out)}",
            )
    else:
        outs = out
        if not isinstance(cotangent, (tuple, list)) or len(cotangent) != n_out:
            raise DifferentiationError(
                f"vjp_fn needs {n_out} cotangents (one per output), got "
                f"{len(cotangent) if isinstance(cotangent, (tuple, list)) else 'one'}",
                file=target.file,
                line=target.line,
                hint=f"pass a tuple of {n_out} cotangents",
            )
        cotangents = tuple(cotangent)
    for k, (o, c) in enumerate(zip(outs, cotangents)):
        if type(c) is np.ndarray and type(o) is np.ndarray and c.shape == o.shape:
            continue
        if type(c) in NUMBERS and type(o) in NUMBERS:
            continue
        _check_cotangent(target, k, o, c, n_out)
    return cotangents


def _check_cotangent(target: Target, k: int, out: Any, c: Any, n_out: int) -> None:
    which = "the cotangent" if n_out == 1 else f"cotangent[{k}]"
    problem = None if c is None else unsupported_value(c)
    if problem is not None:
        raise target.error(
            f"vjp_fn of {target.label}: {which} is {problem}",
            "a cotangent is a real number or float array of its output's shape",
        )
    if c is None or np.shape(c) != np.shape(out) or isinstance(c, (tuple, list)):
        raise target.error(
            f"vjp_fn of {target.label}: {which} has shape {_shape_text(c)}, but the "
            f"output has shape {_shape_text(out)}",
            "a cotangent has its output's shape (use np.zeros_like for none)",
        )


def unpopped(residuals: Any) -> Any:
    """The residuals with every tape (a list) copied: the backward sweep pops its
    tapes, and ``vjp_fn`` may run it again.  Iterative: tapes nest as deep as
    the recursion that filled them."""
    order, work = [], [residuals]
    while work:
        item = work.pop()
        if type(item) in (list, tuple):
            order.append(item)
            work.extend(item)
    copies: dict[int, Any] = {}
    for item in reversed(order):
        items = [copies.get(id(c), c) for c in item]
        copies[id(item)] = items if type(item) is list else tuple(items)
    return copies.get(id(residuals), residuals)


class Checked:
    """A gradient (or value and gradient) of the user's function: the generated
    code, run after cheap checks of the arguments.  Where the output may be an
    array, the function's vjp runs instead (``sweeps``), and the output's size
    is checked before its backward sweep.  Pickles as the generated functions do."""

    def __init__(
        self,
        target: Target,
        kind: str,
        generated: Callable[..., Any],
        numbers: tuple[int, ...],
        sweeps: tuple[Callable[..., Any], Callable[..., Any]] | None,
        wrt: tuple[list[int], bool],
        floats: tuple[int, ...] = (),
    ):
        self.target = target
        self.kind = kind
        self.generated = generated
        self.numbers = numbers
        self.sweeps = sweeps
        self.wrt = wrt
        self.floats = floats
        self.fast = NUMBERS if numbers else NUMBERS | {np.ndarray}
        self.plain = sweeps is None and not target.fixed_count
        self.source = generated.source
        self.path = generated.path
        self.__name__ = generated.__name__
        self.__qualname__ = generated.__qualname__
        self.__doc__ = generated.__doc__

    def _repr_html_(self) -> str:
        """Its generated file, as a notebook shows it."""
        return source_html(self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs or not self.fast.issuperset(map(type, args)):
            self._check(args, kwargs)
            if any(isinstance(a, (tuple, list)) for a in args):
                return self._matching(args, self._result(args, kwargs))
            if self.plain and any(
                k < len(args) and type(args[k]) is np.ndarray for k in self.numbers
            ):
                return self._shaped(self.generated(*args, **kwargs), args)
        elif not self.numbers and any(
            type(a) is np.ndarray and a.dtype.kind not in REAL for a in args
        ):
            self._check(args, kwargs)
        elif self.floats and _integer_arrays(args, self.floats):
            self._check(args, kwargs)
        return self._result(args, kwargs)

    def _result(self, args: tuple, kwargs: dict) -> Any:
        """The generated derivative at ``args`` (checked already)."""
        if self.plain:
            return self.generated(*args, **kwargs)
        full = self.target.arguments(args)
        if self.sweeps is None:
            return self.generated(*full, **kwargs)
        if kwargs:
            full = _bound(self.target, full, kwargs)
        forward_sweep, backward_sweep = self.sweeps
        value, residuals = forward_sweep(*full)
        if type(value) is not float and getattr(value, "size", 1) != 1:
            raise self._not_scalar(value)
        dtype = getattr(value, "dtype", None)
        seed = 1.0 if dtype is None else np.ones_like(value, np.result_type(dtype, "e"))
        adjoints = backward_sweep(residuals, seed)
        indices, single = self.wrt
        gradient = (
            adjoints[indices[0]] if single else tuple(adjoints[k] for k in indices)
        )
        return gradient if self.kind == "grad" else (value, gradient)

    def _matching(self, args: tuple, result: Any) -> Any:
        """``result``, once the gradient for each list or tuple argument is a
        list or tuple of its length, item by item of its items' shapes (else a
        clear error: the generated code took the container for an array)."""
        indices, single = self.wrt
        gradient = result if self.kind == "grad" else result[1]
        parts = [gradient] if single else list(gradient)
        for part, k in zip(parts, self.target.callers(indices)):
            given = args[k] if k < len(args) else None
            if not isinstance(given, (tuple, list)):
                continue
            if not _same_structure(part, given):
                name = _param_name(self.target, k)
                if any(isinstance(item, (tuple, list)) for item in given):
                    raise self.target.error(
                        f"{self.kind} of {self.target.label}: {name} is a "
                        f"{type(given).__name__} holding lists or tuples; s2sad "
                        "differentiates the items of a list argument as numbers "
                        "and arrays",
                        "pass each inner list as a parameter of its own",
                    )
                raise self.target.error(
                    f"{self.kind} of {self.target.label}: {name} is a "
                    f"{type(given).__name__} of {len(given)}, which s2sad differentiates "
                    "as a container read by index; here it is computed with as a "
                    "whole (a list's + and * concatenate and repeat it)",
                    f"pass np.asarray({name}) and compute with the array",
                )
        return result

    def _shaped(self, result: Any, args: tuple) -> Any:
        """``result`` with the gradient for a parameter used as a number, passed a
        size-1 array, shaped like that array."""
        indices, single = self.wrt
        value, gradient = (None, result) if self.kind == "grad" else result
        parts = [gradient] if single else list(gradient)
        for j, k in enumerate(indices):
            if k in self.numbers and k < len(args) and type(args[k]) is np.ndarray:
                parts[j] = np.reshape(np.asarray(parts[j], dtype=float), args[k].shape)
        gradient = parts[0] if single else tuple(parts)
        return gradient if self.kind == "grad" else (value, gradient)

    def __reduce__(self) -> tuple:
        return (
            Checked,
            (
                self.target,
                self.kind,
                self.generated,
                self.numbers,
                self.sweeps,
                self.wrt,
                self.floats,
            ),
        )

    def __repr__(self) -> str:
        return f"<s2sad {self.kind} of {self.target.label}>"

    def _check(self, args: tuple, kwargs: dict) -> None:
        names = self.target.names[len(self.target.args) :]
        values = dict(zip(names, args)) | kwargs
        for k, name in enumerate(names):
            if name not in values:
                continue
            value = values[name]
            _require_plain(self.target, k, value, self.kind)
            if k in self.numbers and np.size(value) != 1:
                self._refuse_array_for_number(args, kwargs, name, value)
            if k in self.floats and _is_integer_array(value):
                raise refuse_integer_array(self.target, self.kind, name, value)
        accepts_containers(self.target, self.target.arguments(args), kwargs)

    def _refuse_array_for_number(
        self, args: tuple, kwargs: dict, name: str, value: Any
    ) -> None:
        refuse_array_output(self.target, self.kind, args, kwargs)
        raise self.target.error(
            f"{self.kind} of {self.target.label}: {name} is used as a number, got an "
            f"array of shape {np.shape(value)}",
            f"pass a number for {name}, or annotate it `{name}: np.ndarray`",
        )

    def _not_scalar(self, out: Any) -> DifferentiationError:
        return not_scalar(self.target, self.kind, np.shape(out))


def refuse_array_output(target: Target, who: str, args: tuple, kwargs: dict) -> None:
    """Refuse, for ``who`` (which needs one number out), a function that returns
    an array at ``args``: run once to see, where the generated code took a
    parameter for a number only because the output must be one (an error of
    the run is left to the refusal that follows)."""
    try:
        out = target.fn(*target.arguments(args), **kwargs)
    except Exception:
        return
    if out is not None and np.size(out) != 1:
        raise not_scalar(target, who, np.shape(out))


def not_scalar(target: Target, who: str, shape: tuple) -> DifferentiationError:
    """The error for ``who`` of ``target`` (which needs one number out) when the
    function returned an array of ``shape``, located at its ``def``."""
    return target.error(
        f"{who} of {target.label} needs a scalar output; it returned an array of "
        f"shape {shape}",
        SCALAR_HINT,
    )


def _is_integer_array(value: Any) -> bool:
    """True for an integer or boolean array."""
    return type(value) is np.ndarray and value.dtype.kind in "biu"


def _integer_arrays(args: tuple, indices: tuple[int, ...]) -> bool:
    """True if an argument at one of ``indices`` is an integer or boolean array."""
    return any(k < len(args) and _is_integer_array(args[k]) for k in indices)


def refuse_integer_arrays(
    target: Target, who: str, args: tuple, indices: tuple[int, ...]
) -> None:
    """Refuse an integer or boolean array among ``args`` at ``indices``."""
    for k in indices:
        if k < len(args) and _is_integer_array(args[k]):
            name = target.names[len(target.args) + k]
            raise refuse_integer_array(target, who, name, args[k])


def refuse_integer_array(
    target: Target, who: str, name: str, value: np.ndarray
) -> DifferentiationError:
    """The error for an integer array passed where the function makes an array
    like it and writes derivative-carrying values into it (NumPy truncates them)."""
    return target.error(
        f"{who} of {target.label}: {name} is an array of dtype {value.dtype}, and "
        f"the function writes into an array made like it (np.zeros_like({name}), "
        f"{name}.copy()), where NumPy truncates the values s2sad differentiates",
        f"pass a float array ({name}.astype(float)), or give the array made like it "
        "dtype=float",
    )


def with_defaults(target: Target, full: tuple) -> tuple:
    """``full`` with the defaults of the parameters it leaves out appended."""
    if len(full) >= len(target.names):
        return full
    return _bound(target, full, {})


def _bound(target: Target, full: tuple, kwargs: dict) -> tuple:
    """``full`` and ``kwargs`` as one positional tuple (defaults filled in)."""
    bound = inspect.signature(target.fn).bind(*full, **kwargs)
    bound.apply_defaults()
    return bound.args


def gradient_entry(
    target: Target, kind: str, derivative: Any, vjp: Any | None, single: bool
) -> Checked:
    """The checked gradient function; ``vjp`` (the function's vjp derivative)
    replaces ``derivative`` where the output may be an array."""
    numbers = target.callers(derivative.meta["numbers"])
    floats = target.callers(derivative.meta.get("floats", ()))
    generated = derivative.entry()
    sweeps = (vjp.entry(0), vjp.entry(1)) if vjp is not None else None
    wrt = (derivative.meta["indices"], single)
    return _direct(Checked(target, kind, generated, numbers, sweeps, wrt, floats))


_DIRECT = """def {name}({params}):
    if {test}:
        return _s2sad_generated({params})
    return _s2sad_checked({params})
"""


def _direct(checked: Checked) -> Callable[..., Any]:
    """For a gradient whose parameters are all numbers: a function of the generated
    one's own parameters that calls it at once when every argument is a plain
    number (a few tens of nanoseconds), and the checked call otherwise.  One per
    generated function: pickled by name, it is the one its module holds."""
    generated = checked.generated
    code = generated.__code__
    names = code.co_varnames[: code.co_argcount]
    if (
        not checked.plain
        or not names
        or set(checked.numbers) != set(range(len(names)))
        or code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
        or code.co_kwonlyargcount
    ):
        return checked
    module = sys.modules[generated.__module__]
    existing = getattr(module, f"{generated.__name__}_checked", None)
    if getattr(existing, "generated", None) is generated:
        return existing
    params = ", ".join(names)
    test = " and ".join(f"_s2sad_type({n}) in _s2sad_numbers" for n in names)
    scope = {
        "_s2sad_type": type,
        "_s2sad_numbers": NUMBERS,
        "_s2sad_generated": generated,
        "_s2sad_checked": checked,
    }
    exec(_DIRECT.format(name=generated.__name__, params=params, test=test), scope)
    direct = scope[generated.__name__]
    direct.__defaults__ = generated.__defaults__
    direct.__doc__ = generated.__doc__
    direct.__module__ = generated.__module__
    direct.__qualname__ = f"{generated.__name__}_checked"
    setattr(module, direct.__qualname__, direct)
    direct.source, direct.path, direct.generated = (
        checked.source,
        checked.path,
        generated,
    )
    return displayable(direct)
