"""Regressions: rules and emitted imports at the edges of their domains.

NumPy constants and functions of numbers import ``numpy``; a generated module
that would not run is refused before it is written, and a file that does not
import is an ``S2SADError``; ``np.dot`` of any dimension; ``det`` at singular
matrices; ``x ** y`` at a negative ``x``; constant rows in ``np.array``.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from numerics import (
    assert_close,
    central_directional_arrays,
    central_gradient,
    central_gradient_arrays,
)

import s2sad
from s2sad.cache import loader
from s2sad.backend.module import check_module

SCALE = np.float64(1.5)


def log10_of_number(x: float):
    return np.log10(x) * 2.0


def log2_of_number(x: float):
    return np.log2(x) + x


def times_numpy_constant(x: float):
    return x * SCALE + SCALE


def numpy_constant_in_math(x: float):
    return math.sin(x) * SCALE


@pytest.mark.parametrize(
    "f",
    [log10_of_number, log2_of_number, times_numpy_constant, numpy_constant_in_math],
)
def test_numpy_constants_and_functions_of_numbers_import_numpy(f):
    for kind in ("grad", "value_and_grad", "jvp", "vjp"):
        expected = central_gradient(f, [1.7])[0]
        if kind == "grad":
            value = s2sad.grad(f)(1.7)
        elif kind == "value_and_grad":
            primal, value = s2sad.value_and_grad(f)(1.7)
            assert primal == pytest.approx(f(1.7), rel=1e-15)
        elif kind == "jvp":
            primal, value = s2sad.jvp(f, (1.7,), (1.0,))
            assert primal == pytest.approx(f(1.7), rel=1e-15)
        else:
            primal, vjp_fn = s2sad.vjp(f, 1.7)
            (value,) = vjp_fn(1.0)
        assert value == pytest.approx(expected, rel=1e-6)
    source = s2sad.grad(f).source
    assert "np." not in source or "import numpy as np" in source


def test_a_module_reading_an_undefined_name_is_refused():
    text = "import math\n\n\ndef f_grad(x):\n    return np.float64(2.0) * x\n"
    with pytest.raises(s2sad.S2SADError, match="undefined name.*np"):
        check_module(text)
    with pytest.raises(s2sad.S2SADError, match="does not compile"):
        check_module("def f(x):\n    return (x\n")
    check_module("import math\n\n\ndef f(x):\n    y = math.sin(x)\n    return y, len")


def test_a_generated_file_that_does_not_import_is_an_error(tmp_path):
    path = tmp_path / "broken.py"
    key = "sha256:0123456789abcdef"
    text = f"{loader.HASH_PREFIX}{key}\nimport not_a_module_s2sad\n"
    with pytest.raises(s2sad.S2SADError, match="does not import") as error:
        loader.load(path, key, lambda: text)
    assert error.value.file == str(path.resolve())
    assert not path.exists()


# ---------------------------------------------------------------- np.dot of any dimension


def dot_of(x, y):
    return np.dot(x, y)


def dot_with_itself(x):
    return np.sum(np.dot(x, x[0].T))


DOT_SHAPES = [
    ((2, 3, 4), (4,)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((4,), (2, 4, 3)),
    ((2, 3, 4), (5, 4, 2)),
]


@pytest.mark.parametrize("shapes", DOT_SHAPES, ids=str)
def test_dot_of_arrays_of_more_than_two_dimensions(shapes):
    rng = np.random.default_rng(3)
    x, y = (rng.normal(size=s) for s in shapes)
    tx, ty = (rng.normal(size=s) for s in shapes)
    out, out_dot = s2sad.jvp(dot_of, (x, y), (tx, ty))
    assert_close(out, np.dot(x, y), rtol=1e-14, atol=1e-14)
    assert_close(out_dot, central_directional_arrays(dot_of, (x, y), (tx, ty)))
    c = rng.normal(size=np.shape(out))
    _, vjp_fn = s2sad.vjp(dot_of, x, y)
    x_bar, y_bar = vjp_fn(c)
    assert np.sum(out_dot * c) == pytest.approx(
        np.sum(x_bar * tx) + np.sum(y_bar * ty), rel=1e-10
    )


def test_gradient_of_a_dot_of_a_3d_array():
    x = np.random.default_rng(4).normal(size=(2, 3, 3))
    (expected,) = central_gradient_arrays(dot_with_itself, [x])
    assert_close(s2sad.grad(dot_with_itself)(x), expected)


# ---------------------------------------------------------------- det, slogdet


def det_of(x):
    return np.linalg.det(x)


def log_abs_det(x):
    return np.linalg.slogdet(x)[1]


SINGULAR = [
    np.ones((2, 2)),
    np.array([[1.0, 2.0], [2.0, 4.0]]),
    np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),
    np.zeros((3, 3)),
    np.array([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 0.3], [0.1, 1.0]]]),
]


@pytest.mark.parametrize("x", SINGULAR, ids=lambda x: f"{x.shape}")
def test_det_is_differentiated_at_singular_matrices(x):
    """det is a polynomial: its derivative, the cofactor matrix, exists everywhere."""
    (expected,) = central_gradient_arrays(lambda a: np.sum(det_of(a)), [x])
    _, vjp_fn = s2sad.vjp(det_of, x)
    (x_bar,) = vjp_fn(np.ones(np.shape(det_of(x))))
    assert_close(x_bar, expected, rtol=1e-6, atol=1e-8)
    t = np.random.default_rng(5).normal(size=x.shape)
    _, out_dot = s2sad.jvp(det_of, (x,), (t,))
    assert_close(out_dot, central_directional_arrays(det_of, (x,), (t,)), atol=1e-8)


def test_det_gradient_is_the_cofactor_matrix():
    x = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert_close(s2sad.grad(det_of)(x), [[4.0, -2.0], [-2.0, 1.0]], rtol=0, atol=1e-12)


def test_slogdet_at_a_singular_matrix_is_infinite_not_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradient = s2sad.grad(log_abs_det)(np.ones((2, 2)))
        _, out_dot = s2sad.jvp(log_abs_det, (np.ones((2, 2)),), (np.eye(2),))
    assert np.all(np.isinf(gradient))
    assert not np.isfinite(out_dot)
    x = np.array([[2.0, 0.3], [0.1, 1.0]])
    assert_close(s2sad.grad(log_abs_det)(x), np.linalg.inv(x).T, rtol=1e-12)


# ---------------------------------------------------------------- x ** y at a negative x


def power_of(x: float, y: float):
    return x**y


def math_power_of(x: float, y: float):
    return math.pow(x, y)


def numpy_power_of(x, y):
    return np.sum(np.power(x, y))


def array_power_of(x, y):
    return np.sum(x**y)


@pytest.mark.parametrize("f", [power_of, math_power_of])
@pytest.mark.parametrize("x, y", [(-2.0, 3.0), (-1.5, 2.0), (-2.0, -1.0), (0.0, 2.0)])
def test_power_at_a_negative_base_with_an_undifferentiated_exponent(f, x, y):
    expected = y * x ** (y - 1)
    assert s2sad.grad(f, wrt=0)(x, y) == pytest.approx(expected)
    assert s2sad.jvp(f, (x, y), (1.0, 0.0)) == (f(x, y), pytest.approx(expected))
    _, vjp_fn = s2sad.vjp(f, x, y)
    x_bar, y_bar = vjp_fn(1.0)
    assert x_bar == pytest.approx(expected)
    assert x < 0 and math.isnan(y_bar) or x == 0.0 and y_bar == 0.0


@pytest.mark.parametrize("f", [numpy_power_of, array_power_of])
def test_array_power_at_a_negative_base_with_a_zero_exponent_tangent(f):
    x, y = np.array([-2.0, -1.5, 3.0]), np.array([3.0, 2.0, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, out_dot = s2sad.jvp(f, (x, y), (np.ones(3), np.zeros(3)))
    assert out == f(x, y)
    assert_close(out_dot, np.sum(y * x ** (y - 1)))


def half_power(x: float):
    return x**0.5 + math.pow(x, 1.5)


def integer_powers(x: float, n: int):
    total = 0.0
    for k in range(n):
        total = total + (k + 1.0) * x**k
    return total


def test_powers_at_zero_are_ieee():
    assert s2sad.grad(half_power)(0.0) == math.inf
    assert s2sad.grad(power_of, wrt=(0, 1))(0.0, 3.0) == (0.0, 0.0)


def test_a_polynomial_with_a_zeroth_power_at_zero():
    """``x ** 0`` is 1 everywhere: its derivative is 0 at 0 too, not ``0 * inf``."""
    assert s2sad.grad(integer_powers)(0.0, 4) == 2.0
    assert s2sad.jvp(integer_powers, (0.0, 4), (1.0, 0)) == (1.0, 2.0)
    assert s2sad.grad(power_of)(0.0, 0.0) == 0.0
    x = np.array([0.0, 2.0])
    assert_close(s2sad.grad(numpy_power_of)(x, np.array([0.0, 0.0])), [0.0, 0.0])


# ---------------------------------------------------------------- constant rows in array constructors


def array_with_constant_row(x: float):
    return np.sum(np.array([[x, 2.0 * x], [1.0, 2.0]]) ** 2)


def stack_with_constant(x):
    return np.sum(np.stack([x, (1.0, 2.0)]) * x)


def concatenate_with_constant(x):
    return np.sum(np.concatenate([x, (1.0, 2.0)]) ** 2)


def nested_constant_rows(x: float):
    a = np.array([[[x, 1.0], [0.5, 2.0]], [[3.0, 4.0], [x * x, 1.0]]])
    return np.sum(a * a)


@pytest.mark.parametrize(
    "f, x",
    [
        (array_with_constant_row, 1.3),
        (stack_with_constant, np.array([0.4, -1.1])),
        (concatenate_with_constant, np.array([0.4, -1.1])),
        (nested_constant_rows, 0.7),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_constant_rows_in_array_constructors(f, x):
    t = 0.6 if isinstance(x, float) else np.array([0.6, -0.2])
    out, out_dot = s2sad.jvp(f, (x,), (t,))
    assert out == pytest.approx(f(x), rel=1e-15)
    assert_close(out_dot, central_directional_arrays(f, (x,), (t,)))
    (expected,) = central_gradient_arrays(f, [x])
    assert_close(s2sad.grad(f)(x), expected)


# ---------------------------------------------------------------- the command line


def test_cli_writes_a_working_file_for_numpy_constants(tmp_path):
    """The file used to read ``np`` without importing it, and the command exited 0."""
    source = tmp_path / "constants.py"
    source.write_text(
        "import numpy as np\n\nC = np.float64(1.5)\n\n\n"
        "def f(x: float):\n    return np.log10(x) * C\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "s2sad.cli", "grad", f"{source}:f", "-o", tmp_path],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    namespace = {}
    exec(Path(result.stdout.strip()).read_text(), namespace)
    assert namespace["f_grad"](2.0) == pytest.approx(1.5 / (2.0 * math.log(10.0)))


def test_cli_fails_when_the_generated_module_would_not_run(tmp_path):
    """A module that reads a name it does not import is never written: exit status 1."""
    source = tmp_path / "constants.py"
    source.write_text("import math\n\n\ndef f(x: float):\n    return math.sin(x)\n")
    script = (
        "import sys; from s2sad import cli; from s2sad.backend import module; module.MODULES.pop('math'); "
        "sys.exit(cli.main(sys.argv[1:]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "grad", f"{source}:f", "-o", tmp_path],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "undefined name(s) math" in result.stderr
    assert not list(tmp_path.rglob("f_grad*.py"))
