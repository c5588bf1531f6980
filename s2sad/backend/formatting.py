"""Lays generated code out exactly as black would, calling black only for lines too long to keep.

Generated modules have a fixed shape: a header comment, imports, a few
assignments, and functions whose statements each fit on one line.  For that
shape black's output is known: blank lines between the parts, and ``**``
written without spaces between simple operands.  When every line fits in 88
columns (or is a one-line docstring, which black never splits) that layout
is produced directly (microseconds); otherwise, black
itself formats the module (importing black costs tens of milliseconds).  The
tests check the fast path against black on every generated module.
"""

from __future__ import annotations

import ast
import io
import tokenize
from typing import Callable

from ..ir.operators import BINARY

LINE_LENGTH = 88


def module_text(
    header: str, imports: list[str], assignments: list[str], definitions: list[str]
) -> str:
    """The black-formatted module made of these parts, in this order."""
    blocks = [header] + ["\n".join(part) for part in (imports, assignments) if part]
    text = "\n\n".join(blocks)
    for definition in definitions:
        text += "\n\n\n" + definition
    return format_source(text + "\n")


def format_source(source: str) -> str:
    """``source`` formatted as black's default style formats it."""
    laid_out = _laid_out(source)
    if laid_out is None:
        import black

        return black.format_str(source, mode=black.Mode())
    return laid_out


def _laid_out(source: str) -> str | None:
    """``source`` as black lays it out, without black; None where that needs black."""
    text: str | None = source
    for normalise in (
        hug_simple_powers,
        parenthesize_negated_powers,
        space_complex_slices,
        double_quote_strings,
    ):
        text = normalise(text)
        if text is None:
            return None
    lines: list[str] = []
    for line in text.splitlines():
        split = [line] if _fits(line) else _split_as_black_does(line)
        if split is None:
            return None
        lines += split
    return "\n".join(lines) + "\n"


def _fits(line: str) -> bool:
    """True if black leaves ``line`` as it is: short enough, a one-line
    docstring (black never splits a string) or a comment."""
    stripped = line.strip()
    docstring = (
        len(stripped) > 6
        and stripped.startswith('"""')
        and stripped.endswith('"""')
        and '"""' not in stripped[3:-3]
    )
    return len(line) <= LINE_LENGTH or docstring or stripped.startswith("#")


_PRIORITY_GROUPS = (("+", "-"), ("*", "/", "//", "%", "@"))
"""Operators of equal priority: black splits a chain at those of the top one's group."""


def _split_as_black_does(line: str) -> list[str] | None:
    """Black's split of a too-long ``target = value``, ``target += value`` or
    ``return value`` line, for the two shapes generated code has; None for any other line.

    A parenthesised tuple is exploded, one element and a comma per line.  A
    conditional expression, or a chain of two or more ``+``/``-`` (or ``*``,
    ``/``) operators, is wrapped in parentheses on lines of its own.
    """
    indent = line[: len(line) - len(line.lstrip())]
    stripped = line.strip()
    if not stripped.isascii():
        return None
    if stripped.startswith("def ") and stripped.endswith("):"):
        return _definition_split(stripped, indent)
    try:
        statements = ast.parse(stripped).body
    except SyntaxError:
        return None
    if len(statements) != 1:
        return None
    statement = statements[0]
    one_target = isinstance(statement, ast.Assign) and len(statement.targets) == 1
    called = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
    if not (one_target or called or isinstance(statement, (ast.Return, ast.AugAssign))):
        return None
    simple = isinstance(statement, (ast.Return, ast.AugAssign)) or (
        one_target and isinstance(statement.targets[0], ast.Name)
    )
    value = statement.value
    if value is None or value.end_col_offset != len(stripped):
        return None
    head, body = stripped[: value.col_offset], stripped[value.col_offset :]
    inner = indent + "    "
    if isinstance(value, ast.Tuple) and body.startswith("(") and body.endswith(")"):
        elements = [ast.get_source_segment(stripped, e) for e in value.elts]
        split = [indent + head + "("] + [f"{inner}{e}," for e in elements]
    elif (call := _call_split(value, body, head, indent, stripped)) is not None:
        split = call
    elif simple:
        if isinstance(value, ast.IfExp):
            split = [indent + head + "(", inner + body]
        elif (chain := _operator_chain(value, body)) is not None:
            lines = [body] if len(inner + body) <= LINE_LENGTH else chain
            split = [indent + head + "("] + [inner + part for part in lines]
        else:
            return None
    else:
        return None
    split.append(indent + ")")
    return split if all(len(s) <= LINE_LENGTH for s in split) else None


