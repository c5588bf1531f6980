"""The worked example of the AD lectures, and a few more scalar functions.

``L(w1, w2) = w2·log(w1) + sqrt(w2·log(w1))`` is written as its computational
graph: ``v1 = log w1``, ``v2 = w2·v1``, ``v3 = sqrt v2``, ``L = v2 + v3``.
"""

import math


def L(w1, w2):
    v1 = math.log(w1)
    v2 = w2 * v1
    v3 = math.sqrt(v2)
    return v2 + v3


def L_formula(w1, w2):
    """The same L written as one formula: the generated code computes w2·log(w1) once."""
    return w2 * math.log(w1) + math.sqrt(w2 * math.log(w1))


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def gaussian_log_likelihood(x, mu, sigma):
    z = (x - mu) / sigma
    return -0.5 * z * z - math.log(sigma) - 0.5 * math.log(2.0 * math.pi)
