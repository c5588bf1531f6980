"""Sixth attack: refusals and derivatives of the second-order entry points,
Jacobians and helpers, each the minimal program of an error raised from
generated code, an internal name leaked in a message, or a program refused
that needs no refusal."""

import numpy as np
import pytest

import s2sad
from s2sad import DifferentiationError

X = np.array([0.3, -0.7, 1.1])
THIS_FILE = __file__.removesuffix("c")


def squares(x: np.ndarray):
    return x * x


def unannotated_squares(x):
    return x * x


SECOND_ORDER = [
    ("hvp", lambda f: s2sad.hvp(f)(X, np.ones(3))),
    ("hessian", lambda f: s2sad.hessian(f)(X)),
    ("batched_hvp", lambda f: s2sad.batched_hvp(f)(X, np.eye(3))),
    ("hutchinson_trace", lambda f: s2sad.hutchinson_trace(f, seed=0)(X)),
]


@pytest.mark.parametrize("f", [squares, unannotated_squares])
@pytest.mark.parametrize("who, call", SECOND_ORDER, ids=[w for w, _ in SECOND_ORDER])
def test_a_second_order_derivative_of_an_array_output_is_refused_at_its_def(
    who, call, f
):
    with pytest.raises(DifferentiationError, match="scalar output") as info:
        call(f)
    error = info.value
    assert f"{who} of {f.__name__}" in error.message and "(3,)" in error.message
    assert error.file == THIS_FILE and error.line == f.__code__.co_firstlineno
    assert "np.sum" in error.hint and "jacfwd" in error.hint


def nested_outputs(x: np.ndarray, s: float):
    return x, (x * x, s)


@pytest.mark.parametrize("transform", [s2sad.jacfwd, s2sad.jacrev, s2sad.jacobian])
def test_a_jacobian_of_nested_outputs_is_refused_without_internal_names(transform):
    with pytest.raises(DifferentiationError, match="output 1 is a tuple") as info:
        transform(nested_outputs)(X, 2.0)
    error = info.value
    assert "seq" not in error.message and "nested outputs" in error.message
    assert error.file == THIS_FILE and "outputs of their own" in error.hint


def outputs_side_by_side(x: np.ndarray, s: float):
    return x, x * x, s


@pytest.mark.parametrize("transform", [s2sad.jacfwd, s2sad.jacrev])
def test_the_flat_outputs_the_hint_proposes_are_differentiated(transform):
    first, second, third = transform(outputs_side_by_side)(X, 2.0)
    assert np.allclose(first, np.eye(3))
    assert np.allclose(second, np.diag(2.0 * X))
    assert np.allclose(third, np.zeros(3))


def integer_output(x: np.ndarray):
    return x, len(x)


def test_a_jacobian_of_an_integer_output_names_it_in_words():
    with pytest.raises(DifferentiationError, match="output 1 is an integer;"):
        s2sad.jacfwd(integer_output)(X)


def differences(f, x, step=1e-6):
    """The central differences of ``f`` at ``x``, one column per entry of ``x``."""
    columns = []
    for k in range(np.size(x)):
        e = np.zeros(np.size(x))
        e[k] = step
        e = e.reshape(np.shape(x))
        columns.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * step))
    return np.stack(columns, axis=-1)


C = np.array([1.0, -1.0, 0.0])


def scaled_by_steps(x: np.ndarray, c: np.ndarray):
    return x * np.sum(np.heaviside(c, 0.5))


def test_a_step_of_a_constant_scales_a_jacobian():
    expected = differences(lambda x: scaled_by_steps(x, C), X)
    assert np.allclose(s2sad.jacfwd(scaled_by_steps)(X, C), expected)
    assert np.allclose(s2sad.jacrev(scaled_by_steps)(X, C), expected)


def stepped_square(x: np.ndarray):
    return np.sum(np.heaviside(x, 0.5) * x * x)


def test_a_step_of_the_input_has_a_zero_derivative_away_from_zero():
    gradient = s2sad.grad(stepped_square)(X)
    assert np.allclose(gradient, differences(stepped_square, X))
    hessian = s2sad.hessian(stepped_square)(X)
    assert np.allclose(hessian, np.diag(2.0 * (X > 0)))


def step_valued_at_zero(x: np.ndarray, h: float):
    return np.sum(np.heaviside(x, h) * h)


def test_the_value_at_zero_of_a_step_carries_its_derivative_there():
    def of_h(h):
        return step_valued_at_zero(C, h)

    gradient = s2sad.grad(step_valued_at_zero, wrt=1)(C, 0.3)
    assert np.isclose(gradient, differences(of_h, 0.3)[0])
    assert np.isclose(s2sad.hvp(step_valued_at_zero, wrt=1)(C, 0.3, 1.0), 2.0)


def doubled_scale(x: np.ndarray, s):
    s *= 2.0
    return np.sum(x) * s


def scaled_by_a_literal(x: np.ndarray):
    return doubled_scale(x, 3.0)


def scaled_by_a_number(x: np.ndarray, t: float):
    return doubled_scale(x, t)


def scaled_by_an_array(x: np.ndarray):
    return doubled_scale(x, x * 1.0)


def test_a_helper_rebinds_its_number_parameter_by_augmented_assignment():
    expected = differences(scaled_by_a_literal, X)
    assert np.allclose(s2sad.grad(scaled_by_a_literal)(X), expected)
    gradient = s2sad.grad(scaled_by_a_number, wrt=1)(X, 3.0)
    assert np.isclose(gradient, 2.0 * np.sum(X))


def test_a_helper_writing_into_an_array_argument_is_still_refused():
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="writes into its") as info:
        s2sad.grad(scaled_by_an_array)(X)
    assert "'s'" in info.value.message and "copy()" in info.value.hint
    assert info.value.line == doubled_scale.__code__.co_firstlineno + 1


def cubes(x: np.ndarray):
    return np.sum(x**3)


INTEGERS = np.array([1, 2, 3])
INTEGER_CALLS = [
    ("hessian", lambda x: s2sad.hessian(cubes)(x)),
    ("hvp", lambda x: s2sad.hvp(cubes)(x, np.ones(3))),
    ("batched_hvp", lambda x: s2sad.batched_hvp(cubes)(x, np.eye(3))),
    ("hutchinson_trace", lambda x: s2sad.hutchinson_trace(cubes, seed=0)(x)),
    ("jacfwd", lambda x: s2sad.jacfwd(squares)(x)),
]


@pytest.mark.parametrize("who, call", INTEGER_CALLS, ids=[w for w, _ in INTEGER_CALLS])
@pytest.mark.parametrize("x", [INTEGERS, INTEGERS > 1], ids=["int", "bool"])
def test_an_integer_array_to_differentiate_is_refused_as_by_a_jacobian(who, call, x):
    with pytest.raises(DifferentiationError, match="is an integer array") as info:
        call(x)
    assert info.value.message.startswith(f"{who} of ")
    assert "astype(float)" in info.value.hint


def test_the_float_array_the_hint_proposes_gives_the_hessian():
    x = INTEGERS.astype(float)
    assert np.allclose(s2sad.hessian(cubes)(x), np.diag(6.0 * x))
