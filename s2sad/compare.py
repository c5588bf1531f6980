"""s2sad's gradient against SymPy's symbolic derivative and finite differences.

"What AD is not": finite differences are approximate (truncation error for a
large step, round-off for a small one) and symbolic formulas swell.  For a
function and a point, :func:`compare` reports each method's error against
SymPy's exact derivative, its time per call, and the size of the derivative
code (s2sad's generated IR against SymPy's expressions).
"""

from __future__ import annotations

import timeit
from typing import Any, Callable, Sequence

import sympy

from .api import PathLike, derive
from .errors import S2SADError
from .frontend.program import lower
from .ir.core import FLOAT, TERMINATORS, Function
from .compare_report import (
    EXACT_DIGITS,
    ComparisonReport,
    Estimate,
    Sizes,
    Timings,
    best_estimate,
)
from .symbolic import to_sympy

STEPS = tuple(10.0**-k for k in range(1, 13))
"""Default finite-difference steps: 1e-1 down to 1e-12."""


def compare(
    f: Callable[..., Any],
    point: Sequence[float],
    *,
    steps: Sequence[float] = STEPS,
    output_dir: PathLike = None,
    timing_budget: float = 0.05,
) -> ComparisonReport:
    """Compare s2sad's gradient of ``f`` at ``point`` with SymPy and finite differences.

    The gradient is taken with respect to every parameter.  ``steps`` are the
    finite-difference steps tried, ``output_dir`` is where the generated
    gradient goes, and ``timing_budget`` is roughly the seconds spent timing
    each of the four functions timed.
    """
    point = tuple(float(x) for x in point)
    primal = lower(f, scalar_output=True)
    _require_numbers(primal, point)
    params = tuple(p.name for p in primal.params)
    derivative = derive(f, "grad", tuple(range(len(params))), output_dir)
    s2sad_grad = derivative.entry()
    symbols, partials = sympy_gradient(primal)
    reference = _exact_gradient(primal, symbols, partials, point)
    lambdified = sympy.lambdify(symbols, partials, modules="math")

    finite = [
        _estimate(method, finite_difference(f, point, h, method), reference, h)
        for method in FD_METHODS
        for h in steps
    ]
    central_step = best_estimate(finite, "central").step

    def central(*x: float) -> tuple[float, ...]:
        return finite_difference(f, x, central_step, "central")

    timed = (f, s2sad_grad, lambdified, central)
    return ComparisonReport(
        function=primal.name,
        params=params,
        point=point,
        sympy_gradient=reference,
        s2sad=_estimate("s2sad", s2sad_grad(*point), reference),
        lambdified=_estimate("sympy lambdified", lambdified(*point), reference),
        finite_differences=finite,
        timings=Timings(*(time_per_call(fn, point, timing_budget) for fn in timed)),
        sizes=Sizes(
            function_ops=count_ops(primal),
            s2sad_ops=count_ops(derivative.functions[0]),
            sympy_ops=sum(sympy.count_ops(p, visual=False) for p in partials),
            sympy_cse_ops=_cse_ops(partials),
        ),
    )


def _require_numbers(primal: Function, point: tuple[float, ...]) -> None:
    """Refuse array parameters, and a point of the wrong length."""
    if any(p.type != FLOAT for p in primal.params):
        raise S2SADError(
            f"compare takes a function of numbers; {primal.name} has array parameters",
            file=primal.file,
            line=primal.line,
            hint="annotate the parameters float, or check arrays with finite differences",
        )
    if len(point) != len(primal.params):
        raise S2SADError(
            f"{primal.name} takes {len(primal.params)} argument(s), the point has "
            f"{len(point)}",
            hint="give one coordinate per parameter",
        )


def _exact_gradient(
    primal: Function,
    symbols: list[sympy.Symbol],
    partials: list[sympy.Expr],
    point: tuple[float, ...],
) -> tuple[float, ...]:
    """SymPy's partial derivatives evaluated at ``point`` to ``EXACT_DIGITS`` digits."""
    subs = dict(zip(symbols, point))
    try:
        return tuple(float(p.evalf(EXACT_DIGITS, subs=subs)) for p in partials)
    except TypeError:
        raise S2SADError(
            f"SymPy leaves a derivative of {primal.name} unevaluated or complex at {point}",
            file=primal.file,
            line=primal.line,
            hint="floor (//), % and points outside the domain have no symbolic reference",
        ) from None


def sympy_gradient(function: Function) -> tuple[list[sympy.Symbol], list[sympy.Expr]]:
    """The parameters of scalar-valued ``function`` as symbols, and its partial derivatives."""
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
    reference: tuple[float, ...],
    step: float | None = None,
) -> Estimate:
    gradient = tuple(float(g) for g in gradient)
    abs_error = max(abs(g - r) for g, r in zip(gradient, reference))
    scale = max(abs(r) for r in reference)
    rel_error = abs_error / scale if scale else abs_error
    return Estimate(method, gradient, abs_error, rel_error, step)
