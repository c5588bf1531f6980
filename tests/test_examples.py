"""The control-flow examples (examples/loops.py, examples/branches.py,
examples/adaptive_stepping.py): their derivatives against finite differences
and against what calculus says; the numbers behind the pictures of
examples/ad_vs_fd_vs_symbolic.py."""

import math

import pytest
from adaptive_stepping import main as adaptive_stepping
from branches import huber, tax
from loops import bouncing_ball, kepler, oscillator_energy, relax
from numerics import assert_close, central_directional, central_gradient

import s2sad
from s2sad.schedules import online, tally

SMOOTH_CASES = [
    (relax, (0.5, 0.9)),
    (oscillator_energy, (4.0, 0.3)),
    (kepler, (1.2, 0.6)),
    (huber, (0.3, 1.0)),
    (huber, (-2.5, 1.0)),
    (tax, (25000.0,)),
    (tax, (55000.0,)),
]


@pytest.mark.parametrize(
    "f, point", SMOOTH_CASES, ids=[f"{f.__name__}{p}" for f, p in SMOOTH_CASES]
)
def test_gradient_and_jvp_match_finite_differences(f, point):
    wrt = tuple(range(len(point)))
    step = 1e-6 * max(1.0, max(abs(p) for p in point))
    expected = central_gradient(f, point, step=step)
    assert_close(s2sad.grad(f, wrt=wrt)(*point), expected, rtol=1e-6, atol=1e-8)
    direction = tuple(1.0 + 0.5 * k for k in range(len(point)))
    value, tangent = s2sad.jvp(f, point, direction)
    assert value == f(*point)
    assert_close(
        tangent, central_directional(f, point, direction, step), rtol=1e-6, atol=1e-8
    )


def test_kepler_gradient_is_the_implicit_function_derivative():
    """Differentiating Newton's iterations gives ∂E/∂M = 1/(1 − e cos E), ∂E/∂e = sin E/(1 − e cos E)."""
    m, e = 1.2, 0.6
    E = kepler(m, e)
    slope = 1.0 - e * math.cos(E)
    assert_close(
        s2sad.grad(kepler, wrt=(0, 1))(m, e), (1 / slope, math.sin(E) / slope), 1e-12
    )


def test_huber_and_tax_derivatives_are_those_of_the_branch_taken():
    grad_huber = s2sad.grad(huber, wrt=(0, 1))
    assert grad_huber(0.3, 1.0) == (0.3, 0.0)
    assert grad_huber(-2.5, 1.0) == (-1.0, 2.5 - 1.0)
    assert grad_huber(1.0, 1.0) == (1.0, 0.0)  # at the switch: |r| <= delta holds
    grad_tax = s2sad.grad(tax)
    assert [grad_tax(x) for x in (5000.0, 25000.0, 55000.0)] == [0.0, 0.2, 0.4]


def test_bouncing_ball_modes_agree():
    """A long simulation with branches, a break and a while: reverse and forward
    mode agree (dot-product identity) and match finite differences."""
    point = (22.0, 0.8, 0.01, 0.7)
    gradient = s2sad.grad(bouncing_ball, wrt=(0, 1, 2, 3))(*point)
    direction = (0.3, -0.2, 0.5, 0.1)
    _, tangent = s2sad.jvp(bouncing_ball, point, direction)
    assert tangent == pytest.approx(
        sum(g * d for g, d in zip(gradient, direction)), rel=1e-10
    )
    expected = central_gradient(bouncing_ball, point, step=1e-7)
    assert_close(gradient, expected, rtol=1e-4, atol=1e-4)


def test_adaptive_stepping_reversed_online_equals_the_stored_gradient(tmp_path):
    """examples/adaptive_stepping.py: a while loop to a tolerance, checkpointed."""
    found = adaptive_stepping(cells=200, T=6.0, output_dir=tmp_path)
    assert found["steps"] > 8
    assert found["online"] == found["stored"]
    assert_close(found["online"], found["finite_differences"], rtol=1e-6)
    peak, stored_peak = found["peaks"]
    assert peak < stored_peak
    counts, steps = found["schedule"], found["steps"]
    expected = tally(online(steps, 8), steps)
    assert counts.steps == steps and counts.advances == expected.advances
    assert counts.writes == expected.writes and counts.peak_snapshots == 8


def test_the_three_way_pictures_show_what_the_lectures_say(tmp_path):
    from ad_vs_fd_vs_symbolic import fd_errors, swell_sizes

    errors = fd_errors(str(tmp_path))
    assert errors["s2sad"] < 1e-15 * errors["scale"]
    best = {m: min(e for _, e in errors[m]) for m in ("forward", "central")}
    assert 1e-12 < best["central"] < best["forward"] < 1e-6
    largest = {m: max(e for h, e in errors[m] if h < 1e-12) for m in best}
    assert min(largest.values()) > 100 * best["central"]  # round-off at tiny h
    sizes = swell_sizes(str(tmp_path))
    nodes = [row[1] for row in sizes]
    assert all(b > 2 * a for a, b in zip(nodes[1:], nodes[2:]))
    assert len({row[2] for row in sizes}) == 1
    work = [row[3] for row in sizes]
    assert len({b - a for a, b in zip(work, work[1:])}) == 1
