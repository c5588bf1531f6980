"""Values typed as numbers where shapes show they are: element loops without shape bookkeeping."""

import numpy as np
import pytest

import s2sad
from s2sad.frontend.program import lower
from s2sad.ir.core import ARRAY, FLOAT
from s2sad.analysis import kinds, numbers
from s2sad.analysis.shapes import SCALAR, infer_shapes
from numerics import central_gradient_arrays


def recurrence(x, a):
    n = x.shape[0]
    y = np.zeros(n)
    y[0] = x[0]
    for i in range(1, n):
        y[i] = a * y[i - 1] + x[i]
    return np.sum(y)


def grid(x, c):
    Y = np.zeros((3, 4))
    for i in range(3):
        for j in range(4):
            Y[i, j] = c * x[i] * x[j]
    return np.sum(Y * Y)


def rank_changes(x):
    y = np.zeros(3)
    for i in range(2):
        y = np.outer(y, x[:2])[0]
        y = np.concatenate([y, x[:1]])
    return np.sum(y * x)


def stored_in_branch(x, b):
    y = np.zeros(2)
    t = x[0] * 2.0
    if x[1] > 0.0:
        y[0] = t
    return np.sum(y) + np.sum(b * x[0])


def central(f, args, k):
    """Central differences of ``f`` with respect to argument ``k``."""
    return central_gradient_arrays(f, list(args))[k]


def loop_body(source: str) -> str:
    """The lines of the first ``for`` loop of ``source``."""
    lines = source.splitlines()
    start = next(k for k, line in enumerate(lines) if line.strip().startswith("for "))
    indent = len(lines[start]) - len(lines[start].lstrip())
    body = []
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        body.append(line)
    return "\n".join(body)


def test_element_of_a_zeros_array_is_a_number():
    function = lower(recurrence)
    shapes = infer_shapes(function)
    reads = [op for op in function.walk() if op.name == "getitem"]
    element = reads[-2].result
    assert element.type == FLOAT and shapes[element] == SCALAR


def test_a_shape_that_changes_in_a_loop_is_not_kept():
    function = lower(rank_changes)
    carried = next(op for op in function.walk() if op.name == "for").results[0]
    assert carried.type == ARRAY and infer_shapes(function)[carried] != SCALAR


@pytest.mark.parametrize("kind", ["grad", "vjp"])
def test_recurrence_gradient_keeps_one_number_per_step(tmp_path, kind):
    if kind == "grad":
        source = s2sad.grad(recurrence, wrt=(0, 1), output_dir=tmp_path).source
    else:
        derivative = s2sad.api.derive(recurrence, "vjp", output_dir=tmp_path)
        source = derivative.loaded.source
    forward = loop_body(source)
    assert "shape_of" not in forward
    for helper in ("unbroadcast", "setitem_value_adjoint"):
        assert helper not in source
    assert "tape.append(t" in forward and "tape.append((" not in forward


def test_recurrence_jvp_has_no_broadcasts(tmp_path):
    source = s2sad.api.jvp_function(recurrence, output_dir=tmp_path).source
    assert "broadcast_like" not in source and "unbroadcast" not in source


def test_recurrence_derivatives_match_differences(tmp_path):
    x = np.random.default_rng(0).uniform(-1.0, 1.0, 30)
    args = (x, 0.8)
    gx, ga = s2sad.grad(recurrence, wrt=(0, 1), output_dir=tmp_path)(x.copy(), 0.8)
    np.testing.assert_allclose(gx, central(recurrence, args, 0), rtol=1e-7)
    assert ga == pytest.approx(float(central(recurrence, args, 1)), rel=1e-7)
    value, tangent = s2sad.jvp(recurrence, (x, 0.8), (x, 0.5), output_dir=tmp_path)
    assert value == recurrence(x, 0.8)
    assert tangent == pytest.approx(np.dot(gx, x) + ga * 0.5, rel=1e-12)


def test_grid_of_elements(tmp_path):
    x = np.array([0.3, -0.7, 1.1, 0.4])
    gx, gc = s2sad.grad(grid, wrt=(0, 1), output_dir=tmp_path)(x, 1.5)
    np.testing.assert_allclose(gx, central(grid, (x, 1.5), 0), rtol=1e-7)
    assert gc == pytest.approx(float(central(grid, (x, 1.5), 1)), rel=1e-7)


def test_a_rank_that_changes_is_differentiated_as_an_array(tmp_path):
    x = np.array([0.3, -0.7, 1.1])
    gx = s2sad.grad(rank_changes, output_dir=tmp_path)(x)
    np.testing.assert_allclose(gx, central(rank_changes, (x,), 0), rtol=1e-6, atol=1e-9)


def test_a_store_in_a_branch_says_nothing_about_values_outside_it(tmp_path):
    x = np.array([0.5, -1.0])
    b = np.array([1.0, 2.0, 3.0])
    gx, gb = s2sad.grad(stored_in_branch, wrt=(0, 1), output_dir=tmp_path)(x, b)
    np.testing.assert_allclose(gx, central(stored_in_branch, (x, b), 0), rtol=1e-7)
    np.testing.assert_allclose(gb, central(stored_in_branch, (x, b), 1), rtol=1e-7)


def test_a_stored_parameter_is_a_number_and_refuses_arrays(tmp_path):
    if not numbers.STORES_ARE_NUMBERS:
        pytest.skip("NumPy before 2.4 stores one-element arrays into an element")
    grad = s2sad.grad(recurrence, wrt=(0, 1), output_dir=tmp_path)
    with pytest.raises(s2sad.DifferentiationError, match="a is used as a number"):
        grad(np.ones(4), np.array([0.5, 0.5]))
    gx, ga = grad(np.ones(4), np.array(0.5))
    assert ga == pytest.approx(float(central(recurrence, (np.ones(4), 0.5), 1)))
    with pytest.raises(ValueError, match="sequence"):
        recurrence(np.ones(4), np.array([0.5]))
    with pytest.raises(ValueError, match="sequence"):
        grad(np.ones(4), np.array([0.5]))


def test_without_the_store_rule_the_derivative_is_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(numbers, "STORES_ARE_NUMBERS", False)
    monkeypatch.setattr(kinds, "STORES_ARE_NUMBERS", False)
    monkeypatch.setattr(s2sad.cache.fingerprint, "STORES_ARE_NUMBERS", False)
    x = np.random.default_rng(1).uniform(-1.0, 1.0, 12)
    grad = s2sad.grad(recurrence, wrt=(0, 1), output_dir=tmp_path)
    assert "unbroadcast" in grad.source
    gx, ga = grad(x, 0.8)
    np.testing.assert_allclose(gx, central(recurrence, (x, 0.8), 0), rtol=1e-7)
    assert ga == pytest.approx(float(central(recurrence, (x, 0.8), 1)), rel=1e-7)


def stored_only_in_a_branch(x, a):
    y = np.zeros(3)
    if a > 10.0:
        y[0] = x * a
    return np.sum(x * x * a) + np.sum(y)


def test_a_store_only_a_branch_makes_leaves_its_operands_arrays(tmp_path):
    x = np.array([0.3, -1.2, 0.7])
    gx, ga = s2sad.grad(stored_only_in_a_branch, wrt=(0, 1), output_dir=tmp_path)(
        x, 0.7
    )
    np.testing.assert_allclose(
        gx, central(stored_only_in_a_branch, (x, 0.7), 0), rtol=1e-7
    )
    assert ga == pytest.approx(float(central(stored_only_in_a_branch, (x, 0.7), 1)))
