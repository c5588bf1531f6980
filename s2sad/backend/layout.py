"""The nested shape of what a generated function returns, for its own derivatives.

A generated gradient may return its values grouped: ``(g,)`` for ``wrt=(0,)``,
``(value, (gx, gy))`` for ``value_and_grad`` with two parameters.  Its IR
returns them flat, with the grouping as the ``layout`` of its ``return`` (one
entry per group: None for a lone value, else the group's size).  ``jvp`` and
``vjp`` of such a function hand back values and take cotangents grouped the
same way.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import DifferentiationError, call_site

Layout = Sequence[int | None]


def output_layout(function: Any) -> tuple[int | None, ...] | None:
    """The grouping of ``function``'s outputs (None when they are not grouped):
    a 1-tuple return written by the user counts as the group ``(1,)``."""
    layout = function.body.terminator.attrs.get("layout")
    if layout is not None:
        return tuple(layout)
    return (1,) if function.one_tuple else None


def grouped(values: Any, count: int, layout: Layout | None) -> Any:
    """``values`` (one value when ``count`` is 1, else a tuple of ``count``) grouped by ``layout``."""
    if layout is None:
        return values
    return _grouped([values] if count == 1 else list(values), layout)


def _grouped(flat: list, layout: Layout) -> Any:
    groups: list[Any] = []
    for size in layout:
        if size is None:
            groups.append(flat.pop(0))
        else:
            groups.append(tuple(flat.pop(0) for _ in range(size)))
    return groups[0] if len(groups) == 1 else tuple(groups)


def flattened(label: str, cotangent: Any, layout: Layout | None) -> Any:
    """A cotangent given grouped as the outputs are, as the flat tuple (or, for
    one output, the value) the backward sweep takes; a cotangent grouped
    otherwise is refused."""
    if layout is None:
        return cotangent
    expected = _grouped(list(range(sum(s or 1 for s in layout))), layout)
    flat: list[Any] = []
    parts = [cotangent] if len(layout) == 1 else _items(cotangent, len(layout))
    for part, size in zip(parts or (), layout):
        if size is None:
            flat.append(part)
            continue
        items = _items(part, size)
        if items is None:
            parts = None
            break
        flat.extend(items)
    if parts is None:
        raise DifferentiationError(
            f"vjp_fn of {label}: the cotangent must be grouped as the outputs are, "
            f"{_shape(expected)}",
            hint="pass one cotangent per output, in tuples where the outputs are tuples",
            **call_site(),
        )
    return flat[0] if len(flat) == 1 else tuple(flat)


def _items(value: Any, size: int) -> list | None:
    if isinstance(value, (tuple, list)) and len(value) == size:
        return list(value)
    return None


def _shape(expected: Any) -> str:
    """``expected`` (positions grouped as the outputs are) written with ``c`` for each."""
    if isinstance(expected, tuple):
        inner = ", ".join(map(_shape, expected))
        return f"({inner},)" if len(expected) == 1 else f"({inner})"
    return "c"
