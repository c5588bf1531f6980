"""The rule table is closed under differentiation: every runtime helper derivative
code calls has derivative rules itself, so s2sad can differentiate its own output.

For each helper registered as a primitive (enumerated from the registry, so a
new helper without a case here fails), at a few points with arrays of a few
shapes, the helper alone is lowered to a one-op function and differentiated:

* tangent: ``jvp`` along a random direction against central differences of
  the runtime function itself;
* adjoint: the dot-product test ``<u, J v> == <J^T u, v>`` between ``jvp`` and ``vjp``.

``test_rules_call_only_differentiable_primitives`` walks every tangent and
adjoint rule and fails when one calls a primitive that a varied argument
could reach without a rule.
"""

from __future__ import annotations

import numpy as np
import pytest
from numerics import assert_close

from s2sad.backend.module import emit_module
from s2sad.ir.core import ARRAY, BOOL, DIFFERENTIABLE, FLOAT, INT, OBJECT, SEQ
from s2sad.ir.core import Builder, new_function
from s2sad.passes.rule_inline import template
from s2sad.rules.batch_helpers import BATCH_HELPERS
from s2sad.rules.registry import PRIMITIVES
from s2sad.passes.pipeline import derivative_functions

STEP = 1e-6
RTOL, ATOL = 1e-6, 1e-8


def rng():
    return np.random.default_rng(1)


def normal(r, *shape):
    return r.normal(size=shape)


def positive(r, *shape):
    return r.uniform(0.5, 2.0, size=shape)


def matrix(r, n, *batch):
    return 2.0 * np.eye(n) + 0.4 * r.normal(size=(*batch, n, n))


def solved(a, b):
    """``np.linalg.solve(a, b)`` with a vector ``b`` taken as one whatever ``a``'s batch."""
    if np.ndim(b) == 1:
        return (
            np.linalg.solve(a, b[..., None])[..., 0]
            if np.ndim(a) > 2
            else (np.linalg.solve(a, b))
        )
    return np.linalg.solve(a, b)


# ---------------------------------------------------------------- the cases
#
# Each entry of CASES maps a helper's name to functions of a generator that
# return its arguments, in the order it declares them.


def _products(name):
    """Cases of ``<f>_adjoint_x`` / ``_y``: ``g`` shaped like ``f(x, y)``."""
    f = {
        "matmul": np.matmul,
        "dot": np.dot,
        "inner": np.inner,
    }[name]
    shapes = {
        "matmul": [
            ((3, 4), (4, 2)),
            ((4,), (4, 2)),
            ((3, 4), (4,)),
            ((2, 3, 4), (4, 2)),
        ],
        "dot": [((3, 4), (4, 2)), ((4,), (4,)), ((2, 3, 4), (4, 2)), ((), (3,))],
        "inner": [((3, 4), (2, 4)), ((4,), (4,)), ((2, 3, 4), (4,)), ((), (3,))],
    }[name]

    def case(sx, sy):
        def make(r):
            x, y = r.normal(size=sx), r.normal(size=sy)
            x = float(x) if sx == () else x
            return (np.asarray(r.normal(size=np.shape(f(x, y)))), x, y)

        return make

    return [case(sx, sy) for sx, sy in shapes]


def _tensordot_cases():
    def case(sx, sy, axes):
        def make(r):
            x, y = r.normal(size=sx), r.normal(size=sy)
            g = r.normal(size=np.shape(np.tensordot(x, y, axes)))
            return (g, x, y, axes)

        return make

    return [
        case((3, 4), (4, 2), 1),
        case((2, 3, 4), (3, 4, 5), 2),
        case((3, 4), (2, 3), ([0], [1])),
    ]


def _solve_cases(adjoint_of):
    """Cases of the solve helpers, for a vector, a matrix and a batch of vectors ``b``."""

    def case(n, batch, b_shape):
        def make(r):
            a = matrix(r, n, *batch)
            b = r.normal(size=b_shape)
            x = solved(a, b)
            if adjoint_of == "a":
                return (r.normal(size=np.shape(x)), x, a, b)
            if adjoint_of == "b":
                return (r.normal(size=np.shape(x)), a, b)
            if adjoint_of == "product":
                return (r.normal(size=np.shape(a)), r.normal(size=np.shape(x)), b)
            return (a, b, x, r.normal(size=np.shape(a)), r.normal(size=np.shape(b)))

        return make

    return [case(3, (), (3,)), case(3, (), (3, 2)), case(3, (2,), (2, 3, 2))]


