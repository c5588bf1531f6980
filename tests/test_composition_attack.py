"""Attacks on derivatives of generated derivatives through the public API.

Hessian-vector products of loops, branches, in-place writes and reductions
against central differences of the generated gradient and for symmetry; the
grouping of what a composed jvp or vjp hands back (``(g,)``, ``(value, (gx,
gy))``); third derivatives; pickling; a new process finding the files in the
cache; where refusals point.
"""

import copy
import inspect
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import s2sad


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("composition_attack")


def flat(value):
    parts = value if isinstance(value, tuple) else (value,)
    return np.concatenate([np.ravel(np.asarray(p, dtype=float)) for p in parts])


def random_tangents(point, indices, seed):
    rng = np.random.default_rng(seed)
    return tuple(
        (
            None
            if k not in indices
            else (
                float(rng.uniform(-1, 1))
                if isinstance(p, float)
                else rng.uniform(-1, 1, np.shape(p))
            )
        )
        for k, p in enumerate(point)
    )


def moved(point, tangents, sign, step):
    return [
        (
            copy.deepcopy(p)
            if t is None
            else (
                float(p + sign * step * t)
                if isinstance(p, float)
                else p + sign * step * t
            )
        )
        for p, t in zip(point, tangents)
    ]


def loop_break(x, y):
    s = 0.0
    for i in range(10):
        s = s + x * y * i
        if s > 3.0:
            break
        s = s * x
    return s


def early_return(x, y):
    for i in range(5):
        if x * i > 2.0:
            return x * y * i
        x = x * 1.1 + y
    return x * x


def nested_skip(A: np.ndarray):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            if i == j:
                continue
            s = s + A[i, j] * A[j, i] ** 2
    return s


def in_place_accumulation(x: np.ndarray, w: np.ndarray):
    y = np.zeros(3)
    for i in range(3):
        y[i] += x[i] * w[i]
        y[i] *= x[i]
    return np.sum(y**2)


def while_growing(x: np.ndarray):
    y = x.copy()
    k = 0
    while np.sum(y * y) < 10.0 and k < 20:
        y = y * 1.3 + 0.1 * np.sin(y)
        k += 1
    return np.sum(y**3)


def normalized_columns(X: np.ndarray):
    t = X
    for _ in range(2):
        t = t / np.sum(t * t, axis=0, keepdims=True) + X
    return np.sum(np.max(t, axis=1) ** 2)


def signs(x: np.ndarray, a):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 0:
            s = s + a * x[i] ** 2
        else:
            s = s - np.sin(a * x[i])
    return s


def mixed(x, a: np.ndarray, c):
    return np.sum(a * x**2) * c + c**3


X3 = np.array([0.3, -0.7, 1.2])
HVP_CASES = [
    (loop_break, (0.9, 1.1), (0, 1)),
    (early_return, (0.7, 0.3), (0, 1)),
    (nested_skip, (np.arange(1.0, 10.0).reshape(3, 3) / 5,), 0),
    (in_place_accumulation, (X3, np.array([0.5, 1.5, -1.0])), (0, 1)),
    (while_growing, (X3,), 0),
    (normalized_columns, (np.arange(1.0, 7.0).reshape(2, 3) / 5,), 0),
    (signs, (X3, 0.8), "a"),
    (mixed, (0.7, X3, 1.3), ("c", "x")),
]


