"""Checkpointing schedules: binomial (revolve) at Griewank's bound, periodic, the
online schedule of while loops against revolve, and a reversal driven by them
equal to the store-all one; the binomial schedule runs each step as often as the
checkpoint-schedules package's Revolve (a test-only dependency)."""

import functools
import math

import numpy as np
import pytest
from checkpoint_schedules import Forward, Revolve

from s2sad import runtime
from s2sad.loop_counts import recording
from s2sad.schedules import (
    OnlinePlacement,
    beta,
    binomial,
    fewest_advances,
    online,
    periodic,
    repetitions,
    reversal_cost,
    split,
    tally,
)


@functools.lru_cache(maxsize=None)
def _binomial_advances(steps, snapshots):
    """The untaped steps of :func:`binomial`'s recursion, counted without running it."""
    if steps <= 1:
        return 0
    if snapshots == 1:
        return steps * (steps - 1) // 2
    first = split(steps, snapshots)
    return (
        first
        + _binomial_advances(steps - first, snapshots - 1)
        + _binomial_advances(first, snapshots)
    )


def test_the_splits_reach_griewanks_bound_for_every_loop_up_to_2000_steps():
    for snapshots in range(1, 21):
        for steps in range(1, 2001):
            assert _binomial_advances(steps, snapshots) == fewest_advances(
                steps, snapshots
            ), (steps, snapshots)


@pytest.mark.parametrize("snapshots", [1, 2, 3, 5, 8, 13, 20])
def test_the_schedule_reverses_every_step_at_the_bound(snapshots):
    for steps in list(range(0, 60)) + [97, 128, 255, 400]:
        counts = tally(binomial(steps, snapshots), steps)
        assert counts.advances == fewest_advances(steps, snapshots)
        assert counts.taped == steps and counts.peak_taped <= 1
        assert counts.peak_snapshots <= snapshots
        if steps > 1:
            assert counts.most_runs <= repetitions(steps, snapshots) + 1


def test_ten_thousand_steps_with_ten_snapshots():
    counts = tally(binomial(10_000, 10), 10_000)
    assert counts.advances == 57_624 == 7 * 10_000 - beta(11, 6)
    assert counts.advances + counts.taped == 67_624
    assert counts.most_runs == 8 and counts.peak_snapshots == 10
    assert counts.writes == 5_904


def test_enough_snapshots_store_every_state():
    counts = tally(binomial(30, 30), 30)
    assert counts.advances == 29 and counts.most_runs == 2


@pytest.mark.parametrize("steps, snapshots", [(1, 1), (10, 3), (100, 10), (101, 10)])
def test_periodic_stores_segment_starts_and_tapes_segments(steps, snapshots):
    counts = tally(periodic(steps, snapshots), steps)
    length = math.ceil(steps / snapshots)
    assert counts.taped == steps and counts.peak_taped == length
    assert counts.writes == math.ceil(steps / length)
    assert counts.advances == length * (counts.writes - 1)


@pytest.mark.parametrize("snapshots", range(1, 11))
def test_the_online_schedule_reverses_every_step_within_its_snapshots(snapshots):
    for steps in list(range(0, 70)) + [128, 400]:
        counts = tally(online(steps, snapshots), steps)
        assert counts.taped == steps and counts.peak_taped <= 1
        assert counts.peak_snapshots <= snapshots


@pytest.mark.parametrize("snapshots", range(1, 21))
def test_the_online_schedule_equals_revolve_up_to_beta_s_2(snapshots):
    for steps in range(beta(snapshots, 2) + 2):
        counts = tally(online(steps, snapshots), steps)
        assert counts.advances == fewest_advances(steps, snapshots), steps


ONLINE_RATIO = {1: 1.0, 2: 1.139, 3: 1.063, 4: 1.054, 5: 1.046, 10: 1.023}
"""The most the online schedule's advances are over revolve's, rounded up to
3 digits, for loops of ``β(s, 2)`` to 400 steps (to 2000 steps: the same up to
5 snapshots, at most 1.028 with 6 to 10)."""


@pytest.mark.parametrize("snapshots", range(1, 11))
def test_the_online_schedule_against_revolve_beyond(snapshots):
    ratio = max(
        tally(online(steps, snapshots), steps).advances
        / fewest_advances(steps, snapshots)
        for steps in list(range(beta(snapshots, 2) + 1, 401, 5)) + [400]
    )
    assert ratio <= ONLINE_RATIO.get(snapshots, 1.028) + 1e-3


def _longest_matched_deciding_before_the_step(snapshots, longest):
    """The most steps ``n`` such that some placement deciding before each step
    whether to keep the state there (not knowing whether that step is the
    last) reaches revolve's count for every loop of 2 to ``n`` steps, over
    every such placement (searched up to ``longest`` steps)."""

    def choices(kept, position):
        if len(kept) < snapshots:
            return [kept | {position}, kept]
        return [kept] + [(kept - {q}) | {position} for q in sorted(kept - {0})]

    def search(position, kept):
        best, steps = position, position + 1
        for chosen in choices(kept, position):
            reversal = reversal_cost(sorted(chosen - {position}), steps, snapshots)
            if steps - 1 + reversal == fewest_advances(steps, snapshots):
                reached = steps if steps == longest else search(steps, chosen)
                best = max(best, reached)
        return best

    return search(1, frozenset({0}))