def _linear_shape(helper, forward, shapes):
    """Cases of ``runtime.<helper>(g, x, *static)``: ``g`` shaped like ``forward(x, *static)``."""

    def case(shape, *static):
        def make(r):
            x = r.normal(size=shape)
            return (r.normal(size=np.shape(forward(x, *static))), x, *static)

        return make

    return [case(*s) for s in shapes]


def _pieces(forward, shapes, axis=None):
    """``g`` a list of pieces shaped like the arguments of ``forward``."""

    def make(r):
        xs = [r.normal(size=s) for s in shapes]
        return (forward(xs),) if axis is None else (forward(xs), axis)

    return make


WITH_ZEROS = np.array(
    [[0.7, 0.0, -1.3, 0.4], [1.1, 0.0, 0.0, 0.9], [0.0, -0.6, 1.4, 0.8]]
)
"""No zero, one and two zeros in a row: where cumulative products are exact."""


CASES = {
    "xlogy_array": [
        lambda r: (normal(r, 3, 4), positive(r, 3, 4)),
        lambda r: (normal(r, 4), positive(r, 3, 4)),
    ],
    "sinc_derivative": [
        lambda r: (np.array([-2.3, -0.4, 0.0, 0.7, 1.0, 3.1]), 1),
        lambda r: (np.array([-1.2, 0.0, 0.2, 0.999, 4.4]), 2),
        lambda r: (normal(r, 3, 2), 3),
    ],
    "power_factor": [
        lambda r: (positive(r, 3, 4), 2.5),
        lambda r: (positive(r, 4), 0.5),
        lambda r: (1.3, 3.0),
        lambda r: (0.7, 0.0),
        lambda r: (positive(r, 4), np.array([0.0, 1.0, -0.5, 2.2])),
    ],
    "divide": [lambda r: (1.2, 0.7), lambda r: (normal(r, 3), positive(r, 3))],
    "xlogy": [lambda r: (1.2, 0.7), lambda r: (-0.4, 1.9)],
    "getitem_adjoint": [
        lambda r: (normal(r, 2), normal(r, 3, 4), (slice(1, 3), 2)),
        lambda r: (normal(r, 3), normal(r, 5), np.array([0, 2, 0])),
        lambda r: (0.7, normal(r, 5), 3),
    ],
    "setitem": [
        lambda r: (normal(r, 3, 4), (1, slice(None)), normal(r, 4)),
        lambda r: (normal(r, 5), np.array([1, 3]), 0.4),
    ],
    "setitem_value_adjoint": [
        lambda r: (normal(r, 3, 4), (1, slice(None)), normal(r, 4)),
        lambda r: (normal(r, 5), np.array([1, 3, 1]), normal(r, 3)),
        lambda r: (normal(r, 5), np.array([1, 3]), 0.4),
    ],
    "add_at": [
        lambda r: (normal(r, 5), normal(r, 5), np.array([1, 3, 1]), normal(r, 3)),
        lambda r: (normal(r, 3, 4), normal(r, 3, 4), (slice(0, 2),), normal(r, 4)),
    ],
    "detach": [lambda r: (normal(r, 3, 4),), lambda r: (normal(r, 3, 4)[1:],)],
    "shape_of": [lambda r: (normal(r, 3, 4),)],
    "zeros_like": [lambda r: (normal(r, 3, 4),)],
    "add_seq": [lambda r: ([normal(r, 3), normal(r, 2)], [normal(r, 3), normal(r, 2)])],
    "items_like": [
        lambda r: (normal(r, 2, 3), [normal(r, 3), normal(r, 3)]),
        lambda r: (normal(r, 3, 4), normal(r, 3, 4)),
    ],
    "array_like": [lambda r: ([normal(r, 3), normal(r, 3)], normal(r, 2, 3))],
    "unbroadcast": [
        lambda r: (normal(r, 3, 4), normal(r, 1, 4)),
        lambda r: (normal(r, 2, 3, 4), normal(r, 4)),
        lambda r: (normal(r, 3), 1.5),
    ],
    "broadcast_like": [
        lambda r: (normal(r, 4), normal(r, 3, 4)),
        lambda r: (0.6, normal(r, 3)),
    ],
    "constant": [],
    "matmul_adjoint_x": _products("matmul"),
    "matmul_adjoint_y": _products("matmul"),
    "dot_adjoint_x": _products("dot"),
    "dot_adjoint_y": _products("dot"),
    "inner_adjoint_x": _products("inner"),
    "inner_adjoint_y": _products("inner"),
    "tensordot_adjoint_x": _tensordot_cases(),
    "tensordot_adjoint_y": _tensordot_cases(),
    "solve_adjoint_a": _solve_cases("a"),
    "solve_adjoint_b": _solve_cases("b"),
    "solve_product": _solve_cases("product"),
    "solve_tangent": _solve_cases("tangent"),
    "cofactor": [lambda r: (matrix(r, 3),), lambda r: (matrix(r, 2, 2),)],
    "inverse_transposed": [lambda r: (matrix(r, 3),), lambda r: (matrix(r, 2, 2),)],
    "einsum_adjoint": [
        lambda r: ("ii->i", normal(r, 3), 0, normal(r, 3, 3)),
        lambda r: ("ij->", 0.6, 0, normal(r, 3, 2)),
        lambda r: ("...ij->...j", normal(r, 2, 4), 0, normal(r, 2, 3, 4)),
    ],
    "einsum_adjoint_2": [
        lambda r: ("ij,jk->ik", normal(r, 3, 2), 0, normal(r, 3, 4), normal(r, 4, 2)),
        lambda r: ("ij,jk->ik", normal(r, 3, 2), 1, normal(r, 3, 4), normal(r, 4, 2)),
        lambda r: ("ii,i->i", normal(r, 3), 0, normal(r, 3, 3), normal(r, 3)),
        lambda r: (
            "...i,...i->...",
            normal(r, 2, 3),
            1,
            normal(r, 2, 3, 4),
            normal(r, 1, 4),
        ),
    ],
    "einsum_adjoint_3": [
        lambda r: ("i,ij,j->", 0.8, 2, normal(r, 3), normal(r, 3, 4), normal(r, 4)),
        lambda r: ("i,ij,j->", 0.8, 0, normal(r, 3), normal(r, 3, 4), normal(r, 4)),
        lambda r: (
            "ij,jk,kl->il",
            normal(r, 2, 5),
            1,
            normal(r, 2, 3),
            normal(r, 3, 4),
            normal(r, 4, 5),
        ),
    ],
    "unreduce": [
        lambda r: (normal(r, 4), normal(r, 3, 4), 0, False),
        lambda r: (normal(r, 3, 1), normal(r, 3, 4), 1, True),
        lambda r: (0.5, normal(r, 3, 4), None, False),
    ],
    "reduced_count": [lambda r: (normal(r, 3, 4), 1)],
    "extremum_weights": [
        lambda r: ((x := normal(r, 3, 4)), np.max(x, axis=1), 1, False),
        lambda r: ((x := normal(r, 3, 4)), np.min(x, axis=0, keepdims=True), 0, True),
    ],
    "cumsum_adjoint": _linear_shape(
        "cumsum_adjoint", np.cumsum, [((3, 4), 1), ((3, 4), None), ((5,), 0)]
    ),
    "prod_others": [
        lambda r: (normal(r, 3, 4), 1),
        lambda r: (normal(r, 5), None),
        lambda r: (np.array([[0.0, 1.2, 0.7], [0.4, -1.1, 0.9]]), 1),
    ],
    "spread_others": [
        lambda r: (normal(r, 3, 4), 1),
        lambda r: (normal(r, 2, 3, 2), (0, 2)),
        lambda r: (normal(r, 4), None),
    ],
    "collect_others": [
        lambda r: (normal(r, 3, 4, 4), normal(r, 3, 4), 1),
        lambda r: (normal(r, 4, 3, 3), normal(r, 3, 4), 0),
        lambda r: (normal(r, 5, 5), normal(r, 5), None),
    ],
    "others_eye": [lambda r: (normal(r, 3, 4), 1)],
    "cumulative_spread": [
        lambda r: (normal(r, 3, 4), 1, 0),
        lambda r: (normal(r, 3, 4), 0, 1),
        lambda r: (normal(r, 2, 3), None, 1),
    ],
    "cumulative_collect": [
        lambda r: (normal(r, 3, 4, 4), normal(r, 3, 4), 1, 0),
        lambda r: (normal(r, 4, 3, 3), normal(r, 3, 4), 0, 1),
        lambda r: (normal(r, 6, 6), normal(r, 2, 3), None, 0),
    ],
    "cumprod_tangent": [
        lambda r: (normal(r, 3, 4), 1, None, normal(r, 3, 4)),
        lambda r: (WITH_ZEROS, 1, None, normal(r, 3, 4)),
        lambda r: (WITH_ZEROS, 0, None, normal(r, 3, 4)),
        lambda r: (WITH_ZEROS, None, None, normal(r, 3, 4)),
    ],
    "cumprod_adjoint": [
        lambda r: (normal(r, 3, 4), normal(r, 3, 4), 1, None),
        lambda r: (normal(r, 3, 4), WITH_ZEROS, 1, None),
        lambda r: (normal(r, 3, 4), WITH_ZEROS, 0, None),
        lambda r: (normal(r, 12), WITH_ZEROS, None, None),
    ],
    "norm_derivative": [
        lambda r: (normal(r, 3, 4), None, None, 1, False),
        lambda r: (normal(r, 3, 4), None, None, None, False),
        lambda r: (normal(r, 3, 4), None, "fro", None, False),
        lambda r: (normal(r, 2, 3, 4), None, "fro", (0, 2), True),
        lambda r: (normal(r, 5), None, 2, None, False),
        lambda r: (normal(r, 3, 4), None, 3, 0, True),
        lambda r: (positive(r, 3, 4), None, 1.5, 1, False),
        lambda r: (positive(r, 3, 4), None, -2, 1, False),
        lambda r: (normal(r, 3, 4), None, 1, 1, False),
        lambda r: (normal(r, 3, 4), None, np.inf, 0, False),
        lambda r: (normal(r, 3, 4), None, 1, None, False),
        lambda r: (normal(r, 3, 4), None, -np.inf, None, False),
    ],
    "trace_adjoint": _linear_shape(
        "trace_adjoint", np.trace, [((3, 4), 0), ((3, 3, 2), 1), ((4, 3), -1)]
    ),
    "inverse_axes": [lambda r: ((1, 2, 0),)],
    "concatenate_adjoint": [
        lambda r: (normal(r, 5, 3), [normal(r, 2, 3), normal(r, 3, 3)], 0),
        lambda r: (normal(r, 3, 5), [normal(r, 3, 2), normal(r, 3, 3)], 1),
        lambda r: (normal(r, 10), [normal(r, 2, 2), normal(r, 6)], None),
    ],
    "stack_adjoint": [
        lambda r: (normal(r, 2, 3), [normal(r, 3), normal(r, 3)], 0),
        lambda r: (normal(r, 3, 4), [normal(r, 3)] * 4, 1),
    ],
    "hstack_adjoint": [
        lambda r: (normal(r, 5), [normal(r, 2), normal(r, 3)]),
        lambda r: (normal(r, 3, 5), [normal(r, 3, 2), normal(r, 3, 3)]),
    ],
    "vstack_adjoint": [
        lambda r: (normal(r, 2, 3), [normal(r, 3), normal(r, 3)]),
        lambda r: (normal(r, 5, 3), [normal(r, 2, 3), normal(r, 3, 3)]),
    ],
    "split_adjoint": [
        lambda r: ([normal(r, 2, 3), normal(r, 2, 3)], normal(r, 4, 3), 2, 0),
        lambda r: ([normal(r, 3, 1), normal(r, 3, 3)], normal(r, 3, 4), [1], 1),
    ],
    "tile_adjoint": _linear_shape(
        "tile_adjoint", np.tile, [((3,), 2), ((2, 3), (2, 1)), ((3,), (2, 2))]
    ),
    "repeat_adjoint": _linear_shape(
        "repeat_adjoint",
        np.repeat,
        [((3,), 2, None), ((2, 3), 2, 1), ((2, 3), np.array([1, 3]), 0)],
    ),
    "diag_adjoint": _linear_shape(
        "diag_adjoint", np.diag, [((3,), 0), ((3,), 1), ((3, 4), 0), ((4, 3), -1)]
    ),
    "diagonal_adjoint": _linear_shape(
        "diagonal_adjoint",
        np.diagonal,
        [((3, 4), 0, 0, 1), ((3, 4, 2), 1, 0, 1), ((2, 3, 3), 0, 1, 2)],
    ),
}


