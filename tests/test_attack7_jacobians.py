"""Attack 7: identity columns, optimal bracketing and sparse recovery."""

import numpy as np
import pytest

import s2sad

GLOBAL = np.arange(12.0).reshape(3, 4)


def of_a_global(x: np.ndarray):
    return GLOBAL @ x


def of_a_tuple(x: np.ndarray, p: tuple):
    W, b = p
    return W @ x + b


def linear(x: np.ndarray, W: np.ndarray):
    return W @ x


def test_identity_columns_are_no_view_of_a_global_or_a_tuple_item(tmp_path):
    J = s2sad.jacfwd(of_a_global, output_dir=tmp_path)(np.ones(4))
    J[0, 0] = 99.0
    assert GLOBAL[0, 0] == 0.0
    W = np.arange(12.0).reshape(3, 4)
    J = s2sad.jacfwd(of_a_tuple, output_dir=tmp_path)(np.ones(4), (W, 1.0))
    J[0, 0] = 99.0
    assert W[0, 0] == 0.0


def test_identity_columns_of_an_integer_or_float32_matrix_are_promoted(tmp_path):
    x = np.ones(4)
    forward = s2sad.jacfwd(linear, output_dir=tmp_path)
    for W in (np.arange(12).reshape(3, 4), np.ones((3, 4), np.float32)):
        J = forward(x, W)
        assert J.dtype == np.float64
        np.testing.assert_array_equal(J, W)


def global_chain(x: np.ndarray):
    h = GLOBAL @ x
    y = h * 2.0
    return y


def returns_x(x: np.ndarray):
    return x


def integer_chain(x: np.ndarray, W: np.ndarray):
    h = W @ x
    y = W @ h
    return y


def test_optimal_jacobian_is_no_view_of_a_global_nor_of_the_basis(tmp_path):
    J = s2sad.jacobian(global_chain, mode="optimal", output_dir=tmp_path)(np.ones(4))
    J[0, 0] = 99.0
    assert GLOBAL[0, 0] == 0.0
    optimal = s2sad.jacobian(returns_x, mode="optimal", output_dir=tmp_path)
    J = optimal(np.ones(3))
    J[0, 0] = 99.0
    np.testing.assert_array_equal(optimal(np.ones(3)), np.eye(3))


def test_optimal_jacobian_of_an_integer_matrix_is_float(tmp_path):
    W = np.arange(16).reshape(4, 4)
    J = s2sad.jacobian(integer_chain, mode="optimal", output_dir=tmp_path)(
        np.ones(4), W
    )
    assert J.dtype == np.float64
    np.testing.assert_array_equal(J, W @ W)


def chain_of_a_tuple(x: np.ndarray, p: tuple):
    W, b = p
    h = np.sin(W @ x)
    y = h * b
    return y


def test_auto_and_optimal_jacobians_of_a_tuple_argument(tmp_path):
    W = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    x = np.linspace(0.1, 0.4, 4)
    expected = s2sad.jacfwd(chain_of_a_tuple, output_dir=tmp_path)(x, (W, 2.0))
    for mode in ("auto", "optimal"):
        J = s2sad.jacobian(chain_of_a_tuple, mode=mode, output_dir=tmp_path)
        np.testing.assert_allclose(J(x, (W, 2.0)), expected, rtol=1e-12)


def tridiagonal(x: np.ndarray):
    y = x * x
    y[1:] += np.sin(x[:-1])
    y[:-1] += x[1:] * 2.0
    return y


def test_sparse_triplets_cannot_corrupt_the_next_call(tmp_path):
    n = 6
    pattern = np.eye(n, dtype=bool) | np.eye(n, k=1, dtype=bool)
    pattern |= pattern.T
    x = np.linspace(0.1, 0.9, n)
    expected = s2sad.jacfwd(tridiagonal, output_dir=tmp_path)(x)
    for mode in ("fwd", "rev"):
        J = s2sad.jacobian(
            tridiagonal, mode=mode, sparsity=pattern, dense=False, output_dir=tmp_path
        )
        values, (rows, columns) = J(x)
        with pytest.raises(ValueError, match="read-only"):
            rows += 1
        values, (rows, columns) = J(x)
        np.testing.assert_array_equal(values, expected[rows, columns])


def announced(c):
    print("scale")
    return c * 2.0


def printing_helper(x: np.ndarray, c: float):
    s = announced(c)
    h = np.sin(x) * s
    y = np.tanh(h) * s
    return y


def printing_branch(x: np.ndarray, c: float):
    h = np.sin(x)
    if c > 0.0:
        print("scale")
    y = np.tanh(h) * c
    return y


@pytest.mark.parametrize("f", [printing_helper, printing_branch])
def test_optimal_jacobian_prints_as_often_as_the_function(f, tmp_path, capsys):
    optimal = s2sad.jacobian(f, mode="optimal", output_dir=tmp_path)
    x = np.linspace(0.1, 0.5, 4)
    optimal(x, 1.5)
    capsys.readouterr()
    J = optimal(x, 1.5)
    assert capsys.readouterr().out == "scale\n"
    np.testing.assert_allclose(
        J, s2sad.jacfwd(f, output_dir=tmp_path)(x, 1.5), rtol=1e-12
    )


def test_optimal_jacobian_prints_once_at_its_first_call(tmp_path, capsys):
    optimal = s2sad.jacobian(printing_branch, mode="optimal", output_dir=tmp_path)
    optimal(np.linspace(0.1, 0.5, 4), 1.5)
    assert capsys.readouterr().out == "scale\n"


def halved(v, n: int):
    if n <= 0:
        return v
    return halved(np.sin(v) * 0.5, n - 1)


def announced_twice(c):
    return announced(c) * 1.0


def recursive_helper(x: np.ndarray, c: float):
    h = np.sin(x) * c
    y = halved(h, 2)
    return y


def nested_printing_helper(x: np.ndarray, c: float):
    s = announced_twice(c)
    h = np.sin(x) * s
    y = np.tanh(h) * s
    return y


def test_optimal_jacobian_through_a_recursive_helper(tmp_path):
    x = np.linspace(0.1, 0.5, 4)
    J = s2sad.jacobian(recursive_helper, mode="optimal", output_dir=tmp_path)(x, 2.0)
    np.testing.assert_allclose(
        J, s2sad.jacfwd(recursive_helper, output_dir=tmp_path)(x, 2.0), rtol=1e-12
    )


def test_optimal_jacobian_sees_a_print_in_a_helper_of_a_helper(tmp_path, capsys):
    optimal = s2sad.jacobian(
        nested_printing_helper, mode="optimal", output_dir=tmp_path
    )
    x = np.linspace(0.1, 0.5, 4)
    optimal(x, 1.5)
    capsys.readouterr()
    optimal(x, 1.5)
    assert capsys.readouterr().out == "scale\n"
