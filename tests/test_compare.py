"""IR -> SymPy interpretation, and the comparison with SymPy and finite differences:
for every function of the scalar, control-flow, helper and array tables a report
whose s2sad gradients (reverse and forward mode) match the reference (SymPy
along the path taken, or, without it, each other) and finite differences."""

import inspect
import math

import numpy as np
import pytest
import sympy
import array_functions
import control_functions
import helper_functions
import scalar_functions

import s2sad
from s2sad.compare import compare, count_ops, finite_difference, sympy_gradient
from s2sad.errors import S2SADError
from s2sad.frontend.program import lower
from s2sad.ir.core import Block, Builder, new_function
from s2sad.symbolic import to_sympy

from autodiff_intro import L
from user_rules import uses_softplus


def damped_wave(x, t):
    return math.exp(-0.5 * t) * math.sin(3 * x - t) / (1.0 + x * x)


def mixed(a, b, c):
    return a**3 - 2 * a * b + math.tanh(c) * math.hypot(a, b) + math.atan2(b, c)


def logs_and_kinks(x, y):
    s = math.log(x, 2.0) + math.log10(x * y) + math.sqrt(x) / y
    return s + abs(x - y) + math.expm1(-y) + max(x, y)


def exact_polynomial(x):
    return x**3 / 4 + 2 * x


def pair(x, y):
    return x * y, x - y


CASES = [
    (L, (2.0, 3.0)),
    (damped_wave, (0.7, 1.3)),
    (mixed, (1.5, -0.5, 0.8)),
    (logs_and_kinks, (1.7, 2.9)),
    (exact_polynomial, (1.25,)),
]
CASE_IDS = [f.__name__ for f, _ in CASES]


def evaluate(expr, symbols, point):
    """``expr`` at ``point``, evaluated exactly and rounded to a float."""
    return float(expr.evalf(30, subs=dict(zip(symbols, point))))


# ---------------------------------------------------------------- IR -> SymPy


@pytest.mark.parametrize("f, point", CASES, ids=CASE_IDS)
def test_symbolic_value_matches_the_function(f, point):
    symbols, (expr,) = to_sympy(lower(f))
    assert [s.name for s in symbols] == list(inspect.signature(f).parameters)
    assert evaluate(expr, symbols, point) == pytest.approx(f(*point), rel=1e-13)


def test_integer_constants_stay_exact_and_floats_stay_floats():
    (x,), (poly,) = to_sympy(lower(exact_polynomial))
    assert poly == sympy.Rational(1, 4) * x**3 + 2 * x
    symbols, (wave,) = to_sympy(lower(damped_wave))
    assert wave.atoms(sympy.Float) == {sympy.Float(-0.5), sympy.Float(1.0)}
    assert all(s.is_real for s in symbols)


def test_one_expression_per_returned_value():
    (x, y), exprs = to_sympy(lower(pair))
    assert exprs == [x * y, x - y]


def test_primitive_without_sympy_mapping_is_an_error():
    first_line = inspect.getsourcelines(uses_softplus)[1]
    with pytest.raises(S2SADError, match="softplus.*no SymPy counterpart") as info:
        to_sympy(lower(uses_softplus))
    assert info.value.line == first_line + 1
    assert info.value.file == inspect.getsourcefile(uses_softplus)


def function_with_regions():
    """``branchy(x) = sin(x) if x > 0 else cos(x)`` built as IR with an ``if`` op."""
    function = new_function("branchy", [("x", "float")])
    builder = Builder(function)
    (x,) = function.params
    then, orelse = Block(), Block()
    for region, name in ((then, "sin"), (orelse, "cos")):
        inner = Builder(function, region)
        inner.op("yield", [inner.op(name, [x], ["float"]).result], [])
    positive = builder.op("gt", [x, builder.const(0.0)], ["bool"]).result
    branch = builder.op("if", [positive], ["float"], regions=[then, orelse])
    builder.ret([branch.result])
    return function