CONSISTENT = {
    "norm_derivative": lambda x, _, ord, axis, keepdims: (
        x,
        np.linalg.norm(x, ord, axis, keepdims),
        ord,
        axis,
        keepdims,
    ),
    "cumprod_tangent": lambda x, axis, _, v: (x, axis, np.cumprod(x, axis), v),
    "cumprod_adjoint": lambda g, x, axis, _: (g, x, axis, np.cumprod(x, axis)),
    "extremum_weights": lambda x, top, axis, keepdims: (
        x,
        np.max(x, axis=axis, keepdims=keepdims),
        axis,
        keepdims,
    ),
}
"""Helpers defined only where some arguments follow from others (``top`` is the
maximum of ``x``, ``cumulative`` its cumulative products): the cases and the
finite differences compute those from the others."""


WITHOUT_RULES = {}
"""Helpers still without rules: derivative code that calls them with a varied
argument cannot be differentiated again (a clear error, not a wrong value)."""


def helpers():
    """The runtime helpers registered as primitives."""
    return sorted(
        name
        for name, entry in PRIMITIVES.items()
        if entry.syntax.text.startswith("runtime.")
    )


def params():
    return [
        pytest.param(
            name,
            k,
            id=f"{name}-{k}",
            marks=(
                [pytest.mark.xfail(reason=WITHOUT_RULES[name], strict=True)]
                if name in WITHOUT_RULES
                else []
            ),
        )
        for name in helpers()
        for k in range(len(CASES.get(name, ())))
    ]