@pytest.mark.parametrize(
    "f, point, wrt", HVP_CASES, ids=[case[0].__name__ for case in HVP_CASES]
)
def test_hessian_vector_products(f, point, wrt, out_dir):
    gradient = s2sad.grad(f, wrt=wrt, output_dir=out_dir)
    names = f.__code__.co_varnames
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    indices = [names.index(k) if isinstance(k, str) else k for k in items]
    u, v = random_tangents(point, indices, 1), random_tangents(point, indices, 2)
    before = copy.deepcopy(point)
    value, hu = s2sad.jvp(gradient, copy.deepcopy(point), u, output_dir=out_dir)
    np.testing.assert_allclose(flat(value), flat(gradient(*copy.deepcopy(point))))
    step = 1e-5
    expected = (
        flat(gradient(*moved(point, u, 1, step)))
        - flat(gradient(*moved(point, u, -1, step)))
    ) / (2 * step)
    np.testing.assert_allclose(flat(hu), expected, rtol=1e-5, atol=1e-6)
    _, hv = s2sad.jvp(gradient, copy.deepcopy(point), v, output_dir=out_dir)
    along_u = flat(tuple(u[k] for k in indices))
    along_v = flat(tuple(v[k] for k in indices))
    assert np.dot(flat(hu), along_v) == pytest.approx(np.dot(flat(hv), along_u))
    for given, kept in zip(point, before):
        np.testing.assert_array_equal(given, kept)


def polynomial(x):
    return x**4 + np.cos(x)


def test_third_and_fourth_derivatives(out_dir):
    second = s2sad.grad(s2sad.grad(polynomial, output_dir=out_dir), output_dir=out_dir)
    value, third = s2sad.jvp(second, (0.7,), (1.0,), output_dir=out_dir)
    assert value == pytest.approx(12 * 0.7**2 - np.cos(0.7))
    assert third == pytest.approx(24 * 0.7 + np.sin(0.7))
    fourth = s2sad.grad(s2sad.grad(second, output_dir=out_dir), output_dir=out_dir)
    assert fourth(0.7) == pytest.approx(24 + np.cos(0.7))


def curved(x, y):
    return np.sin(x) * y**3 + np.exp(x * y)


def curved_hessian(x, y):
    e = np.exp(x * y)
    return np.array(
        [
            [-np.sin(x) * y**3 + y * y * e, 3 * np.cos(x) * y**2 + e + x * y * e],
            [3 * np.cos(x) * y**2 + e + x * y * e, 6 * np.sin(x) * y + x * x * e],
        ]
    )


def curved_gradient(x, y):
    e = np.exp(x * y)
    return np.cos(x) * y**3 + y * e, 3 * np.sin(x) * y**2 + x * e


def test_jvp_of_value_and_grad_is_grouped_as_its_output(out_dir):
    both = s2sad.value_and_grad(curved, wrt=(0, 1), output_dir=out_dir)
    (value, (gx, gy)), (value_dot, (gx_dot, gy_dot)) = s2sad.jvp(
        both, (0.4, 1.3), (1.0, 0.0), output_dir=out_dir
    )
    hessian = curved_hessian(0.4, 1.3)
    assert value == pytest.approx(curved(0.4, 1.3))
    assert (gx, gy) == pytest.approx(curved_gradient(0.4, 1.3))
    assert value_dot == pytest.approx(gx)
    assert (gx_dot, gy_dot) == pytest.approx(tuple(hessian[:, 0]))


def test_vjp_of_value_and_grad_takes_a_grouped_cotangent(out_dir):
    both = s2sad.value_and_grad(curved, wrt=(0, 1), output_dir=out_dir)
    out, vjp_fn = s2sad.vjp(both, 0.4, 1.3, output_dir=out_dir)
    assert out[0] == pytest.approx(curved(0.4, 1.3))
    assert out[1] == pytest.approx(curved_gradient(0.4, 1.3))
    x_bar, y_bar = vjp_fn((1.0, (0.0, 1.0)))
    gx, gy = curved_gradient(0.4, 1.3)
    hessian = curved_hessian(0.4, 1.3)
    assert (x_bar, y_bar) == pytest.approx((gx + hessian[1, 0], gy + hessian[1, 1]))
    with pytest.raises(s2sad.DifferentiationError, match=r"grouped.*\(c, \(c, c\)\)"):
        vjp_fn((1.0, 0.0, 1.0))


