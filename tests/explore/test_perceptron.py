"""Lesson 02, perceptron part (decks 000/001): the update rule, the bias trick, the perceptron error,
convergence on separable data within Novikoff's bound, and no linear separator for XOR."""
import math

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from coursekit.datasets import xor
from coursekit.explore.perceptron import (PerceptronExplorer, PerceptronRun, add_bias, default_datasets,
                                          logistic_regression, misclassified, perceptron,
                                          perceptron_error, signed_labels)


@pytest.fixture(scope="module")
def explorer():
    return PerceptronExplorer()


def by_hand_errors(w, X, y):
    """Points with y w~^T x~ <= 0, counted without coursekit: x~ = (1, x1, x2)."""
    return sum(1 for (x1, x2), t in zip(X, y) if (2 * t - 1) * (w[0] + w[1] * x1 + w[2] * x2) <= 0)


def assert_follows_the_update_rule(run, Xb, s, lr=1.0):
    """Each step adds r y_i x~_i for a point that the previous w misclassified (deck 000)."""
    for k, i in enumerate(run.picked, start=1):
        assert s[i] * (run.weights[k - 1] @ Xb[i]) <= 0
        np.testing.assert_allclose(run.weights[k] - run.weights[k - 1], lr * s[i] * Xb[i])


def test_every_setting_shows_the_weights_the_error_count_and_the_boundary(explorer, sweep):
    for name, value in sweep(explorer):
        state = explorer.state()
        X, y = explorer.runs[explorer.controls["data"].value][:2]
        assert state["errors"] == by_hand_errors(state["w"], X, y)
        _, counts = explorer.count_now.get_data()
        assert counts[0] == state["errors"]


def test_on_separable_data_the_perceptron_converges_and_then_makes_no_errors(explorer):
    explorer.set(data="separable", step=explorer.controls["step"].max)
    state = explorer.state()
    X, y = default_datasets()["separable"]
    assert state["converged"] and state["errors"] == 0 == by_hand_errors(state["w"], X, y)
    run = explorer.runs["separable"][4]
    assert 0 < run.n_updates <= explorer.controls["step"].max


def test_on_xor_the_error_count_never_reaches_zero(explorer):
    # by hand: w0 <= 0 for (0,0), w0 + w2 > 0 and w0 + w1 > 0 for (0,1), (1,0), w0 + w1 + w2 <= 0
    # for (1,1); adding the middle two gives 2 w0 + w1 + w2 > 0, but the outer two give <= 0
    explorer.set(data="XOR")
    run = explorer.runs["XOR"][4]
    assert not run.converged and run.n_updates >= explorer.controls["step"].max
    for step in (0, 1, 10, explorer.controls["step"].max):
        explorer.set(step=step)
        assert explorer.state()["errors"] >= 1
    explorer.set(data="separable", step=0)


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
    np.testing.assert_array_equal(misclassified(w, Xb, s), [1, 2])
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


@pytest.mark.parametrize("call, error, match", [
    (lambda: signed_labels(np.array([0, 2])), ValueError, "0/1 class labels"),
    (lambda: perceptron(np.ones((2, 3)), np.array([1, 0]), rng=0), ValueError, "labels in"),
    (lambda: perceptron(np.ones((2, 3)), np.array([1, -1]), lr=0, rng=0), ValueError, "lr"),
    (lambda: perceptron_error(np.ones(2), np.ones((2, 3)), np.array([1, -1])), ValueError, "w must have 3"),
    (lambda: PerceptronExplorer({}), TypeError, "datasets"),
])
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
