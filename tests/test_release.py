"""Generated functions let go of the arrays they no longer read (s2sad.backend.release)."""

import ast
import textwrap
import tracemalloc

import numpy as np
from array_functions import mlp3
from numerics import assert_close, central_gradient_arrays

import s2sad
from s2sad.backend.release import release_dead_arrays


def released(source, arrays):
    """``source``'s statements after release, ``runtime.unbroadcast``'s second
    argument counted as a read of the shape only."""
    statements = ast.parse(textwrap.dedent(source)).body
    shape_reads = {
        id(node.args[1])
        for statement in statements
        for node in ast.walk(statement)
        if isinstance(node, ast.Call)
        and ast.unparse(node.func) == "runtime.unbroadcast"
    }
    result = release_dead_arrays(statements, set(arrays), shape_reads)
    module = ast.fix_missing_locations(ast.Module(result, type_ignores=[]))
    return ast.unparse(module).splitlines()


def test_an_array_is_deleted_after_its_last_read():
    lines = released(
        """
        a = f(x)
        b = g(a)
        c = h(b)
        d = k(c)
        return d
        """,
        "abcd",
    )
    assert lines == [
        "a = f(x)",
        "b = g(a)",
        "del a",
        "c = h(b)",
        "del b",
        "d = k(c)",
        "return d",
    ]


def test_an_array_read_later_only_for_its_shape_keeps_a_carrier():
    lines = released(
        """
        t = x @ w
        h = np.tanh(t)
        u = h * h
        g = runtime.unbroadcast(u, t)
        return g
        """,
        "thug",
    )
    assert lines[:3] == ["t = x @ w", "h = np.tanh(t)", "t = runtime.shape_of(t)"]
    assert "del t" not in lines


def test_names_that_are_not_arrays_or_bound_only_in_a_loop_are_kept():
    lines = released(
        """
        for i in range(n):
            t = f(i)
        s = len(t)
        y = g(t, s)
        z = h(y)
        w = k(z)
        return w
        """,
        "tyzw",
    )
    assert "del t" not in lines
    assert "del s" not in lines
    assert lines[lines.index("z = h(y)") + 1] == "del y"


def test_an_array_written_into_is_read_there():
    lines = released(
        """
        a = f(x)
        b = g(x)
        a[0] += b
        c = h(a)
        d = k(c)
        return d
        """,
        "abcd",
    )
    assert lines.index("del b") == lines.index("a[0] += b") + 1
    assert lines.index("del a") == lines.index("c = h(a)") + 1


def network_point(rng, batch=64, width=128):
    """Arguments of ``mlp3`` with biases broadcast over the batch."""
    return [
        rng.normal(size=(batch, width)),
        rng.normal(size=(width, width)) / 10,
        rng.normal(size=width),
        rng.normal(size=(width, width)) / 10,
        rng.normal(size=width),
        rng.normal(size=(width, width)) / 10,
        rng.normal(size=width),
        rng.normal(size=(batch, width)),
    ]


def mlp3_hand(X, W1, b1, W2, b2, W3, b3, Y):
    """Backpropagation through ``mlp3`` as a person writes it."""
    h1 = np.tanh(X @ W1 + b1)
    z2 = h1 @ W2 + b2
    h2 = np.maximum(z2, 0.0)
    out = h2 @ W3 + b3
    d_out = 2.0 * (out - Y) / out.size
    d_z2 = (d_out @ W3.T) * (z2 > 0.0)
    d_h1 = (d_z2 @ W2.T) * (1.0 - h1**2)
    return (
        X.T @ d_h1,
        d_h1.sum(axis=0),
        h1.T @ d_z2,
        d_z2.sum(axis=0),
        h2.T @ d_out,
        d_out.sum(axis=0),
    )


def peak_bytes(function, args):
    """The most memory NumPy held at once while ``function(*args)`` ran."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    function(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_generated_network_gradient_peaks_no_higher_than_backpropagation_by_hand(
    tmp_path,
):
    point = network_point(np.random.default_rng(0))
    gradient = s2sad.grad(mlp3, wrt=tuple(range(1, 7)), output_dir=tmp_path)
    for actual, expected in zip(gradient(*point), mlp3_hand(*point)):
        assert_close(actual, expected, rtol=1e-10, atol=1e-12)
    assert "t1 = runtime.shape_of(t1)" in gradient.source
    assert peak_bytes(gradient, point) <= 1.05 * peak_bytes(mlp3_hand, point)


def test_released_network_gradient_matches_finite_differences(tmp_path):
    point = network_point(np.random.default_rng(1), batch=5, width=4)
    gradient = s2sad.grad(mlp3, wrt=tuple(range(1, 7)), output_dir=tmp_path)
    expected = central_gradient_arrays(mlp3, point)[1:7]
    for actual, reference in zip(gradient(*point), expected):
        assert_close(actual, reference, rtol=1e-5, atol=1e-7)