def test_jvp_and_vjp_of_a_one_tuple_gradient_keep_the_tuple(out_dir):
    gradient = s2sad.grad(curved, wrt=(0,), output_dir=out_dir)
    (gx,) = gradient(0.4, 1.3)
    value, tangent = s2sad.jvp(gradient, (0.4, 1.3), (1.0, 0.0), output_dir=out_dir)
    assert value == pytest.approx((gx,))
    assert tangent == pytest.approx((curved_hessian(0.4, 1.3)[0, 0],))
    out, vjp_fn = s2sad.vjp(gradient, 0.4, 1.3, output_dir=out_dir)
    assert out == pytest.approx((gx,))
    assert vjp_fn((1.0,)) == pytest.approx(tuple(curved_hessian(0.4, 1.3)[0]))
    with pytest.raises(s2sad.DifferentiationError, match="grouped"):
        vjp_fn(1.0)


def test_a_gradient_pickles_after_an_equivalent_one_was_made(out_dir):
    by_index = s2sad.grad(curved, wrt=0, output_dir=out_dir)
    s2sad.grad(curved, wrt="x", output_dir=out_dir)
    assert pickle.loads(pickle.dumps(by_index))(0.4, 1.3) == by_index(0.4, 1.3)
    second = s2sad.grad(by_index, wrt=1, output_dir=out_dir)
    s2sad.grad(
        s2sad.grad(curved, wrt="x", output_dir=out_dir), wrt="y", output_dir=out_dir
    )
    assert pickle.loads(pickle.dumps(second))(0.4, 1.3) == pytest.approx(
        curved_hessian(0.4, 1.3)[0, 1]
    )


def test_bad_wrt_for_a_generated_function_points_at_the_call(out_dir):
    gradient = s2sad.grad(curved, output_dir=out_dir)
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(s2sad.DifferentiationError) as error:
        s2sad.grad(gradient, wrt="x_bar", output_dir=out_dir)
    assert (error.value.file, error.value.line) == (__file__, line)
    both = s2sad.grad(curved, wrt=(0, 1), output_dir=out_dir)
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(s2sad.DifferentiationError, match="returns 2 values") as error:
        s2sad.grad(both, output_dir=out_dir)
    assert (error.value.file, error.value.line) == (__file__, line)


def norm_cubed(x: np.ndarray):
    return np.linalg.norm(x) ** 3


def test_the_norms_second_derivative_composes(out_dir):
    """Once refused (``runtime.norm_derivative`` had no rules): ``H v`` of ``|x|**3``
    is ``3 (|x| v + (x . v) x / |x|)``."""
    gradient = s2sad.grad(norm_cubed, output_dir=out_dir)
    v = np.array([1.0, -0.5, 2.0])
    _, hv = s2sad.jvp(gradient, (X3,), (v,), output_dir=out_dir)
    size = np.linalg.norm(X3)
    expected = 3.0 * (size * v + np.dot(X3, v) * X3 / size)
    np.testing.assert_allclose(hv, expected, rtol=1e-12)


NEW_PROCESS = """
import sys
import numpy as np
import s2sad
sys.path.insert(0, {tests!r})
from test_composition_attack import curved, loop_break
gradient = s2sad.grad(loop_break, wrt=(0, 1), output_dir={out!r})
print(s2sad.jvp(gradient, (0.9, 1.1), (1.0, 0.5), output_dir={out!r}))
first = s2sad.grad(curved, wrt=0, output_dir={out!r})
print(s2sad.grad(s2sad.grad(first, wrt=1, output_dir={out!r}), output_dir={out!r})(0.4, 1.3))
both = s2sad.value_and_grad(curved, wrt=(0, 1), output_dir={out!r})
print(s2sad.jvp(both, (0.4, 1.3), (0.5, 1.0), output_dir={out!r}))
"""


def test_a_new_process_composes_on_cached_files_alike(tmp_path):
    script = NEW_PROCESS.format(tests=str(Path(__file__).parent), out=str(tmp_path))
    root = str(Path(__file__).parent.parent)
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": root, "PATH": "/usr/bin:/bin"},
            check=True,
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert "np.float64" in runs[0]
