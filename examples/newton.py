"""Newton's method on Rosenbrock's function with the Hessian s2sad generates.

``f(x) = Σ 100 (x[i+1] − x[i]²)² + (1 − x[i])²`` has its minimum at ``x = 1``
at the bottom of a long curved valley, where gradient descent crawls.  Newton's
method solves ``∇²f(x) p = −∇f(x)`` for each step and, near the minimum,
doubles the number of correct digits every iteration.  Here the Hessian comes
from ``s2sad.hessian`` (all its columns from one batched Hessian-vector
product), for n = 2 and n = 100; a second run solves the Newton system by
conjugate gradients on ``s2sad.hvp`` alone, never forming the Hessian.

Run ``python examples/newton.py``: it prints the iterations each method needs
to reach ``‖∇f‖ < 1e-10`` and saves the error curves to ``examples/out/newton.png``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import s2sad

OUT = Path(__file__).resolve().parent / "out"
TOLERANCE = 1e-10


def rosenbrock(x: np.ndarray):
    """Rosenbrock's function in n dimensions."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def start(n: int) -> np.ndarray:
    """The classic starting point (−1.2, 1) for n = 2; the origin for larger n
    (from (−1.2, 1, −1.2, …) Newton-CG finds the local minimum near x₀ = −1)."""
    if n > 2:
        return np.zeros(n)
    return np.array([-1.2, 1.0])


def backtrack(x: np.ndarray, step: np.ndarray, g: np.ndarray) -> float:
    """The first of 1, 1/2, 1/4, … that decreases f enough (Armijo's rule)."""
    t, fx, slope = 1.0, rosenbrock(x), float(g @ step)
    while rosenbrock(x + t * step) > fx + 1e-4 * t * slope and t > 1e-12:
        t *= 0.5
    return t


def newton(x: np.ndarray, solve, limit: int = 200) -> list[float]:
    """Damped Newton iterations from ``x``; ``solve(x, g)`` gives the Newton step.
    The distance to the minimum after each iteration."""
    gradient = s2sad.grad(rosenbrock)
    errors = [float(np.linalg.norm(x - 1.0))]
    for _ in range(limit):
        g = gradient(x)
        if np.linalg.norm(g) < TOLERANCE:
            break
        step = solve(x, g)
        if g @ step >= 0:
            step = -g
        x = x + backtrack(x, step, g) * step
        errors.append(float(np.linalg.norm(x - 1.0)))
    return errors


def hessian_step(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The Newton step from the generated Hessian."""
    return np.linalg.solve(s2sad.hessian(rosenbrock)(x), -g)


def cg_step(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The Newton step by conjugate gradients on Hessian-vector products
    (stopping at negative curvature, as truncated Newton does)."""
    product = s2sad.hvp(rosenbrock)
    p, r = np.zeros_like(g), -g
    d = r.copy()
    for _ in range(2 * g.size):
        hd = product(x, d)
        curvature = float(d @ hd)
        if curvature <= 0:
            return p if p.any() else -g
        alpha = float(r @ r) / curvature
        p, r_next = p + alpha * d, r - alpha * hd
        if np.linalg.norm(r_next) < 1e-12 * np.linalg.norm(g):
            return p
        d = r_next + float(r_next @ r_next) / float(r @ r) * d
        r = r_next
    return p


def gradient_descent(x: np.ndarray, limit: int = 20000) -> list[float]:
    """Steepest descent with the same line search, for comparison."""
    gradient = s2sad.grad(rosenbrock)
    errors = [float(np.linalg.norm(x - 1.0))]
    for _ in range(limit):
        g = gradient(x)
        if np.linalg.norm(g) < TOLERANCE:
            break
        x = x - backtrack(x, -g, g) * g
        errors.append(float(np.linalg.norm(x - 1.0)))
    return errors


def runs() -> dict[str, list[float]]:
    """The error curves of every method, by label."""
    return {
        "Newton, n = 2": newton(start(2), hessian_step),
        "Newton, n = 100": newton(start(100), hessian_step),
        "Newton-CG on HVPs, n = 100": newton(start(100), cg_step),
        "gradient descent, n = 2": gradient_descent(start(2)),
        "gradient descent, n = 100": gradient_descent(start(100)),
    }


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = runs()
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for label, errors in curves.items():
        last = ", ".join(f"{e:.0e}" for e in errors[-5:])
        print(f"{label}: {len(errors) - 1} iterations, last errors {last}")
        style = "--" if "CG" in label else "-"
        axes.semilogy(np.maximum(errors, 1e-16), style, label=label)
    axes.set_xscale("symlog", linthresh=50)
    axes.set_xlabel("iteration")
    axes.set_ylabel("‖x − x*‖")
    axes.set_title("Rosenbrock: Newton with the generated Hessian")
    axes.legend()
    figure.tight_layout()
    OUT.mkdir(exist_ok=True)
    figure.savefig(OUT / "newton.png", dpi=100)
    print(f"saved {OUT / 'newton.png'}")


if __name__ == "__main__":
    main()
