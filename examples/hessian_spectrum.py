"""The Hessian spectrum of a network during training, from Hessian-vector products.

The lectures study training through the Hessian of the loss: early on it has
large negative eigenvalues (saddle directions), which training removes.  This
example trains the network of ``examples/mlp.py`` and, at a few steps of
training, finds the extreme eigenvalues of the Hessian over all 2 208 weights
by Lanczos iterations on ``s2sad.hvp`` (never forming the Hessian) and its
trace by Hutch++ (``s2sad.hutchinson_trace``).

Run ``python examples/hessian_spectrum.py``: it prints the extreme eigenvalues
and the trace at each checkpoint and plots them to
``examples/out/hessian_spectrum.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import s2sad

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mlp import initial_weights, loss, spirals  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
CHECKPOINTS = (0, 10, 50, 150, 400)
WRT = (0, 1, 2)


def flat(parts) -> np.ndarray:
    """The weights (or a direction over them) as one vector."""
    return np.concatenate([np.ravel(p) for p in parts])


def unflat(vector: np.ndarray, like) -> tuple:
    """A vector cut back into arrays shaped like ``like``."""
    cuts = np.cumsum([p.size for p in like])[:-1]
    return tuple(c.reshape(p.shape) for c, p in zip(np.split(vector, cuts), like))


def lanczos(product, n: int, steps: int = 60, seed: int = 0) -> np.ndarray:
    """Ritz values of a symmetric operator after ``steps`` Lanczos iterations
    (fully reorthogonalised): its extreme eigenvalues converge first."""
    rng = np.random.default_rng(seed)
    basis = np.zeros((steps, n))
    v = rng.normal(size=n)
    basis[0] = v / np.linalg.norm(v)
    alphas, betas = [], []
    for j in range(steps):
        w = product(basis[j])
        alphas.append(float(w @ basis[j]))
        w -= basis[: j + 1].T @ (basis[: j + 1] @ w)
        w -= basis[: j + 1].T @ (basis[: j + 1] @ w)
        beta = float(np.linalg.norm(w))
        if j + 1 == steps or beta < 1e-10:
            break
        betas.append(beta)
        basis[j + 1] = w / beta
    tridiagonal = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
    return np.linalg.eigvalsh(tridiagonal)


def spectrum(weights, X, labels) -> tuple[np.ndarray, float]:
    """The Ritz values of the loss's Hessian at ``weights`` and its Hutch++ trace."""
    product = s2sad.hvp(loss, wrt=WRT)

    def hessian_times(vector: np.ndarray) -> np.ndarray:
        return flat(product(*weights, X, labels, unflat(vector, weights)))

    ritz = lanczos(hessian_times, sum(w.size for w in weights))
    trace = s2sad.hutchinson_trace(loss, wrt=WRT, samples=150, method="hutch++", seed=0)
    return ritz, trace(*weights, X, labels)


def study(steps: int = max(CHECKPOINTS), rate: float = 1.0, momentum: float = 0.9):
    """Train as ``examples/mlp.py`` does; the spectrum at each checkpoint."""
    X, labels, _ = spirals()
    weights = initial_weights()
    gradient = s2sad.grad(loss, wrt=WRT)
    velocity = [np.zeros_like(w) for w in weights]
    found = {}
    for step in range(steps + 1):
        if step in CHECKPOINTS:
            found[step] = (loss(*weights, X, labels), *spectrum(weights, X, labels))
        grads = gradient(*weights, X, labels)
        velocity = [momentum * v - rate * g for v, g in zip(velocity, grads)]
        weights = [w + v for w, v in zip(weights, velocity)]
    return found


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    found = study()
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for step, (value, ritz, trace) in found.items():
        print(
            f"step {step:4d}: loss {value:.4f}, eigenvalues {ritz[0]:+.4f} … "
            f"{ritz[-1]:+.4f}, trace ≈ {trace:.3f}"
        )
        left.scatter(np.full(ritz.size, step), ritz, s=6, color="C0")
    steps = list(found)
    left.plot(steps, [r[0] for _, r, _ in found.values()], "C3", label="smallest")
    left.plot(steps, [r[-1] for _, r, _ in found.values()], "C2", label="largest")
    left.set_xscale("symlog", linthresh=10)
    left.set_xlabel("training step")
    left.set_ylabel("Ritz values of the Hessian")
    left.legend()
    right.plot(steps, [t for _, _, t in found.values()], "o-")
    right.set_xscale("symlog", linthresh=10)
    right.set_xlabel("training step")
    right.set_ylabel("trace of the Hessian (Hutch++)")
    figure.tight_layout()
    OUT.mkdir(exist_ok=True)
    figure.savefig(OUT / "hessian_spectrum.png", dpi=100)
    print(f"saved {OUT / 'hessian_spectrum.png'}")


if __name__ == "__main__":
    main()
