"""Generated code is exactly black's formatting, whether laid out directly or by black itself."""

import black
import pytest
from scalar_functions import MULTI_OUTPUT_CASES, SCALAR_CASES
from user_rules import uses_distance, uses_softplus

from s2sad.api import derive
from s2sad.formatting import format_source, hug_simple_powers

CASES = [
    (f, kind)
    for f, _ in SCALAR_CASES
    for kind in ("grad", "value_and_grad", "jvp", "vjp")
]
CASES += [(f, kind) for f, _ in MULTI_OUTPUT_CASES for kind in ("jvp", "vjp")]
CASES += [(uses_softplus, "value_and_grad"), (uses_distance, "jvp")]


def black_formatted(source):
    return black.format_str(source, mode=black.Mode())


@pytest.mark.parametrize("f, kind", CASES, ids=[f"{f.__name__}-{k}" for f, k in CASES])
def test_generated_module_is_black_formatted(f, kind, tmp_path):
    wrt = (
        tuple(range(f.__code__.co_argcount))
        if kind in ("grad", "value_and_grad")
        else None
    )
    source = derive(f, kind, wrt, tmp_path).source
    assert black_formatted(source) == source


@pytest.mark.parametrize(
    "before, after",
    [
        ("y = x ** 2\n", "y = x**2\n"),
        ("y = 2.0 ** x\n", "y = 2.0**x\n"),
        ("y = math.pi ** x.real\n", "y = math.pi**x.real\n"),
        ("y = x ** (y - 1)\n", "y = x ** (y - 1)\n"),
        ("y = (-x) ** 3\n", "y = (-x) ** 3\n"),
        ("y = x ** (-0.5)\n", "y = x ** (-0.5)\n"),
        ("y = math.exp(x) ** 2\n", "y = math.exp(x) ** 2\n"),
        ("y = a ** b + c ** (d * e) - f ** g\n", "y = a**b + c ** (d * e) - f**g\n"),
    ],
)
def test_power_hugging_follows_black(before, after):
    assert hug_simple_powers(before) == after
    assert black_formatted(before) == after


def test_long_lines_are_left_to_black():
    long_line = (
        "y = " + " + ".join(f"variable_{i} * other_{i}" for i in range(12)) + "\n"
    )
    assert format_source(long_line) == black_formatted(long_line)
    assert max(len(line) for line in format_source(long_line).splitlines()) <= 88


@pytest.mark.parametrize("kind", ["grad", "jvp", "vjp"])
def test_control_flow_and_helper_modules_are_black_formatted(kind, tmp_path):
    from control_functions import CONTROL_CASES
    from helper_functions import HELPER_CASES

    for f, point in CONTROL_CASES + HELPER_CASES:
        wrt = tuple(i for i, p in enumerate(point) if isinstance(p, float))
        if kind == "grad" and f.__name__ == "polar":
            continue
        source = derive(f, kind, wrt if kind == "grad" else None, tmp_path).source
        assert black_formatted(source) == source, f.__name__
