"""The public Hessian-vector product, ``s2sad.hvp(f, wrt)(*args, v)``.

Checked against analytic Hessians (quadratic forms, Rosenbrock, log-sum-exp)
to 1e-12, against SymPy's Hessians on the loop-free scalar table, for symmetry,
and for the errors a wrong call gets.  ``tests/test_forward_over_reverse.py``
checks it on every table against differences of the generated gradient.
"""

import math

import numpy as np
import pytest
import sympy

import s2sad
from s2sad.frontend.program import lower
from s2sad.symbolic import to_sympy
from scalar_functions import SCALAR_CASES
from second_order_functions import (
    curved,
    log_sum_exp,
    quadratic,
    rosenbrock,
    rosenbrock_hessian,
)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("hvp")


def test_quadratic_form_is_exact(out_dir):
    rng = np.random.default_rng(0)
    A, x, v = (
        rng.standard_normal((5, 5)),
        rng.standard_normal(5),
        rng.standard_normal(5),
    )
    hv = s2sad.hvp(quadratic, output_dir=out_dir)(x, A, v)
    np.testing.assert_allclose(hv, (A + A.T) @ v, rtol=1e-12, atol=1e-12)


def test_rosenbrock_is_exact(out_dir):
    rng = np.random.default_rng(1)
    x, v = rng.uniform(-1.5, 1.5, 12), rng.standard_normal(12)
    hv = s2sad.hvp(rosenbrock, output_dir=out_dir)(x, v)
    np.testing.assert_allclose(hv, rosenbrock_hessian(x) @ v, rtol=1e-12, atol=1e-9)


def test_log_sum_exp_is_exact(out_dir):
    rng = np.random.default_rng(2)
    x, v = rng.standard_normal(6), rng.standard_normal(6)
    p = np.exp(x - log_sum_exp(x))
    hv = s2sad.hvp(log_sum_exp, output_dir=out_dir)(x, v)
    np.testing.assert_allclose(hv, (np.diag(p) - np.outer(p, p)) @ v, atol=1e-12)


def test_hessian_vector_products_are_symmetric(out_dir):
    rng = np.random.default_rng(3)
    x, u, v = rng.uniform(-1.5, 1.5, 8), rng.standard_normal(8), rng.standard_normal(8)
    hvp = s2sad.hvp(rosenbrock, output_dir=out_dir)
    assert u @ hvp(x, v) == pytest.approx(v @ hvp(x, u), rel=1e-12)


def test_several_parameters_take_and_give_tuples(out_dir):
    hvp = s2sad.hvp(curved, wrt=(0, 1), output_dir=out_dir)
    x, y, v = 0.7, 1.3, (0.2, -0.5)
    hx, hy = hvp(x, y, v)
    H = np.array(
        [
            [-math.sin(x) * y**3 + 2 * y, 3 * math.cos(x) * y**2 + 2 * x],
            [3 * math.cos(x) * y**2 + 2 * x, 6 * math.sin(x) * y],
        ]
    )
    np.testing.assert_allclose((hx, hy), H @ np.array(v), rtol=1e-12)
    one = s2sad.hvp(curved, wrt="y", output_dir=out_dir)(x, y, 1.0)
    assert one == pytest.approx(H[1, 1], rel=1e-12)


def test_the_file_is_forward_over_reverse_and_readable(out_dir):
    hvp = s2sad.hvp(rosenbrock, output_dir=out_dir)
    assert hvp.path.name == "rosenbrock_hvp_x.py"
    assert "def rosenbrock_hvp(x, x_dot):" in hvp.source
    assert "x_bar_dot" in hvp.source
    assert "Hessian of rosenbrock times the direction" in hvp.source
    assert hvp.path.read_text() == hvp.source


def test_the_generated_hvp_can_be_differentiated_again(out_dir):
    """jvp of f_hvp(x, x_dot): a third derivative, against differences."""
    hvp = s2sad.hvp(curved, wrt=0, output_dir=out_dir)
    _, third = s2sad.jvp(
        hvp.generated, (0.7, 1.3, 1.0), (1.0, 0.0, 0.0), output_dir=out_dir
    )
    step = 1e-5
    expected = (hvp(0.7 + step, 1.3, 1.0) - hvp(0.7 - step, 1.3, 1.0)) / (2 * step)
    assert third == pytest.approx(expected, rel=1e-6)
    assert third == pytest.approx(-math.cos(0.7) * 1.3**3, rel=1e-12)


LOOP_FREE = [
    (f, point)
    for f, point in SCALAR_CASES
    if all(isinstance(p, float) for p in point) and len(point) <= 3
]


@pytest.mark.parametrize("f, point", LOOP_FREE, ids=[f.__name__ for f, _ in LOOP_FREE])
def test_hvp_matches_the_sympy_hessian(f, point, out_dir):
    symbols, (expr,) = to_sympy(lower(f))
    if expr.has(sympy.Mod):
        pytest.skip("x % c: SymPy differentiates Mod without end")
    hessian = sympy.hessian(expr, symbols)
    at = dict(zip(symbols, point))
    H = np.array(hessian.subs(at).evalf(), dtype=float)
    wrt = tuple(range(len(point)))
    v = tuple(np.random.default_rng(4).uniform(-1.0, 1.0, len(point)))
    hv = s2sad.hvp(f, wrt=wrt, output_dir=out_dir)(*point, v)
    np.testing.assert_allclose(hv, H @ np.array(v), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda h: h(0.7, 1.3, (0.2,)), "tuple of 2 directions"),
        (lambda h: h(0.7, 1.3, 0.2), "tuple of 2 directions, got float"),
        (lambda h: h(0.7, 1.3, (0.2, "a")), "v\\[1\\] \\(for y\\) is"),
        (lambda h: h(0.7, 1.3, (np.ones(2), 0.1)), "has shape \\(2,\\)"),
        (lambda h: h(), "takes the arguments, then v"),
    ],
)
def test_a_wrong_direction_is_refused_clearly(call, message, out_dir):
    hvp = s2sad.hvp(curved, wrt=(0, 1), output_dir=out_dir)
    with pytest.raises(s2sad.DifferentiationError, match=message) as caught:
        call(hvp)
    assert caught.value.hint


def test_an_array_for_a_number_parameter_is_refused(out_dir):
    hvp = s2sad.hvp(curved, wrt=0, output_dir=out_dir)
    with pytest.raises(s2sad.DifferentiationError, match="got an array for x"):
        hvp(np.ones(3), 1.3, np.ones(3))


def test_an_output_that_is_not_a_scalar_is_refused(out_dir):
    def twice(x: np.ndarray):
        return 2.0 * x

    with pytest.raises(s2sad.DifferentiationError, match="scalar"):
        s2sad.hvp(twice, output_dir=out_dir)(np.ones(3), np.ones(3))
