"""Lesson 02, perceptron part (decks 000/001): the update rule, the bias trick, the perceptron error,
convergence on separable data within Novikoff's bound, and no linear separator for XOR."""
from sklearn.svm import LinearSVC
import math

import numpy as np
import pytest

from coursekit.datasets import xor
from coursekit.experiments.perceptron import (PerceptronRun, add_bias, default_datasets, logistic_regression,
                                              misclassified_indices, perceptron, perceptron_error, signed_labels)


def assert_follows_the_update_rule(run, Xb, s, lr=1.0):
    """Each step adds r y_i x~_i for a point that the previous w misclassified (deck 000)."""
    for k, i in enumerate(run.picked, start=1):
        assert s[i] * (run.weights[k - 1] @ Xb[i]) <= 0
        np.testing.assert_allclose(run.weights[k] - run.weights[k - 1], lr * s[i] * Xb[i])


def test_the_number_of_updates_respects_novikoffs_bound():
    """Novikoff: with a separator of margin gamma and ||x~|| <= R, at most (R / gamma)^2 updates."""
    X, y = default_datasets()["separable"]
    Xb, s = add_bias(X), signed_labels(y)
    svm = LinearSVC(C=1e4, fit_intercept=False, max_iter=100_000).fit(Xb, s)  # an independent separator
    w_star = svm.coef_[0] / np.linalg.norm(svm.coef_[0])
    gamma = np.min(s * (Xb @ w_star))
    assert gamma > 0
    R = np.linalg.norm(Xb, axis=1).max()
    run = perceptron(Xb, s, rng=0)
    assert run.converged and run.n_updates <= (R / gamma) ** 2
    assert_follows_the_update_rule(run, Xb, s)


@pytest.mark.parametrize("lr", [0.1, 1.0, 3.0])
def test_each_update_is_w_plus_r_y_x_for_a_misclassified_point(lr):
    X, y = xor()
    Xb, s = add_bias(X), signed_labels(y)
    run = perceptron(Xb, s, lr=lr, max_epochs=5, rng=1)
    assert_follows_the_update_rule(run, Xb, s, lr)


def test_a_perceptron_with_the_wrong_sign_fails_the_rule_check():
    X, y = default_datasets()["separable"]
    Xb, s = add_bias(X), signed_labels(y)
    run = perceptron(Xb, s, rng=0)
    wrong = PerceptronRun(-run.weights, run.picked, run.converged, run.epochs)  # w <- w - r y x
    with pytest.raises(AssertionError):
        assert_follows_the_update_rule(wrong, Xb, s)


def test_the_bias_trick():
    rng = np.random.default_rng(3)
    X, w, beta = rng.normal(size=(5, 2)), rng.normal(size=2), 0.7
    w_tilde = np.concatenate([[-beta], w])
    np.testing.assert_allclose(add_bias(X) @ w_tilde, X @ w - beta)  # w~^T x~ = w^T x - beta


def test_perceptron_error_by_hand():
    Xb = np.array([[1.0, 2.0, 0.0], [1.0, -1.0, 0.0], [1.0, 0.0, 3.0]])
    s = np.array([1, 1, -1])
    w = np.array([0.0, 1.0, 0.5])
    # margins y w^T x: 2, -1, -1.5 -> points 1 and 2 are wrong; E_P = -(-1 - 1.5) = 2.5
    assert perceptron_error(w, Xb, s) == pytest.approx(2.5)
    np.testing.assert_array_equal(misclassified_indices(w, Xb, s), [1, 2])
    # w = (2, 1, -1): margins 4, 1, 1, all right, so M is empty and E_P = 0
    assert perceptron_error(np.array([2.0, 1.0, -1.0]), Xb, s) == 0.0


def test_logistic_regression_separates_the_blobs_but_is_a_coin_flip_on_xor():
    X, y = default_datasets()["separable"]
    model, _ = logistic_regression(X, y)
    assert np.all((model(X)[:, 0] > 0) == (y == 1))
    # by hand: at w = 0, b = 0 the cross-entropy gradient sum_i (1/2 - t_i) x~_i vanishes on XOR,
    # and the loss is convex, so its minimum is the coin flip's -log(1/2) = ln 2
    X, y = xor()
    _, history = logistic_regression(X, y)
    assert history.train_loss[-1] == pytest.approx(math.log(2), abs=1e-6)
