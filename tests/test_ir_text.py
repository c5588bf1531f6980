"""IR as text: the parser reads back what the printer writes (the pass tests of
test_ir_cases.py are written in it)."""

import textwrap

import pytest
from pass_verification import table_functions

from s2sad.frontend.program import lower
from s2sad.ir.parser import ParseError, parse_function_text, parse_functions
from s2sad.passes.forward import forward
from s2sad.passes.reverse import reverse
from s2sad.ir.printer import print_function
from s2sad.passes.pipeline import KINDS, derivative_functions
from s2sad.analysis.verifier import verify

FUNCTIONS = table_functions()


def ir(text: str) -> str:
    """IR text written indented in a test, as the printer writes it."""
    return textwrap.dedent(text).lstrip("\n")


def round_trips(function) -> None:
    text = print_function(function)
    parsed = parse_function_text(text)
    verify(parsed)
    assert print_function(parsed) == text


@pytest.mark.parametrize("f, arrays", FUNCTIONS, ids=[f.__name__ for f, _ in FUNCTIONS])
def test_printed_ir_of_every_table_function_and_derivative_parses_back(f, arrays):
    for kind in KINDS:
        scalar = KINDS[kind].scalar_output
        primal = lower(f, scalar_output=scalar, arrays=arrays)
        if scalar and len(primal.returned) != 1:
            continue
        wrt = list(range(len(primal.params)))
        functions = derivative_functions(primal, kind, wrt, single=False)
        for function in [primal, *primal.callees, *functions]:
            round_trips(function)


@pytest.mark.parametrize("f, arrays", FUNCTIONS, ids=[f.__name__ for f, _ in FUNCTIONS])
def test_unsimplified_forward_and_reverse_ir_parses_back(f, arrays):
    primal = lower(f, arrays=arrays)
    wrt = list(range(len(primal.params)))
    round_trips(forward(primal, wrt))
    round_trips(reverse(primal, wrt).function)


def test_an_attribute_naming_a_value_parses_back_as_that_value():
    text = ir("""
            func f_jvp(x: array, b: array, x_dot: array, b_dot: array):
              t1: array = add(x, b)
              t2: array = add(x_dot, b_dot) {tangent_of=t1}
              return t1, t2 {hints=('', ''), layout=(None, None)}
            """)
    function = parse_function_text(text)
    total, tangent = function.body.ops[:2]
    assert tangent.attrs["tangent_of"] is total.result
    assert print_function(function) == text


def test_parsed_values_keep_types_hints_constants_and_attributes():
    function = parse_function_text(ir("""
            func f(x: array, n: int=3):
              t1 = getitem(x, [1:n, None, ...])
              s_2: array = np.sum(t1, 0, False)
              return s_2 {hints=('s',), layout=(None,)}
            """))
    x, n = function.params
    assert (x.type, n.type, function.defaults) == ("array", "int", (3,))
    getitem, total, ret = [op for op in function.body.ops if op.name != "const"][-3:]
    assert getitem.name == "getitem" and getitem.operands[0] is x
    assert total.result.hint == "s" and total.operands[1].constant == 0
    assert ret.attrs == {"hints": ("s",), "layout": (None,)}
    assert getitem.result.is_temporary


def test_a_program_parses_with_its_callees():
    main, helper = parse_functions(ir("""
            func f(x):
              t1 = call(x) {callee='g'}
              return t1
            func g(y):
              t1 = sin(y)
              return t1
            """))
    assert [c.name for c in main.callees] == ["g"]
    assert helper.callees == [main]


@pytest.mark.parametrize(
    "text, message",
    [
        ("func f(x):\n  t1 = sin(z)\n  return t1\n", "z is not defined"),
        ("f(x):\n  return x\n", "expected 'func"),
        ("func f(x):\n  t1 = sin(x\n  return t1\n", "unexpected end"),
    ],
)
def test_malformed_text_is_refused(text, message):
    with pytest.raises(ParseError, match=message):
        parse_function_text(text)
