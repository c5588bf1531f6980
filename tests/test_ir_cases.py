"""Pass tests written as IR text: each file of ``tests/ir_cases/`` is one case,
input IR -> one pass -> expected IR.

A case file reads::

    # pass: forward wrt=0
    # One or more comment lines saying what the case shows.
    func f(x):
      t1 = sin(x)
      return t1
    # expect:
    func f_jvp(x, x_dot):
      ...

The first line names the pass and its options (``key=value``, see
:data:`PASSES`); the comment lines after it describe the case; then come the
input functions (the first is the one transformed, the others its callees)
and, after ``# expect:``, the printed functions the pass makes or changes,
separated by blank lines.  A case whose pass must refuse its input ends with
``# expect error: <regular expression>`` instead.  The input and every result
are verified; a result that differs from the expected text fails with a
unified diff.

The expected text of a case of ``forward``, ``reverse``, ``jvp`` or ``grad``
is also run: its derivative must agree with central differences of the
input at a point (numbers in [1.1, 1.5], ints 3, arrays of 4 such numbers),
so no expected text can pin a wrong derivative.

The option ``exact=True`` marks every input op as one of the user's program
(:attr:`Op.exact`), which the printed form does not show.

Updating expected text: run this module with ``S2SAD_UPDATE_IR_CASES=1`` in the
environment to rewrite the expect section of every case from what the pass
makes now, then read each changed section (``git diff tests/ir_cases``) and
check it by reasoning before committing it.  Without the variable the test
is strict: any difference fails.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
from numerics import assert_close, central_directional_arrays, partial_function

from s2sad.analysis.verifier import verify
from s2sad.backend.module import emit_module
from s2sad.errors import S2SADError
from s2sad.ir.core import Function, Value
from s2sad.ir.parser import parse_functions
from s2sad.ir.printer import print_function
from s2sad.passes import pipeline
from s2sad.passes.batch import Signature, batch
from s2sad.passes.dense import dense_zeros
from s2sad.passes.forward import forward
from s2sad.passes.inplace import copy_before_loops
from s2sad.passes.names import tidy_names
from s2sad.passes.reverse import reverse
from s2sad.passes.simplify import simplify
from s2sad.passes.tape import trim_tape

CASES = Path(__file__).resolve().parent / "ir_cases"
UPDATE = "S2SAD_UPDATE_IR_CASES"
EXPECT = "# expect:"
EXPECT_ERROR = "# expect error:"


@dataclass
class Case:
    """One case file, read."""

    path: Path
    pass_name: str
    options: dict[str, Any]
    description: str
    source: str
    expected: str | None
    error: str | None


def read_case(path: Path) -> Case:
    """The parts of the case file at ``path``."""
    lines = path.read_text().splitlines()
    header = re.fullmatch(r"# pass: (\S+)(.*)", lines[0])
    assert header is not None, f"{path.name}: the first line must be '# pass: NAME ...'"
    body = 1
    while body < len(lines) and lines[body].startswith("#"):
        body += 1
    description = " ".join(line[1:].strip() for line in lines[1:body])
    assert description, f"{path.name}: say what the case shows, in comment lines"
    rest = lines[body:]
    ends = [k for k, line in enumerate(rest) if line.startswith((EXPECT, EXPECT_ERROR))]
    assert ends, f"{path.name}: no '{EXPECT}' or '{EXPECT_ERROR}' line"
    marker = rest[ends[0]]
    error = expected = None
    if marker.startswith(EXPECT_ERROR):
        error = marker[len(EXPECT_ERROR) :].strip()
    else:
        expected = _text(rest[ends[0] + 1 :])
    source = _text(rest[: ends[0]])
    options = _options(header[2])
    return Case(path, header[1], options, description, source, expected, error)


def _text(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n") + "\n"


def _options(text: str) -> dict[str, Any]:
    """``key=value`` pairs, separated by spaces: a Python literal, else the word itself."""
    options = {}
    for word in re.split(r"\s+(?=\w+=)", text.strip()) if text.strip() else []:
        key, _, value = word.partition("=")
        try:
            options[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            options[key] = value
    return options


def _indices(wrt: Any) -> list[int]:
    return [wrt] if isinstance(wrt, int) else list(wrt)


# ------------------------------------------------------------ the passes

Pass = Callable[..., list[Function]]


def run_forward(functions: list[Function], wrt: Any) -> list[Function]:
    """Forward mode with respect to the parameters at ``wrt``."""
    return [forward(functions[0], _indices(wrt))]


def run_reverse(
    functions: list[Function],
    wrt: Any,
    seed: str = "param",
    value: bool = False,
    layout: Any = None,
) -> list[Function]:
    """Reverse mode: ``seed`` is ``param`` (a cotangent parameter per output) or
    ``one``; ``value`` also returns the outputs."""
    result = reverse(
        functions[0], _indices(wrt), seed=seed, return_value=value, layout=layout
    )
    return [result.function]


def run_trim_tape(functions: list[Function]) -> list[Function]:
    """Trim the tape the first function pushes and the last pops (the same one
    when the case has one function)."""
    trim_tape(functions[0], functions[-1])
    return functions if len(functions) > 1 else functions[:1]


def run_dense_zeros(functions: list[Function], first: int, wrt: Any) -> list[Function]:
    """Zeros shaped like the parameters at ``wrt`` for the returned values from
    ``first`` on that are the number 0."""
    function = functions[0]
    dense_zeros(function, first, [function.params[i] for i in _indices(wrt)])
    return [function]


def run_batch(
    functions: list[Function], directions: Any, seeds: Any = None
) -> list[Function]:
    """The batch pass: the parameters at ``directions`` (each with the shape of the
    parameter ``seeds`` pairs it with) and every result become batches."""
    function, directions = functions[0], _indices(directions)
    flags = tuple(k in directions for k in range(len(function.params)))
    signature = Signature(flags, (True,) * len(function.returned))
    pairs = dict(zip(directions, _indices(seeds))) if seeds is not None else {}
    return [batch(function, signature, {}, pairs, helper=False)]


def in_place(run: Callable[[Function], Any]) -> Pass:
    """A pass that changes the first function in place."""

    def changed(functions: list[Function]) -> list[Function]:
        run(functions[0])
        return functions[:1]

    changed.__doc__ = run.__doc__
    return changed


def kind_steps(name: str) -> Pass:
    """The steps of derivative kind ``name``: all of them and the finishing
    passes (the functions of the generated file), or those ``through`` the
    step of that name (the functions made so far; helpers are then not
    differentiated, so such a case has no calls)."""

    def run(
        functions: list[Function],
        wrt: Any,
        through: str | None = None,
        single: bool = True,
    ) -> list[Function]:
        primal, wrt = functions[0], _indices(wrt)
        if through is None:
            return pipeline.derivative_functions(primal, name, wrt, single)
        kind = pipeline.kind_named(name)
        derivation = pipeline.Derivation(primal, kind, wrt, single, {primal.name: wrt})
        steps = [step.__name__ for step in kind.steps]
        assert through in steps, f"{name} has no step {through!r}: {steps}"
        for step in kind.steps[: steps.index(through) + 1]:
            step(derivation)
        return [f for f in derivation.functions if f is not None]

    return run


PASSES: dict[str, Pass] = {
    "forward": run_forward,
    "reverse": run_reverse,
    "trim_tape": run_trim_tape,
    "dense_zeros": run_dense_zeros,
    "batch": run_batch,
    "simplify": in_place(simplify),
    "copy_before_loops": in_place(copy_before_loops),
    "tidy_names": in_place(tidy_names),
    **{name: kind_steps(name) for name in pipeline.KINDS},
}
"""The passes a case may name, each with its options as keyword arguments.
A derivative kind (``grad``, ``vjp``, ...) runs its declared steps."""


# ------------------------------------------------------------ the test


def case_files() -> list[Path]:
    """Every case file, in name order."""
    return sorted(CASES.glob("*.ir"))


def run_case(case: Case) -> str:
    """The printed functions the case's pass makes from its verified input."""
    options = dict(case.options)
    functions = parse_functions(case.source)
    assert functions, f"{case.path.name}: no input function"
    for function in functions:
        verify(function)
    if options.pop("exact", False):
        for function in functions:
            for op in function.walk():
                op.exact = True
    assert case.pass_name in PASSES, f"unknown pass {case.pass_name!r}: {list(PASSES)}"
    results = PASSES[case.pass_name](functions, **options)
    for function in results:
        verify(function)
    return "\n".join(print_function(f) for f in results)


