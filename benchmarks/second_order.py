"""Second-order benchmark: Hessian-vector products, Hessians and Hessian traces.

Times, interleaved in one process on one BLAS thread (best of ``REPEATS``):

* Rosenbrock on a vector of 1e5 — the plain function, the gradient s2sad
  generates, its HVP (``s2sad.hvp``) and an HVP written by hand with NumPy;
* the loss of ``examples/mlp.py`` (2 208 weights, 300 points) — function,
  gradient and HVP;
* the Hessian of Rosenbrock n = 100 — ``s2sad.hessian`` (one batched call)
  against the function and against 100 separate HVP calls;
* Hutchinson's trace with 100 probes (one batched call) against 100 HVP calls;
* and autograd's, JAX's and PyTorch's HVPs when they happen to be installed.

Every product is checked against the hand-written HVP (or finite differences
of the gradient) before it is timed.  Run from the repository root:
``.venv/bin/python benchmarks/second_order.py``.
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
from arrays import rosenbrock  # noqa: E402
from mlp import initial_weights, loss, spirals  # noqa: E402
from scalar import interleaved_ns_per_call, machine, print_rows  # noqa: E402

import s2sad  # noqa: E402

HVP_TARGET = 2.0
"""Issue target: an HVP at most this many times our own gradient's time."""
HAND_TARGET = 1.2
"""Issue target: an HVP at most this many times the hand-written NumPy HVP."""
HESSIAN_TARGET = 15.0
"""Issue target: the Hessian of Rosenbrock n = 100 at most this many times f."""
TRACE_TARGET = 1.5
"""Issue target: Hutchinson with 100 probes at most this many times 100 HVPs."""


def rosenbrock_hvp_hand(x, v):
    """The Rosenbrock HVP as a person writes it from the tridiagonal Hessian."""
    head, tail, v_head, v_tail = x[:-1], x[1:], v[:-1], v[1:]
    product = np.zeros_like(x)
    product[:-1] = (1200.0 * head**2 - 400.0 * tail + 2.0) * v_head
    product[:-1] -= 400.0 * head * v_tail
    product[1:] += 200.0 * v_tail - 400.0 * head * v_head
    return product


def hundred_products(product, args, directions):
    """100 separate HVP calls, one per direction."""
    return [product(*args, v) for v in directions]


def framework_hvps(function, args, v):
    """``(what, hvp, args)`` for each installed AD library (HVP in argument 0)."""
    found = []
    try:
        import autograd
        import autograd.numpy as anp

        traced = _rebound(function, anp)
        gradient = autograd.grad(traced)
        found.append(
            (
                "autograd (reverse over reverse)",
                lambda *a: autograd.grad(
                    lambda x: anp.sum(gradient(x, *a[1:-1]) * a[-1])
                )(a[0]),
                (*args, v),
            )
        )
    except ImportError:
        print("autograd: not installed, skipped")
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        jax_traced = _rebound(function, jax.numpy)
        compiled = jax.jit(
            lambda x, *rest: jax.jvp(
                lambda y: jax.grad(jax_traced)(y, *rest[:-1]), (x,), (rest[-1],)
            )[1]
        )
        found.append(
            (
                "jax.jit(jvp(grad))",
                lambda *a: jax.block_until_ready(compiled(*a)),
                tuple(jax.device_put(a) for a in (*args, v)),
            )
        )
    except ImportError:
        print("jax: not installed, skipped")
    try:
        import torch

        torch.set_num_threads(1)
        torch_traced = _rebound(function, torch)

        def torch_hvp(x, *rest):
            x = x.detach().requires_grad_(True)
            out = torch_traced(x, *rest[:-1])
            (g,) = torch.autograd.grad(out, x, create_graph=True)
            return torch.autograd.grad(g, x, rest[-1])[0]

        found.append(
            (
                "torch double backward",
                torch_hvp,
                tuple(torch.from_numpy(np.asarray(a)) for a in (*args, v)),
            )
        )
    except ImportError:
        print("torch: not installed, skipped")
    return found


def _rebound(function, module):
    """``function`` with its ``np`` re-bound to ``module``."""
    import types

    return types.FunctionType(
        function.__code__, {**function.__globals__, "np": module}, function.__name__
    )


