"""A small grammar of random scalar programs, as hypothesis strategies.

Every program has the shape::

    import math


    def f(x, y):
        v0 = x
        v1 = y
        v2 = x * y
        v3 = x - y
        <1 to 6 statements>
        return <expr>

Statements are assignments (``v = e``, ``v += e``, ``v -= e``) to ``v0..v3``,
``if e < e:`` with an optional ``else``, and ``for i in range(k):`` with ``k``
in 0..3, nested at most two deep; a loop body may read its loop variable
(``i``, or ``j`` in an inner loop).  Expressions are built from the variables
in scope, small float literals, ``+ - *``, division by ``1.5 + e * e`` and
calls that are smooth and defined on all reals: ``math.sin``, ``math.cos``,
``math.tanh``, ``math.atan``, ``math.exp(math.tanh(e))`` and
``math.sqrt(1.0 + e * e)``.  So every program is valid Python, every name is
defined before it is read, and nothing can divide by zero or leave a
function's domain; only repeated products can make values large, which the
tests screen for.

A program is a small tree; :meth:`Program.source` renders it, and
:meth:`Program.traced_source` renders an instrumented twin ``f_traced(x, y,
margins, values)`` that records the margin ``left - right`` of every ``if``
test it evaluates and every value it assigns, so a test can keep away from
branch switches and overflow.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

VARIABLES = ("v0", "v1", "v2", "v3")
PREAMBLE = (("v0", "x"), ("v1", "y"), ("v2", "x * y"), ("v3", "x - y"))
LITERALS = ("0.5", "1.0", "2.0", "0.3", "1.5", "(-0.7)", "(-1.25)")
COMPARISONS = ("<", ">", "<=", ">=")
LOOP_VARIABLES = ("i", "j")
MAX_EXPRESSION_DEPTH = 3
MAX_NESTING = 2


@dataclass(frozen=True)
class Assign:
    target: str
    op: str  # "=", "+=" or "-="
    value: str


@dataclass(frozen=True)
class If:
    left: str
    comparison: str
    right: str
    body: tuple
    orelse: tuple  # empty: no else


@dataclass(frozen=True)
class For:
    variable: str
    count: int
    body: tuple


@dataclass(frozen=True)
class Program:
    body: tuple
    result: str

    def source(self, name: str = "f") -> str:
        """The program as a module defining ``name(x, y)``."""
        return self._render(f"def {name}(x, y):", traced=False)

    def traced_source(self, name: str = "f_traced") -> str:
        """The instrumented twin ``name(x, y, margins, values)``."""
        return self._render(f"def {name}(x, y, margins, values):", traced=True)

    def _render(self, signature: str, traced: bool) -> str:
        lines = ["import math", "", "", signature]
        for target, value in PREAMBLE:
            lines.append(f"    {target} = {value}")
        for statement in self.body:
            _render_statement(statement, 1, traced, lines)
        if traced:
            lines.append(f"    values.append({self.result})")
        lines.append(f"    return {self.result}")
        return "\n".join(lines) + "\n"


def _render_statement(statement, level: int, traced: bool, lines: list) -> None:
    pad = "    " * level
    if isinstance(statement, Assign):
        lines.append(f"{pad}{statement.target} {statement.op} {statement.value}")
        if traced:
            lines.append(f"{pad}values.append({statement.target})")
    elif isinstance(statement, If):
        if traced:
            lines.append(
                f"{pad}margins.append(({statement.left}) - ({statement.right}))"
            )
        lines.append(
            f"{pad}if {statement.left} {statement.comparison} {statement.right}:"
        )
        for inner in statement.body:
            _render_statement(inner, level + 1, traced, lines)
        if statement.orelse:
            lines.append(f"{pad}else:")
            for inner in statement.orelse:
                _render_statement(inner, level + 1, traced, lines)
    else:
        lines.append(f"{pad}for {statement.variable} in range({statement.count}):")
        for inner in statement.body:
            _render_statement(inner, level + 1, traced, lines)


@st.composite
def expressions(draw, names: tuple, depth: int = MAX_EXPRESSION_DEPTH) -> str:
    """An expression over ``names`` (fully parenthesised, so precedence is moot)."""
    leaf = st.one_of(st.sampled_from(names), st.sampled_from(LITERALS))
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(leaf)
    sub = expressions(names, depth - 1)
    kind = draw(
        st.sampled_from(
            ("+", "-", "*", "/", "neg", "sin", "cos", "tanh", "atan", "exp", "sqrt")
        )
    )
    a = draw(sub)
    if kind in ("+", "-", "*"):
        return f"({a} {kind} {draw(sub)})"
    if kind == "/":
        b = draw(sub)
        return f"({a} / (1.5 + {b} * {b}))"
    if kind == "neg":
        return f"(-{a})"
    if kind == "exp":
        return f"math.exp(math.tanh({a}))"
    if kind == "sqrt":
        return f"math.sqrt(1.0 + {a} * {a})"
    return f"math.{kind}({a})"


@st.composite
def statements(draw, loop_variables: tuple = (), nesting: int = 0):
    """One statement; ``if`` and ``for`` only while ``nesting < MAX_NESTING``."""
    names = ("x", "y") + VARIABLES + loop_variables
    kinds = ["assign", "assign", "assign"]
    if nesting < MAX_NESTING:
        kinds += ["if", "for"]
    kind = draw(st.sampled_from(kinds))
    if kind == "assign":
        op = draw(st.sampled_from(("=", "=", "=", "+=", "-=")))
        return Assign(draw(st.sampled_from(VARIABLES)), op, draw(expressions(names)))
    if kind == "if":
        test = expressions(names, depth=2)
        block = st.lists(
            statements(loop_variables, nesting + 1), min_size=1, max_size=2
        )
        orelse = draw(st.one_of(st.just([]), block))
        return If(
            draw(test),
            draw(st.sampled_from(COMPARISONS)),
            draw(test),
            tuple(draw(block)),
            tuple(orelse),
        )
    variable = LOOP_VARIABLES[len(loop_variables)]
    inner = loop_variables + (variable,)
    # The first statement of a loop body always reads the loop variable.
    uses_variable = Assign(
        draw(st.sampled_from(VARIABLES)),
        draw(st.sampled_from(("=", "+=", "-="))),
        f"({draw(expressions(names + inner, depth=2))}"
        f" {draw(st.sampled_from(('+', '-', '*')))} {variable})",
    )
    rest = draw(st.lists(statements(inner, nesting + 1), max_size=1))
    return For(variable, draw(st.integers(0, 3)), (uses_variable, *rest))


@st.composite
def programs(draw) -> Program:
    """A random program ``f(x, y)``: 1 to 6 statements, then a return."""
    body = draw(st.lists(statements(), min_size=1, max_size=6))
    result = draw(expressions(("x", "y") + VARIABLES))
    return Program(tuple(body), result)
