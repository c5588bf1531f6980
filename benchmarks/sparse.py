"""Sparse benchmark: coloured Hessians and Jacobians against dense ones.

Times, interleaved in one process on one BLAS thread (best of ``REPEATS``),
on Rosenbrock n = 3000 (a tridiagonal Hessian, 4 products with the check
direction): the function, its gradient, one HVP, the sparse Hessian as
triplets (``dense=False``) and as a dense array, and the dense Hessian (every
basis direction in one batch); and a tridiagonal Jacobian of n = 3000 outputs,
coloured against ``jacfwd``.  Every coloured result is checked against the
dense one before it is timed.  Run from the repository root:
``.venv/bin/python benchmarks/sparse.py``.
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
from arrays import rosenbrock  # noqa: E402
from scalar import interleaved_ns_per_call, machine, print_rows  # noqa: E402

import s2sad  # noqa: E402

N = 3000
GRADIENTS_TARGET = 10.0
"""Issue target: the coloured Hessian of Rosenbrock n = 3000 in at most this
many gradients' time."""


def banded(x):
    """A map with a tridiagonal Jacobian."""
    y = np.zeros_like(x)
    y[1:-1] = x[:-2] - 2.0 * x[1:-1] ** 2 + np.sin(x[2:])
    y[0] = x[0] ** 3
    y[-1] = x[-1] * x[-2]
    return y


def main():
    """Print the tables and whether the target is met (generated files go to a
    temporary folder)."""
    with tempfile.TemporaryDirectory() as output_dir:
        rows = timed_rows(output_dir)
    print(machine())
    print(f"\nRosenbrock and a banded map, n = {N}")
    print_rows(rows, "s2sad.grad", "the gradient")
    times = dict(rows)
    gradients = times["sparse Hessian, triplets"] / times["s2sad.grad"]
    verdict = "met" if gradients <= GRADIENTS_TARGET else "MISSED"
    print(
        f"\nsparse Hessian (triplets): {gradients:.1f} gradients, target "
        f"<= {GRADIENTS_TARGET:g}: {verdict}"
    )


def timed_rows(output_dir):
    """The checked cases, timed, with their files in ``output_dir``."""
    out = {"output_dir": output_dir}
    x = np.linspace(-1.0, 1.5, N)
    pattern = np.abs(np.subtract.outer(np.arange(N), np.arange(N))) <= 1
    dense_hessian = s2sad.hessian(rosenbrock, **out)
    triplets = s2sad.hessian(rosenbrock, sparsity=pattern, dense=False, **out)
    coloured = s2sad.hessian(rosenbrock, sparsity=pattern, **out)
    expected = dense_hessian(x)
    values, at = triplets(x)
    assert np.allclose(values, expected[at], rtol=1e-12)
    assert np.allclose(coloured(x), expected, rtol=1e-12)
    jacobian = s2sad.jacobian(banded, sparsity=pattern, **out)
    assert np.allclose(jacobian(x), s2sad.jacfwd(banded, **out)(x), rtol=1e-12)
    hvp = s2sad.hvp(rosenbrock, **out)
    rows = interleaved_ns_per_call(
        [
            ("f", rosenbrock, (x,)),
            ("s2sad.grad", s2sad.grad(rosenbrock, **out), (x,)),
            ("s2sad.hvp", hvp, (x, x)),
            ("sparse Hessian, triplets", triplets, (x,)),
            ("sparse Hessian, dense array", coloured, (x,)),
            ("dense Hessian (n directions)", dense_hessian, (x,)),
            ("sparse Jacobian of banded", jacobian, (x,)),
            ("jacfwd of banded", s2sad.jacfwd(banded, **out), (x,)),
        ]
    )
    return rows


if __name__ == "__main__":
    main()
