"""The derivative kinds s2sad generates, as IR -> IR recipes (no files, no imports).

Each recipe takes the primal function's IR and the indices of the parameters
to differentiate, runs the forward or reverse pass and the simplifier, and
returns the IR functions that go into one generated file.
"""

from __future__ import annotations

from ..errors import DifferentiationError, call_site, function_site
from ..ir.core import TEMPORARY, Function, Op, Value, is_array
from ..ir.ops import LOOPS
from ..ir.operands import carried_args, loop_body, loop_init
from ..rules.registry import PRIMITIVES
from .inplace import copy_before_loops
from .activity import varied
from .dense import dense_zeros
from .forward import forward
from .names import tidy_names
from .reverse import reverse
from .simplify import simplify
from .split import split
from .tape import split_long_records, trim_tape
from ..backend.formatting import LINE_LENGTH

KINDS = ("grad", "value_and_grad", "jvp", "vjp")


def derivative_functions(
    primal: Function, kind: str, wrt: list[int], single: bool
) -> list[Function]:
    """The simplified IR functions of derivative ``kind`` of ``primal``.

    ``single`` means the user asked for one parameter (``wrt=0``) rather than
    a tuple of them, so gradients come back as a value, not a 1-tuple.
    """
    mode = "jvp" if kind == "jvp" else "vjp"
    needed = _arguments_needed(primal, wrt) if mode == "vjp" else {}
    functions = _derivative_functions(primal, kind, wrt, single, needed)
    functions += _helper_derivatives(primal, mode, kind, needed)
    for function in functions:
        copy_before_loops(function)
    functions = [tidy_names(function) for function in functions]
    _split_long_records(functions)
    return functions


NOT_COMPOSABLE = {
    "unpack": "reads a residual tuple (vjp's backward sweep)",
    "call": "calls the derivative of a helper",
}
"""Ops of generated code reverse mode cannot differentiate yet, and why (both
modes differentiate the tape; forward mode refuses these itself)."""


def refuse_uncomposable(function: Function, kind: str) -> None:
    """Refuse to take derivative ``kind`` of generated ``function`` where it has an
    op the transformation does not differentiate yet (rather than emit a wrong
    derivative)."""
    if kind == "jvp":
        return
    for op in function.walk():
        if op.name in NOT_COMPOSABLE:
            raise DifferentiationError(
                f"{kind} of {function.name}, which s2sad generated: its code "
                f"{NOT_COMPOSABLE[op.name]}, which s2sad cannot differentiate yet",
                **call_site(),
                hint="differentiate again only derivatives of functions without "
                "helpers for now, or use forward mode (s2sad.jvp) over the derivative",
            )


def hvp_functions(primal: Function, wrt: list[int], single: bool) -> list[Function]:
    """The IR of ``f_hvp(params, params_dot) -> (gradient, Hessian times direction)``:
    forward mode over the simplified gradient of ``primal``, a Hessian-vector
    product.  The directions are the ``_dot`` parameters, one per ``wrt``
    parameter; each group comes back as the gradient does (a value when
    ``single``, else a tuple).  Not public yet: tests compose with it.
    """
    (gradient,) = _derivative_functions(primal, "grad", wrt, single, {})
    function = simplify(forward(gradient, wrt, name=f"{primal.name}_hvp"))
    if trim_tape(function, function):
        simplify(function)
    outputs = len(gradient.returned)
    term = function.body.terminator
    (group,) = gradient.body.terminator.attrs["layout"]
    term.attrs = {**term.attrs, "layout": (group, group)}
    wrt_params = [function.params[i] for i in wrt]
    dense_zeros(function, 0, wrt_params)
    dense_zeros(function, outputs, wrt_params)
    function.doc = (
        f"Gradient of {primal.name} and its product with the Hessian "
        "(forward mode over reverse mode)."
    )
    copy_before_loops(function)
    function = tidy_names(function)
    _split_long_records([function])
    return [function]


def _split_long_records(functions: list[Function]) -> None:
    """Keep tape lines within black's line length: a function that pushes
    pairs with itself and with the next one (its backward sweep, if any)."""
    for k, function in enumerate(functions):
        if any(op.name == "push" for op in function.walk()):
            for popping in functions[k : k + 2]:
                split_long_records(function, popping, LINE_LENGTH)


def _arguments_needed(primal: Function, wrt: list[int]) -> dict[str, list[int]]:
    """For each function of the program, the parameters reverse mode needs adjoints
    of: ``wrt`` for ``primal``; for a helper, those some call passes an active value to.
    """
    functions = {f.name: f for f in [primal, *primal.callees]}
    needed = {primal.name: set(wrt)}
    work = [primal.name]
    while work:
        function = functions[work.pop()]
        active = varied(function, [function.params[i] for i in needed[function.name]])
        for op in function.walk():
            if op.name != "call":
                continue
            callee = op.attrs["callee"]
            args = {k for k, v in enumerate(op.operands) if v in active}
            if callee not in needed or not args <= needed[callee]:
                needed[callee] = needed.get(callee, set()) | args
                work.append(callee)
    return {name: sorted(indices) for name, indices in needed.items()}


