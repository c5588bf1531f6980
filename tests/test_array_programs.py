"""Array programs (NumPy losses, networks, loops, in-place writes) in every mode."""

import inspect

import numpy as np
import pytest
from array_functions import (
    ARRAY_CASES,
    FLOAT32_CASES,
    REJECTED,
    VECTOR_CASES,
    fill_matrix,
    loop_and_branch,
    ROW_LOOP_WRITES,
    passes_through,
    range_target_after_loop,
    row_target_after_loop,
    shared_at_iteration_end,
    write_in_branch_in_loop,
    writes_into_argument,
    writes_into_argument_caller,
)
from numerics import (
    assert_close,
    central_directional_arrays,
    central_gradient_arrays,
)

import s2sad


def case_id(f, point):
    shapes = ",".join(
        "x".join(map(str, np.shape(p))) if isinstance(p, np.ndarray) else repr(p)
        for p in point
    )
    return f"{f.__name__}({shapes})"


def params(cases):
    """The cases as pytest params with readable ids."""
    return [pytest.param(f, point, id=case_id(f, point)) for f, point in cases]


def is_active(value):
    """Differentiated: a Python float or a float array (ints are static)."""
    if isinstance(value, np.ndarray):
        return np.issubdtype(value.dtype, np.floating)
    return isinstance(value, float)


def active_indices(point):
    return tuple(i for i, p in enumerate(point) if is_active(p))


def copied(point):
    """Fresh copies of array arguments, so that no call can change the shared points."""
    return tuple(p.copy() if isinstance(p, np.ndarray) else p for p in point)


def random_like(point, seed):
    """A random direction: one per active argument, zero for the static ones."""
    rng = np.random.default_rng(seed)
    direction = []
    for p in point:
        if not is_active(p):
            direction.append(0)
        elif isinstance(p, np.ndarray):
            direction.append(rng.uniform(-1.0, 1.0, p.shape).astype(p.dtype))
        else:
            direction.append(float(rng.uniform(-1.0, 1.0)))
    return tuple(direction)


def random_cotangent(out, seed):
    rng = np.random.default_rng(seed)
    if isinstance(out, tuple):
        return tuple(random_cotangent(o, seed + 1 + k) for k, o in enumerate(out))
    if np.ndim(out) == 0:
        return float(rng.uniform(-1.0, 1.0))
    return rng.uniform(-1.0, 1.0, np.shape(out))


def inner(a, b):
    """<a, b> over (possibly nested tuples of) numbers and arrays."""
    if isinstance(a, tuple):
        return sum(inner(x, y) for x, y in zip(a, b))
    return float(np.sum(np.asarray(a, dtype=float) * np.asarray(b, dtype=float)))


def assert_same_value(actual, expected):
    """The primal value of a derivative function equals the original function's."""
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same_value(a, e)
        return
    assert np.shape(actual) == np.shape(expected)
    np.testing.assert_array_equal(actual, expected)


def finite_difference_gradient(f, point, wrt):
    def along(*xs):
        args = list(copied(point))
        for i, x in zip(wrt, xs):
            args[i] = x
        return f(*args)

    return central_gradient_arrays(along, [point[i] for i in wrt], step=1e-6)


def finite_difference_jvp(f, point, direction):
    """Central difference along ``direction`` of the active arguments (static ones stay put)."""
    wrt = active_indices(point)

    def along(*xs):
        args = list(copied(point))
        for i, x in zip(wrt, xs):
            args[i] = x
        return flat(f(*args))

    return central_directional_arrays(
        along, [point[i] for i in wrt], [direction[i] for i in wrt], step=1e-6
    )


def flat(value):
    if isinstance(value, tuple):
        return np.concatenate([np.ravel(v) for v in value])
    return value


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("array_programs")


# ---------------------------------------------------------------- scalar losses


