"""``print(...)`` and ``assert ...`` statements: kept where the primal values are computed.

A mixin of the frontend's lowering.  Each becomes an op with no results
(``print`` of its arguments, ``assert`` of its test and message) that
simplification never removes.  Forward mode copies it beside the primal ops,
reverse mode into the forward sweep (``vjp``: its ``_fwd`` half); neither
differentiates it, and no tangent or adjoint work reads it.
"""

from __future__ import annotations

import ast
import builtins

from ..errors import UnsupportedSyntaxError
from ..ir.core import Value

PRINT_KEYWORDS = ("sep", "end")


class SideEffectLowering:
    """The ``print``/``assert`` part of the frontend's lowering (see the module docstring)."""

    def is_print(self, node: ast.expr) -> bool:
        """True for a call of the builtin ``print``."""
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and not self.is_local(node.func)
            and self._resolve_quietly(node.func) is builtins.print
        )

    def print_statement(self, node: ast.Call) -> None:
        """``print(a, "text", sep=", ")`` as a ``print`` op of its values."""
        attrs = {}
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg not in PRINT_KEYWORDS or not _is_text(value):
                raise self.error(
                    UnsupportedSyntaxError,
                    value,
                    f"unsupported construct: print(..., {ast.unparse(keyword)})",
                    "print to standard output, with string literals for sep and end",
                )
            attrs[keyword.arg] = value.value
        operands = [self._printed(arg) for arg in node.args]
        self.builder.op("print", operands, [], attrs=attrs, loc=self.info.loc(node))

    def assert_statement(self, stmt: ast.Assert) -> None:
        """``assert test, message`` as an ``assert`` op (its test is not made a bool:
        the generated ``assert`` tests it as Python does)."""
        operands = [self.expr(stmt.test)]
        if stmt.msg is not None:
            operands.append(self._printed(stmt.msg))
        self.builder.op("assert", operands, [], loc=self.info.loc(stmt))

    def _printed(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Starred):
            raise self.error(
                UnsupportedSyntaxError,
                node,
                "unsupported construct: starred argument to print",
                "print the values one by one",
            )
        if isinstance(node, ast.JoinedStr):
            raise self.error(
                UnsupportedSyntaxError,
                node,
                "unsupported construct: f-string",
                "print the values as separate arguments: print('x =', x)",
            )
        if _is_text(node):
            return self.builder.const(node.value, loc=self.info.loc(node))
        return self.expr(node)


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)
