"""A derivative on one HTML page: the source beside the generated code, the IR, the graph.

:func:`show` writes a self-contained page (inline CSS and script, nothing
fetched): the user's function and the functions it calls on the left, the
generated derivative file on the right, each generated line tied to the
source line it comes from (hovering either lights up both; a fragment such
as ``page.html#s0-12`` lights up source line 12 of the first file), the
derivative's IR in a second tab and its computational graph in a third, as
SVG where Graphviz's ``dot`` is installed, else as DOT text with a note.  The
page is deterministic: the same function, options and compiler give the same
bytes.
"""

from __future__ import annotations

import ast
import html
import os
import shutil
from pathlib import Path
from typing import Any, Callable

from .api import derivative_options, file_header, normalize_wrt
from .backend.module import emit_module_with_lines
from .cache.provenance import content_hash, source_name
from .errors import S2SADError
from .frontend.program import lower
from .graph import dot_text, rendered
from .ir.core import Function
from .ir.printer import print_function
from .passes.pipeline import KINDS, derivative_functions

SUFFIXES = (".html", ".htm")


def show(
    f: Callable[..., Any],
    derivative: str = "grad",
    wrt: Any = 0,
    output: str | Path | None = None,
) -> str:
    """The HTML page of the ``derivative`` of ``f`` (a kind such as ``"grad"``,
    ``"jvp"``, ``"vjp"``, ``"hvp"``) with respect to ``wrt``; with ``output``
    (an ``.html`` path) also written there."""
    if not isinstance(derivative, str) or derivative not in KINDS:
        raise S2SADError(
            f"unknown derivative {derivative!r}",
            hint=f"use one of {', '.join(KINDS)}",
        )
    if output is not None and not isinstance(output, (str, os.PathLike)):
        raise S2SADError(
            f"output must be a path, got {type(output).__name__}",
            hint="name the output .html",
        )
    if output is not None and Path(output).suffix.lower() not in SUFFIXES:
        suffix = Path(output).suffix or "a file without a suffix"
        raise S2SADError(
            f"cannot write a page as {suffix}",
            file=str(output),
            hint="name the output .html",
        )
    kind = KINDS[derivative]
    primal = lower(f, scalar_output=kind.scalar_output)
    indices, single = normalize_wrt(primal, wrt if kind.picks else None)
    functions = derivative_functions(primal, derivative, indices, single)
    options = derivative_options(primal, derivative, indices, single)
    module_name, qualname = source_name(f)
    header = file_header(module_name, qualname, options, content_hash(primal, options))
    code, lines = emit_module_with_lines(functions, header)
    page = _page(
        f"{derivative} of {module_name}.{qualname}",
        options,
        _sources(primal),
        code,
        lines,
        "\n".join(print_function(function) for function in functions),
        dot_text(functions),
    )
    if output is not None:
        try:
            Path(output).write_text(page, encoding="utf-8")
        except OSError as error:
            raise S2SADError(
                f"cannot write the page: {error.strerror}",
                file=str(output),
                hint="write it into an existing folder you may write to",
            ) from None
    return page


Source = tuple[str, list[tuple[int, str]]]
"""A file's name and the lines shown of it: (line number, text), ``""`` text
with line number 0 marking a gap."""


def _sources(primal: Function) -> dict[str, Source]:
    """The defs of ``primal`` and of the functions it calls, by file: the
    primal's file first, each file's defs in file order."""
    spans: dict[str, set[tuple[int, int]]] = {}
    for function in [primal, *primal.callees]:
        if function.file is not None and function.line is not None:
            spans.setdefault(function.file, set()).add(
                _def_span(function.file, function.line)
            )
    shown: dict[str, Source] = {}
    for file, found in spans.items():
        text = Path(file).read_text(encoding="utf-8").splitlines()
        rows: list[tuple[int, str]] = []
        for first, last in sorted(found):
            if rows:
                rows.append((0, ""))
            rows += [(n, text[n - 1]) for n in range(first, last + 1)]
        shown[file] = (Path(file).name, rows)
    return shown


