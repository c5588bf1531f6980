"""Programs where a value is overwritten in its variable while a derivative still needs
the old one: statements before and after inner loops, in both modes."""

import math

import numpy as np


def mul_then_loop(x):
    u = 1.0
    for i in range(1):
        u = u * x
        for k in range(1):
            u = u * x
    return u


def loop_then_mul(x):
    u = 1.0
    for i in range(1):
        for k in range(1):
            u = u * x
        u = u * x
    return u


def mul_then_while(x):
    u = 1.0
    for i in range(2):
        u = u * x
        k = 0
        while k < 2:
            u = u * x
            k += 1
    return u


def while_then_mul(x):
    u = 1.0
    for i in range(2):
        k = 0
        while k < 2:
            u = u * x
            k += 1
        u = u * x
    return u


def old_value_after_inner_loop(x, y):
    u = x
    for i in range(2):
        v = u
        for k in range(2):
            u = math.sin(u) * y
        u = u * v + y
    return u


def swap_around_inner_loop(x, y):
    a = x
    b = y
    for i in range(2):
        a, b = b, a * x
        for k in range(2):
            b = math.tanh(b + a)
        a = a * b
    return a + b


def loop_in_branch_then_mul(x):
    u = x
    for i in range(3):
        if u < 2.0:
            for k in range(2):
                u = u * x
        u = math.sin(u) * x
    return u


def while_in_while(x):
    u = x
    n = 0
    while n < 2:
        w = u
        k = 0
        while k < 2:
            u = math.cos(u) * w
            k += 1
        u = u + w * x
        n += 1
    return u


def write_then_scale(x):
    u = x * 1.0
    for i in range(2):
        s = np.sum(u)
        u[1] = s
        u *= s
    return np.sum(u)


def scale_then_inner_writes(x):
    u = x * 1.0
    for i in range(2):
        u = u * x
        for k in range(2):
            u[k] = u[k] * u[0]
    return np.sum(u)


SCALAR_CASES = [
    (mul_then_loop, (1.3,)),
    (loop_then_mul, (1.3,)),
    (mul_then_while, (1.1,)),
    (while_then_mul, (1.1,)),
    (old_value_after_inner_loop, (0.7, 0.9)),
    (swap_around_inner_loop, (0.6, -0.4)),
    (loop_in_branch_then_mul, (1.2,)),
    (while_in_while, (0.8,)),
]

ARRAY_CASES = [
    (write_then_scale, (np.array([0.3, 0.5, -0.2]),)),
    (scale_then_inner_writes, (np.array([0.9, 0.7, 1.1]),)),
]
