"""Checkpointed loops and their plain twins, for tests/test_checkpointed_hvp.py."""

import numpy as np

import s2sad


def oscillator(x, v, W, n: int):
    """A state of two arrays, reading a matrix of weights, binomial schedule."""
    for t in s2sad.checkpointed(range(n), snapshots=2):
        x, v = x + 0.1 * v, v - 0.1 * np.tanh(W @ x) + 0.01 * t * np.sin(v)
    return np.sum(x * x) + np.sum(np.cos(v) * x)


def oscillator_plain(x, v, W, n: int):
    for t in range(n):
        x, v = x + 0.1 * v, v - 0.1 * np.tanh(W @ x) + 0.01 * t * np.sin(v)
    return np.sum(x * x) + np.sum(np.cos(v) * x)


def damped(x, v, W, c: float, n: int):
    """Three values carried (a number among them), periodic schedule."""
    energy = 0.0
    for t in s2sad.checkpointed(range(1, n + 1), snapshots=3, schedule="periodic"):
        a = -(W @ np.sin(x)) - c * v
        x, v = x + 0.05 * v, v + 0.05 * a
        energy = energy + np.sum(v * v) / t
    return energy + np.sum(x**3)


def damped_plain(x, v, W, c: float, n: int):
    energy = 0.0
    for t in range(1, n + 1):
        a = -(W @ np.sin(x)) - c * v
        x, v = x + 0.05 * v, v + 0.05 * a
        energy = energy + np.sum(v * v) / t
    return energy + np.sum(x**3)


def logistic(u: float, r: float, n: int):
    """A number carried, a number read."""
    for _ in s2sad.checkpointed(range(n), snapshots=1):
        u = u + 0.3 * r * u * (1.0 - u)
    return u * u


def logistic_plain(u: float, r: float, n: int):
    for _ in range(n):
        u = u + 0.3 * r * u * (1.0 - u)
    return u * u


def orbit(x, v, W, n: int):
    """A ``while`` loop carrying two arrays and its counter, reading weights."""
    k = 0
    while s2sad.checkpointed(k < n, snapshots=2):
        x, v = x + 0.1 * v, v - 0.1 * np.tanh(W @ x) * (1.0 + 0.1 * k)
        k = k + 1
    return np.sum(np.sin(x) * v) + np.sum(x * x)


def orbit_plain(x, v, W, n: int):
    k = 0
    while k < n:
        x, v = x + 0.1 * v, v - 0.1 * np.tanh(W @ x) * (1.0 + 0.1 * k)
        k = k + 1
    return np.sum(np.sin(x) * v) + np.sum(x * x)


def until_large(y: float, rate: float):
    """A ``while`` loop whose trip count the values decide."""
    t = 0.0
    while s2sad.checkpointed(y < 3.0, snapshots=2):
        y = y + 0.1 * rate * y * (1.0 + np.sin(t))
        t = t + 0.1
    return y * t + y * y


def until_large_plain(y: float, rate: float):
    t = 0.0
    while y < 3.0:
        y = y + 0.1 * rate * y * (1.0 + np.sin(t))
        t = t + 0.1
    return y * t + y * y


def many_steps(u, c: float, n: int):
    """Many steps, few snapshots: for the memory the products take."""
    for t in s2sad.checkpointed(range(n), snapshots=5):
        u = u + c * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1)) - 0.001 * u**3
    return np.sum(u * u)


def many_steps_plain(u, c: float, n: int):
    for t in range(n):
        u = u + c * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1)) - 0.001 * u**3
    return np.sum(u * u)
