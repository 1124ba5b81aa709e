"""Lesson 00/02, the XOR net of deck 001: ReLU hidden layer, sigmoid output. It solves XOR, and its
hidden layer maps the four points to where one line separates the classes."""
import math

import numpy as np
import pytest

from coursekit.datasets import xor
from coursekit.experiments.xor_net import train_xor_net, xor_accuracy

from references import xor_forward_by_hand


X, Y = xor()


@pytest.fixture(scope="module")
def training():
    return train_xor_net()


def test_the_net_solves_xor_from_the_lesson_seed(training):
    assert xor_accuracy(training.model) == 1.0
    assert training.train_loss[-1] < 0.05 < math.log(2)  # far below the linear model's ln 2


def test_in_hidden_space_one_line_separates_the_classes(training):
    H, z = xor_forward_by_hand(training.model, X)
    # the output unit is linear in h: class 1 exactly where z = h . w2 + b2 > 0
    np.testing.assert_array_equal(z > 0, Y == 1)
    # (0,0) and (1,1) share a class, and the hidden layer is what makes them separable
    assert not np.allclose(H[1], H[0]) and not np.allclose(H[2], H[3])


def test_same_seed_same_weights():
    a, b = train_xor_net(epochs=20), train_xor_net(epochs=20)
    for p, q in zip(a.model.parameters(), b.model.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_an_unlucky_seed_collapses_two_classes_onto_one_hidden_point():
    """Two ReLU units are few: from seed 0 the hidden layer sends (0,0) and (1,0) to the same h,
    and no output unit can then separate them."""
    model = train_xor_net(rng=0).model
    H, _ = xor_forward_by_hand(model, X)
    assert np.allclose(H[0], H[2]) and Y[0] != Y[2]
    assert xor_accuracy(model) <= 0.75


def test_at_the_end_the_input_space_boundary_is_not_one_line(training):
    """Going from (0,1) to (1,0) the prediction flips twice (1, 0, 1): no half-plane does that."""
    _, z = xor_forward_by_hand(training.model, np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]))
    assert z[0] > 0 and z[1] < 0 and z[2] > 0


def test_training_arguments_are_checked():
    with pytest.raises(ValueError, match="epochs"):
        train_xor_net(epochs=0)
    with pytest.raises(ValueError, match="lr"):
        train_xor_net(lr=-1.0)