def rewrite_expected(case: Case, actual: str) -> None:
    """Replace the expect section of the case file with ``actual``."""
    text = case.path.read_text()
    head = text[: text.index(f"\n{EXPECT}") + 1]
    case.path.write_text(f"{head}{EXPECT}\n{actual}")


def difference(expected: str, actual: str, name: str) -> str:
    """A unified diff of the expected and actual text."""
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        f"{name} (expected)",
        f"{name} (actual)",
    )
    return "".join(lines)


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_ir_case(path, verify_each_pass):
    case = read_case(path)
    if case.error is not None:
        with pytest.raises(S2SADError, match=case.error):
            run_case(case)
        return
    actual = run_case(case)
    if os.environ.get(UPDATE) and actual != case.expected:
        rewrite_expected(case, actual)
        return
    assert actual == case.expected, "\n" + difference(case.expected, actual, path.name)


def test_there_are_cases_for_every_pass():
    named = {read_case(path).pass_name for path in case_files()}
    assert set(PASSES) <= named


DIFFERENTIATING = ("forward", "reverse", "jvp", "grad")
"""The passes whose expected text is also checked against central differences."""


def derivative_cases() -> list[Path]:
    """The case files of :data:`DIFFERENTIATING` with an expected text, but those
    handing a tape over in a residual tuple: no sample stands in for a tape
    (tests/test_reverse_over_reverse.py checks those numerically, end to end)."""
    cases = [read_case(path) for path in case_files()]
    return [
        case.path
        for case in cases
        if case.pass_name in DIFFERENTIATING
        and case.expected is not None
        and not hands_over_a_tape(parse_functions(case.source)[0])
    ]


