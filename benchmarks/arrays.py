"""Array benchmark: generated NumPy gradients against hand-written ones.

Times, per call, three functions of the issue — Rosenbrock on a vector
(n = 1e3 and 1e5), the multidimensional-scaling loss of ``examples/mds.py``
(N = 200 points in 2-D) and a 3-layer tanh network (batch 256, width 256,
squared error) — each as the plain function, the gradient s2sad generates and a
gradient written by hand with NumPy (and autograd's, JAX's and PyTorch's when
they happen to be installed).  Every gradient is checked against the
hand-written one before it is timed.  The headline numbers are ratios.

The element-loop benchmark times a recurrence written one element at a time,
``y[i] = a * y[i - 1] + x[i]`` for 1000 elements, its generated gradient and
jvp and a hand-written gradient, interleaved, as ratios to the function.

Run from the repository root: ``.venv/bin/python benchmarks/arrays.py`` (one BLAS
thread unless ``OPENBLAS_NUM_THREADS`` says otherwise).
"""

import os
import sys
import tempfile
from pathlib import Path

# One BLAS thread, as the README's figures were taken; set before NumPy loads BLAS.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "examples"))
from mds import mds_loss  # noqa: E402
from scalar import interleaved_ns_per_call, machine, ns_per_call  # noqa: E402

import s2sad  # noqa: E402

TARGET = 1.2
"""Issue target: generated gradient at most this many times the hand-written NumPy gradient."""


ELEMENT_LOOP_TARGET = 4.0
"""Issue target: the gradient of the element loop at most this many times the function."""


def recurrence(x, a):
    """yᵢ = a·yᵢ₋₁ + xᵢ written element by element; returns Σ yᵢ."""
    n = x.shape[0]
    y = np.zeros(n)
    y[0] = x[0]
    for i in range(1, n):
        y[i] = a * y[i - 1] + x[i]
    return np.sum(y)


def recurrence_hand(x, a):
    """The recurrence's gradient as a person writes it: ȳᵢ = 1 + a·ȳᵢ₊₁ backwards,
    then x̄ = ȳ and ā = Σ ȳᵢ·yᵢ₋₁."""
    n = x.shape[0]
    y = np.zeros(n)
    y[0] = x[0]
    for i in range(1, n):
        y[i] = a * y[i - 1] + x[i]
    x_bar = np.zeros(n)
    y_bar, a_bar = 0.0, 0.0
    for i in range(n - 1, 0, -1):
        y_bar = 1.0 + a * y_bar
        x_bar[i] = y_bar
        a_bar += y_bar * y[i - 1]
    x_bar[0] = 1.0 + a * y_bar
    return x_bar, a_bar


