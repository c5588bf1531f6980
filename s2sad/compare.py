"""s2sad's gradient against SymPy's symbolic derivative and finite differences.

"What AD is not": finite differences are approximate (truncation error for a
large step, round-off for a small one) and symbolic formulas swell.  For a
scalar-valued function and its arguments (numbers, arrays, and ints, which
stay fixed), :func:`compare` reports s2sad's gradient (reverse mode) and the
same gradient in forward mode, SymPy's exact derivative where SymPy can express
the function, and forward and central finite differences at many steps, with
each one's error, its time per call, and the size of the derivative code.

SymPy is the reference when the function takes numbers only: its IR is
interpreted into SymPy along the path the arguments take (branches decided,
loops unrolled, helpers inlined: :func:`s2sad.symbolic.to_sympy_at`), and the
derivatives evaluated to :data:`EXACT_DIGITS` digits.  Where it cannot (arrays,
``//``, a path too long, an expression swollen past :data:`SWELL_NODES`
nodes), the report says why, and the errors are differences from s2sad's
reverse-mode gradient.
"""

from __future__ import annotations

import timeit
from typing import Any, Callable, Sequence

import numpy as np
import sympy

from .api import PathLike, derive
from .jacobians import jacfwd
from .errors import S2SADError
from .frontend.program import lower
from .ir.core import TERMINATORS, Function
from .compare_report import (
    EXACT_DIGITS,
    ComparisonReport,
    Estimate,
    Sizes,
    Timings,
    best_estimate,
)
from .symbolic import to_sympy, to_sympy_at

STEPS = tuple(10.0**-k for k in range(1, 13))
"""Default finite-difference steps: 1e-1 down to 1e-12."""

SWELL_NODES = 200_000
"""The largest SymPy expression (nodes of its tree) evaluated as the reference."""


