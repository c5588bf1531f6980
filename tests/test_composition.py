"""Derivatives of generated derivatives: jvp(grad(f)), grad(grad(f)), vjp(grad(f)), jvp(jvp(f)).

Each is checked against central differences of the generated first derivative,
Hessian-vector products for symmetry, and the vjp of a gradient against its jvp
(dot-product test), on every function of the scalar, control, helper and
array tables.
"""

import copy

import numpy as np
import pytest

import s2sad
from array_functions import ARRAY_CASES
from control_functions import CONTROL_CASES
from helper_functions import HELPER_CASES
from numerics import assert_close, central_directional_arrays
from scalar_functions import SCALAR_CASES

TABLES = {
    "scalar": SCALAR_CASES,
    "control": CONTROL_CASES,
    "helper": HELPER_CASES,
    "array": ARRAY_CASES,
}
CASES = [
    pytest.param(f, point, id=f"{table}-{f.__name__}")
    for table, cases in TABLES.items()
    for f, point in cases
]


def active(point):
    """The indices of the arguments to differentiate: floats and float arrays."""
    return tuple(
        k
        for k, p in enumerate(point)
        if isinstance(p, float) or (isinstance(p, np.ndarray) and p.dtype.kind == "f")
    )


def direction(point, indices, seed):
    """A random tangent per argument: None where the argument is not differentiated."""
    rng = np.random.default_rng(seed)
    out = []
    for k, p in enumerate(point):
        if k not in indices:
            out.append(None)
        elif isinstance(p, float):
            out.append(float(rng.uniform(-1.0, 1.0)))
        else:
            out.append(rng.uniform(-1.0, 1.0, np.shape(p)))
    return tuple(out)


def flat(value):
    """A gradient (a value, or a tuple of them) as one vector."""
    parts = value if isinstance(value, tuple) else (value,)
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in parts])


def dot(a, b):
    return float(np.dot(flat(a), flat(b)))


def hvp(gradient, point, tangents, out_dir):
    """``(gradient at point, its derivative along tangents)`` by forward mode over the gradient."""
    return s2sad.jvp(gradient, copy.deepcopy(point), tangents, output_dir=out_dir)


def differences(gradient, point, tangents, step=1e-5):
    """Central differences of ``gradient`` along ``tangents`` (arguments without one stay put)."""

    def moved(sign):
        return [
            (
                p
                if t is None
                else (
                    float(p + sign * step * t)
                    if isinstance(p, float)
                    else p + sign * step * t
                )
            )
            for p, t in zip(copy.deepcopy(point), tangents)
        ]

    return (flat(gradient(*moved(1))) - flat(gradient(*moved(-1)))) / (2 * step)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("composition")


def second_order(f, point, out_dir):
    """Check every composition that applies to ``f``: "correct", "forward over
    reverse only" (reverse mode over the gradient is refused clearly), or
    "refused" if s2sad refuses to differentiate its gradient again at all (the
    tables expect "correct" throughout)."""
    indices = active(point)
    if not indices:
        pytest.skip("nothing to differentiate")
    if np.size(f(*copy.deepcopy(point))) != 1:
        pytest.skip("not a scalar function")
    gradient = s2sad.grad(f, wrt=indices, output_dir=out_dir)
    u = direction(point, indices, 1)
    v = direction(point, indices, 2)
    try:
        value, hu = hvp(gradient, point, u, out_dir)
    except (s2sad.DifferentiationError, s2sad.NoDerivativeRuleError) as error:
        assert "cannot differentiate" in str(error) or "has no derivative" in str(error)
        return "refused"
    assert_close(flat(value), flat(gradient(*copy.deepcopy(point))))
    assert_close(flat(hu), differences(gradient, point, u), rtol=1e-5, atol=1e-6)
    _, hv = hvp(gradient, point, v, out_dir)
    assert dot(hu, tuple(t for t in v if t is not None)) == pytest.approx(
        dot(hv, tuple(t for t in u if t is not None)), rel=1e-9, abs=1e-9
    )
    try:
        out, vjp_fn = s2sad.vjp(gradient, *copy.deepcopy(point), output_dir=out_dir)
    except s2sad.DifferentiationError as error:
        assert "cannot differentiate yet" in str(error)
        return "forward over reverse only"
    assert_close(flat(out), flat(gradient(*copy.deepcopy(point))))
    bars = vjp_fn(tuple(t for t in v if t is not None))
    pulled = tuple(bars[k] for k in indices)
    assert dot(pulled, tuple(u[k] for k in indices)) == pytest.approx(
        dot(hu, tuple(v[k] for k in indices)), rel=1e-9, abs=1e-9
    )
    return "correct"


