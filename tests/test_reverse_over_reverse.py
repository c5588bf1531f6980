"""Reverse mode over reverse mode: gradients of gradients, tape included.

``grad(grad(f))`` for functions of one number is checked against central
differences of the generated gradient; ``vjp(grad(f))`` against
``jvp(grad(f))`` by the dot-product test, and its Hessian for symmetry, on
the scalar, control, jump, array and helper tables, helpers' sweeps and the
tapes and residual tuples they hand each other included.  What s2sad cannot
differentiate twice must be refused clearly, never computed wrong.
"""

import copy

import numpy as np
import pytest

import array_functions
import control_functions
import helper_functions
import jump_functions
import scalar_functions

import s2sad
from s2sad.errors import DifferentiationError, S2SADError
from s2sad.frontend.program import lower
from s2sad.ir.core import Op, Value
from s2sad.passes.reverse import reverse
from s2sad.passes.simplify import simplify
from s2sad.checks import DERIVED
from s2sad.passes.pipeline import derivative_functions
from s2sad.analysis.verifier import verify

TABLES = {
    "scalar": scalar_functions.SCALAR_CASES,
    "control": control_functions.CONTROL_CASES,
    "jump": jump_functions.JUMP_CASES,
    "array": array_functions.ARRAY_CASES,
    "helper": helper_functions.HELPER_CASES,
}

REFUSALS = ("has no derivative with respect to its argument",)
"""Why a gradient may not be differentiated again yet."""


def _cases(one_number=False):
    for table, cases in TABLES.items():
        for k, (f, point) in enumerate(cases):
            if one_number and [type(p) for p in _wrt_values(point)] != [float]:
                continue
            yield pytest.param(f, point, id=f"{table}-{f.__name__}-{k}")


def _wrt(point):
    return tuple(
        k
        for k, p in enumerate(point)
        if isinstance(p, float) or (isinstance(p, np.ndarray) and p.dtype.kind == "f")
    )


def _wrt_values(point):
    return [point[k] for k in _wrt(point)]


def _flat(values):
    values = values if isinstance(values, tuple) else (values,)
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])


def _direction(point, wrt, seed):
    rng = np.random.default_rng(seed)
    return tuple(
        (
            float(rng.uniform(-1.0, 1.0))
            if isinstance(point[k], float)
            else rng.uniform(-1.0, 1.0, np.shape(point[k]))
        )
        for k in wrt
    )


def _moved(point, wrt, direction, step):
    moved = copy.deepcopy(list(point))
    for k, d in zip(wrt, direction):
        moved[k] = point[k] + step * d
        if isinstance(point[k], float):
            moved[k] = float(moved[k])
    return moved


def _differences(gradient, point, wrt, direction, step=1e-5):
    plus = _flat(gradient(*_moved(point, wrt, direction, step)))
    minus = _flat(gradient(*_moved(point, wrt, direction, -step)))
    return (plus - minus) / (2 * step)


def _verify_derived(generated, kind, wrt):
    """The IR ``kind`` of the ``generated`` function is built from verifies."""
    derivative, index = getattr(generated.generated, DERIVED)
    single = not isinstance(wrt, tuple)
    indices = list(wrt) if not single else [wrt]
    functions = derivative_functions(derivative.functions[index], kind, indices, single)
    for function in functions:
        verify(function)


def _refused(error):
    return any(reason in str(error) for reason in REFUSALS)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("reverse_over_reverse")


def grad_of_grad(f, point, out_dir):
    """ "correct" if ``grad(grad(f))`` matches differences of ``grad(f)``, "refused"
    if it is refused clearly; an assertion fails otherwise."""
    (k,) = _wrt(point)
    first = s2sad.grad(f, wrt=k, output_dir=out_dir)
    try:
        second = s2sad.grad(first, wrt=k, output_dir=out_dir)
    except S2SADError as error:
        assert _refused(error), str(error)
        return "refused"
    _verify_derived(first, "grad", k)
    before = copy.deepcopy(point)
    value = second(*point)
    assert point == before
    expected = _differences(first, point, (k,), (1.0,))
    scale = max(1.0, float(np.max(np.abs(expected))))
    np.testing.assert_allclose(_flat(value), expected, rtol=1e-5, atol=1e-6 * scale)
    assert "_grad_grad" in second.source
    return "correct"


