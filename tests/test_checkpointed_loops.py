"""``for t in s2sad.checkpointed(range(n), snapshots=s)``: a loop reversed by a schedule.

The reverse sweep keeps ``s`` snapshots of the loop's state and runs steps
again from them (``runtime.checkpointed_loop`` following :mod:`s2sad.schedules`;
a loop of the function's top level starts its schedule in the forward sweep,
``runtime.checkpointed_sweep``, and its reversal resumes there), so the same
arithmetic runs as when every state is stored: the gradients are
equal bit for bit, for every trip count, in grad, value_and_grad and vjp, and
with loops in helpers and helpers in loops; peak memory falls with the
snapshots; what cannot follow a schedule yet is refused by name.
"""

import textwrap
from collections import Counter

import numpy as np
import pytest

import checkpoint_functions as cf
import s2sad
from numerics import peak_memory
from s2sad import runtime
from s2sad.errors import S2SADError
from s2sad.schedules import binomial, periodic, tally
from s2sad.frontend.program import lower
from s2sad.passes.pipeline import derivative_functions


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("checkpointed_loops")


COUNTS = [0, 1, 2, 3, 7, 12, 40]


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize(
    "f, plain, point, _", cf.LOOP_CASES, ids=[c[0].__name__ for c in cf.LOOP_CASES]
)
def test_checkpointed_gradients_equal_stored_ones(f, plain, point, _, count, out_dir):
    args = (*point, count)
    wrt = tuple(range(len(point)))
    before = [np.copy(a) for a in args]
    found = s2sad.grad(f, wrt=wrt, output_dir=out_dir)(*args)
    for old, new in zip(before, args):
        np.testing.assert_array_equal(old, new)
    expected = s2sad.grad(plain, wrt=wrt, output_dir=out_dir)(*args)
    for a, b in zip(found, expected):
        np.testing.assert_array_equal(a, b)
    value, again = s2sad.value_and_grad(f, wrt=wrt, output_dir=out_dir)(*args)
    assert value == f(*args) == plain(*args)
    for a, b in zip(again, expected):
        np.testing.assert_array_equal(a, b)
    out, vjp_fn = s2sad.vjp(f, *args, output_dir=out_dir)
    assert out == value
    for a, b in zip(vjp_fn(1.0), expected):
        np.testing.assert_array_equal(a, b)


def test_a_checkpointed_loop_matches_finite_differences(out_dir):
    u, c = np.linspace(0.0, 1.0, 5), 0.2
    u_bar, c_bar = s2sad.grad(cf.diffuse, wrt=(0, 1), output_dir=out_dir)(u, c, 9)
    step = 1e-6
    expected = (cf.diffuse(u, c + step, 9) - cf.diffuse(u, c - step, 9)) / (2 * step)
    assert c_bar == pytest.approx(expected, rel=1e-7)
    for k in range(u.size):
        e = np.zeros_like(u)
        e[k] = step
        fd = (cf.diffuse(u + e, c, 9) - cf.diffuse(u - e, c, 9)) / (2 * step)
        assert u_bar[k] == pytest.approx(fd, rel=1e-6, abs=1e-9)


def test_a_state_whose_adjoint_is_zero_after_the_loop(out_dir):
    x, y = np.array([0.3, -0.2, 0.5]), 0.7
    found = s2sad.grad(cf.row_written_then_zero, wrt=(0, 1), output_dir=out_dir)(x, y)
    np.testing.assert_allclose(found[0], [1.0, 1.0, 1.0], rtol=1e-12)
    assert found[1] == 1.0


def test_the_same_state_in_a_plain_loop(out_dir):
    """The list's adjoint is zero in both branches of the reversed loop over
    ``(x[0], x[1])`` and starts the reversed ``range(1)`` loop, which writes into
    it by index: it stays an array of zeros, not the number 0."""
    x, y = np.array([0.3, -0.2, 0.5]), 0.7
    plain = s2sad.grad(cf.row_written_then_zero_plain, wrt=(0, 1), output_dir=out_dir)
    np.testing.assert_allclose(plain(x, y)[0], [1.0, 1.0, 1.0], rtol=1e-12)