def rosenbrock(x):
    """Σᵢ 100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hand(x):
    """The Rosenbrock gradient as a person writes it."""
    head = x[:-1]
    gap = x[1:] - head**2
    gradient = np.zeros_like(x)
    gradient[:-1] = -400.0 * head * gap - 2.0 * (1.0 - head)
    gradient[1:] += 200.0 * gap
    return gradient


def mds_hand(W, D):
    """The MDS gradient: 4 Σⱼ (rᵢⱼ + rⱼᵢ)(Wᵢ − Wⱼ) with rᵢⱼ = ‖Wᵢ − Wⱼ‖² − Dᵢⱼ."""
    differences = W[:, None, :] - W[None, :, :]
    residual = np.sum(differences**2, axis=-1) - D
    both = residual + residual.T
    return 4.0 * (np.sum(both, axis=1)[:, None] * W - both @ W)


def mds_hand_chain_rule(W, D):
    """The MDS gradient by the chain rule alone, as backpropagation computes it."""
    differences = W[:, None, :] - W[None, :, :]
    residual = np.sum(differences**2, axis=-1) - D
    outer = 4.0 * residual[:, :, None] * differences
    return np.sum(outer, axis=1) - np.sum(outer, axis=0)


def network_loss(W1, b1, W2, b2, W3, b3, X, Y):
    """Half the mean squared error of a 3-layer tanh network on a batch."""
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    out = h2 @ W3 + b3
    return 0.5 * np.mean(np.sum((out - Y) ** 2, axis=1))


def network_hand(W1, b1, W2, b2, W3, b3, X, Y):
    """Backpropagation through the network, written by hand."""
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    out = h2 @ W3 + b3
    d_out = (out - Y) / X.shape[0]
    d_h2 = (d_out @ W3.T) * (1.0 - h2**2)
    d_h1 = (d_h2 @ W2.T) * (1.0 - h1**2)
    return (
        X.T @ d_h1,
        d_h1.sum(axis=0),
        h1.T @ d_h2,
        d_h2.sum(axis=0),
        h2.T @ d_out,
        d_out.sum(axis=0),
    )


def cases():
    """(name, function, wrt, arguments, hand-written gradient) of each benchmark."""
    rng = np.random.default_rng(0)
    points = rng.normal(size=(200, 2))
    D = np.sum((points[:, None, :] - points[None, :, :]) ** 2, axis=-1)
    width, batch = 256, 256
    network = [
        rng.normal(size=(width, width)) / 16,
        np.zeros(width),
        rng.normal(size=(width, width)) / 16,
        np.zeros(width),
        rng.normal(size=(width, width)) / 16,
        np.zeros(width),
        rng.normal(size=(batch, width)),
        rng.normal(size=(batch, width)),
    ]
    return [
        ("Rosenbrock n=1e3", rosenbrock, 0, [rng.normal(size=1000)], rosenbrock_hand),
        (
            "Rosenbrock n=1e5",
            rosenbrock,
            0,
            [rng.normal(size=100_000)],
            rosenbrock_hand,
        ),
        ("MDS N=200, d=2", mds_loss, 0, [rng.normal(size=(200, 2)), D], mds_hand),
        ("MLP 3 layers, 256x256", network_loss, tuple(range(6)), network, network_hand),
    ]


def autograd_gradient(function, wrt, args):
    """autograd's gradient (it traces ``np`` calls through ``autograd.numpy``)."""
    import autograd

    return autograd.grad(_with_numpy(function, "autograd.numpy"), argnum=wrt), args


def jax_gradient(function, wrt, args):
    """JAX's jit-compiled gradient in float64, on arguments already in JAX arrays,
    waiting for the result."""
    import jax

    jax.config.update("jax_enable_x64", True)
    compiled = jax.jit(jax.grad(_with_numpy(function, "jax.numpy"), argnums=wrt))
    arrays = [jax.device_put(a) for a in args]
    return (lambda *a: jax.block_until_ready(compiled(*a))), arrays


def torch_gradient(function, wrt, args):
    """PyTorch's eager gradient (``np`` calls re-bound to ``torch``), one thread,
    on tensors sharing the arguments' memory."""
    import torch

    torch.set_num_threads(1)
    traced = _with_numpy(function, "torch")
    positions = (wrt,) if isinstance(wrt, int) else wrt
    tensors = [
        torch.from_numpy(a).requires_grad_(k in positions) for k, a in enumerate(args)
    ]

    def gradient(*inputs):
        grads = torch.autograd.grad(traced(*inputs), [inputs[k] for k in positions])
        return grads[0] if isinstance(wrt, int) else grads

    return gradient, tensors


def _with_numpy(function, module):
    """``function`` re-bound to a NumPy look-alike module."""
    import importlib
    import types

    namespace = dict(function.__globals__)
    namespace["np"] = importlib.import_module(module)
    return types.FunctionType(function.__code__, namespace, function.__name__)


FRAMEWORKS = {
    "autograd.grad": autograd_gradient,
    "jax.jit(jax.grad)": jax_gradient,
    "torch eager": torch_gradient,
}
"""Other AD libraries timed when importable: ``make(function, wrt, args)`` gives
their gradient and the arguments in their own array type."""


def _numpy(gradient):
    """A gradient (or tuple of them) as NumPy arrays."""
    if isinstance(gradient, tuple):
        return tuple(_numpy(g) for g in gradient)
    return np.asarray(gradient.detach() if hasattr(gradient, "detach") else gradient)


def same(gradient, expected):
    """True when two gradients (arrays or tuples of arrays) agree to 1e-8 relative."""
    if isinstance(expected, tuple):
        return all(same(g, e) for g, e in zip(gradient, expected))
    return np.allclose(
        gradient, expected, rtol=1e-8, atol=1e-10 * np.max(np.abs(expected))
    )