def hands_over_a_tape(function: Function) -> bool:
    """Whether ``function`` packs a tape into, or unpacks one from, a residual tuple."""
    return any(
        v.type == "tape"
        for op in function.walk()
        if op.name in ("pack", "unpack")
        for v in op.operands + op.results
    )


def compiled(text: str) -> Callable[..., Any]:
    """The first function of IR ``text``, as generated Python (with its callees)."""
    functions = parse_functions(text)
    namespace: dict[str, Any] = {}
    exec(emit_module(functions, "# an IR case"), namespace)
    return namespace[functions[0].name]


def sample(type: str, rng: np.random.Generator, count: int = 0) -> Any:
    """An argument of IR type ``type`` at which the cases' loops end (for a
    residual tuple, ``count`` numbers)."""
    if type == "int":
        return 3
    if type == "array":
        return rng.uniform(1.1, 1.5, 4)
    if type == "residuals":
        return rng.uniform(1.1, 1.5, count)
    assert type == "float", f"no sample of type {type}"
    return float(rng.uniform(1.1, 1.5))


def unpacked_count(function: Function, value: Value) -> int:
    """How many values ``function`` unpacks from the residual tuple ``value`` (an
    array of that many numbers stands in for the tuple: it unpacks alike)."""
    return next(
        (
            len(op.results)
            for op in function.walk()
            if op.name == "unpack" and op.operands[0] is value
        ),
        0,
    )


def zero_like(value: Any) -> Any:
    """0 of the shape of ``value`` (ints get 0 too: they have no tangent)."""
    return np.zeros(np.shape(value)) if np.ndim(value) else 0 * value


@pytest.mark.parametrize("path", derivative_cases(), ids=lambda p: p.stem)
def test_expected_derivative_agrees_with_central_differences(path):
    case = read_case(path)
    primal = parse_functions(case.source)[0]
    rng = np.random.default_rng(0)
    counts = [unpacked_count(primal, p) for p in primal.params]
    point = [sample(p.type, rng, n) for p, n in zip(primal.params, counts)]
    wrt = _indices(case.options["wrt"])
    direction = [zero_like(v) for v in point]
    moved = [i for i in wrt if primal.params[i].type != "int"]
    for i in moved:
        direction[i] = sample(primal.params[i].type, rng, counts[i])
    differences = central_directional_arrays(
        partial_function(compiled(case.source), point, moved),
        [point[i] for i in moved],
        [direction[i] for i in moved],
    )
    derivative = compiled(case.expected)
    if case.pass_name in ("forward", "jvp"):
        _, tangents = derivative(*point, *[direction[i] for i in wrt])
        assert_close(tangents, differences, rtol=1e-5)
        return
    seeded = case.pass_name == "reverse" and case.options.get("seed") != "one"
    cotangents = [sample(v.type, rng) for v in primal.returned] if seeded else [1.0]
    returned = derivative(*point, *(cotangents if seeded else []))
    returned = returned if isinstance(returned, tuple) else (returned,)
    adjoints = returned[len(returned) - len(wrt) :]
    along = sum(float(np.sum(a * direction[i])) for a, i in zip(adjoints, wrt))
    outputs = np.atleast_1d(differences)
    assert_close(along, sum(float(np.sum(c * d)) for c, d in zip(cotangents, outputs)))
