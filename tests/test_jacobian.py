"""Jacobians: ``s2sad.jacfwd``, ``s2sad.jacrev`` and ``s2sad.jacobian(mode=...)``.

On every function of the array, control-flow and helper tables (and those
returning arrays or tuples): each mode equals central differences of the
function, the three agree to 1e-12, and no argument changes.  Shapes follow
JAX (``out.shape + x.shape``, tuples by output then parameter); ``auto``
picks the mode its cost estimate says; the Jacobian of a generated gradient
is the Hessian; wrong calls are clear errors.
"""

import math
import re
import sys

import numpy as np
import pytest
import array_functions
import control_functions
import helper_functions

import s2sad
from s2sad.errors import S2SADError
from s2sad.jacobians import ADJOINT_COST, cheaper_mode

TABLES = {
    "array": array_functions.ARRAY_CASES,
    "vector": array_functions.VECTOR_CASES,
    "control": control_functions.CONTROL_CASES,
    "multi": control_functions.MULTI_OUTPUT_CONTROL_CASES,
    "helper": helper_functions.HELPER_CASES,
}
CASES = [
    pytest.param(f, point, id=f"{table}-{f.__name__}-{k}")
    for table, cases in TABLES.items()
    for k, (f, point) in enumerate(cases)
]
REFUSED: dict[str, str] = {}
"""Functions of the tables whose Jacobian is refused: name -> why."""
MODES = ("fwd", "rev", "auto")


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("jacobian")


def _wrt(point):
    return tuple(i for i, p in enumerate(point) if isinstance(p, (float, np.ndarray)))


def _copies(point):
    return [np.copy(p) if isinstance(p, np.ndarray) else p for p in point]


def _unchanged(before, point):
    for old, new in zip(before, point):
        np.testing.assert_array_equal(old, new)


def _outputs(value):
    """The outputs of ``f`` as a flat list."""
    if isinstance(value, tuple):
        return [v for item in value for v in _outputs(item)]
    return [value]


def _matrix(blocks, outputs, point, wrt):
    """The nested blocks as one matrix, rows over all outputs, columns over ``wrt``."""
    rows = blocks if len(outputs) > 1 else [blocks]
    return np.block(
        [
            [
                np.reshape(
                    row if len(wrt) == 1 else row[b], (np.size(out), np.size(point[i]))
                )
                for b, i in enumerate(wrt)
            ]
            for row, out in zip(rows, outputs)
        ]
    )


def _differences(f, point, wrt, step=1e-6):
    columns = []
    for i in wrt:
        for m in range(np.size(point[i])):
            moved = [_copies(point), _copies(point)]
            for sign, args in zip((1.0, -1.0), moved):
                if isinstance(point[i], np.ndarray):
                    args[i].flat[m] += sign * step
                else:
                    args[i] = point[i] + sign * step
            plus, minus = (
                np.concatenate([np.ravel(v) for v in _outputs(f(*args))])
                for args in moved
            )
            columns.append((plus - minus) / (2 * step))
    return np.array(columns).T


def _jacobian_or_refused(f, wrt, mode, out_dir):
    if f.__name__ in REFUSED:
        with pytest.raises(S2SADError):
            s2sad.jacobian(f, wrt, mode=mode, output_dir=out_dir)
        pytest.skip(REFUSED[f.__name__])
    return s2sad.jacobian(f, wrt, mode=mode, output_dir=out_dir)


@pytest.mark.parametrize("f, point", CASES)
@pytest.mark.parametrize("mode", MODES)
def test_jacobian_matches_differences(f, point, mode, out_dir):
    wrt = _wrt(point)
    jacobian = _jacobian_or_refused(f, wrt, mode, out_dir)
    before = _copies(point)
    blocks = jacobian(*point)
    _unchanged(before, point)
    outputs = _outputs(f(*point))
    J = _matrix(blocks, outputs, point, wrt)
    differences = _differences(f, point, wrt)
    scale = max(1.0, float(np.max(np.abs(differences), initial=0.0)))
    np.testing.assert_allclose(J, differences, rtol=1e-6, atol=1e-6 * scale)


@pytest.mark.parametrize("f, point", CASES)
def test_modes_agree(f, point, out_dir):
    wrt = _wrt(point)
    results = [_jacobian_or_refused(f, wrt, mode, out_dir)(*point) for mode in MODES]
    outputs = _outputs(f(*point))
    fwd, rev, auto = (_matrix(r, outputs, point, wrt) for r in results)
    scale = max(1.0, float(np.max(np.abs(fwd), initial=0.0)))
    np.testing.assert_allclose(rev, fwd, rtol=1e-12, atol=1e-12 * scale)
    np.testing.assert_allclose(auto, fwd, rtol=1e-12, atol=1e-12 * scale)


