"""Lesson 01 (deck 000): least squares, capacity, under- and overfitting, validation."""
import numpy as np
import pytest

from coursekit.experiments.learning_machines import MAX_DEGREE
from coursekit.explore.learning_machines import PolynomialFitExplorer


@pytest.fixture(scope="module")
def explorer():
    return PolynomialFitExplorer()


def test_every_setting_draws_the_fit_and_both_error_curves(explorer, sweep):
    for name, value in sweep(explorer):
        degree, n_train = explorer.controls["degree"].value, explorer.controls["n_train"].value
        r = explorer.result
        data, train, test = r.data, r.train, r.test
        assert r.degree == degree and len(data.x_train) == n_train
        # nested models: a higher degree can reproduce every lower-degree fit, so the least-squares
        # training error never goes up with the degree
        assert np.all(np.diff(train) <= 1e-9)
        # with d + 1 >= n parameters the polynomial interpolates the n points (Lagrange)
        assert np.all(train[np.arange(MAX_DEGREE + 1) + 1 >= n_train] < 1e-12)
        np.testing.assert_array_equal(explorer.train_points.get_data()[0], data.x_train[:, 0])
        assert explorer.marker.get_xdata()[0] == degree


def test_on_the_default_data_the_highest_degree_overfits(explorer):
    train, test = explorer.result.train, explorer.result.test
    best = int(np.argmin(test))
    assert 0 < best < MAX_DEGREE                    # underfit below, overfit above
    assert test[MAX_DEGREE] > 10 * test[best]        # the test error comes back up ...
    assert train[MAX_DEGREE] < train[best]           # ... while the training error keeps falling
    assert test[0] > 2 * test[best]                  # degree 0 (a constant) underfits


def test_more_data_tames_the_high_degree(explorer):
    explorer.set(n_train=12)
    few = explorer.result.test
    explorer.set(n_train=explorer.controls["n_train"].max)
    many = explorer.result.test
    assert many[MAX_DEGREE] < few[MAX_DEGREE] / 100
