"""Multidimensional scaling: why the lectures say zero-order methods are slow in high dimension.

Points W (N × d) are placed so that their squared distances match targets D:

    L(W) = Σᵢⱼ (‖Wᵢ − Wⱼ‖² − Dᵢⱼ)²

Gradient descent runs three ways:

* the gradient s2sad generates (one reverse sweep, cost ~ a few L evaluations);
* the two-point zero-order estimator G = n·(L(w + εv) − L(w − εv)) / (2ε) · v along a
  random unit direction v (two L evaluations, but an estimate whose variance grows
  with the dimension n = N·d, so its step must be about n times smaller to stay
  stable: it needs about n times more iterations);
* coordinate finite differences (2n evaluations of L per step).

Run ``python examples/mds.py``: it prints a table and saves loss against
iterations and against wall-clock time, for growing n, to ``examples/out/mds.png``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

import s2sad

OUT = Path(__file__).resolve().parent / "out"


def mds_loss(W, D):
    """Σᵢⱼ (‖Wᵢ − Wⱼ‖² − Dᵢⱼ)², written with broadcasting."""
    differences = W[:, None, :] - W[None, :, :]
    squared = np.sum(differences**2, axis=-1)
    return np.sum((squared - D) ** 2)


def problem(n_points: int, dim: int = 2, seed: int = 0):
    """Targets from a hidden configuration, and a random start."""
    rng = np.random.default_rng(seed)
    hidden = rng.normal(size=(n_points, dim))
    D = np.sum((hidden[:, None, :] - hidden[None, :, :]) ** 2, axis=-1)
    start = rng.normal(size=(n_points, dim))
    return D, start


def zero_order_gradient(loss, W, rng, eps=1e-6):
    """The two-point estimator n·(L(w+εv) − L(w−εv))/(2ε)·v with v uniform on the sphere."""
    v = rng.normal(size=W.shape)
    v /= np.linalg.norm(v)
    slope = (loss(W + eps * v) - loss(W - eps * v)) / (2 * eps)
    return W.size * slope * v


def coordinate_gradient(loss, W, eps=1e-6):
    """Central finite differences, one coordinate at a time (2n evaluations)."""
    gradient = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[index] = eps
        gradient[index] = (loss(W + step) - loss(W - step)) / (2 * eps)
    return gradient


def descend(direction, W, D, steps, rate):
    """Gradient descent with ``direction(W)``; the loss and the elapsed time after each step."""
    losses, times = [mds_loss(W, D)], [0.0]
    start = time.perf_counter()
    for _ in range(steps):
        W = W - rate * direction(W)
        losses.append(mds_loss(W, D))
        times.append(time.perf_counter() - start)
    return np.array(losses), np.array(times)


def compare(n_points: int, steps: int = 300, seed: int = 0) -> dict:
    """Loss curves of the three methods on an MDS problem with ``n_points`` points in 2-D."""
    D, W0 = problem(n_points, seed=seed)
    rate = 0.01 / n_points
    gradient = s2sad.grad(mds_loss)
    rng = np.random.default_rng(seed)

    def loss(W):
        return mds_loss(W, D)

    methods = {
        "s2sad gradient": (lambda W: gradient(W, D), rate),
        "zero-order (2 evaluations)": (
            lambda W: zero_order_gradient(loss, W, rng),
            rate / W0.size,
        ),
        "coordinate differences": (lambda W: coordinate_gradient(loss, W), rate),
    }
    return {
        name: descend(step, W0, D, steps, step_size)
        for name, (step, step_size) in methods.items()
    }


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = (5, 10, 20)
    figure, axes = plt.subplots(2, len(sizes), figsize=(4 * len(sizes), 7))
    print(f"{'n = N·d':>8} {'method':<28} {'final loss':>12} {'time (s)':>9}")
    for column, n_points in enumerate(sizes):
        curves = compare(n_points)
        for name, (losses, times) in curves.items():
            axes[0, column].semilogy(losses, label=name)
            axes[1, column].semilogy(times, losses, label=name)
            print(f"{2 * n_points:>8} {name:<28} {losses[-1]:>12.4g} {times[-1]:>9.3f}")
        axes[0, column].set_title(f"n = {2 * n_points} ({n_points} points in 2-D)")
        axes[0, column].set_xlabel("iteration")
        axes[1, column].set_xlabel("wall-clock time (s)")
    axes[0, 0].set_ylabel("L(W)")
    axes[1, 0].set_ylabel("L(W)")
    axes[0, 0].legend(fontsize=8)
    figure.tight_layout()
    OUT.mkdir(exist_ok=True)
    figure.savefig(OUT / "mds.png", dpi=100)
    print(f"saved {OUT / 'mds.png'}")


if __name__ == "__main__":
    main()
