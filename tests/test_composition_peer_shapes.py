"""Second derivatives by composition of the kinds of functions a peer project's
grad-of-grad suite differentiates (powers with a varied exponent, ...), each
against central differences of the generated first (or second) derivative.
"""

import numpy as np
import pytest

import s2sad
from numerics import assert_close, central_directional_arrays


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("composition_peer_shapes")


def raised(u, w):
    return u**w


def raised_arrays(u: np.ndarray, w: np.ndarray):
    return np.sum(u**w)


def signed_power(u, w):
    if u >= 0:
        u = u**w
    else:
        u = (-u) ** w
    return u


@pytest.mark.parametrize("w", [2.0, 0.5, 1.0, 0.0, -1.5])
@pytest.mark.parametrize("first, second", [(0, 1), (1, 0), (1, 1)])
def test_a_power_differentiated_in_its_exponent_again(first, second, w, out_dir):
    """The exponent's derivative of ``runtime.power_factor`` (also at ``w == 0``,
    where its value is ``u ** -1``, not the 0 it had when only ``y`` multiplied it)."""
    gradient = s2sad.grad(raised, wrt=first, output_dir=out_dir)
    again = s2sad.grad(gradient, wrt=second, output_dir=out_dir)
    step = [0.0, 0.0]
    step[second] = 1.0
    expected = central_directional_arrays(gradient, [1.3, w], step, step=1e-5)
    assert_close(again(1.3, w), expected, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("u", [1.7, -0.6])
def test_a_power_of_a_signed_base_composes(u, out_dir):
    gradient = s2sad.grad(signed_power, wrt=(0, 1), output_dir=out_dir)
    _, tangent = s2sad.jvp(gradient, (u, 1.4), (0.3, -0.8), output_dir=out_dir)
    expected = central_directional_arrays(
        lambda *p: np.array(gradient(*p)), [u, 1.4], [0.3, -0.8], step=1e-5
    )
    assert_close(np.array(tangent), expected, rtol=1e-7, atol=1e-9)


def test_the_third_derivative_of_a_power_at_exponent_one(out_dir):
    """``d/dw`` of ``w (w - 1) u ** (w - 2)`` at ``w == 1`` reads the factor
    ``power_factor(u, 0)``, which is ``1 / u``."""
    inner = s2sad.grad(s2sad.grad(raised, wrt=0, output_dir=out_dir), wrt=0)
    third = s2sad.grad(inner, wrt=1, output_dir=out_dir)
    expected = central_directional_arrays(inner, [1.3, 1.0], [0.0, 1.0], step=1e-5)
    assert_close(third(1.3, 1.0), expected, rtol=1e-7, atol=1e-9)
    assert third(1.3, 1.0) == pytest.approx(1 / 1.3)


def test_array_powers_compose_in_both_modes(out_dir):
    u, w = np.array([1.3, 0.7, 2.1]), np.array([2.0, 0.0, 1.0])
    gradient = s2sad.grad(raised_arrays, wrt=(0, 1), output_dir=out_dir)
    t = (np.array([0.4, -0.2, 0.9]), np.array([-0.5, 0.8, 0.3]))
    _, tangent = s2sad.jvp(gradient, (u, w), t, output_dir=out_dir)

    def flat_gradient(a, b):
        return np.concatenate(gradient(a, b))

    expected = central_directional_arrays(flat_gradient, [u, w], list(t), step=1e-5)
    assert_close(np.concatenate(tangent), expected, rtol=1e-7, atol=1e-9)
    _, vjp_fn = s2sad.vjp(gradient, u, w, output_dir=out_dir)
    c = (np.array([0.1, 0.6, -0.7]), np.array([0.2, -0.3, 0.5]))
    pulled = vjp_fn(c)
    assert np.dot(np.concatenate(pulled), np.concatenate(t)) == pytest.approx(
        np.dot(np.concatenate(c), np.concatenate(tangent)), rel=1e-10
    )