def test_the_same_state_in_a_plain_loop_forward_over_reverse(out_dir):
    """In the Hessian-vector product the reversed ``range(1)`` loop starts from a
    copy of the list's adjoint: the zero the branches yield stays an array."""
    x, y = np.array([0.3, -0.2, 0.5]), 0.7
    hvp = s2sad.hvp(cf.row_written_then_zero_plain, wrt=(0, 1), output_dir=out_dir)
    found = hvp(x, y, (np.ones(3), 1.0))
    np.testing.assert_array_equal(found[0], np.zeros(3))
    assert found[1] == 0.0


@pytest.mark.parametrize(
    "f", [cf.read_times_zero, cf.read_times_zero_plain], ids=["checkpointed", "plain"]
)
def test_an_array_read_times_zero_after_a_loop_writing_into_it(f, out_dir):
    """``0.0 * e[0]`` makes the adjoint of ``e`` zero where the reversed loop
    starts: it stays an array of zeros (the loop writes into it by index)."""
    x, y = np.array([0.3, -0.2, 0.5]), 0.7
    x_bar, y_bar = s2sad.grad(f, wrt=(0, 1), output_dir=out_dir)(x, y)
    np.testing.assert_array_equal(x_bar, np.zeros(3))
    assert y_bar == 1.0
    found = s2sad.hvp(f, wrt=(0, 1), output_dir=out_dir)(x, y, (np.ones(3), 1.0))
    np.testing.assert_array_equal(found[0], np.zeros(3))
    assert found[1] == 0.0


@pytest.mark.parametrize(
    "f",
    [cf.overwritten_then_tested, cf.overwritten_then_tested_plain],
    ids=["checkpointed", "plain"],
)
def test_a_list_overwritten_after_the_loop_and_read_by_a_test(f, out_dir):
    """The zero adjoint the branches yield, with the overwrite's 0.0 stored into
    it, starts the reversed loop: an array, not the number 0."""
    x, y = np.array([0.3, -0.2, 0.5]), 0.7
    x_bar, y_bar = s2sad.grad(f, wrt=(0, 1), output_dir=out_dir)(x, y)
    np.testing.assert_array_equal(x_bar, 2 * x)
    assert y_bar == 0.0
    found = s2sad.hvp(f, wrt=(0, 1), output_dir=out_dir)(x, y, (np.ones(3), 1.0))
    np.testing.assert_array_equal(found[0], np.full(3, 2.0))
    assert found[1] == 0.0


@pytest.mark.parametrize(
    "f",
    [cf.zeroed_then_written, cf.zeroed_then_written_plain],
    ids=["checkpointed", "plain"],
)
def test_a_zero_tangent_starting_a_loop_stays_an_array(f, out_dir):
    x, y = np.array([0.3, -0.2, 0.5]), 0.7
    value, tangent = s2sad.jvp(f, (x, y), (np.ones(3), 1.0), output_dir=out_dir)
    assert value == pytest.approx(2.0, rel=1e-12)
    assert tangent == pytest.approx(5.0, rel=1e-12)
    found = s2sad.hvp(f, wrt=(0, 1), output_dir=out_dir)(x, y, (np.ones(3), 1.0))
    np.testing.assert_array_equal(found[0], np.zeros(3))
    assert found[1] == 0.0


def test_a_checkpointed_loop_in_a_helper_calling_a_checkpointed_helper(out_dir):
    u = np.linspace(0.1, 0.6, 3)
    found = s2sad.grad(cf.settled, wrt=(0, 1), output_dir=out_dir)(u, 1.2)
    expected = s2sad.grad(cf.settled_plain, wrt=(0, 1), output_dir=out_dir)(u, 1.2)
    for a, b in zip(found, expected):
        np.testing.assert_array_equal(a, b)