def test_every_helper_has_cases():
    """Add a case (and rules, unless it has no differentiable argument) for a new helper."""
    missing = [
        name
        for name in helpers()
        if not CASES.get(name) and differentiable(PRIMITIVES[name])
    ]
    assert not missing, f"no cases in {__name__} for {missing}"
    assert not set(CASES) - set(helpers()), "cases for helpers that are not registered"


NOT_DIFFERENTIABLE = {
    "norm_power": "an exponent read from a norm's order and the dimension of x",
    "constant": "reads an array by name",
    "inverse_axes": "a permutation of axes",
    "others_eye": "an identity matrix shaped by its argument",
    "reduced_count": "an int",
    "scalar_seed": "ones shaped like its argument (a gradient's seed)",
    "shape_of": "reads only its argument's shape",
    "zeros_like": "reads only its argument's shape",
} | {name: "batched Hessian code, not differentiated again" for name in BATCH_HELPERS}
"""The helpers whose every argument is rightly declared to carry no derivative."""


def test_only_helpers_of_shapes_are_not_differentiable():
    """A helper declaring all its arguments nondiff must say why here: a varied
    argument would stop derivative code that calls it from being differentiated."""
    closed = [n for n in helpers() if not differentiable(PRIMITIVES[n])]
    assert sorted(set(closed) - set(WITHOUT_RULES)) == sorted(NOT_DIFFERENTIABLE)


