"""Functions with checkpointed while loops, for tests/test_checkpointed_while.py."""

import numpy as np

import s2sad


def relax(u, c: float, steps: int):
    """``steps`` steps counted by the loop itself."""
    k = 0
    while s2sad.checkpointed(k < steps, snapshots=3):
        u = u + 0.1 * c * (np.roll(u, 1) - u) + 0.02 * np.sin(u) * k
        k = k + 1
    return np.sum(u * u)


def relax_plain(u, c: float, steps: int):
    k = 0
    while k < steps:
        u = u + 0.1 * c * (np.roll(u, 1) - u) + 0.02 * np.sin(u) * k
        k = k + 1
    return np.sum(u * u)


def grow(y: float, rate: float, limit: float):
    """Grows ``y`` until it passes ``limit``: a trip count the values decide."""
    t = 0.0
    while s2sad.checkpointed(y < limit, snapshots=4, schedule="online"):
        y = y + 0.05 * rate * y * (1.0 + np.cos(t))
        t = t + 0.05
    return y * t + y


def grow_plain(y: float, rate: float, limit: float):
    t = 0.0
    while y < limit:
        y = y + 0.05 * rate * y * (1.0 + np.cos(t))
        t = t + 0.05
    return y * t + y


def relax_twice(u, c: float, steps: int):
    """A checkpointed while loop in a helper, called twice."""
    return relax(u, c, steps) + relax(u * 0.5, c * 2.0, steps + 1)


def relax_twice_plain(u, c: float, steps: int):
    return relax_plain(u, c, steps) + relax_plain(u * 0.5, c * 2.0, steps + 1)


def nested(u, c: float):
    """A checkpointed while loop in a for loop: its first state comes from the tape."""
    total = 0.0
    for j in range(3):
        k = 0
        while s2sad.checkpointed(k < j + 2, snapshots=2):
            u = u * (1.0 + 0.1 * c) + np.sin(u) * 0.1
            k = k + 1
        total = total + np.sum(u) * j
    return total


def nested_plain(u, c: float):
    total = 0.0
    for j in range(3):
        k = 0
        while k < j + 2:
            u = u * (1.0 + 0.1 * c) + np.sin(u) * 0.1
            k = k + 1
        total = total + np.sum(u) * j
    return total


def inner(u, c: float):
    """A checkpointed for loop and a branch in a checkpointed while loop's step."""
    k = 0
    while s2sad.checkpointed(np.sum(u) < 3.0, snapshots=3):
        for i in s2sad.checkpointed(range(3), snapshots=2):
            u = u + 0.05 * c * np.cos(u) + 0.01 * i
        if np.max(u) > 2.0:
            u = u * 0.99
        k = k + 1
    return np.sum(u * u) + k


def inner_plain(u, c: float):
    k = 0
    while np.sum(u) < 3.0:
        for i in range(3):
            u = u + 0.05 * c * np.cos(u) + 0.01 * i
        if np.max(u) > 2.0:
            u = u * 0.99
        k = k + 1
    return np.sum(u * u) + k


def vec(u, c: float):
    """An array output, for vjp."""
    k = 0
    while s2sad.checkpointed(k < 7, snapshots=2):
        u = np.tanh(u * c) + u
        k += 1
    return u * 2.0


def vec_plain(u, c: float):
    k = 0
    while k < 7:
        u = np.tanh(u * c) + u
        k += 1
    return u * 2.0


def unread_list(x, y):
    """A list the loop (no trip here) carries whose adjoint after the loop is
    zero (the number 0): the reversal returns zeros shaped like it."""
    l0 = [0.0, y]
    while s2sad.checkpointed(l0[-1] > 10.0, snapshots=2):
        l0[0] += 1.0
    if y < 0.0:
        return y
    for w0 in (l0[-1], 2.0):
        l0 = [x[0], y]
    return l0[1] + x[1]


def unread_list_plain(x, y):
    l0 = [0.0, y]
    while l0[-1] > 10.0:
        l0[0] += 1.0
    if y < 0.0:
        return y
    for w0 in (l0[-1], 2.0):
        l0 = [x[0], y]
    return l0[1] + x[1]


def unread_list_for(x, y, n: int):
    l0 = [0.0, y]
    for i in s2sad.checkpointed(range(n), snapshots=2):
        l0[0] += 1.0
    if y < 0.0:
        return y
    for w0 in (l0[-1], 2.0):
        l0 = [x[0], y]
    return l0[1] + x[1]
