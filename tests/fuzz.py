"""Fuzz s2sad with many random programs and report what happened (``make fuzz``).

Draws programs from the grammar (program_grammar.py, array_grammar.py) with
seeded random numbers, checks each with the oracle of fuzz_check.py, prints a
summary — programs, correct, refused, wrong, crashed, hung, rejected points —
and writes each distinct failure, shrunk to a small program that fails the
same way, to a file::

    python tests/fuzz.py --examples 5000 --out build/fuzz-failures.txt

The number of programs defaults to ``$S2SAD_FUZZ_EXAMPLES`` (else 1000).  All
families of constructs are on unless ``--families`` names some.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import os
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from array_grammar import ARRAY, ARRAY_FAMILIES  # noqa: E402
from fuzz_check import MODES, SECOND_ORDER, Point, check  # noqa: E402
from program_grammar import (  # noqa: E402
    FAMILIES,
    SCALAR,
    Assign,
    For,
    ForIn,
    Function,
    If,
    Node,
    Program,
    Return,
    Test,
    While,
    families_of,
    random_program,
)

LANGUAGES = {"scalar": SCALAR, "array": ARRAY}
POINT_TRIES = 4


def random_point(language: str, rng) -> Point:
    """Arguments, tangents and a cotangent for ``f(x, y)`` in ``language``."""
    x = float(rng.uniform(-2, 2)) if language == "scalar" else rng.uniform(-2, 2, 3)
    tx = float(rng.uniform(-1, 1)) if language == "scalar" else rng.uniform(-1, 1, 3)
    return Point(
        (x, float(rng.uniform(-2, 2))),
        (tx, float(rng.uniform(-1, 1))),
        float(rng.uniform(-1, 1)),
    )


# ------------------------------------------------------------------ shrinking


def _expression_variants(e):
    if isinstance(e, Test):
        for left in _expression_variants(e.left):
            yield dataclasses.replace(e, left=left)
        for right in _expression_variants(e.right):
            yield dataclasses.replace(e, right=right)
    elif isinstance(e, Node):
        for arg in e.args:
            if not isinstance(arg, Test):
                yield arg
        yield "1.0"
        for k, arg in enumerate(e.args):
            for simpler in _expression_variants(arg):
                yield dataclasses.replace(
                    e, args=e.args[:k] + (simpler,) + e.args[k + 1 :]
                )
    elif isinstance(e, str) and e not in ("1.0", "x", "y"):
        yield "1.0"


def _block_variants(block: tuple):
    for k in range(len(block)):
        yield block[:k] + block[k + 1 :]
    for k, statement in enumerate(block):
        for name in ("body", "orelse"):
            inner = getattr(statement, name, ())
            if inner:
                yield block[:k] + inner + block[k + 1 :]
    for k, statement in enumerate(block):
        for simpler in _statement_variants(statement):
            yield block[:k] + (simpler,) + block[k + 1 :]


def _statement_variants(s):
    if isinstance(s, If) and s.orelse:
        yield dataclasses.replace(s, orelse=())
    if isinstance(s, For):
        for count in range(s.count):
            yield dataclasses.replace(s, count=count)
    if isinstance(s, While):
        for limit in range(1, s.limit):
            yield dataclasses.replace(s, limit=limit)
    if isinstance(s, ForIn) and len(s.items) > 1:
        yield dataclasses.replace(s, items=s.items[:1])
    for name in ("body", "orelse"):
        if hasattr(s, name):
            for simpler in _block_variants(getattr(s, name)):
                yield dataclasses.replace(s, **{name: simpler})
    for name in ("value", "test"):
        if isinstance(s, (Assign, Return, If, While)) and hasattr(s, name):
            for simpler in _expression_variants(getattr(s, name)):
                yield dataclasses.replace(s, **{name: simpler})
    if isinstance(s, ForIn):
        for k, item in enumerate(s.items):
            for simpler in _expression_variants(item):
                yield dataclasses.replace(
                    s, items=s.items[:k] + (simpler,) + s.items[k + 1 :]
                )


def _function_variants(function: Function):
    for body in _block_variants(function.body):
        yield dataclasses.replace(function, body=body)
    for result in _expression_variants(function.result):
        yield dataclasses.replace(function, result=result)
    for k in range(len(function.preamble)):
        yield dataclasses.replace(
            function, preamble=function.preamble[:k] + function.preamble[k + 1 :]
        )


def variants(program: Program):
    """Smaller programs than ``program``, biggest cuts first (some may be invalid)."""
    for k in range(len(program.helpers)):
        yield dataclasses.replace(
            program, helpers=program.helpers[:k] + program.helpers[k + 1 :]
        )
    for main in _function_variants(program.main):
        yield dataclasses.replace(program, main=main)
    for k, helper in enumerate(program.helpers):
        for simpler in _function_variants(helper):
            helpers = program.helpers[:k] + (simpler,) + program.helpers[k + 1 :]
            yield dataclasses.replace(program, helpers=helpers)


def _fails_alike(program, point, signature, directory) -> bool:
    before = {"vjp": "jvp", "vjp_of_grad": "hvp"}.get(signature[1])
    modes = (before, signature[1]) if before else (signature[1],)
    try:
        outcome = check(program, point, directory, modes)
    except Exception:  # an invalid candidate: f itself does not run
        return False
    return outcome.failed and outcome.signature() == signature


def shrink(program, point, signature, directory, budget: int):
    """A small program failing like ``program`` at ``point`` (greedy, ``budget`` tries)."""
    tries = 0
    improved = True
    while improved and tries < budget:
        improved = False
        for candidate in variants(program):
            tries += 1
            if len(candidate.source()) < len(program.source()) and _fails_alike(
                candidate, point, signature, directory
            ):
                program, improved = candidate, True
                break
            if tries >= budget:
                break
    return program


# ------------------------------------------------------------------ the run


def _reason(message: str) -> str:
    """A refusal's message without its location and hint, names replaced by ``_``."""
    text = message.splitlines()[0].split(": ", 1)[-1]
    return re.sub(r"'[^']*'|`[^`]*`", "_", text)[:100]