def _call_split(
    value: ast.expr, body: str, head: str, indent: str, line: str
) -> list[str] | None:
    """Black's split of a call at its brackets: the arguments on one line of their
    own, or one per line with a trailing comma; without the closing ``)``."""
    if not isinstance(value, ast.Call) or not body.endswith(")"):
        return None
    callee = ast.get_source_segment(line, value.func)
    if not body.startswith(callee + "("):
        return None
    inner = indent + "    "
    arguments = body[len(callee) + 1 : -1]
    if len(inner + arguments) <= LINE_LENGTH:
        return [indent + head + callee + "(", inner + arguments]
    (only,) = value.args if len(value.args) == 1 and not value.keywords else (None,)
    if isinstance(only, ast.Tuple) and arguments.startswith("("):
        elements = [ast.get_source_segment(line, e) for e in only.elts]
        exploded = [f"{inner}    {e}," for e in elements]
        return [indent + head + callee + "(", inner + "("] + exploded + [inner + ")"]
    parts = [ast.get_source_segment(line, a) for a in value.args]
    parts += [ast.get_source_segment(line, k) for k in value.keywords]
    if any(p is None for p in parts):
        return None
    return [indent + head + callee + "("] + [f"{inner}{p}," for p in parts]


def _definition_split(line: str, indent: str) -> list[str] | None:
    """Black's split of a too-long ``def f(a, b=1.0):``: one parameter a line,
    each with a trailing comma."""
    try:
        (definition,) = ast.parse(line + " ...").body
    except (SyntaxError, ValueError):
        return None
    arguments = definition.args
    if arguments.posonlyargs or arguments.kwonlyargs or arguments.vararg:
        return None
    if arguments.kwarg or any(a.annotation for a in arguments.args):
        return None
    defaults = [None] * (len(arguments.args) - len(arguments.defaults))
    defaults += [ast.get_source_segment(line, d) for d in arguments.defaults]
    inner = indent + "    "
    parts = [
        f"{inner}{a.arg}," if d is None else f"{inner}{a.arg}={d},"
        for a, d in zip(arguments.args, defaults)
    ]
    return [f"{indent}def {definition.name}("] + parts + [indent + "):"]


def _operator_chain(node: ast.expr, text: str) -> list[str] | None:
    """``["a", "+ b", "- c"]``: ``text``, the source of ``node``, cut before each
    operator of the top binary operator's priority group at depth 0, when there
    are two or more, or one and the last operand is not a call (black's
    delimiter split; it splits a call's brackets instead); else None."""
    top = BINARY.get(type(node.op)) if isinstance(node, ast.BinOp) else None
    if top is None or top == "**":
        return None
    splitters = next(group for group in _PRIORITY_GROUPS if top in group)
    cuts, depth, previous = [], 0, None
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.string in "([{" and token.type == tokenize.OP:
            depth += 1
        elif token.string in ")]}" and token.type == tokenize.OP:
            depth -= 1
        elif depth == 0 and token.string in splitters and _ends_operand(previous):
            cuts.append(token.start[1])
        if token.type not in (tokenize.NEWLINE, tokenize.ENDMARKER):
            previous = token
    bounds = [0] + cuts + [len(text)]
    pieces = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    if not cuts or (len(cuts) == 1 and pieces[-1].endswith(")")):
        return None
    return pieces


def _ends_operand(token: tokenize.TokenInfo | None) -> bool:
    """True if an operator after ``token`` is binary (``a - b``), not unary (``* -b``)."""
    if token is None:
        return False
    if token.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING):
        return token.string not in ("if", "else", "and", "or", "not", "in", "is")
    return token.string in ")]}"


class _LeftToBlack(Exception):
    """Raised by a rewrite for text the fast layout does not write as black does."""


Segment = Callable[[ast.AST], str]
"""The source text of a node of the module being rewritten."""


