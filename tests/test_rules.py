"""Every primitive's tangent and adjoint rule against finite differences; user-registered rules."""

import inspect
import math

import numpy as np
import pytest
from numerics import assert_close, central_directional, central_gradient
from user_rules import (
    cube,
    pair_product,
    scaled_distance,
    softplus,
    square,
    uses_distance,
    uses_pair_product,
    uses_softplus,
)

import s2sad
from s2sad.backend.module import emit_module
from s2sad.ir.core import BOOL, FLOAT, Builder, new_function
from s2sad.rules.registry import PRIMITIVES
from s2sad.passes.pipeline import derivative_functions

POINTS = {
    "asin": (0.4,),
    "acos": (-0.3,),
    "atanh": (0.5,),
    "acosh": (1.7,),
    "log_base": (5.0, 2.5),
    "select": (True, 0.7, 1.3),
    "round": (0.7321, 2),
    "floordiv": (7.3, 2.1),
    "mod": (7.3, 2.1),
    "abs": (-0.6,),
    "fabs": (-0.6,),
    "min": (0.9, 0.4),
    "max": (0.9, 0.4),
}
DIFFERENTIABLE = sorted(
    name
    for name, p in PRIMITIVES.items()
    if p.has_rules
    and p.binding is None
    and not p.numpy
    and not p.name.startswith("np.")
)
"""The scalar primitives; NumPy's are tested on arrays in test_array_rules.py."""


def point_for(name):
    return POINTS.get(name, (0.7, 1.3)[: len(PRIMITIVES[name].args)])


def single_op_function(name):
    entry = PRIMITIVES[name]
    params = [(a, BOOL if a in entry.nondiff else FLOAT) for a in entry.args]
    function = new_function(f"op_{name}", params)
    b = Builder(function)
    b.ret([b.op(name, list(function.params), [FLOAT], hints=["out"]).result])
    return function


def compiled(function, kind, wrt):
    functions = derivative_functions(function, kind, wrt, single=False)
    namespace = {}
    exec(compile(emit_module(functions, "# test"), "<generated>", "exec"), namespace)
    return [namespace[f.name] for f in functions]


