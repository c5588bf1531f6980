"""Functions with checkpointed helpers, for tests/test_checkpoint.py."""

import math

import numpy as np

import s2sad


@s2sad.checkpoint
def block(x, W):
    h = np.tanh(W @ x)
    return x + np.sin(h) * 0.5


def plain_block(x, W):
    h = np.tanh(W @ x)
    return x + np.sin(h) * 0.5


def residual_net(x, W):
    for _ in range(4):
        x = block(x, W)
    return np.sum(x * x)


def residual_net_plain(x, W):
    for _ in range(4):
        x = plain_block(x, W)
    return np.sum(x * x)


def at_a_call_site(x, W):
    y = s2sad.checkpoint(plain_block)(x, W)
    return np.sum(np.cos(y) * y)


@s2sad.checkpoint
def two_outputs(x, a: float):
    return np.sin(x) * a, np.sum(x * x) * a


@s2sad.checkpoint
def outer(x, W):
    y = block(x, W)
    return block(y * 0.5, W) + inner_plain(y)


def inner_plain(y):
    return np.exp(-y * y)


def nested(x, W):
    return np.sum(outer(x, W) ** 2)


def with_two_outputs(x, a: float):
    s, t = two_outputs(x, a)
    return np.sum(s * s) + t * t


def branch_and_while(x, W, steps: int):
    k = 0
    while k < steps:
        if np.sum(x) > 0.0:
            x = block(x, W)
        else:
            x = block(x * 0.5, W) - x
        k += 1
    return np.sum(np.tanh(x))


@s2sad.checkpoint
def scalar_step(u: float, c: float):
    return u + 0.1 * c * u * (1.0 - u)


def logistic(u: float, c: float):
    for _ in range(20):
        u = scalar_step(u, c)
    return u


CASES = [
    (residual_net, (np.linspace(-0.5, 0.5, 5), np.eye(5) * 0.3 + 0.05)),
    (at_a_call_site, (np.linspace(-0.5, 0.5, 5), np.eye(5) * 0.3 + 0.05)),
    (nested, (np.linspace(-0.5, 0.5, 4), np.eye(4) * 0.4 - 0.1)),
    (with_two_outputs, (np.linspace(0.1, 0.9, 3), 1.5)),
    (branch_and_while, (np.linspace(-0.5, 0.7, 4), np.eye(4) * 0.2 + 0.1, 5)),
    (branch_and_while, (-np.linspace(0.5, 0.7, 4), np.eye(4) * 0.2 + 0.1, 3)),
    (logistic, (0.2, 1.7)),
]


def smooth_plain(x):
    h = np.tanh(x)
    return x + np.sin(h) * 0.5 * np.exp(-h * h)


smooth = s2sad.checkpoint(smooth_plain)


def deep_smooth(x):
    for _ in range(16):
        x = smooth(x)
    return np.sum(x * x)


def deep_smooth_plain(x):
    for _ in range(16):
        x = smooth_plain(x)
    return np.sum(x * x)


def diffuse(u, c: float, steps: int):
    for t in s2sad.checkpointed(range(steps), snapshots=3):
        u = u + c * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1)) + 0.01 * np.sin(u) * t
    return np.sum(u * u)


def diffuse_plain(u, c: float, steps: int):
    for t in range(steps):
        u = u + c * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1)) + 0.01 * np.sin(u) * t
    return np.sum(u * u)


def coupled(x, y, a: float, n: int):
    k = 0
    for t in s2sad.checkpointed(range(2, n), snapshots=2, schedule="periodic"):
        if t % 2 == 0:
            x, y = inner_plain(y) * a + x * 0.5, x * y
        else:
            x = x - 0.1 * y
        for j in range(2):
            y = y + 0.01 * np.cos(x) * j
        k = k + 1
    return np.sum(x * y) + k


def coupled_plain(x, y, a: float, n: int):
    k = 0
    for t in range(2, n):
        if t % 2 == 0:
            x, y = inner_plain(y) * a + x * 0.5, x * y
        else:
            x = x - 0.1 * y
        for j in range(2):
            y = y + 0.01 * np.cos(x) * j
        k = k + 1
    return np.sum(x * y) + k


def settle(u, c: float):
    for _ in s2sad.checkpointed(range(6), snapshots=2):
        u = np.sin(u) * c + block(u, np.eye(u.size) * 0.1)
    return u


def settled(u, c: float):
    return np.sum(settle(u, c) ** 2)


