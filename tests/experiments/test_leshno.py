"""A polynomial activation of degree k fits no better than the best degree-k polynomial; ReLU does."""

import numpy as np
import pytest

from coursekit.activations import relu
from coursekit.datasets import abs_x
from coursekit.experiments.leshno import activation_fit_error, power
from coursekit.experiments.relu_pieces import random_hidden_units

x = np.linspace(-1, 1, 201)
t = abs_x(x)


def polyfit_error(k):
    return float(np.mean((np.polyval(np.polyfit(x, t, k), x) - t) ** 2))   # independent: numpy.polyfit


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("D", [8, 64])
def test_power_units_equal_the_best_polynomial_of_their_degree(k, D):
    theta = random_hidden_units(D, rng=0)
    assert activation_fit_error(x, t, theta, power(k)) == pytest.approx(polyfit_error(k), rel=1e-6)


def test_relu_units_beat_every_low_degree_polynomial():
    assert activation_fit_error(x, t, random_hidden_units(64, rng=0), relu) < polyfit_error(3) / 10