@pytest.mark.parametrize("f, point", CASES)
def test_scalar_output_jacobian_is_the_gradient(f, point, out_dir):
    outputs = _outputs(f(*point))
    if len(outputs) != 1 or np.ndim(outputs[0]):
        pytest.skip("not a scalar output")
    wrt = _wrt(point)
    blocks = _jacobian_or_refused(f, wrt, "rev", out_dir)(*point)
    gradient = s2sad.grad(f, wrt=wrt, output_dir=out_dir)(*point)
    for block, g, i in zip(blocks, gradient, wrt):
        assert np.shape(block) == np.shape(point[i])
        np.testing.assert_allclose(block, g, rtol=1e-12, atol=1e-12)


def test_the_counts_the_report_gives():
    """Every function of the tables has a Jacobian in each mode."""
    assert len(CASES) == 142
    assert not REFUSED


# ---------------------------------------------------------------- shapes and nesting


def shapes(s: float, v: np.ndarray, M: np.ndarray):
    """A number, a vector and a matrix in; a number, a vector and a matrix out."""
    return s * np.sum(v), np.sin(M @ v) * s, np.outer(v, v) + M * s


def number_of_number(x):
    return math.sin(x) * x**2


def vector_of_vector(x: np.ndarray):
    return np.cumsum(x**2) * np.tanh(x)


