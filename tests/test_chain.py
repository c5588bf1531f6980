"""Jacobian chain bracketing: the dynamic programme against every plan."""

import random

import numpy as np
import pytest

from s2sad.chain import (
    FORWARD,
    REVERSE,
    SPLIT,
    Stage,
    best_plan,
    product_cost,
    sweep_cost,
)


def every_plan_cost(stages, sizes, first=0, last=None):
    """The cost of every plan for stages ``first..last``, enumerated: both modes
    over the whole span, and each split with every plan of each side."""
    last = len(stages) - 1 if last is None else last
    costs = [
        sweep_cost(stages, sizes, first, last, mode) for mode in (FORWARD, REVERSE)
    ]
    parts = [np.array(costs)]
    for split in range(first, last):
        left = every_plan_cost(stages, sizes, first, split)
        right = every_plan_cost(stages, sizes, split + 1, last)
        product = product_cost(sizes, first, split, last)
        parts.append(np.add.outer(left, right).ravel() + product)
    return np.concatenate(parts)


def structure_cost(plan, stages, sizes):
    """The cost of a plan recomputed from its structure alone."""
    if plan.mode == SPLIT:
        left, right = plan.parts
        return (
            structure_cost(left, stages, sizes)
            + structure_cost(right, stages, sizes)
            + product_cost(sizes, plan.first, left.last, plan.last)
        )
    return sweep_cost(stages, sizes, plan.first, plan.last, plan.mode)


def random_chain(rng):
    count = rng.randint(1, 8)
    sizes = [rng.choice([1, 2, 5, 10, 50, 200, 1000, 2000]) for _ in range(count + 1)]
    stages = []
    for k in range(count):
        primal = sizes[k] * sizes[k + 1] * rng.uniform(0.1, 2.0)
        tangent, adjoint = rng.uniform(1.0, 3.0), rng.uniform(1.5, 5.0)
        stages.append(Stage(f"f{k + 1}", primal, tangent * primal, adjoint * primal))
    return stages, sizes


def test_the_dynamic_programme_finds_the_cheapest_of_every_plan():
    """1000 random chains of 1 to 8 stages (up to 303 390 plans each)."""
    rng = random.Random(0)
    for _ in range(1000):
        stages, sizes = random_chain(rng)
        best = best_plan(stages, sizes)
        cheapest = every_plan_cost(stages, sizes).min()
        assert best.cost == pytest.approx(cheapest, rel=1e-12)
        assert structure_cost(best, stages, sizes) == pytest.approx(
            best.cost, rel=1e-12
        )


def test_counting_the_plans():
    """One stage: forward or reverse; two: those of the whole, or a split of 2 × 2."""
    stage = Stage("f", 1.0, 2.0, 3.0)
    counts = [len(every_plan_cost([stage] * k, [3] * (k + 1))) for k in (1, 2, 8)]
    assert counts == [2, 6, 303390]


def test_a_bottleneck_is_split_at_its_waist():
    """R^2000 -> R^10 -> R^2000: reverse over the first stage (10 rows), forward
    over the second (10 columns), one product."""
    sizes = [2000, 10, 2000]
    stages = [
        Stage("narrow", 2000 * 10, 2 * 2000 * 10, 3 * 2000 * 10),
        Stage("widen", 10 * 2000, 2 * 10 * 2000, 3 * 10 * 2000),
    ]
    best = best_plan(stages, sizes)
    assert best.mode == SPLIT
    assert [part.mode for part in best.parts] == [REVERSE, FORWARD]
    assert best.describe(stages) == "(fwd[widen] · rev[narrow])"
    forward = sweep_cost(stages, sizes, 0, 1, FORWARD)
    reverse = sweep_cost(stages, sizes, 0, 1, REVERSE)
    assert min(forward, reverse) > 3 * best.cost


def test_few_inputs_go_forward_and_few_outputs_reverse():
    stage = Stage("g", 100.0, 200.0, 300.0)
    assert best_plan([stage, stage], [2, 100, 100]).mode == FORWARD
    assert best_plan([stage, stage], [100, 100, 2]).mode == REVERSE


def test_sizes_must_match_the_stages():
    with pytest.raises(ValueError, match="3 sizes"):
        best_plan([Stage("f", 1, 2, 3)] * 2, [1, 2])
    with pytest.raises(ValueError, match="at least one stage"):
        best_plan([], [1])
