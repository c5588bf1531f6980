"""Python's binary and comparison operators: each AST class and its symbol.

The frontend reads an operator's symbol off the AST (``ast.Add`` -> ``"+"``),
the rule table names operator primitives by symbol, and the emitter and the
layout turn symbols back into AST nodes and text.
"""

import ast

BINARY = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
}
"""Binary operators by AST class."""

COMPARISONS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}
"""Comparison operators by AST class."""

BINARY_NODES = {symbol: node for node, symbol in BINARY.items()}
COMPARISON_NODES = {symbol: node for node, symbol in COMPARISONS.items()}
