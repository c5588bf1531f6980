"""Golden tests: printed IR and generated source, compared line by line.

The seed function ``L`` in every mode, and reverse mode through a ``for`` loop
(``relax``), a ``while`` loop (``kepler``) and an ``if`` (``huber``).

The expected IR is in tests/golden/; the expected source is the committed file
under generated/ (its content-hash line aside, which changes with the compiler
even when the code does not).  Set S2SAD_UPDATE_GOLDEN=1 to rewrite the IR
golden file, and run `make generated` for the sources, after an intended change.
"""

import os
from pathlib import Path

import pytest
from autodiff_intro import L, rosenbrock
from branches import huber
from loops import kepler, relax

from s2sad.api import derive
from s2sad.frontend.program import lower
from s2sad.ir.printer import print_function

GOLDEN = Path(__file__).parent / "golden"
GENERATED = Path(__file__).resolve().parent.parent / "generated"


def without_hash(source):
    return "".join(
        line
        for line in source.splitlines(keepends=True)
        if not line.startswith("# content hash:")
    )


def check(name, actual):
    path = GOLDEN / name
    if os.environ.get("S2SAD_UPDATE_GOLDEN"):
        path.write_text(actual)
    assert actual == path.read_text(), f"{name} differs from the golden file"


def test_ir_of_seed_function():
    check("L.ir", print_function(lower(L)))


def test_ir_matches_the_lecture_graph():
    assert print_function(lower(L)) == (
        "func L(w1, w2):\n"
        "  v1 = log(w1)\n"
        "  v2 = mul(w2, v1)\n"
        "  v3 = sqrt(v2)\n"
        "  L = add(v2, v3)\n"
        "  return L\n"
    )


@pytest.mark.parametrize(
    "f, kind, wrt, name",
    [
        (L, "grad", ("w1", "w2"), "autodiff_intro/L_grad_w1_w2.py"),
        (L, "jvp", None, "autodiff_intro/L_jvp.py"),
        (L, "vjp", None, "autodiff_intro/L_vjp.py"),
        (
            rosenbrock,
            "value_and_grad",
            ("x", "y"),
            "autodiff_intro/rosenbrock_value_and_grad_x_y.py",
        ),
        (relax, "grad", ("x0", "a"), "loops/relax_grad_x0_a.py"),
        (kepler, "grad", ("m", "e"), "loops/kepler_grad_m_e.py"),
        (huber, "grad", ("r", "delta"), "branches/huber_grad_r_delta.py"),
    ],
    ids=["L-grad", "L-jvp", "L-vjp", "rosenbrock", "for-loop", "while-loop", "if"],
)
def test_generated_source(f, kind, wrt, name, tmp_path):
    expected = without_hash((GENERATED / name).read_text())
    assert without_hash(derive(f, kind, wrt, tmp_path).source) == expected


def test_gradient_of_seed_is_as_short_as_hand_written():
    """The lecture's backward pass: v̄2 = 1 + 1/(2√v2), v̄1 = v̄2·w2, w̄1 = v̄1/w1, w̄2 = v̄2·v1."""
    body = (
        derive(L, "grad", ("w1", "w2"), None)
        .source.split('"""')[-1]
        .strip()
        .splitlines()
    )
    assert [line.strip() for line in body] == [
        "v1 = math.log(w1)",
        "v2 = w2 * v1",
        "v3 = math.sqrt(v2)",
        "v2_bar = 1.0 + runtime.divide(0.5, v3)",
        "w2_bar = v2_bar * v1",
        "v1_bar = v2_bar * w2",
        "w1_bar = v1_bar / w1",
        "return (w1_bar, w2_bar)",
    ]


@pytest.mark.parametrize(
    "name, forward, backward",
    [
        ("loops/relax_grad_x0_a.py", "for _ in range(1000):", "for _ in reversed("),
        ("loops/kepler_grad_m_e.py", "while abs(", "for _ in range(iterations):"),
        ("branches/huber_grad_r_delta.py", "if not t2:", "else:"),
    ],
)
def test_reverse_mode_reads_as_a_forward_then_a_backward_pass(name, forward, backward):
    """The lecture's algorithm: a forward pass storing intermediates on the tape,
    then a backward pass over the same structure popping them."""
    lines = [line.strip() for line in (GENERATED / name).read_text().splitlines()]
    first = next(k for k, line in enumerate(lines) if line.startswith(forward))
    push = next(k for k, line in enumerate(lines) if line.startswith("tape.append("))
    second = next(k for k in range(push, len(lines)) if lines[k].startswith(backward))
    pop = next(k for k, line in enumerate(lines) if line.endswith("= tape.pop()"))
    assert first < push < second < pop
    assert lines[second + 1].endswith("= tape.pop()")
