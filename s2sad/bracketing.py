"""``mode="optimal"``: the Jacobian of a chain of stages, bracketed by dynamic programming.

A function whose body is a chain ``h = g1(x)``, ``y = g2(h)``, ... (each
statement computing from the previous one alone, see
:mod:`s2sad.passes.stages`) has the Jacobian ``J_k ⋯ J_1``.  Each stage gets
its own generated files, the batched forward mode (``<f>_<h>_jacfwd_<x>.py``)
and the batched reverse mode (``<f>_<h>_jacrev_<x>.py``).  At the first call
with arguments of given shapes, each stage's forward sweep is timed once
(best of :data:`TIMINGS`) and :func:`s2sad.chain.best_plan` weighs, on the
stated cost model, every way to get the product: a sub-chain in forward mode
costs its input's size times the stages' tangent sweeps (each as long as the
stage itself, :data:`TANGENT_COST`), in reverse mode its forward sweeps plus
its output's size times the adjoint sweeps (:data:`ADJOINT_COST` times the
stage), and a product of two dense blocks ``m·k·n`` multiply-adds (timed on
this machine once).  The plan is kept for those shapes; :func:`jacobian_plan`
shows it next to all-forward and all-reverse.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import runtime
from .api import Derivative, Entry, PathLike, Wrt, cached, emit_derivative
from .cache.loader import resolve_output_dir
from .cache.provenance import source_name
from .chain import FORWARD, REVERSE, SPLIT, Plan, Stage, best_plan, sweep_cost
from .checks import with_defaults
from .compressed import shapes_key
from .frontend.program import lower
from .passes.pipeline import derivative_functions
from .passes.stages import StageFunction, cut_stages
from .quiet import quietly
from .seeds import basis, float_dtype, number_or, owned

TANGENT_COST = 1.0
"""A tangent sweep of one direction, over the time of the stage itself."""
ADJOINT_COST = 1.5
"""An adjoint sweep of one direction, over the time of the stage itself (as
:data:`s2sad.jacobians.ADJOINT_COST`)."""
TIMINGS = 3
"""Each stage's forward sweep is timed this many times at planning; the best counts."""


def optimal_jacobian(
    f: Callable[..., Any], wrt: Wrt, output_dir: PathLike
) -> Callable[..., Any]:
    """The function computing the Jacobian of ``f`` along ``wrt`` by the
    cheapest bracketing of its chain of stages (see the module docstring); its
    ``.plan`` is the :class:`JacobianPlan` of its last call."""
    chain = _chain(f, wrt, output_dir)

    def jacobian_of(*args: Any) -> Any:
        values, x = chain.values(args)
        plan = chain.plan(values, x)
        jacobian_of.plan = plan
        out, matrix = chain.run(plan.best, values, x)
        arrays = [a for a in values if isinstance(a, np.ndarray)]
        shared = any(np.may_share_memory(matrix, a) for a in arrays)
        if shared or not matrix.flags.writeable:
            matrix = np.array(matrix)
        return number_or(matrix.reshape(np.shape(out) + np.shape(x)))

    chain.entry.named(jacobian_of)
    del jacobian_of.generated
    jacobian_of.is_jacobian = True
    jacobian_of.__doc__ = (
        f"The Jacobian of {chain.entry.target.label} (optimal bracketing of its "
        "chain of stages): out.shape + x.shape."
    )
    jacobian_of.mode = "optimal"
    jacobian_of.plan = None
    jacobian_of.paths = {s.name: (s.forward.path, s.reverse.path) for s in chain.stages}
    return jacobian_of


def jacobian_plan(
    f: Callable[..., Any], *args: Any, wrt: Wrt = 0, output_dir: PathLike = None
) -> "JacobianPlan":
    """How ``jacobian(f, wrt, mode="optimal")`` gets the Jacobian at ``args``: the
    chain's stages, the bracketing chosen and its estimated cost, next to
    all-forward and all-reverse (print it)."""
    chain = _chain(f, wrt, output_dir)
    values, x = chain.values(args)
    return chain.plan(values, x)


