"""Computational graphs as Graphviz DOT text, each node tied to its source line.

:func:`graph` draws the IR of a function, or of one of its derivatives, as the
lecture figures do: the inputs, each intermediate value named as in the source
with the operation computing it and its line, and the outputs (a double
border).  In a derivative, primal values are black, tangents (``x_dot``) blue
and adjoints (``x_bar``) red, so the forward and the backward sweep stand
apart; a temporary takes the colour of the values it is computed for.  Values
pushed on or popped from reverse mode's tape are dashed, calls recomputed by a
checkpoint say so, and the regions of loops and branches are clusters.  Each
generated function (a ``vjp``'s two sweeps, helpers) is a cluster of its own.

The DOT text is deterministic; ``.svg`` and ``.png`` files are rendered by
Graphviz's ``dot`` program where it is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

from .api import normalize_wrt
from .errors import S2SADError
from .frontend.program import lower
from .ir.core import NOT_CONSTANT, Block, Function, Op, Value
from .ir.ops import CHECKPOINT, TAPE, TERMINATORS
from .ir.operands import has_effect
from .passes.pipeline import KINDS, derivative_functions

PRIMAL, TANGENT, ADJOINT = "black", "#1f6fb4", "#c4262e"
"""The colours of primal values, tangents and adjoints."""

FORMATS = (".dot", ".svg", ".png")


def graph(
    f: Callable[..., Any],
    derivative: str | None = None,
    wrt: Any = 0,
    output: str | Path | None = None,
) -> str:
    """The DOT text of the computational graph of ``f``, or of its ``derivative``
    (a kind such as ``"grad"``, ``"jvp"``, ``"vjp"``, ``"hvp"``) with respect to
    ``wrt``; with ``output`` (a ``.dot``, ``.svg`` or ``.png`` path) also written
    there, SVG and PNG rendered by Graphviz."""
    primal = lower(f, scalar_output=derivative in ("grad", "hvp", "hessian"))
    if derivative is None:
        functions = [primal]
    elif derivative not in KINDS:
        raise S2SADError(
            f"unknown derivative {derivative!r}",
            hint=f"use one of {', '.join(KINDS)}",
        )
    else:
        chosen = wrt if KINDS[derivative].picks else None
        indices, single = normalize_wrt(primal, chosen)
        functions = derivative_functions(primal, derivative, indices, single)
    text = dot_text(functions)
    if output is not None:
        try:
            write(text, Path(output))
        except OSError as error:
            raise S2SADError(
                f"cannot write the graph: {error.strerror}",
                file=str(output),
                hint="write it into an existing folder you may write to",
            ) from None
    return text


def dot_text(functions: list[Function]) -> str:
    """The DOT text of ``functions``, one cluster each."""
    drawing = _Drawing()
    for function in functions:
        drawing.function(function)
    return "\n".join(["digraph {", *drawing.lines, "}"]) + "\n"


def write(text: str, path: Path) -> None:
    """``text`` written to ``path``: as it is for ``.dot``, rendered by Graphviz's
    ``dot`` for ``.svg`` and ``.png`` (a clear error where it is missing)."""
    if path.suffix not in FORMATS:
        raise S2SADError(
            f"cannot write a graph as {path.suffix or 'a file without a suffix'}",
            file=str(path),
            hint="name the output .dot, .svg or .png",
        )
    if path.suffix == ".dot":
        path.write_text(text)
        return
    if shutil.which("dot") is None:
        raise S2SADError(
            f"rendering {path.name} needs Graphviz's dot program, which is not "
            "installed",
            file=str(path),
            hint="install Graphviz (apt-get install graphviz, brew install "
            "graphviz), or write the graph as .dot",
        )
    path.write_bytes(rendered(text, path.suffix[1:]))


def rendered(text: str, format: str) -> bytes:
    """The DOT ``text`` rendered by Graphviz's ``dot`` as ``format`` (``svg``,
    ``png``); Graphviz must be installed."""
    return subprocess.run(
        [shutil.which("dot"), f"-T{format}"],
        input=text.encode(),
        capture_output=True,
        check=True,
    ).stdout


class _Drawing:
    """The DOT lines of the functions drawn so far, and their node names."""

    def __init__(self) -> None:
        self.lines = ["  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']
        self.nodes: dict[Value, str] = {}
        self.count = 0
        self.clusters = 0

    def function(self, function: Function) -> None:
        """One function as a cluster: its parameters, its ops, its outputs."""
        colours = _colours(function)
        self.open(f"{function.name}", "  ")
        for param in function.params:
            node = self.node(param)
            colour = colours.get(param, PRIMAL)
            self.lines.append(
                f"    {node} [label={_quoted(param.name)}, shape=ellipse, "
                f"color={_quoted(colour)}, fontcolor={_quoted(colour)}];"
            )
        self.block(function.body, colours, "    ")
        self.lines.append("  }")

    def open(self, label: str, indent: str) -> None:
        """A new cluster labelled ``label``."""
        self.clusters += 1
        self.lines.append(f"{indent}subgraph cluster_{self.clusters} {{")
        self.lines.append(f"{indent}  label={_quoted(label)};")

    def block(self, block: Block, colours: dict, indent: str) -> None:
        """The ops of ``block``: a node each (a cluster per region), edges from
        the values they read; its terminator's values marked as outputs."""
        for op in block.ops:
            if op.name == "const":
                continue
            if op.name in TERMINATORS:
                self.outputs(op, indent)
                continue
            self.op(op, colours, indent)

    def op(self, op: Op, colours: dict, indent: str) -> None:
        """``op``'s node, the edges into it, and a cluster for each region."""
        node = f"n{self.count}"
        self.count += 1
        for value in op.results:
            self.nodes[value] = node
        colour = colours.get(op.results[0], PRIMAL) if op.results else PRIMAL
        style = ", style=dashed" if has_effect(op, TAPE) else ""
        label = _label(op)
        self.lines.append(
            f"{indent}{node} [label={_quoted(label)}, color={_quoted(colour)}, "
            f"fontcolor={_quoted(colour)}{style}];"
        )
        for operand in op.operands:
            if operand in self.nodes:
                self.lines.append(f"{indent}{self.nodes[operand]} -> {node};")
        for k, region in enumerate(op.regions):
            self.open(f"{op.name} {_region_label(op, k)}", indent)
            for arg in region.args:
                self.nodes[arg] = node
            self.block(region, colours, indent + "  ")
            self.lines.append(f"{indent}}}")

    def outputs(self, op: Op, indent: str) -> None:
        """The values a ``return`` gives back, drawn with a double border."""
        if op.name != "return":
            return
        for value in op.operands:
            if value in self.nodes:
                self.lines.append(f"{indent}{self.nodes[value]} [peripheries=2];")

    def node(self, value: Value) -> str:
        """A new node name for ``value``."""
        node = f"n{self.count}"
        self.count += 1
        self.nodes[value] = node
        return node


