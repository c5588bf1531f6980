"""Hessian-vector products over checkpointed loops (``s2sad.checkpointed``).

Forward mode over a gradient follows a checkpointed loop's reversal with
tangents: ``runtime.checkpointed_loop_jvp`` (``checkpointed_while_jvp``) runs
the same schedule on the jvps of the step and of its two sweeps, each
snapshot holding the state's values and tangents.  The products equal those
of the same function with a plain loop, for ``for`` loops by the binomial and
periodic schedules and ``while`` loops by the online one, states of several
values, loops reading weights, trip counts 0, 1, 2 and beyond the snapshots;
they agree with central differences of the gradient, leave the arguments as
they were and take the memory of the schedule.  Over a batch of directions
(``s2sad.hessian``) the reversal runs the schedule once per direction; a
third derivative is refused by name.
"""

import numpy as np
import pytest

import checkpoint_functions as cf
import checkpointed_hvp_functions as hf
import s2sad
import while_functions as wf
from numerics import peak_memory
from s2sad.errors import S2SADError
from s2sad.frontend.program import lower
from s2sad.passes.pipeline import derivative_functions

RNG = np.random.default_rng(7)
X, V = np.linspace(-0.4, 0.5, 4), np.linspace(0.3, -0.2, 4)
W = RNG.normal(size=(4, 4)) * 0.5

CASES = {
    "binomial": (hf.oscillator, hf.oscillator_plain, (X, V, W)),
    "periodic": (hf.damped, hf.damped_plain, (X, V, W, 0.3)),
    "numbers": (hf.logistic, hf.logistic_plain, (0.2, 1.7)),
    "while": (hf.orbit, hf.orbit_plain, (X, V, W)),
}
COUNTS = [0, 1, 2, 3, 7]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("checkpointed_hvp")


def directions(point):
    """A direction for each value of ``point``, shaped like it."""
    return tuple(
        RNG.normal(size=np.shape(p)) if np.ndim(p) else float(RNG.normal())
        for p in point
    )