def test_table_has_every_issue_primitive():
    expected = (
        "add sub mul div pow neg abs sin cos tan asin acos atan atan2 sinh cosh tanh"
    )
    expected += " asinh acosh atanh exp expm1 log log_base log1p log2 log10 sqrt hypot"
    expected += " math_pow fabs min max"
    assert set(expected.split()) <= set(DIFFERENTIABLE)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_adjoint_rule_matches_finite_differences(name):
    entry = PRIMITIVES[name]
    point = point_for(name)
    wrt = [i for i, a in enumerate(entry.args) if a not in entry.nondiff]
    (gradient,) = compiled(single_op_function(name), "grad", wrt)
    fixed = list(point)

    def along(*values):
        for i, v in zip(wrt, values):
            fixed[i] = v
        return entry.python(*fixed)

    expected = central_gradient(along, [point[i] for i in wrt])
    assert_close(gradient(*point), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_tangent_rule_matches_finite_differences(name):
    entry = PRIMITIVES[name]
    point = point_for(name)
    direction = [
        0.0 if a in entry.nondiff else 0.3 + 0.2 * i for i, a in enumerate(entry.args)
    ]
    (jvp,) = compiled(single_op_function(name), "jvp", list(range(len(point))))
    out, out_dot = jvp(*point, *direction)
    assert out == entry.python(*point)
    expected = central_directional(
        lambda *x: entry.python(
            *(p if a in entry.nondiff else v for p, v, a in zip(point, x, entry.args))
        ),
        point,
        direction,
    )
    assert_close(out_dot, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_modes_agree_on_each_primitive(name):
    """Dot-product test: <J t, c> == <t, J^T c> with c = 1."""
    entry = PRIMITIVES[name]
    point = point_for(name)
    diff = [i for i, a in enumerate(entry.args) if a not in entry.nondiff]
    tangent = [0.0] * len(point)
    for k, i in enumerate(diff):
        tangent[i] = 0.5 - 0.3 * k
    (jvp,) = compiled(single_op_function(name), "jvp", list(range(len(point))))
    (gradient,) = compiled(single_op_function(name), "grad", diff)
    _, out_dot = jvp(*point, *tangent)
    assert out_dot == pytest.approx(
        float(np.dot(gradient(*point), [tangent[i] for i in diff])),
        rel=1e-12,
        abs=1e-14,
    )


def test_user_rule_gradient_and_generated_import():
    g = s2sad.grad(uses_softplus, wrt=(0, 1))
    assert_close(g(0.3, -1.2), central_gradient(uses_softplus, (0.3, -1.2)))
    value_and_grad = s2sad.value_and_grad(uses_softplus, wrt=(0, 1))
    value, gradient = value_and_grad(0.3, -1.2)
    assert value == pytest.approx(uses_softplus(0.3, -1.2), rel=1e-15)
    assert_close(gradient, g(0.3, -1.2), rtol=1e-15, atol=0)
    assert 'runtime.resolve("user_rules", "softplus")' in value_and_grad.source
    assert "from s2sad import runtime" in value_and_grad.source


def test_user_rule_with_several_arguments_in_both_modes():
    point = (0.8, 0.6)
    g = s2sad.grad(uses_distance, wrt=(0, 1))
    assert_close(g(*point), central_gradient(uses_distance, point))
    out, out_dot = s2sad.jvp(uses_distance, point, (0.2, -0.7))
    assert out == pytest.approx(uses_distance(*point))
    assert_close(out_dot, central_directional(uses_distance, point, (0.2, -0.7)))


def test_user_primitive_itself_can_be_differentiated():
    assert s2sad.grad(softplus)(0.4) == pytest.approx(
        1.0 / (1.0 + math.exp(-0.4)), rel=1e-14
    )
    gradient = s2sad.grad(scaled_distance, wrt=(0, 1, 2))(0.3, 0.4, 2.0)
    assert_close(gradient, central_gradient(scaled_distance, (0.3, 0.4, 2.0)))


def test_rule_with_unknown_parameter_is_rejected():
    with pytest.raises(s2sad.S2SADError, match="unknown parameter.*y_dot"):

        @s2sad.derivative_rule(cube)
        class CubeRule:
            def tangent(x, y_dot):
                return 3.0 * x * x * y_dot

            def adjoint(x, out_bar):
                return 3.0 * x * x * out_bar


def test_rule_needs_both_tangent_and_adjoint():
    with pytest.raises(s2sad.S2SADError, match="both tangent and adjoint"):

        @s2sad.derivative_rule(square)
        class SquareRule:
            def tangent(x, x_dot):
                return 2.0 * x * x_dot


def test_rule_for_a_local_function_is_rejected():
    def local(x):
        return x

    with pytest.raises(s2sad.S2SADError, match="must be defined at module level"):

        @s2sad.derivative_rule(local)
        class LocalRule:
            def tangent(x_dot):
                return x_dot

            def adjoint(out_bar):
                return out_bar


def test_adjoint_rule_returning_too_few_values_is_an_error():
    @s2sad.derivative_rule(pair_product)
    class ForgetfulRule:
        def tangent(x, y, x_dot, y_dot):
            return x_dot * y + x * y_dot

        def adjoint(x, y, out_bar):
            return out_bar * y

    with pytest.raises(
        s2sad.S2SADError, match="adjoint rule of pair_product returns 1 value"
    ) as info:
        s2sad.grad(uses_pair_product, wrt=(0, 1))
    assert "return one adjoint per argument: x, y" in info.value.hint
    assert info.value.line == inspect.getsourcelines(ForgetfulRule.adjoint)[1]
