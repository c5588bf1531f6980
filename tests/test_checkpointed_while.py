"""``while s2sad.checkpointed(condition, snapshots=s)``: a loop of unknown length
reversed by the online schedule.

The loop runs once, keeping at most ``s`` states where
:class:`s2sad.schedules.OnlinePlacement` puts them (in the forward sweep,
``runtime.checkpointed_while_sweep``, for a loop of the function's top level;
in the reverse sweep, from the loop's first state, for one in a helper or in
another statement), then its reversal reverses the intervals between them by
the binomial schedule (``runtime.checkpointed_while``): the same arithmetic runs as when every state
is stored, so the gradients equal the plain ``while`` loop's bit for bit, for
trip counts 0 to several hundred and 1 to 10 snapshots, in grad,
value_and_grad and vjp; what cannot follow the schedule is refused by name.
"""

import textwrap
from collections import Counter

import numpy as np
import pytest

import s2sad
import while_functions as wf
from numerics import peak_memory
from s2sad import runtime
from s2sad.errors import S2SADError
from s2sad.schedules import online, tally
from s2sad.frontend.program import lower
from s2sad.passes.pipeline import derivative_functions

COUNTS = [0, 1, 2, 3, 4, 6, 10, 21, 56, 300]

LOOP = """
import numpy as np
import s2sad


def relax(u, c: float, steps: int):
    k = 0
    while s2sad.checkpointed(k < steps, snapshots={snapshots}):
        u = u + 0.1 * c * (np.roll(u, 1) - u) + 0.02 * np.sin(u) * k
        k = k + 1
    return np.sum(u * u)
"""


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("checkpointed_while")


@pytest.fixture(scope="module")
def with_snapshots(tmp_path_factory):
    """``relax`` with ``snapshots`` snapshots, written to a file of its own."""
    folder = tmp_path_factory.mktemp("snapshots")
    made = {}

    def make(snapshots):
        if snapshots not in made:
            path = folder / f"relax_{snapshots}.py"
            path.write_text(LOOP.format(snapshots=snapshots))
            namespace = {"__name__": path.stem}
            exec(compile(path.read_text(), str(path), "exec"), namespace)
            made[snapshots] = namespace["relax"]
        return made[snapshots]

    return make


def _assert_same(found, expected):
    for a, b in zip(found, expected):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("snapshots", range(1, 11))
def test_gradients_equal_the_plain_while_loops(snapshots, with_snapshots, out_dir):
    f = with_snapshots(snapshots)
    grad = s2sad.grad(f, wrt=(0, 1), output_dir=out_dir)
    value_and_grad = s2sad.value_and_grad(f, wrt=(0, 1), output_dir=out_dir)
    plain = s2sad.grad(wf.relax_plain, wrt=(0, 1), output_dir=out_dir)
    u = np.linspace(-0.5, 0.8, 6)
    for count in COUNTS:
        before = u.copy()
        expected = plain(u, 0.7, count)
        _assert_same(grad(u, 0.7, count), expected)
        np.testing.assert_array_equal(u, before)
        value, found = value_and_grad(u, 0.7, count)
        assert value == f(u, 0.7, count) == wf.relax_plain(u, 0.7, count)
        _assert_same(found, expected)
        out, vjp_fn = s2sad.vjp(f, u, 0.7, count, output_dir=out_dir)
        assert out == value
        _assert_same(vjp_fn(1.0)[:2], expected)


@pytest.mark.parametrize("limit", [0.5, 1.01, 1.2, 3.0, 40.0])
def test_a_condition_on_the_values_gives_the_plain_gradient(limit, out_dir):
    found = s2sad.grad(wf.grow, wrt=(0, 1), output_dir=out_dir)(1.0, 0.8, limit)
    expected = s2sad.grad(wf.grow_plain, wrt=(0, 1), output_dir=out_dir)(
        1.0, 0.8, limit
    )
    _assert_same(found, expected)
    assert wf.grow(1.0, 0.8, limit) == wf.grow_plain(1.0, 0.8, limit)


def test_a_checkpointed_while_loop_in_a_helper(out_dir):
    u = np.linspace(0.1, 0.6, 4)
    found = s2sad.grad(wf.relax_twice, wrt=(0, 1), output_dir=out_dir)(u, 1.2, 9)
    expected = s2sad.grad(wf.relax_twice_plain, wrt=(0, 1), output_dir=out_dir)(
        u, 1.2, 9
    )
    _assert_same(found, expected)


@pytest.mark.parametrize(
    "f, plain",
    [(wf.nested, wf.nested_plain), (wf.inner, wf.inner_plain)],
    ids=["in-a-for-loop", "around-a-checkpointed-for-loop-and-a-branch"],
)
def test_checkpointed_while_loops_nest(f, plain, out_dir):
    u = np.linspace(0.1, 0.5, 4)
    found = s2sad.grad(f, wrt=(0, 1), output_dir=out_dir)(u, 0.7)
    _assert_same(found, s2sad.grad(plain, wrt=(0, 1), output_dir=out_dir)(u, 0.7))
    assert f(u, 0.7) == plain(u, 0.7)


