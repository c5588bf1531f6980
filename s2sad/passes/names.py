"""Final renaming: the tidiest unique names once simplification has removed values.

After simplification, ``z_bar_1`` may survive while ``z_bar`` was folded away,
and temporaries are numbered with gaps.  This pass hands names out again in
definition order, so each value gets the plainest free name for its hint and
temporaries count up from ``t1``.
"""

from __future__ import annotations

from ..ir.core import Block, Function, NameTable, Op
from ..ir.module import reversal_callees
from ..rules.registry import PRIMITIVES

MODULE_NAMES = ("math", "np", "runtime", "slice")
"""Names a generated module binds at top level, which no local may shadow."""


def tidy_names(function: Function) -> Function:
    """Rename every value of ``function`` in place; returns it.

    Parameters keep their names unless one would shadow a module-level name
    of the generated file (``math``, ``runtime``, a user primitive).
    """
    _name_results(function)
    hints = {p.hint for p in function.params} | {
        r.hint for op in function.walk() for r in op.results
    }
    table = NameTable(reserved={h for h in hints if h})
    table.taken.update(MODULE_NAMES)
    table.taken.update(
        op.name
        for op in function.walk()
        if getattr(PRIMITIVES.get(op.name), "binding", None)
    )
    table.taken.update(name for op in function.walk() for name in _called(op))
    for param in function.params:
        param.name = table.fresh(param.hint or param.name)
    _block(function.body, table, top=True)
    function.names = table
    return function


def _called(op: Op) -> tuple[str, ...]:
    """The generated functions ``op`` calls by name, which no local may shadow
    (a recursive checkpointed helper ``rec`` returns a value named ``rec``)."""
    if op.name == "call":
        return (op.attrs["callee"],)
    return reversal_callees(op)


def _name_results(function: Function) -> None:
    """Returned temporaries take the names the transformation intended (``x_bar``)."""
    term = function.body.terminator
    defined = {r for op in function.walk() if op.name != "const" for r in op.results}
    for value, hint in zip(term.operands, term.attrs.get("hints", ())):
        if hint and value.is_temporary and value in defined:
            value.hint = hint


def _block(block: Block, table: NameTable, top: bool = False) -> None:
    """Name ``block``'s values in order; an ``if`` or loop names its results
    before the values inside it, since the generated code assigns the results'
    variables (the values yielded into them mostly share those variables).
    Constants are written as literals, so their names never show: they take
    no source name from a value that would."""
    if not top:
        for arg in block.args:
            arg.name = table.fresh(arg.hint)
    for op in block.ops:
        if op.name == "const":
            table.constants += 1
            op.result.name = f"%c{table.constants}"
            continue
        for result in op.results:
            result.name = table.fresh(result.hint)
        for region in op.regions:
            _block(region, table)
