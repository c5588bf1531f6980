"""Functions for the API trust tests: outputs of every shape, decorators, partials."""

import functools
import math
import statistics

import numpy as np

SCALE = 2.0


def elementwise(x):
    return np.sin(x)


def linear(x):
    return 2.0 * x


def entries_product(x):
    return x[0] * x[1]


def matrix_product(x):
    return x @ x


def scaled_square(x):
    return SCALE * x * x


def weighted(a, b, c):
    return a * b * b + math.sin(c)


def two_outputs(x):
    return np.sin(x), np.sum(x * x)


def array_loss(w, x):
    return np.sum(np.tanh(w * x))


def doubled(fn):
    @functools.wraps(fn)
    def wrapper(x):
        return 2.0 * fn(x)

    return wrapper


@doubled
def doubled_square(x):
    return x * x


@functools.lru_cache(maxsize=None)
def cached_square(x):
    return x * x * x


def recursive_power(x, n):
    if n == 0:
        return 1.0
    return x * recursive_power(x, n - 1)


def plain_doubled(fn):
    def wrapper(x):
        return 2.0 * fn(x)

    return wrapper


@plain_doubled
def plainly_doubled_square(x):
    return x * x


REGISTRY = []


def registering(fn):
    REGISTRY.append(fn)
    return fn


@registering
def registered_square(x):
    return x * x


class Tracer:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self, x):
        return self.fn(x)


@Tracer
def traced_square(x):
    return x * x


def calls_statistics(x):
    return statistics.fmean([x, x * x])


def one_tuple_output(x):
    return (x * x,)


def exponential_output(x):
    return np.exp(x)


def zeros_of_length(x, n):
    y = np.zeros(n)
    for i in range(n):
        y[i] = x * i
    return np.sum(y)