def _def_span(file: str, line: int) -> tuple[int, int]:
    """The first and last line of the def at ``line`` of ``file``, decorators
    included (the line alone where the file no longer has it)."""
    tree = ast.parse(Path(file).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if line in (first, node.lineno):
                return first, node.end_lineno
    return line, line


def _page(
    title: str,
    options: str,
    sources: dict[str, Source],
    code: str,
    lines: dict[int, tuple[str | None, int]],
    ir: str,
    dot: str,
) -> str:
    """The whole page."""
    ids = {
        (file, number): f"s{k}-{number}"
        for k, (file, (_, rows)) in enumerate(sources.items())
        for number, _ in rows
        if number
    }
    source_panes = "".join(
        f'<h2>{html.escape(name)}</h2><pre class="code source">'
        + "".join(_source_row(ids.get((file, n)), n, text) for n, text in rows)
        + "</pre>"
        for file, (name, rows) in sources.items()
    )
    generated = "".join(
        _generated_row(k, text, ids.get(lines.get(k)))
        for k, text in enumerate(code.splitlines(), 1)
    )
    return TEMPLATE.format(
        title=html.escape(title),
        options=html.escape(options),
        sources=source_panes,
        generated=generated,
        ir=html.escape(ir),
        graph=_graph(dot),
        style=STYLE,
        script=SCRIPT,
    )


def _source_row(anchor: str | None, number: int, text: str) -> str:
    """One source line (a gap between defs where ``number`` is 0)."""
    if not number:
        return '<span class="gap">\u22ee</span>'
    return (
        f'<span class="line" id="{anchor}" data-n="{number}">'
        f"{html.escape(text)}</span>"
    )


def _generated_row(number: int, text: str, source: str | None) -> str:
    """One generated line, tied to its source line's anchor where it has one."""
    link = f' data-src="{source}"' if source else ""
    return (
        f'<span class="line" id="g{number}" data-n="{number}"{link}>'
        f"{html.escape(text)}</span>"
    )


def _graph(dot: str) -> str:
    """The graph as inline SVG, or as DOT text where Graphviz is not installed."""
    if shutil.which("dot") is None:
        return (
            '<p class="note">Graphviz is not installed, so the graph is shown as '
            "DOT text; install it (apt-get install graphviz, brew install "
            "graphviz) to see the picture.</p>"
            f'<pre class="dot">{html.escape(dot)}</pre>'
        )
    svg = rendered(dot, "svg").decode()
    return f'<div class="picture">{svg[svg.index("<svg"):]}</div>'


TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>s2sad: {title}</title>
<style>{style}</style>
</head>
<body>
<header><h1>{title}</h1><p><code>{options}</code>: hover a line to see where \
it comes from.</p></header>
<nav>
<button data-tab="code" class="chosen">Source and derivative</button>
<button data-tab="ir">IR</button>
<button data-tab="graph">Graph</button>
</nav>
<section id="code" class="tab shown">
<div class="pane">{sources}</div>
<div class="pane"><h2>generated</h2><pre class="code generated">{generated}</pre></div>
</section>
<section id="ir" class="tab"><pre class="ir">{ir}</pre></section>
<section id="graph" class="tab">{graph}</section>
<script>{script}</script>
</body>
</html>
"""
"""The page; every part is filled in escaped."""

STYLE = """
body { margin: 0; font-family: Helvetica, Arial, sans-serif; color: #1d1d1f;
  background: #ffffff; }
header { padding: 10px 18px; background: #24364b; color: #ffffff; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; font-size: 13px; color: #d4dce6; }
nav { padding: 8px 18px 0; background: #eef1f5; border-bottom: 1px solid #c5ccd6; }
nav button { font: inherit; font-size: 14px; padding: 6px 14px; border: 1px solid
  #c5ccd6; border-bottom: none; background: #dde3ea; cursor: pointer; }
nav button.chosen { background: #ffffff; font-weight: bold; }
.tab { display: none; padding: 12px 18px; }
.tab.shown { display: block; }
#code.shown { display: flex; gap: 18px; align-items: flex-start; }
.pane { flex: 1; min-width: 0; }
h2 { font-size: 14px; margin: 6px 0; color: #52606d; }
pre { margin: 0 0 12px; padding: 8px 0; background: #f7f8fa; border: 1px solid
  #dfe3e8; overflow-x: auto; font-size: 13px; line-height: 1.45; }
pre.ir, pre.dot { padding: 8px 12px; }
.line { display: block; padding-right: 12px; white-space: pre; }
.line::before { content: attr(data-n); display: inline-block; width: 3.2em;
  margin-right: 1em; text-align: right; color: #8a96a3; }
.source .line, .line[data-src] { cursor: pointer; }
.gap { display: block; padding-left: 2.4em; color: #8a96a3; }
.line.hl { background: #ffd84d; }
.note { color: #8a4b00; }
.picture { overflow: auto; }
"""
"""The page's style; ``.hl`` is a lit-up line."""

SCRIPT = """
(function () {
  function linked(id) {
    var found = Array.prototype.slice.call(
      document.querySelectorAll('[data-src="' + id + '"]'));
    var source = document.getElementById(id);
    if (source) { found.push(source); }
    return found;
  }
  function light(id, on) {
    linked(id).forEach(function (line) { line.classList.toggle("hl", on); });
  }
  function clear() {
    document.querySelectorAll(".hl").forEach(function (line) {
      line.classList.remove("hl");
    });
  }
  document.querySelectorAll(".source .line, .line[data-src]").forEach(
    function (line) {
      var id = line.dataset.src || line.id;
      line.addEventListener("mouseenter", function () { clear(); light(id, true); });
      line.addEventListener("mouseleave", function () { light(id, false); });
    });
  function choose(name) {
    document.querySelectorAll(".tab").forEach(function (tab) {
      tab.classList.toggle("shown", tab.id === name);
    });
    document.querySelectorAll("nav button").forEach(function (button) {
      button.classList.toggle("chosen", button.dataset.tab === name);
    });
  }
  document.querySelectorAll("nav button").forEach(function (button) {
    button.addEventListener("click", function () { choose(button.dataset.tab); });
  });
  function follow() {
    var name = decodeURIComponent(location.hash.slice(1));
    var target = name && document.getElementById(name);
    if (!target) { return; }
    if (target.classList.contains("tab")) { choose(name); return; }
    choose("code");
    clear();
    light(target.dataset.src || name, true);
  }
  window.addEventListener("hashchange", follow);
  follow();
})();
"""
"""Hovering, tabs, and the fragment naming a tab or a line to light up."""