@dataclass(frozen=True)
class JacobianPlan:
    """The plan of one chain at one set of argument shapes."""

    function: str
    stages: tuple[Stage, ...]
    sizes: tuple[int, ...]
    best: Plan
    forward: float
    """All-forward's estimated cost (multiply-adds)."""
    reverse: float
    """All-reverse's estimated cost (multiply-adds)."""
    seconds: float
    """The time of one multiply-add of a dense product on this machine."""

    def __str__(self) -> str:
        stages = list(self.stages)
        last = len(stages) - 1
        rows = [f"Jacobian of {self.function}: a chain of {len(stages)} stage(s)"]
        for k, stage in enumerate(stages):
            rows.append(
                f"  {stage.name}: {self.sizes[k]} -> {self.sizes[k + 1]} "
                f"(one evaluation {self._time(stage.primal)})"
            )
        forward = Plan(0, last, FORWARD, self.forward).describe(stages)
        reverse = Plan(0, last, REVERSE, self.reverse).describe(stages)
        rows += [
            f"chosen:      {self.best.describe(stages)}  ~{self._time(self.best.cost)}",
            f"all forward: {forward}  ~{self._time(self.forward)}",
            f"all reverse: {reverse}  ~{self._time(self.reverse)}",
        ]
        return "\n".join(rows)

    def _time(self, cost: float) -> str:
        seconds = cost * self.seconds
        if seconds >= 1e-3:
            return f"{seconds * 1e3:.3g} ms"
        return f"{seconds * 1e6:.3g} µs"


@dataclass
class _StageFiles:
    """A stage's generated files: batched forward mode and batched reverse mode."""

    name: str
    reads: list[int]
    forward: Derivative
    reverse: Derivative

    def __post_init__(self) -> None:
        self.columns = self.forward.entry(0)
        self.identity = self.forward.identity_columns()
        self.sweep = self.reverse.entry(0)
        self.backward = self.reverse.entry(1)


class _ChainEntry(Entry):
    """The whole function's forward-mode file, which checks the arguments as
    the Jacobians' do."""

    derivative_name = "Jacobian"
    integer_numbers = False


class _Chain:
    """The stages of one function along one parameter, their files and plans."""

    def __init__(self, f: Callable[..., Any], wrt: Wrt, output_dir: PathLike):
        self.entry = _ChainEntry(f, "jacfwd", wrt, output_dir)
        if self.entry.count != 1:
            raise self.entry.target.error(
                f"jacobian(mode='optimal') of {self.entry.target.label}: it brackets "
                "the chain of one parameter, not of several",
                "name one parameter with wrt=, or use mode='auto'",
            )
        target = self.entry.target
        primal = lower(target.fn)
        self.index = self.entry.derivative.meta["indices"][0]
        if len(primal.returned) != 1:
            raise target.error(
                f"jacobian(mode='optimal') of {target.label}: it returns "
                f"{len(primal.returned)} values; a chain has one output",
                "return one array, or use mode='auto'",
            )
        directory = resolve_output_dir(output_dir)
        module, qualname = source_name(target.fn)
        self.stages = [
            _files(stage, directory, module, qualname)
            for stage in cut_stages(primal, self.index)
        ]
        self.plans: dict[tuple, JacobianPlan] = {}
        self.label = target.label

    def values(self, args: tuple) -> tuple[tuple, Any]:
        """The checked arguments, every parameter's value, and ``x``."""
        full = self.entry.arguments(args, "jacobian")
        values = with_defaults(self.entry.target, full)
        return values, values[self.index]

    def plan(self, values: tuple, x: Any) -> JacobianPlan:
        """The plan for the shapes of ``values`` (made and timed at the first call)."""
        key = shapes_key(values)
        found = self.plans.get(key)
        if found is None:
            found = self.plans[key] = self._make_plan(values, x)
        return found

    def _make_plan(self, values: tuple, x: Any) -> JacobianPlan:
        seconds = _multiply_add_seconds()
        stages, sizes, v = [], [np.size(x)], x
        for stage in self.stages:
            args = (v, *(values[k] for k in stage.reads))
            with quietly():
                best, (out, _) = _best_seconds(lambda: stage.sweep(*args))
            cost = best / seconds
            stages.append(
                Stage(stage.name, cost, TANGENT_COST * cost, ADJOINT_COST * cost)
            )
            sizes.append(np.size(out))
            v = out
        last = len(stages) - 1
        return JacobianPlan(
            self.label,
            tuple(stages),
            tuple(sizes),
            best_plan(stages, sizes),
            sweep_cost(stages, sizes, 0, last, FORWARD),
            sweep_cost(stages, sizes, 0, last, REVERSE),
            seconds,
        )

    def run(self, plan: Plan, values: tuple, x: Any) -> tuple[Any, np.ndarray]:
        """The output and the Jacobian (``outputs × inputs``) by ``plan``."""
        blocks, v = {}, x
        for leaf in _leaves(plan):
            sweep = self._forward if leaf.mode == FORWARD else self._reverse
            v, blocks[leaf.first, leaf.last] = sweep(leaf, values, v)
        return v, _product(plan, blocks)

    def _forward(self, leaf: Plan, values: tuple, v: Any) -> tuple[Any, np.ndarray]:
        """Stages ``leaf.first..leaf.last`` in forward mode from the basis of ``v``."""
        n, tangents = np.size(v), None
        for stage in self.stages[leaf.first : leaf.last + 1]:
            args = (v, *(values[k] for k in stage.reads))
            if tangents is not None:
                out, tangents = stage.columns(*args, tangents)
            elif stage.identity is not None and np.ndim(v) == 1:
                out, tangents = stage.identity(*args)
                tangents = owned(np.asarray(tangents), float_dtype([v]))
            else:
                seeds = basis((np.shape(v),), float_dtype([v]))
                out, tangents = stage.columns(*args, seeds.batches[0])
            tangents = runtime.broadcast_like_batched(tangents, out)
            v = out
        return v, np.asarray(tangents).reshape(n, np.size(v)).T

    def _reverse(self, leaf: Plan, values: tuple, v: Any) -> tuple[Any, np.ndarray]:
        """Stages ``leaf.first..leaf.last`` in reverse mode from the basis of their output."""
        n, swept = np.size(v), []
        for stage in self.stages[leaf.first : leaf.last + 1]:
            out, residuals = stage.sweep(v, *(values[k] for k in stage.reads))
            swept.append((stage, residuals, v))
            v = out
        adjoints = basis((np.shape(v),), float_dtype([v])).batches[0]
        for stage, residuals, before in reversed(swept):
            (adjoints,) = stage.backward(residuals, adjoints)
            adjoints = runtime.broadcast_like_batched(adjoints, before)
        return v, np.asarray(adjoints).reshape(np.size(v), n)


