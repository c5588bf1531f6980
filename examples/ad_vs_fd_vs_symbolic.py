"""AD is neither finite differences nor symbolic differentiation, in three pictures.

1. ``examples/out/ad_vs_fd_error.png``: the error of forward and central
   differences of the lecture's ``L(w1, w2)`` against the step ``h``, log-log.
   Truncation error falls with ``h`` (slope 1 for forward, 2 for central) until
   round-off, growing like ``eps / h``, takes over; s2sad's gradient is exact
   to rounding at every ``h`` (it has no step).
2. ``examples/out/ad_vs_symbolic_swell.png``: ``n`` steps of
   ``x <- sin(x) * a + x**2``.  SymPy's expression of the derivative is a tree
   whose size grows exponentially with ``n`` (each step uses ``x`` three
   times); s2sad's generated gradient is a loop whose code stays the same size
   and whose work grows linearly.
3. ``examples/out/ad_vs_fd_time.png``: the time of one gradient of an
   ``n``-dimensional Rosenbrock function by central differences (``2n``
   evaluations) and by s2sad (a small multiple of one evaluation).

Run from the repository root: ``.venv/bin/python examples/ad_vs_fd_vs_symbolic.py``.
Generated files go to a temporary folder.
"""

import math
import sys
import tempfile
import timeit
from pathlib import Path

import numpy as np
import sympy

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import s2sad  # noqa: E402
from s2sad.compare import compare, count_ops, tree_size  # noqa: E402
from s2sad.frontend.program import lower  # noqa: E402
from s2sad.symbolic import to_sympy_at  # noqa: E402

from autodiff_intro import L  # noqa: E402

OUT = HERE / "out"
STEPS = tuple(10.0 ** -(k / 4) for k in range(4, 57))
"""Finite-difference steps from 1e-1 to 1e-14, four per decade."""
SWELL_STEPS = range(1, 11)
SIZES = (10, 30, 100, 300, 1000, 3000)


def swell(x, a, n: int):
    """``n`` steps of ``x <- sin(x) * a + x**2``."""
    for _ in range(n):
        x = math.sin(x) * a + x * x
    return x


def rosenbrock(x):
    """The ``n``-dimensional Rosenbrock function."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def fd_errors(output_dir: str) -> dict:
    """Absolute errors of ``L``'s gradient at (2, 3) by step, for each method."""
    report = compare(L, (2.0, 3.0), steps=STEPS, output_dir=output_dir)
    errors = {"forward": [], "central": []}
    for estimate in report.finite_differences:
        errors[estimate.method].append((estimate.step, estimate.abs_error))
    errors["s2sad"] = report.s2sad.abs_error
    errors["scale"] = max(abs(g) for g in report.sympy_gradient)
    return errors


def swell_sizes(output_dir: str) -> list[tuple[int, int, int, int]]:
    """For each ``n``: SymPy's derivative (tree nodes), s2sad's generated gradient
    (IR ops in its code) and the operations that gradient runs (each loop's body
    once per step: the forward sweep's loop and the backward sweep's)."""
    primal = lower(swell, scalar_output=True, ints=frozenset({2}))
    gradient = s2sad.grad(swell, wrt=(0, 1), output_dir=output_dir)
    derivative = s2sad.api.derive(
        swell, "grad", (0, 1), output_dir, frozenset(), frozenset({2})
    )
    function = derivative.functions[0]
    code = count_ops(function)
    looped = sum(count_ops_in(op) for op in function.body.ops if op.name == "for")
    rows = []
    for n in SWELL_STEPS:
        (x, a), (expr,) = to_sympy_at(primal, (0.7, 1.3, n))
        nodes = sum(tree_size(sympy.diff(expr, s)) for s in (x, a))
        gradient(0.7, 1.3, n)
        rows.append((n, nodes, code, code - looped + looped * n))
    return rows


def count_ops_in(loop) -> int:
    """The operations of one step of ``loop`` (its body, without the terminator)."""
    return sum(1 for region in loop.regions for op in region.ops if op.name != "yield")


