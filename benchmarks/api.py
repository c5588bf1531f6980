"""Public-API benchmark: what ``s2sad.jvp``, ``s2sad.vjp`` and a checked gradient add per call, and a warm start.

Per call, interleaved (each round times every variant once; the best round
counts): the generated functions of ``L`` (``examples/autodiff_intro.py``)
called directly, then through ``s2sad.jvp(L, primals, tangents)``, the
checked ``s2sad.grad(L)`` and ``s2sad.grad(L)`` looked up again.  The warm
start is ``s2sad.grad(L)`` in a fresh process whose output directory already
holds the current file (median of several processes).

Run from the repository root: ``.venv/bin/python benchmarks/api.py``.
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import s2sad
import s2sad.api

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
from autodiff_intro import L  # noqa: E402

CALLS = 20000
ROUNDS = 7
FRESH_RUNS = 5
OVERHEAD_TARGET_US = 1.0
WARM_TARGET_MS = 2.0

WARM_SCRIPT = """
import sys, time
sys.path.insert(0, "examples")
start = time.perf_counter()
import s2sad
from autodiff_intro import L
imported = time.perf_counter()
s2sad.grad(L, wrt=(0, 1), output_dir=sys.argv[1])
print((time.perf_counter() - imported) * 1e3)
"""


def per_call_us(fn) -> float:
    """Microseconds per call of ``fn`` over one loop of ``CALLS`` calls."""
    start = time.perf_counter()
    for _ in range(CALLS):
        fn()
    return (time.perf_counter() - start) / CALLS * 1e6


def interleaved(variants: dict) -> dict:
    """The best of ``ROUNDS`` rounds for each variant, rounds interleaving them."""
    best = {name: float("inf") for name in variants}
    for _ in range(ROUNDS):
        for name, fn in variants.items():
            best[name] = min(best[name], per_call_us(fn))
    return best


def warm_start_ms(directory: str) -> float:
    """Median milliseconds of ``grad(L)`` in fresh processes finding its file."""
    subprocess.run(
        [sys.executable, "-c", WARM_SCRIPT, directory],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    times = []
    for _ in range(FRESH_RUNS):
        out = subprocess.run(
            [sys.executable, "-c", WARM_SCRIPT, directory],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        times.append(float(out))
    return statistics.median(times)


def main() -> None:
    """Print the per-call overheads and the warm start against their targets."""
    with tempfile.TemporaryDirectory() as directory:
        generated_jvp = s2sad.api.jvp_function(L, output_dir=directory)
        checked = s2sad.grad(L, wrt=(0, 1), output_dir=directory)
        raw = checked.generated
        times = interleaved(
            {
                "generated jvp": lambda: generated_jvp(2.0, 3.0, 1.0, 0.0),
                "s2sad.jvp": lambda: s2sad.jvp(
                    L, (2.0, 3.0), (1.0, 0.0), output_dir=directory
                ),
                "generated grad": lambda: raw(2.0, 3.0),
                "checked grad": lambda: checked(2.0, 3.0),
                "grad(L) again": lambda: s2sad.grad(
                    L, wrt=(0, 1), output_dir=directory
                ),
            }
        )
        warm = warm_start_ms(directory)
    rows = [
        ("s2sad.jvp adds", times["s2sad.jvp"] - times["generated jvp"]),
        ("checked grad adds", times["checked grad"] - times["generated grad"]),
        ("grad(L) looked up again", times["grad(L) again"]),
    ]
    for name, value in rows:
        verdict = "ok" if value <= OVERHEAD_TARGET_US else "over target"
        print(
            f"{name:26s} {value:6.2f} µs   (target ≤ {OVERHEAD_TARGET_US} µs: {verdict})"
        )
    verdict = "ok" if warm <= WARM_TARGET_MS else "over target"
    print(
        f"{'warm start grad(L)':26s} {warm:6.2f} ms   (target ≤ {WARM_TARGET_MS} ms: {verdict})"
    )


if __name__ == "__main__":
    main()
