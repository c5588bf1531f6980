"""Forward mode, reverse mode, the mode chosen for you, and a bracketed chain.

The lectures: forward mode gets a Jacobian column by column (cost ∝ inputs
n), reverse mode row by row (cost ∝ outputs m); forward when n ≪ m, reverse
when n ≫ m.  Here n = 100 is fixed and the two-layer map
``tanh(B tanh(A x))`` has m outputs, m from 10 to 1000: the example times
``jacfwd``, ``jacrev`` and ``jacobian(mode="auto")`` at each m (interleaved,
best of several rounds) and plots them against m/n; auto follows the lower
curve.  The lectures' curves cross at m = n, where n tangent sweeps cost as
much as m adjoint sweeps; here they cross lower, near m = 10 to 30, because
forward mode's first layer costs nothing: with the identity for its
directions, the tangents of ``A @ x`` are the columns of ``A`` as they are
(``np.moveaxis(A, -1, 0)`` in the generated ``two_layers_jacfwd_identity``),
so n tangent sweeps cost n·m·n against m·(n·n + m·n) for m adjoint sweeps.
It also shows what the wrong mode costs on ℝ³² → ℝ²⁰⁴⁸.

A chain with a bottleneck, ℝ²⁰⁰⁰ → ℝ¹⁰ → ℝ²⁰⁰⁰ (an encoder and a decoder),
is bad for both pure modes: 2000 directions either way.  Bracketed, the
encoder's 10 × 2000 Jacobian comes from 10 reverse sweeps, the decoder's
2000 × 10 from 10 forward sweeps, and one product joins them;
``s2sad.jacobian_plan`` prints the plan, the second plot the times.

Run ``python examples/jacobian_modes.py``: it prints the times and writes
``examples/out/jacobian_modes.png`` and ``examples/out/jacobian_chain.png``.
"""

from __future__ import annotations

import os
import tempfile
import timeit
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import s2sad  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
N = 100
OUTPUTS = (10, 30, 100, 300, 1000)
REPEATS = 3


def two_layers(x, A, B):
    """ℝⁿ → ℝᵐ: a hidden layer of n units, then m outputs."""
    h = np.tanh(A @ x)
    return np.tanh(B @ h)


def encode(x, A):
    """ℝ²⁰⁰⁰ → ℝ¹⁰."""
    return np.tanh(A @ (np.sin(x) * np.exp(-x * x)))


def decode(h, B):
    """ℝ¹⁰ → ℝ²⁰⁰⁰."""
    z = B @ h
    return np.log1p(np.exp(z)) * np.cos(z) + z * z


def autoencoder(x, A, B):
    """The bottleneck chain: encode, then decode."""
    h = encode(x, A)
    y = decode(h, B)
    return y


def layer_arguments(n: int, m: int, seed: int = 0) -> tuple:
    """A point and weights for :func:`two_layers` from ℝⁿ to ℝᵐ."""
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=n),
        rng.normal(size=(n, n)) / np.sqrt(n),
        rng.normal(size=(m, n)) / np.sqrt(n),
    )


def chain_arguments(n: int = 2000, k: int = 10, seed: int = 0) -> tuple:
    """A point and weights for :func:`autoencoder` through a bottleneck of ``k``."""
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=n),
        rng.normal(size=(k, n)) / np.sqrt(n),
        rng.normal(size=(n, k)) / np.sqrt(k),
    )


def best_times(cases: dict, args: tuple, repeats: int = REPEATS) -> dict:
    """Seconds per call of each function of ``cases`` at ``args``: interleaved
    (a round of every function before the next round of any), each round as many
    calls as take about 0.2 s, the best round of ``repeats``."""
    timers = {name: timeit.Timer(lambda f=f: f(*args)) for name, f in cases.items()}
    numbers = {name: timer.autorange()[0] for name, timer in timers.items()}
    best = {name: np.inf for name in cases}
    for _ in range(repeats):
        for name, timer in timers.items():
            seconds = timer.timeit(numbers[name]) / numbers[name]
            best[name] = min(best[name], seconds)
    return best


def jacobians(f, output_dir, modes=("fwd", "rev", "auto")) -> dict:
    """``s2sad.jacobian`` of ``f`` in each of ``modes``."""
    return {m: s2sad.jacobian(f, mode=m, output_dir=output_dir) for m in modes}


