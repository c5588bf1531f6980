"""Every rule of the table at the edges of its primitive's domain: derivatives never raise.

Where the function itself is defined — ``sqrt`` and ``abs`` at 0, ``max`` at a
tie, ``x ** y`` at a negative ``x``, ``det`` of a singular matrix — the generated
tangent and adjoint code must run too.  A derivative that does not exist there
comes out as IEEE arithmetic makes it (``inf`` or ``nan``), never as an
exception the original function does not raise.

* scalar primitives: each one alone, at every combination of a few boundary
  numbers at which the primitive itself runs, in both modes;
* NumPy primitives: every case of ``test_array_rules`` (which together reach
  every NumPy primitive of the table) with its arguments replaced by zeros,
  ones (ties, singular matrices, the ends of ``arcsin``'s domain) and minus
  ones, wherever the function runs at those values.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from test_array_rules import CASES, TESTS
from test_rules import DIFFERENTIABLE, compiled, single_op_function

import s2sad
from s2sad.rules.registry import PRIMITIVES

NUMBERS = (0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.0, 3.0)
"""Candidate values of each scalar argument: zeros, ends of domains, integers, a negative base."""


def scalar_points(name):
    """Every combination of ``NUMBERS`` (``True``/``False`` for conditions) at which the
    primitive runs and gives a real number."""
    entry = PRIMITIVES[name]
    choices = [(True, False) if a in entry.nondiff else NUMBERS for a in entry.args]
    for point in itertools.product(*choices):
        try:
            value = entry.python(*point)
        except (ArithmeticError, ValueError):
            continue
        if isinstance(value, (int, float)):
            yield point, value


def same(a, b):
    """Equal, NaNs included."""
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_scalar_rules_run_at_boundary_points(name):
    entry = PRIMITIVES[name]
    diff = [i for i, a in enumerate(entry.args) if a not in entry.nondiff]
    (gradient,) = compiled(single_op_function(name), "grad", diff)
    (jvp,) = compiled(single_op_function(name), "jvp", list(range(len(entry.args))))
    points = list(scalar_points(name))
    assert points, f"{name} runs at none of {NUMBERS}"
    for point, value in points:
        for scale in (1.0, 0.0):
            tangent = [0.0 if i not in diff else scale for i in range(len(point))]
            out, out_dot = jvp(*point, *tangent)
            assert same(out, value), (name, point)
            assert isinstance(out_dot, (int, float)), (name, point, out_dot)
        adjoints = gradient(*point)
        assert len(adjoints) == len(diff)


def boundary_variants(c):
    """``c``'s float arguments replaced by zeros, ones and minus ones, where ``c.fn`` runs."""
    for fill in (0.0, 1.0, -1.0):
        args = tuple(
            (
                fill
                if isinstance(a, float)
                else np.full_like(a, fill) if np.issubdtype(a.dtype, np.floating) else a
            )
            for a in c.args
        )
        try:
            out = c.fn(*args)
        except (ArithmeticError, ValueError, np.linalg.LinAlgError):
            continue
        yield fill, args, out


def zero_like(value):
    """A zero tangent of ``value``'s shape (a float for a number)."""
    return 0.0 if isinstance(value, float) else np.zeros_like(value)


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory):
    """One directory for the whole module; each case writes under its own folder."""
    return tmp_path_factory.mktemp("rule_boundaries")


@pytest.mark.parametrize(
    "c",
    [c for c in CASES if set(c.xfail) != set(TESTS)],
    ids=lambda c: c.id,
)
def test_numpy_rules_run_at_boundary_points(c, output_dir):
    directory = output_dir / c.id
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for fill, args, expected in boundary_variants(c):
            out, out_dot = s2sad.jvp(c.fn, args, c.tangents, output_dir=directory)
            assert same(out, expected), (c.id, fill)
            assert np.shape(out_dot) == np.shape(expected)
            zeros = tuple(zero_like(t) for t in c.tangents)
            _, zero_dot = s2sad.jvp(c.fn, args, zeros, output_dir=directory)
            assert np.shape(zero_dot) == np.shape(expected)
            out, vjp_fn = s2sad.vjp(c.fn, *args, output_dir=directory)
            adjoints = vjp_fn(np.ones_like(out) if np.ndim(out) else 1.0)
            adjoints = adjoints if isinstance(adjoints, tuple) else (adjoints,)
            assert [np.shape(a) for a in adjoints] == [np.shape(a) for a in args]


def test_boundary_values_follow_ieee():
    """The derivatives themselves at the classic points: inf where the slope is
    vertical, nan for 0/0, and finite values where the function is smooth."""

    def root(x: float):
        return math.sqrt(x)

    def radius(x: float, y: float):
        return math.hypot(x, y)

    def angle(y: float, x: float):
        return math.atan2(y, x)

    def half_power(x: float):
        return x**0.5

    assert s2sad.grad(root)(0.0) == math.inf
    assert s2sad.jvp(root, (0.0,), (1.0,)) == (0.0, math.inf)
    assert s2sad.jvp(root, (0.0,), (-1.0,)) == (0.0, -math.inf)
    assert all(math.isnan(g) for g in s2sad.grad(radius, wrt=(0, 1))(0.0, 0.0))
    assert all(math.isnan(g) for g in s2sad.grad(angle, wrt=(0, 1))(0.0, 0.0))
    assert s2sad.grad(half_power)(0.0) == math.inf
    assert s2sad.grad(radius, wrt=(0, 1))(3.0, 4.0) == pytest.approx((0.6, 0.8))
