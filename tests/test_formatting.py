"""Generated code is exactly black's formatting, whether laid out directly or by black itself."""

import sys

import black
import pytest
from numerics import float_indices
from scalar_functions import MULTI_OUTPUT_CASES, SCALAR_CASES
from user_rules import uses_distance, uses_softplus

from pathlib import Path

from s2sad.api import derive
from s2sad.backend.formatting import format_source, hug_simple_powers

CASES = [
    (f, kind)
    for f, _ in SCALAR_CASES
    for kind in ("grad", "value_and_grad", "jvp", "vjp")
]
CASES += [(f, kind) for f, _ in MULTI_OUTPUT_CASES for kind in ("jvp", "vjp")]
CASES += [(uses_softplus, "value_and_grad"), (uses_distance, "jvp")]


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


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


def test_bouncing_ball_is_formatted_without_black(tmp_path, monkeypatch):
    sys.path.insert(0, str(EXAMPLES))
    from loops import bouncing_ball

    monkeypatch.setitem(sys.modules, "black", None)
    source = derive(bouncing_ball, "grad", (0, 1, 2, 3), tmp_path).source
    assert max(len(line) for line in source.splitlines()) > 88
    monkeypatch.delitem(sys.modules, "black")
    assert black_formatted(source) == source


@pytest.mark.parametrize(
    "line",
    ['    """' + "word " * 20 + 'end."""', "    " + " + ".join(['"""word"""'] * 9)],
)
def test_only_docstrings_may_be_long_without_black(line):
    source = f"def f():\n{line}\n"
    assert format_source(source) == black_formatted(source)


LONG = ", ".join(f"value_{i}" for i in range(9))

SPLIT_WITHOUT_BLACK = [
    "    total = " + " + ".join(f"term_{i} * weight_{i}" for i in range(4)),
    "    total = " + " + ".join(f"term_{i} * weight_{i}" for i in range(7)),
    "    ratio = " + " / ".join(f"factor_{i}" for i in range(9)),
    "    speed = 0.5 if height < 40.0 else 0.3 if height < 80.0 else 0.25 if n < 3 else 0.45",
    f"    first, second, third = ({LONG}, value_9)",
    f"    return ({LONG}, value_9)",
    f"    return ({LONG}, (value_9, value_10))",
    "    return " + " - ".join(f"term_{i} * weight_{i}" for i in range(7)),
    "    y = (a + b) * -c - 1e-05 * math.exp(-x) + (first_long_name - another_long_name) - z_9",
    "    differences_bar = runtime.unreduce(4.0 * runtime.unbroadcast(squared - D, squared), t6, axis=-1) * differences",
    "    x_bar[:-1] += runtime.unreduce(4.0 * runtime.unbroadcast(squared - D, squared), t6, axis=-1) * t1[3]",
    f"    x_bar = runtime.getitem_adjoint(runtime.unreduce(2.0, x[0:2]), x, {LONG})",
    f"    return runtime.getitem_adjoint({LONG}, {LONG}, axis=3, keepdims=True)",
    f"    tape.append(({LONG}, value_9, value_10))",
    "    tape.append((runtime.shape_of(total), runtime.shape_of(t13), t12, t9, runtime.shape_of(t)))",
    "    x_bar = runtime.matmul_adjoint_x((runtime.shape_of(total), runtime.shape_of(t13), t12, t))",
]

LEFT_TO_BLACK = [
    "    y = math.exp(" + " * ".join(f"factor_{i}" for i in range(9)) + ")",
    "    y = scale * math.exp(" + " * ".join(f"factor_{i}" for i in range(9)) + ")",
    "    y = -(" + " + ".join(f"factor_{i}" for i in range(9)) + ")",
    "    y = first_long_name_here + math.exp(" + " * ".join(["abc"] * 14) + ")",
    f"    first, second, third = tape_of_values_and_more_values.pop({LONG})",
    f"    a = ({LONG}, " + ", ".join(f"item_{i}" for i in range(9)) + ")",
]


@pytest.mark.parametrize("line", SPLIT_WITHOUT_BLACK)
def test_long_statements_of_known_shapes_are_split_without_black(line, monkeypatch):
    source = f"def f():\n{line}\n"
    expected = black_formatted(source)
    monkeypatch.setitem(sys.modules, "black", None)
    assert format_source(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "# Generated by s2sad 0.1.0 from a_module_with_a_long_name.a_function_with_a_long_name.\n",
        f"def f_jvp({LONG}, {LONG.replace('value', 'tangent')}):\n    return 1\n",
        f"def f_vjp({LONG}, scale=1.0, axes=(0, 1)):\n    return 1\n",
    ],
    ids=["comment", "definition", "defaults"],
)
def test_long_comments_and_definitions_are_laid_out_without_black(source, monkeypatch):
    expected = black_formatted(source)
    monkeypatch.setitem(sys.modules, "black", None)
    assert format_source(source) == expected


SLICES = ["k:k + 3", ":k + 1", "k + 1:", "a + 1::2", "::f(x)", ":u(x):s(x)", "1:-1"]


@pytest.mark.parametrize("index", SLICES + ["i, k:n + 1", "a:b, c + 1:"])
def test_complex_slices_are_spaced_without_black(index, monkeypatch):
    source = f"def f():\n    y = x[{index}]\n"
    expected = black_formatted(source)
    monkeypatch.setitem(sys.modules, "black", None)
    assert format_source(source) == expected


@pytest.mark.parametrize(
    "line",
    [
        "y = -x ** 3",
        "y = -x ** (k - 1) + ~n ** 2",
        "y = -(x ** 3)",
        "y = x.astype('float64')",
        "y = np.einsum('ij,jk->ik', a, b)",
    ],
)
def test_negated_powers_and_quotes_follow_black_without_it(line, monkeypatch):
    source = f"def f():\n    {line}\n"
    expected = black_formatted(source)
    monkeypatch.setitem(sys.modules, "black", None)
    assert format_source(source) == expected


@pytest.mark.parametrize(
    "line", ["y = x[y[a + 1:]:b]", "y = -x ** -y ** 2", "y = 'it''s'", "y = 'a\\tb'"]
)
def test_nested_slices_powers_and_quoted_quotes_are_left_to_black(line):
    source = f"def f():\n    {line}\n"
    assert format_source(source) == black_formatted(source)


@pytest.mark.parametrize("kind", ["grad", "jvp"])
def test_array_program_modules_are_black_formatted(kind, tmp_path):
    from array_functions import ARRAY_CASES

    for f, _ in ARRAY_CASES:
        wrt = 0 if kind == "grad" else None
        source = derive(f, kind, wrt, tmp_path).source
        assert black_formatted(source) == source, f.__name__


@pytest.mark.parametrize("line", LEFT_TO_BLACK)
def test_other_long_statements_are_left_to_black(line):
    source = f"def f():\n{line}\n"
    assert format_source(source) == black_formatted(source)


@pytest.mark.parametrize("kind", ["grad", "jvp", "vjp"])
def test_control_flow_and_helper_modules_are_black_formatted(kind, tmp_path):
    from control_functions import CONTROL_CASES
    from helper_functions import HELPER_CASES

    for f, point in CONTROL_CASES + HELPER_CASES:
        wrt = float_indices(point)
        if kind == "grad" and f.__name__ == "polar":
            continue
        source = derive(f, kind, wrt if kind == "grad" else None, tmp_path).source
        assert black_formatted(source) == source, f.__name__
