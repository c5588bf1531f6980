"""Hessian traces (``s2sad.hutchinson_trace``): exact, Hutchinson and Hutch++.

Checked against traces known in closed form: unbiasedness over many seeds,
exactness for diagonal Hessians, the rates at which the errors fall, the
standard error, several parameters, and clear errors for bad requests.
"""

import math

import numpy as np
import pytest

import s2sad


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("trace")


def quadratic(x: np.ndarray, A: np.ndarray):
    return 0.5 * (x @ (A @ x))


def weighted_squares(x: np.ndarray, c: np.ndarray):
    return 0.5 * np.sum(c * x**2)


def coupled(x: np.ndarray, y):
    return np.sum(np.sin(x) * y) + y**3 * np.sum(x**2)


def spectrum_matrix(n: int, seed: int = 0) -> np.ndarray:
    """A symmetric matrix with eigenvalues 1/i², i = 1..n."""
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    return (q * (1.0 / np.arange(1, n + 1) ** 2)) @ q.T


def random_symmetric(n: int, seed: int = 1) -> np.ndarray:
    B = np.random.default_rng(seed).normal(size=(n, n))
    return (B + B.T) / 2


def test_exact_is_the_trace_of_the_hessian(out_dir):
    A = random_symmetric(6)
    trace = s2sad.hutchinson_trace(quadratic, method="exact", output_dir=out_dir)
    assert trace(np.ones(6), A) == pytest.approx(np.trace(A), rel=1e-12)
    estimate = s2sad.hutchinson_trace(
        quadratic, method="exact", return_error=True, output_dir=out_dir
    )(np.ones(6), A)
    assert estimate.standard_error == 0.0 and estimate.products == 6


def test_rademacher_probes_are_exact_for_a_diagonal_hessian(out_dir):
    c = np.array([3.0, -1.0, 0.5, 2.0, 7.0])
    for samples in (1, 2, 17):
        trace = s2sad.hutchinson_trace(
            weighted_squares, samples=samples, seed=samples, output_dir=out_dir
        )
        assert trace(np.ones(5), c) == pytest.approx(c.sum(), rel=1e-12)


def test_hutchinson_is_unbiased_over_many_seeds(out_dir):
    A = random_symmetric(5)
    x = np.zeros(5)
    estimates = np.array(
        [
            s2sad.hutchinson_trace(quadratic, samples=2, seed=s, output_dir=out_dir)(
                x, A
            )
            for s in range(10_000)
        ]
    )
    standard_error = estimates.std(ddof=1) / math.sqrt(estimates.size)
    assert abs(estimates.mean() - np.trace(A)) < 3 * standard_error


def test_the_standard_error_matches_the_spread_of_estimates(out_dir):
    A = random_symmetric(8)
    x = np.zeros(8)
    results = [
        s2sad.hutchinson_trace(
            quadratic, samples=30, seed=s, return_error=True, output_dir=out_dir
        )(x, A)
        for s in range(300)
    ]
    spread = np.std([r.value for r in results], ddof=1)
    reported = np.mean([r.standard_error for r in results])
    assert 0.8 < reported / spread < 1.25
    single = s2sad.hutchinson_trace(
        quadratic, samples=1, seed=0, return_error=True, output_dir=out_dir
    )(x, A)
    assert single.standard_error == math.inf


def _mean_errors(A, method, counts, seeds, out_dir):
    x, exact = np.zeros(A.shape[0]), np.trace(A)
    return [
        np.mean(
            [
                abs(
                    s2sad.hutchinson_trace(
                        quadratic, samples=m, method=method, seed=s, output_dir=out_dir
                    )(x, A)
                    - exact
                )
                for s in range(seeds)
            ]
        )
        for m in counts
    ]


def test_hutch_plus_plus_error_falls_like_one_over_m(out_dir):
    A = spectrum_matrix(400)
    counts = (6, 12, 24, 48, 96)
    plus = _mean_errors(A, "hutch++", counts, 30, out_dir)
    plain = _mean_errors(A, "hutchinson", counts, 30, out_dir)
    plus_slope = np.polyfit(np.log(counts), np.log(plus), 1)[0]
    plain_slope = np.polyfit(np.log(counts), np.log(plain), 1)[0]
    assert plus_slope <= -0.9
    assert -0.7 <= plain_slope <= -0.3
    assert plus[-1] < plain[-1]


def test_hutch_plus_plus_with_enough_products_is_exact(out_dir):
    A = random_symmetric(4)
    trace = s2sad.hutchinson_trace(
        quadratic, samples=15, method="hutch++", seed=0, output_dir=out_dir
    )
    assert trace(np.zeros(4), A) == pytest.approx(np.trace(A), rel=1e-10)


def test_several_parameters_sum_the_diagonal_blocks(out_dir):
    x, y = np.array([0.3, -0.8, 1.1]), 0.7
    blocks = s2sad.hessian(coupled, wrt=(0, 1), output_dir=out_dir)(x, y)
    expected = np.trace(blocks[0][0]) + blocks[1][1]
    exact = s2sad.hutchinson_trace(
        coupled, wrt=(0, 1), method="exact", output_dir=out_dir
    )
    assert exact(x, y) == pytest.approx(expected, rel=1e-12)
    plus = s2sad.hutchinson_trace(
        coupled, wrt=(0, 1), samples=12, method="hutch++", seed=0, output_dir=out_dir
    )
    assert plus(x, y) == pytest.approx(expected, rel=1e-10)


def test_a_fixed_seed_gives_the_same_estimate_each_call(out_dir):
    A = random_symmetric(6)
    trace = s2sad.hutchinson_trace(quadratic, samples=3, seed=5, output_dir=out_dir)
    assert trace(np.zeros(6), A) == trace(np.zeros(6), A)
    assert trace.source and trace.path.exists()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"method": "lanczos"}, "unknown method 'lanczos'"),
        ({"samples": 0}, "samples must be an int of at least 1"),
        ({"samples": 2, "method": "hutch++"}, "at least 3"),
        ({"samples": 2.5}, "samples must be an int"),
    ],
)
def test_bad_requests_are_clear_errors(options, message, out_dir):
    with pytest.raises(s2sad.DifferentiationError, match=message):
        s2sad.hutchinson_trace(quadratic, output_dir=out_dir, **options)