def mode_sweep(output_dir) -> dict:
    """Times of each mode for each m in OUTPUTS, and the modes auto chose."""
    cases = jacobians(two_layers, output_dir)
    times, chosen = {m: [] for m in cases}, []
    for m in OUTPUTS:
        args = layer_arguments(N, m)
        reference = cases["rev"](*args)
        for mode, jacobian in cases.items():
            np.testing.assert_allclose(
                jacobian(*args), reference, rtol=1e-12, atol=1e-14
            )
        for mode, seconds in best_times(cases, args).items():
            times[mode].append(seconds)
        chosen.append(cases["auto"].mode)
    return {"times": times, "chosen": chosen}


def wrong_mode(output_dir, n: int = 32, m: int = 2048) -> dict:
    """Seconds of forward and reverse mode for ℝⁿ → ℝᵐ."""
    cases = jacobians(two_layers, output_dir, ("fwd", "rev"))
    args = layer_arguments(n, m)
    np.testing.assert_allclose(
        cases["fwd"](*args), cases["rev"](*args), rtol=1e-12, atol=1e-14
    )
    return best_times(cases, args)


def chain_times(output_dir) -> tuple[dict, s2sad.JacobianPlan]:
    """Seconds of all-forward, all-reverse and the bracketed Jacobian of the chain."""
    cases = jacobians(autoencoder, output_dir, ("fwd", "rev", "optimal"))
    args = chain_arguments()
    optimal = cases["optimal"](*args)
    for mode in ("fwd", "rev"):
        np.testing.assert_allclose(cases[mode](*args), optimal, rtol=1e-12, atol=1e-14)
    return best_times(cases, args), s2sad.jacobian_plan(
        autoencoder, *args, output_dir=output_dir
    )


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with tempfile.TemporaryDirectory() as output_dir:
        sweep = mode_sweep(output_dir)
        wrong = wrong_mode(output_dir)
        chain, plan = chain_times(output_dir)
    times = sweep["times"]
    print(f"n = {N}: milliseconds per Jacobian")
    print("    m   jacfwd   jacrev     auto  (auto chose, auto / better)")
    for k, m in enumerate(OUTPUTS):
        better = min(times["fwd"][k], times["rev"][k])
        print(
            f"{m:5d} {times['fwd'][k] * 1e3:8.3f} {times['rev'][k] * 1e3:8.3f} "
            f"{times['auto'][k] * 1e3:8.3f}  ({sweep['chosen'][k]}, "
            f"{times['auto'][k] / better:.2f})"
        )
    print(
        f"ℝ³² → ℝ²⁰⁴⁸: jacfwd {wrong['fwd'] * 1e3:.3f} ms, jacrev "
        f"{wrong['rev'] * 1e3:.3f} ms: the wrong mode is "
        f"{wrong['rev'] / wrong['fwd']:.0f} × slower"
    )
    print(plan)
    better = min(chain["fwd"], chain["rev"])
    print(
        f"bottleneck chain: all forward {chain['fwd'] * 1e3:.1f} ms, all reverse "
        f"{chain['rev'] * 1e3:.1f} ms, bracketed {chain['optimal'] * 1e3:.1f} ms "
        f"({better / chain['optimal']:.1f} × faster than the better pure mode)"
    )
    OUT.mkdir(exist_ok=True)

    figure, axes = plt.subplots(figsize=(6, 4.5))
    ratio = np.array(OUTPUTS) / N
    for mode, style in (("fwd", "o-"), ("rev", "s-"), ("auto", "x--")):
        label = {"fwd": "jacfwd", "rev": "jacrev", "auto": "jacobian (auto)"}[mode]
        axes.loglog(ratio, np.array(times[mode]) * 1e3, style, label=label)
    axes.axvline(1.0, color="grey", linewidth=0.8)
    axes.set_xlabel("m / n (outputs over inputs, n = 100)")
    axes.set_ylabel("milliseconds per Jacobian")
    axes.set_title("tanh(B tanh(A x)): forward vs reverse mode")
    axes.legend()
    figure.tight_layout()
    figure.savefig(OUT / "jacobian_modes.png", dpi=100)

    figure, axes = plt.subplots(figsize=(6, 4.5))
    names = ["all forward", "all reverse", "bracketed"]
    values = [chain[m] * 1e3 for m in ("fwd", "rev", "optimal")]
    axes.bar(names, values, color=["C0", "C1", "C2"])
    axes.set_yscale("log")
    axes.set_ylabel("milliseconds per Jacobian")
    axes.set_title("ℝ²⁰⁰⁰ → ℝ¹⁰ → ℝ²⁰⁰⁰: " + plan.best.describe(list(plan.stages)))
    figure.tight_layout()
    figure.savefig(OUT / "jacobian_chain.png", dpi=100)
    print(f"saved {OUT / 'jacobian_modes.png'} and {OUT / 'jacobian_chain.png'}")


if __name__ == "__main__":
    main()
