"""The Jacobian example (examples/jacobian_modes.py): what it shows holds, on small cases."""

import numpy as np

import jacobian_modes
import s2sad
from s2sad.chain import SPLIT


def test_every_mode_of_the_two_layers_agrees_with_finite_differences(tmp_path):
    x, A, B = jacobian_modes.layer_arguments(6, 9)
    step, columns = 1e-6, []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = step
        plus, minus = jacobian_modes.two_layers(x + e, A, B), jacobian_modes.two_layers(
            x - e, A, B
        )
        columns.append((plus - minus) / (2 * step))
    expected = np.stack(columns, axis=1)
    for mode in ("fwd", "rev", "auto", "optimal"):
        J = s2sad.jacobian(jacobian_modes.two_layers, mode=mode, output_dir=tmp_path)(
            x, A, B
        )
        np.testing.assert_allclose(J, expected, rtol=1e-6, atol=1e-8)


def test_the_bottleneck_chain_is_bracketed(tmp_path):
    args = jacobian_modes.chain_arguments(n=200, k=3)
    plan = s2sad.jacobian_plan(jacobian_modes.autoencoder, *args, output_dir=tmp_path)
    assert plan.sizes == (200, 3, 200) and plan.best.mode == SPLIT
    optimal = s2sad.jacobian(
        jacobian_modes.autoencoder, mode="optimal", output_dir=tmp_path
    )
    reverse = s2sad.jacrev(jacobian_modes.autoencoder, output_dir=tmp_path)
    np.testing.assert_allclose(optimal(*args), reverse(*args), rtol=1e-12, atol=1e-14)


def test_the_timings_come_back_for_every_case():
    cases = {"a": lambda x: x + 1.0, "b": lambda x: x * 2.0}
    times = jacobian_modes.best_times(cases, (np.ones(3),), repeats=1)
    assert set(times) == {"a", "b"} and all(0 < t < 1 for t in times.values())