def fd_and_s2sad_times(output_dir: str) -> list[tuple[int, float, float, float]]:
    """For each ``n``: seconds per call of ``f``, of s2sad's gradient and of the
    gradient by central differences (``2n`` evaluations)."""
    gradient = s2sad.grad(rosenbrock, output_dir=output_dir)
    rows = []
    for n in SIZES:
        x = np.linspace(-1.0, 1.5, n)

        def central(x=x, h=1e-6):
            g = np.empty_like(x)
            for i in range(len(x)):
                step = np.zeros_like(x)
                step[i] = h
                g[i] = (rosenbrock(x + step) - rosenbrock(x - step)) / (2 * h)
            return g

        assert np.allclose(central(), gradient(x), rtol=1e-5, atol=1e-4)
        rows.append(
            (n, _seconds(lambda: rosenbrock(x)), _seconds(lambda: gradient(x)))
            + (_seconds(central),)
        )
    return rows


def _seconds(fn) -> float:
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=3, number=max(1, number // 4))) / max(1, number // 4)


def main() -> None:
    """Measure, print the figures' numbers, and save the three pictures."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with tempfile.TemporaryDirectory() as output_dir:
        errors = fd_errors(output_dir)
        sizes = swell_sizes(output_dir)
        times = fd_and_s2sad_times(output_dir)
    OUT.mkdir(exist_ok=True)
    floor = np.finfo(float).eps * errors["scale"]
    best = {m: min(errors[m], key=lambda e: e[1]) for m in ("forward", "central")}
    print(
        f"L at (2, 3): s2sad error {errors['s2sad']:.1e}; best forward difference "
        f"{best['forward'][1]:.1e} at h={best['forward'][0]:.0e}, best central "
        f"{best['central'][1]:.1e} at h={best['central'][0]:.0e}"
    )
    figure, axes = plt.subplots(figsize=(6.4, 4.4))
    for method, marker in (("forward", "o"), ("central", "s")):
        h, e = zip(*errors[method])
        axes.loglog(h, np.maximum(e, floor / 10), marker=marker, ms=3, label=method)
    label = f"s2sad (error {errors['s2sad']:.0e}; drawn at eps·|∇L| if 0)"
    axes.axhline(max(errors["s2sad"], floor), color="k", ls="--", label=label)
    axes.set_xlabel("step h")
    axes.set_ylabel("absolute error of the gradient")
    axes.set_title("Finite differences trade truncation for round-off; AD has no step")
    axes.legend()
    figure.tight_layout()
    figure.savefig(OUT / "ad_vs_fd_error.png", dpi=100)

    print("n  sympy derivative (tree nodes)  s2sad code (IR ops)  s2sad work (ops)")
    for n, nodes, code, work in sizes:
        print(f"{n:<3}{nodes:>30}{code:>21}{work:>18}")
    figure, axes = plt.subplots(figsize=(6.4, 4.4))
    steps = [row[0] for row in sizes]
    axes.semilogy(
        steps, [row[1] for row in sizes], "o-", label="SymPy derivative (tree nodes)"
    )
    axes.semilogy(steps, [row[3] for row in sizes], "s-", label="s2sad: ops run")
    axes.semilogy(steps, [row[2] for row in sizes], "^-", label="s2sad: code size")
    axes.set_xlabel("loop steps n of x ← sin(x)·a + x²")
    axes.set_ylabel("operations")
    axes.set_title("Expression swell: symbolic grows exponentially, AD linearly")
    axes.legend()
    figure.tight_layout()
    figure.savefig(OUT / "ad_vs_symbolic_swell.png", dpi=100)

    print("n     f          s2sad gradient   central FD gradient")
    for n, f, ad, fd in times:
        print(f"{n:<6}{f * 1e6:8.1f} µs {ad * 1e6:10.1f} µs {fd * 1e6:14.0f} µs")
    figure, axes = plt.subplots(figsize=(6.4, 4.4))
    n = [row[0] for row in times]
    axes.loglog(n, [row[3] for row in times], "o-", label="central differences (2n f)")
    axes.loglog(n, [row[2] for row in times], "s-", label="s2sad gradient")
    axes.loglog(n, [row[1] for row in times], ":", color="gray", label="f itself")
    axes.set_xlabel("dimension n (Rosenbrock)")
    axes.set_ylabel("seconds per gradient")
    axes.set_title("Reverse mode costs a few f; differences cost 2n f")
    axes.legend()
    figure.tight_layout()
    figure.savefig(OUT / "ad_vs_fd_time.png", dpi=100)
    names = ("ad_vs_fd_error.png", "ad_vs_symbolic_swell.png", "ad_vs_fd_time.png")
    print("saved " + ", ".join(str(OUT / name) for name in names))


if __name__ == "__main__":
    main()
