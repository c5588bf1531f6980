"""Functions with Hessians known in closed form, shared by the second-order tests."""

import math

import numpy as np


def quadratic(x: np.ndarray, A: np.ndarray):
    return x @ A @ x


def rosenbrock(x: np.ndarray):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hessian(x):
    n = len(x)
    H = np.zeros((n, n))
    for i in range(n - 1):
        H[i, i] += 1200.0 * x[i] ** 2 - 400.0 * x[i + 1] + 2.0
        H[i, i + 1] += -400.0 * x[i]
        H[i + 1, i] += -400.0 * x[i]
        H[i + 1, i + 1] += 200.0
    return H


def log_sum_exp(x: np.ndarray):
    top = np.max(x)
    return top + np.log(np.sum(np.exp(x - top)))


def curved(x, y):
    return math.sin(x) * y**3 + x * x * y
