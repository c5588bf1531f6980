"""Semantics: aliasing, in-place writes, reads of old values, module-level
state, helpers and recursion.  NumPy's meaning is the reference: each entry
must give the derivative of what the code computes, or a clear refusal."""

import math

import numpy as np

from corpus.entry import derivative, each_call, either, error

SCALE = 1.5
WEIGHTS = np.array([0.5, -1.0, 2.0])
PAIR = (0.5, 2.0)
BUFFER = np.zeros(3)


def alias_write(x):
    y = x * 1.0
    z = y
    z[0] = 2.0 * x[1]
    return np.sum(y * x)


def alias_write_in_loop(x):
    acc = x * 1.0
    first = acc
    for i in range(2):
        acc *= 2.0
    return np.sum(first * x)  # <-


def alias_swap(x):
    a = x * 1.0
    b = np.sin(x)
    a, b = b, a
    a[0] = b[1]
    return np.sum(a * b)


def old_value_read(x):
    y = x * 1.0
    old = y[0]
    y[0] = y[1] * y[2]
    return old * np.sum(y)  # <-


def old_value_in_loop(x):
    y = x * 1.0
    total = 0.0
    for i in range(3):
        total = total + y[i] * y[0]
        y[i] = y[i] * total
    return total + np.sum(y)


def write_then_scale(x):
    u = x * 1.0
    for i in range(2):
        u[1] = u[0] * u[2]
        u *= u[1]
    return np.sum(u)


def slice_accumulate(x):
    y = x * 1.0
    y[1:] += y[:-1] * 2.0
    return np.sum(y * y)


def masked_write(x):
    y = x * 1.0
    y[y < 0.0] = 0.0
    return np.sum(y * x)


def writes_into_argument(x):
    x[0] = x[0] * 2.0
    return np.sum(x * x)


def view_write(x):
    y = x * 1.0
    z = y[1:]
    z[0] = 5.0
    return np.sum(y * x)  # <-


def augmented_on_maybe_array(x):
    s = x
    s += 1.0
    return np.sum(s * s)


def tuple_then_write(x):
    y = x * 1.0
    t = (y, 1.0)
    y[0] = 10.0
    a, b = t  # <-
    return np.sum(a * a) * b


def module_constant(x):
    return SCALE * x * x


def module_array_constant(x):
    return np.sum(WEIGHTS * x)


def module_tuple_constant(x):
    return PAIR[0] * x + PAIR[1] * x * x


def writes_module_array(x):
    BUFFER[0] = x[0]  # <-
    return np.sum(BUFFER * x)


def closure_maker():
    weights = np.array([1.0, 2.0, 3.0])

    def closed(x):
        return np.sum(weights * x)

    return closed


closed_over_array = closure_maker()


def helper_square(t):
    return t * t


def uses_helper(x):
    return helper_square(math.sin(x)) + helper_square(x)


def helper_writes(a):
    a[0] = 0.0  # <-
    return np.sum(a)


def calls_helper_that_writes(x):
    y = x * 1.0
    return helper_writes(y) * np.sum(y)


def pair_helper(a, b):
    return (a * b,)


def indexes_helper_tuple(x, y):
    return pair_helper(x, y)[0]


def power_tower(x, n: int):
    if n == 0:
        return x
    return math.sin(power_tower(x, n - 1)) * x


def int_conversions(x):
    n = int(3.7)
    return x * float(n) + round(2.4) * x


def floor_of_constant(x):
    return x * math.floor(2.5) + math.ceil(0.2) * x


def enumerate_loop(x):
    total = 0.0
    for k, c in enumerate((1.0, 2.0, 3.0)):
        total = total + c * x**k
    return total


def zip_loop(x):
    total = 0.0
    for a, b in zip((1.0, 2.0), (3.0, 4.0)):
        total = total + a * b * x
    return total


def builtin_sum(x):
    return sum([x, x * x, 2.0])


def numpy_keywords(x):
    m = x.reshape(2, 2)
    return np.sum(np.moveaxis(m, source=0, destination=1) * m)


def flatten_copy(x):
    m = x.reshape(2, 2)
    flat = m.flatten()
    flat[0] = 3.0
    return np.sum(flat * x)  # flat is a copy: x is unchanged


def list_container(x):
    v = [0.0, 0.0, 0.0]
    v[0] = x
    v[1] = x * x
    v[2] = math.sin(x)
    return v[0] + v[1] + v[2]


def list_accumulator(x):
    total = [0.0]
    total[0] = total[0] + x
    total[0] = total[0] * x
    return total[0]