def compare(
    f: Callable[..., Any],
    args: Sequence[Any],
    *,
    steps: Sequence[float] = STEPS,
    output_dir: PathLike = None,
    timing_budget: float = 0.05,
) -> ComparisonReport:
    """Compare s2sad's gradient of scalar-valued ``f`` at ``args`` with SymPy and
    finite differences.

    ``args`` holds numbers and float arrays, differentiated, and ints, kept
    fixed.  ``steps`` are the finite-difference steps tried, ``output_dir`` is
    where the generated gradient goes, and ``timing_budget`` is roughly the
    seconds spent timing each function timed.
    """
    args = tuple(args)
    positions = _differentiated(f, args)
    arrays = frozenset(k for k, a in enumerate(args) if isinstance(a, np.ndarray))
    ints = frozenset(k for k, a in enumerate(args) if _is_int(a))
    primal = lower(f, scalar_output=True, arrays=arrays, ints=ints)
    if len(args) != len(primal.params):
        raise S2SADError(
            f"{primal.name} takes {len(primal.params)} argument(s), the point has "
            f"{len(args)}",
            file=primal.file,
            line=primal.line,
            hint="give one argument per parameter",
        )
    derivative = derive(f, "grad", positions, output_dir, arrays, ints)
    reverse = derivative.entry()
    forward = jacfwd(f, wrt=positions, output_dir=output_dir)
    flat = _Flat(f, args, positions)
    computed = flat.ravel(reverse(*args))
    symbolic = _symbolic(primal, args, positions)
    reference = symbolic.gradient if symbolic.reason is None else computed
    finite = [
        _estimate(method, flat.differences(h, method), reference, h)
        for method in FD_METHODS
        for h in steps
    ]
    central_step = best_estimate(finite, "central").step
    timed = {
        "function": (f, args),
        "s2sad": (reverse, args),
        "sympy": (symbolic.lambdified, tuple(args[k] for k in positions)),
        "central_fd": (lambda: flat.differences(central_step, "central"), ()),
    }
    return ComparisonReport(
        function=primal.name,
        params=tuple(primal.params[k].name for k in positions),
        point=tuple(_shown(a) for a in args),
        entries=flat.labels(primal.name, primal),
        references=symbolic.statement(),
        sympy_gradient=symbolic.gradient,
        s2sad=_estimate("s2sad", computed, reference),
        forward_mode=_estimate("s2sad forward", flat.ravel(forward(*args)), reference),
        lambdified=symbolic.estimate(tuple(args[k] for k in positions), reference),
        finite_differences=finite,
        timings=Timings(
            **{
                name: None if fn is None else time_per_call(fn, at, timing_budget)
                for name, (fn, at) in timed.items()
            }
        ),
        sizes=Sizes(
            function_ops=count_ops(primal),
            s2sad_ops=count_ops(derivative.functions[0]),
            sympy_ops=symbolic.ops,
            sympy_cse_ops=symbolic.cse_ops,
        ),
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _differentiated(f: Callable[..., Any], args: tuple) -> tuple[int, ...]:
    """The positions of the numbers and float arrays among ``args`` (else an error)."""
    positions = tuple(
        k
        for k, a in enumerate(args)
        if isinstance(a, (float, np.floating))
        or (isinstance(a, np.ndarray) and a.dtype.kind == "f")
    )
    if not positions:
        raise S2SADError(
            f"compare differentiates the float and float-array arguments of "
            f"{getattr(f, '__name__', f)}, and none was given",
            hint="pass floats (2.0, not 2) or float arrays for the parameters to "
            "differentiate",
        )
    return positions


def _shown(value: Any) -> Any:
    """An argument as the report shows it: a number, or an array's shape."""
    if isinstance(value, np.ndarray):
        return f"array{value.shape}"
    return value


class _Flat:
    """The differentiated arguments as one flat vector, and ``f`` of it."""

    def __init__(self, f: Callable[..., Any], args: tuple, positions: tuple):
        self.f, self.args, self.positions = f, args, positions
        self.shapes = [np.shape(args[k]) for k in positions]
        self.x = np.concatenate([np.ravel(args[k]) for k in positions]).astype(float)

    def ravel(self, gradient: Any) -> np.ndarray:
        """A gradient (one block per parameter, or a tuple of them) as one vector."""
        blocks = gradient if isinstance(gradient, tuple) else (gradient,)
        return np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in blocks])

    def value(self, x: np.ndarray) -> float:
        """``f`` at the arguments with the flat vector ``x`` in their place."""
        args, start = list(self.args), 0
        for k, shape in zip(self.positions, self.shapes):
            size = int(np.prod(shape, dtype=np.int64))
            block = x[start : start + size]
            args[k] = block.reshape(shape) if shape else float(block[0])
            start += size
        return float(self.f(*args))

    def differences(self, step: float, method: str) -> np.ndarray:
        """The gradient by ``forward`` or ``central`` differences of step ``step``."""

        def at(*x: float) -> float:
            return self.value(np.array(x))

        return np.array(finite_difference(at, self.x, step, method))

    def labels(self, name: str, primal: Function) -> tuple[str, ...]:
        """``dL/dw1`` for a number, ``dL/dW[0,1]`` for each entry of an array."""
        labels = []
        for k, shape in zip(self.positions, self.shapes):
            param = primal.params[k].name
            if not shape:
                labels.append(f"d{name}/d{param}")
                continue
            for index in np.ndindex(*shape):
                labels.append(f"d{name}/d{param}[{','.join(map(str, index))}]")
        return tuple(labels)


class _Symbolic:
    """SymPy's gradient of a function of numbers along the path of its point,
    or why there is none."""

    def __init__(self, reason: str | None = None):
        self.reason = reason
        self.gradient: np.ndarray | None = None
        self.lambdified: Callable[..., Any] | None = None
        self.ops: int | None = None
        self.cse_ops: int | None = None

    def statement(self) -> str:
        """Which references the report uses, in words."""
        if self.reason is None:
            return f"SymPy's derivative of the path taken, evaluated to {EXACT_DIGITS} digits"
        return f"none exact (no SymPy reference: {self.reason}); errors are differences from s2sad's gradient"

    def estimate(self, at: tuple, reference: np.ndarray) -> Estimate | None:
        """The lambdified SymPy gradient at ``at``, or None without SymPy."""
        if self.lambdified is None:
            return None
        return _estimate("sympy lambdified", self.lambdified(*at), reference)


