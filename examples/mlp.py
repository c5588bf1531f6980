"""A feed-forward network trained with the gradient s2sad generates.

The lectures' network is a loop of layers, vₖ = σ(vₖ₋₁ Wₖ), followed by a loss
L(v_t).  Here the hidden layers share one width, so their weights are stacked
in one array ``hidden`` and applied in a ``for`` loop; the loss is softmax
cross-entropy over three classes of a synthetic spiral data set.

Run ``python examples/mlp.py``: it trains for a few hundred steps of gradient
descent with momentum, prints the loss and accuracy, and saves the loss curve
and the learned decision regions to ``examples/out/mlp.png``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import s2sad

OUT = Path(__file__).resolve().parent / "out"


def sigmoid(z):
    """The logistic function σ(z) = 1 / (1 + e^(−z))."""
    return 1.0 / (1.0 + np.exp(-z))


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of the softmax of ``logits`` against one-hot ``labels``."""
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(labels * log_probabilities, axis=1))


def network(first, hidden, last, X):
    """The logits: v₀ = σ(X W₀), vₖ = σ(vₖ₋₁ Wₖ) for each stacked hidden layer, then v W_out."""
    v = sigmoid(X @ first)
    for k in range(hidden.shape[0]):
        v = sigmoid(v @ hidden[k])
    return v @ last


def loss(first, hidden, last, X, labels):
    """Softmax cross-entropy of the network on the data set (X, labels)."""
    return softmax_cross_entropy(network(first, hidden, last, X), labels)


def spirals(points_per_class: int = 100, classes: int = 3, seed: int = 0):
    """Points on ``classes`` interleaved noisy spirals, and their one-hot labels."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for c in range(classes):
        radius = np.linspace(0.05, 1.0, points_per_class)
        angle = 4.0 * radius + 2 * np.pi * c / classes
        angle += 0.2 * rng.normal(size=points_per_class)
        X.append(np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1))
        y.append(np.full(points_per_class, c))
    X, y = np.concatenate(X), np.concatenate(y)
    return X, np.eye(classes)[y], y


def initial_weights(width: int = 32, layers: int = 2, classes: int = 3, seed: int = 1):
    """Random weights scaled by 1/√(fan-in)."""
    rng = np.random.default_rng(seed)
    first = rng.normal(size=(2, width)) * 2.0
    hidden = rng.normal(size=(layers, width, width)) / np.sqrt(width)
    last = rng.normal(size=(width, classes)) / np.sqrt(width)
    return [first, hidden, last]


def train(steps: int = 400, rate: float = 1.0, momentum: float = 0.9, seed: int = 0):
    """Gradient descent with momentum; the weights and the loss after each step."""
    X, labels, _ = spirals(seed=seed)
    weights = initial_weights()
    gradient = s2sad.grad(loss, wrt=(0, 1, 2))
    velocity = [np.zeros_like(w) for w in weights]
    losses = []
    for _ in range(steps):
        grads = gradient(*weights, X, labels)
        velocity = [momentum * v - rate * g for v, g in zip(velocity, grads)]
        weights = [w + v for w, v in zip(weights, velocity)]
        losses.append(loss(*weights, X, labels))
    return weights, np.array(losses)


def accuracy(weights, X, y) -> float:
    """The fraction of points whose largest logit is their class."""
    return float(np.mean(np.argmax(network(*weights, X), axis=1) == y))


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, _, y = spirals()
    weights, losses = train()
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f} after {len(losses)} steps")
    print(f"training accuracy {accuracy(weights, X, y):.1%}")
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.semilogy(losses)
    left.set_xlabel("step")
    left.set_ylabel("cross-entropy")
    grid = np.linspace(-1.1, 1.1, 200)
    xx, yy = np.meshgrid(grid, grid)
    regions = np.argmax(network(*weights, np.c_[xx.ravel(), yy.ravel()]), axis=1)
    right.contourf(xx, yy, regions.reshape(xx.shape), alpha=0.3, levels=2)
    right.scatter(X[:, 0], X[:, 1], c=y, s=8)
    right.set_title("decision regions")
    figure.tight_layout()
    OUT.mkdir(exist_ok=True)
    figure.savefig(OUT / "mlp.png", dpi=100)
    print(f"saved {OUT / 'mlp.png'}")


if __name__ == "__main__":
    main()
