"""Bad input gets an s2sad error naming file, line, column and construct, with a hint."""

import inspect
import subprocess
import sys

import bad_functions as bad
import pytest

import s2sad

SOURCE_FILE = inspect.getsourcefile(bad)


def marked_line(fn):
    lines, first = inspect.getsourcelines(fn)
    for offset, text in enumerate(lines):
        if text.rstrip().endswith("# <-"):
            return first + offset
    raise AssertionError(f"{fn.__name__} has no marker")


UNSUPPORTED = [
    (bad.uses_try, "try statement"),
    (bad.uses_with, "with statement"),
    (bad.uses_lambda, "lambda"),
    (bad.uses_global, "global statement"),
    (bad.uses_comprehension, "list comprehension"),
    (bad.one_branch_only, "assigned in only one branch"),
    (bad.loop_local, "assigned inside the loop"),
    (bad.loop_over_variable, "for loop over `items`"),
    (bad.uses_kwargs, "**kwargs"),
    (bad.uses_expression_statement, "expression statement"),
    (bad.uses_string, "constant 'x'"),
    (bad.calls_undefined, "not defined"),
    (bad.wrong_arity, "called with 2 argument"),
    (bad.uses_yield, "yield"),
    (bad.uses_closure, "nested function definition"),
    (bad.uses_for_else, "for ... else"),
    (bad.uses_while_else, "while ... else"),
    (bad.uses_match, "match statement"),
]


@pytest.mark.parametrize(
    "fn, construct", UNSUPPORTED, ids=[f.__name__ for f, _ in UNSUPPORTED]
)
def test_unsupported_syntax_names_file_line_and_construct(fn, construct):
    with pytest.raises(s2sad.UnsupportedSyntaxError) as info:
        s2sad.grad(fn)
    error = info.value
    assert error.file == SOURCE_FILE
    assert error.line == marked_line(fn)
    assert error.col >= 1
    assert construct in error.message
    assert error.hint
    assert str(error).startswith(f"{SOURCE_FILE}:{error.line}:{error.col}: ")
    assert "hint: " in str(error)


@pytest.mark.parametrize(
    "fn, callee", [(bad.calls_unknown, "math.erf"), (bad.calls_numpy, "numpy.i0")]
)
def test_missing_derivative_rule_names_the_call(fn, callee):
    with pytest.raises(s2sad.NoDerivativeRuleError) as info:
        s2sad.grad(fn)
    error = info.value
    assert error.line == marked_line(fn)
    assert f"no derivative rule for {callee}()" in error.message
    assert "derivative_rule" in error.hint


def test_column_points_at_the_construct():
    with pytest.raises(s2sad.NoDerivativeRuleError) as info:
        s2sad.grad(bad.calls_unknown)
    assert info.value.col == 12


def test_lambda_as_the_function_itself():
    square = lambda x: x * x  # noqa: E731
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="lambda"):
        s2sad.grad(square)


def test_builtin_without_source():
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="cannot read the source"):
        s2sad.grad(len)


def test_grad_of_two_outputs_is_a_clear_error():
    with pytest.raises(
        s2sad.DifferentiationError, match="one scalar output.*returns 2 values"
    ) as info:
        s2sad.grad(bad.two_outputs)
    assert info.value.line == marked_line(bad.two_outputs)
    assert "vjp" in info.value.hint


@pytest.mark.parametrize(
    "wrt, message",
    [
        (5, "out of range"),
        ("y", "no parameter 'y'"),
        ((0, 0), "appears twice"),
        ((), "wrt is empty"),
        (1.5, "must be ints or names"),
        ("n", "annotated int"),
    ],
)
def test_bad_wrt(wrt, message):
    with pytest.raises(s2sad.DifferentiationError, match=message) as info:
        s2sad.grad(bad.int_parameter, wrt=wrt)
    assert info.value.file == SOURCE_FILE


def test_jvp_argument_counts_are_checked():
    with pytest.raises(
        s2sad.DifferentiationError, match="1 primal.*1 tangent|got 1 primal"
    ):
        s2sad.jvp(bad.int_parameter, (1.0,), (1.0,))
    with pytest.raises(s2sad.DifferentiationError, match="2 primal.*1 tangent"):
        s2sad.jvp(bad.int_parameter, (1.0, 2), (1.0,))


def test_vjp_cotangent_count_is_checked():
    _, vjp_fn = s2sad.vjp(bad.two_outputs, 1.0)
    with pytest.raises(s2sad.DifferentiationError, match="needs 2 cotangents"):
        vjp_fn((1.0,))


def test_errors_are_s2sad_errors():
    for cls in (
        s2sad.UnsupportedSyntaxError,
        s2sad.NoDerivativeRuleError,
        s2sad.DifferentiationError,
    ):
        assert issubclass(cls, s2sad.S2SADError)


def test_cli_prints_error_without_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "s2sad.cli",
            "grad",
            f"{SOURCE_FILE}:uses_try",
            "-o",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    line = marked_line(bad.uses_try)
    assert result.stderr.startswith(
        f"{SOURCE_FILE}:{line}:5: unsupported construct: try statement"
    )
    assert "Traceback" not in result.stderr