def list_filled_in_loop(x):
    v = [0.0] * 3
    for i in range(3):
        v[i] = x * i
    return v[0] + v[1] + v[2]


def list_written_then_only_tested(x, y):
    # the list's adjoint is 0 after the write (only a condition reads it): the
    # adjoint before the write was `0 .copy()` in generated code
    l0 = [0.0, y]
    e1 = np.zeros(3)
    l0[0] -= 1.0 if x[0] > 0.0 else l0[0] * x[1]
    if y > -1.0:
        return np.sum(x)
    e1[-1] = (1.5 if 0.3 < math.exp(l0[-1]) else y) * x[0]
    return y + np.sum(e1)


def list_written_then_read_by_an_empty_loop(x, y):
    # the branches' adjoints of the list were zero, folded to the number 0; the
    # loop reversed from it, run no time, gave that 0 to the write's adjoint
    l0 = [0.0, y]
    l0[0] -= x[0]
    s = y
    for i in range(0):
        s -= l0[1]
    if x[1] > 0.0:
        s = s * 2.0
    else:
        k = 0
        while k < 2 and l0[1] > s:
            k += 1
            s = s * 0.5
    return s + np.sum(x)


def float_into_int_array(x):
    y = np.zeros(3, dtype=int)
    y[0] = x[0]  # <-
    return np.sum(y * x)


def float_added_into_int_array(x):
    y = np.zeros(3, dtype=int)
    y += x  # <-
    return np.sum(y * x)


def int_added_into_int_array(x):
    y = np.zeros(3, dtype=int)
    y += 2
    y *= 3
    return np.sum(y * x)


def made_like_argument(x, a):
    y = np.zeros_like(x)
    y[1] = a * x[1]
    return np.sum(y * a)


def branch_rebinds(x):
    y = x * 1.0
    if x[0] > 0.0:
        y = np.sin(x)
    y[1] = 0.0
    return np.sum(y * x)


ROW = np.array([0.3, -0.6, 0.9])
QUAD = np.array([0.3, -0.6, 0.9, 0.45])

ENTRIES = []
for fn in (alias_write, alias_swap, old_value_in_loop, slice_accumulate):
    ENTRIES += each_call(derivative, fn, ROW.copy())
for fn in (
    old_value_read,
    write_then_scale,
    masked_write,
    writes_into_argument,
    branch_rebinds,
):
    ENTRIES += each_call(either, fn, ROW.copy())
ENTRIES += each_call(either, alias_write_in_loop, ROW.copy())
ENTRIES += each_call(either, tuple_then_write, ROW.copy())
ENTRIES += [
    error(view_write, ROW.copy()),
    either(augmented_on_maybe_array, ROW.copy()),
    error(writes_module_array, ROW.copy()),
    error(calls_helper_that_writes, ROW.copy(), line=helper_writes),
    either(float_into_int_array, ROW.copy()),
    *each_call(error, float_added_into_int_array, ROW.copy()),
    *each_call(error, made_like_argument, np.array([3, -2]), 2.7, wrt=1, line=None),
    *each_call(derivative, made_like_argument, ROW.copy(), 2.7, wrt=(0, 1)),
    *each_call(derivative, int_added_into_int_array, ROW.copy()),
    derivative(module_constant, 0.7),
    derivative(module_constant, 0.7, call="vjp"),
    derivative(module_array_constant, ROW.copy()),
    derivative(module_tuple_constant, 0.7),
    derivative(closed_over_array, ROW.copy()),
    derivative(uses_helper, 0.7),
    derivative(uses_helper, 0.7, call="jvp"),
    derivative(uses_helper, 0.7, call="vjp"),
    either(indexes_helper_tuple, 0.7, 1.3, wrt=(0, 1)),
    derivative(power_tower, 0.7, 4),
    derivative(power_tower, 0.7, 4, call="jvp", tangents=(1.0, 0)),
]
for fn in (int_conversions, floor_of_constant, enumerate_loop, zip_loop, builtin_sum):
    ENTRIES += each_call(derivative, fn, 0.7, calls=("grad", "jvp"))
ENTRIES += [
    derivative(numpy_keywords, QUAD.copy()),
    derivative(flatten_copy, QUAD.copy()),
]
for fn in (list_container, list_accumulator, list_filled_in_loop):
    ENTRIES += each_call(either, fn, 0.7)
for fn in (list_written_then_only_tested, list_written_then_read_by_an_empty_loop):
    ENTRIES += each_call(derivative, fn, np.array([0.3, -0.4, 0.9]), 0.0, wrt=(0, 1))
