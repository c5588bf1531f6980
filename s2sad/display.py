"""How derived functions show in a notebook: their generated source, as HTML."""

from __future__ import annotations

import html
from typing import Any, Callable


def displayable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` (carrying ``.source`` and ``.path``), shown by a notebook as the
    file it comes from and its generated source (``_repr_html_``)."""
    fn._repr_html_ = lambda: source_html(fn)
    return fn


def source_html(fn: Any) -> str:
    """The HTML of ``fn``'s generated file: its path, then its source."""
    path = html.escape(str(getattr(fn, "path", "")))
    source = html.escape(getattr(fn, "source", None) or "")
    return f"<div><p><code>{path}</code></p><pre><code>{source}</code></pre></div>"
