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


def taped_then_written(x):
    y = x * 1.0
    s = 0.0
    for i in range(2):
        y[i] = y[i] * 2.0
        s = s + np.sum(y * x)
    return s


def taped_then_written_in_while(x):
    y = x * 1.0
    s = 0.0
    k = 0
    while k < 2:
        y[k] *= 2.0
        s = s + y @ x
        k += 1
    return s


def rebound_to_a_taped_array(x):
    y = x * 1.0
    z = x * 0.3
    for i in range(3):
        y[i] = y[i] * x[i]
        y = z * z + y[0]
        t = y * x
        y = z
        z = t
    return np.sum(y) + np.sum(z * z)


def loop_target_reused(x):
    u = x
    for i1 in (1.0, 0.5):
        u = u * x
    for i0 in range(2):
        for i1 in range(3):
            if u > 0.5:
                continue
            u = 0.3 * u
    return u
