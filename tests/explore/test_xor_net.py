"""Lesson 00/02, the XOR net of deck 001: ReLU hidden layer, sigmoid output. It solves XOR, and its
hidden layer maps the four points to where one line separates the classes."""
import numpy as np
import pytest

from coursekit.datasets import xor
from coursekit.experiments.xor_net import train_xor_net
from coursekit.explore.xor_net import XorNetExplorer

from references import xor_forward_by_hand


X, Y = xor()


@pytest.fixture(scope="module")
def training():
    return train_xor_net()


def test_every_snapshot_draws_the_nets_own_boundary_and_hidden_points(training, sweep):
    explorer = XorNetExplorer(training)
    grid = explorer.boundary.grid
    for name, index in sweep(explorer):
        model = training.models[index]
        H, _ = xor_forward_by_hand(model, X)
        np.testing.assert_allclose(explorer.hidden.points.get_offsets(), H)
        _, z = xor_forward_by_hand(model, grid)
        image = np.asarray(explorer.boundary.image.get_array()).ravel()
        np.testing.assert_allclose(image, 1 / (1 + np.exp(-z)))  # sigma(z), the sigmoid output
    assert training.epochs[0] == 0 and training.epochs[-1] == 300