@pytest.mark.parametrize("mode", MODES)
def test_shapes_nest_as_jax_s(mode, out_dir):
    rng = np.random.default_rng(0)
    s, v, M = 0.7, rng.standard_normal(3), rng.standard_normal((3, 3))
    blocks = s2sad.jacobian(shapes, wrt=(0, 1, 2), mode=mode, output_dir=out_dir)(
        s, v, M
    )
    outs = shapes(s, v, M)
    ins = (s, v, M)
    assert len(blocks) == 3 and all(len(row) == 3 for row in blocks)
    for row, out in zip(blocks, outs):
        for block, x in zip(row, ins):
            assert np.shape(block) == np.shape(out) + np.shape(x)
    assert type(blocks[0][0]) is float
    J = _matrix(blocks, list(outs), ins, (0, 1, 2))
    differences = _differences(shapes, ins, (0, 1, 2))
    np.testing.assert_allclose(J, differences, rtol=1e-7, atol=1e-7)
    one = s2sad.jacobian(shapes, wrt="v", mode=mode, output_dir=out_dir)(s, v, M)
    assert [np.shape(b) for b in one] == [(3,), (3, 3), (3, 3, 3)]
    for block, row in zip(one, blocks):
        np.testing.assert_allclose(block, row[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_number_of_number_is_a_float(mode, out_dir):
    x = 0.8
    d = s2sad.jacobian(number_of_number, mode=mode, output_dir=out_dir)(x)
    assert type(d) is float
    assert d == pytest.approx(math.cos(x) * x**2 + 2 * x * math.sin(x), rel=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_vector_of_vector_is_triangular(mode, out_dir):
    x = np.random.default_rng(1).standard_normal(5)
    J = s2sad.jacobian(vector_of_vector, mode=mode, output_dir=out_dir)(x)
    assert J.shape == (5, 5)
    expected = np.tril(2 * x[None, :] * np.tanh(x)[:, None]) + np.diag(
        np.cumsum(x**2) / np.cosh(x) ** 2
    )
    np.testing.assert_allclose(J, expected, rtol=1e-12, atol=1e-12)


def one_tuple(x: np.ndarray):
    return (x * x,)


def matrix_out(W: np.ndarray):
    return np.tanh(W) @ W.T


@pytest.mark.parametrize("mode", MODES)
def test_a_one_tuple_gives_a_one_tuple(mode, out_dir):
    x = np.arange(1.0, 4.0)
    J = s2sad.jacobian(one_tuple, mode=mode, output_dir=out_dir)(x)
    assert isinstance(J, tuple) and len(J) == 1
    np.testing.assert_array_equal(J[0], np.diag(2 * x))


@pytest.mark.parametrize("mode", MODES)
def test_matrix_of_matrix(mode, out_dir):
    W = np.random.default_rng(2).standard_normal((2, 3))
    J = s2sad.jacobian(matrix_out, mode=mode, output_dir=out_dir)(W)
    assert J.shape == (2, 2, 2, 3)
    differences = _differences(matrix_out, (W,), (0,))
    np.testing.assert_allclose(J.reshape(4, 6), differences, rtol=1e-7, atol=1e-7)


def test_float32_stays_float32(out_dir):
    x = np.random.default_rng(3).standard_normal(4).astype(np.float32)
    for mode in ("fwd", "rev"):
        J = s2sad.jacobian(vector_of_vector, mode=mode, output_dir=out_dir)(x)
        assert J.dtype == np.float32


# ---------------------------------------------------------------- the choice of mode


def wide(x: np.ndarray):
    """Few inputs, many outputs."""
    return np.sin(np.outer(np.arange(10.0), x)).ravel()


def narrow(x: np.ndarray):
    """Many inputs, few outputs."""
    return np.array([np.sum(x**2), np.sum(np.sin(x))])


def test_auto_picks_the_cheaper_mode(out_dir):
    jacobian = s2sad.jacobian(wide, output_dir=out_dir)
    assert jacobian.mode is None
    x = np.random.default_rng(4).standard_normal(3)
    for _ in range(2):
        J = jacobian(x)
        assert jacobian.mode == "fwd" and J.shape == (30, 3)
        assert jacobian.path == jacobian.paths["fwd"]
    narrow_jacobian = s2sad.jacobian(narrow, output_dir=out_dir)
    y = np.random.default_rng(5).standard_normal(20)
    for _ in range(2):
        J = narrow_jacobian(y)
        assert narrow_jacobian.mode == "rev" and J.shape == (2, 20)
        assert narrow_jacobian.source == narrow_jacobian.sources["rev"]
    np.testing.assert_allclose(J[0], 2 * y, rtol=1e-12)
    small = np.random.default_rng(6).standard_normal(2)
    narrow_jacobian(small)
    assert narrow_jacobian.mode == "fwd"


def test_the_cost_estimate():
    assert ADJOINT_COST == 1.5
    assert cheaper_mode(100, 10) == "rev"
    assert cheaper_mode(100, 66) == "rev"
    assert cheaper_mode(100, 67) == "fwd"
    assert cheaper_mode(10, 100) == "fwd"


# ---------------------------------------------------------------- composition and helpers


def loss(x: np.ndarray, W: np.ndarray):
    return np.sum(np.tanh(W @ x) ** 2) + np.sum(x**4)


@pytest.mark.parametrize("jac", [s2sad.jacfwd, s2sad.jacrev])
def test_jacobian_of_the_gradient_is_the_hessian(jac, out_dir):
    rng = np.random.default_rng(7)
    x, W = rng.standard_normal(4), rng.standard_normal((3, 4))
    gradient = s2sad.grad(loss, output_dir=out_dir)
    H = jac(gradient, output_dir=out_dir)(x, W)
    expected = s2sad.hessian(loss, output_dir=out_dir)(x, W)
    np.testing.assert_allclose(H, expected, rtol=1e-12, atol=1e-12)
    both = s2sad.grad(loss, wrt=(0, 1), output_dir=out_dir)
    blocks = jac(both, wrt=(0, 1), output_dir=out_dir)(x, W)
    hessian = s2sad.hessian(loss, wrt=(0, 1), output_dir=out_dir)(x, W)
    for row, expected_row in zip(blocks, hessian):
        for block, expected_block in zip(row, expected_row):
            np.testing.assert_allclose(block, expected_block, rtol=1e-11, atol=1e-11)


def step(y: np.ndarray, h: float):
    out = y.copy()
    for i in range(len(y)):
        out[i] = y[i] + h * math.sin(y[i - 1])
    return out


def integrate(y0: np.ndarray, h: float, n: int):
    y = y0
    for _ in range(n):
        y = step(y, h)
    return y


@pytest.mark.parametrize("mode", MODES)
def test_helpers_with_loops(mode, out_dir):
    y0, h = np.array([0.3, -0.2, 0.5, 0.1]), 0.1
    point = (y0, h, 5)
    blocks = s2sad.jacobian(integrate, wrt=(0, 1), mode=mode, output_dir=out_dir)(
        *point
    )
    assert [np.shape(b) for b in blocks] == [(4, 4), (4,)]
    J = _matrix(blocks, [integrate(*point)], point, (0, 1))
    np.testing.assert_allclose(
        J, _differences(integrate, point, (0, 1)), rtol=1e-7, atol=1e-8
    )


# ---------------------------------------------------------------- the files


def layer(x: np.ndarray, W: np.ndarray, b: np.ndarray):
    return np.tanh(W @ x + b)


def test_the_files_are_batched_and_readable(out_dir):
    forward = s2sad.jacfwd(layer, output_dir=out_dir)
    assert forward.path.name == "layer_jacfwd_x.py"
    assert "def layer_jacfwd(x, W, b, x_dot):" in forward.source
    assert forward.source == forward.path.read_text()
    reverse = s2sad.jacrev(layer, output_dir=out_dir)
    assert reverse.path.name == "layer_jacrev_x.py"
    assert "def layer_jacrev_fwd(x, W, b):" in reverse.source
    assert "def layer_jacrev_bwd(residuals, layer_bar):" in reverse.source
    for source in (forward.source, reverse.source):
        assert "batch_loop" not in source
        assert not re.search(r"^\s+for ", source, re.MULTILINE)


def test_one_call_of_each_generated_function(out_dir):
    """The columns (rows) come from one call of the batched code, not n (m)."""
    rng = np.random.default_rng(8)
    x, W, b = rng.standard_normal(6), rng.standard_normal((5, 6)), np.zeros(5)
    t = np.tanh(W @ x + b)
    for jac, names in (
        (s2sad.jacfwd, ["layer_jacfwd_identity"]),
        (s2sad.jacrev, ["layer_jacrev_fwd", "layer_jacrev_bwd"]),
    ):
        jacobian = jac(layer, output_dir=out_dir)
        calls = []

        def profile(frame, event, arg):
            if event == "call" and frame.f_code.co_name.startswith("layer_"):
                calls.append(frame.f_code.co_name)

        sys.setprofile(profile)
        try:
            J = jacobian(x, W, b)
        finally:
            sys.setprofile(None)
        assert calls == names
        np.testing.assert_allclose(J, (1 - t**2)[:, None] * W, rtol=1e-12)


# ---------------------------------------------------------------- errors


def returns_a_list(x: np.ndarray):
    return [x, x]


def returns_an_int(x: np.ndarray, n: int):
    return x * 2.0, n


def returns_a_string(x: np.ndarray):
    y = x * 2.0
    return "done"


@pytest.mark.parametrize("mode", MODES)
def test_outputs_that_are_not_float_arrays_are_refused(mode, out_dir):
    x = np.ones(3)
    for f, args in (
        (returns_a_list, (x,)),
        (returns_an_int, (x, 3)),
        (returns_a_string, (x,)),
    ):
        with pytest.raises(S2SADError) as caught:
            s2sad.jacobian(f, mode=mode, output_dir=out_dir)(*args)
        assert caught.value.hint


@pytest.mark.parametrize("mode", MODES)
def test_integer_inputs_are_refused(mode, out_dir):
    jacobian = s2sad.jacobian(vector_of_vector, mode=mode, output_dir=out_dir)
    with pytest.raises(S2SADError, match="integer") as caught:
        jacobian(np.arange(3))
    assert "astype(float)" in caught.value.hint
    with pytest.raises(S2SADError, match="integer"):
        s2sad.jacobian(number_of_number, mode=mode, output_dir=out_dir)(2)


def test_wrong_calls_are_clear_errors(out_dir):
    with pytest.raises(S2SADError, match="unknown mode"):
        s2sad.jacobian(layer, mode="backward")
    with pytest.raises(S2SADError, match="no parameter"):
        s2sad.jacfwd(layer, wrt="z", output_dir=out_dir)
    with pytest.raises(S2SADError, match="out of range"):
        s2sad.jacrev(layer, wrt=5, output_dir=out_dir)
    with pytest.raises(S2SADError):
        s2sad.jacfwd(layer, output_dir=out_dir)(np.ones(2))
    with pytest.raises(S2SADError, match="argument x"):
        s2sad.jacrev(layer, output_dir=out_dir)("x", np.ones((2, 2)), np.ones(2))


def test_a_jacobian_of_a_jacobian_is_refused(out_dir):
    jacobian = s2sad.jacfwd(vector_of_vector, output_dir=out_dir)
    with pytest.raises(S2SADError, match="a Jacobian s2sad made") as caught:
        s2sad.jacrev(jacobian, output_dir=out_dir)
    assert "s2sad.grad" in caught.value.hint


def test_reverse_over_a_recursive_helper_s_reverse_mode_is_refused(out_dir):
    """jacrev of a gradient whose helper hands an adjoint tape between its sweeps:
    a clear refusal pointing to forward mode, which gives the Hessian."""
    gradient = s2sad.grad(helper_functions.power, output_dir=out_dir)
    with pytest.raises(S2SADError, match="carries values of the cotangents") as caught:
        s2sad.jacrev(gradient, output_dir=out_dir)
    assert "jacfwd" in caught.value.hint
    H = s2sad.jacfwd(gradient, output_dir=out_dir)(1.3, 3)
    expected = s2sad.hessian(helper_functions.power, output_dir=out_dir)(1.3, 3)
    assert H == pytest.approx(expected, rel=1e-12)