@pytest.mark.parametrize("snapshots", [2, 3, 4])
def test_no_placement_deciding_before_the_step_matches_revolve_past_s_plus_2(
    snapshots,
):
    found = _longest_matched_deciding_before_the_step(snapshots, 2 * snapshots)
    assert found == snapshots + 2


def test_the_online_placement_keeps_the_first_state():
    placement = OnlinePlacement(3)
    slots = [placement.keep(position) for position in range(50)]
    assert slots[:3] == [0, 1, 2] and placement.kept[0] == 0
    assert len(placement.kept) == 3 and all(s != 0 for s in slots[3:] if s is not None)
    assert sorted(placement.kept.values()) != [0, 1, 2]


def test_the_online_placement_settles_revolves_states_at_beta_s_2():
    placement = OnlinePlacement(4)
    for position in range(beta(4, 2) - 1):
        placement.keep(position)
    assert sorted(placement.kept.values()) == [0, 5, 9, 12]


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="at least one snapshot"):
        list(binomial(10, 0))
    with pytest.raises(ValueError, match="at least 0 steps"):
        list(periodic(-1, 3))


def test_a_broken_schedule_is_caught():
    actions = list(binomial(5, 2))
    with pytest.raises(ValueError):
        tally(actions[:-2], 5)


def _loop(a):
    """One step of a small nonlinear map (of the counter too), its forward sweep
    and its backward sweep, as runtime.checkpointed_loop calls them."""

    def step(t, x):
        return np.sin(x) * a + 0.1 * x[::-1] * t

    def forward(t, x):
        return step(t, x), (t, x)

    def backward(kept, bar):
        t, x = kept
        return (np.cos(x) * a * bar + 0.1 * t * bar[::-1],)

    return step, forward, backward


@pytest.mark.parametrize("schedule", ["binomial", "periodic"])
@pytest.mark.parametrize(
    "steps, snapshots", [(0, 1), (1, 1), (7, 2), (50, 4), (200, 6)]
)
def test_a_checkpointed_reversal_equals_the_store_all_one(schedule, steps, snapshots):
    step, forward, backward = _loop(1.3)
    x0 = np.linspace(-1.0, 1.0, 5)
    kept, x = [], x0
    for t in range(3, 3 + steps):
        out, residuals = forward(t, x)
        kept.append(residuals)
        x = out
    bar = np.arange(1.0, 6.0)
    expected = bar
    for residuals in reversed(kept):
        (expected,) = backward(residuals, expected)
    (found,) = runtime.checkpointed_loop(
        step,
        forward,
        backward,
        range(3, 3 + steps),
        snapshots,
        schedule,
        (1,),
        (x0,),
        (),
        (bar,),
        (),
    )
    np.testing.assert_array_equal(found, expected)


def _package_counts(steps, snapshots):
    """Untaped and taped steps, and the most runs of one step, of the
    checkpoint-schedules package's Revolve (its snapshots include the first state)."""
    runs = [0] * steps
    advances = taped = 0
    for action in Revolve(steps, snapshots):
        if isinstance(action, Forward):
            count = action.n1 - action.n0
            for k in range(action.n0, action.n1):
                runs[k] += 1
            if action.write_adj_deps:
                taped += count
            else:
                advances += count
    return advances, taped, max(runs)


PACKAGE_CASES = [(l, s) for s in range(1, 7) for l in range(1, 61)] + [
    (300, 3),
    (1000, 10),
]


def test_binomial_runs_as_many_steps_as_the_checkpoint_schedules_revolve():
    for steps, snapshots in PACKAGE_CASES:
        ours = tally(binomial(steps, snapshots), steps)
        expected = _package_counts(steps, snapshots)
        assert (ours.advances, ours.taped, ours.most_runs) == expected


@pytest.mark.parametrize("steps", [0, 1, 2, 5, 17, 60, 230])
@pytest.mark.parametrize("snapshots", [1, 2, 4, 10])
def test_an_online_reversal_equals_the_store_all_one(steps, snapshots):
    step, forward, backward = _loop(1.3)

    def counted(x, k):
        return step(3 + k, x), k + 1

    def counted_forward(x, k):
        out, kept = forward(3 + k, x)
        return (out, k + 1), kept

    def counted_backward(kept, bar, k_bar):
        return backward(kept, bar)

    x0 = np.linspace(-1.0, 1.0, 5)
    kept, x = [], x0
    for t in range(3, 3 + steps):
        out, residuals = forward(t, x)
        kept.append(residuals)
        x = out
    bar = np.arange(1.0, 6.0)
    expected = bar
    for residuals in reversed(kept):
        (expected,) = backward(residuals, expected)
    with recording() as recorded:
        (found,) = runtime.checkpointed_while(
            lambda x, k, stop: k < stop,
            counted,
            counted_forward,
            counted_backward,
            snapshots,
            "online",
            (0,),
            (x0, 0),
            (),
            (steps,),
            (bar, 0.0),
            (),
        )
    np.testing.assert_array_equal(found, expected)
    ((counts,),) = (recorded,)
    schedule = tally(online(steps, snapshots), steps)
    assert counts.steps == steps
    assert (counts.advances, counts.taped, counts.writes, counts.restores) == (
        schedule.advances,
        schedule.taped,
        schedule.writes,
        schedule.restores,
    )
    assert counts.peak_snapshots == schedule.peak_snapshots
    assert counts.peak_bytes == schedule.peak_snapshots * (x0.nbytes + 8)
