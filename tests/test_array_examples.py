"""The NumPy examples (examples/mds.py, examples/mlp.py): gradients against finite
differences, and the behaviour each example is there to show."""

import numpy as np
from mds import compare, coordinate_gradient, mds_loss, problem
from mlp import accuracy, initial_weights, loss, spirals, train
from numerics import assert_close

import s2sad


def test_mds_gradient_matches_coordinate_differences():
    D, W = problem(6)
    expected = coordinate_gradient(lambda w: mds_loss(w, D), W)
    assert_close(s2sad.grad(mds_loss)(W, D), expected, rtol=1e-6, atol=1e-6)


def test_mds_zero_order_descent_falls_behind_in_high_dimension():
    curves = compare(10, steps=100)
    exact = curves["s2sad gradient"][0][-1]
    zero_order = curves["zero-order (2 evaluations)"][0][-1]
    coordinates = curves["coordinate differences"][0][-1]
    assert exact < 1e-3 * zero_order
    assert exact == np.float64(coordinates) or abs(exact - coordinates) < 1e-6


def test_network_gradient_matches_finite_differences():
    X, labels, _ = spirals(points_per_class=10)
    weights = initial_weights(width=6, layers=2)
    gradients = s2sad.grad(loss, wrt=(0, 1, 2))(*weights, X, labels)
    rng = np.random.default_rng(3)
    for k, (w, g) in enumerate(zip(weights, gradients)):
        assert g.shape == w.shape
        direction = rng.normal(size=w.shape)
        eps = 1e-6
        plus = [v + eps * direction if j == k else v for j, v in enumerate(weights)]
        minus = [v - eps * direction if j == k else v for j, v in enumerate(weights)]
        expected = (loss(*plus, X, labels) - loss(*minus, X, labels)) / (2 * eps)
        assert_close(np.sum(g * direction), expected, rtol=1e-6, atol=1e-9)


def test_network_training_fits_the_spirals():
    X, _, y = spirals()
    weights, losses = train(steps=300)
    assert losses[-1] < 0.1 * losses[0]
    assert accuracy(weights, X, y) > 0.9
