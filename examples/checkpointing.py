"""The lectures' point about checkpointing, at laptop scale: a deep residual network.

A transformer's activations dominate its memory (GPT-2 needs about 60 GB of
them, about 8 GB with checkpointing, for a third more computation).  Here 64
blocks of a transformer-style MLP block, ``x + W₂ gelu(W₁ x)`` with a 4 ×
wider hidden layer, run over a batch of sequences; reverse mode keeps each
block's hidden activations until the backward sweep.  The example compares
the gradient that stores them all, the one whose blocks are
``@s2sad.checkpoint``-ed (only each block's input kept, each block run once
more), and the loop over the blocks checkpointed by the binomial schedule
with 2 to 32 snapshots; it prints peak memory (tracemalloc) and time, and
plots memory against time in ``examples/out/checkpointing.png``.

Run ``python examples/checkpointing.py``.
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import s2sad  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
BLOCKS = 64
SNAPSHOTS = (2, 4, 8, 16, 32)


def gelu(z):
    """The tanh approximation of the Gaussian error linear unit."""
    return 0.5 * z * (1.0 + np.tanh(0.7978845608 * (z + 0.044715 * z**3)))


def block(x, W1, W2):
    """One residual MLP block over the rows of ``x``."""
    return x + gelu(x @ W1) @ W2


checkpointed_block = s2sad.checkpoint(block)


def network(x, W1, W2):
    """``BLOCKS`` blocks sharing their weights; every activation stored."""
    for _ in range(BLOCKS):
        x = block(x, W1, W2)
    return np.mean(x * x)


def network_checkpointed_blocks(x, W1, W2):
    """The same, each block checkpointed: only its input kept."""
    for _ in range(BLOCKS):
        x = checkpointed_block(x, W1, W2)
    return np.mean(x * x)


def binomial(snapshots: int):
    """The same loop reversed by the binomial schedule with ``snapshots``."""
    return {
        2: network_2,
        4: network_4,
        8: network_8,
        16: network_16,
        32: network_32,
    }[snapshots]


def network_2(x, W1, W2):
    """Binomial checkpointing of the blocks, 2 snapshots."""
    for _ in s2sad.checkpointed(range(BLOCKS), snapshots=2):
        x = block(x, W1, W2)
    return np.mean(x * x)


def network_4(x, W1, W2):
    """Binomial checkpointing of the blocks, 4 snapshots."""
    for _ in s2sad.checkpointed(range(BLOCKS), snapshots=4):
        x = block(x, W1, W2)
    return np.mean(x * x)


def network_8(x, W1, W2):
    """Binomial checkpointing of the blocks, 8 snapshots."""
    for _ in s2sad.checkpointed(range(BLOCKS), snapshots=8):
        x = block(x, W1, W2)
    return np.mean(x * x)


def network_16(x, W1, W2):
    """Binomial checkpointing of the blocks, 16 snapshots."""
    for _ in s2sad.checkpointed(range(BLOCKS), snapshots=16):
        x = block(x, W1, W2)
    return np.mean(x * x)


def network_32(x, W1, W2):
    """Binomial checkpointing of the blocks, 32 snapshots."""
    for _ in s2sad.checkpointed(range(BLOCKS), snapshots=32):
        x = block(x, W1, W2)
    return np.mean(x * x)


def arguments(rows: int = 512, width: int = 64, seed: int = 0) -> tuple:
    """A batch of ``rows`` token vectors of ``width`` and the block's weights."""
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(rows, width)),
        rng.normal(size=(width, 4 * width)) / np.sqrt(width) * 0.5,
        rng.normal(size=(4 * width, width)) / np.sqrt(4 * width) * 0.5,
    )


def measure(function, args, output_dir=None) -> tuple[float, float, tuple]:
    """Peak bytes and best seconds of the gradient of ``function``, and the gradient."""
    gradient = s2sad.grad(function, wrt=(0, 1, 2), output_dir=output_dir)
    result, peak, seconds = measure_gradient(gradient, args)
    return peak, seconds, result


def measure_gradient(gradient, args) -> tuple[object, float, float]:
    """``gradient(*args)``, its peak bytes (tracemalloc) and its best seconds of 3."""
    result = gradient(*args)
    tracemalloc.start()
    gradient(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    seconds = []
    for _ in range(3):
        start = time.perf_counter()
        gradient(*args)
        seconds.append(time.perf_counter() - start)
    return result, peak, min(seconds)


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    args = arguments()
    cases = [("stored", network), ("checkpointed blocks", network_checkpointed_blocks)]
    cases += [(f"binomial, {s} snapshots", binomial(s)) for s in SNAPSHOTS]
    rows, expected = [], None
    output_dir = tempfile.mkdtemp()
    for name, function in cases:
        peak, seconds, result = measure(function, args, output_dir)
        if expected is None:
            expected = result
        for a, b in zip(result, expected):
            np.testing.assert_array_equal(a, b)
        rows.append((name, peak, seconds))
    _, peak0, time0 = rows[0]
    print(
        f"{BLOCKS} residual MLP blocks, batch {args[0].shape}, hidden {args[1].shape[1]}"
    )
    for name, peak, seconds in rows:
        print(
            f"  {name:<26} {peak / 2**20:8.1f} MiB ({peak0 / peak:5.1f} x less)  "
            f"{seconds * 1e3:8.1f} ms ({seconds / time0:4.2f} x)"
        )
    OUT.mkdir(exist_ok=True)
    figure, axes = plt.subplots(figsize=(6, 4.5))
    for name, peak, seconds in rows:
        axes.plot(seconds / time0, peak / 2**20, "o")
        axes.annotate(name, (seconds / time0, peak / 2**20), fontsize=8)
    axes.set_yscale("log")
    axes.set_xlabel("time of the gradient / time storing every activation")
    axes.set_ylabel("peak memory of the gradient (MiB)")
    axes.set_title(f"{BLOCKS} residual MLP blocks: memory against recomputation")
    figure.tight_layout()
    figure.savefig(OUT / "checkpointing.png", dpi=100)
    print(f"saved {OUT / 'checkpointing.png'}")


if __name__ == "__main__":
    main()