def vjp_of_grad(f, point, out_dir):
    """ "correct" if ``vjp(grad(f))`` passes the dot-product test against
    ``jvp(grad(f))`` and its Hessian is symmetric; "refused" if clearly refused."""
    wrt = _wrt(point)
    gradient = s2sad.grad(f, wrt=wrt, output_dir=out_dir)
    before = copy.deepcopy(point)
    try:
        out, vjp_fn = s2sad.vjp(gradient, *copy.deepcopy(point), output_dir=out_dir)
    except S2SADError as error:
        assert _refused(error), str(error)
        return "refused"
    _verify_derived(gradient, "vjp", tuple(range(len(point))))
    np.testing.assert_allclose(_flat(out), _flat(gradient(*point)), rtol=1e-12)
    u, v = _direction(point, wrt, 1), _direction(point, wrt, 2)
    pulled_v = _flat(tuple(vjp_fn(tuple(v))[k] for k in wrt))
    pulled_u = _flat(tuple(vjp_fn(tuple(u))[k] for k in wrt))
    tangents = [None] * len(point)
    for k, d in zip(wrt, u):
        tangents[k] = d
    _, hu = s2sad.jvp(
        gradient, copy.deepcopy(point), tuple(tangents), output_dir=out_dir
    )
    left = float(pulled_v @ _flat(u))
    assert left == pytest.approx(float(_flat(v) @ _flat(hu)), rel=1e-9, abs=1e-9)
    assert left == pytest.approx(float(pulled_u @ _flat(v)), rel=1e-9, abs=1e-9)
    expected = _differences(gradient, point, wrt, u)
    scale = max(1.0, float(np.max(np.abs(expected))))
    np.testing.assert_allclose(_flat(hu), expected, rtol=1e-5, atol=1e-6 * scale)
    for old, new in zip(before, point):
        np.testing.assert_array_equal(old, new)
    return "correct"


def _skip_unless_gradient(f, point, out_dir):
    if not _wrt(point):
        pytest.skip("nothing to differentiate")
    if np.size(f(*copy.deepcopy(point))) != 1:
        pytest.skip("not a scalar function")


@pytest.mark.parametrize("f, point", list(_cases(one_number=True)))
def test_grad_of_grad(f, point, out_dir):
    _skip_unless_gradient(f, point, out_dir)
    assert grad_of_grad(f, point, out_dir) == "correct"


@pytest.mark.parametrize("f, point", list(_cases()))
def test_vjp_of_grad(f, point, out_dir):
    _skip_unless_gradient(f, point, out_dir)
    assert vjp_of_grad(f, point, out_dir) == "correct"


def relax(x0, a):
    x = x0
    for _ in range(10):
        x = a * np.sin(x) + (1.0 - a) * x
    return x


def test_a_reversed_loop_reversed_again_runs_forwards():
    primal = lower(relax, scalar_output=True)
    (gradient,) = derivative_functions(primal, "grad", [0], True)
    loops = [op for op in gradient.body.ops if op.name == "for"]
    assert [bool(op.attrs.get("reversed")) for op in loops] == [False, True]
    again = reverse(gradient, [0], seed="one", layout=(None,)).function
    verify(again)
    verify(simplify(again))
    loops = [op for op in again.body.ops if op.name == "for"]
    assert [bool(op.attrs.get("reversed")) for op in loops] == [False, True] * 2


def test_records_of_both_tapes_are_distinct_and_verify():
    """The copied gradient's records, the new tape's and the adjoint tape's do not clash."""
    primal = lower(relax, scalar_output=True)
    (gradient,) = derivative_functions(primal, "grad", [0, 1], False)
    again = reverse(gradient, [0], seed="one", layout=(None,)).function
    verify(again)
    pushes = [op.attrs["record"] for op in again.walk() if op.name == "push"]
    assert len(pushes) == len(set(pushes)) == 4
    tapes = [op for op in again.body.ops if op.name == "tape"]
    assert len(tapes) == 3
    verify(simplify(again))


def test_the_adjoint_tape_carries_popped_adjoints_back(out_dir):
    gradient = s2sad.grad(relax, wrt=0, output_dir=out_dir)
    second = s2sad.grad(gradient, wrt=0, output_dir=out_dir)
    assert "tape_bar.append(" in second.source and "tape_bar.pop()" in second.source
    expected = _differences(gradient, (0.4, 0.6), (0,), (1.0,))
    np.testing.assert_allclose(second(0.4, 0.6), expected, rtol=1e-6)