@pytest.mark.parametrize("f, point", CASES)
def test_second_derivatives_by_composition(f, point, out_dir):
    assert second_order(f, point, out_dir) == "correct"


@pytest.mark.parametrize("f, point", SCALAR_CASES)
def test_every_loop_free_scalar_function_composes(f, point, out_dir):
    if active(point):
        assert second_order(f, point, out_dir) == "correct"


@pytest.mark.parametrize(
    "f, point", [(f, p) for f, p in SCALAR_CASES if len(active(p)) == 1]
)
def test_grad_of_grad(f, point, out_dir):
    (k,) = active(point)
    first = s2sad.grad(f, wrt=k, output_dir=out_dir)
    second = s2sad.grad(first, wrt=k, output_dir=out_dir)
    step = [0.0] * len(point)
    step[k] = 1.0
    expected = central_directional_arrays(first, list(point), step, step=1e-5)
    assert_close(second(*point), expected, rtol=1e-5, atol=1e-6)
    assert "def " in second.source and "_grad_grad" in second.source


def test_jvp_of_a_jvp_function(out_dir):
    from scalar_functions import trig_mix

    first = s2sad.api.jvp_function(trig_mix, output_dir=out_dir)
    point = (0.3, 0.8, 1.0, -0.5)
    tangents = (0.2, 0.1, 0.0, 0.0)
    value, tangent = s2sad.jvp(first, point, tangents, output_dir=out_dir)
    assert_close(value, first(*point))
    expected = central_directional_arrays(
        lambda *xs: np.array(first(*xs)), list(point), list(tangents), step=1e-5
    )
    assert_close(np.array(tangent), expected, rtol=1e-5, atol=1e-6)


def relax(x, a):
    for _ in range(5):
        x = x + a * (x * x - 1.0) * 0.1
    return x


def test_a_gradient_with_a_tape_composes(out_dir):
    gradient = s2sad.grad(relax, wrt=0, output_dir=out_dir)
    second = s2sad.grad(gradient, wrt=0, output_dir=out_dir)
    expected = central_directional_arrays(gradient, [0.4, 0.6], [1.0, 0.0], step=1e-5)
    assert_close(second(0.4, 0.6), expected, rtol=1e-6)


def test_a_gradient_calling_a_helper_in_a_loop_composes_in_both_modes(out_dir):
    from helper_functions import loop_calling_helper

    gradient = s2sad.grad(loop_calling_helper, output_dir=out_dir)
    second = s2sad.grad(gradient, output_dir=out_dir)
    _, tangent = s2sad.jvp(gradient, (0.3, 5), (1.0, 0), output_dir=out_dir)
    assert second(0.3, 5) == pytest.approx(tangent, rel=1e-12)
    expected = (gradient(0.3 + 1e-5, 5) - gradient(0.3 - 1e-5, 5)) / 2e-5
    assert_close(second(0.3, 5), expected, rtol=1e-6)


def elementwise(x):
    return np.sin(x) * 2.0


def test_an_array_for_a_number_parameter_of_a_gradient_is_refused(out_dir):
    gradient = s2sad.grad(elementwise, output_dir=out_dir)
    with pytest.raises(s2sad.DifferentiationError, match="got an array for x"):
        s2sad.jvp(gradient, (np.ones(3),), (np.ones(3),), output_dir=out_dir)


def elementwise_of_array(x: np.ndarray):
    return np.sin(x) * 2.0