def test_forward_mode_runs_the_loop_as_written(out_dir):
    point = (np.linspace(0.0, 1.0, 8), 0.2, 5)
    value, tangent = s2sad.jvp(
        cf.diffuse, point, (np.ones(8), 1.0, None), output_dir=out_dir
    )
    u_bar, c_bar = s2sad.grad(cf.diffuse, wrt=(0, 1), output_dir=out_dir)(*point)
    assert value == cf.diffuse(*point)
    assert tangent == pytest.approx(np.sum(u_bar) + c_bar, rel=1e-12)


def test_the_generated_gradient_follows_the_schedule(out_dir):
    source = s2sad.grad(cf.diffuse, wrt=(0, 1), output_dir=out_dir).source
    assert "def diffuse_step(t, u, c):" in source
    assert "runtime.checkpointed_loop(" in source and 'schedule="binomial"' in source
    assert "snapshots=3" in source and "tape" not in source


def test_ten_snapshots_of_a_thousand_steps_take_far_less_memory(out_dir):
    u = np.linspace(0.0, 1.0, 2000)
    stored = s2sad.grad(cf.cubic_stepper_plain, output_dir=out_dir)
    checkpointed = s2sad.grad(cf.cubic_stepper, output_dir=out_dir)
    np.testing.assert_array_equal(stored(u, 0.1, 1000), checkpointed(u, 0.1, 1000))
    assert peak_memory(checkpointed, u, 0.1, 1000) * 30 < peak_memory(
        stored, u, 0.1, 1000
    )


@pytest.mark.parametrize("schedule", ["binomial", "periodic"])
def test_the_reversal_resumes_where_the_forward_sweep_left_it(schedule):
    """The sweep and the reversal together run the steps the schedule counts,
    no more: the loop does not run again from its start; reversing the same
    sweep again runs the whole schedule from the state before the loop."""
    calls = Counter()

    def step(t, x):
        calls["step"] += 1
        return x * 1.001

    def forward(t, x):
        calls["forward"] += 1
        return x * 1.001, ()

    def backward(residuals, x_bar):
        return (x_bar * 1.001,)

    steps, snapshots = 1000, 10
    x, sweep = runtime.checkpointed_sweep(
        step, forward, range(steps), snapshots, schedule, (2.0,), ()
    )
    arguments = (step, forward, backward, range(steps), snapshots, schedule, (1,))
    reversal = (*arguments, (2.0,), (), (1.0,), ())
    found = runtime.checkpointed_loop(*reversal, sweep=sweep)
    expected = tally(
        (binomial if schedule == "binomial" else periodic)(steps, 10), steps
    )
    assert calls == {"step": expected.advances, "forward": expected.taped}
    assert x == pytest.approx(2.0 * 1.001**steps)
    assert found == pytest.approx((1.001**steps,))
    calls.clear()
    assert runtime.checkpointed_loop(*reversal, sweep=sweep) == found
    assert calls == {"step": expected.advances, "forward": expected.taped}


def test_the_gradient_runs_a_loop_of_its_top_level_once(out_dir):
    source = s2sad.grad(cf.cubic_stepper, wrt=(0, 1), output_dir=out_dir).source
    gradient = source.split("\n\n\ndef ")[1]
    assert "runtime.checkpointed_sweep(" in gradient and "sweep=sweep" in gradient
    assert "for " not in gradient


