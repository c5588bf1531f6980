"""Regression tests for corner cases found in review (see tests/edge_functions.py)."""

import inspect
import math
import pickle

import edge_functions as edge
import pytest
from numerics import assert_close, central_directional, central_gradient

import s2sad
from s2sad.frontend.program import lower
from s2sad.ir.printer import print_function


def full_gradient(f, point):
    return s2sad.grad(f, wrt=tuple(range(len(point))))(*point)


def test_derivative_of_zero_base_power_is_zero_not_an_error():
    assert s2sad.grad(edge.zero_base)(1.3) == pytest.approx(
        2.0**1.3 * math.log(2.0), rel=1e-15
    )
    assert full_gradient(edge.power_at_zero, (0.0, 2.0)) == (0.0, 0.0)
    _, out_dot = s2sad.jvp(edge.power_at_zero, (0.0, 2.0), (0.0, 1.0))
    assert out_dot == 0.0


def test_int_parameter_gets_no_tangent():
    out, out_dot = s2sad.jvp(edge.int_exponent, (-2.0, 3), (1.0, 1.0))
    assert (out, out_dot) == (-8.0, 12.0)
    _, vjp_fn = s2sad.vjp(edge.int_exponent, -2.0, 3)
    assert vjp_fn(1.0) == (12.0, 0.0)


@pytest.mark.parametrize(
    "f, point",
    [
        (edge.local_named_math, (0.3,)),
        (edge.parameter_named_math, (0.3,)),
        (edge.parameter_named_runtime, (1.7, 0.4)),
        (edge.variable_named_like_generated, (0.3, 1.2, -0.7)),
        (edge.reassigned_parameter, (0.4, 1.1)),
        (edge.negative_power, (1.3,)),
        (edge.very_long_expression, (0.4, 0.9)),
        (edge.constants_from_module, (0.5,)),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_names_and_shapes_that_once_broke_generated_code(f, point):
    assert_close(full_gradient(f, point), central_gradient(f, point))
    direction = [0.5 - 0.25 * i for i in range(len(point))]
    out, out_dot = s2sad.jvp(f, point, direction)
    assert out == pytest.approx(f(*point), rel=1e-15)
    assert_close(out_dot, central_directional(f, point, direction))


def test_negative_and_float_defaults():
    gradient = s2sad.grad(edge.negative_default)
    assert gradient(1.5) == -2.0
    assert "def negative_default_grad(x, y=-2.0):" in gradient.source
    out, vjp_fn = s2sad.vjp(edge.float_default, 1.5)
    assert out == edge.float_default(1.5)
    # One adjoint per primal passed, as JAX's vjp: none for the default y.
    assert_close(vjp_fn(1.0), central_gradient(edge.float_default, (1.5, 2.0))[:1])


def test_defaults_are_part_of_the_printed_ir_and_the_hash():
    assert print_function(lower(edge.float_default)).startswith(
        "func float_default(x, y=2.0):"
    )


def test_primal_values_are_computed_exactly_as_written():
    value, _ = s2sad.value_and_grad(edge.reassociation)(0.7)
    assert value == edge.reassociation(0.7)
    with pytest.raises(ZeroDivisionError):
        s2sad.value_and_grad(edge.zero_numerator)(0.0)
    value, gradient = s2sad.value_and_grad(edge.int_doubling, wrt="x")(1.5, 2)
    assert (value, gradient) == (6.0, 4)


def test_same_value_returned_twice():
    out, vjp_fn = s2sad.vjp(edge.returns_parameter_twice, 2.0, 3.0)
    assert out == (2.0, 6.0, 2.0)
    assert vjp_fn((1.0, 1.0, 1.0)) == (5.0, 2.0)


def test_nested_function_with_unindented_docstring():
    f = edge.outer()
    assert s2sad.grad(f)(1.5) == 3.0


def test_global_read_before_local_assignment_is_an_error():
    with pytest.raises(
        s2sad.UnsupportedSyntaxError, match="'K' is used before it is assigned"
    ) as info:
        s2sad.grad(edge.reads_global_before_assigning)
    lines, first = inspect.getsourcelines(edge.reads_global_before_assigning)
    assert info.value.line == first + 1


def test_bound_method_is_refused():
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="bound method Scaler.scale"):
        s2sad.grad(edge.Scaler().scale)


@pytest.mark.parametrize("wrt", [{0, 1}, [[0]], 0.5])
def test_malformed_wrt_is_a_clear_error(wrt):
    with pytest.raises(
        s2sad.DifferentiationError, match="wrt entries must be ints or names"
    ):
        s2sad.grad(edge.power_at_zero, wrt=wrt)


def test_generated_functions_can_be_pickled():
    gradient = s2sad.grad(edge.power_at_zero, wrt=(0, 1))
    assert pickle.loads(pickle.dumps(gradient))(2.0, 3.0) == gradient(2.0, 3.0)
