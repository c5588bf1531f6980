"""Hessian benchmark: the Hessian of Rosenbrock's function against the function.

``rosenbrock(x) = Σ 100 (x[1:] - x[:-1]²)² + (1 - x[:-1])²`` for n = 100; its
Hessian by ``s2sad.hessian`` is one call of the batched Hessian-vector
product, the 100 basis directions in one batch.  For comparison, the
Hessian by 100 calls of ``s2sad.hvp`` is timed too.  Each time is the best
of 7 runs (each the mean of many calls), the three interleaved in one
process, with one BLAS thread; the headline number is the Hessian's time as
a multiple of the function's (the target is at most 15).

Run from the repository root: ``.venv/bin/python benchmarks/hessian.py``.
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import s2sad  # noqa: E402

N = 100
REPEATS = 7


def rosenbrock(x: np.ndarray):
    return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def mean_time(fn, x, calls: int) -> float:
    """Seconds per call of ``fn(x)``, over ``calls`` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn(x)
    return (time.perf_counter() - start) / calls


def main() -> None:
    x = np.random.default_rng(0).uniform(-1.0, 1.0, N)
    with tempfile.TemporaryDirectory() as directory:
        hessian = s2sad.hessian(rosenbrock, output_dir=directory)
        hvp = s2sad.hvp(rosenbrock, output_dir=directory)
        identity = np.eye(N)

        def by_products(x):
            return np.array([hvp(x, e) for e in identity])

        np.testing.assert_allclose(hessian(x), by_products(x), rtol=1e-12, atol=1e-9)
        timed = {"f": (rosenbrock, 2000), "hessian": (hessian, 200)}
        timed["100 hvp calls"] = (by_products, 20)
        best = {name: float("inf") for name in timed}
        for _ in range(REPEATS):
            for name, (fn, calls) in timed.items():
                best[name] = min(best[name], mean_time(fn, x, calls))
    for name, seconds in best.items():
        ratio = seconds / best["f"]
        print(f"{name:>14}: {seconds * 1e6:9.1f} µs  {ratio:7.1f} × f")


if __name__ == "__main__":
    main()
