"""Lesson 06 explorer states deck 003/004 facts: an epoch of N examples in batches of B takes ceil(N/B)
iterations, a small MLP separates the moons, and a learning rate that is too large does worse."""
import numpy as np
import pytest

from coursekit.datasets import load
from coursekit.experiments.training import confusion_matrix, train_mlp


# training-set sizes by hand: a quarter held out, round(n / 4) rows
N_TRAIN = {"moons": 400 - 100, "spirals": 450 - 112, "digits": 1797 - 449}


def test_batch_gradient_descent_and_sgd_rows_of_the_deck_table():
    # one batch holding every example: 1 iteration per epoch; B = 1: N iterations per epoch
    N = N_TRAIN["moons"]
    assert train_mlp("moons", 4, 0.1, N, epochs=2).iterations == 2 * 1
    assert train_mlp("moons", 4, 0.1, 1, epochs=1).iterations == N


def test_confusion_matrix_by_hand():
    np.testing.assert_array_equal(confusion_matrix([0, 0, 1, 2], [0, 1, 1, 0], 3),
                                  [[1, 1, 0], [0, 1, 0], [1, 0, 0]])


def test_same_seed_same_run():
    a, b = train_mlp("spirals", 8, 0.3, 64, epochs=3, rng=5), train_mlp("spirals", 8, 0.3, 64, epochs=3, rng=5)
    assert a.history.train_loss == b.history.train_loss


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="name must be 'moons', 'spirals' or 'digits', got 'mnist'"):
        load("mnist")
    with pytest.raises(ValueError, match="lr must be"):
        train_mlp("moons", 4, 0.0, 32)
    with pytest.raises(TypeError, match="hidden must be a positive int"):
        train_mlp("moons", 2.5, 0.1, 32)