def test_vjp_of_value_and_grad(out_dir):
    """vjp of ``value_and_grad`` takes and gives ``(value, (gradient))`` as the function returns it."""
    both = s2sad.value_and_grad(relax, wrt=(0, 1), output_dir=out_dir)
    gradient = s2sad.grad(relax, wrt=(0, 1), output_dir=out_dir)
    (value, g), vjp_fn = s2sad.vjp(both, 0.4, 0.6, output_dir=out_dir)
    assert value == pytest.approx(relax(0.4, 0.6), rel=1e-12)
    np.testing.assert_allclose(g, gradient(0.4, 0.6), rtol=1e-12)
    value_bar, grad_bar = 0.3, (0.5, -0.2)
    bars = vjp_fn((value_bar, grad_bar))
    steps = [_differences(gradient, (0.4, 0.6), (0, 1), d) for d in ((1, 0), (0, 1))]
    hessian = np.array(steps).T
    expected = value_bar * np.asarray(gradient(0.4, 0.6)) + hessian.T @ grad_bar
    np.testing.assert_allclose(bars, expected, rtol=1e-6)


def test_an_op_without_an_adjoint_is_a_clear_error():
    primal = lower(relax, scalar_output=True)
    (gradient,) = derivative_functions(primal, "grad", [0], True)
    x = gradient.params[0]
    odd = Op("mystery", [x], [Value("m", "float", "m")])
    gradient.body.ops.insert(0, odd)
    last = gradient.body.terminator
    add = Op("add", [last.operands[0], odd.result], [Value("s", "float", "s")])
    gradient.body.ops.insert(len(gradient.body.ops) - 1, add)
    last.operands[0] = add.result
    with pytest.raises(DifferentiationError, match="op 'mystery' with no adjoint"):
        reverse(gradient, [0], seed="one", layout=(None,))


def test_a_gradient_calling_helpers_in_a_loop_is_differentiated_again(out_dir):
    """The gradient pushes the helpers' residual tuples on its tape and the
    helpers' sweeps hand a tape of their own over in them: reverse mode sends
    the adjoints back through the adjoint of each tuple and tape."""
    gradient = s2sad.grad(
        helper_functions.loop_calling_helper, wrt=0, output_dir=out_dir
    )
    second = s2sad.grad(gradient, wrt=0, output_dir=out_dir)
    assert "def clipped_step_vjp_fwd_vjp_bwd(" in second.source
    expected = _differences(gradient, (0.3, 5), (0,), (1.0,))
    np.testing.assert_allclose(second(0.3, 5), expected, rtol=1e-6)


def scaled_by_counter(x, a):
    for i in range(4):
        x = x * a + x * i
    return x


def test_a_reversed_loop_without_a_tape_is_reversed_forwards(out_dir):
    """Its gradient's loop runs backwards and pops nothing; differentiated
    again, the loop of the second reverse sweep used to run backwards as well,
    pairing each iteration's values with another iteration's counter (69.828
    instead of 14.328, silently)."""
    gradient = s2sad.grad(scaled_by_counter, wrt=0, output_dir=out_dir)
    assert "tape" not in gradient.source
    second = s2sad.grad(gradient, wrt=1, output_dir=out_dir)
    expected = _differences(gradient, (0.5, 0.3), (1,), (1.0,))
    np.testing.assert_allclose(second(0.5, 0.3), expected, rtol=1e-7)
    np.testing.assert_allclose(second(0.5, 0.3), 14.328, rtol=1e-12)


@pytest.mark.parametrize(
    "f, point",
    [
        p
        for p in _cases(one_number=True)
        if p.id.startswith(("control", "jump", "helper"))
    ],
)
def test_third_derivatives(f, point, out_dir):
    """grad(grad(grad(f))) agrees with jvp(grad(grad(f))) and with differences
    of the generated second derivative."""
    (k,) = _wrt(point)
    first = s2sad.grad(f, wrt=k, output_dir=out_dir)
    second = s2sad.grad(first, wrt=k, output_dir=out_dir)
    third = s2sad.grad(second, wrt=k, output_dir=out_dir)
    tangents = tuple(1.0 if i == k else None for i in range(len(point)))
    value, tangent = s2sad.jvp(second, point, tangents, output_dir=out_dir)
    assert value == pytest.approx(second(*point), rel=1e-12, abs=1e-12)
    assert third(*point) == pytest.approx(tangent, rel=1e-9, abs=1e-9)
    expected = _differences(second, point, (k,), (1.0,), step=1e-5)[0]
    assert third(*point) == pytest.approx(expected, rel=1e-4, abs=1e-5)