def _symbolic(primal: Function, args: tuple, positions: tuple) -> _Symbolic:
    """SymPy's gradient of ``primal`` at ``args``, or the reason it has none."""
    if any(isinstance(a, np.ndarray) for a in args):
        return _Symbolic("the function takes arrays; SymPy is used for numbers")
    try:
        symbols, (expr,) = to_sympy_at(primal, args)
    except S2SADError as error:
        return _Symbolic(error.message)
    nodes = tree_size(expr)
    if nodes > SWELL_NODES:
        return _Symbolic(
            f"the expression of the path has {nodes:.2e} nodes (expression swell)"
        )
    partials = [sympy.diff(expr, s) for s in symbols]
    if max(map(tree_size, partials), default=0) > SWELL_NODES:
        return _Symbolic("the derivative's expression swells past its nodes' limit")
    found = _Symbolic()
    subs = dict(zip(symbols, (float(args[k]) for k in positions)))
    try:
        found.gradient = np.array(
            [float(p.evalf(EXACT_DIGITS, subs=subs)) for p in partials]
        )
    except TypeError:
        return _Symbolic("SymPy leaves a derivative unevaluated or complex here")
    found.lambdified = sympy.lambdify(symbols, partials, modules="math")
    found.ops = sum(sympy.count_ops(p, visual=False) for p in partials)
    found.cse_ops = _cse_ops(partials)
    return found


def tree_size(expr: sympy.Basic) -> int:
    """The nodes of ``expr`` as a tree (its shared subexpressions counted each
    time they occur), counted over its distinct subexpressions once each."""
    sizes: dict[int, int] = {}

    def size(e: sympy.Basic) -> int:
        key = id(e)
        if key not in sizes:
            sizes[key] = 1 + sum(size(a) for a in e.args)
        return sizes[key]

    return size(expr)


def sympy_gradient(function: Function) -> tuple[list[sympy.Symbol], list[sympy.Expr]]:
    """The parameters of scalar-valued straight-line ``function`` as symbols, and
    its partial derivatives."""
    symbols, (expr,) = to_sympy(function)
    return symbols, [sympy.diff(expr, s) for s in symbols]


def finite_difference(
    f: Callable[..., float], point: Sequence[float], step: float, method: str
) -> tuple[float, ...]:
    """The gradient of ``f`` at ``point`` by ``forward`` or ``central`` coordinate differences."""
    rule = FD_METHODS.get(method)
    if rule is None:
        raise S2SADError(
            f"unknown finite-difference method {method!r}",
            hint=f"use one of {', '.join(FD_METHODS)}",
        )
    return tuple(rule(f, point, i, step) for i in range(len(point)))


def _forward(f: Callable[..., float], x: Sequence[float], i: int, h: float) -> float:
    return (f(*_shift(x, i, h)) - f(*x)) / h


def _central(f: Callable[..., float], x: Sequence[float], i: int, h: float) -> float:
    return (f(*_shift(x, i, h)) - f(*_shift(x, i, -h))) / (2 * h)


def _shift(x: Sequence[float], i: int, h: float) -> list[float]:
    shifted = list(x)
    shifted[i] += h
    return shifted


FD_METHODS = {"forward": _forward, "central": _central}


def time_per_call(fn: Callable[..., Any], args: Sequence[Any], budget: float) -> float:
    """Seconds per call of ``fn(*args)``: the best of 3 runs of about ``budget / 4`` each."""
    timer = timeit.Timer(lambda: fn(*args))
    number = 1
    while timer.timeit(number) < budget / 4:
        number *= 2
    return min(timer.repeat(repeat=3, number=number)) / number


def count_ops(function: Function) -> int:
    """Operations in ``function``'s IR, not counting constants and terminators."""
    return sum(1 for op in function.walk() if op.name not in ("const", *TERMINATORS))


def _cse_ops(exprs: list[sympy.Expr]) -> int:
    replacements, reduced = sympy.cse(exprs)
    shared = [e for _, e in replacements] + list(reduced)
    return sum(sympy.count_ops(e, visual=False) for e in shared)


def _estimate(
    method: str,
    gradient: Sequence[Any],
    reference: np.ndarray,
    step: float | None = None,
) -> Estimate:
    gradient = tuple(float(g) for g in gradient)
    errors = np.abs(np.array(gradient) - reference)
    abs_error = float(errors.max(initial=0.0))
    scale = float(np.abs(reference).max(initial=0.0))
    rel_error = abs_error / scale if scale else abs_error
    return Estimate(method, gradient, abs_error, rel_error, step)
