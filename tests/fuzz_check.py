"""The oracle for random programs: run s2sad on one program at one point and
classify what happened.

Shared by tests/test_random_programs.py (which asserts the outcome) and
tests/fuzz.py (which counts outcomes and shrinks failures).  For a program
``f(x, y)`` at a point it checks

1. ``grad`` and ``value_and_grad`` (``wrt=(0, 1)``) against central finite
   differences, ``jvp`` along a tangent against the same, ``vjp`` against the
   finite-difference gradient and against ``jvp`` by the dot-product test
   ``<J t, c> == <t, J^T c>``;
2. the primal value of every derived function (``value_and_grad``'s value,
   ``jvp``'s and ``vjp``'s primal) against ``f``'s, to 1e-12;
3. that no call modified its arguments.

Each of the four transformations may instead raise an ``S2SADError``: a
refusal, which is acceptable.  Anything else is a failure: a wrong number or
shape (``wrong``), another exception (``crashed``), or a call that runs past
a time limit (``hang``).  Points near a branch switch (an ``if``/``while``
test or a ternary within :data:`MARGIN`), with values beyond
:data:`MAX_VALUE`, or where finite differences at two steps disagree are
``rejected``: the point says nothing about s2sad.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import math
import operator
import os
import signal
import sys
import threading
import traceback
from dataclasses import dataclass, field

import numpy as np
from numerics import central_gradient_arrays

import s2sad

MARGIN = 1e-3  # |left - right| of every test evaluated at the point
MAX_VALUE = 1e3  # |every value assigned|
FD_STEP = 1e-6
PRIMAL_RTOL = 1e-12
MODES = ("grad", "value_and_grad", "jvp", "vjp")
SECOND_ORDER = ("hvp", "vjp_of_grad")
"""Derivatives of the generated gradient: forward over reverse (a Hessian-vector
product against differences of the gradient) and reverse over reverse (against
the Hessian-vector product by the dot-product test)."""
TIME_LIMIT = 20.0  # seconds per transformation and call
MODULE_NUMBER = itertools.count()
COMPARE = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}


@dataclass(frozen=True)
class Point:
    """Where to evaluate: the arguments, a tangent for each, a cotangent."""

    args: tuple
    tangents: tuple
    cotangent: float


@dataclass
class Outcome:
    """What s2sad did with one program at one point."""

    kind: str  # correct, refused, wrong, crashed, hang, rejected
    mode: str = ""  # the transformation that failed
    detail: str = ""
    refusals: list = field(default_factory=list)  # (mode, message)

    @property
    def failed(self) -> bool:
        return self.kind in ("wrong", "crashed", "hang")

    def signature(self) -> tuple:
        """What distinguishes one failure from another (for grouping and shrinking)."""
        return (self.kind, self.mode, self.detail.split(":", 1)[0])


class Hang(BaseException):
    """Raised by the timer when a call runs past its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`Hang` in the body after ``seconds`` (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(signum, frame):
        raise Hang()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def load(source: str, directory) -> object:
    """The module ``source`` written to its own file and imported under a fresh name
    (s2sad reads the source with ``inspect``, so it must be a real file)."""
    name = f"random_program_{os.getpid()}_{next(MODULE_NUMBER)}"
    path = os.path.join(str(directory), f"{name}.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def copied(values: tuple) -> tuple:
    """Fresh copies of the array entries of ``values``."""
    return tuple(v.copy() if isinstance(v, np.ndarray) else v for v in values)


def _largest(value) -> float:
    if isinstance(value, (tuple, list)):
        return max([0.0] + [_largest(v) for v in value])
    array = np.asarray(value, dtype=float)
    return float(np.max(np.abs(array))) if array.size else 0.0


def trace(program, args: tuple):
    """The margins of the tests and the largest value assigned when ``f(*args)`` runs."""
    margins, largest = [], [0.0]

    def _test(left, op, right):
        margins.append(float(left - right))
        return COMPARE[op](left, right)

    def _record(value):
        largest[0] = max(largest[0], _largest(value))
        return value

    namespace = {"_test": _test, "_record": _record}
    exec(compile(program.traced_source(), "<traced program>", "exec"), namespace)
    with np.errstate(all="ignore"):
        namespace["f"](*copied(args))
    return margins, largest[0]


def screen(program, f, point: Point):
    """``(finite-difference gradient, scale)``, or a reason to reject the point."""
    try:
        margins, largest = trace(program, point.args)
    except (ArithmeticError, ValueError) as error:
        return f"f raises {type(error).__name__}: {error}"
    if any(abs(m) < MARGIN for m in margins):
        return "near a branch switch"
    if not (math.isfinite(largest) and largest <= MAX_VALUE):
        return "values too large"

    def at(*args):
        return f(*copied(args))

    with np.errstate(all="ignore"):
        fine = central_gradient_arrays(at, list(point.args), step=FD_STEP)
        coarse = central_gradient_arrays(at, list(point.args), step=10 * FD_STEP)
    for a, b in zip(fine, coarse):
        if not np.allclose(a, b, rtol=1e-4, atol=1e-5):
            return "finite differences disagree (a kink)"
    return fine, max(1.0, largest)


class Wrong(Exception):
    """A derived function gave a wrong value."""


def check(program, point: Point, directory, modes=MODES) -> Outcome:
    """Run every transformation of ``program`` at ``point`` and classify the result."""
    module = load(program.source(), directory)
    f = module.f
    screened = screen(program, f, point)
    if isinstance(screened, str):
        return Outcome("rejected", detail=screened)
    expected, scale = screened
    primal = f(*copied(point.args))
    context = _Context(f, point, expected, scale, primal, directory)
    failures, refusals = [], []
    for mode in modes:
        try:
            with time_limit(TIME_LIMIT):
                getattr(context, mode.replace("value_and_grad", "vag"))()
        except s2sad.S2SADError as error:
            refusals.append((mode, str(error)))
        except Wrong as error:
            failures.append(Outcome("wrong", mode, str(error)))
        except Hang:
            failures.append(Outcome("hang", mode, f"Hang: over {TIME_LIMIT} s"))
        except Exception as error:  # anything else is a crash, reported as such
            failures.append(Outcome("crashed", mode, _crash_text(error)))
    for kind in ("wrong", "crashed", "hang"):
        for failure in failures:
            if failure.kind == kind:
                failure.refusals = refusals
                return failure
    return Outcome("refused" if refusals else "correct", refusals=refusals)


def _crash_text(error: Exception) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = (
        f" (at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno})"
        if frames
        else ""
    )
    return f"{type(error).__name__}: {error}{where}"


class _Context:
    """The checks of one program at one point, one method per transformation."""

    def __init__(self, f, point, expected, scale, primal, directory):
        self.f, self.point, self.expected = f, point, expected
        self.scale, self.primal, self.directory = scale, primal, directory
        self.jvp_result = None
        self.hvp_result = None

    def _call(self, fn, *extra):
        """``fn(*args, *extra)`` on copies, checking that they are left unmodified."""
        args = copied(self.point.args)
        extra_copies = copied(extra)
        result = fn(*args, *extra_copies)
        for name, given, kept in (
            ("argument", args, self.point.args),
            ("tangent", extra_copies, extra),
        ):
            for k, (a, b) in enumerate(zip(given, kept)):
                if not np.array_equal(a, b):
                    raise Wrong(f"modified: {name} {k} changed from {b!r} to {a!r}")
        return result

    def _same_primal(self, value, what: str) -> None:
        value, primal = np.asarray(value, dtype=float), np.asarray(
            self.primal, dtype=float
        )
        if value.shape != primal.shape or not np.all(
            np.abs(value - primal) <= PRIMAL_RTOL * np.maximum(1.0, np.abs(primal))
        ):
            raise Wrong(f"primal: {what} is {value!r}, f gives {primal!r}")

    def _gradient_close(self, gradient, what: str, factor: float = 1.0) -> None:
        if not isinstance(gradient, tuple) or len(gradient) != len(self.expected):
            raise Wrong(
                f"derivative: {what} is {gradient!r}, not a tuple of {len(self.expected)}"
            )
        for k, (g, e) in enumerate(zip(gradient, self.expected)):
            e = factor * e
            if np.shape(g) != np.shape(e):
                raise Wrong(
                    f"shape: {what}[{k}] has shape {np.shape(g)}, expected {np.shape(e)}"
                )
            if not np.allclose(
                np.asarray(g, dtype=float), e, rtol=1e-5, atol=1e-6 * self.scale
            ):
                raise Wrong(
                    f"derivative: {what}[{k}] is {g!r}, finite differences give {e!r}"
                )

    def grad(self):
        fn = s2sad.grad(self.f, wrt=(0, 1), output_dir=self.directory)
        self._gradient_close(self._call(fn), "grad")

    def vag(self):
        fn = s2sad.value_and_grad(self.f, wrt=(0, 1), output_dir=self.directory)
        value, gradient = self._call(fn)
        self._same_primal(value, "value_and_grad's value")
        self._gradient_close(gradient, "value_and_grad's gradient")

    def jvp(self):
        tangents = self.point.tangents
        out, out_dot = self._call(
            lambda *both: s2sad.jvp(
                self.f, both[:2], both[2:], output_dir=self.directory
            ),
            *tangents,
        )
        self._same_primal(out, "jvp's primal")
        expected = sum(float(np.sum(e * t)) for e, t in zip(self.expected, tangents))
        if np.shape(out_dot) != () or not math.isclose(
            float(out_dot), expected, rel_tol=1e-5, abs_tol=1e-6 * self.scale
        ):
            raise Wrong(
                f"derivative: jvp's tangent is {out_dot!r}, finite differences give {expected!r}"
            )
        self.jvp_result = float(out_dot)

    def vjp(self):
        c = self.point.cotangent
        out, vjp_fn = self._call(
            lambda *args: s2sad.vjp(self.f, *args, output_dir=self.directory)
        )
        self._same_primal(out, "vjp's primal")
        adjoints = tuple(vjp_fn(c))
        self._gradient_close(adjoints, "vjp_fn(c)", factor=c)
        if self.jvp_result is not None:
            lhs = self.jvp_result * c
            rhs = sum(
                float(np.sum(t * a)) for t, a in zip(self.point.tangents, adjoints)
            )
            if not math.isclose(lhs, rhs, rel_tol=1e-9, abs_tol=1e-11 * self.scale):
                raise Wrong(f"dot product: <J t, c> = {lhs!r} but <t, J^T c> = {rhs!r}")

    def _gradient(self):
        return s2sad.grad(self.f, wrt=(0, 1), output_dir=self.directory)

    def hvp(self):
        gradient = self._gradient()
        tangents = self.point.tangents
        value, hv = self._call(
            lambda *both: s2sad.jvp(
                gradient, both[:2], both[2:], output_dir=self.directory
            ),
            *tangents,
        )
        self._gradient_close(tuple(value), "jvp(grad)'s gradient")

        def along(step):
            args = [a + step * t for a, t in zip(copied(self.point.args), tangents)]
            return [np.asarray(g, dtype=float) for g in gradient(*args)]

        with np.errstate(all="ignore"):
            fine = [(a - b) / 2e-5 for a, b in zip(along(1e-5), along(-1e-5))]
            coarse = [(a - b) / 2e-4 for a, b in zip(along(1e-4), along(-1e-4))]
        if not all(
            np.allclose(a, b, rtol=1e-3, atol=1e-4) for a, b in zip(fine, coarse)
        ):
            return
        for k, (h, e) in enumerate(zip(hv, fine)):
            if np.shape(h) != np.shape(e) or not np.allclose(
                np.asarray(h, dtype=float), e, rtol=1e-4, atol=1e-5 * self.scale
            ):
                raise Wrong(
                    f"derivative: jvp(grad)[{k}] is {h!r}, differences of grad give {e!r}"
                )
        self.hvp_result = hv

    def vjp_of_grad(self):
        if self.hvp_result is None:
            return
        c = self.point.cotangent
        weights = (c * np.ones_like(self.expected[0]), -c)
        value, vjp_fn = self._call(
            lambda *args: s2sad.vjp(self._gradient(), *args, output_dir=self.directory)
        )
        self._gradient_close(tuple(value), "vjp(grad)'s gradient")
        pulled = vjp_fn(weights)
        lhs = sum(float(np.sum(h * w)) for h, w in zip(self.hvp_result, weights))
        rhs = sum(float(np.sum(t * p)) for t, p in zip(self.point.tangents, pulled))
        if not math.isclose(lhs, rhs, rel_tol=1e-8, abs_tol=1e-10 * self.scale):
            raise Wrong(f"dot product: <H t, w> = {lhs!r} but <t, H^T w> = {rhs!r}")
