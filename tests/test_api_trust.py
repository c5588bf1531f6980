"""The public API refuses what it would get wrong: non-scalar gradients, array
subclasses, decorated and library functions, mismatched tangents and cotangents."""

import functools
import math
import pickle

import numpy as np
import pytest
import trust_functions as t
from numerics import assert_close, central_gradient

import s2sad
from s2sad import DifferentiationError, S2SADError, UnsupportedSyntaxError


@pytest.mark.parametrize(
    "f, x",
    [
        (t.elementwise, np.array([1.0, 2.0])),
        (t.linear, np.array([1.0, 2.0])),
        (t.entries_product, np.ones((2, 2))),
        (t.matrix_product, np.ones((2, 2))),
        (t.scaled_square, np.array([1.0, 2.0, 3.0])),
    ],
)
@pytest.mark.parametrize("transform", [s2sad.grad, s2sad.value_and_grad])
def test_gradient_of_a_non_scalar_output_is_refused(f, x, transform):
    with pytest.raises(DifferentiationError, match=r"scalar output.*shape \(") as info:
        transform(f)(x)
    assert f.__name__ in str(info.value) and "jvp" in str(info.value.hint)
    assert info.value.file.endswith("trust_functions.py")


@pytest.mark.parametrize("x", [np.array(1.5), np.array([1.5]), 1.5])
def test_a_size_one_output_is_a_scalar(x):
    assert float(np.squeeze(s2sad.grad(t.linear)(x))) == 2.0
    value, gradient = s2sad.value_and_grad(t.scaled_square)(x)
    assert_close(float(np.squeeze(gradient)), 4.0 * 1.5)
    assert_close(float(np.squeeze(value)), 2.0 * 1.5**2)


def test_matrix_valued_dot_of_size_one_is_a_scalar():
    x = np.array([[3.0]])
    assert_close(s2sad.grad(t.matrix_product)(x), np.array([[6.0]]))


def test_checked_gradient_pickles_and_keeps_source():
    g = s2sad.grad(t.weighted, wrt=(0, 1))
    assert "def weighted_grad" in g.source and g.path.exists()
    assert pickle.loads(pickle.dumps(g))(1.0, 2.0, 0.5) == g(1.0, 2.0, 0.5)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: s2sad.grad(t.array_loss)(m, np.ones((1, 2))),
        lambda m: s2sad.jvp(t.array_loss, (m, m), (m, m)),
        lambda m: s2sad.vjp(t.array_loss, m, m),
        lambda m: s2sad.grad(t.array_loss)(np.ones((1, 2)), w=m),
    ],
)
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_matrix_inputs_are_refused(call):
    with pytest.raises(DifferentiationError, match="numpy.matrix"):
        call(np.matrix([[1.0, 2.0]]))


def test_decorator_with_wraps_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match="wrapped by a decorator"):
        s2sad.grad(t.doubled_square)


def test_cached_function_is_differentiated():
    assert_close(s2sad.grad(t.cached_square)(2.0), 12.0)


@pytest.mark.parametrize("f", [np.sum, abs, math.sin, len, np.linalg.norm])
def test_library_functions_are_refused_at_the_call_site(f):
    with pytest.raises(UnsupportedSyntaxError, match="cannot read the source") as info:
        s2sad.grad(f)
    assert info.value.file == __file__ and info.value.hint


def test_partial_fixes_leading_and_trailing_arguments():
    f = functools.partial(t.weighted, 1.5)
    assert_close(s2sad.grad(f)(2.0, 0.3), 2 * 1.5 * 2.0)
    assert_close(s2sad.grad(f, wrt=1)(2.0, 0.3), math.cos(0.3))
    g = functools.partial(t.weighted, c=0.3)
    expected = central_gradient(lambda a, b: t.weighted(a, b, 0.3), [1.5, 2.0])
    assert_close(s2sad.grad(g, wrt=(0, 1))(1.5, 2.0), tuple(expected))
    out, tangent = s2sad.jvp(f, (2.0, 0.3), (1.0, 0.0))
    assert_close((out, tangent), (t.weighted(1.5, 2.0, 0.3), 2 * 1.5 * 2.0))
    out, vjp_fn = s2sad.vjp(f, 2.0, 0.3)
    assert_close(vjp_fn(1.0), (2 * 1.5 * 2.0, math.cos(0.3)))


def test_partial_with_keyword_in_the_middle_is_refused():
    with pytest.raises(DifferentiationError, match="partial"):
        s2sad.grad(functools.partial(t.weighted, b=1.0))


def test_repeated_wrt_has_a_hint():
    with pytest.raises(DifferentiationError, match="twice") as info:
        s2sad.grad(t.weighted, wrt=(0, 0))
    assert "wrt=(0,)" in info.value.hint