def rows_for(name, function, wrt, args, hand, output_dir):
    """Timed rows of one case; the gradients are checked first."""
    generated = s2sad.grad(function, wrt=wrt, output_dir=output_dir)
    expected = hand(*args)
    if not same(generated(*args), expected):
        raise SystemExit(
            f"{name}: the generated gradient disagrees with the hand-written one"
        )
    rows = [
        ("function", ns_per_call(function, args)),
        ("s2sad.grad (generated)", ns_per_call(generated, args)),
        ("hand-written gradient", ns_per_call(hand, args)),
    ]
    if function is mds_loss and same(mds_hand_chain_rule(*args), expected):
        rows.append(
            ("hand-written, chain rule only", ns_per_call(mds_hand_chain_rule, args))
        )
    for label, make in FRAMEWORKS.items():
        try:
            other, own_args = make(function, wrt, args)
        except ImportError:
            continue
        if not same(_numpy(other(*own_args)), expected):
            raise SystemExit(
                f"{name}: {label} disagrees with the hand-written gradient"
            )
        rows.append((label, ns_per_call(other, own_args)))
    return rows


def element_loop_rows(output_dir):
    """``(what, ns/call)`` for the recurrence, its generated gradient and jvp and the
    hand-written gradient, timed interleaved; each derivative is checked first."""
    x = np.random.default_rng(1).uniform(-1.0, 1.0, 1000)
    args = (x, 0.9)
    grad = s2sad.grad(recurrence, wrt=(0, 1), output_dir=output_dir)
    jvp = s2sad.api.jvp_function(recurrence, output_dir=output_dir)
    expected = recurrence_hand(*args)
    direction = np.sum(expected[0]) + expected[1]
    if not same(grad(*args), expected) or not np.isclose(
        jvp(x, 0.9, np.ones_like(x), 1.0)[1], direction, rtol=1e-12
    ):
        raise SystemExit(
            "recurrence: a generated derivative disagrees with the hand-written one"
        )
    return interleaved_ns_per_call(
        [
            ("recurrence (1000 elements)", recurrence, args),
            ("s2sad.grad (generated)", grad, args),
            ("s2sad jvp, one direction (generated)", jvp, (x, 0.9, x, 1.0)),
            ("hand-written gradient", recurrence_hand, args),
        ]
    )


def print_element_loop(rows):
    """The element-loop table, its verdict and its Markdown rows."""
    base = rows[0][1]
    print("\nelement loop: y[i] = a * y[i - 1] + x[i]")
    for what, time in rows:
        print(f"  {what:<40} {time / 1e3:>10.1f} µs  {time / base:>7.2f} × f")
    ratio = dict(rows)["s2sad.grad (generated)"] / base
    verdict = "met" if ratio <= ELEMENT_LOOP_TARGET else "MISSED"
    print(
        f"  generated gradient / f = {ratio:.2f}: {verdict} (target <= {ELEMENT_LOOP_TARGET})"
    )
    print("\n| what | µs/call | × `recurrence` |\n|---|---:|---:|")
    for what, time in rows:
        print(f"| {what} | {time / 1e3:.1f} | {time / base:.2f} |")


def main():
    """Run the benchmarks and print a table of ratios, and the Markdown rows for the README."""
    print(machine())
    markdown = []
    with tempfile.TemporaryDirectory() as output_dir:
        print_element_loop(element_loop_rows(output_dir))
        for name, function, wrt, args, hand in cases():
            rows = dict(rows_for(name, function, wrt, args, hand, output_dir))
            base, hand_time = rows["function"], rows["hand-written gradient"]
            generated = rows["s2sad.grad (generated)"]
            ratio = generated / hand_time
            verdict = "met" if ratio <= TARGET else f"MISSED (target <= {TARGET})"
            print(f"\n{name}")
            for what, time in rows.items():
                print(f"  {what:<24} {time / 1e3:>10.1f} µs  {time / base:>7.2f} × f")
            print(f"  generated / hand-written = {ratio:.2f}: {verdict}")
            others = ", ".join(
                f"{what} {time / hand_time:.2f}×"
                for what, time in rows.items()
                if what
                not in ("function", "s2sad.grad (generated)", "hand-written gradient")
            )
            markdown.append(
                f"| {name} | {generated / base:.2f} | {hand_time / base:.2f} | "
                f"{ratio:.2f} | {others or 'not installed'} |"
            )
    print(
        "\n| case | generated grad × f | hand grad × f | generated × hand | others × hand |"
    )
    print("|---|---:|---:|---:|---|")
    print("\n".join(markdown))


if __name__ == "__main__":
    main()
