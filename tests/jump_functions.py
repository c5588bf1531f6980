"""Functions with break, continue and return at every depth of nested loops,
with statements after the inner loops, in literal, range, row and while loops."""

import math

import numpy as np


def literal_break_in_range_break(x):
    s = 0.0
    for i in range(5):
        if i == 3:
            break
        for v in (1.0, 2.0, 3.0):
            if v > 2.0:
                break
            s = s + v * x
        s = s * 1.1
    return s


def literal_continue_in_range_continue(x):
    s = 0.0
    for i in range(4):
        if i == 1:
            continue
        for v in (1.0, x, 3.0):
            if v == 1.0:
                continue
            s = s + v * math.sin(x * i)
        s = s + x
    return s


def literal_break_alone(x):
    s = x
    for v in (0.5, 2.0, x):
        s = s * v + 1.0
        if s > 2.0:
            break
        s = s + math.cos(s)
    return s


def literal_elements_read_before_the_body(x):
    s = x
    for v in (s, s * 2.0):
        s = s + v
    return s * s


def range_break_in_literal(x):
    s = 0.0
    for w in (1.0, 2.0, 0.5):
        for i in range(10):
            s = s + w * x * i
            if s > 3.0:
                break
        s = s * 0.5
    return s


def while_in_literal_with_break(x):
    s = x
    for w in (1.5, 1.2):
        k = 0
        while k < 20:
            s = s * w
            if s > 4.0:
                break
            k = k + 1
        s = s - 1.0
        if s > 2.5:
            break
    return s


def return_from_literal(x):
    s = x
    for w in (1.0, 2.0, 3.0):
        s = s * w + math.sin(s)
        if s > 2.0:
            return s * s
    return -s


def return_from_literal_in_range(x):
    s = 0.0
    for i in range(6):
        for w in (1.0, x):
            s = s + w * i
            if s > 2.5:
                return s * x
        s = s * 0.9
    return s


def three_levels(x):
    s = 0.0
    for i in range(6):
        if s > 6.0:
            break
        for w in (1.0, 2.0):
            if w * i == 4.0:
                continue
            j = 0
            while j < 5:
                s = s + x * w / (j + 1)
                if s > 2.0 + i:
                    break
                j = j + 1
            s = s + 0.1 * x
        s = s * 1.05
    return s


def helper_returning_early(x, n: int):
    for i in range(n):
        for j in range(n):
            x = x * 1.1 + 0.01 * j
            if x > 2.0:
                return x * i
        x = x - 0.05
    return x


def calls_helper_returning_early(x):
    a = helper_returning_early(x, 4)
    b = helper_returning_early(x * 0.5, 3)
    return a + b * x


def negative_step_break(x):
    s = x
    for i in range(10, 0, -2):
        s = s + math.sin(s) * i
        if s > 20.0:
            break
    return s


def step_of_unknown_sign(x, step: int):
    s = x
    for i in range(0, 5 * step, step):
        s = s * 1.2 + 0.1 * i
        if s > 3.0:
            break
    return s


def target_reassigned_in_body(x):
    s = 0.0
    for i in range(8):
        i = i * 2
        s = s + x * i
        if s > 5.0:
            break
    return s


def continue_and_break_in_range(x):
    s = 0.0
    for i in range(20):
        if i % 3 == 0:
            continue
        s = s + x * math.cos(i * x)
        if s > 1.5:
            break
        s = s * 1.01
    return s


def break_after_inner_loop(x):
    u = 1.0
    for i in range(10):
        for k in range(2):
            u = u * x
        if u > 3.0:
            break
        u = u + 0.5
    return u


def while_own_test_and_break(x):
    y = x
    while y < 100.0:
        y = y * 1.7
        if y * x > 8.0:
            break
        y = y + 0.2
    return y


def rows_with_break(X):
    s = 0.0
    for row in X:
        s = s + np.sum(row * row)
        if s > 1.0:
            break
    return s


def long_loop_breaking_early(x):
    s = 0.0
    for i in range(10**6):
        s = s + x * 0.1
        if s > 1.5:
            break
    return s


def long_loop_returning_early(x):
    s = 0.0
    for i in range(10**6):
        s = s + x * 0.1
        if s > 1.5:
            return s * s
    return s


def while_loop_breaking_early(x):
    s = 0.0
    k = 0
    while k < 10**6:
        s = s + x * 0.1
        if s > 1.5:
            break
        k = k + 1
    return s


JUMP_CASES = [
    (literal_break_in_range_break, (1.3,)),
    (literal_continue_in_range_continue, (0.7,)),
    (literal_break_alone, (0.9,)),
    (literal_break_alone, (0.2,)),
    (literal_elements_read_before_the_body, (0.8,)),
    (range_break_in_literal, (0.4,)),
    (while_in_literal_with_break, (1.1,)),
    (while_in_literal_with_break, (0.6,)),
    (return_from_literal, (0.3,)),
    (return_from_literal, (-0.4,)),
    (return_from_literal_in_range, (0.6,)),
    (return_from_literal_in_range, (0.01,)),
    (three_levels, (0.45,)),
    (calls_helper_returning_early, (0.9,)),
    (calls_helper_returning_early, (0.2,)),
    (negative_step_break, (0.5,)),
    (step_of_unknown_sign, (0.7, 2)),
    (step_of_unknown_sign, (0.7, -1)),
    (target_reassigned_in_body, (0.3,)),
    (continue_and_break_in_range, (0.35,)),
    (break_after_inner_loop, (1.3,)),
    (while_own_test_and_break, (0.9,)),
    (while_own_test_and_break, (0.1,)),
    (long_loop_breaking_early, (1.7,)),
    (long_loop_returning_early, (1.7,)),
    (while_loop_breaking_early, (1.7,)),
]
"""(function, point) pairs away from the points where a jump switches."""

EARLY_EXITS = [
    long_loop_breaking_early,
    long_loop_returning_early,
    while_loop_breaking_early,
]
"""Loops of a million iterations that the source leaves after about ten."""
