"""Adaptive time stepping to a tolerance, reversed by online checkpointing.

A reaction-diffusion equation ``u' = D Δu − k u³`` on a ring of cells is
integrated from ``t = 0`` to ``T`` by Heun's method with a step-size
controller: each step estimates its error from the Euler step it embeds and
sizes the next step to keep that error near a tolerance.  How many steps that
takes is known only once ``t`` reaches ``T``, so the loop is a ``while``
loop; ``s2sad.checkpointed(t < T, snapshots=8)`` reverses it keeping at most 8
states, by the online schedule of :mod:`s2sad.schedules`.  The example
differentiates the final energy with respect to the reaction rate ``k``,
compares the gradient with the one storing every step and with finite
differences, prints the peak memory (tracemalloc) and time of both, and
what the online schedule did (``s2sad.memory_report``) against offline revolve
knowing the step count.

Run ``python examples/adaptive_stepping.py``.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import s2sad  # noqa: E402
from checkpointing import measure_gradient  # noqa: E402
from s2sad.schedules import fewest_advances  # noqa: E402

TOLERANCE = 1e-4
DIFFUSION = 0.5


def rate(u, k: float):
    """The right-hand side ``D Δu − k u³`` on a ring of cells."""
    return DIFFUSION * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1)) - k * u**3


def heun_step(u, k: float, h: float, t: float, T: float):
    """One step of Heun's method from ``t``, of size ``h`` (or what is left to
    ``T``): the new state, the size of the next step and the new time."""
    step = np.minimum(h, T - t)
    slope = rate(u, k)
    ahead = rate(u + step * slope, k)
    error = np.sqrt(np.mean((0.5 * step * (ahead - slope)) ** 2)) + 1e-300
    grow = np.minimum(2.0, np.maximum(0.5, 0.9 * np.sqrt(TOLERANCE / error)))
    return u + 0.5 * step * (slope + ahead), step * grow, t + step


def energy(u, k: float, T: float):
    """The energy of the state at ``T``, stepping adaptively, reversed online."""
    t, h = 0.0, 1e-3
    while s2sad.checkpointed(t < T, snapshots=8):
        u, h, t = heun_step(u, k, h, t, T)
    return np.sum(u * u)


def energy_stored(u, k: float, T: float):
    """The same loop, every step stored by reverse mode."""
    t, h = 0.0, 1e-3
    while t < T:
        u, h, t = heun_step(u, k, h, t, T)
    return np.sum(u * u)


def steps_taken(u, k: float, T: float) -> int:
    """How many steps the controller takes to reach ``T``."""
    t, h, count = 0.0, 1e-3, 0
    while t < T:
        u, h, t = heun_step(u, k, h, t, T)
        count += 1
    return count


def initial_state(cells: int = 4000) -> np.ndarray:
    """A smooth bump plus a ripple on ``cells`` cells."""
    x = np.linspace(0.0, 2.0 * np.pi, cells, endpoint=False)
    return 1.0 + 0.5 * np.sin(x) + 0.2 * np.sin(7.0 * x)


def main(cells: int = 4000, T: float = 20.0, output_dir=None) -> dict:
    """Print and return the gradients and their memory and time."""
    output_dir = output_dir or tempfile.mkdtemp()
    u, k = initial_state(cells), 0.3
    args = (u, k, T)
    online = s2sad.grad(energy, wrt=1, output_dir=output_dir)
    stored = s2sad.grad(energy_stored, wrt=1, output_dir=output_dir)
    found, peak, seconds = measure_gradient(online, args)
    expected, stored_peak, stored_seconds = measure_gradient(stored, args)
    h = 1e-6
    fd = (energy(u, k + h, T) - energy(u, k - h, T)) / (2 * h)
    count = steps_taken(u, k, T)
    report = s2sad.memory_report(energy, *args, wrt=1, output_dir=output_dir)
    ((_, schedule),) = report.loops
    print(f"{cells} cells to T = {T}: {count} adaptive steps (tolerance {TOLERANCE})")
    print(f"  dE/dk online checkpointing, 8 snapshots  {found!r}")
    print(f"  dE/dk every step stored                  {expected!r}")
    print(f"  dE/dk central differences                {fd!r}")
    print(
        f"  peak memory: {stored_peak / 2**20:.1f} MiB stored, {peak / 2**20:.2f} "
        f"MiB checkpointed ({stored_peak / peak:.0f} x less)"
    )
    print(
        f"  time: {stored_seconds * 1e3:.0f} ms stored, {seconds * 1e3:.0f} ms "
        f"checkpointed ({seconds / stored_seconds:.1f} x)"
    )
    print(
        f"  online schedule: {schedule.advances} steps rerun untaped (revolve "
        f"knowing the count: {fewest_advances(count, schedule.snapshots)}), "
        f"{schedule.writes} snapshot writes, {schedule.restores} restores, at most "
        f"{schedule.peak_snapshots} snapshots ({schedule.peak_bytes / 2**20:.2f} MiB)"
    )
    return {
        "online": found,
        "stored": expected,
        "finite_differences": fd,
        "steps": count,
        "schedule": schedule,
        "peaks": (peak, stored_peak),
    }


if __name__ == "__main__":
    main()