def test_the_gradient_of_an_array_output_refuses_more_than_one_element(out_dir):
    gradient = s2sad.grad(elementwise_of_array, output_dir=out_dir)
    x = np.array([0.4])
    value, tangent = s2sad.jvp(gradient, (x,), (np.array([1.0]),), output_dir=out_dir)
    assert_close(value, 2.0 * np.cos(x))
    assert_close(tangent, -2.0 * np.sin(x))
    with pytest.raises(s2sad.DifferentiationError, match="scalar output"):
        s2sad.jvp(gradient, (np.ones(3),), (np.ones(3),), output_dir=out_dir)


def untaped_loop(x):
    s = 0.0
    for _ in range(3):
        s = s + x * x
    return s


def test_a_gradient_with_a_reversed_loop_composes_in_both_modes(out_dir):
    gradient = s2sad.grad(untaped_loop, output_dir=out_dir)
    assert "reversed(" in gradient.source and "tape = " not in gradient.source
    second = s2sad.grad(gradient, output_dir=out_dir)
    assert second(0.7) == pytest.approx(6.0)
    value, tangent = s2sad.jvp(gradient, (0.7,), (1.0,), output_dir=out_dir)
    assert tangent == pytest.approx(6.0)


def tuple_read_twice(x, y):
    t0 = (np.sin(x), x * 1.0)
    return np.dot(1.0 / (1.5 + t0[1] * t0[1]), t0[0]) * 0.1


def tuple_in_a_left_loop(x, y):
    t0 = (x, x)
    for _ in range(2):
        return np.dot(t0[1], x) * 0.1
    return 1.0


def list_written_then_read(x, y):
    s0 = y
    l0 = [0.0, y]
    e0 = np.zeros(3)
    s0 -= l0[-1]
    e0[1] = s0
    return l0[0] + np.sum(x) + np.sum(e0 * e0)


def tuple_entry_unread(x, y):
    a0 = x * 1.0
    l0 = [0.0, y]
    e0 = np.zeros(3)
    t0 = ((a0 * l0[0]), x)
    return 1.0 + np.sum(t0[1]) + np.sum(e0 * e0)


def written_array_after_dead_branch(x, y):
    a0 = x * 1.0
    a1 = np.sin(x)
    t0 = (a1, a0)
    e0 = np.zeros(3)
    e1 = np.zeros(3)
    e1[1] = x[0]
    if (-1.5) >= 1.0:
        return 1.0 + np.sum(a1) + np.sum(e0 * e1)
    return t0[1][1] + np.sum(a1) + np.sum(e0 * e1) + np.sum(e0 * e0)


@pytest.mark.parametrize(
    "f",
    [
        tuple_read_twice,
        tuple_in_a_left_loop,
        list_written_then_read,
        tuple_entry_unread,
        written_array_after_dead_branch,
    ],
)
def test_adjoints_of_tuples_compose(f, out_dir):
    """Found by the second-order fuzzer: a tuple's adjoint (a list) was typed as an
    array, so the gradient's derivatives added it as one (TypeError) or kept the
    shape of an array of it (an H·v of the wrong shape); the adjoint of a tuple's
    unread array entry was the number 0, summed back to shape ``(1,)``; an array's
    adjoint one branch made zeros and the other the number 0 was indexed."""
    x, y = np.array([0.3, -0.5, 1.2]), 0.7
    u = (np.array([1.0, -2.0, 0.5]), 0.4)
    point = (x, y)
    gradient = s2sad.grad(f, wrt=(0, 1), output_dir=out_dir)
    _, hu = s2sad.jvp(gradient, point, u, output_dir=out_dir)
    for h, p in zip(hu, point):
        assert np.shape(h) == np.shape(p)
    assert_close(flat(hu), differences(gradient, point, u), rtol=1e-5, atol=1e-7)
    _, vjp_fn = s2sad.vjp(gradient, *point, output_dir=out_dir)
    w = (np.array([0.2, 0.1, -0.3]), -0.6)
    assert dot(hu, w) == pytest.approx(dot(u, vjp_fn(w)), rel=1e-9, abs=1e-12)
