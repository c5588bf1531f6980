"""``sparsity="detect"`` finds patterns from the program's dependences.

One run of the generated code on dependence sets gives the pattern: a factor
that is zero at the first arguments keeps its entries (a matrix product keeps
its matrix's zeros, the band of a stencil), the first call costs no
dense matrix, and the pattern is the same at every point.  A branch taken
differently later widens it; code that cannot carry the sets falls back to the
values of the dense matrix.  On every function of the array, control-flow and
helper tables the detected Jacobians and Hessians equal the dense ones.
"""

import numpy as np
import pytest
import array_functions
import control_functions
import helper_functions

import s2sad
from s2sad import dependences


def zero_factors(x):
    return np.sin(x) * x[::-1] + x**2


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def switch(x):
    if x[0] > 0.0:
        return x * x[0]
    return x * x


def solved(A, b):
    return np.linalg.solve(A, b)


def loud(x):
    print("running")
    return np.cumsum(x) * x


def stencil(x):
    n = len(x)
    A = -2.0 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
    return A @ x + x**3


def stencil_energy(x):
    n = len(x)
    A = -2.0 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
    return x @ (A @ x) + np.sum(x**4)


def scaled_rows(x):
    return (x[:, None] * np.ones((len(x), len(x)))) @ x


def written(x):
    y = np.zeros(len(x))
    for i in range(1, len(x)):
        y[i] = x[i] * x[i - 1]
    return y


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("dependences")


def test_dependence_sets_take_unions_and_ignore_factors():
    a, b = dependences.Dependence(0b01), dependences.Dependence(0b10)
    assert (a + b).bits == (a - b).bits == (0.0 * a * b).bits == 0b11
    assert (-a / 3.0 + 0).bits == (2 - a).bits == 0b01
    seed = dependences.seed((2, 2))
    assert seed.shape == (1, 2, 2) and seed[0, 1, 0].bits == 1 << 2
    pattern = dependences.rows(np.array([seed[0, 0, 0] + seed[0, 1, 1], 0.0]), 4)
    assert pattern.tolist() == [[True, False, False, True], [False] * 4]


@pytest.mark.parametrize("mode", ["fwd", "rev", "auto"])
def test_a_factor_zero_at_the_first_point_keeps_its_entries(mode, out_dir):
    n = 6
    x = np.zeros(n)
    jacobian = s2sad.jacobian(
        zero_factors, mode=mode, sparsity="detect", output_dir=out_dir
    )
    dense = s2sad.jacfwd(zero_factors, output_dir=out_dir)
    for point in (x, np.linspace(0.2, 1.1, n)):
        assert np.allclose(jacobian(point), dense(point), rtol=1e-12, atol=0)
        assert jacobian.pattern_source == "dependences"
        assert jacobian.products == 3
    found = s2sad.jacobian(
        zero_factors, mode=mode, sparsity="detect", dense=False, output_dir=out_dir
    )
    values, (rows, columns) = found(x)
    expected = np.eye(n, dtype=bool) | np.eye(n, dtype=bool)[::-1]
    assert np.array_equal(sorted(zip(rows, columns)), np.argwhere(expected).tolist())


def test_a_hessian_pattern_costs_no_dense_matrix(out_dir):
    hessian = s2sad.hessian(rosenbrock, sparsity="detect", output_dir=out_dir)
    x = np.zeros(300)
    found = hessian(x)
    assert hessian.pattern_source == "dependences" and hessian.products == 4
    assert np.allclose(found, s2sad.hessian(rosenbrock, output_dir=out_dir)(x))
    values, (rows, columns) = s2sad.hessian(
        rosenbrock, sparsity="detect", dense=False, output_dir=out_dir
    )(x)
    assert np.all(np.abs(rows - columns) <= 1) and len(values) == 3 * 300 - 2


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_a_constant_operator_keeps_its_band(mode, out_dir):
    x = np.linspace(0.1, 1.0, 40)
    jacobian = s2sad.jacobian(stencil, mode=mode, sparsity="detect", output_dir=out_dir)
    assert np.allclose(jacobian(x), s2sad.jacfwd(stencil, output_dir=out_dir)(x))
    assert jacobian.pattern_source == "dependences" and jacobian.products == 4
    hessian = s2sad.hessian(stencil_energy, sparsity="detect", output_dir=out_dir)
    expected = s2sad.hessian(stencil_energy, output_dir=out_dir)(x)
    assert np.allclose(hessian(x), expected, rtol=1e-12)
    assert hessian.pattern_source == "dependences" and hessian.products == 4