def test_the_vjp_of_an_array_output(out_dir):
    u, seed = np.linspace(0.1, 0.5, 4), np.arange(4.0)
    out, vjp_fn = s2sad.vjp(wf.vec, u, 0.9, output_dir=out_dir)
    expected_out, plain_fn = s2sad.vjp(wf.vec_plain, u, 0.9, output_dir=out_dir)
    np.testing.assert_array_equal(out, expected_out)
    _assert_same(vjp_fn(seed), plain_fn(seed))


def test_the_gradient_matches_finite_differences(out_dir):
    u, c, steps = np.linspace(0.2, 1.0, 5), 0.3, 12
    u_bar, c_bar = s2sad.grad(wf.relax, wrt=(0, 1), output_dir=out_dir)(u, c, steps)
    h = 1e-6
    fd = (wf.relax(u, c + h, steps) - wf.relax(u, c - h, steps)) / (2 * h)
    assert c_bar == pytest.approx(fd, rel=1e-6, abs=1e-7)
    for k in range(u.size):
        e = np.zeros_like(u)
        e[k] = h
        fd = (wf.relax(u + e, c, steps) - wf.relax(u - e, c, steps)) / (2 * h)
        assert u_bar[k] == pytest.approx(fd, rel=1e-6, abs=1e-9)
    y_bar, rate_bar = s2sad.grad(wf.grow, wrt=(0, 1), output_dir=out_dir)(1.0, 0.8, 3.0)
    fd = (wf.grow(1.0, 0.8 + h, 3.0) - wf.grow(1.0, 0.8 - h, 3.0)) / (2 * h)
    assert rate_bar == pytest.approx(fd, rel=1e-6)


def test_the_generated_gradient_says_its_schedule(out_dir):
    source = s2sad.grad(wf.relax, wrt=(0, 1), output_dir=out_dir).source
    assert "def relax_step(u, k, c):" in source
    assert "def relax_condition(u, k, steps):" in source
    assert "runtime.checkpointed_while(" in source and 'schedule="online"' in source
    assert "snapshots=3" in source and "tape" not in source


def test_few_snapshots_of_many_steps_take_less_memory(out_dir):
    u = np.linspace(0.0, 1.0, 2000)
    stored = s2sad.grad(wf.relax_plain, output_dir=out_dir)
    checkpointed = s2sad.grad(wf.relax, output_dir=out_dir)
    np.testing.assert_array_equal(stored(u, 0.1, 500), checkpointed(u, 0.1, 500))
    assert peak_memory(checkpointed, u, 0.1, 500) * 20 < peak_memory(
        stored, u, 0.1, 500
    )


def test_the_reversal_resumes_where_the_forward_sweep_left_the_loop():
    """The sweep runs the loop once, placing the snapshots; the reversal and it
    run the steps the online schedule counts, no more (the loop's own pass tapes
    each step as it goes, so its steps count as advances but call the forward
    sweep); reversing the same sweep again runs the loop from its first state."""
    calls = Counter()

    def step(x, k):
        calls["step"] += 1
        return x * 1.001, k + 1

    def forward(x, k):
        calls["forward"] += 1
        return (x * 1.001, k + 1), ()

    def backward(residuals, x_bar, k_bar):
        return (x_bar * 1.001,)

    def condition(x, k, stop):
        return k < stop

    steps, snapshots = 300, 6
    *after, sweep = runtime.checkpointed_while_sweep(
        condition, step, forward, snapshots, "online", (2.0, 0), (), (steps,)
    )
    reversal = (condition, step, forward, backward, snapshots, "online", (0,))
    reversal += ((2.0, 0), (), (steps,), (1.0, 0.0), ())
    found = runtime.checkpointed_while(*reversal, sweep=sweep)
    expected = tally(online(steps, snapshots), steps)
    runs = {
        "step": expected.advances - (steps - 1),
        "forward": expected.taped + steps - 1,
    }
    assert calls == runs
    assert after == [pytest.approx(2.0 * 1.001**steps), steps]
    assert found == pytest.approx((1.001**steps,))
    calls.clear()
    assert runtime.checkpointed_while(*reversal, sweep=sweep) == found
    assert calls == runs


def test_the_gradient_runs_a_while_loop_of_its_top_level_once(out_dir):
    source = s2sad.grad(wf.relax, wrt=(0, 1), output_dir=out_dir).source
    gradient = source.split("\n\n\ndef ")[1]
    assert "runtime.checkpointed_while_sweep(" in gradient and "sweep=sweep" in gradient
    assert "while " not in gradient


