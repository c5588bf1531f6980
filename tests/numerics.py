"""Finite-difference references used by the tests."""

import numpy as np


def central_gradient(f, point, step=1e-6):
    """Central differences of scalar ``f`` at ``point``, one partial per argument."""
    point = [float(p) for p in point]
    partials = []
    for i in range(len(point)):
        plus, minus = list(point), list(point)
        plus[i] += step
        minus[i] -= step
        partials.append((f(*plus) - f(*minus)) / (2 * step))
    return np.array(partials)


def central_directional(f, point, direction, step=1e-6):
    """Central difference of ``f`` (any number of outputs) along ``direction``."""
    plus = [p + step * d if d else p for p, d in zip(point, direction)]
    minus = [p - step * d if d else p for p, d in zip(point, direction)]
    return (np.array(f(*plus), dtype=float) - np.array(f(*minus), dtype=float)) / (
        2 * step
    )


def assert_close(actual, expected, rtol=1e-6, atol=1e-7):
    """Elementwise closeness with both a relative and an absolute tolerance."""
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float),
        np.asarray(expected, dtype=float),
        rtol=rtol,
        atol=atol,
    )


def float_indices(point):
    """The positions of the ``float`` entries of ``point``: the arguments to differentiate."""
    return tuple(i for i, p in enumerate(point) if isinstance(p, float))


def partial_function(f, point, wrt):
    """``f`` as a function of the arguments at ``wrt`` alone, the others fixed at ``point``."""

    def along(*xs):
        args = list(point)
        for i, x in zip(wrt, xs):
            args[i] = x
        return f(*args)

    return along


def _shifted(value, delta):
    """``value + delta``, a Python float again when ``value`` is one."""
    shifted = np.asarray(value, dtype=float) + delta
    return float(shifted) if isinstance(value, float) else shifted


def central_directional_arrays(f, point, direction, step=1e-6):
    """Central difference of ``f`` along ``direction``; arguments may be arrays or numbers."""
    plus = [_shifted(p, step * np.asarray(d)) for p, d in zip(point, direction)]
    minus = [_shifted(p, -step * np.asarray(d)) for p, d in zip(point, direction)]
    return (np.asarray(f(*plus), dtype=float) - np.asarray(f(*minus), dtype=float)) / (
        2 * step
    )


def central_gradient_arrays(f, point, step=1e-6):
    """Central differences of scalar ``f`` with respect to every element of every
    argument: one array per argument, shaped like it."""
    partials = []
    for i, value in enumerate(point):
        partial = np.zeros(np.shape(value))
        for k in np.ndindex(np.shape(value)):
            delta = np.zeros(np.shape(value))
            delta[k] = step
            plus, minus = list(point), list(point)
            plus[i], minus[i] = _shifted(value, delta), _shifted(value, -delta)
            partial[k] = (float(f(*plus)) - float(f(*minus))) / (2 * step)
        partials.append(partial)
    return partials


def peak_memory(function, *args):
    """tracemalloc's peak over one call of ``function(*args)`` (after one untraced call)."""
    import tracemalloc

    function(*args)
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