@pytest.mark.parametrize("steps", [0, 1, 5])
def test_the_state_after_the_sweep_is_written_in_place(steps, out_dir):
    """The sweep returns a copy of the state after the loop: code after it
    writes into that copy in place, the argument and the snapshots untouched."""
    gradient = s2sad.grad(cf.written_after, wrt=(0, 1), output_dir=out_dir)
    plain = s2sad.grad(cf.written_after_plain, wrt=(0, 1), output_dir=out_dir)
    u = np.linspace(0.0, 1.0, 6)
    before = u.copy()
    for a, b in zip(gradient(u, 0.3, steps), plain(u, 0.3, steps)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(u, before)
    assert ".copy()" not in gradient.source.split("\n\n\ndef ")[1]


def test_the_memory_report_shows_the_snapshots_of_the_forward_sweep(out_dir):
    """Between the sweeps: the 10 snapshots (the first is ``u``, an argument), the
    residuals of one step and the state after the loop; not one state per step."""
    u = np.linspace(0.0, 1.0, 100)
    report = s2sad.memory_report(cf.cubic_stepper, u, 0.1, 50, output_dir=out_dir)
    stored = s2sad.memory_report(cf.cubic_stepper_plain, u, 0.1, 50, output_dir=out_dir)
    assert report.total_bytes < 12 * u.nbytes < stored.total_bytes / 4


def test_the_automatic_jacobian_takes_the_mode_that_follows_the_schedule(out_dir):
    """``jacrev`` cannot batch a checkpointed loop's reversal: ``mode="auto"``
    takes forward mode, which runs the loop as written, even for one output."""
    point = (np.linspace(0.0, 1.0, 5), 0.2, 4)
    jacobian = s2sad.jacobian(cf.diffuse, wrt=0, output_dir=out_dir)
    found = jacobian(*point)
    assert jacobian.mode == "fwd"
    expected = s2sad.grad(cf.diffuse, wrt=0, output_dir=out_dir)(*point)
    np.testing.assert_allclose(found, expected, rtol=1e-12)
    with pytest.raises(S2SADError, match="checkpointed loop"):
        s2sad.jacobian(cf.diffuse, wrt=0, mode="rev", output_dir=out_dir)(*point)


def test_what_cannot_follow_a_schedule_yet_is_refused(out_dir):
    with pytest.raises(S2SADError) as caught:
        s2sad.jacrev(cf.settle, output_dir=out_dir)(np.ones(3), 1.2)
    assert "checkpointed loop" in str(caught.value) and "hint:" in str(caught.value)


BAD = {
    "break": """
        def f(u):
            for t in s2sad.checkpointed(range(5), snapshots=2):
                if t > 2:
                    break
                u = u * 2.0
            return np.sum(u)
        """,
    "not-a-range": """
        def f(u):
            for t in s2sad.checkpointed([1, 2], snapshots=2):
                u = u * 2.0
            return np.sum(u)
        """,
    "no-snapshots": """
        def f(u, k: int):
            for t in s2sad.checkpointed(range(5), snapshots=k):
                u = u * 2.0
            return np.sum(u)
        """,
    "schedule": """
        def f(u):
            for t in s2sad.checkpointed(range(5), snapshots=2, schedule="fast"):
                u = u * 2.0
            return np.sum(u)
        """,
}


@pytest.mark.parametrize("name", BAD)
def test_bad_checkpointed_loops_are_refused_where_they_are(name, tmp_path):
    path = tmp_path / f"bad_{name.replace('-', '_')}.py"
    path.write_text("import numpy as np\nimport s2sad\n" + textwrap.dedent(BAD[name]))
    namespace = {"__name__": path.stem}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    with pytest.raises(S2SADError) as caught:
        s2sad.grad(namespace["f"], output_dir=tmp_path)(
            np.ones(3), *([2] if name == "no-snapshots" else [])
        )
    text = str(caught.value)
    assert f"{path.name}:" in text and "hint:" in text


def test_checkpointed_is_the_range_for_plain_python():
    assert s2sad.checkpointed(range(3), snapshots=2) == range(3)
    with pytest.raises(ValueError):
        s2sad.checkpointed(range(3), snapshots=0)
    with pytest.raises(ValueError):
        s2sad.checkpointed(range(3), snapshots=2, schedule="fast")
    with pytest.raises(TypeError):
        s2sad.checkpointed([1, 2], snapshots=2)


@pytest.mark.parametrize("kind", ["grad", "value_and_grad", "vjp", "sweeps", "jvp"])
@pytest.mark.parametrize(
    "f", [cf.diffuse, cf.coupled, cf.settled, cf.residual_net, cf.nested]
)
def test_every_pass_verifies_on_checkpoints(f, kind, verify_each_pass):
    primal = lower(f)
    wrt = [k for k, p in enumerate(primal.params) if p.type != "int"]
    assert derivative_functions(primal, kind, wrt, single=False)
    assert verify_each_pass
