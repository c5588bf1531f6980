"""Forward mode over reverse mode: Hessian-vector products of the test tables.

``s2sad.hvp(f, wrt)(*args, v)`` runs the generated ``f_hvp(*args, *directions)
-> H @ v``, forward mode over the simplified gradient, tape included.  Each
function of the tables is checked: ``H @ v`` matches central differences of the
generated gradient along ``v``, ``u · (H v) = v · (H u)``, and no argument
changes.
"""

import math

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
from s2sad.passes.forward import forward
from s2sad.passes.reverse import reverse
from s2sad.passes.simplify import simplify
from s2sad.passes.pipeline import hvp_functions
from s2sad.analysis.verifier import VerificationError, verify

TABLES = {
    "scalar": scalar_functions.SCALAR_CASES,
    "control": control_functions.CONTROL_CASES,
    "helper": helper_functions.HELPER_CASES,
    "array": array_functions.ARRAY_CASES,
    "jump": jump_functions.JUMP_CASES,
}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("forward_over_reverse")


def _cases():
    for table, cases in TABLES.items():
        for k, (f, point) in enumerate(cases):
            yield pytest.param(f, point, id=f"{table}-{f.__name__}-{k}")


def _wrt(point):
    return tuple(i for i, p in enumerate(point) if isinstance(p, (float, np.ndarray)))


def _flat(values):
    values = tuple(values) if isinstance(values, (tuple, list)) else (values,)
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])


def _direction(point, wrt, seed):
    rng = np.random.default_rng(seed)
    return [
        (
            rng.standard_normal(np.shape(point[i]))
            if isinstance(point[i], np.ndarray)
            else float(rng.standard_normal())
        )
        for i in wrt
    ]


def _along(point, wrt, direction, step):
    moved = list(point)
    for i, d in zip(wrt, direction):
        moved[i] = point[i] + step * d
    return moved


def _copies(point):
    return [np.copy(p) if isinstance(p, np.ndarray) else p for p in point]


@pytest.mark.parametrize("f, point", list(_cases()))
def test_hessian_vector_product(f, point, out_dir):
    """H @ v by forward over reverse agrees with differences of the gradient."""
    wrt = _wrt(point)
    try:
        gradient = s2sad.grad(f, wrt=wrt, output_dir=out_dir)
    except S2SADError:
        pytest.skip("no gradient (more than one output)")
    hvp = s2sad.hvp(f, wrt, output_dir=out_dir)
    v, u = _direction(point, wrt, 1), _direction(point, wrt, 2)
    before = _copies(point)
    hv = hvp(*point, tuple(v))
    hu = hvp(*point, tuple(u))
    for old, new in zip(before, point):
        np.testing.assert_array_equal(old, new)
    step = 1e-6
    plus = _flat(gradient(*_along(point, wrt, v, step)))
    minus = _flat(gradient(*_along(point, wrt, v, -step)))
    differences = (plus - minus) / (2 * step)
    scale = max(1.0, float(np.max(np.abs(differences))))
    np.testing.assert_allclose(_flat(hv), differences, rtol=1e-6, atol=1e-6 * scale)
    left, right = _flat(u) @ _flat(hv), _flat(v) @ _flat(hu)
    assert abs(left - right) <= 1e-9 * max(1.0, abs(left))


def relax(x0, a):
    x = x0
    for _ in range(10):
        x = a * math.sin(x) + (1.0 - a) * x
    return x


def test_relax_reproducer_of_issue_10(out_dir):
    """The loop whose HVP came back as (0.3315, -0.0156) before popped values had tangents."""
    hvp = s2sad.hvp(relax, (0, 1), output_dir=out_dir)
    hv = hvp(0.4, 0.6, (0.3, -0.7))
    np.testing.assert_allclose(hv, (-0.0789881157, -0.1541892716), rtol=1e-8)
    assert "tape.pop()" in hvp.source and "x_dot" in hvp.source


def test_tangents_travel_in_the_same_record():
    """A push of active values also pushes their tangents, popped back by the same record."""
    (function,) = hvp_functions(lower(relax, scalar_output=True), [0, 1], False)
    verify(function)
    (push,) = [op for op in function.walk() if op.name == "push"]
    (pop,) = [op for op in function.walk() if op.name == "pop"]
    assert push.attrs["record"] == pop.attrs["record"]
    assert len(push.operands) - 1 == len(pop.results) == 4
    assert [v.hint for v in pop.results[2:]][0].endswith("_dot")


def test_every_step_verifies():
    """The gradient, forward mode over it and its simplification are all well formed."""
    primal = lower(control_functions.while_with_branch, scalar_output=True)
    gradient = simplify(reverse(primal, [0], seed="one", layout=(None,)).function)
    verify(gradient)
    tangent = forward(gradient, [0])
    verify(tangent)
    verify(simplify(tangent))


def test_verifier_rejects_a_pop_of_another_length():
    (function,) = hvp_functions(lower(relax, scalar_output=True), [0, 1], False)
    pop = next(op for op in function.walk() if op.name == "pop")
    pop.results.append(Value("extra", "float", "extra"))
    with pytest.raises(VerificationError, match="pushes 4 entries but pops 5"):
        verify(function)


def test_unknown_op_is_refused_not_cloned():
    primal = lower(relax, scalar_output=True)
    gradient = simplify(reverse(primal, [0], seed="one", layout=(None,)).function)
    odd = Op("mystery", [gradient.params[0]], [Value("m", "float", "m")])
    gradient.body.ops.insert(0, odd)
    with pytest.raises(DifferentiationError, match="has an op 'mystery'"):
        forward(gradient, [0])


def test_forward_mode_over_helper_sweeps_calls_their_jvps(out_dir):
    """The gradient calls ``h_vjp_fwd`` and ``h_vjp_bwd``; forward mode over it calls
    their jvps, which carry the tangent of the residual tuple between them."""
    hvp = s2sad.hvp(helper_functions.uses_helpers, (0, 1), output_dir=out_dir)
    assert "def square_plus_vjp_fwd_jvp(" in hvp.source
    assert "def square_plus_vjp_bwd_jvp(" in hvp.source
    assert "x_dot = residuals_dot[0]" in hvp.source
    gradient = s2sad.grad(helper_functions.uses_helpers, wrt=(0, 1), output_dir=out_dir)
    point, v = (0.7, 0.4), (0.3, -0.2)
    hv = hvp(*point, v)
    differences = _flat(gradient(*_along(point, (0, 1), v, 1e-6)))
    differences -= _flat(gradient(*_along(point, (0, 1), v, -1e-6)))
    np.testing.assert_allclose(_flat(hv), differences / 2e-6, rtol=1e-6)