def rosenbrock_rows(output_dir):
    """``(what, ns/call)`` of Rosenbrock n = 1e5 and its second-order derivatives."""
    rng = np.random.default_rng(0)
    x, v = rng.normal(size=100_000), rng.normal(size=100_000)
    gradient = s2sad.grad(rosenbrock, output_dir=output_dir)
    hvp = s2sad.hvp(rosenbrock, output_dir=output_dir)
    expected = rosenbrock_hvp_hand(x, v)
    np.testing.assert_allclose(hvp(x, v), expected, rtol=1e-12, atol=1e-9)
    cases = [
        ("f", rosenbrock, (x,)),
        ("s2sad.grad", gradient, (x,)),
        ("s2sad.hvp", hvp, (x, v)),
        ("hand-written HVP", rosenbrock_hvp_hand, (x, v)),
    ]
    for what, product, args in framework_hvps(rosenbrock, (x,), v):
        np.testing.assert_allclose(np.asarray(product(*args)), expected, rtol=1e-10)
        cases.append((what, product, args))
    return interleaved_ns_per_call(cases)


def mlp_rows(output_dir):
    """``(what, ns/call)`` of the MLP loss, its gradient and its HVP."""
    X, labels, _ = spirals()
    weights = initial_weights()
    rng = np.random.default_rng(1)
    v = tuple(rng.normal(size=w.shape) for w in weights)
    gradient = s2sad.grad(loss, wrt=(0, 1, 2), output_dir=output_dir)
    hvp = s2sad.hvp(loss, wrt=(0, 1, 2), output_dir=output_dir)
    return interleaved_ns_per_call(
        [
            ("f", loss, (*weights, X, labels)),
            ("s2sad.grad", gradient, (*weights, X, labels)),
            ("s2sad.hvp", hvp, (*weights, X, labels, v)),
        ]
    )


def hessian_rows(output_dir):
    """``(what, ns/call)`` of the Rosenbrock n = 100 Hessian, batched and not."""
    x = np.random.default_rng(2).normal(size=100)
    hessian = s2sad.hessian(rosenbrock, output_dir=output_dir)
    hvp = s2sad.hvp(rosenbrock, output_dir=output_dir)
    basis = list(np.eye(100))
    expected = np.array([rosenbrock_hvp_hand(x, e) for e in basis])
    np.testing.assert_allclose(hessian(x), expected, rtol=1e-12, atol=1e-9)
    return interleaved_ns_per_call(
        [
            ("f", rosenbrock, (x,)),
            ("s2sad.hessian (batched)", hessian, (x,)),
            ("100 s2sad.hvp calls", hundred_products, (hvp, (x,), basis)),
        ]
    )


def trace_rows(output_dir):
    """``(what, ns/call)`` of Hutchinson's trace with 100 probes against 100 HVPs."""
    x = np.random.default_rng(3).normal(size=1000)
    trace = s2sad.hutchinson_trace(
        rosenbrock, samples=100, seed=0, output_dir=output_dir
    )
    hvp = s2sad.hvp(rosenbrock, output_dir=output_dir)
    probes = list(np.random.default_rng(4).choice([-1.0, 1.0], size=(100, 1000)))
    return interleaved_ns_per_call(
        [
            ("hutchinson_trace, 100 probes", trace, (x,)),
            ("100 s2sad.hvp calls", hundred_products, (hvp, (x,), probes)),
        ]
    )


def main() -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as output_dir:
        tables = {
            "Rosenbrock n=1e5": rosenbrock_rows(output_dir),
            "MLP loss (examples/mlp.py)": mlp_rows(output_dir),
            "Hessian of Rosenbrock n=100": hessian_rows(output_dir),
            "Hessian trace, Rosenbrock n=1e3": trace_rows(output_dir),
        }
    for title, rows in tables.items():
        print(f"\n{title}")
        print_rows(rows, rows[0][0], rows[0][0])
    rosen, net, full, trace = (dict(rows) for rows in tables.values())
    checks = [
        (
            "Rosenbrock HVP / gradient",
            rosen["s2sad.hvp"] / rosen["s2sad.grad"],
            HVP_TARGET,
        ),
        (
            "Rosenbrock HVP / hand-written",
            rosen["s2sad.hvp"] / rosen["hand-written HVP"],
            HAND_TARGET,
        ),
        ("MLP HVP / gradient", net["s2sad.hvp"] / net["s2sad.grad"], HVP_TARGET),
        (
            "Hessian n=100 / f",
            full["s2sad.hessian (batched)"] / full["f"],
            HESSIAN_TARGET,
        ),
        (
            "Hutchinson 100 / 100 HVPs",
            trace["hutchinson_trace, 100 probes"] / trace["100 s2sad.hvp calls"],
            TRACE_TARGET,
        ),
    ]
    print()
    for what, ratio, target in checks:
        verdict = "met" if ratio <= target else f"MISSED (target ≤ {target})"
        print(f"{what}: {ratio:.2f} x — {verdict}")


if __name__ == "__main__":
    main()
