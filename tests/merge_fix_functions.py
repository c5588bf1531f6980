"""Programs for the regressions found while merging the trust work."""

import numpy as np

BUFFER = np.zeros(3)


def appended(x):
    v = []
    v.append(x)
    v.append(x * x)
    return v[0] + v[1]


def writes_module_array(x):
    BUFFER[0] = x[0]
    return np.sum(BUFFER * x)


def writes_view_of_module_array(x):
    b = BUFFER[1:]
    b += x[0]
    return np.sum(BUFFER) * x[1]


def copies_module_array(x):
    b = BUFFER.copy()
    b[0] = x[0]
    return np.sum(b * x)


def linear(x):
    return 2.0 * x


def square(x):
    return x * x
