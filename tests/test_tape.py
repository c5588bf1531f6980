"""What the reverse sweep stores: only values it cannot get otherwise, in records that fit on a line."""

import ast

import pytest
from control_functions import CONTROL_CASES
from branches import tax
from loops import bouncing_ball, oscillator_energy, relax
from numerics import assert_close, central_gradient, float_indices

import s2sad
from s2sad.api import derive


def pushed(source):
    """The argument lists of every ``tape.append(...)`` call in ``source``."""
    calls = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "append"
    ]
    return [
        c.args[0].elts if isinstance(c.args[0], ast.Tuple) else [c.args[0]]
        for c in calls
    ]


@pytest.mark.parametrize(
    "f, point", CONTROL_CASES, ids=[f.__name__ for f, _ in CONTROL_CASES]
)
def test_records_hold_no_constants_and_no_repeats(f, point, tmp_path):
    wrt = float_indices(point)
    source = derive(f, "grad", wrt, tmp_path).source
    for record in pushed(source):
        assert not any(isinstance(v, ast.Constant) for v in record), source
        names = [ast.unparse(v) for v in record]
        assert len(names) == len(set(names)), source


def test_loop_invariants_are_recomputed_not_stored(tmp_path):
    """``-k`` inside the loop reads only ``k``: the backward pass recomputes it."""
    source = derive(oscillator_energy, "grad", (0, 1), tmp_path).source
    records = [[ast.unparse(v) for v in record] for record in pushed(source)]
    assert records == [["v_mid", "x_mid", "v", "x"]]


def test_one_operation_on_constants_and_parameters_is_recomputed(tmp_path):
    """``1.0 - a`` inside the loop: recomputed in the backward loop, not stored."""
    source = derive(relax, "grad", (0, 1), tmp_path).source
    records = [[ast.unparse(v) for v in record] for record in pushed(source)]
    assert records == [["x", "t1"]]
    assert "x_bar * (1.0 - a)" in source


def test_a_tape_that_ends_up_empty_is_not_created(tmp_path):
    """The inner condition of ``tax`` reads only ``income``: recomputed, so no tape."""
    source = derive(tax, "grad", "income", tmp_path).source
    assert "tape" not in source


def test_long_records_are_split_in_matching_pushes_and_pops(tmp_path):
    source = derive(bouncing_ball, "grad", (0, 1, 2, 3), tmp_path).source
    lines = source.splitlines()
    assert all(len(line) <= 88 for line in lines if "tape." in line)
    appends = sum(line.count("tape.append(") for line in lines)
    pops = sum(line.count("tape.pop()") for line in lines)
    assert appends == pops > 4
    point = (22.0, 0.8, 0.01, 0.7)
    gradient = s2sad.grad(bouncing_ball, wrt=(0, 1, 2, 3), output_dir=tmp_path)(*point)
    assert_close(gradient, central_gradient(bouncing_ball, point, 1e-7), 1e-4, 1e-4)
