"""Everyday constructs that used to be refused: conversions, builtin sum, NumPy keywords,
flatten, and arrays, tuples and lists from outside the function read as constants."""

import math

import numpy as np
import pytest

import s2sad
from derivative_checks import check_all

WEIGHTS = np.array([1.0, 2.0, 3.0])
OFFSETS = (0.5, -1.5)
SCALES = [2.0, 3.0]
COUNTS = np.array([1, 2, 3])
HALF = np.float64(0.5)


def with_int(x):
    k = int(x * 2.0)
    return x * k + float(k)


def with_float(x):
    return float(x) * x


def with_round(x):
    return round(x) * x + round(x * x, 2) + x


def with_floor_ceil(x):
    return math.floor(x) * x + math.ceil(x) * x * x + math.trunc(x)


def with_factorial(x):
    n = 4
    return x * math.factorial(n)


def summed_list(x):
    return sum([x, x * x, 1.0])


def summed_generator(x):
    return sum(x * c for c in (1.0, 2.0, 3.0)) + sum((x, 2.0), 1.0)


def summed_appended(x):
    v = []
    v.append(math.sin(x))
    v.append(x * x)
    return sum(v)


def module_array(x):
    return np.sum(WEIGHTS * x * x) + HALF * x[0]


def module_tuple_and_list(x):
    return OFFSETS[0] * x + OFFSETS[1] + SCALES[1] * x * x


def module_int_array(x):
    return np.sum(COUNTS * x)


@pytest.mark.parametrize(
    "f, point",
    [
        (with_int, (1.3,)),
        (with_float, (1.3,)),
        (with_round, (1.3,)),
        (with_floor_ceil, (1.3,)),
        (with_factorial, (1.3,)),
        (summed_list, (0.7,)),
        (summed_generator, (0.7,)),
        (summed_appended, (0.7,)),
        (module_tuple_and_list, (0.7,)),
    ],
)
def test_scalar_constructs(f, point):
    check_all(f, point)


def moved(a):
    return np.sum(np.moveaxis(a, source=0, destination=1) * a.T)


def flattened_then_written(y):
    z = y.flatten()
    z[0] = 10.0
    return np.sum(z * y.ravel()) + np.sum(y * y)


def summed_rows(a):
    return np.sum(sum(a) ** 2)


@pytest.mark.parametrize(
    "f, point",
    [
        (moved, (np.arange(6.0).reshape(2, 3) + 0.5,)),
        (flattened_then_written, (np.arange(6.0).reshape(2, 3) + 0.5,)),
        (summed_rows, (np.arange(6.0).reshape(2, 3) + 0.5,)),
        (module_array, (np.array([0.3, 1.2, -0.4]),)),
        (module_int_array, (np.array([0.3, 1.2, -0.4]),)),
    ],
)
def test_array_constructs(f, point):
    check_all(f, point)


def closing_over(C):
    def closed(x):
        return np.sum(C * x * x)

    return closed


def test_closed_over_arrays_are_constants():
    for values in ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]):
        closed = closing_over(np.array(values))
        check_all(closed, (np.array([0.3, 1.2, -0.4]),))


def test_changed_module_array_changes_the_content_hash(monkeypatch):
    from s2sad.frontend.program import lower
    from s2sad.cache.provenance import content_hash

    before = content_hash(lower(module_array), "grad")
    monkeypatch.setattr(__import__(__name__), "WEIGHTS", np.array([3.0, 2.0, 1.0]))
    assert content_hash(lower(module_array), "grad") != before
    source = s2sad.grad(module_array).source
    assert 'runtime.constant("test_harmless", "WEIGHTS"' in source


def with_out(a):
    return np.sum(np.exp(a, out=None))


def test_out_keyword_message():
    with pytest.raises(s2sad.UnsupportedSyntaxError) as caught:
        s2sad.grad(with_out)(np.ones(2))
    assert "out" in str(caught.value) and "supports 1" not in str(caught.value)
    assert caught.value.line == with_out.__code__.co_firstlineno + 1