def _region_label(op: Op, k: int) -> str:
    """``then``/``else``, ``condition``/``body``, or ``body``."""
    names = {"if": ("then", "else"), "while": ("condition", "body")}
    return names.get(op.name, ("body",) * len(op.regions))[k]


def _label(op: Op) -> str:
    """``v2 = mul(w2, v1)`` and the source line, constants written in place."""
    operands = ", ".join(_operand(v) for v in op.operands)
    results = ", ".join(v.name for v in op.results)
    text = f"{op.name}({operands})"
    if op.name == "call":
        text = f"{op.attrs['callee']}({operands})"
        if op.attrs.get(CHECKPOINT):
            text += " (recomputed)"
    if results:
        text = f"{results} = {text}"
    if op.loc is not None:
        text += f"\nline {op.loc.line}"
    return text


def _operand(value: Value) -> str:
    """A value's name, or a constant's literal."""
    return value.name if value.constant is NOT_CONSTANT else repr(value.constant)


def _colours(function: Function) -> dict[Value, str]:
    """Each value's colour: by its name (``_dot``, ``_bar``), a temporary by
    the values computed from it (the sweep it belongs to)."""
    colours: dict[Value, str] = {}
    users: dict[Value, list[Value]] = {}
    ops = list(function.walk())
    for op in ops:
        for value in op.results:
            colours[value] = _named_colour(value.name)
        for operand in op.operands:
            users.setdefault(operand, []).extend(op.results)
    for param in function.params:
        colours[param] = _named_colour(param.name)
    for op in reversed(ops):
        for value in op.results:
            if value.is_temporary and colours[value] == PRIMAL:
                used = {colours.get(u, PRIMAL) for u in users.get(value, [])}
                colours[value] = next(
                    (c for c in (ADJOINT, TANGENT) if c in used), PRIMAL
                )
    return colours


def _named_colour(name: str) -> str:
    """Adjoint for ``x_bar``, tangent for ``x_dot`` (numbered or not), else primal."""
    stem = name.rstrip("0123456789_")
    if stem.endswith("_bar"):
        return ADJOINT
    if stem.endswith("_dot"):
        return TANGENT
    return PRIMAL


def _quoted(text: str) -> str:
    """``text`` as a DOT string."""
    return (
        '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    )
