"""Jacobian benchmark: forward, reverse, auto and bracketed Jacobians.

Times, interleaved in one process on one BLAS thread (best of ``REPEATS``):

* the dense layer ``tanh(W x + b)``, 512 × 512 — the function, ``jacfwd``
  (its identity columns), ``jacrev``, the closed form ``(1 - t²)[:, None] * W``
  written by hand, and autograd's, PyTorch's and JAX's Jacobians where they
  happen to be installed;
* the wrong mode: the two layers of ``examples/jacobian_modes.py`` on
  ℝ³² → ℝ²⁰⁴⁸ and ℝ²⁰⁴⁸ → ℝ³², forward against reverse;
* batched forward mode against n separate ``s2sad.jvp`` calls (n = 100);
* ``mode="auto"`` against the better forced mode for n = 100, m = 10 … 1000;
* the bottleneck chain ℝ²⁰⁰⁰ → ℝ¹⁰ → ℝ²⁰⁰⁰: all-forward, all-reverse and
  ``mode="optimal"``.

Every Jacobian is checked against another mode's before it is timed.  Run from
the repository root: ``.venv/bin/python benchmarks/jacobians.py``.
"""

import os
import sys
import tempfile
from pathlib import Path

for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "examples"))
from jacobian_modes import (  # noqa: E402
    OUTPUTS,
    autoencoder,
    chain_arguments,
    layer_arguments,
    two_layers,
)
from scalar import interleaved_ns_per_call, machine, print_rows  # noqa: E402

import s2sad  # noqa: E402

LAYER_TARGET_MS = 0.5
"""Issue target: the 512 × 512 dense-layer Jacobian in at most this many ms."""
AUTO_TARGET = 1.2
"""Issue target: auto within this factor of the better forced mode."""
WRONG_TARGET = 20.0
"""Issue target: the wrong mode at least this many times slower on 32 → 2048."""
CHAIN_TARGET = 20.0
"""Issue target: the bracketed chain this many times faster than the better pure mode."""
JVPS_TARGET = 5.0
"""Issue target: batched jacfwd this many times faster than n jvp calls (n = 100)."""


def layer(x, W, b):
    """The dense layer ``tanh(W x + b)``."""
    return np.tanh(W @ x + b)


def closed_form(x, W, b):
    """Its Jacobian as a person writes it."""
    t = np.tanh(W @ x + b)
    return (1.0 - t * t)[:, None] * W


def framework_jacobians(args):
    """``(what, jacobian, args)`` of :func:`layer` for each installed AD library."""
    found = []
    try:
        import autograd
        import autograd.numpy as anp

        found.append(
            (
                "autograd.jacobian",
                autograd.jacobian(lambda x, W, b: anp.tanh(anp.dot(W, x) + b)),
                args,
            )
        )
    except ImportError:
        print("autograd: not installed, skipped")
    try:
        import torch

        torch.set_num_threads(1)
        tensors = tuple(torch.from_numpy(a) for a in args)
        for name in ("jacfwd", "jacrev"):
            transform = getattr(torch.func, name)
            found.append(
                (
                    f"torch.func.{name}",
                    transform(lambda x, W, b: torch.tanh(W @ x + b)),
                    tensors,
                )
            )
    except ImportError:
        print("torch: not installed, skipped")
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        for name in ("jacfwd", "jacrev"):
            compiled = jax.jit(
                getattr(jax, name)(lambda x, W, b: jax.numpy.tanh(W @ x + b))
            )
            found.append(
                (
                    f"jax.jit({name})",
                    lambda *a, c=compiled: jax.block_until_ready(c(*a)),
                    jax.device_put(args),
                )
            )
    except ImportError:
        print("jax: not installed, skipped")
    return found


def layer_rows(output_dir):
    """``(what, ns/call)`` of the 512 × 512 dense layer's Jacobians."""
    rng = np.random.default_rng(0)
    n = 512
    args = (
        rng.normal(size=n),
        rng.normal(size=(n, n)) / np.sqrt(n),
        rng.normal(size=n),
    )
    expected = closed_form(*args)
    cases = [("f", layer, args), ("closed form (NumPy, by hand)", closed_form, args)]
    for mode in ("fwd", "rev", "auto"):
        jacobian = s2sad.jacobian(layer, mode=mode, output_dir=output_dir)
        np.testing.assert_allclose(jacobian(*args), expected, rtol=1e-12, atol=1e-14)
        cases.append((f"s2sad.jacobian, mode={mode}", jacobian, args))
    for what, jacobian, given in framework_jacobians(args):
        np.testing.assert_allclose(np.asarray(jacobian(*given)), expected, rtol=1e-10)
        cases.append((what, jacobian, given))
    return interleaved_ns_per_call(cases)


def mode_rows(output_dir):
    """``(what, ns/call)`` of forward and reverse mode on 32 → 2048 and 2048 → 32."""
    cases = []
    for n, m in ((32, 2048), (2048, 32)):
        args = layer_arguments(n, m)
        forward = s2sad.jacfwd(two_layers, output_dir=output_dir)
        reverse = s2sad.jacrev(two_layers, output_dir=output_dir)
        np.testing.assert_allclose(
            forward(*args), reverse(*args), rtol=1e-12, atol=1e-14
        )
        cases += [
            (f"{n} -> {m}: jacfwd", forward, args),
            (f"{n} -> {m}: jacrev", reverse, args),
        ]
    return interleaved_ns_per_call(cases)


