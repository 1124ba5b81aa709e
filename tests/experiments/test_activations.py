"""Lesson 03 explorers state facts of decks 000/001: f' matches f, sigmoid' <= 1/4, sigmoid and tanh
saturate and ReLU does not, temperature interpolates one-hot -> uniform, CE beats MSE when wrong."""
import math

import numpy as np
import pytest

from coursekit.activations import Sigmoid
from coursekit.experiments.activations import (ACTIVATIONS, activation_curves, output_gradients, saturated,
                                               softmax_temperature)


def finite_difference(z, f):
    """Central differences of the plotted f, an independent estimate of f'."""
    return (f[2:] - f[:-2]) / (z[2:] - z[:-2])


def sigmoid_by_hand(z):
    return 1 / (1 + math.exp(-z))


def test_a_wrong_derivative_fails_the_finite_difference_check():
    class WrongSigmoid(Sigmoid):
        def f_prime(self, z, a):
            return a  # forgot the (1 - a)
    z = np.linspace(-8, 8, 401)
    f, d = activation_curves(WrongSigmoid(), z)
    assert not np.allclose(d[1:-1], finite_difference(z, f), atol=1e-3)


def test_sigmoid_derivative_peaks_at_one_quarter_at_zero():
    # by hand: sigma(0) = 1/2, so sigma'(0) = 1/2 * (1 - 1/2) = 1/4, and sigma' is even and
    # decreasing in |z|
    z = np.linspace(-8, 8, 401)
    _, d = activation_curves(ACTIVATIONS["sigmoid"], z)
    assert d.max() == pytest.approx(0.25) and z[d.argmax()] == pytest.approx(0.0)


@pytest.mark.parametrize("name", ["ReLU", "leaky ReLU (0.1)", "softplus"])
def test_relu_family_does_not_saturate_for_positive_z(name):
    z = np.linspace(-8, 8, 401)
    _, d = activation_curves(ACTIVATIONS[name], z)
    assert not saturated(d[z > 1]).any()
    assert d[-1] == pytest.approx(1.0, abs=1e-3)


def test_softmax_at_temperature_one_by_hand():
    # softmax(0, ln 2, ln 3) = (1, 2, 3) / 6
    np.testing.assert_allclose(softmax_temperature([0, math.log(2), math.log(3)], 1.0), [1 / 6, 2 / 6, 3 / 6])
    # dividing the logits by T = 2 is the same as taking square roots of e^z
    np.testing.assert_allclose(softmax_temperature([0, math.log(4)], 2.0), [1 / 3, 2 / 3])


@pytest.mark.parametrize("z", [-10.0, -4.0, 0.0, 3.0, 10.0])
def test_sigmoid_output_gradients_match_the_chain_rule_by_hand(z):
    a = sigmoid_by_hand(z)
    grads = output_gradients("sigmoid", [z])
    assert grads.mse[0] == pytest.approx((a - 1) * a * (1 - a), abs=1e-15)  # (a - t) sigma'(z)
    assert grads.ce[0] == pytest.approx(a - 1, abs=1e-15)                  # a - t


def test_softmax_output_gradients_match_finite_differences():
    def losses(z0):
        e = np.exp([z0, 0.0, 0.0])
        p = e / e.sum()
        return 0.5 * ((p - [1, 0, 0]) ** 2).sum(), -math.log(p[0])
    z, h = np.array([-6.0, -1.0, 0.0, 2.5]), 1e-6
    grads = output_gradients("softmax", z)
    numeric = np.array([[(a - b) / (2 * h) for a, b in zip(losses(v + h), losses(v - h))] for v in z])
    np.testing.assert_allclose(grads.mse, numeric[:, 0], atol=1e-8)
    np.testing.assert_allclose(grads.ce, numeric[:, 1], atol=1e-8)
    # at z = 0 all p = 1/3: CE gives p - t = -2/3; MSE gives p0 (v0 - p.v) = 1/3 * (-2/3) = -2/9
    at_zero = output_gradients("softmax", [0.0])
    assert (at_zero.ce[0], at_zero.mse[0]) == pytest.approx((-2 / 3, -2 / 9))


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="output must be 'sigmoid' or 'softmax', got 'tanh'"):
        output_gradients("tanh", [0.0])
    with pytest.raises(ValueError, match="T must be"):
        softmax_temperature([1.0, 2.0], 0.0)
    with pytest.raises(TypeError, match="activation must be a Module"):
        activation_curves("relu", [0.0])
