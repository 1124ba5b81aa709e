"""Lesson 01 (deck 000): least squares, capacity, under- and overfitting, validation."""
import numpy as np
import pytest

from coursekit.explore.learning_machines import (MAX_DEGREE, PolynomialFitExplorer, error_vs_degree,
                                                 fit_least_squares, make_data, mse, polynomial_features,
                                                 select_degree)


@pytest.fixture(scope="module")
def explorer():
    return PolynomialFitExplorer()


def test_every_setting_draws_the_fit_and_both_error_curves(explorer, sweep):
    for name, value in sweep(explorer):
        degree, n_train = explorer.controls["degree"].value, explorer.controls["n_train"].value
        data, train, test = explorer.curves(n_train)
        # nested models: a higher degree can reproduce every lower-degree fit, so the least-squares
        # training error never goes up with the degree
        assert np.all(np.diff(train) <= 1e-9)
        # with d + 1 >= n parameters the polynomial interpolates the n points (Lagrange)
        assert np.all(train[np.arange(MAX_DEGREE + 1) + 1 >= n_train] < 1e-12)
        np.testing.assert_array_equal(explorer.train_points.get_data()[0], data.x_train[:, 0])
        assert explorer.marker.get_xdata()[0] == degree


def test_on_the_default_data_the_highest_degree_overfits(explorer):
    _, train, test = explorer.curves(explorer.controls["n_train"].value)
    best = int(np.argmin(test))
    assert 0 < best < MAX_DEGREE                    # underfit below, overfit above
    assert test[MAX_DEGREE] > 10 * test[best]        # the test error comes back up ...
    assert train[MAX_DEGREE] < train[best]           # ... while the training error keeps falling
    assert test[0] > 2 * test[best]                  # degree 0 (a constant) underfits


def test_more_data_tames_the_high_degree(explorer):
    _, _, few = explorer.curves(12)
    _, _, many = explorer.curves(explorer.controls["n_train"].max)
    assert many[MAX_DEGREE] < few[MAX_DEGREE] / 100


def test_degree_one_is_the_textbook_straight_line():
    data = make_data(20, rng=4)
    x, y = data.x_train[:, 0], data.y_train[:, 0]
    w = fit_least_squares(polynomial_features(x, 1), data.y_train)[:, 0]
    slope = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)  # cov / var
    np.testing.assert_allclose(w, [y.mean() - slope * x.mean(), slope])


def test_errors_are_half_the_mean_squared_residual():
    y_hat, y = np.array([[1.0], [2.0], [4.0]]), np.array([[0.0], [2.0], [1.0]])
    assert mse(y_hat, y) == pytest.approx((1 + 0 + 9) / 3 / 2)  # deck 000's MSE is 10/3; we keep the 1/2


def test_features_are_powers_of_x():
    np.testing.assert_array_equal(polynomial_features([2.0, -1.0], 3), [[1, 2, 4, 8], [1, -1, 1, -1]])


def test_validation_picks_a_degree_that_beats_the_largest_on_the_test_set():
    data = make_data(30, rng=1)
    degrees = np.arange(MAX_DEGREE + 1)
    best, val = select_degree(data.x_train, data.y_train, degrees, rng=0)
    _, test = error_vs_degree(data, [best, MAX_DEGREE])
    assert val.shape == degrees.shape and 0 < best < MAX_DEGREE
    assert test[0] < test[1]


def test_a_fit_that_ignores_the_bias_column_is_worse():
    """Deliberately broken: features without the constant 1 cannot shift the line."""
    data = make_data(30, rng=2)
    shifted = data.y_train + 3.0
    right = fit_least_squares(polynomial_features(data.x_train, 3), shifted)
    wrong = fit_least_squares(polynomial_features(data.x_train, 3)[:, 1:], shifted)
    assert mse(polynomial_features(data.x_train, 3) @ right, shifted) < \
        mse(polynomial_features(data.x_train, 3)[:, 1:] @ wrong, shifted) / 10


@pytest.mark.parametrize("degree", [-1, 2.5, True])
def test_degree_must_be_a_non_negative_int(degree):
    with pytest.raises(ValueError, match="degree must be an int >= 0"):
        polynomial_features([0.0], degree)