def describe(point: Point) -> str:
    def text(v):
        return repr([float(e) for e in v]) if isinstance(v, np.ndarray) else repr(v)

    args = ", ".join(text(a) for a in point.args)
    tangents = ", ".join(text(t) for t in point.tangents)
    return f"args=({args}), tangents=({tangents}), cotangent={point.cotangent!r}"


def run(args) -> int:
    directory = Path(tempfile.mkdtemp(prefix="s2sad-fuzz-"))
    os.environ.setdefault("S2SAD_OUTPUT_DIR", str(directory / "generated"))
    families = FAMILIES + ARRAY_FAMILIES
    if args.families:
        families = tuple(f for f in args.families.split(",") if f != "base")
    languages = ["scalar", "array"] if args.language == "both" else [args.language]
    counts = collections.Counter()
    by_family = collections.Counter()
    reasons = collections.Counter()  # why transformations were refused
    failures = {}  # signature -> list of (program, point, outcome)
    modes = MODES + SECOND_ORDER if args.second_order else MODES
    start = time.time()
    for k in range(args.examples):
        language = languages[k % len(languages)]
        program = random_program(
            f"{args.seed}-{k}", LANGUAGES[language], families, args.nesting
        )
        rng = np.random.default_rng([args.seed, k])
        for _ in range(POINT_TRIES):
            point = random_point(language, rng)
            outcome = check(program, point, directory, modes)
            if outcome.kind != "rejected":
                break
        counts[outcome.kind] += 1
        for _, message in outcome.refusals:
            reasons[_reason(message)] += 1
        counts["programs"] += 1
        if outcome.failed:
            for family in families_of(program):
                by_family[family] += 1
            failures.setdefault(outcome.signature(), []).append(
                (program, point, outcome)
            )
        if args.verbose and (k + 1) % 100 == 0:
            print(
                f"{k + 1} programs, {time.time() - start:.0f} s: {dict(counts)}",
                flush=True,
            )
    elapsed = time.time() - start
    print(
        f"programs {counts['programs']}: correct {counts['correct']}, refused {counts['refused']},"
        f" wrong {counts['wrong']}, crashed {counts['crashed']}, hung {counts['hang']},"
        f" rejected points {counts['rejected']} ({elapsed:.0f} s)"
    )
    if by_family:
        print("failing programs containing each family:", dict(by_family.most_common()))
    if reasons:
        print("most common refusals (transformations):")
        for reason, count in reasons.most_common(8):
            print(f"  {count:5d} x {reason}")
    report = []
    for signature, cases in sorted(failures.items(), key=lambda item: -len(item[1])):
        print(f"  {len(cases):4d} x {' / '.join(s for s in signature if s)}")
        for program, point, outcome in cases[: args.shrink_per_kind]:
            small = shrink(program, point, signature, directory, args.shrink_budget)
            final = check(small, point, directory)
            report.append(
                "\n".join(
                    [
                        f"# {final.kind} in {final.mode}: {final.detail}",
                        f"# families: {', '.join(sorted(families_of(small))) or 'base'}",
                        f"# point: {describe(point)}",
                        small.source(),
                    ]
                )
            )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    unique = list(dict.fromkeys(report))
    out.write_text("\n\n".join(unique) + ("\n" if unique else ""), encoding="utf-8")
    print(f"{len(unique)} shrunk failing programs written to {out}")
    return 1 if failures else 0


def main(argv=None) -> int:
    """Parse the command line and fuzz."""
    # Shrunk candidates may subscript a literal (``1.0[0]``): invalid, and skipped.
    warnings.simplefilter("ignore", SyntaxWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--examples", type=int, default=int(os.environ.get("S2SAD_FUZZ_EXAMPLES", 1000))
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--language", choices=("scalar", "array", "both"), default="both"
    )
    parser.add_argument(
        "--families", default="", help="comma-separated; 'base' for none; default: all"
    )
    parser.add_argument("--nesting", type=int, default=3)
    parser.add_argument("--out", default="build/fuzz-failures.txt")
    parser.add_argument("--shrink-per-kind", type=int, default=3)
    parser.add_argument("--shrink-budget", type=int, default=400)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--second-order",
        action="store_true",
        help="also differentiate each generated gradient again (jvp and vjp of grad)",
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
