"""Checkpointing benchmark: peak memory and time of gradients that store every
state against checkpointed ones.

* a time stepper, 10⁴ steps of a diffusion update with a cubic term on a state
  of 10⁴ floats (80 kB): every state stored, the binomial schedule with 10
  snapshots, and periodic segments with 10 snapshots;
* a 1000-step recurrent network, state 128 × 32: stored, periodic with 40
  snapshots (25-step blocks, as the anchor's JAX and PyTorch figures), and
  the binomial schedule with 30 and 40 snapshots.

Peak memory is tracemalloc's peak over one call (NumPy's allocations are
traced); time is the best of ``REPEATS`` calls, the cases of a table called in
turn, one BLAS thread, the default allocator.
Every checkpointed gradient is checked equal to the stored one bit for bit.
Run from the repository root: ``.venv/bin/python benchmarks/checkpointing.py``.
"""

import math
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scalar import machine  # noqa: E402

import s2sad  # noqa: E402

REPEATS = 3
MEMORY_TARGET = 100.0
"""Issue target: the checkpointed stepper's peak memory this many times lower."""
TIME_TARGET = 3.5
"""Issue target: at most this many times the stored gradient's time."""


def stepper(u, c: float, steps: int):
    """Every state stored."""
    for _ in range(steps):
        u = u + c * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1)) - 0.001 * u**3
    return np.sum(u * u)


def stepper_binomial(u, c: float, steps: int):
    """Binomial checkpointing, 10 snapshots."""
    for _ in s2sad.checkpointed(range(steps), snapshots=10):
        u = u + c * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1)) - 0.001 * u**3
    return np.sum(u * u)


def stepper_periodic(u, c: float, steps: int):
    """Periodic segments, 10 snapshots."""
    for _ in s2sad.checkpointed(range(steps), snapshots=10, schedule="periodic"):
        u = u + c * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1)) - 0.001 * u**3
    return np.sum(u * u)


def rnn(h, W, U, xs):
    """A recurrent network: h ← tanh(W h + U x_t), every state stored."""
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def rnn_blocks(h, W, U, xs):
    """The same, 40 snapshots: 25-step periodic segments."""
    for t in s2sad.checkpointed(range(xs.shape[0]), snapshots=40, schedule="periodic"):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def rnn_binomial(h, W, U, xs):
    """The same, binomial with 30 snapshots."""
    for t in s2sad.checkpointed(range(xs.shape[0]), snapshots=30):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def rnn_binomial_40(h, W, U, xs):
    """The same, binomial with 40 snapshots."""
    for t in s2sad.checkpointed(range(xs.shape[0]), snapshots=40):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def peak_and_result(gradient, args):
    """``(peak bytes, result)`` of ``gradient(*args)``."""
    result = gradient(*args)
    tracemalloc.start()
    gradient(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, result


def _seconds(gradient, args):
    start = time.perf_counter()
    gradient(*args)
    return time.perf_counter() - start


def rows(cases, args, wrt, output_dir):
    """``(what, peak, seconds)`` per case, each checked against the first; the
    cases timed in turn, ``REPEATS`` rounds, the best of each kept."""
    gradients = [s2sad.grad(f, wrt=wrt, output_dir=output_dir) for f in cases]
    peaks, expected = [], None
    for gradient in gradients:
        peak, result = peak_and_result(gradient, args)
        expected = result if expected is None else expected
        for a, b in zip(result, expected):
            np.testing.assert_array_equal(a, b)
        peaks.append(peak)
    best = [math.inf] * len(cases)
    for _ in range(REPEATS):
        for k, gradient in enumerate(gradients):
            best[k] = min(best[k], _seconds(gradient, args))
    names = [f.__doc__.split(":")[0].rstrip(".") for f in cases]
    return list(zip(names, peaks, best))


def report(title, found):
    """Print one table, ratios to the first row."""
    print(f"\n{title}")
    _, peak0, time0 = found[0]
    for what, peak, seconds in found:
        print(
            f"  {what:<40} {peak / 2**20:9.2f} MiB ({peak0 / peak:7.1f} x less)  "
            f"{seconds * 1e3:9.1f} ms ({seconds / time0:4.2f} x)"
        )
    return found


def main():
    """Print both tables and whether the stepper meets its targets."""
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as output_dir:
        u = np.linspace(0.0, 1.0, 10_000)
        stepped = rows(
            (stepper, stepper_binomial, stepper_periodic),
            (u, 0.1, 10_000),
            (0, 1),
            output_dir,
        )
        state = (rng.normal(size=(128, 32)) * 0.1,)
        weights = (rng.normal(size=(128, 128)) / 12, rng.normal(size=(128, 16)) / 4)
        xs = rng.normal(size=(1000, 16, 32))
        recurrent = rows(
            (rnn, rnn_blocks, rnn_binomial, rnn_binomial_40),
            (*state, *weights, xs),
            (0, 1, 2),
            output_dir,
        )
    print(machine())
    report("time stepper, 10^4 steps, state 10^4 floats (80 kB)", stepped)
    report("recurrent network, 1000 steps, state 128 x 32", recurrent)
    (_, peak0, time0), (_, peak, seconds) = stepped[0], stepped[1]
    memory, slower = peak0 / peak, seconds / time0
    print(
        f"\nbinomial, 10 snapshots: {memory:.0f} x less memory (target >= "
        f"{MEMORY_TARGET:g}: {'met' if memory >= MEMORY_TARGET else 'MISSED'}), "
        f"{slower:.2f} x the time (target <= {TIME_TARGET}: "
        f"{'met' if slower <= TIME_TARGET else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