def jvp_rows(output_dir, n=100):
    """``(what, ns/call)`` of batched jacfwd against ``n`` separate jvp calls."""
    args = layer_arguments(n, n)
    forward = s2sad.jacfwd(two_layers, output_dir=output_dir)
    basis = np.eye(n)

    def separate(*a):
        tangents = [(e, None, None) for e in basis]
        return np.stack(
            [s2sad.jvp(two_layers, a, t, output_dir=output_dir)[1] for t in tangents],
            axis=1,
        )

    np.testing.assert_allclose(separate(*args), forward(*args), rtol=1e-12, atol=1e-14)
    return interleaved_ns_per_call(
        [
            ("s2sad.jacfwd (one batched call)", forward, args),
            (f"{n} s2sad.jvp calls", separate, args),
        ]
    )


def auto_rows(output_dir):
    """``(m, fwd, rev, auto)`` ns/call for n = 100 and each m of OUTPUTS."""
    jacobians = {
        m: s2sad.jacobian(two_layers, mode=m, output_dir=output_dir)
        for m in ("fwd", "rev", "auto")
    }
    rows = []
    for m in OUTPUTS:
        args = layer_arguments(100, m)
        for jacobian in jacobians.values():
            np.testing.assert_allclose(
                jacobian(*args), jacobians["rev"](*args), rtol=1e-12, atol=1e-14
            )
        times = dict(
            interleaved_ns_per_call([(mode, j, args) for mode, j in jacobians.items()])
        )
        rows.append(
            (m, times["fwd"], times["rev"], times["auto"], jacobians["auto"].mode)
        )
    return rows


def chain_rows(output_dir):
    """``(what, ns/call)`` of the bottleneck chain's Jacobians, and its plan."""
    args = chain_arguments()
    cases = []
    for mode in ("fwd", "rev", "optimal"):
        jacobian = s2sad.jacobian(autoencoder, mode=mode, output_dir=output_dir)
        cases.append((f"mode={mode}", jacobian, args))
    expected = cases[1][1](*args)
    for _, jacobian, _ in cases:
        np.testing.assert_allclose(jacobian(*args), expected, rtol=1e-12, atol=1e-14)
    plan = s2sad.jacobian_plan(autoencoder, *args, output_dir=output_dir)
    return interleaved_ns_per_call(cases), plan


def main():
    """Print the tables and whether each target is met (generated files go to a
    temporary folder)."""
    with tempfile.TemporaryDirectory() as output_dir:
        layers = layer_rows(output_dir)
        modes = mode_rows(output_dir)
        jvps = jvp_rows(output_dir)
        autos = auto_rows(output_dir)
        chain, plan = chain_rows(output_dir)
    print(machine())
    print("\nDense layer tanh(W x + b), 512 x 512")
    print_rows(layers, "f", "f")
    forward_ms = dict(layers)["s2sad.jacobian, mode=fwd"] / 1e6
    print(
        f"jacfwd {forward_ms:.3f} ms, target <= {LAYER_TARGET_MS}: {_verdict(forward_ms <= LAYER_TARGET_MS)}"
    )
    print("\nThe wrong mode")
    print_rows(modes, "32 -> 2048: jacfwd", "32 -> 2048 jacfwd")
    times = dict(modes)
    wrong = times["32 -> 2048: jacrev"] / times["32 -> 2048: jacfwd"]
    print(
        f"32 -> 2048 in reverse mode: {wrong:.0f} x slower, target >= {WRONG_TARGET:g}: {_verdict(wrong >= WRONG_TARGET)}"
    )
    print(
        f"2048 -> 32 in forward mode: {times['2048 -> 32: jacfwd'] / times['2048 -> 32: jacrev']:.0f} x slower"
    )
    print("\nBatched forward mode, n = 100")
    print_rows(jvps, "s2sad.jacfwd (one batched call)", "jacfwd")
    speedup = jvps[1][1] / jvps[0][1]
    print(
        f"batched: {speedup:.1f} x faster, target >= {JVPS_TARGET:g}: {_verdict(speedup >= JVPS_TARGET)}"
    )
    print("\nmode='auto', n = 100 (ns/call)")
    worst = 0.0
    for m, fwd, rev, auto, chosen in autos:
        ratio = auto / min(fwd, rev)
        worst = max(worst, ratio)
        print(
            f"m = {m:4d}: fwd {fwd:10.0f}  rev {rev:10.0f}  auto {auto:10.0f} ({chosen}, {ratio:.2f} x the better)"
        )
    print(
        f"auto at worst {worst:.2f} x the better mode, target <= {AUTO_TARGET}: {_verdict(worst <= AUTO_TARGET)}"
    )
    print("\nBottleneck chain 2000 -> 10 -> 2000")
    print(plan)
    print_rows(chain, "mode=optimal", "optimal")
    times = dict(chain)
    better = min(times["mode=fwd"], times["mode=rev"]) / times["mode=optimal"]
    print(
        f"bracketed: {better:.1f} x faster than the better pure mode, target >= {CHAIN_TARGET:g}: {_verdict(better >= CHAIN_TARGET)}"
    )


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


if __name__ == "__main__":
    main()