def assert_close(found, expected, rtol=1e-12, atol=1e-14):
    for a, b in zip(found, expected):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def central_differences(f, point, extra, direction, wrt, out_dir, step=1e-5):
    """The derivative of ``f``'s gradient along ``direction``, by central differences."""
    gradient = s2sad.grad(f, wrt=wrt, output_dir=out_dir)
    ahead = [p + step * d for p, d in zip(point, direction)]
    behind = [p - step * d for p, d in zip(point, direction)]
    up, down = gradient(*ahead, *extra), gradient(*behind, *extra)
    return [(u - d) / (2 * step) for u, d in zip(up, down)]


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize("name", CASES)
def test_checkpointed_products_equal_plain_ones(name, count, out_dir):
    f, plain, point = CASES[name]
    wrt = tuple(range(len(point)))
    direction = directions(point)
    args = (*point, count)
    before = [np.copy(a) for a in args]
    value = f(*args)
    found = s2sad.hvp(f, wrt=wrt, output_dir=out_dir)(*args, direction)
    for old, new in zip(before, args):
        np.testing.assert_array_equal(old, new)
    assert f(*args) == value == plain(*args)
    expected = s2sad.hvp(plain, wrt=wrt, output_dir=out_dir)(*args, direction)
    assert_close(found, expected)
    fd = central_differences(f, point, (count,), direction, wrt, out_dir)
    assert_close(found, fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("start", [3.5, 2.9, 2.0, 0.5])
def test_a_while_loop_the_values_end(start, out_dir):
    direction = (0.7, -0.4)
    found = s2sad.hvp(hf.until_large, wrt=(0, 1), output_dir=out_dir)(
        start, 1.3, direction
    )
    expected = s2sad.hvp(hf.until_large_plain, wrt=(0, 1), output_dir=out_dir)(
        start, 1.3, direction
    )
    assert_close(found, expected)
    fd = central_differences(
        hf.until_large, (start, 1.3), (), direction, (0, 1), out_dir
    )
    assert_close(found, fd, rtol=1e-6, atol=1e-7)


def test_one_parameter_comes_back_as_a_value(out_dir):
    args, v = (X, V, W, 5), RNG.normal(size=4)
    found = s2sad.hvp(hf.oscillator, wrt=1, output_dir=out_dir)(*args, v)
    expected = s2sad.hvp(hf.oscillator_plain, wrt=1, output_dir=out_dir)(*args, v)
    assert isinstance(found, np.ndarray)
    np.testing.assert_allclose(found, expected, rtol=1e-12, atol=1e-14)


NESTED = [
    (cf.settled, cf.settled_plain, (np.linspace(0.1, 0.6, 3), 1.2)),
    (cf.coupled, cf.coupled_plain, (X, V, 1.3, 6)),
    (wf.relax_twice, wf.relax_twice_plain, (X, 0.2, 5)),
    (wf.nested, wf.nested_plain, (X, 0.2)),
    (wf.inner, wf.inner_plain, (X * 0.1, 0.2)),
]


@pytest.mark.parametrize("f, plain, args", NESTED, ids=[c[0].__name__ for c in NESTED])
def test_loops_in_helpers_branches_and_other_loops(f, plain, args, out_dir):
    wrt = tuple(k for k, a in enumerate(args) if not isinstance(a, int))
    direction = directions([args[k] for k in wrt])
    found = s2sad.hvp(f, wrt=wrt, output_dir=out_dir)(*args, direction)
    expected = s2sad.hvp(plain, wrt=wrt, output_dir=out_dir)(*args, direction)
    assert_close(found, expected)


def test_the_generated_product_follows_the_schedule(out_dir):
    source = s2sad.hvp(hf.damped, wrt=(0, 1), output_dir=out_dir).source
    assert "runtime.checkpointed_loop_jvp(" in source
    assert 'schedule="periodic"' in source and "snapshots=3" in source
    for name in (
        "damped_step_jvp",
        "damped_step_vjp_fwd_jvp",
        "damped_step_vjp_bwd_jvp",
    ):
        assert f"def {name}(" in source
    source = s2sad.hvp(hf.orbit, wrt=(0, 1), output_dir=out_dir).source
    assert "runtime.checkpointed_while_jvp(" in source and 'schedule="online"' in source
    assert "def orbit_condition(" in source


def test_the_product_keeps_the_memory_of_the_schedule(out_dir):
    u = np.linspace(0.0, 1.0, 2000)
    v = np.cos(u)
    checkpointed = s2sad.hvp(hf.many_steps, output_dir=out_dir)
    stored = s2sad.hvp(hf.many_steps_plain, output_dir=out_dir)
    np.testing.assert_allclose(
        checkpointed(u, 0.1, 400, v), stored(u, 0.1, 400, v), rtol=1e-12, atol=1e-14
    )
    assert peak_memory(checkpointed, u, 0.1, 400, v) * 10 < peak_memory(
        stored, u, 0.1, 400, v
    )


HESSIANS = [
    (hf.oscillator, hf.oscillator_plain, (X, V, W, 5), (0, 1)),
    (hf.damped, hf.damped_plain, (X, V, W, 0.3, 4), (0, 3)),
    (hf.logistic, hf.logistic_plain, (0.2, 1.7, 6), (0, 1)),
    (hf.orbit, hf.orbit_plain, (X, V, W, 4), (0, 2)),
    (hf.orbit, hf.orbit_plain, (X, V, W, 0), 1),
    (cf.settled, cf.settled_plain, (X[:3], 1.2), (0, 1)),
    (wf.inner, wf.inner_plain, (X * 0.1, 0.2), (0, 1)),
]


@pytest.mark.parametrize(
    "f, plain, args, wrt", HESSIANS, ids=[f"{c[0].__name__}-{c[3]}" for c in HESSIANS]
)
def test_hessians_run_the_schedule_once_per_direction(f, plain, args, wrt, out_dir):
    before = [np.copy(a) for a in args]
    found = s2sad.hessian(f, wrt=wrt, output_dir=out_dir)(*args)
    for old, new in zip(before, args):
        np.testing.assert_array_equal(old, new)
    expected = s2sad.hessian(plain, wrt=wrt, output_dir=out_dir)(*args)
    flat = lambda h: h if isinstance(h, np.ndarray) else [b for row in h for b in row]
    assert_close(flat(found), flat(expected), atol=1e-13)


def test_a_hessian_over_no_directions_is_empty(out_dir):
    found = s2sad.hessian(cf.diffuse, wrt=0, output_dir=out_dir)(np.zeros(0), 0.2, 3)
    assert found.shape == (0, 0)


def test_the_generated_hessian_says_it_runs_per_direction(out_dir):
    source = s2sad.hessian(hf.oscillator, wrt=0, output_dir=out_dir).source
    assert "runtime.checkpointed_loop_jvp(" in source and "batch=batch" in source
    assert "def oscillator_step_vjp_bwd_jvp(" in source
    assert "oscillator_step_vjp_bwd_jvp_batched" not in source


def test_a_third_derivative_is_refused_by_name(out_dir):
    product = s2sad.hvp(hf.logistic, wrt=0, output_dir=out_dir)
    with pytest.raises(S2SADError) as caught:
        s2sad.jvp(
            product.generated,
            (0.2, 1.7, 3, 1.0),
            (1.0, None, None, None),
            output_dir=out_dir,
        )
    text = str(caught.value)
    assert "checkpointed loop" in text and "checkpointed_hvp_functions.py:" in text
    assert "hint:" in text and "bug in s2sad" not in text


def test_batched_products_equal_one_product_per_direction(out_dir):
    directions = RNG.normal(size=(3, 4))
    found = s2sad.batched_hvp(hf.orbit, output_dir=out_dir)(X, V, W, 4, directions)
    one = s2sad.hvp(hf.orbit, output_dir=out_dir)
    expected = np.stack([one(X, V, W, 4, d) for d in directions])
    np.testing.assert_allclose(found, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kind", ["hvp", "hessian"])
@pytest.mark.parametrize("f", [hf.oscillator, hf.damped, hf.orbit, cf.settled])
def test_every_pass_verifies_on_checkpointed_products(f, kind, verify_each_pass):
    primal = lower(f)
    wrt = [k for k, p in enumerate(primal.params) if p.type != "int"]
    assert derivative_functions(primal, kind, wrt, single=False)
    assert verify_each_pass


OF_GRADIENTS = [
    (cf.diffuse, cf.diffuse_plain, (X, 0.2, 5)),
    (wf.inner, wf.inner_plain, (X * 0.1, 0.2)),
]


@pytest.mark.parametrize(
    "f, plain, args", OF_GRADIENTS, ids=[c[0].__name__ for c in OF_GRADIENTS]
)
def test_forward_mode_over_a_generated_gradient(f, plain, args, out_dir):
    """``jacfwd`` and ``jvp`` of the gradient s2sad made follow the schedule too:
    the same as over the plain loop's gradient."""
    gradient = s2sad.grad(f, wrt=0, output_dir=out_dir)
    expected = s2sad.grad(plain, wrt=0, output_dir=out_dir)
    hessian = s2sad.jacfwd(gradient, wrt=0, output_dir=out_dir)(*args)
    assert_close(hessian, s2sad.jacfwd(expected, wrt=0, output_dir=out_dir)(*args))
    tangents = (V,) + (None,) * (len(args) - 1)
    _, found = s2sad.jvp(gradient, args, tangents, output_dir=out_dir)
    _, wanted = s2sad.jvp(expected, args, tangents, output_dir=out_dir)
    assert_close(found, wanted)
    assert_close(found, hessian @ V)
