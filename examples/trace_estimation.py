"""Hessian traces by Hutchinson and Hutch++ against the exact trace.

For ``f(x) = ½ xᵀAx`` the Hessian is ``A``; here ``A`` is a random rotation of
the spectrum 1, 1/4, 1/9, …, 1/n² (positive definite, quickly decaying, the
case Hutch++ is made for).  For growing numbers m of Hessian-vector products
the example measures the mean relative error of each estimator over many
seeds: Hutchinson's falls like 1/√m, Hutch++'s like 1/m or faster.

Run ``python examples/trace_estimation.py``: it prints the errors and the
fitted slopes and plots them to ``examples/out/trace_estimation.png``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import s2sad

OUT = Path(__file__).resolve().parent / "out"
COUNTS = (12, 24, 48, 96, 192, 384)


def quadratic(x: np.ndarray, A: np.ndarray):
    """½ xᵀAx, whose Hessian in x is A (for a symmetric A)."""
    return 0.5 * (x @ (A @ x))


def test_matrix(n: int = 1000, seed: int = 0) -> np.ndarray:
    """A symmetric matrix with eigenvalues 1/i² for i = 1, …, n."""
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    return (q * (1.0 / np.arange(1, n + 1) ** 2)) @ q.T


def mean_errors(A: np.ndarray, method: str, seeds: int = 20) -> list[float]:
    """The mean relative error of ``method`` for each number of products in COUNTS."""
    x = np.zeros(A.shape[0])
    exact = s2sad.hutchinson_trace(quadratic, method="exact")(x, A)
    errors = []
    for m in COUNTS:
        estimate = [
            s2sad.hutchinson_trace(quadratic, samples=m, method=method, seed=s)(x, A)
            for s in range(seeds)
        ]
        errors.append(float(np.mean(np.abs(np.array(estimate) - exact))) / exact)
    return errors


def slope(errors: list[float]) -> float:
    """The slope of log(error) against log(products), by least squares."""
    return float(np.polyfit(np.log(COUNTS), np.log(errors), 1)[0])


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    A = test_matrix()
    figure, axes = plt.subplots(figsize=(6, 4.5))
    for method in ("hutchinson", "hutch++"):
        errors = mean_errors(A, method)
        print(
            f"{method:10s} slope {slope(errors):+.2f}: "
            + ", ".join(f"{m}: {e:.1e}" for m, e in zip(COUNTS, errors))
        )
        axes.loglog(COUNTS, errors, "o-", label=f"{method} (slope {slope(errors):.2f})")
    axes.set_xlabel("Hessian-vector products")
    axes.set_ylabel("mean relative error of the trace")
    axes.set_title("tr ∇²f for a spectrum 1/i², n = 1000")
    axes.legend()
    figure.tight_layout()
    OUT.mkdir(exist_ok=True)
    figure.savefig(OUT / "trace_estimation.png", dpi=100)
    print(f"saved {OUT / 'trace_estimation.png'}")


if __name__ == "__main__":
    main()
