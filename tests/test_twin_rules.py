"""Twin rules: one rule serves a ``math`` function (or operator) and its NumPy
ufunc, and calls ``math`` on numbers, NumPy on arrays."""

from __future__ import annotations

import math
import operator
from collections import defaultdict

import numpy as np
import pytest
from numerics import assert_close, central_directional, central_gradient

import s2sad
from s2sad.passes.rule_inline import template
from s2sad.rules.helpers import NUMPY, TWIN_FUNCTIONS
from s2sad.rules.registry import PRIMITIVES, SCALAR_HELPERS


def _twins() -> list[tuple[str, str]]:
    """(scalar primitive, NumPy primitive) pairs registered with one rule class."""
    by_rule = defaultdict(list)
    for entry in PRIMITIVES.values():
        if entry.has_rules and entry.binding is None:
            by_rule[entry.tangent].append(entry)
    return sorted(
        (scalar.name, array.name)
        for entries in by_rule.values()
        for scalar in entries
        for array in entries
        if scalar.library is None and array.library is NUMPY
    )


TWINS = _twins()
SCALAR_ONLY_HELPERS = SCALAR_HELPERS - {"runtime.power_factor"}
"""Helpers for numbers only (``runtime.power_factor`` works on arrays too)."""


def called(name: str) -> set[str]:
    """The callees (``math.cos``, ``np.divide``) of the rules of primitive ``name``."""
    texts = set()
    for kind in ("tangent", "adjoint"):
        for op in template(PRIMITIVES[name], kind).walk():
            entry = PRIMITIVES.get(op.name)
            if entry is not None and entry.syntax.kind == "call":
                texts.add(entry.syntax.text)
    return texts


def op_names(name: str, kind: str) -> set[str]:
    """The ops of the ``kind`` rule of primitive ``name``."""
    return {op.name for op in template(PRIMITIVES[name], kind).walk()}


def test_twins_share_one_rule():
    expected = {
        ("add", "np.add"),
        ("sub", "np.subtract"),
        ("div", "np.divide"),
        ("pow", "np.power"),
        ("pow", "np.pow_operator"),
        ("sin", "np.sin"),
        ("asin", "np.arcsin"),
        ("acos", "np.arccos"),
        ("atan2", "np.arctan2"),
        ("log", "np.log"),
        ("sqrt", "np.sqrt"),
        ("max", "np.maximum"),
        ("mod", "np.remainder"),
        ("round", "np.floor"),
    }
    assert expected <= set(TWINS)
    assert len({array for _, array in TWINS}) >= 30


@pytest.mark.parametrize("scalar, array", TWINS)
def test_each_twin_calls_its_own_library(scalar, array):
    numbers, arrays = called(scalar), called(array)
    assert not {t for t in numbers if t.startswith("np.")}, numbers
    assert not {t for t in arrays if t.startswith("math.")}, arrays
    assert not arrays & SCALAR_ONLY_HELPERS, arrays


@pytest.mark.parametrize(
    "name, op, not_op",
    [
        ("sqrt", "divide", "div"),
        ("np.sqrt", "div", "np.divide"),
        ("log", "div", "divide"),
        ("np.log", "np.divide", "div"),
        ("atan2", "divide", "div"),
        ("np.arctan2", "np.divide", "div"),
        ("mod", "floordiv", "np.floor_divide"),
        ("np.remainder", "np.floor_divide", "floordiv"),
        ("max", "select", "np.where"),
        ("np.maximum", "np.where", "select"),
        ("pow", "xlogy", "xlogy_array"),
        ("np.power", "xlogy_array", "xlogy"),
    ],
)
def test_each_library_divides_and_chooses_its_own_way(name, op, not_op):
    ops = op_names(name, "tangent")
    assert op in ops and not_op not in ops, sorted(ops)


def test_both_libraries_provide_every_function():
    for name, (numbers, arrays) in TWIN_FUNCTIONS.items():
        assert callable(numbers) and callable(arrays), name


def sin_of_number(x: float):
    return math.sin(x) * x


def sin_of_array(x):
    return np.sum(np.sin(x) * x)


def test_generated_code_calls_math_for_numbers_and_numpy_for_arrays():
    scalar = s2sad.grad(sin_of_number)
    array = s2sad.grad(sin_of_array)
    assert "math.cos(" in scalar.source and "np." not in scalar.source
    assert "np.cos(" in array.source and "math." not in array.source
    assert scalar(0.7) == pytest.approx(math.cos(0.7) * 0.7 + math.sin(0.7))
    x = np.array([0.3, -1.1, 2.0])
    assert_close(array(x), np.cos(x) * x + np.sin(x), rtol=1e-14, atol=0)


def operator_functions(x, y):
    return operator.truediv(x * x, y) + operator.floordiv(x, y) * y


def test_operator_functions_differentiate_as_their_operators():
    point, direction = (2.3, 0.7), (0.4, -0.9)
    gradient = s2sad.grad(operator_functions, wrt=(0, 1))
    assert_close(gradient(*point), central_gradient(operator_functions, point))
    out, out_dot = s2sad.jvp(operator_functions, point, direction)
    assert out == operator_functions(*point)
    assert_close(out_dot, central_directional(operator_functions, point, direction))
    assert out_dot == pytest.approx(np.dot(gradient(*point), direction), rel=1e-12)
