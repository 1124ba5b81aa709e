"""Lesson 03 explorers state facts of decks 000/001: f' matches f, sigmoid' <= 1/4, sigmoid and tanh
saturate and ReLU does not, temperature interpolates one-hot -> uniform, CE beats MSE when wrong."""
import math

import numpy as np
import pytest

from coursekit.activations import Sigmoid
from coursekit.explore.activations import (ACTIVATIONS, ActivationExplorer, OutputGradientExplorer,
                                           TemperatureExplorer, activation_curves, output_gradients,
                                           saturated, softmax_temperature)


def finite_difference(z, f):
    """Central differences of the plotted f, an independent estimate of f'."""
    return (f[2:] - f[:-2]) / (z[2:] - z[:-2])


def test_every_setting_draws_the_derivative_of_the_plotted_function(sweep):
    explorer = ActivationExplorer()
    z = explorer.z
    for name, value in sweep(explorer):
        f, d = explorer.f_line.get_ydata(), explorer.d_line.get_ydata()
        smooth = np.abs(z[1:-1]) > 0.05  # ReLU and leaky ReLU have a kink at 0
        np.testing.assert_allclose(d[1:-1][smooth], finite_difference(z, f)[smooth], atol=1e-3)
        z0, f0 = explorer.point.get_data()
        assert z0[0] == explorer.controls["z0"].value
        # the tangent touches f at z0
        np.testing.assert_allclose(np.interp(z0[0], z, explorer.tangent.get_ydata()), f0[0], atol=1e-9)


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


@pytest.mark.parametrize("name, edge", [
    # sigma'(z) ~ e^-|z| and tanh'(z) = 4 / (e^z + e^-z)^2 ~ 4 e^(-2|z|) for large |z|, so
    # |f'| < 1e-3 beyond ln(1000) and ln(4000) / 2 respectively
    ("sigmoid", math.log(1000)),
    ("tanh", math.log(4000) / 2),
])
def test_sigmoid_and_tanh_saturate_on_both_sides_beyond_a_hand_derived_z(name, edge):
    explorer = ActivationExplorer()
    explorer.set(activation=ACTIVATIONS[name], tol=1e-3)
    z, flat = explorer.z, ~np.isnan(explorer.flat.get_ydata())
    assert flat[0] and flat[-1]
    np.testing.assert_array_equal(flat[np.abs(z) > edge + 0.05], True)
    np.testing.assert_array_equal(flat[np.abs(z) < edge - 0.05], False)


@pytest.mark.parametrize("name", ["ReLU", "leaky ReLU (0.1)", "softplus"])
def test_relu_family_does_not_saturate_for_positive_z(name):
    z = np.linspace(-8, 8, 401)
    _, d = activation_curves(ACTIVATIONS[name], z)
    assert not saturated(d[z > 1]).any()
    assert d[-1] == pytest.approx(1.0, abs=1e-3)


def test_a_looser_tolerance_marks_more_of_sigmoid_as_saturated(sweep):
    explorer = ActivationExplorer()
    counts = [np.count_nonzero(~np.isnan(explorer.flat.get_ydata()))
              for name, _ in sweep(explorer, only={"tol"})]
    assert counts[0] < counts[1] < counts[2]  # tol = 1e-6, 1e-3, 1e-1


def test_temperature_moves_softmax_from_one_hot_to_uniform(sweep):
    explorer = TemperatureExplorer()
    z = explorer.z
    heights = {value: np.array([bar.get_height() for bar in explorer.bars]) for _, value in sweep(explorer)}
    cold, one, hot = sorted(heights)
    assert heights[cold][np.argmax(z)] > 0.999                     # T -> 0: one-hot at argmax z
    assert np.abs(heights[hot] - 1 / len(z)).max() < 0.02          # T large: nearly uniform
    by_hand = np.array([math.exp(v) for v in z]) / sum(math.exp(v) for v in z)
    np.testing.assert_allclose(heights[one], by_hand)              # T = 1: plain softmax


def test_softmax_at_temperature_one_by_hand():
    # softmax(0, ln 2, ln 3) = (1, 2, 3) / 6
    np.testing.assert_allclose(softmax_temperature([0, math.log(2), math.log(3)], 1.0), [1 / 6, 2 / 6, 3 / 6])
    # dividing the logits by T = 2 is the same as taking square roots of e^z
    np.testing.assert_allclose(softmax_temperature([0, math.log(4)], 2.0), [1 / 3, 2 / 3])


def sigmoid_by_hand(z):
    return 1 / (1 + math.exp(-z))


@pytest.mark.parametrize("z", [-10.0, -4.0, 0.0, 3.0, 10.0])
def test_sigmoid_output_gradients_match_the_chain_rule_by_hand(z):
    a = sigmoid_by_hand(z)
    grads = output_gradients("sigmoid", [z])
    assert grads["mse"][0] == pytest.approx((a - 1) * a * (1 - a), abs=1e-15)  # (a - t) sigma'(z)
    assert grads["ce"][0] == pytest.approx(a - 1, abs=1e-15)                  # a - t


def test_softmax_output_gradients_match_finite_differences():
    def losses(z0):
        e = np.exp([z0, 0.0, 0.0])
        p = e / e.sum()
        return 0.5 * ((p - [1, 0, 0]) ** 2).sum(), -math.log(p[0])
    z, h = np.array([-6.0, -1.0, 0.0, 2.5]), 1e-6
    grads = output_gradients("softmax", z)
    numeric = np.array([[(a - b) / (2 * h) for a, b in zip(losses(v + h), losses(v - h))] for v in z])
    np.testing.assert_allclose(grads["mse"], numeric[:, 0], atol=1e-8)
    np.testing.assert_allclose(grads["ce"], numeric[:, 1], atol=1e-8)
    # at z = 0 all p = 1/3: CE gives p - t = -2/3; MSE gives p0 (v0 - p.v) = 1/3 * (-2/3) = -2/9
    at_zero = output_gradients("softmax", [0.0])
    assert (at_zero["ce"][0], at_zero["mse"][0]) == pytest.approx((-2 / 3, -2 / 9))


def test_when_confidently_wrong_mse_gradient_vanishes_and_cross_entropy_does_not(sweep):
    explorer = OutputGradientExplorer()
    for name, value in sweep(explorer):
        mse, ce = explorer.mse.get_ydata(), explorer.ce.get_ydata()
        assert mse[0] < 1e-3 and ce[0] > 0.99        # z = -10: wrong and saturated
        assert mse[-1] < 1e-3 and ce[-1] < 1e-3      # z = +10: right and confident
        assert np.all(ce >= mse)                     # CE never learns slower here
        _, (m0, c0) = explorer.marks.get_data()
        z0 = explorer.controls["z0"].value
        assert (m0, c0) == pytest.approx((np.interp(z0, explorer.z, mse), np.interp(z0, explorer.z, ce)),
                                         abs=1e-3)


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="output must be 'sigmoid' or 'softmax', got 'tanh'"):
        output_gradients("tanh", [0.0])
    with pytest.raises(ValueError, match="T must be"):
        softmax_temperature([1.0, 2.0], 0.0)
    with pytest.raises(TypeError, match="activation must be a Module"):
        activation_curves("relu", [0.0])
