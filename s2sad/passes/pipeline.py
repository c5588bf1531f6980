"""Which passes make each derivative kind: one declared list of steps per kind.

A step runs one pass on a :class:`Derivation`, the state the steps of one
kind share: the primal, the parameters differentiated, the functions made so
far and what one pass leaves for a later one (the sweeps being split, whether
the tape was trimmed).  Every function of a generated file then goes through
:data:`FINISH`.  No pass runs another; the lists below are the whole pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import DifferentiationError, function_site
from ..analysis.shapes import Shape
from ..ir.core import (
    ARRAY,
    BOOL,
    BOOL_ARRAY,
    FLOAT,
    INT,
    INT_ARRAY,
    SEQ,
    TEMPORARY,
    Function,
    Op,
    Value,
    is_array,
)
from ..ir.module import (
    Module,
    called_names,
    derived_name,
    detached_copies,
    reversal_callees,
)
from ..ir.ops import (
    CHECKPOINT,
    CHECKPOINTED_LOOP,
    CHECKPOINTED_REVERSALS,
    CHECKPOINTED_WHILE,
    CONDITION,
    LOOPS,
)
from ..ir.operands import carried_args, loop_body, loop_init
from ..rules.registry import PRIMITIVES
from .activity import varied
from .batch import CARRIES, HELPER, Signature, Sweep, batch, tangent_signature
from .dense import dense_zeros
from .forward import forward
from .identity import IDENTITY_KIND, identity_columns
from .inplace import copy_before_loops
from .names import tidy_names
from .outline import outline_checkpointed_loops
from .reverse import ReverseResult, reverse
from .simplify import simplify
from .split import (
    Sweeps,
    backward_sweep,
    forward_sweep,
    keep_used_residuals,
    pushed_shapes,
    residual_parameters,
    residuals_of,
)
from .sweeps import plain_loops
from .tape import trim_tape

FORWARD = "forward"
REVERSE = "reverse"


@dataclass
class Derivation:
    """What the steps of one derivative kind share while they make the
    derivative of ``primal`` with respect to its parameters at ``wrt``."""

    primal: Function
    kind: "Kind"
    wrt: list[int]
    single: bool
    """The user asked for one parameter (``wrt=0``): gradients come back as a value."""
    needed: dict[str, list[int]]
    """Per helper, the parameters reverse mode needs adjoints of."""
    function: Function | None = None
    """The function being made (for ``vjp``, the backward sweep once split)."""
    result: ReverseResult | None = None
    sweeps: Sweeps | None = None
    base: str = ""
    """The name derived names start from (the primal's when empty; for a
    Hessian-vector product, the function whose gradient ``primal`` is)."""
    helper: bool = False
    """The derivative of a helper some other derivative calls."""
    trimmed: bool = False
    """The last tape trimming changed something: simplify again."""
    shapes: dict[Value, Shape] = field(default_factory=dict)
    """Shapes of the function's parameters the caller checks (a Hessian-vector
    product's directions have their parameters' shapes), for simplifying it."""
    extra: list[Function] = field(default_factory=list)
    """Further entry functions of the file, after the derivative itself (a
    Jacobian's columns for the identity seed)."""

    def __post_init__(self) -> None:
        self.base = self.base or self.primal.name

    @property
    def functions(self) -> list[Function]:
        """The functions made, in the order they go into the file."""
        if self.sweeps is not None:
            return [self.sweeps.forward, self.sweeps.backward]
        return [self.function, *self.extra]

    @property
    def names(self) -> str:
        """The names of the parameters differentiated, for docstrings."""
        return ", ".join(self.primal.params[i].name for i in self.wrt)

    @property
    def groups(self) -> int | None:
        """How the gradients come back: one value (None) or a tuple of this many."""
        return None if self.single else len(self.wrt)


Step = Callable[[Derivation], None]


@dataclass(eq=False)
class Kind:
    """A derivative kind: its name, its mode, which parameters it takes and the
    steps that make it."""

    name: str
    mode: str
    """FORWARD or REVERSE: the kind of derivative each helper gets."""
    picks: bool
    """The caller picks the parameters (``wrt``); otherwise it takes all of them."""
    steps: tuple[Step, ...] = field(repr=False)
    with_value: bool = False
    """A gradient that also returns the function's value."""
    over_gradient: bool = False
    """It is made over the module of the gradient (a Hessian-vector product)."""
    helpers: "Kind | None" = None
    """The kind of derivative each helper gets; None: the one of its mode."""
    any_output: bool = False
    """It picks parameters but takes any outputs (a Jacobian)."""

    @property
    def scalar_output(self) -> bool:
        """The function differentiated must return one number."""
        return self.picks and not self.any_output


# ---------------------------------------------------------------- the steps


def reverse_gradient(d: Derivation) -> None:
    """Reverse mode seeded with 1 (``grad``; ``value_and_grad`` also returns the value)."""
    _require_scalar_output(d.primal, d.kind.name)
    with_value = d.kind.with_value
    d.result = reverse(
        d.primal,
        d.wrt,
        seed="one",
        layout=(None, d.groups) if with_value else (d.groups,),
        return_value=with_value,
        name=derived_name(d.base, d.kind.name),
        callee_wrt=d.needed,
        keep_snapshots=True,
    )
    d.function = d.result.function
    d.function.doc = (
        f"Value of {d.primal.name} and its gradient with respect to {d.names}."
        if with_value
        else f"Gradient of {d.primal.name} with respect to {d.names} (reverse mode)."
    )


def reverse_vjp(d: Derivation) -> None:
    """Reverse mode with one cotangent parameter per output, returning the outputs too."""
    d.result = reverse(
        d.primal,
        d.wrt,
        seed="param",
        return_value=True,
        name=derived_name(d.base, d.kind.name),
        callee_wrt=d.needed,
        keep_snapshots=not d.helper,
    )
    d.function = d.result.function


def forward_tangents(d: Derivation) -> None:
    """Forward mode: the tangents of the outputs along the ``wrt`` parameters."""
    d.function = forward(
        d.primal, d.wrt, derived_name(d.base, d.kind.name), callee_wrt=d.needed
    )


def forward_over_gradient(d: Derivation) -> None:
    """Forward mode over a gradient: a Hessian-vector product, whose directions
    (checked by the API) have the shapes of their parameters."""
    d.function = forward(
        d.primal, d.wrt, derived_name(d.base, d.kind.name), callee_wrt=d.needed
    )
    params = d.function.params
    first = len(d.primal.params)
    d.shapes = {
        params[first + j]: Shape((), (params[i], 0))
        for j, i in enumerate(d.wrt)
        if is_array(params[i].type)
    }


def reverse_helper(d: Derivation) -> None:
    """Reverse mode over a helper: its ``vjp`` (adjoints of the parameters some
    call needs), to be split into its two sweeps."""
    d.result = reverse(
        d.primal,
        d.wrt,
        seed="param",
        return_value=True,
        name=derived_name(d.base, VJP.name),
        callee_wrt=d.needed,
    )
    d.function = d.result.function


def forward_helper(d: Derivation) -> None:
    """Forward mode over a helper: its ``jvp`` along the parameters some call
    passes a varied value to."""
    d.function = forward(
        d.primal, d.wrt, derived_name(d.base, JVP.name), callee_wrt=d.needed
    )


def simplify_function(d: Derivation) -> None:
    """Simplify the function being made."""
    simplify(d.function, d.shapes)


def trim_own_tape(d: Derivation) -> None:
    """Trim the tape the function both pushes and pops."""
    d.trimmed = trim_tape(d.function, d.function)


def simplify_if_trimmed(d: Derivation) -> None:
    """Simplify again what trimming the tape left."""
    if d.trimmed:
        simplify(d.function, d.shapes)


def own_adjoints(d: Derivation) -> None:
    """Return copies of array adjoints that may share memory with an argument."""
    _own_adjoints(d.function, 1 if d.kind.with_value else 0)


def dense_gradient(d: Derivation) -> None:
    """Gradients that simplified to 0 become zeros shaped like their parameter."""
    first = 1 if d.kind.with_value else 0
    dense_zeros(d.function, first, [d.function.params[i] for i in d.wrt])


def dense_tangents(d: Derivation) -> None:
    """Output tangents that simplified to 0 become zeros shaped like their output."""
    outputs = len(d.primal.returned)
    dense_zeros(d.function, outputs, d.function.returned[:outputs])


def split_backward(d: Derivation) -> None:
    """The backward sweep of a ``vjp``, reading candidate residuals."""
    outputs = len(d.primal.returned)
    d.sweeps = backward_sweep(d.result, outputs, outputs)
    d.function = d.sweeps.backward


def simplify_backward(d: Derivation) -> None:
    """Simplify the backward sweep, knowing the shapes of its residuals."""
    simplify(d.function, d.sweeps.seeds, d.sweeps.known.records)


def dense_backward(d: Derivation) -> None:
    """Adjoints of the backward sweep that simplified to 0 become shaped zeros."""
    dense_zeros(d.function, 0, residual_parameters(d.sweeps))


def keep_residuals(d: Derivation) -> None:
    """Keep only the residuals the simplified backward sweep reads."""
    keep_used_residuals(d.sweeps)


def split_forward(d: Derivation) -> None:
    """The forward sweep of a ``vjp``: outputs and the residuals kept."""
    forward_sweep(d.sweeps)


def simplify_forward(d: Derivation) -> None:
    """Simplify the forward sweep."""
    simplify(d.sweeps.forward)


def trim_sweep_tapes(d: Derivation) -> None:
    """Trim the tape the forward sweep pushes and the backward sweep pops, and the
    adjoint tapes the backward sweep pushes and pops itself."""
    fwd, bwd = d.sweeps.forward, d.sweeps.backward
    d.trimmed = trim_tape(fwd, bwd) | trim_tape(bwd, bwd)


def simplify_sweeps_if_trimmed(d: Derivation) -> None:
    """Simplify both sweeps again what trimming their tapes left."""
    if d.trimmed:
        simplify(d.sweeps.forward)
        simplify(d.sweeps.backward, d.sweeps.seeds, pushed_shapes(d.sweeps))


def own_backward_adjoints(d: Derivation) -> None:
    """Return copies of the backward sweep's array adjoints that may share memory."""
    _own_adjoints(d.sweeps.backward, 0)


def name_forward_sweep(d: Derivation) -> None:
    """Name the forward sweep's values (its residuals' names are then known)."""
    tidy_names(d.sweeps.forward)


def name_residuals(d: Derivation) -> None:
    """The backward sweep unpacks each residual under the forward sweep's name of it."""
    fwd, bwd = d.sweeps.forward, d.sweeps.backward
    unpacked = bwd.body.ops[0].results if bwd.body.ops[0].name == "unpack" else []
    for value, residual in zip(unpacked, residuals_of(fwd)):
        value.hint = residual.name


def hessian_times_direction(d: Derivation) -> None:
    """Return only the tangent of the gradient, the Hessian times the direction
    (what only the gradient needed then goes with the next simplification)."""
    term = d.function.body.terminator
    half = len(d.primal.returned)
    layout = term.attrs["layout"]
    term.operands = term.operands[half:]
    term.attrs = {
        **term.attrs,
        "layout": tuple(layout[len(layout) // 2 :]),
        "hints": tuple(term.attrs["hints"][half:]),
    }


def hvp_outputs(d: Derivation) -> None:
    """Products with the Hessian that simplified to 0 become zeros shaped like
    their parameters."""
    dense_zeros(d.function, 0, [d.function.params[i] for i in d.wrt])
    d.function.doc = (
        f"The Hessian of {d.base} times the direction "
        "(forward mode over reverse mode)."
    )


def batch_directions(d: Derivation) -> None:
    """Take the directions, and return the products, with a leading batch axis:
    ``k`` Hessian-vector products in one call of vectorised code."""
    params = d.function.params
    first = len(params) - len(d.wrt)
    flags = [k >= first and p.type in CARRIES for k, p in enumerate(params)]
    signature = Signature(tuple(flags), (True,) * len(d.function.returned))
    seeds = {first + j: i for j, i in enumerate(d.wrt)}
    callees = _jvp_signatures(d.primal, d.needed)
    batch(d.function, signature, callees, seeds, helper=False)
    d.function.doc = (
        f"The Hessian of {d.base} times each direction of a batch (leading axis)."
    )


def batch_tangents(d: Derivation) -> None:
    """A helper's jvp taking and returning batches of tangents (and their count)."""
    count = len(d.primal.params)
    seeds = {count + j: k for j, k in enumerate(d.wrt)}
    signature = tangent_signature(d.primal, d.wrt)
    callees = _jvp_signatures(d.primal, d.needed)
    batch(d.function, signature, callees, seeds, helper=True)
    d.function.doc = (
        f"Value and tangents (forward mode) of {d.primal.name}, tangents in batches."
    )


def jacobian_outputs(d: Derivation) -> None:
    """A Jacobian's outputs are numbers and arrays of numbers (of float type)."""
    for k, value in enumerate(d.primal.returned):
        if value.type == SEQ:
            raise _jacobian_output_error(
                d,
                f"output {k} is a tuple or list; a Jacobian of nested outputs is not "
                "supported",
                "return its items as outputs of their own (return a, b, c rather "
                "than a, (b, c)), or stack them with np.stack",
            )
        if value.type not in (FLOAT, ARRAY):
            raise _jacobian_output_error(
                d,
                f"output {k} is {_OUTPUT_TYPES.get(value.type, 'not a number')}; a "
                "Jacobian needs float numbers or arrays",
                "return only float values (convert with float() or .astype(float)), "
                "or differentiate the float outputs alone",
            )


_OUTPUT_TYPES = {
    INT: "an integer",
    BOOL: "a boolean",
    INT_ARRAY: "an integer array",
    BOOL_ARRAY: "a boolean array",
}


def _jacobian_output_error(d: Derivation, what: str, hint: str) -> DifferentiationError:
    """The refusal of a Jacobian's output, located at the ``return``."""
    return DifferentiationError(
        f"{d.kind.name} of {d.primal.name}: {what}",
        **function_site(d.primal.file, _return_line(d.primal)),
        hint=hint,
    )


def batch_tangent_columns(d: Derivation) -> None:
    """Take the tangents of the ``wrt`` parameters, and return the outputs'
    tangents, with a leading batch axis: the columns of a Jacobian for a batch of
    directions in one call (the outputs themselves come back once)."""
    params = d.function.params
    first = len(d.primal.params)
    outputs = len(d.primal.returned)
    flags = [k >= first and p.type in CARRIES for k, p in enumerate(params)]
    results = [
        k >= outputs and v.type in CARRIES for k, v in enumerate(d.function.returned)
    ]
    signature = Signature(tuple(flags), tuple(results))
    seeds = {first + j: i for j, i in enumerate(d.wrt)}
    batch(
        d.function, signature, _jvp_signatures(d.primal, d.needed), seeds, helper=False
    )
    d.function.doc = (
        f"Value of {d.primal.name} and its tangents along each direction of a batch "
        f"(leading axis) of tangents of {d.names}: columns of its Jacobian."
    )


def identity_seed_columns(d: Derivation) -> None:
    """For one array parameter, also the columns for the identity seed (called for
    a vector), where a product of a matrix with the seed becomes a view of the
    matrix (:func:`identity_columns`)."""
    if len(d.wrt) != 1 or d.primal.params[d.wrt[0]].type != ARRAY:
        return
    seed = len(d.primal.params)
    name = derived_name(d.base, IDENTITY_KIND)
    made = identity_columns(d.function, d.wrt[0], seed, name)
    if made is not None:
        made.doc = (
            f"Value of {d.primal.name} and its tangents along every basis direction "
            f"of the vector {d.names} (leading axis): the columns of its Jacobian."
        )
        d.extra.append(made)


def batch_cotangent_rows(d: Derivation) -> None:
    """The backward sweep taking its cotangents, and returning the adjoints,
    with a leading batch axis: the rows of a Jacobian for a batch of cotangents
    in one call (the forward sweep runs once, unbatched)."""
    _batch_backward(d, helper=False)
    d.sweeps.backward.doc = (
        f"Backward sweep for a batch (leading axis) of cotangents of the outputs of "
        f"{d.primal.name}: the adjoints of {d.names}, rows of its Jacobian."
    )


def batch_helper_cotangents(d: Derivation) -> None:
    """A helper's backward sweep taking and returning batches of cotangents and
    adjoints (and their count)."""
    _batch_backward(d, helper=True)
    d.sweeps.backward.doc = (
        f"Backward sweep of {d.primal.name} for batches of cotangents: the adjoints."
    )


def _batch_backward(d: Derivation, helper: bool) -> None:
    """Batch the backward sweep over its cotangents; those of the entry (rows of
    the identity, passed by ``s2sad.jacrev``) have the shapes of their outputs."""
    bwd = d.sweeps.backward
    flags = [False] + [p.type in CARRIES for p in bwd.params[1:]]
    results = [v.type in CARRIES for v in bwd.returned]
    signature = Signature(tuple(flags), tuple(results))
    seeds = dict(d.sweeps.seeds)
    if not helper:
        known = d.sweeps.known.shapes
        outputs = d.sweeps.whole.returned[: d.sweeps.n_outputs]
        seeds.update(
            (cotangent, known[output])
            for cotangent, output in zip(bwd.params[1:], outputs)
            if output in known
        )
    sweep = Sweep(seeds, pushed_shapes(d.sweeps))
    callees = _vjp_signatures(d.primal, d.needed)
    batch(bwd, signature, callees, {}, helper=helper, sweep=sweep)


def _vjp_signatures(
    primal: Function, needed: dict[str, list[int]]
) -> dict[str, Signature]:
    """The batched signature of the backward sweep of each function of
    ``primal``'s module, by the name a call of that sweep uses: residuals, then
    batches of cotangents; batches of the adjoints of the parameters needed."""
    functions = primal.module if primal.module is not None else [primal]
    signatures = {}
    for f in functions:
        wrt = needed.get(f.name, range(len(f.params)))
        params = [False] + [v.type in CARRIES for v in f.returned]
        results = [f.params[k].type in CARRIES for k in wrt]
        signatures[derived_name(f.name, "vjp_bwd")] = Signature(
            tuple(params), tuple(results)
        )
    return signatures


def _jvp_signatures(
    primal: Function, needed: dict[str, list[int]]
) -> dict[str, Signature]:
    """The batched signature of the jvp of each function of ``primal``'s module
    (along the parameters ``needed`` lists), by the name a call of that jvp uses."""
    functions = primal.module if primal.module is not None else [primal]
    return {
        derived_name(f.name, JVP.name): tangent_signature(
            f, needed.get(f.name, range(len(f.params)))
        )
        for f in functions
    }


# ---------------------------------------------------------------- the kinds

GRADIENT_STEPS = (
    reverse_gradient,
    simplify_function,
    trim_own_tape,
    simplify_if_trimmed,
    own_adjoints,
    dense_gradient,
)
GRAD = Kind("grad", REVERSE, True, GRADIENT_STEPS)
VALUE_AND_GRAD = Kind("value_and_grad", REVERSE, True, GRADIENT_STEPS, with_value=True)
JVP = Kind("jvp", FORWARD, False, (forward_tangents, simplify_function, dense_tangents))
VJP_STEPS = (
    split_backward,
    simplify_backward,
    dense_backward,
    keep_residuals,
    split_forward,
    simplify_forward,
    trim_sweep_tapes,
    simplify_sweeps_if_trimmed,
    own_backward_adjoints,
    name_forward_sweep,
    name_residuals,
)
VJP = Kind("vjp", REVERSE, False, (reverse_vjp, *VJP_STEPS))
HVP_STEPS = (
    forward_over_gradient,
    hessian_times_direction,
    simplify_function,
    trim_own_tape,
    simplify_if_trimmed,
    hvp_outputs,
)
HVP = Kind("hvp", FORWARD, True, HVP_STEPS, over_gradient=True)
"""Forward over reverse, run on the module of a gradient (see :func:`hvp_module`)."""
BATCHED_JVP = Kind(
    HELPER,
    FORWARD,
    False,
    (forward_helper, simplify_function, dense_tangents, batch_tangents),
)
"""The jvp of a helper of a batched Hessian-vector product, on batches of tangents."""
HESSIAN = Kind(
    "hessian",
    FORWARD,
    True,
    (*HVP_STEPS, batch_directions),
    over_gradient=True,
    helpers=BATCHED_JVP,
)
"""Hessian-vector products for a batch of directions at once (``s2sad.hessian``
calls it with the identity)."""

JACFWD = Kind(
    "jacfwd",
    FORWARD,
    True,
    (
        jacobian_outputs,
        forward_tangents,
        simplify_function,
        dense_tangents,
        batch_tangent_columns,
        identity_seed_columns,
    ),
    helpers=BATCHED_JVP,
    any_output=True,
)
"""Forward mode on a batch of tangents: columns of the Jacobian (``s2sad.jacfwd``
calls it with the identity)."""
SWEEPS = Kind("sweeps", REVERSE, True, (reverse_vjp, *VJP_STEPS), any_output=True)
"""Reverse mode's two sweeps for the parameters picked, unbatched (what
``s2sad.memory_report`` runs the forward sweep of)."""
BATCHED_VJP = Kind(
    HELPER,
    REVERSE,
    False,
    (reverse_helper, *VJP_STEPS, batch_helper_cotangents),
)
"""The vjp of a helper of a batched backward sweep: its backward sweep on batches
of cotangents."""
JACREV = Kind(
    "jacrev",
    REVERSE,
    True,
    (jacobian_outputs, reverse_vjp, *VJP_STEPS, batch_cotangent_rows),
    helpers=BATCHED_VJP,
    any_output=True,
)
"""Reverse mode, the backward sweep on a batch of cotangents: rows of the
Jacobian (``s2sad.jacrev`` calls it with the identity)."""

KINDS = {
    kind.name: kind
    for kind in (GRAD, VALUE_AND_GRAD, JVP, VJP, HVP, HESSIAN, JACFWD, JACREV, SWEEPS)
}
"""The derivative kinds of the public API, by name."""

HELPER_KINDS = {FORWARD: JVP, REVERSE: VJP}
"""The kind of derivative each helper gets, by the mode of the caller's."""

FINISH: tuple[Callable[[Function], object], ...] = (copy_before_loops, tidy_names)
"""The last passes, run on every function of a generated file."""


def kind_named(name: str) -> Kind:
    """The derivative kind called ``name``."""
    if name not in KINDS:
        raise DifferentiationError(
            f"unknown derivative kind {name!r}", hint=f"use one of {', '.join(KINDS)}"
        )
    return KINDS[name]


def derivative_module(
    module: Module, entry: str, kind: str, wrt: list[int], single: bool
) -> Module:
    """The module of derivative ``kind`` of ``module``'s function ``entry``: the
    derivative itself, then those of every function it calls, directly or not.

    ``single`` means the user asked for one parameter (``wrt=0``) rather than
    a tuple of them, so gradients come back as a value, not a 1-tuple.  The
    derivatives of the callees are named by :func:`derived_name`, as the calls
    to them are.
    """
    chosen = kind_named(kind)
    if chosen.over_gradient:
        return hvp_module(module, entry, wrt, single, chosen)
    if chosen.mode == REVERSE:
        module = outline_checkpointed_loops(module)
    else:
        module = plain_loops(module)
    primal = module[entry]
    needed = _arguments_needed(module, entry, wrt)
    functions = run(chosen, primal, wrt, single, needed)
    functions += _helper_derivatives(module, primal, chosen, needed)
    if chosen.mode == REVERSE:
        functions += checkpointed_primals(module, primal)
    else:
        functions += _over_reversals(module, primal, chosen, needed)
    return Module(finish(functions))


def _over_reversals(
    module: Module, primal: Function, kind: Kind, needed: dict[str, list[int]]
) -> list[Function]:
    """What forward mode over a gradient s2sad made (its IR, kept) adds for the
    reversals of checkpointed loops it reaches: the jvps, one direction at a
    time, of their steps and sweeps where its tangents come in batches, and
    copies of the conditions of ``while`` loops (none where there are none)."""
    functions = condition_copies(module, primal)
    if kind.helpers is not None:
        functions += _per_direction_helpers(module, primal, needed)
    return functions


def checkpointed_primals(module: Module, primal: Function) -> list[Function]:
    """Copies of the helpers ``primal`` calls checkpointed (directly or not), and
    of those they call (``primal`` too, where it calls itself checkpointed):
    reverse mode's forward sweep runs them as they are."""
    reached = module.reached(primal.name)
    names: list[str] = []
    for function in reached:
        for op in function.walk():
            if op.name == "call" and (
                op.attrs.get(CHECKPOINT) or CONDITION in op.attrs
            ):
                names += [f.name for f in module.reached(op.attrs["callee"])]
    copies = detached_copies([f for f in module if f.name in names])
    for copy in copies:
        copy.doc = copy.doc or (
            f"{copy.name} as written: the forward sweep runs it, the backward sweep "
            "runs its forward sweep again where its adjoint is needed."
        )
    return copies


def derivative_functions(
    primal: Function, kind: str, wrt: list[int], single: bool
) -> list[Function]:
    """The functions of :func:`derivative_module` for ``primal`` (in its module,
    or a module of its own), in the order they go into the file."""
    module = primal.module or Module([primal])
    return list(derivative_module(module, primal.name, kind, wrt, single))


def run(
    kind: Kind,
    primal: Function,
    wrt: list[int],
    single: bool,
    needed: dict[str, list[int]],
    base: str | None = None,
    helper: bool = False,
) -> list[Function]:
    """Run the steps of ``kind`` on ``primal`` (a ``helper`` of another
    derivative's or not); the functions they made (named after ``base``,
    ``primal``'s name by default)."""
    derivation = Derivation(
        primal, kind, wrt, single, needed, base=base or "", helper=helper
    )
    for step in kind.steps:
        step(derivation)
    return derivation.functions


def finish(functions: list[Function]) -> list[Function]:
    """Run :data:`FINISH` on each of ``functions``; returns them."""
    for function in functions:
        for step in FINISH:
            step(function)
    return functions


def hvp_module(
    module: Module, entry: str, wrt: list[int], single: bool, kind: Kind = HVP
) -> Module:
    """The module of ``f_hvp(params, params_dot) -> Hessian times direction``
    for ``module``'s function ``entry``: forward mode over the module of its
    gradient, a Hessian-vector product.  The directions are the ``_dot``
    parameters, one per ``wrt`` parameter; the product comes back as the
    gradient does (a value when ``single``, else a tuple).  ``kind``
    :data:`HESSIAN` makes ``f_hessian``, which takes a batch of directions.
    """
    gradient = plain_loops(derivative_module(module, entry, GRAD.name, wrt, single))
    grad_entry = gradient[derived_name(entry, GRAD.name)]
    needed = _arguments_needed(gradient, grad_entry.name, wrt)
    functions = run(kind, grad_entry, wrt, single, needed, base=entry)
    functions += _helper_derivatives(gradient, grad_entry, kind, needed)
    functions += _over_reversals(gradient, grad_entry, kind, needed)
    return Module(finish(functions))


def _per_direction_helpers(
    module: Module, primal: Function, needed: dict[str, list[int]]
) -> list[Function]:
    """The jvps, one direction at a time, of the steps and sweeps that the
    reversals of checkpointed loops ``primal`` reaches run, and of the
    functions they call: over a batch of directions a reversal runs its
    schedule once per direction, on these."""
    reached = module.reached(primal.name)
    conditions = _conditions(reached)
    roots = [
        name for f in reached for op in f.walk() for name in reversal_callees(op)[:3]
    ]
    names: list[str] = []
    for root in roots:
        names += [
            f.name
            for f in module.reached(root)
            if f.name not in names and f.name not in conditions
        ]
    return [
        made
        for name in names
        for made in run(JVP, module[name], needed.get(name, []), False, needed)
    ]


def hvp_functions(
    primal: Function, wrt: list[int], single: bool, kind: Kind = HVP
) -> list[Function]:
    """The functions of :func:`hvp_module` for ``primal`` (in its module, or a
    module of its own)."""
    module = primal.module or Module([primal])
    return list(hvp_module(module, primal.name, wrt, single, kind))


def _arguments_needed(
    module: Module, entry: str, wrt: list[int]
) -> dict[str, list[int]]:
    """For each function ``entry`` reaches, the parameters derivatives are needed
    for: ``wrt`` for ``entry``; for a callee, those some call passes a varied
    value to."""
    needed = {entry: set(wrt)}
    work = [entry]
    while work:
        function = module[work.pop()]
        active = varied(function, [function.params[i] for i in needed[function.name]])
        for op in function.walk():
            if op.name == "call":
                args = {k for k, v in enumerate(op.operands) if v in active}
                calls = {op.attrs["callee"]: args}
            else:
                calls = _reversal_arguments(module, op)
            for callee, args in calls.items():
                if callee not in needed or not args <= needed[callee]:
                    needed[callee] = needed.get(callee, set()) | args
                    work.append(callee)
    return {name: sorted(indices) for name, indices in needed.items()}


def _reversal_arguments(module: Module, op: Op) -> dict[str, set[int]]:
    """The parameters of the step and sweeps a checkpointed loop's reversal
    ``op`` runs that forward mode over it passes tangents of: all but a ``for``
    loop's counter, all of the backward sweep (its residuals and cotangents);
    none for another op."""
    if op.name not in CHECKPOINTED_REVERSALS:
        return {}
    step, forward_sweep, backward_sweep = reversal_callees(op)[:3]
    first = 1 if op.name == CHECKPOINTED_LOOP else 0
    along = set(range(first, len(module[step].params)))
    return {
        step: along,
        forward_sweep: set(along),
        backward_sweep: set(range(len(module[backward_sweep].params))),
    }


def _helper_derivatives(
    module: Module, primal: Function, kind: Kind, needed: dict[str, list[int]]
) -> list[Function]:
    """The derivatives of the functions ``primal`` calls, directly or not: ``h_jvp``
    (tangents along the parameters some call passes a varied value to), or
    ``h_vjp_fwd`` and ``h_vjp_bwd`` (adjoints of those parameters); ``primal``'s
    own too when it calls itself and its derivative does not already have that
    form.  Batched helpers are made for the functions calls reach (a
    checkpointed loop's reversal runs one direction at a time, see
    :func:`_per_direction_helpers`)."""
    reached = module.reached(primal.name, reversals=kind.helpers is None)
    conditions = _conditions(reached)
    helpers = [
        f
        for f in module
        if f in reached and f is not primal and f.name not in conditions
    ]
    recursive = any(primal.name in called_names(f) for f in reached)
    if recursive and kind.picks:
        helpers.insert(0, primal)
    functions: list[Function] = []
    for helper in helpers:
        wrt = needed.get(helper.name, [])
        helper_kind = kind.helpers or HELPER_KINDS[kind.mode]
        functions += run(helper_kind, helper, wrt, False, needed, helper=True)
    return functions


def _conditions(functions: list[Function]) -> set[str]:
    """The checkpointed ``while`` loops' condition functions ``functions`` call
    or reverse the loops of, which have no derivative (see :mod:`.outline`)."""
    return {
        op.attrs["callee"] if op.name == "call" else op.attrs["condition"]
        for function in functions
        for op in function.walk()
        if (op.name == "call" and CONDITION in op.attrs)
        or (op.name == CHECKPOINTED_WHILE)
    }


def condition_copies(module: Module, primal: Function) -> list[Function]:
    """Copies of the conditions of the checkpointed ``while`` loops ``primal``
    runs or reverses (directly or not), and of the functions they call: forward
    mode over a gradient runs them as they are."""
    conditions = _conditions(module.reached(primal.name))
    names = [f.name for name in conditions for f in module.reached(name)]
    return detached_copies([f for f in module if f.name in names])


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


def _return_line(primal: Function) -> int | None:
    loc = primal.body.terminator.loc
    return loc.line if loc else None


def _require_scalar_output(primal: Function, kind: str) -> None:
    count = len(primal.returned)
    if count != 1:
        raise DifferentiationError(
            f"{kind} needs a function with one scalar output; {primal.name} returns {count} values",
            **function_site(primal.file, _return_line(primal)),
            hint="use s2sad.vjp (one cotangent per output) or s2sad.jvp",
        )
