"""IR as text: the parser reads back what the printer writes, and pass tests read
like FileCheck tests (input IR text -> pass -> expected IR text)."""

import textwrap

import pytest
from pass_verification import table_functions

from s2sad.frontend.program import lower
from s2sad.ir.parser import ParseError, parse_function_text, parse_functions
from s2sad.passes.simplify import simplify
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
        scalar = kind in ("grad", "value_and_grad")
        primal = lower(f, scalar_output=scalar, arrays=arrays)
        if scalar and len(primal.returned) != 1:
            continue
        wrt = list(range(len(primal.params)))
        functions = derivative_functions(primal, kind, wrt, single=False)
        for function in [primal, *primal.callees, *functions]:
            round_trips(function)


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


SIMPLIFY_CASES = {
    "identities": (
        """
        func f(x, y):
          t1 = mul(x, 1.0)
          t2 = add(t1, 0.0)
          t3 = mul(y, 0.0)
          t4 = add(t2, t3)
          return t4
        """,
        """
        func f(x, y):
          return x
        """,
    ),
    "dead code and duplicates": (
        """
        func f(x):
          dead = sin(x)
          t1 = cos(x)
          t2 = cos(x)
          t3 = add(t1, t2)
          return t3
        """,
        """
        func f(x):
          t1 = cos(x)
          t3 = mul(2.0, t1)
          return t3
        """,
    ),
    "constant folding": (
        """
        func f(x):
          t1 = add(2.0, 3.0)
          t2 = neg(t1)
          t3 = neg(t2)
          t4 = mul(x, t3)
          return t4
        """,
        """
        func f(x):
          t4 = mul(x, 5.0)
          return t4
        """,
    ),
    "dead code in a loop body": (
        """
        func f(x, n: int):
          s = for(0, n, 1, x):
            body(i: int, s_1):
              unused = exp(s_1)
              s_2 = mul(s_1, 1.0)
              yield s_2
          return s
        """,
        """
        func f(x, n: int):
          s = for(0, n, 1, x):
            body(i: int, s_1):
              yield s_1
          return s
        """,
    ),
    "effects are kept": (
        """
        func f(x: array):
          t1 = np.sum(x, None, False)
          print(t1)
          t2 = exp(t1)
          return x
        """,
        """
        func f(x: array):
          t1 = np.sum(x, None, False)
          print(t1)
          return x
        """,
    ),
}


@pytest.mark.parametrize("case", list(SIMPLIFY_CASES))
def test_simplify(case):
    source, expected = SIMPLIFY_CASES[case]
    function = parse_function_text(ir(source))
    verify(function)
    result = simplify(function)
    verify(result)
    assert print_function(result) == ir(expected)