def _helper_derivatives(
    primal: Function, mode: str, kind: str, needed: dict[str, list[int]]
) -> list[Function]:
    """The derivatives of the user's functions ``primal`` calls: ``h_jvp``, or
    ``h_vjp_fwd`` and ``h_vjp_bwd`` (adjoints of the parameters some call
    needs); ``primal`` itself too when it is recursive and its own derivative
    does not already have that form."""
    called = {
        op.attrs["callee"]
        for f in [primal, *primal.callees]
        for op in f.walk()
        if op.name == "call"
    }
    helpers = list(primal.callees)
    if primal.name in called and kind in ("grad", "value_and_grad"):
        helpers.insert(0, primal)
    functions: list[Function] = []
    for helper in helpers:
        wrt = (
            needed.get(helper.name, [])
            if mode == "vjp"
            else list(range(len(helper.params)))
        )
        functions += _derivative_functions(helper, mode, wrt, False, needed)
    return functions


def _derivative_functions(
    primal: Function,
    kind: str,
    wrt: list[int],
    single: bool,
    needed: dict[str, list[int]],
) -> list[Function]:
    names = ", ".join(primal.params[i].name for i in wrt)
    if kind in ("grad", "value_and_grad"):
        _require_scalar_output(primal, kind)
        grads = None if single else len(wrt)
        if kind == "grad":
            result = reverse(
                primal,
                wrt,
                seed="one",
                layout=(grads,),
                name=f"{primal.name}_grad",
                callee_wrt=needed,
            )
            result.function.doc = (
                f"Gradient of {primal.name} with respect to {names} (reverse mode)."
            )
        else:
            result = reverse(
                primal,
                wrt,
                seed="one",
                layout=(None, grads),
                return_value=True,
                name=f"{primal.name}_value_and_grad",
                callee_wrt=needed,
            )
            result.function.doc = (
                f"Value of {primal.name} and its gradient with respect to {names}."
            )
        function = simplify(result.function)
        if trim_tape(function, function):
            simplify(function)
        first = 1 if kind == "value_and_grad" else 0
        _own_adjoints(function, first)
        dense_zeros(function, first, [function.params[i] for i in wrt])
        return [function]
    if kind == "jvp":
        function = simplify(forward(primal, wrt))
        outputs = len(primal.returned)
        dense_zeros(function, outputs, function.returned[:outputs])
        return [function]
    if kind == "vjp":
        n_out = len(primal.returned)
        result = reverse(
            primal,
            wrt,
            seed="param",
            return_value=True,
            name=f"{primal.name}_vjp",
            callee_wrt=needed,
        )
        fwd, bwd = split(result, n_out, n_out)
        _own_adjoints(bwd, 0)
        tidy_names(fwd)
        unpacked = bwd.body.ops[0].results if bwd.body.ops[0].name == "unpack" else []
        for value, residual in zip(unpacked, fwd.returned[n_out:]):
            value.hint = residual.name
        return [fwd, bwd]
    raise DifferentiationError(
        f"unknown derivative kind {kind!r}", hint=f"use one of {', '.join(KINDS)}"
    )


def _own_adjoints(function: Function, first: int) -> None:
    """Return a copy of each array adjoint (from the ``first`` returned value on)
    that may share memory with an argument or be a read-only broadcast: the
    caller may change the gradient it gets."""
    term = function.body.terminator
    definer = {r: op for op in function.walk() for r in op.results}

    arg_of = {
        arg: (op, k)
        for op in function.walk()
        if op.name in LOOPS
        for region in op.regions
        for k, arg in enumerate(carried_args(region, op))
    }
    seen: set[Value] = set()

    def borrowed(value: Value) -> bool:
        if value in seen:
            return False
        seen.add(value)
        op, k = definer.get(value), None
        if op is None and value in arg_of:
            op, k = arg_of[value]
        elif op is not None and op.regions:
            k = op.results.index(value)
        if op is None or op.name in ("pop", "unpack"):
            return True
        if k is not None:
            return any(borrowed(v) for v in _flowing_into(op, k))
        entry = PRIMITIVES.get(op.name)
        if entry is None or not entry.view:
            return False
        read_only = op.name in PRIMITIVES and PRIMITIVES[op.name].read_only
        return read_only or borrowed(op.operands[0])

    for k, value in enumerate(term.operands[first:], start=first):
        if is_array(value.type) and borrowed(value):
            copy = Op(
                "np.copy",
                [value],
                [Value(function.names.fresh(TEMPORARY), value.type, TEMPORARY)],
            )
            function.body.ops.insert(len(function.body.ops) - 1, copy)
            term.operands[k] = copy.result


def _flowing_into(op: Op, k: int) -> list[Value]:
    """The values that may become the ``k``-th result of an ``if`` or a loop."""
    if op.name == "if":
        return [region.terminator.operands[k] for region in op.regions]
    return [loop_init(op, k), loop_body(op).terminator.operands[k]]


def _require_scalar_output(primal: Function, kind: str) -> None:
    count = len(primal.returned)
    if count != 1:
        raise DifferentiationError(
            f"{kind} needs a function with one scalar output; {primal.name} returns {count} values",
            **function_site(
                primal.file,
                primal.body.terminator.loc.line if primal.body.terminator.loc else None,
            ),
            hint="use s2sad.vjp (one cotangent per output) or s2sad.jvp",
        )
