"""The second-order examples (examples/newton.py, examples/hessian_spectrum.py,
examples/trace_estimation.py): what they show holds, on small cases."""

import numpy as np
import pytest

import hessian_spectrum
import newton
import trace_estimation

import s2sad


def test_newton_with_the_generated_hessian_converges_quadratically():
    errors = newton.newton(newton.start(2), newton.hessian_step)
    assert errors[-1] < 1e-12 and len(errors) < 40
    tail = [e for e in errors if e > 1e-15][-4:]
    # Quadratic convergence: each error below a constant times the square of the last.
    for before, after in zip(tail, tail[1:]):
        assert after < 100 * before**2


def test_newton_cg_on_hvps_finds_the_minimum_of_a_long_rosenbrock():
    errors = newton.newton(np.zeros(20), newton.cg_step)
    assert errors[-1] < 1e-10


def test_lanczos_finds_the_extreme_eigenvalues():
    A = trace_estimation.test_matrix(60, seed=3) - 0.2 * np.eye(60)
    ritz = hessian_spectrum.lanczos(lambda v: A @ v, 60, steps=30)
    exact = np.linalg.eigvalsh(A)
    assert ritz[-1] == pytest.approx(exact[-1], rel=1e-8)
    assert ritz[0] == pytest.approx(exact[0], abs=1e-3)


def test_the_spectrum_of_the_network_matches_its_hessian_products():
    X, labels, _ = hessian_spectrum.spirals(points_per_class=10)
    weights = hessian_spectrum.initial_weights(width=4, layers=1)
    ritz, trace = hessian_spectrum.spectrum(weights, X, labels)
    blocks = s2sad.hessian(hessian_spectrum.loss, wrt=(0, 1, 2))(*weights, X, labels)
    sizes = [w.size for w in weights]
    H = np.block(
        [
            [np.reshape(b, (m, n)) for b, n in zip(row, sizes)]
            for row, m in zip(blocks, sizes)
        ]
    )
    assert np.allclose(H, H.T, atol=1e-12)
    assert ritz[-1] == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-6)
    assert trace == pytest.approx(np.trace(H), rel=0.2)
