"""Regressions found while putting the trust work together."""

import numpy as np
import pytest
from derivative_checks import check_all
from merge_fix_functions import (
    BUFFER,
    appended,
    copies_module_array,
    linear,
    loop_target_reused,
    rebound_to_a_taped_array,
    square,
    taped_then_written,
    taped_then_written_in_while,
    writes_module_array,
    writes_view_of_module_array,
)

import s2sad


def test_a_float_output_gets_a_float64_seed():
    """A list container makes ``x`` an array parameter, so the gradient runs the
    vjp; its seed for a Python float output is 1.0, not a float16 one."""
    value, gradient = s2sad.value_and_grad(appended)(1.1)
    assert value == appended(1.1)
    assert gradient == pytest.approx(1.0 + 2.2, rel=1e-15)
    assert s2sad.grad(appended)(1.1) == pytest.approx(3.2, rel=1e-15)


@pytest.mark.parametrize("f", [writes_module_array, writes_view_of_module_array])
def test_writes_into_module_arrays_are_refused(f):
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="outside the function"):
        s2sad.grad(f)(np.array([0.5, 1.0, 2.0]))
    np.testing.assert_array_equal(BUFFER, np.zeros(3))


def test_a_copy_of_a_module_array_can_be_written():
    x = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(s2sad.grad(copies_module_array)(x), [1.0, 0.0, 0.0])


@pytest.mark.parametrize(
    "argument", [0.7 + 0.1j, np.array([0.7 + 0.1j]), "0.7", None, np.array(["a"])]
)
def test_arguments_that_are_not_real_numbers_are_refused(argument):
    with pytest.raises(s2sad.DifferentiationError, match="argument x is"):
        s2sad.grad(square)(argument)
    with pytest.raises(s2sad.DifferentiationError, match="argument x is"):
        s2sad.jvp(square, (argument,), (1.0,))


@pytest.mark.parametrize("tangent", [1.0 + 2.0j, "1.0"])
def test_tangents_and_cotangents_that_are_not_real_are_refused(tangent):
    with pytest.raises(s2sad.DifferentiationError, match="tangents\\[0\\]"):
        s2sad.jvp(square, (0.7,), (tangent,))
    _, vjp_fn = s2sad.vjp(square, 0.7)
    with pytest.raises(s2sad.DifferentiationError, match="cotangent"):
        vjp_fn(tangent)


@pytest.mark.parametrize("shape", [(1,), (), (1, 1)])
def test_a_size_one_array_for_a_number_gets_a_gradient_of_its_shape(shape):
    x = np.full(shape, 0.7)
    gradient = s2sad.grad(linear)(x)
    assert np.shape(gradient) == shape and np.all(gradient == 2.0)
    value, gradient = s2sad.value_and_grad(linear)(x)
    assert np.shape(gradient) == shape and np.all(value == 1.4)


@pytest.mark.parametrize(
    "f", [taped_then_written, taped_then_written_in_while, rebound_to_a_taped_array]
)
def test_an_array_the_tape_holds_is_not_written_in_place(f):
    """The tape keeps one iteration's array; the next iteration's write goes to a copy."""
    check_all(f, (np.array([0.9, 0.7, 1.1]),))


@pytest.mark.parametrize("x", [0.93, 0.5])
def test_a_loop_target_reused_by_an_inner_loop(x):
    check_all(loop_target_reused, (x,))


def test_jvp_refuses_primals_that_are_not_a_sequence():
    with pytest.raises(s2sad.DifferentiationError, match="primals as a tuple"):
        s2sad.jvp(square, 0.7, (1.0,))
    with pytest.raises(s2sad.DifferentiationError, match="tangents as a tuple"):
        s2sad.jvp(square, (0.7,), 1.0)
    assert s2sad.jvp(square, [0.7], [1.0]) == pytest.approx((0.49, 1.4))
