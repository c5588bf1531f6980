"""Constructs users write every day: enumerate, zip, chained comparisons, print, assert."""

import math

import numpy as np


def enumerate_literal(x):
    s = 0.0
    for i, v in enumerate((1.0, x, 2.0)):
        s = s + i * v * x
    return s


def enumerate_with_start(x):
    s = 0.0
    for i, v in enumerate([x, x * x], 3):
        s = s + i * v
    return s


def zip_literals(x, y):
    s = 0.0
    for a, b in zip((x, y, 1.0), (2.0, x)):
        s = s + a * math.sin(b)
    return s


def enumerate_range(x):
    s = x
    for i, j in enumerate(range(2, 11, 3)):
        s = s * 0.9 + math.sin(s * i + j)
    return s


def zip_ranges(x, n: int):
    s = x
    for i, j in zip(range(n), range(n, 0, -2)):
        s = s * math.cos(0.1 * i * s) + 0.01 * j
    return s


def enumerate_literal_with_jumps(x):
    s = 0.0
    for i, v in enumerate((x, 2.0, 3.0, x)):
        if i == 2:
            continue
        s = s + v * x
        if s > 5.0:
            break
    return s


def enumerate_rows(X):
    s = 0.0
    for i, row in enumerate(X):
        s = s + i * np.sum(row * row)
    return s


def zip_rows(X, Y):
    s = 0.0
    for a, b in zip(X, Y):
        s = s + np.sum(a * np.sin(b))
    return s


def zip_range_and_rows_with_break(X):
    s = 0.0
    for i, row in zip(range(10, 0, -1), X):
        s = s + i * np.sum(row)
        if s > 3.0:
            break
    return s


def enumerate_zip(X, Y):
    s = 0.0
    for i, (a, b) in enumerate(zip(X, Y)):
        s = s + (i + 1) * np.sum(a * np.sin(b))
    return s


def chained_comparison(x):
    if 0.0 < x < 1.0:
        return x * x
    return math.sin(x)


def long_chain(x, y):
    inside = 0.0 < x <= y < 2.0
    return x * y if inside else x + y


def chain_with_a_computed_middle(x):
    if 0.0 < math.sin(x) < 0.5:
        return x * x
    return 3.0 * x


def chained_in_while(x):
    y = x
    while 0.0 < y < 5.0:
        y = y * 1.5 + 0.1
    return y


def prints_values(x):
    y = x * x
    print("y is", y, sep=" = ")
    for i in range(2):
        y = math.sin(y)
        print(i, y)
    return y


def asserts(x):
    assert x > 0.0, "x must be positive"
    y = math.log(x)
    assert y < 10.0
    return y * x


def array_prints_and_asserts(x):
    y = np.sin(x)
    print(np.sum(y))
    assert np.all(x > -1.0), "too small"
    return np.sum(y * y)


SCALAR_CASES = [
    (enumerate_literal, (0.7,)),
    (enumerate_with_start, (0.7,)),
    (zip_literals, (0.7, 0.3)),
    (enumerate_range, (0.4,)),
    (zip_ranges, (0.8, 5)),
    (enumerate_literal_with_jumps, (1.5,)),
    (enumerate_literal_with_jumps, (0.5,)),
    (chained_comparison, (0.5,)),
    (chained_comparison, (1.5,)),
    (chained_comparison, (-0.5,)),
    (long_chain, (0.5, 0.7)),
    (long_chain, (0.7, 0.5)),
    (long_chain, (0.5, 2.5)),
    (chained_in_while, (0.3,)),
    (chain_with_a_computed_middle, (0.3,)),
    (chain_with_a_computed_middle, (1.3,)),
    (prints_values, (0.5,)),
    (asserts, (2.0,)),
]

ROWS = np.array([[0.3, 0.4], [0.8, -0.2], [0.5, 0.5]])
OTHER_ROWS = np.array([[0.1, 0.2], [0.3, 0.4]])
ARRAY_CASES = [
    (enumerate_rows, (ROWS,)),
    (zip_rows, (ROWS, OTHER_ROWS)),
    (zip_range_and_rows_with_break, (ROWS,)),
    (enumerate_zip, (ROWS, OTHER_ROWS)),
    (array_prints_and_asserts, (np.array([0.1, 0.2, -0.3]),)),
]