def differentiable(entry):
    """The arguments of ``entry`` that carry derivatives (neither nondiff nor shape-only)."""
    return [a for a in entry.args if a not in entry.nondiff + entry.shape_only]


def test_every_helper_with_differentiable_arguments_has_rules():
    lacking = {
        name
        for name in helpers()
        if (differentiable(PRIMITIVES[name]) or name in WITHOUT_RULES)
        and not PRIMITIVES[name].has_rules
    }
    assert lacking == set(WITHOUT_RULES), "update WITHOUT_RULES"


# ---------------------------------------------------------------- one helper, alone


def ir_type(value):
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, np.ndarray):
        return ARRAY if value.dtype.kind == "f" else OBJECT
    if isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
        return SEQ
    return OBJECT


def single_op(name, args):
    """The function ``op_<name>(*args)`` that returns ``runtime.<name>(*args)``."""
    entry = PRIMITIVES[name]
    out = entry.python(*args)
    function = new_function(
        f"op_{name}", [(a, ir_type(v)) for a, v in zip(entry.args, args)]
    )
    b = Builder(function)
    b.ret([b.op(name, list(function.params), [ir_type(out)], hints=["out"]).result])
    return function


def compiled(function, kind, wrt):
    functions = derivative_functions(function, kind, wrt, single=False)
    namespace = {}
    exec(compile(emit_module(functions, "# test"), "<generated>", "exec"), namespace)
    return [namespace[f.name] for f in functions]


def like(value, r):
    """A random direction shaped like ``value`` (a list of them for a list)."""
    if isinstance(value, list):
        return [like(v, r) for v in value]
    if isinstance(value, float):
        return float(r.normal())
    return r.normal(size=np.shape(value))


def moved(value, direction, step):
    if isinstance(value, list):
        return [moved(v, d, step) for v, d in zip(value, direction)]
    if isinstance(value, float):
        return value + step * direction
    return value + step * np.asarray(direction)