def test_regions_are_an_error():
    with pytest.raises(S2SADError, match="`if`.*regions"):
        to_sympy(function_with_regions())


def test_count_ops_descends_into_regions_and_skips_constants_and_terminators():
    assert count_ops(function_with_regions()) == 4
    assert count_ops(lower(L)) == 4


# ---------------------------------------------------------------- SymPy vs s2sad


@pytest.mark.parametrize("f, point", CASES, ids=CASE_IDS)
def test_symbolic_gradient_matches_s2sad(f, point, tmp_path):
    symbols, partials = sympy_gradient(lower(f))
    wrt = tuple(range(len(point)))
    computed = s2sad.grad(f, wrt=wrt, output_dir=tmp_path)(*point)
    expected = [evaluate(p, symbols, point) for p in partials]
    assert computed == pytest.approx(expected, rel=1e-10, abs=1e-14)


def test_symbolic_gradient_of_the_lecture_example():
    w1, w2 = 2.0, 3.0
    v2 = w2 * math.log(w1)
    v2_bar = 1.0 + 0.5 / math.sqrt(v2)
    symbols, partials = sympy_gradient(lower(L))
    computed = [evaluate(p, symbols, (w1, w2)) for p in partials]
    assert computed == pytest.approx([v2_bar * w2 / w1, v2_bar * math.log(w1)])


def test_finite_difference_methods():
    def f(x, y):
        return x**3 * y

    point, exact, h = (2.0, 5.0), (60.0, 8.0), 1e-3
    central = finite_difference(f, point, h, "central")
    forward = finite_difference(f, point, h, "forward")
    assert central == pytest.approx(exact, abs=1e-4)
    assert forward[0] - exact[0] == pytest.approx(3 * 2.0 * 5.0 * h, rel=1e-2)
    assert forward[1] == pytest.approx(exact[1], rel=1e-10)
    with pytest.raises(S2SADError, match="backward"):
        finite_difference(f, point, 1e-3, "backward")


# ---------------------------------------------------------------- the report


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    output = tmp_path_factory.mktemp("compare")
    return compare(L, (2.0, 3.0), output_dir=output, timing_budget=0.01)


def by_step(report, method):
    return {e.step: e for e in report.finite_differences if e.method == method}


def test_report_s2sad_is_exact(report):
    assert report.function == "L"
    assert report.params == ("w1", "w2")
    assert report.point == (2.0, 3.0)
    assert report.s2sad.abs_error < 1e-12
    assert report.s2sad.rel_error < 1e-12
    assert report.lambdified.abs_error < 1e-12
    assert report.s2sad.gradient == pytest.approx(report.sympy_gradient, rel=1e-12)


def test_report_central_differences_trade_truncation_for_round_off(report):
    central = by_step(report, "central")
    best = report.best("central")
    assert best.abs_error < 1e-6
    assert 1e-7 <= best.step <= 1e-3
    assert central[1e-12].abs_error > 1e3 * best.abs_error
    assert central[1e-1].abs_error > 1e3 * best.abs_error


def test_report_forward_is_first_order_and_central_second_order(report):
    forward, central = by_step(report, "forward"), by_step(report, "central")
    assert forward[1e-3].abs_error > 100 * central[1e-3].abs_error
    assert forward[1e-2].abs_error / forward[1e-3].abs_error == pytest.approx(
        10, rel=0.2
    )
    assert central[1e-2].abs_error / central[1e-3].abs_error == pytest.approx(
        100, rel=0.2
    )
    assert len(report.finite_differences) == 24


def test_report_timings_and_sizes(report):
    timings = report.timings
    seconds = [timings.function, timings.s2sad, timings.sympy, timings.central_fd]
    assert all(0 < t < 1e-3 for t in seconds)
    assert timings.s2sad < timings.central_fd
    sizes = report.sizes
    assert sizes.function_ops == 4
    assert sizes.function_ops < sizes.s2sad_ops <= 3 * sizes.function_ops
    assert sizes.s2sad_ops < sizes.sympy_cse_ops <= sizes.sympy_ops


