"""The IR: builder, printer, verifier, and the verification of every pass's output."""

import pytest
from scalar_functions import MULTI_OUTPUT_CASES, SCALAR_CASES

from s2sad.frontend.program import lower
from s2sad.ir.core import BOOL, FLOAT, INT, Block, Builder, NameTable, Op, new_function
from s2sad.passes.forward import forward
from s2sad.passes.reverse import reverse
from s2sad.passes.simplify import simplify
from s2sad.ir.printer import print_function
from s2sad.passes.pipeline import KINDS, derivative_functions
from s2sad.analysis.verifier import VerificationError, verify


def small_function():
    function = new_function("f", [("x", FLOAT), ("y", FLOAT)])
    b = Builder(function)
    x, y = function.params
    s = b.op("add", [x, y], [FLOAT], hints=["s"]).result
    t = b.op("mul", [s, b.const(2.0)], [FLOAT]).result
    b.ret([t])
    return function


def test_builder_names_values_uniquely():
    function = new_function("f", [("x", FLOAT)])
    b = Builder(function)
    names = [
        b.value("x", FLOAT).name,
        b.value("x", FLOAT).name,
        b.value("", FLOAT).name,
    ]
    assert names == ["x_1", "x_2", "t1"]


def test_reserved_names_are_not_used_as_versions():
    table = NameTable(reserved={"x", "x_1"})
    assert [table.fresh("x"), table.fresh("x"), table.fresh("x_1")] == [
        "x",
        "x_2",
        "x_1",
    ]


def test_printer_output_is_stable_and_readable():
    text = print_function(small_function())
    assert text == "func f(x, y):\n  s = add(x, y)\n  t2 = mul(s, 2.0)\n  return t2\n"
    assert print_function(small_function()) == text


def test_function_type():
    function = new_function("g", [("x", FLOAT), ("n", INT)])
    b = Builder(function)
    b.ret([b.op("lt", list(function.params), [BOOL]).result])
    assert str(function.type) == "(float, int) -> (bool)"
    assert print_function(function).startswith("func g(x, n: int):")


def test_verifier_accepts_well_formed_function():
    verify(small_function())


def test_verifier_rejects_use_before_definition():
    function = small_function()
    function.body.ops.reverse()
    with pytest.raises(
        VerificationError, match="used before definition|misplaced terminator"
    ):
        verify(function)


def test_verifier_rejects_double_definition():
    function = small_function()
    first = function.body.ops[0]
    function.body.ops.insert(1, Op("neg", [first.operands[0]], [first.result]))
    with pytest.raises(VerificationError, match="defined twice"):
        verify(function)


def test_verifier_rejects_missing_return():
    function = small_function()
    function.body.ops.pop()
    with pytest.raises(VerificationError, match="does not end with return"):
        verify(function)


def test_verifier_rejects_wrong_arity():
    function = small_function()
    function.body.ops[0].operands.pop()
    with pytest.raises(VerificationError, match="expected 2 operands"):
        verify(function)


def test_verifier_rejects_regions_on_primitives():
    function = small_function()
    function.body.ops[0].regions.append(Block(ops=[]))
    with pytest.raises(VerificationError, match="only if/for/while ops have regions"):
        verify(function)


def if_function(then_yields=1):
    function = new_function("f", [("x", FLOAT)])
    b = Builder(function)
    (x,) = function.params
    cond = b.op("gt", [x, b.const(0.0)], [BOOL]).result
    then_block, else_block = Block(), Block()
    Builder(function, then_block).op("yield", [x] * then_yields, [])
    neg = Builder(function, else_block).op("neg", [x], [FLOAT]).result
    Builder(function, else_block).op("yield", [neg], [])
    r = b.op("if", [cond], [FLOAT], regions=[then_block, else_block]).result
    b.ret([r])
    return function


def test_verifier_accepts_if_with_matching_yields():
    verify(if_function())
    assert "then():" in print_function(if_function())


def test_verifier_rejects_if_yielding_too_much():
    with pytest.raises(VerificationError, match="yields 2; expected 0 and 1"):
        verify(if_function(then_yields=2))


def test_verifier_checks_region_terminators():
    function = if_function()
    next(op for op in function.body.ops if op.name == "if").regions[0].ops.pop()
    with pytest.raises(VerificationError, match="does not end with yield"):
        verify(function)


PASS_CASES = [(f, kind) for f, _ in SCALAR_CASES for kind in KINDS] + [
    (f, kind) for f, _ in MULTI_OUTPUT_CASES for kind in ("jvp", "vjp")
]


@pytest.mark.parametrize(
    "f, kind", PASS_CASES, ids=[f"{f.__name__}-{k}" for f, k in PASS_CASES]
)
def test_every_pass_output_verifies(f, kind):
    primal = lower(f)
    verify(primal)
    wrt = list(range(len(primal.params)))
    for function in derivative_functions(primal, kind, wrt, single=False):
        verify(function)


@pytest.mark.parametrize("f", [f for f, _ in SCALAR_CASES], ids=lambda f: f.__name__)
def test_each_pass_verifies_before_and_after_simplification(f):
    primal = lower(f)
    wrt = list(range(len(primal.params)))
    tangent = forward(primal, wrt)
    verify(tangent)
    verify(simplify(tangent))
    adjoint = reverse(primal, wrt, seed="param", return_value=True).function
    verify(adjoint)
    verify(simplify(adjoint))