def settle_plain(u, c: float):
    for _ in range(6):
        u = np.sin(u) * c + block(u, np.eye(u.size) * 0.1)
    return u


def settled_plain(u, c: float):
    return np.sum(settle_plain(u, c) ** 2)


def cubic_stepper(u, c: float, steps: int):
    for t in s2sad.checkpointed(range(steps), snapshots=10):
        u = u + c * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1)) - 0.001 * u**3
    return np.sum(u * u)


def cubic_stepper_plain(u, c: float, steps: int):
    for t in range(steps):
        u = u + c * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1)) - 0.001 * u**3
    return np.sum(u * u)


LOOP_CASES = [
    (diffuse, diffuse_plain, (np.linspace(0.0, 1.0, 8), 0.2), "steps"),
    (
        coupled,
        coupled_plain,
        (np.linspace(0.1, 0.5, 4), np.linspace(-0.3, 0.2, 4), 1.3),
        "n",
    ),
    (cubic_stepper, cubic_stepper_plain, (np.linspace(0.0, 1.0, 6), 0.1), "steps"),
]


def row_written_then_zero(x, y):
    # the list's adjoint after the checkpointed loop folds to the number 0 (the
    # loops after it only write the list); the schedule handed that 0 to the
    # step's backward sweep, which copies and writes into it
    l0 = [0.0, y]
    e0 = np.zeros(3)
    for i in s2sad.checkpointed(range(1), snapshots=2):
        l0[-1] = math.sqrt(1.0 + x[1] * x[1])
    for w0 in (x[0], x[1]):
        if w0 > 5.0:
            return np.sum(x)
        for w1 in (x[2], y):
            l0[0] -= e0[0] * x[2]
    return y + np.sum(x)


def row_written_then_zero_plain(x, y):
    l0 = [0.0, y]
    e0 = np.zeros(3)
    for i in range(1):
        l0[-1] = math.sqrt(1.0 + x[1] * x[1])
    for w0 in (x[0], x[1]):
        if w0 > 5.0:
            return np.sum(x)
        for w1 in (x[2], y):
            l0[0] -= e0[0] * x[2]
    return y + np.sum(x)


def written_after(u, c: float, steps: int):
    for t in s2sad.checkpointed(range(steps), snapshots=2):
        u = np.sin(u) * c + u
    u[0] = 5.0
    u[1:3] += c
    return np.sum(u * u)


def written_after_plain(u, c: float, steps: int):
    for t in range(steps):
        u = np.sin(u) * c + u
    u[0] = 5.0
    u[1:3] += c
    return np.sum(u * u)


def read_times_zero(x, y):
    """The loop's array is read only times 0.0 after it: its adjoint, which the
    reversed loop writes into by index, is zero from the start."""
    e = x * 1.0
    for i in s2sad.checkpointed(range(2), snapshots=2):
        e[i] = e[i] * y
    return y + 0.0 * e[0]


def read_times_zero_plain(x, y):
    e = x * 1.0
    for i in range(2):
        e[i] = e[i] * y
    return y + 0.0 * e[0]


def overwritten_then_tested(x, y):
    """The list written in the loop is overwritten after it and read only by a
    test: its adjoint is zero in both branches, then the write's adjoint stores
    0.0 into it, and the reversed loop starts from that."""
    l0 = [0.0, y]
    for i in s2sad.checkpointed(range(3), snapshots=2):
        l0[0] += 1.0
    l0[0] = 0.5
    if y > 5.0:
        pass
    else:
        while y < 3.0 and l0[1] > 10.0:
            return y
    return np.sum(x * x)


def overwritten_then_tested_plain(x, y):
    l0 = [0.0, y]
    for i in range(3):
        l0[0] += 1.0
    l0[0] = 0.5
    if y > 5.0:
        pass
    else:
        while y < 3.0 and l0[1] > 10.0:
            return y
    return np.sum(x * x)


def zeroed_then_written(x, y):
    """``e = x * 0.0``: its tangent, ``x_dot * 0.0 + x * 0.0``, starts the loop
    that writes into it by index."""
    e = x * 0.0
    for i in s2sad.checkpointed(range(2), snapshots=2):
        e[i] = e[i] + y
    return np.sum(e) + np.sum(x)


def zeroed_then_written_plain(x, y):
    e = x * 0.0
    for i in range(2):
        e[i] = e[i] + y
    return np.sum(e) + np.sum(x)