def test_report_format(report):
    text = report.format()
    assert str(report) == text
    for heading in (
        "Derivative values and errors",
        "Finite differences by step",
        "Time per call",
        "Expression size (operations)",
    ):
        assert f"\n{heading}\n" in text
    assert "dL/dw1" in text and "dL/dw2" in text
    assert repr(report.s2sad.gradient[0]) in text
    step_rows = [line for line in text.splitlines() if line.startswith("1e-")]
    assert len(step_rows) == 12
    assert all(len(row.split()) == 5 for row in step_rows)


def test_compare_checks_the_point(tmp_path):
    with pytest.raises(S2SADError, match="2 argument"):
        compare(L, (2.0,), output_dir=tmp_path)
    with pytest.raises(S2SADError, match="none was given") as info:
        compare(L, (2, 3), output_dir=tmp_path)
    assert "2.0, not 2" in info.value.hint


def test_floor_division_has_no_symbolic_reference(tmp_path):
    from scalar_functions import integer_arithmetic

    report = compare(integer_arithmetic, (1.7,), output_dir=tmp_path)
    assert report.sympy_gradient is None and report.lambdified is None
    assert "no SymPy reference" in report.references
    assert report.forward_mode.abs_error < 1e-12
    assert "sympy" not in report.format().split("Time per call")[1]


def test_comparison_used_as_a_number_has_no_symbolic_form():
    from edge_functions import comparison_as_number

    with pytest.raises(S2SADError, match="`mul` of these operands has no SymPy form"):
        to_sympy(lower(comparison_as_number))


def test_functions_of_arrays_are_compared_with_finite_differences(tmp_path):
    from array_functions import rosenbrock

    x = np.linspace(-0.5, 1.2, 20)
    report = compare(rosenbrock, (x,), output_dir=tmp_path, timing_budget=0.001)
    assert report.params == ("x",) and len(report.entries) == 20
    assert report.entries[3] == "drosenbrock/dx[3]"
    assert "the function takes arrays" in report.references
    assert report.forward_mode.rel_error < 1e-14
    assert report.best("central").rel_error < 1e-7
    text = report.format()
    assert "... 8 more entries" in text and "array(20,)" in text


def test_a_long_loop_shows_expression_swell(tmp_path):
    from control_functions import euler_ode

    report = compare(euler_ode, (0.5, 0.3), output_dir=tmp_path, timing_budget=0.001)
    assert "expression swell" in report.references
    assert report.best("central").rel_error < 1e-7


def test_branches_loops_and_helpers_have_a_symbolic_reference(tmp_path):
    from control_functions import loop_with_branch, while_with_break
    from helper_functions import loop_calling_helper

    for f, point in (
        (loop_with_branch, (0.3, 6)),
        (while_with_break, (0.4,)),
        (loop_calling_helper, (0.3, 5)),
    ):
        report = compare(f, point, output_dir=tmp_path, timing_budget=0.001)
        assert report.sympy_gradient is not None, report.references
        assert report.s2sad.rel_error < 1e-13


TABLES = {
    "scalar": scalar_functions.SCALAR_CASES,
    "control": control_functions.CONTROL_CASES,
    "helper": [c for c in helper_functions.HELPER_CASES if c[0].__name__ != "polar"],
    "array": array_functions.ARRAY_CASES,
}


@pytest.mark.parametrize(
    "f, point",
    [
        pytest.param(f, point, id=f"{table}-{f.__name__}-{k}")
        for table, cases in TABLES.items()
        for k, (f, point) in enumerate(cases)
    ],
)
def test_every_function_of_the_tables_gets_a_report(f, point, tmp_path_factory):
    output = tmp_path_factory.getbasetemp() / "compare_tables"
    report = compare(f, point, output_dir=output, timing_budget=0.0005)
    assert report.s2sad.rel_error < 1e-9 and report.forward_mode.rel_error < 1e-9
    assert report.best("central").rel_error < 1e-4
    assert report.format().startswith(f"Derivatives of {report.function}")