def test_a_matrix_zero_only_at_the_first_point_widens_later(out_dir):
    # row 0 of the matrix is x[0] * ones: zero at the first point, so the
    # pattern there has row 0 = {0}, exact at that point; dense at the next
    jacobian = s2sad.jacobian(scaled_rows, sparsity="detect", output_dir=out_dir)
    dense = s2sad.jacfwd(scaled_rows, output_dir=out_dir)
    first = np.array([0.0, 0.5, 0.7, 0.9])
    assert np.allclose(jacobian(first), dense(first), rtol=1e-12, atol=0)
    assert jacobian.pattern_source == "dependences"
    later = np.array([0.3, 0.5, 0.7, 0.9])
    assert np.allclose(jacobian(later), dense(later), rtol=1e-12, atol=0)
    assert jacobian.pattern_source == "widened"


def test_another_branch_later_widens_the_pattern(out_dir):
    jacobian = s2sad.jacobian(switch, sparsity="detect", output_dir=out_dir)
    dense = s2sad.jacfwd(switch, output_dir=out_dir)
    below, above = np.array([-1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])
    assert np.array_equal(jacobian(below), dense(below))
    assert jacobian.pattern_source == "dependences" and jacobian.products == 2
    assert np.array_equal(jacobian(above), dense(above))
    assert jacobian.pattern_source == "widened"
    assert np.array_equal(jacobian(below), dense(below))
    assert np.array_equal(jacobian(above), dense(above))


def test_code_that_cannot_carry_the_sets_uses_values(out_dir):
    A = np.array([[3.0, 1.0], [0.0, 2.0]])
    b = np.array([1.0, 2.0])
    jacobian = s2sad.jacobian(solved, wrt=1, sparsity="detect", output_dir=out_dir)
    assert np.allclose(jacobian(A, b), np.linalg.inv(A), rtol=1e-12)
    assert jacobian.pattern_source == "values"


def test_the_first_call_prints_once(out_dir, capsys):
    jacobian = s2sad.jacobian(loud, sparsity="detect", output_dir=out_dir)
    jacobian(np.arange(1.0, 5.0))
    assert capsys.readouterr().out.count("running") == 1
    assert jacobian.pattern_source == "dependences"


def test_writes_in_a_loop_carry_the_sets(out_dir):
    x = np.linspace(0.0, 1.0, 7)
    for mode in ("fwd", "rev"):
        jacobian = s2sad.jacobian(
            written, mode=mode, sparsity="detect", output_dir=out_dir
        )
        assert np.allclose(jacobian(x), s2sad.jacfwd(written, output_dir=out_dir)(x))
        assert jacobian.pattern_source == "dependences" and jacobian.products == 3


CASES = [
    pytest.param(f, point, k, id=f"{table}-{f.__name__}-{k}")
    for table, cases in {
        "array": array_functions.ARRAY_CASES,
        "vector": array_functions.VECTOR_CASES,
        "control": control_functions.CONTROL_CASES,
        "helper": helper_functions.HELPER_CASES,
    }.items()
    for f, point in cases
    for k, p in enumerate(point)
    if isinstance(p, np.ndarray) and p.dtype.kind == "f" and p.size > 1
]


FROM_VALUES = {"astype_float", "linalg_solve_loss", "linalg_mixed"}
"""Functions whose derivative code converts tangents to floats or hands them to
LAPACK (``np.asarray(x_dot, dtype=...)``, ``np.linalg.solve``)."""


def _dense_or_none(kind, f, k, point, out_dir):
    try:
        found = getattr(s2sad, kind)(f, wrt=k, output_dir=out_dir)(*point)
    except s2sad.S2SADError:
        return None
    return None if isinstance(found, tuple) else found


@pytest.mark.parametrize("kind", ["jacobian", "hessian"])
@pytest.mark.parametrize("f, point, k", CASES)
def test_detected_derivatives_of_the_tables_are_the_dense_ones(
    kind, f, point, k, out_dir
):
    dense = _dense_or_none(kind, f, k, point, out_dir)
    if dense is None:
        pytest.skip(f"no dense {kind} of this parameter")
    before = [np.copy(p) if isinstance(p, np.ndarray) else p for p in point]
    detected = getattr(s2sad, kind)(f, wrt=k, sparsity="detect", output_dir=out_dir)
    for _ in range(2):
        found = detected(*point)
        assert np.allclose(found, dense, rtol=1e-10, atol=1e-12)
        if f.__name__ in FROM_VALUES:
            assert detected.pattern_source == "values"
        else:
            assert detected.pattern_source == "dependences"
    for old, new in zip(before, point):
        np.testing.assert_array_equal(old, new)
