"""``s2sad.memory_report``: what reverse mode stores, named as in the source."""

import math

import numpy as np
import pytest

import checkpoint_functions as cf
import s2sad
import while_functions as wf
from s2sad import runtime
from s2sad.api import Entry
from s2sad.schedules import binomial, online, periodic, tally


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("memory")


def iterate(x, a: float, steps: int):
    for _ in range(steps):
        x = np.sin(x) * a
    return np.sum(x)


def uses_its_argument(x, W):
    return np.sum(np.tanh(W @ x))


def _distinct_bytes(stored, arguments, seen):
    """Bytes of the distinct arrays in a nested residual structure, arguments aside
    (of a broadcast one, its axes that are not broadcast)."""
    if isinstance(stored, runtime.Sweep):
        return _distinct_bytes(stored.kept(), arguments, seen)
    if isinstance(stored, (tuple, list)):
        return sum(_distinct_bytes(s, arguments, seen) for s in stored)
    if isinstance(stored, np.ndarray):
        if any(np.may_share_memory(stored, a) for a in arguments) or id(stored) in seen:
            return 0
        seen.add(id(stored))
        kept = [n for n, stride in zip(stored.shape, stored.strides) if stride]
        return stored.itemsize * math.prod(kept)
    return np.asarray(stored).nbytes


def test_a_loop_stores_one_state_per_step(out_dir):
    x = np.linspace(0.1, 0.9, 50)
    report = s2sad.memory_report(iterate, x, 1.3, 7, output_dir=out_dir)
    states = [v for v in report.values if v.count == 7 and v.shapes == {"(50,)"}]
    assert states and sum(v.bytes for v in states) == 6 * x.nbytes  # the first is x
    assert all(v.line is not None for v in states)
    assert "iterate" in str(report) and report.total_bytes > 0


def test_arguments_are_listed_but_not_counted(out_dir):
    x, W = np.ones(6), np.eye(6)
    report = s2sad.memory_report(uses_its_argument, x, W, output_dir=out_dir)
    arguments = [v for v in report.values if v.arguments]
    assert {v.name for v in arguments} >= {"W"}
    assert all(v.bytes == 0 for v in arguments)
    assert "argument, not copied" in str(report)


@pytest.mark.parametrize("f, point", cf.CASES, ids=[f.__name__ for f, _ in cf.CASES])
def test_the_total_is_what_the_forward_sweep_returns(f, point, out_dir):
    wrt = tuple(k for k, p in enumerate(point) if not isinstance(p, int))
    report = s2sad.memory_report(f, *point, wrt=wrt, output_dir=out_dir)
    residuals = Entry(f, "sweeps", wrt, out_dir).generated(*point)[-1]
    arrays = [p for p in point if isinstance(p, np.ndarray)]
    assert report.total_bytes == _distinct_bytes(residuals, arrays, set())


def test_a_checkpointed_loop_keeps_the_snapshots_of_its_forward_sweep(out_dir):
    """The binomial schedule's first sweep takes two snapshots besides ``u`` (an
    argument, not counted) and tapes the last step: the forward sweep keeps
    them for the reversal, and the report lists them on the loop's line."""
    point = (np.linspace(0.0, 1.0, 40), 0.2, 23)
    report = s2sad.memory_report(cf.diffuse, *point, wrt=(0, 1), output_dir=out_dir)
    residuals = Entry(cf.diffuse, "sweeps", (0, 1), out_dir).generated(*point)[-1]
    assert report.total_bytes == _distinct_bytes(residuals, [point[0]], set())
    (kept,) = [v for v in report.values if v.name == "sweep"]
    assert kept.bytes >= 2 * point[0].nbytes
    assert kept.line == cf.diffuse.__code__.co_firstlineno + 1


def test_checkpointing_shows_in_the_report(out_dir):
    x = np.linspace(-1.0, 1.0, 1000)
    stored = s2sad.memory_report(cf.deep_smooth_plain, x, output_dir=out_dir)
    recomputed = s2sad.memory_report(cf.deep_smooth, x, output_dir=out_dir)
    assert recomputed.total_bytes <= 16 * x.nbytes + 1000
    assert stored.total_bytes >= 3 * recomputed.total_bytes


@pytest.mark.parametrize(
    "f, point, schedule, steps, state",
    [
        (cf.diffuse, (np.linspace(0.0, 1.0, 40), 0.2, 23), binomial, 23, 320),
        (
            cf.coupled,
            (np.linspace(0.0, 1.0, 6), np.ones(6), 0.5, 21),
            periodic,
            19,
            104,
        ),
    ],
    ids=["binomial", "periodic"],
)
def test_a_checkpointed_loop_reports_its_schedules_counts(
    f, point, schedule, steps, state, out_dir
):
    """``state``: the bytes of one snapshot (``u``; ``x``, ``y`` and ``k``)."""
    report = s2sad.memory_report(f, *point, wrt=(0, 1), output_dir=out_dir)
    ((where, counts),) = report.loops
    expected = tally(schedule(steps, counts.snapshots), steps)
    assert counts.steps == steps and _counted(counts) == _counted(expected)
    assert counts.peak_bytes == state * counts.peak_snapshots
    assert where.startswith("checkpoint_functions.py:") and "untaped" in str(report)


def test_a_checkpointed_while_loop_reports_the_online_schedules_counts(out_dir):
    u = np.linspace(0.0, 1.0, 30)
    report = s2sad.memory_report(
        wf.relax_twice, u, 0.3, 40, wrt=(0, 1), output_dir=out_dir
    )
    assert [c.steps for _, c in report.loops] == [41, 40]
    for _, counts in report.loops:
        expected = tally(online(counts.steps, 3), counts.steps)
        assert _counted(counts) == _counted(expected)
        assert counts.peak_bytes == 3 * (u.nbytes + 8)


def test_a_report_without_checkpointed_loops_lists_none(out_dir):
    report = s2sad.memory_report(iterate, np.ones(3), 0.5, 4, output_dir=out_dir)
    assert report.loops == () and "Checkpointed" not in str(report)


def _counted(counts):
    return (
        counts.advances,
        counts.taped,
        counts.writes,
        counts.restores,
        counts.peak_snapshots,
    )
