"""Lays generated code out exactly as black would, calling black only for lines too long to keep.

Generated modules have a fixed shape: a header comment, imports, a few
assignments, and functions whose statements each fit on one line.  For that
shape black's output is known: blank lines between the parts, and ``**``
written without spaces between simple operands.  When every line fits in 88
columns that layout is produced directly (microseconds); otherwise, black
itself formats the module (importing black costs tens of milliseconds).  The
tests check the fast path against black on every generated module.
"""

from __future__ import annotations

import ast

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
    text = hug_simple_powers(source)
    if all(len(line) <= LINE_LENGTH for line in text.splitlines()):
        return text
    import black

    return black.format_str(source, mode=black.Mode())


def hug_simple_powers(source: str) -> str:
    """Write ``a ** b`` as ``a**b`` where both operands are simple, as black does."""
    lines = source.splitlines(keepends=True)
    edits = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            left, right = node.left, node.right
            same_line = left.end_lineno == right.lineno
            if same_line and _is_simple(left) and _is_simple(right):
                edits.append(
                    (left.end_lineno - 1, left.end_col_offset, right.col_offset)
                )
    for row, start, end in sorted(edits, reverse=True):
        line = lines[row]
        if line.encode()[start:end] == b" ** ":
            lines[row] = (line.encode()[:start] + b"**" + line.encode()[end:]).decode()
    return "".join(lines)


def _is_simple(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
    )
