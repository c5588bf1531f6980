"""Arrays shared through a second name, a view or a tuple, written inside loops: handled or refused."""

import numpy as np
import pytest

import s2sad
from derivative_checks import check_all


def augmented_alias(x):
    acc = x * 1.0
    first = acc
    for i in range(2):
        acc *= 2.0
    return np.sum(first * x)


def augmented_alias_fixed(x):
    acc = x * 1.0
    first = acc
    for i in range(2):
        acc = acc * 2.0
    return np.sum(first * x)


def tuple_then_write(x):
    y = x * 1.0
    t = (y, 1.0)
    y[0] = 10.0
    a, b = t
    return np.sum(a * a)


def tuple_then_write_fixed(x):
    y = x * 1.0
    y[0] = 10.0
    t = (y, 1.0)
    a, b = t
    return np.sum(a * a)


def tuple_before_loop(x):
    y = x * 1.0
    t = (y, 2.0)
    for i in range(2):
        y[0] = y[0] * 3.0
    a, b = t
    return np.sum(a * x)


def view_before_loop(x):
    y = x * 1.0
    v = y[1:]
    for i in range(2):
        y[0] = y[1] * 2.0
    return np.sum(v * x[1:])


def view_before_loop_fixed(x):
    y = x * 1.0
    v = y[1:].copy()
    for i in range(2):
        y[0] = y[1] * 2.0
    return np.sum(v * x[1:])


def alias_in_while(x):
    acc = x * 1.0
    keep = acc
    k = 0
    while k < 2:
        acc += x
        k += 1
    return np.sum(keep)


def helper_view(a):
    return a[1:]


def view_from_helper(x):
    y = x * 1.0
    v = helper_view(y)
    for i in range(2):
        y[1] = y[1] * x[0]
    return np.sum(v)


def tuple_element_in_loop(x):
    y = x * 1.0
    t = (y,)
    for i in range(2):
        y[0] = y[0] * 2.0
    return np.sum(t[0])


@pytest.mark.parametrize(
    "f, line, fixed",
    [
        (augmented_alias, 6, augmented_alias_fixed),
        (tuple_then_write, 5, tuple_then_write_fixed),
        (tuple_before_loop, 6, None),
        (view_before_loop, 6, view_before_loop_fixed),
        (alias_in_while, 8, None),
        (view_from_helper, 6, None),
        (tuple_element_in_loop, 6, None),
    ],
)
def test_shared_arrays_written_in_loops_refused(f, line, fixed):
    x = np.array([1.1, 2.0, 0.5])
    with pytest.raises(s2sad.UnsupportedSyntaxError) as caught:
        s2sad.grad(f)(x)
    assert caught.value.line == f.__code__.co_firstlineno + line - 1
    assert caught.value.hint
    if fixed is not None:
        check_all(fixed, (x,))


def alias_before_loop(x):
    y = x * 1.0
    z = y
    for i in range(3):
        z[0] = z[0] * x[1]
    return np.sum(y * y)


def int_array_truncation_refused(x):
    y = np.zeros(4, dtype=int)
    y[0] = x[0]
    return np.sum(y * x)


def int_array_fixed(x):
    y = np.zeros(4)
    y[0] = x[0]
    return np.sum(y * x)


@pytest.mark.parametrize("f", [alias_before_loop])
def test_aliases_followed_in_loops(f):
    check_all(f, (np.array([1.1, 2.0, 0.5]),))


@pytest.mark.parametrize(
    "make", ["np.zeros(4, dtype=int)", "np.full(4, 0)", "np.array([0, 0, 0, 0])"]
)
def test_float_into_int_array_refused(make, tmp_path, monkeypatch):
    source = (
        "import numpy as np\n\n\ndef f(x):\n"
        f"    y = {make}\n    y[0] = x[0]\n    return np.sum(y * x)\n"
    )
    (tmp_path / "int_write.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    module = importlib.import_module("int_write")
    importlib.reload(module)
    with pytest.raises(s2sad.UnsupportedSyntaxError) as caught:
        s2sad.grad(module.f)(np.array([1.6, 2.0, 3.0, 4.0]))
    assert caught.value.line == 6
    check_all(int_array_fixed, (np.array([1.6, 2.0, 3.0, 4.0]),))


def int_array_of_ints(x, k: int):
    counts = np.zeros(3, dtype=int)
    counts[1] = k
    counts[2] += 1
    return np.sum(counts * x)


def test_ints_into_int_array_still_work():
    g = s2sad.grad(int_array_of_ints)(np.array([1.0, 2.0, 3.0]), 2)
    np.testing.assert_allclose(g, [0.0, 2.0, 1.0])


def joined_in_loop(x, c: bool):
    y = x * 1.0
    z = x * 2.0
    for i in range(2):
        if c:
            w = y
        else:
            w = z
        w[0] = w[0] * 3.0
    return np.sum(y * x)


def alias_through_helper(a):
    return a


def alias_returned_by_helper(x):
    y = x * 1.0
    z = alias_through_helper(y)
    for i in range(2):
        z[1] = z[1] * x[0]
    return np.sum(y)


@pytest.mark.parametrize(
    "f, args", [(joined_in_loop, (True,)), (alias_returned_by_helper, ())]
)
def test_aliases_through_joins_and_helpers_refused(f, args):
    with pytest.raises(s2sad.UnsupportedSyntaxError):
        s2sad.grad(f)(np.array([1.1, 2.0, 0.5]), *args)
