"""Functions s2sad must reject; each offending line ends with a `# <-` marker."""

import math

import numpy


def uses_try(x):
    try:  # <-
        y = x
    except ValueError:
        y = 0.0
    return y


def uses_with(x):
    with open("f") as handle:  # <-
        y = x
    return y


def uses_lambda(x):
    f = lambda t: t * t  # noqa: E731  # <-
    return f(x)


GLOBAL_VALUE = 1.0


def uses_global(x):
    global GLOBAL_VALUE  # <-
    return x * GLOBAL_VALUE


def uses_comprehension(x):
    ys = [x * k for k in (1.0, 2.0)]  # <-
    return ys


def uses_kwargs(x, **options):  # <-
    return x


def uses_expression_statement(x):
    math.sin(x)  # <-
    return x


def uses_string(x):
    label = "x"  # <-
    return x


def calls_unknown(x):
    return math.erf(x) + 1.0  # <-


def calls_numpy(x):
    return numpy.i0(x)  # <-


def calls_undefined(x):
    return not_defined_anywhere(x)  # noqa: F821  # <-


def wrong_arity(x):
    return math.sin(x, 2.0)  # <-


def two_outputs(x):
    return x, 2.0 * x  # <-


def one_branch_only(x):
    if x > 0.0:
        y = x
    return y  # <-


def loop_local(x):
    for k in range(3):
        y = x * k
    return y  # <-


def loop_over_variable(x, items: float):
    for item in items:  # <-
        x = x * item
    return x


def int_parameter(x, n: int):
    return x * n


def uses_yield(x):
    yield x * 2.0  # <-


def uses_closure(x):
    total = x

    def add(y):  # <-
        return total + y

    return add(x)


def uses_for_else(x):
    for _ in range(3):
        x = x * 2.0
    else:
        x = x + 1.0  # <-
    return x


def uses_while_else(x):
    while x < 10.0:
        x = x * 2.0
    else:
        x = x + 1.0  # <-
    return x


def uses_match(x):
    match x:  # <-
        case 1.0:
            return x
    return x
