"""A grammar of random programs, for the property tests and the fuzzer.

A program is a small tree (the dataclasses below) that renders to a module
defining ``f(x, y)`` and, optionally, helper functions ``h0``, ``h1`` that
``f`` calls.  Two languages share the control flow:

- the *scalar* language: ``x`` and ``y`` are floats, the variables ``v0..v3``
  are set in a preamble, expressions use ``+ - *``, division by ``1.5 + e * e``
  and ``math`` functions smooth on all reals;
- the *array* language (:mod:`array_grammar`): ``x`` is a float array of
  shape ``(3,)``, ``y`` a float, with array variables, in-place writes,
  aliases, tuples of arrays and lists as containers.

The control flow is chosen by *families*, each of which can be switched off
(see :data:`FAMILIES`): with none of them the grammar has assignments,
``if``/``else`` and ``for i in range(k)`` loops, not nested; with
``nested_loops`` alone it is the original grammar, whose inner loop is always
the last statement of the body.

Every program is valid Python that stops: names are defined before they are
read, nothing divides by zero or leaves a function's domain, ``while`` loops
count their iterations (``k = 0; while k < 3 and <test>: k += 1; ...``).
Values may grow large and ``if`` tests may sit near a switch; the instrumented
twin (:meth:`Program.traced_source`) records the margin ``left - right`` of
every test it evaluates and every value it assigns, so a checker can keep
away from branch switches and overflow.

Generation draws from a :class:`Choices` object, so the same grammar serves
hypothesis (:func:`programs`, which shrinks) and plain seeded random numbers
(:func:`random_program`, for ``tests/fuzz.py``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from hypothesis import strategies as st

FAMILIES = (
    "nested_loops",  # loops inside loops
    "after_inner_loop",  # statements after an inner loop, in a loop body
    "while",  # bounded while loops
    "jumps",  # break and continue at every depth
    "early_return",  # return inside loops and ifs (helpers too)
    "helpers",  # module-level helper functions that f calls
    "tuple_loop",  # for w in (a, b, c)
    "ternary",  # a if c else b
)
LITERALS = ("0.5", "1.0", "2.0", "0.3", "1.5", "(-0.7)", "(-1.25)")
COMPARISONS = ("<", ">", "<=", ">=")
MAX_EXPRESSION_DEPTH = 3
MAX_NESTING = 2


# ------------------------------------------------------------------ the tree


@dataclass(frozen=True)
class Node:
    """An expression ``template.format(*args)``; args are expressions or strings."""

    template: str
    args: tuple


@dataclass(frozen=True)
class Test:
    """A comparison ``left op right`` of two scalar expressions."""

    left: object
    op: str
    right: object


@dataclass(frozen=True)
class Assign:
    target: str  # a name, ``a0[1]``, ``a1, a0``, ...
    op: str  # "=", "+=", "-=", "*="
    value: object
    recorded: tuple  # the names whose values change
    family: str = ""  # the family this kind of assignment belongs to, if any


@dataclass(frozen=True)
class If:
    test: Test
    body: tuple
    orelse: tuple  # empty: no else


@dataclass(frozen=True)
class For:
    variable: str
    count: int
    body: tuple


@dataclass(frozen=True)
class ForIn:
    variable: str
    items: tuple
    body: tuple


@dataclass(frozen=True)
class While:
    counter: str
    limit: int
    test: Test
    body: tuple


@dataclass(frozen=True)
class Jump:
    keyword: str  # "break" or "continue"


@dataclass(frozen=True)
class Return:
    value: object


@dataclass(frozen=True)
class Function:
    name: str
    params: tuple
    preamble: tuple  # (name, expression text) pairs
    body: tuple
    result: object


@dataclass(frozen=True)
class Program:
    helpers: tuple  # Functions
    main: Function
    language: str = "scalar"
    imports: tuple = ("math",)

    def source(self) -> str:
        """The program as a module defining ``f(x, y)``."""
        return self._render(traced=False)

    def traced_source(self) -> str:
        """The instrumented twin: same functions, calling ``_test`` and ``_record``
        (which the caller defines in the module's namespace)."""
        return self._render(traced=True)

    def checkpointed_source(self) -> str:
        """The same program with every helper ``@s2sad.checkpoint``-ed and every
        ``for`` loop over a range and ``while`` loop with no jump in it
        ``s2sad.checkpointed`` (2 snapshots): what it computes, and its
        derivatives, are the same."""
        lines = self.source().splitlines()
        marked = ["import s2sad"]
        for k, line in enumerate(lines):
            loop = re.fullmatch(r"(\s*)for (\w+) in range\((\d+)\):", line)
            if loop and not _jumps_below(lines, k):
                pad, variable, count = loop.groups()
                line = f"{pad}for {variable} in s2sad.checkpointed(range({count}), snapshots=2):"
            loop = re.fullmatch(r"(\s*)while (.*):", line)
            if loop and not _jumps_below(lines, k):
                pad, condition = loop.groups()
                line = f"{pad}while s2sad.checkpointed({condition}, snapshots=2):"
            if line.startswith("def h"):
                marked.append("@s2sad.checkpoint")
            marked.append(line)
        return "\n".join(marked) + "\n"

    def _render(self, traced: bool) -> str:
        lines = [f"import {name}" for name in self.imports]
        for function in self.helpers + (self.main,):
            lines += ["", ""]
            _render_function(function, traced, lines)
        return "\n".join(lines) + "\n"


def _jumps_below(lines: list[str], at: int) -> bool:
    """A ``break``, ``continue`` or ``return`` in the block under line ``at``."""
    indent = len(lines[at]) - len(lines[at].lstrip())
    for line in lines[at + 1 :]:
        stripped = line.lstrip()
        if stripped and len(line) - len(stripped) <= indent:
            return False
        if stripped.split(" ")[0] in ("break", "continue", "return"):
            return True
    return False


def render(expression, traced: bool = False) -> str:
    """The Python text of an expression (fully parenthesised)."""
    if isinstance(expression, str):
        return expression
    if isinstance(expression, Test):
        left, right = render(expression.left, traced), render(expression.right, traced)
        if traced:
            return f"_test({left}, {expression.op!r}, {right})"
        return f"({left} {expression.op} {right})"
    return expression.template.format(*(render(a, traced) for a in expression.args))


def _render_function(function: Function, traced: bool, lines: list) -> None:
    lines.append(f"def {function.name}({', '.join(function.params)}):")
    for name, value in function.preamble:
        lines.append(f"    {name} = {value}")
        if traced:
            lines.append(f"    _record({name})")
    _render_block(function.body, 1, traced, lines)
    _render_return(function.result, 1, traced, lines)


def _render_return(value, level: int, traced: bool, lines: list) -> None:
    text = render(value, traced)
    lines.append(
        "    " * level + (f"return _record({text})" if traced else f"return {text}")
    )


def _render_block(block: tuple, level: int, traced: bool, lines: list) -> None:
    for statement in block:
        _render_statement(statement, level, traced, lines)


def _render_statement(statement, level: int, traced: bool, lines: list) -> None:
    pad = "    " * level
    if isinstance(statement, Assign):
        lines.append(
            f"{pad}{statement.target} {statement.op} {render(statement.value, traced)}"
        )
        if traced:
            lines.extend(f"{pad}_record({name})" for name in statement.recorded)
    elif isinstance(statement, If):
        lines.append(f"{pad}if {render(statement.test, traced)}:")
        _render_block(statement.body, level + 1, traced, lines)
        if statement.orelse:
            lines.append(f"{pad}else:")
            _render_block(statement.orelse, level + 1, traced, lines)
    elif isinstance(statement, For):
        lines.append(f"{pad}for {statement.variable} in range({statement.count}):")
        _render_block(statement.body, level + 1, traced, lines)
    elif isinstance(statement, ForIn):
        items = ", ".join(render(item, traced) for item in statement.items)
        lines.append(f"{pad}for {statement.variable} in ({items}):")
        _render_block(statement.body, level + 1, traced, lines)
    elif isinstance(statement, While):
        counter = statement.counter
        lines.append(f"{pad}{counter} = 0")
        lines.append(
            f"{pad}while {counter} < {statement.limit} and {render(statement.test, traced)}:"
        )
        lines.append(f"{pad}    {counter} += 1")
        _render_block(statement.body, level + 1, traced, lines)
    elif isinstance(statement, Jump):
        lines.append(f"{pad}{statement.keyword}")
    else:
        _render_return(statement.value, level, traced, lines)


def families_of(program: Program) -> set:
    """The families whose constructs appear in ``program``."""
    found = set()
    if program.helpers:
        found.add("helpers")
    for function in program.helpers + (program.main,):
        _families_in_block(function.body, 0, found)
        _families_in_expression(function.result, found)
        for name, value in function.preamble:
            _families_in_text(f"{name} = {value}", found)
    return found


def _families_in_block(block: tuple, loops: int, found: set) -> None:
    for index, statement in enumerate(block):
        if isinstance(statement, (For, ForIn, While)) and loops:
            found.add("nested_loops")
            if index < len(block) - 1:
                found.add("after_inner_loop")
        if isinstance(statement, While):
            found.add("while")
        if isinstance(statement, ForIn):
            found.add("tuple_loop")
        if isinstance(statement, Jump):
            found.add("jumps")
        if isinstance(statement, Return):
            found.add("early_return")
        for name in ("value", "test", "items"):
            _families_in_expression(getattr(statement, name, None), found)
        if isinstance(statement, Assign) and statement.family:
            found.add(statement.family)
        inner = loops + isinstance(statement, (For, ForIn, While))
        for name in ("body", "orelse"):
            _families_in_block(getattr(statement, name, ()), inner, found)


def _families_in_expression(expression, found: set) -> None:
    if isinstance(expression, tuple):
        for item in expression:
            _families_in_expression(item, found)
    elif isinstance(expression, Test):
        _families_in_expression(expression.left, found)
        _families_in_expression(expression.right, found)
    elif isinstance(expression, Node):
        if " if " in expression.template:
            found.add("ternary")
        _families_in_text(expression.template, found)
        _families_in_expression(expression.args, found)
    elif isinstance(expression, str):
        _families_in_text(expression, found)


MARKERS = {}  # text marker -> family; the array language adds its own


def _families_in_text(text: str, found: set) -> None:
    for marker, family in MARKERS.items():
        if marker in text:
            found.add(family)


# ------------------------------------------------------------------ choices


class Choices:
    """Where the grammar's decisions come from."""

    def integer(self, low: int, high: int) -> int:
        """An integer in ``low..high`` (both included); ``low`` is the simplest."""
        raise NotImplementedError

    def choice(self, options):
        """One of ``options``; the first is the simplest."""
        return options[self.integer(0, len(options) - 1)]

    def chance(self, percent: int) -> bool:
        """True about ``percent`` times in a hundred (False is the simplest)."""
        return self.integer(0, 99) >= 100 - percent


class RandomChoices(Choices):
    """Choices from a seeded ``random.Random``."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


class DrawChoices(Choices):
    """Choices drawn by hypothesis (so examples shrink)."""

    def __init__(self, draw):
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))


# ------------------------------------------------------------------ scopes


@dataclass
class Scope:
    """What a statement being generated may use."""

    families: frozenset
    language: object
    variables: tuple  # scalar variables that may be assigned
    readable: tuple  # scalar names that may be read
    indices: tuple = ()  # int loop variables in scope
    loops: int = 0  # enclosing loops in this function
    nesting: int = 0
    max_nesting: int = MAX_NESTING
    helpers: tuple = ()  # (name, arity) of callable helpers
    counters: int = 0  # while counters in use
    extra: dict = field(default_factory=dict)  # language-specific state

    def inner(self, **changes) -> "Scope":
        values = dict(self.__dict__, nesting=self.nesting + 1)
        values.update(changes)
        return Scope(**values)


class ScalarLanguage:
    """Expressions and assignments over Python floats."""

    name = "scalar"
    imports = ("math",)
    params = ("x", "y")

    def preamble(self, scope: Scope) -> tuple:
        return (("v0", "x"), ("v1", "y"), ("v2", "x * y"), ("v3", "x - y"))

    def main_scope(self, families, max_nesting, helpers) -> Scope:
        variables = ("v0", "v1", "v2", "v3")
        return Scope(
            families=families,
            language=self,
            variables=variables,
            readable=("x", "y") + variables,
            max_nesting=max_nesting,
            helpers=helpers,
        )

    def scalar(self, ch: Choices, scope: Scope, depth: int = MAX_EXPRESSION_DEPTH):
        return scalar_expression(ch, scope, depth)

    def scalar_leaf(self, ch: Choices, scope: Scope):
        """A language-specific scalar leaf, or None for a plain name."""
        return None

    def scalar_kinds(self, scope: Scope) -> list:
        """Language-specific kinds of scalar expression (see ``scalar_node``)."""
        return []

    def assignment(self, ch: Choices, scope: Scope) -> Assign:
        target = ch.choice(scope.variables)
        op = ch.choice(("=", "=", "=", "+=", "-="))
        return Assign(target, op, self.scalar(ch, scope), (target,))

    def result(self, ch: Choices, scope: Scope):
        return self.scalar(ch, scope)


def scalar_expression(ch: Choices, scope: Scope, depth: int):
    """A float expression over the scalar names in scope (and helper calls)."""
    language = scope.language
    if depth == 0 or ch.integer(0, 2) == 0:
        if ch.chance(30):
            return ch.choice(LITERALS)
        leaf = language.scalar_leaf(ch, scope)
        return leaf if leaf is not None else ch.choice(scope.readable + scope.indices)
    kinds = ["+", "-", "*", "/", "neg", "sin", "cos", "tanh", "atan", "exp", "sqrt"]
    if "ternary" in scope.families:
        kinds.append("ternary")
    if scope.helpers:
        kinds.append("call")
    kinds += language.scalar_kinds(scope)
    kind = ch.choice(tuple(kinds))

    def sub():
        return scope.language.scalar(ch, scope, depth - 1)

    if kind in ("+", "-", "*"):
        return Node("({0} %s {1})" % kind, (sub(), sub()))
    if kind == "/":
        return Node("({0} / (1.5 + {1} * {1}))", (sub(), sub()))
    if kind == "neg":
        return Node("(-{0})", (sub(),))
    if kind == "exp":
        return Node("math.exp(math.tanh({0}))", (sub(),))
    if kind == "sqrt":
        return Node("math.sqrt(1.0 + {0} * {0})", (sub(),))
    if kind == "ternary":
        return Node("({1} if {0} else {2})", (test(ch, scope), sub(), sub()))
    if kind == "call":
        name, arity = ch.choice(scope.helpers)
        slots = ", ".join("{%d}" % k for k in range(arity))
        return Node(f"{name}({slots})", tuple(sub() for _ in range(arity)))
    if kind in ("sin", "cos", "tanh", "atan"):
        return Node("math.%s({0})" % kind, (sub(),))
    return scope.language.scalar_node(ch, scope, kind, depth)


def test(ch: Choices, scope: Scope) -> Test:
    """A comparison of two scalar expressions."""
    return Test(
        scope.language.scalar(ch, scope, 2),
        ch.choice(COMPARISONS),
        scope.language.scalar(ch, scope, 2),
    )


# ------------------------------------------------------------------ statements


def block(ch: Choices, scope: Scope, low: int, high: int, first=None) -> tuple:
    """``low..high`` statements; ``first`` (if given) opens the block.

    Without ``after_inner_loop``, a loop inside a loop ends its block.
    """
    statements = [first] if first is not None else []
    for _ in range(ch.integer(low, high)):
        statement = statement_in(ch, scope)
        statements.append(statement)
        if isinstance(statement, Return) or (
            isinstance(statement, (For, ForIn, While))
            and scope.loops
            and "after_inner_loop" not in scope.families
        ):
            break
    return tuple(statements)


def statement_in(ch: Choices, scope: Scope):
    """One statement: mostly assignments; compound ones while nesting allows."""
    kinds = ["assign", "assign", "assign"]
    families = scope.families
    if scope.nesting < scope.max_nesting:
        kinds.append("if")
        if not scope.loops or "nested_loops" in families:
            kinds.append("for")
            if "while" in families:
                kinds.append("while")
            if "tuple_loop" in families:
                kinds.append("tuple_loop")
    if scope.loops and "jumps" in families:
        kinds.append("jump")
    if "early_return" in families and (scope.loops or scope.nesting):
        kinds.append("return")
    kind = ch.choice(tuple(kinds))
    if kind == "assign":
        return scope.language.assignment(ch, scope)
    if kind == "if":
        inner = scope.inner()
        body = block(ch, inner, 1, 2)
        orelse = block(ch, inner, 1, 2) if ch.chance(50) else ()
        return If(test(ch, scope), body, orelse)
    if kind == "jump":
        keyword = ch.choice(("break", "continue"))
        if ch.chance(25):
            return Jump(keyword)
        return If(test(ch, scope), (Jump(keyword),), ())
    if kind == "return":
        return Return(scope.language.result(ch, scope))
    if kind == "while":
        counter = f"k{scope.counters}"
        inner = scope.inner(loops=scope.loops + 1, counters=scope.counters + 1)
        body = block(ch, inner, 1, 3)
        return While(counter, ch.integer(1, 3), test(ch, scope), body)
    if kind == "tuple_loop":
        variable = f"w{scope.nesting}"
        items = tuple(scope.language.scalar(ch, scope, 1) for _ in range(3))
        inner = scope.inner(
            loops=scope.loops + 1, readable=scope.readable + (variable,)
        )
        return ForIn(variable, items, block(ch, inner, 1, 3))
    variable = "ijlmn"[len(scope.indices)]
    inner = scope.inner(loops=scope.loops + 1, indices=scope.indices + (variable,))
    # The first statement of a loop body always reads the loop variable.
    target = ch.choice(scope.variables)
    uses_variable = Assign(
        target,
        ch.choice(("=", "+=", "-=")),
        Node(
            "({0} %s {1})" % ch.choice(("+", "-", "*")),
            (scope.language.scalar(ch, inner, 2), variable),
        ),
        (target,),
    )
    high = 3 if "after_inner_loop" in scope.families else 1
    return For(variable, ch.integer(0, 3), block(ch, inner, 0, high, uses_variable))


def function(ch: Choices, name: str, language, scope: Scope, params=None) -> Function:
    """A function: the language's preamble, 1 to 6 statements, a return."""
    body = block(ch, scope, 1, 6)
    return Function(
        name,
        params or language.params,
        language.preamble(scope),
        body,
        language.result(ch, scope),
    )


def helper_function(ch: Choices, name: str, families, max_nesting, helpers) -> Function:
    """A scalar helper ``name(a, b)`` (in either language's program)."""
    variables = ("u0", "u1")
    scope = Scope(
        families=families,
        language=SCALAR,
        variables=variables,
        readable=("a", "b") + variables,
        max_nesting=max_nesting,
        helpers=helpers,
    )
    body = block(ch, scope, 1, 3)
    return Function(
        name,
        ("a", "b"),
        (("u0", "a * b"), ("u1", "a - b")),
        body,
        SCALAR.result(ch, scope),
    )


def generate(
    ch: Choices, language, families=FAMILIES, max_nesting=MAX_NESTING
) -> Program:
    """A random program in ``language`` using only the constructs of ``families``."""
    families = frozenset(families)
    helpers = []
    if "helpers" in families:
        for k in range(ch.integer(0, 2)):
            callable_ = tuple((h.name, 2) for h in helpers)
            helpers.append(
                helper_function(ch, f"h{k}", families, max_nesting, callable_)
            )
    scope = language.main_scope(
        families, max_nesting, tuple((h.name, 2) for h in helpers)
    )
    main = function(ch, "f", language, scope)
    return Program(tuple(helpers), main, language.name, language.imports)


SCALAR = ScalarLanguage()


def random_program(seed, language=SCALAR, families=FAMILIES, max_nesting=MAX_NESTING):
    """A program from seeded random numbers (reproducible from ``seed``)."""
    return generate(RandomChoices(seed), language, families, max_nesting)


@st.composite
def programs(draw, language=SCALAR, families=FAMILIES, max_nesting=MAX_NESTING):
    """A hypothesis strategy of random programs ``f(x, y)``."""
    return generate(DrawChoices(draw), language, families, max_nesting)