def test_none_tangent_means_not_varied():
    out, tangent = s2sad.jvp(t.weighted, (1.5, 2.0, 0.3), (1.0, None, None))
    assert_close((out, tangent), (t.weighted(1.5, 2.0, 0.3), 4.0))
    w, x = np.array([0.5, 1.0]), np.array([2.0, 3.0])
    out, tangent = s2sad.jvp(t.array_loss, (w, x), (np.ones(2), None))
    expected = np.sum(x / np.cosh(w * x) ** 2)
    assert_close(tangent, expected)


@pytest.mark.parametrize(
    "tangent", [np.ones(2), (1.0, 1.0, 1.0), np.ones((3, 1)), "one"]
)
def test_tangent_of_the_wrong_shape_is_refused(tangent):
    with pytest.raises(DifferentiationError, match=r"tangents\[0\] \(for x\)"):
        s2sad.jvp(t.elementwise, (np.ones(3),), (tangent,))


def test_tangent_count_is_checked():
    with pytest.raises(DifferentiationError, match="tangent"):
        s2sad.jvp(t.weighted, (1.0, 2.0, 3.0), (1.0, 0.0))


@pytest.mark.parametrize("cotangent", [np.ones(2), None, (np.ones(3), np.ones(3))])
def test_cotangent_must_match_the_output(cotangent):
    _, vjp_fn = s2sad.vjp(t.elementwise, np.ones(3))
    with pytest.raises(DifferentiationError, match="vjp_fn of elementwise"):
        vjp_fn(cotangent)


@pytest.mark.parametrize("cotangent", [np.ones(3), (np.ones(3),), (np.ones(2), 1.0)])
def test_cotangents_of_several_outputs_are_checked(cotangent):
    _, vjp_fn = s2sad.vjp(t.two_outputs, np.ones(3))
    with pytest.raises(DifferentiationError, match="cotangent"):
        vjp_fn(cotangent)
    assert_close(vjp_fn((np.ones(3), 1.0))[0], np.cos(1.0) + 2.0)


def test_vjp_does_not_see_later_changes_to_its_input():
    x = np.array([0.1, 0.2, 0.3])
    out, vjp_fn = s2sad.vjp(t.elementwise, x)
    expected = vjp_fn(np.ones(3))[0]
    x[:] = 5.0
    assert_close(vjp_fn(np.ones(3))[0], expected)
    assert_close(expected, np.cos([0.1, 0.2, 0.3]))


def test_vjp_of_deep_recursion():
    out, vjp_fn = s2sad.vjp(t.recursive_power, 1.001, 600)
    assert_close(out, 1.001**600)
    assert_close(vjp_fn(1.0)[0], 600 * 1.001**599)
    assert_close(vjp_fn(1.0)[0], 600 * 1.001**599)


def test_rule_for_a_builtin_type_is_refused_clearly():
    with pytest.raises(S2SADError, match="builtin int") as info:
        s2sad.derivative_rule(int)
    assert "def my_int(x)" in info.value.hint and info.value.file == __file__


def test_standard_library_function_is_refused_at_the_call_site():
    import statistics

    with pytest.raises(UnsupportedSyntaxError, match="statistics.mean") as info:
        s2sad.grad(statistics.mean)
    assert info.value.file == __file__


def test_decorators_differentiate_what_is_called():
    assert_close(s2sad.grad(t.plainly_doubled_square)(1.5), 6.0)
    assert_close(s2sad.grad(t.registered_square)(1.5), 3.0)
    with pytest.raises(UnsupportedSyntaxError, match="Tracer"):
        s2sad.grad(t.traced_square)


def test_library_call_in_the_body_is_refused_at_the_call():
    with pytest.raises(s2sad.NoDerivativeRuleError, match="statistics.fmean") as info:
        s2sad.grad(t.calls_statistics)
    assert info.value.file.endswith("trust_functions.py")


def test_a_one_tuple_output_stays_a_one_tuple():
    value, tangent = s2sad.jvp(t.one_tuple_output, (1.5,), (2.0,))
    assert value == t.one_tuple_output(1.5) and tangent == (6.0,)
    out, vjp_fn = s2sad.vjp(t.one_tuple_output, 1.5)
    assert out == (2.25,) and vjp_fn((1.0,)) == (3.0,)
    with pytest.raises(DifferentiationError, match="tuple of one value"):
        vjp_fn(1.0)


def test_changing_the_output_vjp_gave_does_not_change_vjp_fn():
    x = np.array([0.1, 0.2])
    out, vjp_fn = s2sad.vjp(t.exponential_output, x)
    expected = vjp_fn(np.ones(2))[0].copy()
    out[0] = 100.0
    np.testing.assert_array_equal(vjp_fn(np.ones(2))[0], expected)


def test_an_int_passed_for_an_unannotated_parameter_is_not_differentiated():
    value, tangent = s2sad.jvp(t.zeros_of_length, (1.5, 4), (1.0, None))
    assert (value, tangent) == (9.0, 6.0)
    with pytest.raises(DifferentiationError, match="n is an int"):
        s2sad.jvp(t.zeros_of_length, (1.5, 4), (1.0, 1.0))
    assert s2sad.vjp(t.zeros_of_length, 1.5, 4)[1](1.0) == (6.0, 0.0)
