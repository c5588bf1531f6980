"""What :func:`s2sad.compare.compare` measured, and its text form as ``s2sad compare`` prints it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

EXACT_DIGITS = 30
"""Significant digits of the exact evaluation of SymPy's derivative."""


@dataclass
class Estimate:
    """A gradient computed one way, and its error against the reference (SymPy's
    exact gradient, else s2sad's reverse-mode gradient).

    ``abs_error`` is the largest componentwise difference; ``rel_error`` divides
    it by the largest reference component (it equals ``abs_error`` when the
    reference gradient is zero).  ``step`` is set for finite differences only.
    """

    method: str
    gradient: tuple[float, ...]
    abs_error: float
    rel_error: float
    step: float | None = None


@dataclass
class Timings:
    """Seconds per call of ``f`` and of each way of computing its gradient
    (``sympy`` None where SymPy gave no reference)."""

    function: float
    s2sad: float
    sympy: float | None
    central_fd: float


@dataclass
class Sizes:
    """Operation counts: IR ops of ``f`` and of s2sad's gradient, SymPy's ``count_ops``.

    SymPy's counts are summed over the partial derivatives, as trees
    (``sympy_ops``) and after common-subexpression elimination (``sympy_cse_ops``).
    """

    function_ops: int
    s2sad_ops: int
    sympy_ops: int | None
    sympy_cse_ops: int | None


@dataclass
class ComparisonReport:
    """Everything :func:`compare` measured; :meth:`format` renders it as text.

    ``params`` are the parameters differentiated, ``entries`` the gradient's
    entries (one per number, one per array element), ``references`` says in
    words what the errors are measured against; ``sympy_gradient`` and
    ``lambdified`` are None where SymPy gave no reference."""

    function: str
    params: tuple[str, ...]
    point: tuple[Any, ...]
    entries: tuple[str, ...]
    references: str
    sympy_gradient: Any
    s2sad: Estimate
    forward_mode: Estimate
    lambdified: Estimate | None
    finite_differences: list[Estimate]
    timings: Timings
    sizes: Sizes

    def best(self, method: str) -> Estimate:
        """The finite difference of ``method`` (``forward``/``central``) with the least error."""
        return best_estimate(self.finite_differences, method)

    def format(self) -> str:
        """A fixed-width text report: values and errors, steps, time, size."""
        return format_report(self)

    def __str__(self) -> str:
        return self.format()


def best_estimate(estimates: list[Estimate], method: str) -> Estimate:
    """The estimate of ``method`` with the least absolute error."""
    return min((e for e in estimates if e.method == method), key=lambda e: e.abs_error)


VALUE = 25
ERROR = 13


def format_report(report: ComparisonReport) -> str:
    """The report as fixed-width text: values and errors, steps, time, size."""
    at = ", ".join(map(str, report.point))
    lines = [
        f"Derivatives of {report.function} with respect to "
        f"{', '.join(report.params)}, at ({at})",
        f"reference: {report.references}",
        *_values_section(report),
        *_steps_section(report),
        *_time_section(report),
        *_size_section(report),
    ]
    return "\n".join(lines) + "\n"


SHOWN = 12
"""The most gradient entries the report lists (its errors cover every entry)."""


def _values_section(report: ComparisonReport) -> list[str]:
    central = report.best("central")
    columns = [report.s2sad, report.forward_mode, report.lambdified, central]
    titles = ["s2sad", "s2sad forward", "sympy lambdified"]
    titles.append(f"central FD h={central.step:.0e}")
    exact = report.sympy_gradient is not None
    kept = [k for k, c in enumerate(columns) if c is not None]
    columns, titles = [columns[k] for k in kept], [titles[k] for k in kept]
    if exact:
        titles = ["sympy (exact)"] + titles
    label = max(12, max(len(e) for e in report.entries[:SHOWN]) + 2)
    lines = ["", "Derivative values and errors", _row("", titles, label, VALUE)]
    for i, entry in enumerate(report.entries[:SHOWN]):
        values = [report.sympy_gradient[i]] if exact else []
        values += [e.gradient[i] for e in columns]
        lines.append(_row(entry, (repr(float(v)) for v in values), label, VALUE))
    if len(report.entries) > SHOWN:
        lines.append(f"... {len(report.entries) - SHOWN} more entries")
    for name in ("abs_error", "rel_error"):
        cells = ["-"] if exact else []
        cells += [f"{getattr(e, name):.1e}" for e in columns]
        lines.append(_row(name.replace("_", " "), cells, label, VALUE))
    return lines


def _steps_section(report: ComparisonReport) -> list[str]:
    titles = ["forward abs", "forward rel", "central abs", "central rel"]
    lines = ["", "Finite differences by step", _row("step", titles, 8, ERROR)]
    by_step: dict[float, list[str]] = {}
    for e in report.finite_differences:
        by_step.setdefault(e.step, []).extend(
            [f"{e.abs_error:.1e}", f"{e.rel_error:.1e}"]
        )
    for step, cells in by_step.items():
        lines.append(_row(f"{step:.0e}", cells, 8, ERROR))
    best = [
        report.best(m)
        for m in dict.fromkeys(e.method for e in report.finite_differences)
    ]
    lines.append(
        "best: "
        + ", ".join(f"{e.method} h={e.step:.0e} ({e.abs_error:.1e})" for e in best)
    )
    return lines


def _time_section(report: ComparisonReport) -> list[str]:
    t = report.timings
    rows = [
        (report.function, t.function),
        ("s2sad gradient", t.s2sad),
        ("sympy lambdified gradient", t.sympy),
        ("central FD gradient", t.central_fd),
    ]
    rows = [(name, seconds) for name, seconds in rows if seconds is not None]
    label = max(len(name) for name, _ in rows) + 2
    lines = ["", "Time per call", _row("", ["time", "ratio to f"], label, ERROR)]
    for name, seconds in rows:
        cells = [_duration(seconds), f"{seconds / t.function:.2f}"]
        lines.append(_row(name, cells, label, ERROR))
    return lines


def _size_section(report: ComparisonReport) -> list[str]:
    s = report.sizes
    rows = [
        (f"{report.function} (IR ops)", s.function_ops),
        ("s2sad gradient (IR ops)", s.s2sad_ops),
        ("sympy derivative (count_ops)", s.sympy_ops),
        ("sympy derivative after cse", s.sympy_cse_ops),
    ]
    rows = [(name, n) for name, n in rows if n is not None]
    label = max(len(name) for name, _ in rows) + 2
    lines = ["", "Expression size (operations)"]
    return lines + [_row(name, [str(n)], label, 6) for name, n in rows]


def _row(label: str, cells: Iterable[str], label_width: int, width: int) -> str:
    return (label.ljust(label_width) + "".join(c.rjust(width) for c in cells)).rstrip()


def _duration(seconds: float) -> str:
    for unit, scale in (("ns", 1e-9), ("µs", 1e-6), ("ms", 1e-3)):
        if seconds < 1000 * scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"
