"""Second-order benchmark: Hessian-vector products, Hessians and Hessian traces.

Times, interleaved in one process on one BLAS thread (best of ``REPEATS``):

* Rosenbrock on a vector of 1e5 — the plain function, the gradient s2sad
  generates, its HVP (``s2sad.hvp``) and an HVP written by hand with NumPy;
* the loss of ``examples/mlp.py`` (2 208 weights, 300 points) — function,
  gradient and HVP;
* the Hessian of Rosenbrock n = 100 — ``s2sad.hessian`` (one batched call)
  against the function, against 100 separate HVP calls and against
  ``torch.func.hessian`` where PyTorch is installed;
* Hutchinson's trace with 100 probes (one batched call) against 100 HVP calls;
* and autograd's, JAX's and PyTorch's HVPs (on Rosenbrock and the MLP) when
  they happen to be installed.

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


def framework_hvps(function, args, directions):
    """``(what, hvp, args)`` for each installed AD library: the product of the
    Hessian over the first ``len(directions)`` arguments with ``directions``
    (a tuple of one direction per such argument), returned as a tuple."""
    count = len(directions)
    found = []
    try:
        import autograd
        import autograd.numpy as anp

        traced = _rebound(function, anp)

        def autograd_hvp(*a):
            weights, rest, v = a[:count], a[count:-1], a[-1]
            gradient = autograd.grad(lambda w: traced(*w, *rest))
            inner = lambda w: sum(anp.sum(g * d) for g, d in zip(gradient(w), v))
            return tuple(autograd.grad(inner)(weights))

        found.append(
            ("autograd (reverse over reverse)", autograd_hvp, (*args, directions))
        )
    except ImportError:
        print("autograd: not installed, skipped")
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        jax_traced = _rebound(function, jax.numpy)

        def jax_hvp(weights, rest, v):
            gradient = jax.grad(lambda w: jax_traced(*w, *rest))
            return jax.jvp(gradient, (weights,), (v,))[1]

        compiled = jax.jit(jax_hvp)
        found.append(
            (
                "jax.jit(jvp(grad))",
                lambda *a: jax.block_until_ready(
                    compiled(a[:count], a[count:-1], a[-1])
                ),
                jax.device_put((*args, directions)),
            )
        )
    except ImportError:
        print("jax: not installed, skipped")
    try:
        import torch

        torch.set_num_threads(1)
        torch_traced = _rebound(function, _TorchNumPy(torch))

        def torch_hvp(*a):
            weights = [w.detach().requires_grad_(True) for w in a[:count]]
            out = torch_traced(*weights, *a[count:-1])
            gradient = torch.autograd.grad(out, weights, create_graph=True)
            return torch.autograd.grad(gradient, weights, a[-1])

        tensors = tuple(torch.from_numpy(np.asarray(a)) for a in args)
        found.append(
            (
                "torch double backward",
                torch_hvp,
                (*tensors, tuple(torch.from_numpy(d) for d in directions)),
            )
        )
    except ImportError:
        print("torch: not installed, skipped")
    return found


def torch_hessian(function):
    """PyTorch's Hessian of ``function`` (of one vector), or None where PyTorch
    is not installed: ``torch.func.hessian`` (forward over reverse, vectorised
    by ``vmap``), the fastest of its Hessians here."""
    try:
        import torch
        import torch.func
    except ImportError:
        return None
    torch.set_num_threads(1)
    hessian = torch.func.hessian(_rebound(function, _TorchNumPy(torch)))
    return lambda x: hessian(torch.from_numpy(x))


class _TorchNumPy:
    """The NumPy functions the benchmarked functions call, on PyTorch tensors."""

    def __init__(self, torch):
        self.torch = torch
        self.exp, self.log, self.mean = torch.exp, torch.log, torch.mean

    def sum(self, x, axis=None, keepdims=False):
        if axis is None:
            return self.torch.sum(x)
        return self.torch.sum(x, dim=axis, keepdim=keepdims)

    def max(self, x, axis=None, keepdims=False):
        return self.torch.amax(x, dim=axis, keepdim=keepdims)


def _rebound(function, module):
    """``function``, and every function of its module it calls, with ``np``
    re-bound to ``module``."""
    import types

    namespace = {**function.__globals__, "np": module}
    for name, value in function.__globals__.items():
        if (
            isinstance(value, types.FunctionType)
            and value.__module__ == function.__module__
        ):
            namespace[name] = types.FunctionType(value.__code__, namespace, name)
    return namespace[function.__name__]


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
    for what, product, args in framework_hvps(rosenbrock, (x,), (v,)):
        (found,) = product(*args)
        np.testing.assert_allclose(np.asarray(found), expected, rtol=1e-10)
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
    expected = hvp(*weights, X, labels, v)
    step = 1e-6
    plus = gradient(*(w + step * d for w, d in zip(weights, v)), X, labels)
    minus = gradient(*(w - step * d for w, d in zip(weights, v)), X, labels)
    for product, p, m in zip(expected, plus, minus):
        np.testing.assert_allclose(product, (p - m) / (2 * step), rtol=1e-5, atol=1e-7)
    cases = [
        ("f", loss, (*weights, X, labels)),
        ("s2sad.grad", gradient, (*weights, X, labels)),
        ("s2sad.hvp", hvp, (*weights, X, labels, v)),
    ]
    for what, product, args in framework_hvps(loss, (*weights, X, labels), v):
        for found, wanted in zip(product(*args), expected):
            np.testing.assert_allclose(np.asarray(found), wanted, rtol=1e-9, atol=1e-12)
        cases.append((what, product, args))
    return interleaved_ns_per_call(cases)


def hessian_rows(output_dir):
    """``(what, ns/call)`` of the Rosenbrock n = 100 Hessian, batched and not."""
    x = np.random.default_rng(2).normal(size=100)
    hessian = s2sad.hessian(rosenbrock, output_dir=output_dir)
    hvp = s2sad.hvp(rosenbrock, output_dir=output_dir)
    basis = list(np.eye(100))
    expected = np.array([rosenbrock_hvp_hand(x, e) for e in basis])
    np.testing.assert_allclose(hessian(x), expected, rtol=1e-12, atol=1e-9)
    cases = [
        ("f", rosenbrock, (x,)),
        ("s2sad.hessian (batched)", hessian, (x,)),
        ("100 s2sad.hvp calls", hundred_products, (hvp, (x,), basis)),
    ]
    theirs = torch_hessian(rosenbrock)
    if theirs is not None:
        np.testing.assert_allclose(np.asarray(theirs(x)), expected, rtol=1e-10)
        cases.append(("torch.func.hessian", theirs, (x,)))
    return interleaved_ns_per_call(cases)


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
