"""Property-based tests: s2sad on random small programs (see program_grammar.py).

Each example draws a program ``f(x, y)`` with assignments, ``if``/``else`` and
short ``for`` loops, writes it to a real ``.py`` file (s2sad reads source with
``inspect``), imports it under a fresh module name and checks, at a random
point away from every branch switch:

1. ``s2sad.grad(f, wrt=(0, 1))`` against central finite differences;
2. the dot-product identity ``<J t, c> == <t, J^T c>`` between ``s2sad.jvp``
   and ``s2sad.vjp``;
3. the primal values of ``value_and_grad``, ``jvp`` and ``vjp`` equal
   ``f(x, y)`` bit for bit, and ``value_and_grad``'s gradient equals ``grad``'s.

Points are screened with an instrumented twin of the program that records the
margin of every ``if`` test and every value assigned: examples within 1e-3 of
a branch switch, or with values beyond 1e3, are rejected, as are the (rare)
ones whose finite differences at two steps disagree.
"""

import importlib.util
import itertools
import math
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from numerics import assert_close, central_gradient
from program_grammar import programs

import s2sad

MARGIN = 1e-3  # |left - right| of every if test evaluated at the point
MAX_VALUE = 1e3  # |every value assigned|
FD_STEP = 1e-6
MODULE_NUMBER = itertools.count()

coordinates = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
unit = st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def program_dir(tmp_path_factory):
    """Where the random programs and their derivatives are written."""
    return tmp_path_factory.mktemp("random_programs")


def load_program(program, directory):
    """``f`` from the program written to its own file, imported as a fresh module."""
    name = f"random_program_{next(MODULE_NUMBER)}"
    path = directory / f"{name}.py"
    path.write_text(program.source(), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.f


def trace(program, x, y):
    """The margins of the if tests and the values assigned when ``f(x, y)`` runs."""
    namespace = {}
    exec(compile(program.traced_source(), "<traced program>", "exec"), namespace)
    margins, values = [], []
    namespace["f_traced"](x, y, margins, values)
    return margins, values


def assume_tame(program, f, x, y):
    """Reject points near a branch switch, with large values, or with a kink."""
    margins, values = trace(program, x, y)
    assume(all(abs(m) >= MARGIN for m in margins))
    assume(all(math.isfinite(v) and abs(v) <= MAX_VALUE for v in values))
    fine = central_gradient(f, (x, y), step=FD_STEP)
    coarse = central_gradient(f, (x, y), step=10 * FD_STEP)
    assume(np.allclose(fine, coarse, rtol=1e-4, atol=1e-5))
    return fine, max([1.0] + [abs(v) for v in values])


def test_the_grammar_makes_valid_programs():
    """Cheap sanity check of the generator alone: programs compile and run."""

    @settings(max_examples=200, deadline=None)
    @given(programs(), coordinates, coordinates)
    def check(program, x, y):
        namespace = {}
        exec(compile(program.source(), "<program>", "exec"), namespace)
        margins, values = trace(program, x, y)
        assert namespace["f"](x, y) == values[-1] or math.isnan(values[-1])

    check()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    program=programs(), x=coordinates, y=coordinates, t=st.tuples(unit, unit), c=unit
)
def test_random_program_derivatives(program_dir, program, x, y, t, c):
    note(f"program:\n{program.source()}")
    note(f"point: x={x!r}, y={y!r}; tangent t={t!r}; cotangent c={c!r}")
    f = load_program(program, program_dir)
    expected, scale = assume_tame(program, f, x, y)
    primal = f(x, y)

    # (1) reverse-mode gradient against central finite differences
    grad_f = s2sad.grad(f, wrt=(0, 1), output_dir=program_dir)
    note(f"generated gradient:\n{grad_f.source}")
    gradient = grad_f(x, y)
    note(f"s2sad gradient {gradient!r}, finite differences {tuple(expected)!r}")
    assert_close(gradient, expected, rtol=1e-5, atol=1e-6 * scale)

    # (3) value_and_grad: the primal bit for bit, the gradient that of grad
    value, gradient_again = s2sad.value_and_grad(f, wrt=(0, 1), output_dir=program_dir)(
        x, y
    )
    assert value == primal
    assert_close(gradient_again, gradient, rtol=1e-13, atol=1e-13 * scale)

    # (2) dot-product identity between forward and reverse mode
    out, out_dot = s2sad.jvp(f, (x, y), t, output_dir=program_dir)
    out_again, vjp_fn = s2sad.vjp(f, x, y, output_dir=program_dir)
    assert out == primal
    assert out_again == primal
    x_bar, y_bar = vjp_fn(c)
    note(f"jvp: out_dot={out_dot!r}; vjp: x_bar={x_bar!r}, y_bar={y_bar!r}")
    assert out_dot * c == pytest.approx(
        t[0] * x_bar + t[1] * y_bar, rel=1e-9, abs=1e-11 * scale
    )
