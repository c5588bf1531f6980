"""The reproducers of issue 9 ("Trust"), each expecting a correct derivative or
a clear error; those that s2sad still gets wrong carry their defect class."""

import ctypes
import importlib.util
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

import s2sad
from corpus.entry import custom, derivative, each_call, either, error

LIBM_COS = ctypes.CDLL(None).cos if hasattr(ctypes, "CDLL") else None
OFFSET = np.float64(1.5)


def mul_then_loop(x):
    u = 1.0
    for i in range(1):
        u = u * x
        for k in range(1):
            u = u * x
    return u


def loop_then_mul(x):
    u = 1.0
    for i in range(1):
        for k in range(1):
            u = u * x
        u = u * x
    return u


def while_then_mul(x):
    u = 1.0
    for i in range(2):
        k = 0
        while k < 1:
            k += 1
            u = u * x
        u = u * x
    return u


def mul_then_while(x):
    u = 1.0
    for i in range(2):
        u = u * x
        k = 0
        while k < 2 and u < 100.0:
            k += 1
            u = u * x
    return u


def write_then_scale_in_loop(x):
    u = x * 1.0
    for i in range(2):
        s = u[0] * x[2]
        u[1] = s
        u *= s
    return np.sum(u)


def inner_jump_in_tuple_loop(x):
    total = 0.0
    for i in range(3):
        if total > 5.0:
            break
        for v in (1.0, 2.0, 3.0):
            if v > 2.0:
                break
            total = total + v * x
    return total


def inner_continue_in_tuple_loop(x):
    total = 0.0
    for i in range(3):
        if i == 1:
            continue
        for v in (1.0, 2.0, 3.0):
            if v == 2.0:
                continue
            total = total + v * x
    return total


def tuple_loop_jump_alone(x):
    total = 0.0
    for i in range(2):
        for v in (1.0, 2.0, 3.0):
            if v > 2.0:
                break  # <-
            total = total + v * x
    return total


def linear_vector(x):
    return 2.0 * x


def array_of_scalar(x):
    return np.array(x)


def product_of_rows(x):
    return x[0] * x[1]


def doubled(fn):
    def wrapper(x):
        return 2.0 * fn(x)

    wrapper.__wrapped__ = fn
    wrapper.__name__ = fn.__name__
    return wrapper


@doubled  # <-
def doubled_square(x):
    return x * x


def calls_ctypes(x):
    return LIBM_COS(x) * x  # <-


def returns_list(x):
    return [x, x]  # <-


def deep(x, n: int):
    if n == 0:
        return x
    return deep(x, n - 1) * 1.0


def log10_of_float(x):
    return np.log10(x) + np.log2(x)


def module_numpy_constant(x):
    return OFFSET * x


def dot_3d(x):
    return np.sum(np.dot(x, x.T))


def det_singular(a):
    return np.linalg.det(a)


def array_constant_row(x):
    m = np.array([[x, 2.0 * x], [1.0, 2.0]])
    return np.sum(m * m)


def write_zero_d(x):
    y = np.copy(x)
    y[()] = 2.0 * x
    return np.sum(y)


def empty_list_index(x):
    v = []
    return x  # <-


def sqrt_at_zero(x):
    return math.sqrt(x)


def hypot_at_zero(x, y):
    return math.hypot(x, y)


def power_negative_base(x, y):
    return x**y


def chained(x):
    if 0.0 < x < 1.0:
        return x * x
    return x


def early_break(x):
    s = 0.0
    for i in range(10**6):
        s = s + x
        if s > 1.5:
            break
    return s


def _long_name_function():
    name = "f" * 240
    path = Path(tempfile.mkdtemp()) / "long_name_module.py"
    path.write_text(f"def {name}(x):\n    return x * x\n", encoding="utf-8")
    return _import(path).__dict__[name]