@pytest.mark.parametrize("f, point", params(ARRAY_CASES))
def test_grad_matches_finite_differences(f, point, out_dir):
    wrt = active_indices(point)
    gradient = s2sad.grad(f, wrt=wrt, output_dir=out_dir)(*copied(point))
    expected = finite_difference_gradient(f, point, wrt)
    assert len(gradient) == len(expected)
    for i, g, e in zip(wrt, gradient, expected):
        assert np.shape(g) == np.shape(point[i])
        assert_close(g, e, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f, point", params(ARRAY_CASES))
def test_value_and_grad(f, point, out_dir):
    wrt = active_indices(point)
    value, gradient = s2sad.value_and_grad(f, wrt=wrt, output_dir=out_dir)(
        *copied(point)
    )
    assert_same_value(value, f(*copied(point)))
    again = s2sad.grad(f, wrt=wrt, output_dir=out_dir)(*copied(point))
    for g, h in zip(gradient, again):
        assert_close(g, h, rtol=1e-14, atol=0)


@pytest.mark.parametrize("f, point", params(ARRAY_CASES + VECTOR_CASES))
def test_jvp_matches_finite_differences(f, point, out_dir):
    direction = random_like(point, seed=0)
    out, out_dot = s2sad.jvp(f, copied(point), direction, output_dir=out_dir)
    assert_same_value(out, f(*copied(point)))
    expected = finite_difference_jvp(f, point, direction)
    assert_close(flat(out_dot), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f, point", params(ARRAY_CASES + VECTOR_CASES))
def test_dot_product_identity_between_modes(f, point, out_dir):
    """<J t, c> == <t, J^T c>."""
    tangent = random_like(point, seed=1)
    out, out_dot = s2sad.jvp(f, copied(point), tangent, output_dir=out_dir)
    out_again, vjp_fn = s2sad.vjp(f, *copied(point), output_dir=out_dir)
    assert_same_value(out_again, f(*copied(point)))
    cotangent = random_cotangent(out_again, seed=2)
    adjoints = vjp_fn(cotangent)
    assert len(adjoints) == len(point)
    active = active_indices(point)
    for i in active:
        assert np.shape(adjoints[i]) == np.shape(point[i])
    lhs = inner(out_dot, cotangent)
    rhs = sum(inner(tangent[i], adjoints[i]) for i in active)
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-12)


def test_vjp_function_can_be_called_twice(out_dir):
    from array_functions import mlp3

    point = next(p for f, p in ARRAY_CASES if f is mlp3)
    _, vjp_fn = s2sad.vjp(mlp3, *copied(point), output_dir=out_dir)
    first = vjp_fn(1.0)
    second = vjp_fn(2.0)
    for a, b in zip(first, second):
        if a is not None and np.ndim(a) > 0:
            assert_close(2.0 * a, b, rtol=1e-14, atol=0)


def test_derivatives_do_not_change_the_arguments(out_dir):
    from array_functions import alias_write, copy_then_write, fill_loop, mask_zero

    for f in (alias_write, copy_then_write, fill_loop, mask_zero):
        point = next(p for g, p in ARRAY_CASES if g is f)
        args = copied(point)
        wrt = active_indices(point)
        s2sad.grad(f, wrt=wrt, output_dir=out_dir)(*args)
        s2sad.jvp(f, args, random_like(args, 0), output_dir=out_dir)
        _, vjp_fn = s2sad.vjp(f, *args, output_dir=out_dir)
        vjp_fn(1.0)
        for a, p in zip(args, point):
            np.testing.assert_array_equal(a, p)


# ---------------------------------------------------------------- float32


@pytest.mark.parametrize("f, point", params(FLOAT32_CASES))
def test_float32_gradient_stays_float32(f, point, out_dir):
    wrt = active_indices(point)
    gradient = s2sad.grad(f, wrt=wrt, output_dir=out_dir)(*copied(point))
    as64 = tuple(p.astype(np.float64) for p in point)
    expected = finite_difference_gradient(f, as64, wrt)
    for i, g, e in zip(wrt, gradient, expected):
        assert g.dtype == np.float32
        assert g.shape == point[i].shape
        assert_close(g, e, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("f, point", params(FLOAT32_CASES))
def test_float32_jvp_and_vjp(f, point, out_dir):
    tangent = random_like(point, seed=3)
    out, out_dot = s2sad.jvp(f, copied(point), tangent, output_dir=out_dir)
    assert_close(out, f(*copied(point)), rtol=1e-6, atol=0)
    assert np.asarray(out_dot).dtype == np.asarray(out).dtype == np.float32
    _, vjp_fn = s2sad.vjp(f, *copied(point), output_dir=out_dir)
    adjoints = vjp_fn(np.float32(1.0))
    for a in adjoints:
        assert a.dtype == np.float32
    lhs = float(out_dot)
    rhs = sum(inner(t, a) for t, a in zip(tangent, adjoints))
    assert lhs == pytest.approx(rhs, rel=1e-4, abs=1e-5)


# ---------------------------------------------------------------- rejected


def marked_line(f, marker):
    """The absolute line number of the line of ``f`` ending in ``# marker``."""
    lines, first = inspect.getsourcelines(f)
    (offset,) = [k for k, line in enumerate(lines) if line.rstrip().endswith(marker)]
    return first + offset


@pytest.mark.parametrize("f, point", params(REJECTED))
@pytest.mark.parametrize("kind", ["grad", "jvp", "vjp"])
def test_reading_after_a_write_through_a_view_is_rejected(f, point, kind, out_dir):
    with pytest.raises(s2sad.S2SADError) as info:
        if kind == "grad":
            s2sad.grad(f, output_dir=out_dir)
        elif kind == "jvp":
            s2sad.jvp(f, copied(point), random_like(point, 0), output_dir=out_dir)
        else:
            s2sad.vjp(f, *copied(point), output_dir=out_dir)
    error = info.value
    assert error.file is not None and error.file.endswith("array_functions.py")
    assert error.line == marked_line(f, "# read")
    assert str(marked_line(f, "# write")) in error.message
    assert error.hint


def test_plain_alias_sees_the_write(out_dir):
    """``z = y; z[0] = 1.0`` changes ``y``: the derivative is that of the original."""
    from array_functions import alias_write

    x = np.array([0.3, -0.4, 1.5, 0.2])
    gradient = s2sad.grad(alias_write, output_dir=out_dir)(x.copy())
    # y = 2x with y[0] = 1: f = 1*x0 + 2 x1^2 + 2 x2^2 + 2 x3^2 + 2 x1
    expected = np.array([1.0, 4 * x[1] + 2.0, 4 * x[2], 4 * x[3]])
    assert_close(gradient, expected, rtol=1e-14, atol=0)


def test_helpers_may_not_write_into_their_arguments(out_dir):
    with pytest.raises(s2sad.UnsupportedSyntaxError) as info:
        s2sad.grad(writes_into_argument_caller, output_dir=out_dir)
    assert "writes into its argument 'a'" in info.value.message
    assert info.value.line == marked_line(writes_into_argument, "# write")


def test_the_gradient_of_a_float_parameter_is_a_number(out_dir):
    from array_functions import float_scale

    gradient = s2sad.grad(float_scale, wrt=1, output_dir=out_dir)(np.ones((3, 4)), 2.0)
    assert isinstance(gradient, float)
    assert gradient == pytest.approx(12 * np.cos(2.0), rel=1e-12)


@pytest.mark.parametrize("f", ROW_LOOP_WRITES, ids=lambda f: f.__name__)
def test_writing_into_the_matrix_a_loop_runs_over_is_refused(f, out_dir):
    with pytest.raises(s2sad.UnsupportedSyntaxError) as info:
        s2sad.grad(f, output_dir=out_dir)
    assert info.value.line == marked_line(f, "# write")
    assert (
        f"the loop at line {marked_line(f, '# loop')} runs over" in info.value.message
    )
    assert "range(len(...))" in info.value.hint


@pytest.mark.parametrize("f", [range_target_after_loop, row_target_after_loop])
def test_a_loop_target_read_after_its_loop_is_refused(f, out_dir):
    with pytest.raises(s2sad.UnsupportedSyntaxError) as info:
        s2sad.grad(f, output_dir=out_dir)
    assert info.value.line == marked_line(f, "# read")
    assert "is the target of the for loop" in info.value.message
    assert "_last = " in info.value.hint


@pytest.mark.parametrize("loop", ["reversed(range(3))", "zip(x, x)", "enumerate(x)"])
def test_loops_over_other_iterables_are_refused(loop, tmp_path, out_dir):
    module = tmp_path / "other_loops.py"
    module.write_text(
        "import numpy as np\n\n\ndef f(x):\n    t = 0.0\n"
        f"    for a in {loop}:\n        t = t + np.sum(x)\n    return t\n"
    )
    namespace = {"__file__": str(module)}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    with pytest.raises(s2sad.UnsupportedSyntaxError) as info:
        s2sad.grad(namespace["f"], output_dir=out_dir)
    assert info.value.line == 6
    assert f"for loop over `{loop}`" in info.value.message


def test_names_ending_an_iteration_as_one_array_are_refused(out_dir):
    with pytest.raises(s2sad.UnsupportedSyntaxError) as info:
        s2sad.grad(shared_at_iteration_end, output_dir=out_dir)
    assert "same array at the end of each iteration" in info.value.message


def test_vjp_fn_runs_again_with_a_loop_and_a_branch(out_dir):
    point = (np.array([0.3, -1.2, 0.7]),)
    out, vjp_fn = s2sad.vjp(loop_and_branch, *point, output_dir=out_dir)
    (first,) = vjp_fn(1.0)
    (second,) = vjp_fn(2.0)
    assert_close(second, 2.0 * first, rtol=1e-14, atol=0)
    assert_close(first, central_gradient_arrays(loop_and_branch, list(point))[0])


def test_gradient_through_a_branch_is_a_fresh_array(out_dir):
    x = np.array([1.0, 2.0])
    _, vjp_fn = s2sad.vjp(passes_through, x, False, output_dir=out_dir)
    cotangent = np.ones(2)
    adjoint, _ = vjp_fn(cotangent)
    assert not np.shares_memory(adjoint, cotangent)
    adjoint += 1.0


@pytest.mark.parametrize("f", [fill_matrix, write_in_branch_in_loop])
def test_writes_in_nested_regions_happen_in_place(f, out_dir):
    assert ".copy()" not in s2sad.grad(f, output_dir=out_dir).source