def test_the_memory_report_shows_the_snapshots_of_the_forward_sweep(out_dir):
    """Between the sweeps: the 3 states the online placement kept, the
    residuals of the last step and the state after the loop."""
    u = np.linspace(0.0, 1.0, 100)
    report = s2sad.memory_report(wf.relax, u, 0.1, 50, output_dir=out_dir)
    stored = s2sad.memory_report(wf.relax_plain, u, 0.1, 50, output_dir=out_dir)
    assert report.total_bytes < 6 * u.nbytes < stored.total_bytes / 8
    (kept,) = [v for v in report.values if v.name == "sweep"]
    assert kept.bytes >= 2 * u.nbytes
    assert "relax" in str(report)


def test_what_cannot_follow_the_schedule_is_refused(out_dir):
    with pytest.raises(S2SADError) as caught:
        s2sad.jacrev(wf.relax, output_dir=out_dir)(np.ones(3), 0.2, 4)
    text = str(caught.value)
    assert "checkpointed loop" in text and "hint:" in text


def test_forward_mode_runs_the_loop_as_written(out_dir):
    point = (np.linspace(0.0, 1.0, 6), 0.2, 7)
    value, tangent = s2sad.jvp(
        wf.relax, point, (np.ones(6), 1.0, None), output_dir=out_dir
    )
    u_bar, c_bar = s2sad.grad(wf.relax, wrt=(0, 1), output_dir=out_dir)(*point)
    assert value == wf.relax(*point)
    assert tangent == pytest.approx(np.sum(u_bar) + c_bar, rel=1e-12)


BAD = {
    "break": """
        def f(u):
            k = 0
            while s2sad.checkpointed(k < 5, snapshots=2):
                if np.sum(u) > 9.0:
                    break
                u = u * 2.0
                k = k + 1
            return np.sum(u)
        """,
    "return": """
        def f(u):
            k = 0
            while s2sad.checkpointed(k < 5, snapshots=2):
                if np.sum(u) > 9.0:
                    return 0.0
                u = u * 2.0
                k = k + 1
            return np.sum(u)
        """,
    "binomial": """
        def f(u):
            k = 0
            while s2sad.checkpointed(k < 5, snapshots=2, schedule="binomial"):
                u = u * 2.0
                k = k + 1
            return np.sum(u)
        """,
    "no-snapshots": """
        def f(u, s: int):
            k = 0
            while s2sad.checkpointed(k < 5, snapshots=s):
                u = u * 2.0
                k = k + 1
            return np.sum(u)
        """,
    "no-condition": """
        def f(u):
            k = 0
            while s2sad.checkpointed(snapshots=2):
                u = u * 2.0
                k = k + 1
            return np.sum(u)
        """,
}


@pytest.mark.parametrize("name", BAD)
def test_bad_checkpointed_while_loops_are_refused_where_they_are(name, tmp_path):
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
    if name == "binomial":
        assert "online" in text


def test_checkpointed_is_the_condition_for_plain_python():
    assert s2sad.checkpointed(True, snapshots=2) is True
    assert s2sad.checkpointed(np.float64(1.0) < 0.5, snapshots=2) == np.False_
    assert s2sad.checkpointed(False, snapshots=2, schedule="online") is False
    with pytest.raises(ValueError):
        s2sad.checkpointed(True, snapshots=2, schedule="binomial")
    with pytest.raises(ValueError):
        s2sad.checkpointed(range(3), snapshots=2, schedule="online")
    with pytest.raises(TypeError):
        s2sad.checkpointed(3, snapshots=2)


@pytest.mark.parametrize("kind", ["grad", "value_and_grad", "vjp", "sweeps", "jvp"])
@pytest.mark.parametrize("f", [wf.relax, wf.grow, wf.relax_twice])
def test_every_pass_verifies_on_checkpointed_while_loops(f, kind, verify_each_pass):
    primal = lower(f)
    wrt = [k for k, p in enumerate(primal.params) if p.type != "int"]
    assert derivative_functions(primal, kind, wrt, single=False)
    assert verify_each_pass


@pytest.mark.parametrize("y", [0.7, -0.7])
def test_a_zero_adjoint_of_a_list_through_no_trip(y, out_dir):
    """No step runs and the list's adjoint after the loop is the number 0: the
    reversal gives zeros shaped like the list, which the code before it reads."""
    x = np.array([0.3, -0.2, 0.5])
    expected = s2sad.grad(wf.unread_list_plain, wrt=(0, 1), output_dir=out_dir)(x, y)
    found = s2sad.grad(wf.unread_list, wrt=(0, 1), output_dir=out_dir)(x, y)
    _assert_same(found, expected)
    for n in (0, 2):
        found = s2sad.grad(wf.unread_list_for, wrt=(0, 1), output_dir=out_dir)(x, y, n)
        _assert_same(found, expected)
    _, vjp_fn = s2sad.vjp(wf.unread_list, x, y, output_dir=out_dir)
    _assert_same(vjp_fn(1.0), expected)
    _assert_same(vjp_fn(1.0), expected)
