"""Lesson 01 (deck 000): least squares, capacity, under- and overfitting, validation."""
import numpy as np
import pytest

from coursekit.experiments.learning_machines import (MAX_DEGREE, error_vs_degree, fit_least_squares,
                                                     make_data, mse, polynomial_features, select_degree)


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
