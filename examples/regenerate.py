"""Writes every committed file under generated/ (run by `make generated`; checked by the tests)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from autodiff_intro import L, gaussian_log_likelihood, rosenbrock, sigmoid  # noqa: E402
from branches import huber, tax  # noqa: E402
from loops import kepler, oscillator_energy, relax  # noqa: E402
from mds import mds_loss  # noqa: E402
from mlp import loss, network  # noqa: E402

from s2sad.api import derive  # noqa: E402

GENERATED = [
    (L, "grad", ("w1", "w2")),
    (L, "jvp", None),
    (L, "vjp", None),
    (L, "hvp", ("w1", "w2")),
    (L, "hessian", ("w1", "w2")),
    (L, "jacfwd", ("w1", "w2")),
    (sigmoid, "grad", "x"),
    (rosenbrock, "value_and_grad", ("x", "y")),
    (gaussian_log_likelihood, "grad", ("mu", "sigma")),
    (relax, "grad", ("x0", "a")),
    (relax, "jvp", None),
    (oscillator_energy, "grad", ("k", "c")),
    (oscillator_energy, "jvp", None),
    (kepler, "grad", ("m", "e")),
    (huber, "grad", ("r", "delta")),
    (huber, "jvp", None),
    (tax, "grad", "income"),
    (mds_loss, "grad", "W"),
    (loss, "grad", ("first", "hidden", "last")),
    (network, "jacfwd", "X"),
    (network, "jacrev", "X"),
]
"""(function, derivative kind, wrt) of each committed generated file."""


def regenerate(output_dir: Path) -> list[Path]:
    """Write the generated files into ``output_dir``; returns their paths."""
    return [derive(f, kind, wrt, output_dir).path for f, kind, wrt in GENERATED]


if __name__ == "__main__":
    for path in regenerate(HERE.parent / "generated"):
        print(path.relative_to(HERE.parent))
