"""Lists among the items of ``np.concatenate``, ``np.stack``, ``np.hstack`` and
``np.vstack`` (``[x, [a, b]]``) in batched derivatives.

A list item holds one batch per entry; read as an array it would put the batch
axis last.  Batched tangents run such joins once per direction, and the
adjoint of a list item is a list of its entries' adjoints, so a batch of them
is a list of batches.  Each Jacobian and Hessian equals central differences
(these shapes once gave a wrong Jacobian with no error, or a traceback).
"""

import numpy as np
import pytest

import s2sad


def concatenated(x):
    return np.concatenate([x[1:] * x[:-1], [np.sum(x), x[0] ** 2]])


def hstacked(x):
    return np.hstack([np.sin(x), [x[0] * x[1]]])


def vstacked(x):
    return np.vstack([x, [x[1], x[0], x[2]]])


def stacked(x):
    return np.stack([x, [x[2], x[1] ** 2, x[0]]])


def item_of_list(x):
    return np.concatenate([x, [[x[0], x[1]]][0]])


def nested_rows(x):
    return np.vstack([[[x[0], x[1], x[2]], [x[2], x[1], x[0]]], x * 2])


def stacked_on_last_axis(x):
    return np.stack([x * x, [x[1], x[2], np.cos(x[0])]], axis=1)


def concatenated_loss(x):
    return np.sum(concatenated(x) ** 2)


def stacked_loss(x):
    return np.sum(stacked(x) ** 3)


def nested_rows_loss(x):
    return np.sum(np.sin(nested_rows(x)))


def stacked_on_last_axis_loss(x):
    return np.sum(stacked_on_last_axis(x) ** 2)


FUNCTIONS = [
    concatenated,
    hstacked,
    vstacked,
    stacked,
    item_of_list,
    nested_rows,
    stacked_on_last_axis,
]
LOSSES = [concatenated_loss, stacked_loss, nested_rows_loss, stacked_on_last_axis_loss]
X = np.array([0.3, 0.7, 1.1])


def _central(f, x, h=1e-6):
    columns = [
        (np.asarray(f(x + h * e)) - np.asarray(f(x - h * e))) / (2 * h)
        for e in np.eye(x.size)
    ]
    return np.stack(columns, axis=-1)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sequences")


@pytest.mark.parametrize("mode", ["jacfwd", "jacrev", "jacobian"])
@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_jacobians_of_joined_lists_match_differences(f, mode, out_dir):
    x = X.copy()
    found = getattr(s2sad, mode)(f, output_dir=out_dir)(x)
    assert np.allclose(found, _central(f, X), rtol=1e-7, atol=1e-8)
    assert np.array_equal(x, X)


@pytest.mark.parametrize("f", LOSSES, ids=lambda f: f.__name__)
def test_hessians_of_joined_lists_match_differences(f, out_dir):
    gradient = s2sad.grad(f, output_dir=out_dir)
    expected = _central(gradient, X)
    assert np.allclose(s2sad.hessian(f, output_dir=out_dir)(X), expected, rtol=1e-6)
    V = np.array([[1.0, 0.0, 2.0], [0.5, -1.0, 0.0]])
    products = s2sad.batched_hvp(f, output_dir=out_dir)(X, V)
    assert np.allclose(products, V @ expected.T, rtol=1e-6, atol=1e-7)
