"""Jacobians: forward mode column by column, reverse mode row by row, or the cheaper.

``jacfwd(f)(x)`` runs the generated ``f_jacfwd`` once, with every basis
direction of ``x`` in one batch of tangents (a leading batch axis): the ``n``
columns of the Jacobian from one call of vectorised code.  ``jacrev(f)(x)``
runs the forward sweep ``f_jacrev_fwd`` once, then the backward sweep
``f_jacrev_bwd`` once with every basis direction of the outputs in one batch
of cotangents: the ``m`` rows.  ``jacobian(f, mode="auto")`` picks, at each
call, the mode :func:`cheaper_mode` estimates cheaper for the sizes at hand;
``mode="optimal"`` brackets a chain of stages (:mod:`s2sad.bracketing`).  For
a vector ``x``, forward mode calls ``f_jacfwd_identity`` where the file has
it: the same code with the identity for its directions, a product ``W @ x``
giving the columns of ``W`` as they are (:mod:`s2sad.passes.identity`).

As JAX's, a Jacobian has shape ``out.shape + x.shape`` (a float for a number
of a number); for several outputs (a returned tuple) and several ``wrt``
parameters the blocks nest as tuples, outputs outside, parameters inside.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import sys
from typing import Any, Callable

import numpy as np

from . import dependences, runtime
from .api import Entry, PathLike, Wrt, cached
from .checks import with_defaults
from .errors import DifferentiationError, call_site
from .backend.layout import grouped
from .bracketing import optimal_jacobian
from .compressed import OutputsChanged, Sparse, Sweep, checked_sparsity, shapes_key
from .seeds import basis, float_dtype, number_or, owned

MODES = ("fwd", "rev", "auto", "optimal")
"""The modes of :func:`jacobian`."""

ADJOINT_COST = 1.5
"""The estimated cost of one adjoint (reverse) sweep over one tangent (forward)
sweep, per direction of a batch: the backward sweep also reads its residuals
and accumulates adjoints.  :func:`cheaper_mode` weighs the ``m`` rows with it
against the ``n`` columns."""


def cheaper_mode(n: int, m: int) -> str:
    """``"rev"`` when ``m`` adjoint sweeps cost less than ``n`` tangent sweeps
    (``ADJOINT_COST * m < n``, for ``n`` input and ``m`` output entries), else
    ``"fwd"``."""
    return "rev" if ADJOINT_COST * m < n else "fwd"


def jacfwd(
    f: Callable[..., Any] | None = None,
    wrt: Wrt = 0,
    *,
    sparsity: Any = None,
    dense: bool = True,
    output_dir: PathLike = None,
) -> Any:
    """The Jacobian of ``f`` with respect to parameter(s) ``wrt`` in forward mode:
    ``jacfwd(f)(*args)`` has shape ``out.shape + x.shape`` (a float for a number
    of a number; tuples for several outputs, outside, and several ``wrt``, inside).

    One call of the generated ``f_jacfwd`` carries every basis direction of the
    ``wrt`` parameters as one batch of tangents: cost about ``n`` tangent sweeps
    for ``n`` input entries.  The returned function carries ``.source`` and
    ``.path`` of that file (``<f>_jacfwd_<wrt>.py``).
    """
    if f is None:
        return functools.partial(
            jacfwd, wrt=wrt, sparsity=sparsity, dense=dense, output_dir=output_dir
        )
    return jacobian(
        f, wrt, mode="fwd", sparsity=sparsity, dense=dense, output_dir=output_dir
    )


def jacrev(
    f: Callable[..., Any] | None = None,
    wrt: Wrt = 0,
    *,
    sparsity: Any = None,
    dense: bool = True,
    output_dir: PathLike = None,
) -> Any:
    """The Jacobian of ``f`` with respect to parameter(s) ``wrt`` in reverse mode,
    shaped as :func:`jacfwd`'s.

    One forward sweep ``f_jacrev_fwd``, then one call of the backward sweep
    ``f_jacrev_bwd`` with every basis direction of the outputs as one batch of
    cotangents: cost about ``m`` adjoint sweeps for ``m`` output entries.  The
    returned function carries ``.source`` and ``.path`` of that file
    (``<f>_jacrev_<wrt>.py``).
    """
    if f is None:
        return functools.partial(
            jacrev, wrt=wrt, sparsity=sparsity, dense=dense, output_dir=output_dir
        )
    return jacobian(
        f, wrt, mode="rev", sparsity=sparsity, dense=dense, output_dir=output_dir
    )


def jacobian(
    f: Callable[..., Any] | None = None,
    wrt: Wrt = 0,
    *,
    mode: str = "auto",
    sparsity: Any = None,
    dense: bool = True,
    output_dir: PathLike = None,
) -> Any:
    """The Jacobian of ``f`` with respect to parameter(s) ``wrt``, shaped as
    :func:`jacfwd`'s, in ``mode`` ``"fwd"`` (:func:`jacfwd`), ``"rev"``
    (:func:`jacrev`), ``"auto"`` or ``"optimal"``.

    ``"auto"`` chooses at each call from the sizes: ``n`` entries of the ``wrt``
    arguments against ``m`` entries of the outputs, reverse mode where
    ``ADJOINT_COST * m < n`` (:func:`cheaper_mode`; ``ADJOINT_COST`` is 1.5);
    where s2sad refuses one mode for ``f`` (a checkpointed loop's reversal,
    which ``jacrev`` cannot batch), it takes the other at every call.
    The output sizes are learnt from the first call with arguments of given
    shapes, which runs the forward sweep first (and keeps it when reverse mode
    is chosen); later calls with those shapes go straight to the mode chosen.
    With ``sparsity`` (one output and one parameter), the Jacobian comes from
    one product per colour of the pattern's columns (forward mode) or rows
    (reverse mode, weighed by ``ADJOINT_COST``), in one batch with one random
    check direction more: a tridiagonal Jacobian takes four tangent sweeps.
    ``sparsity`` is a boolean array, True where an entry can be nonzero, of shape
    ``(outputs, inputs)`` or ``out.shape + x.shape`` (a pattern that misses a
    nonzero is refused at the call that shows it), or ``"detect"``: the
    pattern of the program's dependences at the first arguments of given
    shapes (:mod:`s2sad.dependences`; the nonzeros of the dense Jacobian there
    where the code cannot carry dependence sets), widened wherever the check
    of a later call finds one more (that call then returns the dense
    Jacobian).  ``.products`` is the number of directions of the last call,
    ``.pattern_source`` where its pattern came from (``"given"``,
    ``"dependences"``, ``"values"`` or ``"widened"``).  ``dense=False`` returns a sparse Jacobian as the
    triplets ``(values, (rows, columns))`` of its pattern's entries in the
    ``outputs × inputs`` matrix (as ``scipy.sparse.coo_matrix`` takes them; the
    rows and columns are read-only, shared by the calls).

    ``"optimal"`` (one parameter, one output) cuts ``f``'s body into its chain
    of stages, the statements each computing from the previous one alone, and
    gets each sub-chain's Jacobian in its cheaper mode, multiplied in the
    cheapest order (:mod:`s2sad.bracketing`); its ``.plan`` is the plan of the
    last call, as :func:`s2sad.jacobian_plan` shows it.

    The returned function's ``.mode`` is the mode of its last call (None
    before the first); its ``.paths`` and ``.sources`` hold both generated
    files by mode, and ``.path`` and ``.source`` are those of ``.mode``'s
    (forward mode's before the first call).
    """
    if f is None:
        return functools.partial(
            jacobian,
            wrt=wrt,
            mode=mode,
            sparsity=sparsity,
            dense=dense,
            output_dir=output_dir,
        )
    if mode not in MODES:
        raise DifferentiationError(
            f"jacobian: unknown mode {mode!r}",
            hint=f"use one of {', '.join(map(repr, MODES))}",
            **call_site(),
        )
    if getattr(f, "is_jacobian", False):
        raise DifferentiationError(
            f"cannot take the Jacobian of {f.__qualname__}, a Jacobian s2sad made",
            hint="for a Hessian take the Jacobian of the gradient: "
            "s2sad.jacfwd(s2sad.grad(f)) (or s2sad.hessian(f))",
            **call_site(),
        )
    sparsity = checked_sparsity(sparsity, dense)
    if mode == "optimal":
        if sparsity is not None:
            raise DifferentiationError(
                "jacobian: mode='optimal' brackets dense stages; it takes no sparsity",
                hint="use mode='auto' (or 'fwd', 'rev') with sparsity=",
                **call_site(),
            )
        key = (f, "jacobian", tuple(wrt) if isinstance(wrt, list) else wrt, mode)
        return cached(key + (output_dir,), lambda: optimal_jacobian(f, wrt, output_dir))
    if sparsity is not None:
        return _jacobian(f, wrt, mode, (sparsity, dense), output_dir)
    key = (f, "jacobian", tuple(wrt) if isinstance(wrt, list) else wrt, mode)
    key += (output_dir,)
    return cached(key, lambda: _jacobian(f, wrt, mode, None, output_dir))


def _jacobian(
    f: Callable[..., Any], wrt: Wrt, mode: str, sparsity: Any, output_dir: PathLike
) -> Callable[..., Any]:
    forward, backward = _entries(f, wrt, mode, output_dir)
    first = forward or backward
    sizes: dict[tuple, int] = {}
    who = {"fwd": "jacfwd", "rev": "jacrev", "auto": "jacobian"}[mode]
    sparse = None
    if sparsity is not None:
        sparse = _sparse(first, sparsity, who)

    def jacobian_of(*args: Any) -> Any:
        full = first.arguments(args, who)
        if sparse is not None:
            dense = functools.partial(dense_jacobian, full, args)
            return _sparse_jacobian(
                jacobian_of, sparse, (forward, backward), full, args, dense
            )
        return dense_jacobian(full, args)

    def dense_jacobian(full: tuple, args: tuple) -> Any:
        if forward is None:
            return _ran(jacobian_of, backward, backward.jacobian(full, args))
        if backward is None:
            return _ran(jacobian_of, forward, forward.jacobian(full, args))
        n = sum(np.size(args[k]) for k in first.positions)
        shapes = shapes_key(args)
        m = sizes.get(shapes)
        if m is None:
            with contextlib.redirect_stdout(io.StringIO()) as printed:
                outputs, residuals = backward.forward_sweep(full)
            m = sizes[shapes] = sum(np.size(v) for v in outputs)
            if cheaper_mode(n, m) == "rev":
                sys.stdout.write(printed.getvalue())
                blocks = backward.jacobian(full, args, (outputs, residuals))
                return _ran(jacobian_of, backward, blocks)
        if cheaper_mode(n, m) == "rev":
            return _ran(jacobian_of, backward, backward.jacobian(full, args))
        return _ran(jacobian_of, forward, forward.jacobian(full, args))

    first.named(jacobian_of)
    del jacobian_of.generated
    jacobian_of.is_jacobian = True
    jacobian_of.__doc__ = (
        f"The Jacobian of {first.target.label} ({who}): out.shape + x.shape per "
        "output and parameter."
    )
    jacobian_of.mode = None
    jacobian_of.products = None
    jacobian_of.pattern_source = None
    jacobian_of.paths = {e.mode: e.generated.path for e in (forward, backward) if e}
    jacobian_of.sources = {e.mode: e.generated.source for e in (forward, backward) if e}
    return jacobian_of


def _entries(
    f: Callable[..., Any], wrt: Wrt, mode: str, output_dir: PathLike
) -> tuple["_Columns | None", "_Rows | None"]:
    """The forward and reverse entries ``mode`` uses (None for a mode it does
    not); for ``"auto"``, the one mode alone where s2sad refuses the other for
    ``f`` (reverse mode over a checkpointed loop's schedule, say)."""
    forward = backward = None
    if mode in ("fwd", "auto"):
        try:
            forward = _Columns(f, wrt, output_dir)
        except DifferentiationError:
            if mode == "fwd":
                raise
    if mode in ("rev", "auto"):
        try:
            backward = _Rows(f, wrt, output_dir)
        except DifferentiationError:
            if forward is None:
                raise
    return forward, backward


def _sparse(first: "_Modes", sparsity: Any, who: str) -> Sparse:
    """The patterns of a sparse Jacobian, for one output and one parameter."""
    if first.outputs != 1 or not first.single:
        raise first.target.error(
            f"{who} of {first.target.label} with sparsity: a sparse Jacobian is of "
            "one output with respect to one parameter",
            "return one array, and pass one parameter as wrt (stack several with "
            "np.concatenate)",
        )
    pattern, dense = sparsity
    return Sparse(pattern, False, "Jacobian", first.target.error, dense)


def _sparse_jacobian(
    fn: Callable[..., Any],
    sparse: Sparse,
    modes: tuple,
    full: tuple,
    args: tuple,
    dense: Callable[[], Any],
) -> Any:
    """The Jacobian from the compressed products of the mode (of ``modes``,
    forward and reverse, either None) that needs fewer (``ADJOINT_COST``
    weighing reverse mode's), shaped ``out.shape + x.shape``."""
    forward, backward = modes
    first = forward or backward
    x = args[first.positions[0]]
    dtype = float_dtype([x])
    out_shape: list = []
    sweeps = {}
    if forward is not None:

        def columns(directions: np.ndarray) -> np.ndarray:
            batch = directions.T.astype(dtype).reshape((-1,) + np.shape(x))
            outputs, tangents = forward.tangents(full, (batch,))
            out_shape[:] = [np.shape(outputs[0])]
            return tangents[0].reshape(len(batch), -1).T

        sweeps["fwd"] = Sweep(columns)
    if backward is not None:

        def rows(directions: np.ndarray) -> np.ndarray:
            outputs, residuals = backward.forward_sweep(full)
            out_shape[:] = [np.shape(outputs[0])]
            if np.size(outputs[0]) != len(directions):
                raise OutputsChanged(np.size(outputs[0]))
            batch = directions.T.astype(float_dtype(outputs))
            batch = batch.reshape((-1,) + np.shape(outputs[0]))
            adjoints = backward.cotangents(residuals, (batch,), args)
            return adjoints[0].reshape(len(batch), -1).T

        sweeps["rev"] = Sweep(rows, ADJOINT_COST, transposed=True)

    def dense_matrix() -> np.ndarray:
        block = dense()
        while isinstance(block, tuple):  # one output, returned as a one-tuple
            block = block[0]
        block = np.asarray(block)
        out_shape[:] = [block.shape[: block.ndim - np.ndim(x)]]
        return block.reshape(math.prod(out_shape[0]), np.size(x))

    def structure() -> np.ndarray | None:
        return dependences.pattern_from(dependence_rows)

    def dependence_rows() -> np.ndarray:
        if forward is not None:
            _, tangents = forward.tangents(full, (dependences.seed(np.shape(x)),))
            return dependences.rows(tangents[0], np.size(x))
        outputs, residuals = backward.forward_sweep(full)
        seed = dependences.seed(np.shape(outputs[0]))
        adjoints = backward.cotangents(residuals, (seed,), args)
        return dependences.rows(adjoints[0], seed.size).T

    shapes = shapes_key(args)
    found, mode = sparse.matrix(shapes, np.size(x), sweeps, dense_matrix, structure)
    fn.products = sparse.products
    fn.pattern_source = sparse.sources.get(shapes)
    if mode is not None:
        _ran(fn, forward if mode == "fwd" else backward, None)
    if not sparse.dense:
        return found
    matrix = number_or(found.reshape(out_shape[0] + np.shape(x)))
    return first.nested([[matrix]])  # as the dense Jacobian: (J,) for (y,)


def _ran(fn: Callable[..., Any], entry: "_Columns | _Rows", blocks: Any) -> Any:
    """``blocks``, after recording on ``fn`` the mode and file that computed them."""
    fn.mode = entry.mode
    fn.path, fn.source = entry.generated.path, entry.generated.source
    return blocks


class _Modes(Entry):
    """The generated file of one mode of a Jacobian, and how its blocks are cut."""

    mode = ""

    def __init__(self, f: Callable[..., Any], wrt: Wrt, output_dir: PathLike):
        super().__init__(f, f"jac{self.mode}", wrt, output_dir)
        meta = self.derivative.meta
        self.outputs = meta["outputs"]
        self.layout = meta.get("layout")
        self.user_layout = self.layout or ((1,) if meta.get("one_tuple") else None)

    derivative_name = "Jacobian"
    integer_numbers = False

    def checked_outputs(self, outputs: list) -> list:
        """The outputs, each a float or a float array (else a clear error)."""
        for k, value in enumerate(outputs):
            if isinstance(value, (float, np.floating)):
                continue
            if type(value) is np.ndarray and value.dtype.kind == "f":
                continue
            what = (
                f"an array of dtype {value.dtype}"
                if isinstance(value, np.ndarray)
                else f"a {type(value).__name__}"
            )
            raise self.target.error(
                f"jacobian of {self.target.label}: output {k} is {what}; a Jacobian "
                "needs float numbers or float arrays",
                "return float values (float(v), v.astype(float)), or differentiate "
                "the float outputs alone",
            )
        return outputs

    def nested(self, blocks: list[list[Any]]) -> Any:
        """The blocks by output, then parameter, nested as JAX's: one value per
        output where ``wrt`` is one parameter, the outputs grouped as ``f``'s are."""
        rows = [row[0] if self.single else tuple(row) for row in blocks]
        return grouped(
            rows[0] if self.outputs == 1 else tuple(rows),
            self.outputs,
            self.user_layout,
        )

    def wrt_shapes(self, args: tuple) -> tuple:
        """The shapes of the ``wrt`` arguments."""
        return tuple(np.shape(args[k]) for k in self.positions)


class _Columns(_Modes):
    """Forward mode: a batch of the basis directions of the ``wrt`` parameters."""

    mode = "fwd"

    def __init__(self, f: Callable[..., Any], wrt: Wrt, output_dir: PathLike):
        super().__init__(f, wrt, output_dir)
        self.identity = self.derivative.identity_columns()

    def jacobian(self, full: tuple, args: tuple) -> Any:
        """The Jacobian blocks at ``args`` (``full``: with fixed arguments): for a
        vector, from the columns for the identity seed where the file has them."""
        primals = [args[k] for k in self.positions]
        shapes = self.wrt_shapes(args)
        seeds = basis(shapes, float_dtype(primals))
        if self.identity is not None and len(shapes[0]) == 1:
            outputs, tangents = self.tangents(full, (), self.identity)
            tangents = [owned(t, seeds.dtype) for t in tangents]
        else:
            outputs, tangents = self.tangents(full, seeds.batches)
            tangents = [
                np.array(t) if np.may_share_memory(t, seeds.identity) else t
                for t in tangents
            ]
        blocks = []
        for t, v in zip(tangents, outputs):
            columns = t.reshape(seeds.count, np.size(v))
            blocks.append(
                [
                    number_or(columns[start : start + n].T.reshape(np.shape(v) + s))
                    for start, n, s in zip(seeds.starts, seeds.sizes, shapes)
                ]
            )
        return self.nested(blocks)

    def tangents(
        self, full: tuple, batches: tuple, entry: Callable[..., Any] | None = None
    ) -> tuple[list, list]:
        """The outputs (checked) and their tangents along the ``batches`` of
        directions of the ``wrt`` parameters, each of shape ``(k,) + out.shape``
        (``entry``: the generated function to call, the batched one by default)."""
        entry = entry or self.generated
        both = entry(*with_defaults(self.target, full), *batches)
        layout = self.layout or ((None,) if self.outputs == 1 else (self.outputs,))
        outputs = self.checked_outputs(_ungrouped(both[: len(layout)], layout))
        tangents = [
            np.asarray(runtime.broadcast_like_batched(t, v))
            for t, v in zip(_ungrouped(both[len(layout) :], layout), outputs)
        ]
        return outputs, tangents


class _Rows(_Modes):
    """Reverse mode: one forward sweep, then a batch of the basis directions of
    the outputs as cotangents of one backward sweep."""

    mode = "rev"

    def __init__(self, f: Callable[..., Any], wrt: Wrt, output_dir: PathLike):
        super().__init__(f, wrt, output_dir)
        self.backward = self.derivative.entry(1)

    def forward_sweep(self, full: tuple) -> tuple[list, Any]:
        """The outputs (a list, checked) and the residuals at ``full``."""
        out, residuals = self.generated(*with_defaults(self.target, full))
        return self.checked_outputs(_flat_outputs(out, self.outputs)), residuals

    def jacobian(
        self, full: tuple, args: tuple, swept: tuple[list, Any] | None = None
    ) -> Any:
        """The Jacobian blocks at ``args`` (``full``: with fixed arguments),
        from the forward sweep ``swept`` where it already ran."""
        outputs, residuals = swept or self.forward_sweep(full)
        shapes = self.wrt_shapes(args)
        out_shapes = tuple(np.shape(v) for v in outputs)
        seeds = basis(out_shapes, float_dtype(outputs))
        if not seeds.count:
            return self.nested([[np.zeros(o + s) for s in shapes] for o in out_shapes])
        adjoints = self.cotangents(residuals, seeds.batches, args)
        if seeds.shared(adjoints):
            adjoints = [np.array(a) for a in adjoints]
        blocks = [
            [
                number_or(a[start : start + m].reshape(o + s))
                for a, s in zip(adjoints, shapes)
            ]
            for start, m, o in zip(seeds.starts, seeds.sizes, out_shapes)
        ]
        return self.nested(blocks)

    def cotangents(self, residuals: Any, batches: tuple, args: tuple) -> list:
        """The adjoints of the ``wrt`` parameters for the ``batches`` of output
        cotangents, each of shape ``(k,) + x.shape``."""
        adjoints = self.backward(residuals, *batches)
        return [
            np.asarray(runtime.broadcast_like_batched(a, args[k]))
            for a, k in zip(adjoints, self.positions)
        ]


def _flat_outputs(out: Any, count: int) -> list:
    """The generated function's flat outputs as a list."""
    return [out] if count == 1 else list(out)


def _ungrouped(groups: Any, layout: tuple) -> list:
    """The values of ``groups``, grouped by ``layout``, as one flat list."""
    flat: list = []
    for group, size in zip(groups, layout):
        flat.extend([group] if size is None else group)
    return flat
