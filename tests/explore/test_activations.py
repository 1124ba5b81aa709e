"""Lesson 03 explorers state facts of decks 000/001: f' matches f, sigmoid' <= 1/4, sigmoid and tanh
saturate and ReLU does not, temperature interpolates one-hot -> uniform, CE beats MSE when wrong."""
import math

import numpy as np
import pytest

from coursekit.experiments.activations import ACTIVATIONS
from coursekit.explore.activations import ActivationExplorer, OutputGradientExplorer, TemperatureExplorer


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