def _rewritten(
    source: str, rewrite: Callable[[ast.expr, Segment], str | None]
) -> str | None:
    """``source`` with the text of each one-line node ``n`` replaced by
    ``rewrite(n, segment)`` where that is not None (``segment(m)`` is the text
    of a node ``m``); None where ``rewrite`` raises :class:`_LeftToBlack` or two
    replaced nodes overlap."""
    lines = [line.encode() for line in source.splitlines(keepends=True)]

    def segment(node: ast.AST) -> str:
        return lines[node.lineno - 1][node.col_offset : node.end_col_offset].decode()

    edits = []
    try:
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.expr) or node.lineno != node.end_lineno:
                continue
            text = rewrite(node, segment)
            if text is not None:
                edits.append(
                    (node.lineno - 1, node.col_offset, node.end_col_offset, text)
                )
    except _LeftToBlack:
        return None
    edits.sort(reverse=True)
    for (row, _, end, _), (right_row, right_start, _, _) in zip(edits[1:], edits):
        if row == right_row and end > right_start:
            return None
    for row, start, end, text in edits:
        lines[row] = lines[row][:start] + text.encode() + lines[row][end:]
    return b"".join(lines).decode()


def hug_simple_powers(source: str) -> str | None:
    """Write ``a ** b`` as ``a**b`` where both operands are simple, as black does."""

    def hugged(node: ast.expr, segment: Segment) -> str | None:
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)):
            return None
        left, right = segment(node.left), segment(node.right)
        simple = _is_simple(node.left) and _is_simple(node.right)
        return (
            f"{left}**{right}"
            if simple and segment(node) == f"{left} ** {right}"
            else None
        )

    return _rewritten(source, hugged)


def parenthesize_negated_powers(source: str) -> str | None:
    """Write ``-x**3`` as ``-(x**3)``, as black does for a unary operator before
    ``**``; None where one such power holds another (left to black)."""

    def parenthesized(node: ast.expr, segment: Segment) -> str | None:
        if not (
            isinstance(node, ast.UnaryOp)
            and not isinstance(node.op, ast.Not)
            and isinstance(node.operand, ast.BinOp)
            and isinstance(node.operand.op, ast.Pow)
        ):
            return None
        text, power = segment(node), segment(node.operand)
        operator = text[: node.operand.col_offset - node.col_offset]
        return None if operator.endswith("(") else f"{operator}({power})"

    return _rewritten(source, parenthesized)


def space_complex_slices(source: str) -> str | None:
    """Write ``x[k:k + 3]`` as ``x[k : k + 3]``, as black does (PEP 8): a slice
    with an operation, a call or an attribute in it gets spaces around its
    colons (none on the side of a bound left out: ``x[k + 1 :]``).  None for a
    slice inside such a slice: left to black."""

    def spaced(node: ast.expr, segment: Segment) -> str | None:
        if not isinstance(node, ast.Slice):
            return None
        parts = [node.lower, node.upper, node.step][: 3 if node.step else 2]
        if not any(p is not None and _is_complex(p) for p in parts):
            return None
        if any(isinstance(n, ast.Slice) for p in parts if p for n in ast.walk(p)):
            raise _LeftToBlack
        text = "" if parts[0] is None else segment(parts[0])
        for part in parts[1:]:
            text += " :" if text and not text.endswith(":") else ":"
            text += "" if part is None else f" {segment(part)}"
        return text

    return _rewritten(source, spaced)


def double_quote_strings(source: str) -> str | None:
    """Write ``'float64'`` as ``"float64"``, as black does; None for a string with
    a quote or a backslash in it (left to black)."""

    def quoted(node: ast.expr, segment: Segment) -> str | None:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return None
        text = segment(node)
        if text.startswith('"'):
            return None
        if any(c in text[1:-1] for c in "'\"\\"):
            raise _LeftToBlack
        return f'"{text[1:-1]}"'

    return _rewritten(source, quoted)


def _is_complex(node: ast.expr) -> bool:
    """True if black counts a slice bound as complex: more than a name, a number
    or a negated one."""
    complex_nodes = (
        ast.BinOp,
        ast.BoolOp,
        ast.Compare,
        ast.Call,
        ast.Attribute,
        ast.Subscript,
        ast.IfExp,
        ast.Lambda,
        ast.NamedExpr,
    )
    return any(
        isinstance(n, complex_nodes)
        or (isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not))
        for n in ast.walk(node)
    )


def _is_simple(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
    )
