"""Every corpus entry (tests/corpus/) ends in a correct derivative or a clear error.

A derivative is checked against central finite differences, the primal value
of the derived function against ``f``'s, and the arguments against copies
taken before the call.  An error must be an ``S2SADError`` with a hint and,
where the function has source, the right file and line; any other exception
fails.  Entries with a ``known_failure`` xfail strictly.
"""

import inspect

import numpy as np
import pytest
from corpus import api_misuse, issue9, odd_inputs, rules, semantics, syntax
from corpus.entry import expected_line, random_like
from fuzz_check import copied, time_limit
from numerics import central_directional_arrays, central_gradient_arrays

import s2sad

MODULES = (syntax, rules, api_misuse, odd_inputs, semantics, issue9)
ENTRIES = [entry for module in MODULES for entry in module.ENTRIES]
TIME_LIMIT = 30.0


def _params():
    seen = {}
    for entry in ENTRIES:
        count = seen.get(entry.name, 0)
        seen[entry.name] = count + 1
        name = entry.name if not count else f"{entry.name}-{count + 1}"
        marks = (
            [pytest.mark.xfail(strict=True, reason=entry.known_failure)]
            if entry.known_failure
            else []
        )
        yield pytest.param(entry, id=name, marks=marks)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("corpus")


def is_active(value) -> bool:
    """Differentiated: a float or a floating array."""
    if isinstance(value, np.ndarray):
        return np.issubdtype(value.dtype, np.floating)
    return isinstance(value, float)


def inner(a, b) -> float:
    if isinstance(a, tuple):
        return sum(inner(x, y) for x, y in zip(a, b))
    return float(np.sum(np.asarray(a, dtype=float) * np.asarray(b, dtype=float)))


def call_unmodified(fn, args, *extra):
    """``fn(*args, *extra)`` on copies; the copies must be left as they were."""
    given = copied(tuple(args))
    result = fn(*given, *extra)
    for k, (a, b) in enumerate(zip(given, args)):
        assert np.array_equal(a, b, equal_nan=True), f"argument {k} was modified"
    return result


def assert_same_value(actual, expected):
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same_value(a, e)
        return
    assert np.shape(actual) == np.shape(expected)
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=0)


def assert_close(actual, expected, rtol):
    assert np.shape(actual) == np.shape(expected), (actual, expected)
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), expected, rtol=rtol, atol=rtol / 10
    )


def fd_gradient(f, args, indices, weight=None):
    """Finite differences of ``f`` (or of ``<weight, f>``) in the arguments ``indices``."""

    def along(*xs):
        point = list(copied(args))
        for i, x in zip(indices, xs):
            point[i] = x
        value = f(*point)
        return inner(weight, value) if weight is not None else np.asarray(value).item()

    return central_gradient_arrays(along, [args[i] for i in indices])


def parameter_index(f, wrt) -> int:
    """The position of parameter ``wrt`` (an index or a name) of ``f``."""
    names = list(inspect.signature(f).parameters)
    return names.index(wrt) if isinstance(wrt, str) else wrt % len(names)


def check_derivative(entry, out_dir):
    f, args = entry.fn, entry.args
    primal = f(*copied(args))
    if entry.call in ("grad", "value_and_grad"):
        single = not isinstance(entry.wrt, (tuple, list))
        indices = tuple(
            parameter_index(f, w) for w in ((entry.wrt,) if single else entry.wrt)
        )
        transform = getattr(s2sad, entry.call)
        result = call_unmodified(transform(f, wrt=entry.wrt, output_dir=out_dir), args)
        if entry.call == "value_and_grad":
            value, result = result
            assert_same_value(value, primal)
        gradients = (result,) if single else tuple(result)
        for g, e in zip(gradients, fd_gradient(f, args, indices), strict=True):
            assert_close(g, e, entry.rtol)
    elif entry.call == "jvp":
        tangents = entry.tangents
        if tangents is None:
            tangents = tuple(
                random_like(a, 10 + k) if is_active(a) else 0.0 * a
                for k, a in enumerate(args)
            )
        out, out_dot = call_unmodified(
            lambda *xs: s2sad.jvp(f, xs, tangents, output_dir=out_dir), args
        )
        assert_same_value(out, primal)
        active = [
            k
            for k, (a, t) in enumerate(zip(args, tangents))
            if is_active(a) or np.any(t)
        ]

        def along(*xs):
            point = list(copied(args))
            for i, x in zip(active, xs):
                point[i] = x
            value = f(*point)
            return (
                np.concatenate([np.ravel(v) for v in value])
                if isinstance(value, tuple)
                else value
            )

        expected = central_directional_arrays(
            along, [args[i] for i in active], [tangents[i] for i in active]
        )
        flat = (
            np.concatenate([np.ravel(v) for v in out_dot])
            if isinstance(out_dot, tuple)
            else out_dot
        )
        assert_close(flat, expected, entry.rtol)
    else:
        out, vjp_fn = call_unmodified(
            lambda *xs: s2sad.vjp(f, *xs, output_dir=out_dir), args
        )
        assert_same_value(out, primal)
        cotangent = (
            entry.cotangent if entry.cotangent is not None else random_like(out, 20)
        )
        adjoints = vjp_fn(cotangent)
        active = [k for k, a in enumerate(args) if is_active(a)]
        expected = fd_gradient(f, args, active, weight=cotangent)
        for i, e in zip(active, expected):
            assert_close(adjoints[i], e, entry.rtol)


def run_call(entry, out_dir):
    """Make the entry's call, all the way to a derivative (for expected errors)."""
    f, args = entry.fn, entry.args
    if entry.call == "custom":
        return f()
    if entry.call in ("grad", "value_and_grad"):
        return getattr(s2sad, entry.call)(f, wrt=entry.wrt, output_dir=out_dir)(*args)
    if entry.call == "jvp":
        tangents = entry.tangents
        if tangents is None:
            tangents = tuple(random_like(a, 10) if is_active(a) else a for a in args)
        return s2sad.jvp(f, args, tangents, output_dir=out_dir)
    out, vjp_fn = s2sad.vjp(f, *args, output_dir=out_dir)
    cotangent = entry.cotangent if entry.cotangent is not None else random_like(out, 20)
    return vjp_fn(cotangent)


def check_error(entry, out_dir, error=None):
    if error is None:
        with pytest.raises(Exception) as info:
            run_call(entry, out_dir)
        error = info.value
    assert isinstance(error, s2sad.S2SADError), f"{type(error).__name__}: {error}"
    assert error.hint, f"no hint: {error}"
    line = expected_line(entry)
    if line is not None:
        assert error.file == inspect.getsourcefile(entry.fn), str(error)
        assert error.line == line, str(error)


@pytest.mark.parametrize("entry", list(_params()))
def test_corpus_entry(entry, out_dir):
    with time_limit(TIME_LIMIT), np.errstate(all="ignore"):
        if entry.expect == "derivative":
            check_derivative(entry, out_dir)
        elif entry.expect == "error":
            check_error(entry, out_dir)
        else:
            try:
                check_derivative(entry, out_dir)
            except s2sad.S2SADError as error:
                check_error(entry, out_dir, error)


def test_corpus_is_large_enough():
    assert len(ENTRIES) >= 300