def inner(a, b):
    """``<a, b>`` summed over every element (lists element by element)."""
    if isinstance(a, (list, tuple)):
        return sum(inner(x, y) for x, y in zip(a, b))
    return float(np.sum(np.multiply(a, b)))


def point(name, k):
    entry = PRIMITIVES[name]
    args = CASES[name][k](rng())
    defaults = list(entry.defaults().values())
    args = (*args, *defaults[len(defaults) - len(entry.args) + len(args) :])
    assert len(args) == len(entry.args), f"case {k} of {name}: one value per argument"
    args = CONSISTENT.get(name, lambda *a: a)(*args)
    wrt = [
        i
        for i, a in enumerate(entry.args)
        if a in differentiable(entry) and ir_type(args[i]) in DIFFERENTIABLE
    ]
    return entry, args, wrt


@pytest.mark.parametrize("name, k", params())
def test_tangent_rule_matches_finite_differences(name, k):
    entry, args, wrt = point(name, k)
    if not wrt:
        pytest.skip("no differentiable argument")
    r = np.random.default_rng(2)
    directions = {i: like(args[i], r) for i in wrt}
    (jvp,) = compiled(single_op(name, args), "jvp", wrt)
    out, out_dot = jvp(*args, *(directions[i] for i in wrt))
    expected = entry.python(*args)
    assert_close_nested(out, expected, rtol=1e-14, atol=1e-14)

    def at(step):
        shifted = [
            moved(a, directions[i], step) if i in directions else a
            for i, a in enumerate(args)
        ]
        return entry.python(*CONSISTENT.get(name, lambda *a: a)(*shifted))

    reference = difference(at(STEP), at(-STEP))
    assert_close_nested(out_dot, reference, rtol=RTOL, atol=ATOL)


def difference(plus, minus):
    if isinstance(plus, list):
        return [difference(p, m) for p, m in zip(plus, minus)]
    return (np.asarray(plus) - np.asarray(minus)) / (2 * STEP)


def assert_close_nested(actual, expected, rtol, atol):
    if isinstance(expected, list):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_close_nested(a, e, rtol, atol)
        return
    assert np.shape(actual) == np.shape(expected)
    assert_close(actual, expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name, k", params())
def test_adjoint_rule_agrees_with_tangent_rule(name, k):
    """Dot-product test: <u, J v> == <J^T u, v>."""
    entry, args, wrt = point(name, k)
    if not wrt:
        pytest.skip("no differentiable argument")
    r = np.random.default_rng(3)
    directions = [like(args[i], r) for i in wrt]
    (jvp,) = compiled(single_op(name, args), "jvp", wrt)
    out, out_dot = jvp(*args, *directions)
    forward_sweep, backward_sweep = compiled(single_op(name, args), "vjp", wrt)
    primal, residuals = forward_sweep(*args)
    cotangent = like(out, r)
    adjoints = backward_sweep(residuals, cotangent)
    assert len(adjoints) == len(wrt)
    for adjoint, i in zip(adjoints, wrt):
        assert_shapes(adjoint, args[i])
    forward = inner(cotangent, out_dot)
    backward = sum(inner(a, d) for a, d in zip(adjoints, directions))
    assert forward == pytest.approx(backward, rel=1e-10, abs=1e-12)


def assert_shapes(adjoint, arg):
    if isinstance(arg, list):
        for a, v in zip(adjoint, arg):
            assert_shapes(a, v)
        return
    assert np.shape(adjoint) == np.shape(arg)


# ---------------------------------------------------------------- what rules call


def test_rules_call_only_differentiable_primitives():
    """A rule's call of a primitive whose differentiable argument has no rule
    would stop derivative code from being differentiated again."""
    lacking = set()
    for entry in list(PRIMITIVES.values()):
        if not entry.has_rules or entry.binding is not None:
            continue
        for kind in ("tangent", "adjoint"):
            for op in template(entry, kind).walk():
                callee = PRIMITIVES.get(op.name)
                if callee is not None and lacks_rules(callee):
                    lacking.add((callee.name, f"{kind} of {entry.name}"))
    unexpected = sorted(
        f"{c} (called by {r})" for c, r in lacking if c not in WITHOUT_RULES
    )
    assert not unexpected, "\n".join(unexpected)


def lacks_rules(entry):
    """No rules, though a varied argument could reach it (a runtime helper not
    declared non-differentiable, or any primitive with a differentiable argument)."""
    if entry.has_rules or entry.name in NOT_DIFFERENTIABLE:
        return False
    return differentiable(entry) or entry.syntax.text.startswith("runtime.")