def _import(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _edited_after_import():
    """Refused, or the derivative of the code that runs (then a marker error)."""
    path = Path(tempfile.mkdtemp()) / "edited_module.py"
    path.write_text("def f(x):\n    return x * x\n", encoding="utf-8")
    module = _import(path)
    path.write_text("def f(x):\n    return x * x * x\n", encoding="utf-8")
    gradient = s2sad.grad(module.f)(2.0)
    assert gradient == 4.0, f"differentiated the edited file: {gradient}"
    raise s2sad.S2SADError("the source matched the running code", hint="none needed")


def _vjp_reference():
    """vjp_fn must not read an input the caller changed (a marker error if not)."""
    x = np.array([0.5, 1.5])
    _, vjp_fn = s2sad.vjp(_sin_sum, x)
    x[:] = 100.0
    adjoint = vjp_fn(1.0)[0]
    assert np.allclose(
        adjoint, np.cos([0.5, 1.5])
    ), f"vjp_fn read the mutated x: {adjoint}"
    raise s2sad.S2SADError("vjp_fn kept its own copy", hint="none needed")


def _sin_sum(x):
    return np.sum(np.sin(x))


def _deep_recursion_vjp():
    _, vjp_fn = s2sad.vjp(deep, 0.7, 600)
    value = vjp_fn(1.0)[0]
    assert value == 1.0, f"vjp of a 600-deep recursion gave {value}"
    raise s2sad.S2SADError("vjp of a 600-deep recursion worked", hint="none needed")


def _infinite_slope(fn, *args):
    """NumPy's answer at a point where the slope is infinite or undefined: inf or
    nan, not ZeroDivisionError (a marker error if so)."""
    gradient = s2sad.grad(fn)(*args)
    assert not np.isfinite(gradient), f"finite slope {gradient}"
    raise s2sad.S2SADError("gave inf or nan", hint="none needed")


def _long_name():
    return s2sad.grad(_long_name_function())(0.7)


ENTRIES = []
for fn in (mul_then_loop, loop_then_mul, while_then_mul, mul_then_while):
    ENTRIES += each_call(derivative, fn, 1.3)
ENTRIES += each_call(derivative, write_then_scale_in_loop, np.array([0.5, -0.4, 0.8]))
for fn in (
    inner_jump_in_tuple_loop,
    inner_continue_in_tuple_loop,
    tuple_loop_jump_alone,
):
    ENTRIES += each_call(either, fn, 0.7)
ENTRIES += [
    error(linear_vector, np.array([0.3, 0.6]), line="def", name="grad-linear-vector"),
    derivative(array_of_scalar, 0.7, name="grad-np-array-of-scalar"),
    error(
        product_of_rows, np.ones((2, 3)) * 0.5, line="def", name="grad-matrix-output"
    ),
    derivative(linear_vector, np.array(0.7), name="grad-0d-output"),
    derivative(linear_vector, np.array([0.7]), name="grad-size-1-output"),
    either(doubled_square, 1.5, name="class6-wrapper"),
    either(doubled_square, 1.5, call="jvp", name="class6-wrapper-jvp"),
    error(calls_ctypes, 0.7, name="ctypes-call"),
    error(returns_list, 0.7, name="return-list"),
    either(returns_list, 0.7, call="jvp", name="return-list-jvp"),
    derivative(log10_of_float, 0.7, name="np-log10-of-float"),
    derivative(module_numpy_constant, 0.7, name="module-np-float64"),
    either(dot_3d, np.arange(1.0, 9.0).reshape(2, 2, 2) / 9.0, name="np-dot-3d"),
    derivative(det_singular, np.array([[1.0, 2.0], [2.0, 4.0]]), name="det-singular"),
    derivative(array_constant_row, 0.7, call="jvp", name="np-array-constant-row-jvp"),
    derivative(array_constant_row, 0.7, name="np-array-constant-row-grad"),
    either(write_zero_d, np.array(0.7), name="write-0d-array"),
    either(empty_list_index, 0.7, name="empty-list"),
    custom("math-sqrt-at-0", lambda: _infinite_slope(sqrt_at_zero, 0.0)),
    custom("math-hypot-at-0", lambda: _infinite_slope(hypot_at_zero, 0.0, 0.0)),
    derivative(
        power_negative_base,
        -1.5,
        2.0,
        call="jvp",
        tangents=(1.0, 0.0),
        name="pow-negative-base-jvp",
    ),
    derivative(chained, 0.7, name="chained-comparison"),
    derivative(early_break, 0.7, name="early-break"),
    derivative(early_break, 0.7, call="jvp", name="early-break-jvp"),
    custom("source-edited-after-import", _edited_after_import),
    custom("vjp-keeps-reference", _vjp_reference),
    custom("vjp-deep-recursion", _deep_recursion_vjp),
]
