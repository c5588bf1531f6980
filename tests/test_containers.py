"""Python lists used as mutable containers: written by index, appended to, or refused clearly."""

import math

import numpy as np
import pytest

import s2sad
from derivative_checks import check_all


def fill_three(x):
    v = [0.0, 0.0, 0.0]
    v[0] = x
    v[1] = x * x
    v[2] = math.sin(x)
    return v[0] + v[1] + v[2]


def running_total(x):
    total = [0.0]
    total[0] = total[0] + x
    total[0] += x * x
    return total[0]


def fill_in_loop(x):
    n = 4
    v = [0.0] * n
    for i in range(n):
        v[i] = x * i
    return v[0] + v[1] + v[2] + v[3] * x


def repeated_after(x):
    v = 2 * [1.0, 2.0]
    v[3] = v[1] * x
    return v[0] * v[3] + v[2]


def recurrence(x):
    v = [1.0, 0.0, 0.0, 0.0]
    for i in range(1, 4):
        v[i] = v[i - 1] * x + math.cos(x)
    return v[3]


def list_of_values(x, y):
    v = [x, y]
    v[1] = v[0] * y
    return v[0] + v[1]


def appended(x):
    v = []
    v.append(x)
    v.append(x * x)
    w = v
    w.append(math.sin(x))
    return v[0] + v[1] + v[2]


def appended_to_display(x):
    v = [x]
    v.append(x * 2.0)
    return np.sum(np.array(v) ** 2)


def copied_list(x):
    v = [0.0, 0.0, 0.0]
    w = v.copy()
    w[0] = x
    return w[0] * x + v[0]


@pytest.mark.parametrize(
    "f, point",
    [
        (fill_three, (1.1,)),
        (running_total, (0.7,)),
        (fill_in_loop, (1.3,)),
        (repeated_after, (0.4,)),
        (recurrence, (0.9,)),
        (list_of_values, (0.8, 1.7)),
        (appended, (1.1,)),
        (appended_to_display, (0.6,)),
        (copied_list, (1.1,)),
    ],
)
def test_list_containers_differentiate(f, point):
    wrt = tuple(range(len(point)))
    check_all(f, point, wrt=wrt if len(wrt) > 1 else 0)


def ints_written_with_float(x):
    v = [0, 0]
    v[0] = x
    return v[0]


def ints_written_fixed(x):
    v = [0.0, 0.0]
    v[0] = x
    return v[0]


def concatenated(x):
    v = [0.0]
    v[0] = x
    w = v + [1.0]
    return w[0]


def appended_in_loop(x):
    v = []
    for i in range(3):
        v.append(x * i)
    return v[1]


def appended_in_loop_fixed(x):
    v = [0.0] * 3
    for i in range(3):
        v[i] = x * i
    return v[1]


def comprehension(x):
    v = [x * i for i in range(3)]
    return v[1]


def written_through_alias(x):
    v = [0.0, 0.0]
    w = v
    w[0] = x
    return v[0]


def written_through_alias_fixed(x):
    w = [0.0, 0.0]
    w[0] = x
    return w[0]


def popped(x):
    v = [x, x]
    v.pop()
    return v[0]


@pytest.mark.parametrize(
    "f, line, fixed",
    [
        (ints_written_with_float, 3, ints_written_fixed),
        (concatenated, 4, None),
        (appended_in_loop, 4, appended_in_loop_fixed),
        (comprehension, 2, appended_in_loop_fixed),
        (written_through_alias, 4, written_through_alias_fixed),
        (popped, 3, None),
    ],
)
def test_list_misuse_refused_at_its_line(f, line, fixed):
    with pytest.raises(s2sad.UnsupportedSyntaxError) as caught:
        s2sad.grad(f)(0.5)
    first = f.__code__.co_firstlineno
    assert caught.value.line == first + line - 1
    assert caught.value.hint
    if fixed is not None:
        check_all(fixed, (0.5,))


def tuple_copied(x):
    v = (0.0, 0.0, 0.0)
    w = np.copy(v)
    w[1] = x
    return np.sum(w * x)


def test_copy_of_a_tuple_is_an_array():
    check_all(tuple_copied, (1.3,))


def copied_display(x):
    v = [0.0, 0.0, 0.0]
    w = v.copy()
    return w[0] + x * x


def copied_values(x):
    v = [x, 2.0 * x]
    w = v.copy()
    return w[0] * w[1]


def summed_container(x):
    v = [0.0] * 3
    for i in range(3):
        v[i] = x**i
    return sum(v)


@pytest.mark.parametrize("f", [copied_display, copied_values, summed_container])
def test_list_copies_and_sums(f):
    check_all(f, (1.1,))