def _chain(f: Callable[..., Any], wrt: Wrt, output_dir: PathLike) -> _Chain:
    key = (f, "jacobian-chain", tuple(wrt) if isinstance(wrt, list) else wrt)
    return cached(key + (output_dir,), lambda: _Chain(f, wrt, output_dir))


def _files(stage: StageFunction, directory, module: str, qualname: str) -> _StageFiles:
    """Generate (or find) the two files of ``stage``."""
    made = []
    for kind in ("jacfwd", "jacrev"):
        functions = derivative_functions(stage.function, kind, [0], True)
        name = f"{qualname}[{stage.name}]"
        made.append(
            emit_derivative(
                stage.function,
                kind,
                [0],
                True,
                functions,
                directory,
                module,
                name,
                None,
            )
        )
    return _StageFiles(stage.name, stage.reads, *made)


def _leaves(plan: Plan) -> list[Plan]:
    """The forward and reverse sub-chains of ``plan``, in the order of the stages."""
    if plan.mode != SPLIT:
        return [plan]
    left, right = plan.parts
    return _leaves(left) + _leaves(right)


def _product(plan: Plan, blocks: dict) -> np.ndarray:
    """The Jacobian of ``plan``'s sub-chain from its leaves' ``blocks``, multiplied
    in the order the plan brackets them."""
    if plan.mode != SPLIT:
        return blocks[plan.first, plan.last]
    left, right = plan.parts
    return _product(right, blocks) @ _product(left, blocks)


def _best_seconds(run: Callable[[], Any]) -> tuple[float, Any]:
    """The least time of :data:`TIMINGS` calls of ``run``, and what it returned."""
    best = math.inf
    for _ in range(TIMINGS):
        start = time.perf_counter()
        returned = run()
        best = min(best, time.perf_counter() - start)
    return best, returned


@functools.cache
def _multiply_add_seconds() -> float:
    """The time of one multiply-add of a dense ``256³`` product here (timed once)."""
    a = np.full((256, 256), 0.5)
    return _best_seconds(lambda: a @ a)[0] / 256**3
