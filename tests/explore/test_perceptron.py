"""Lesson 02, perceptron part (decks 000/001): the update rule, the bias trick, the perceptron error,
convergence on separable data within Novikoff's bound, and no linear separator for XOR."""
import numpy as np
import pytest

from coursekit.experiments.perceptron import default_datasets, perceptron, perceptron_error, signed_labels
from coursekit.explore.perceptron import PerceptronExplorer


@pytest.fixture(scope="module")
def explorer():
    return PerceptronExplorer()


def by_hand_errors(w, X, y):
    """Points with y w~^T x~ <= 0, counted without coursekit: x~ = (1, x1, x2)."""
    return sum(1 for (x1, x2), t in zip(X, y) if (2 * t - 1) * (w[0] + w[1] * x1 + w[2] * x2) <= 0)


def test_every_setting_shows_the_weights_the_error_count_and_the_boundary(explorer, sweep):
    for name, value in sweep(explorer):
        state = explorer.result
        X, y = state.data.X, state.data.y
        assert state.errors == by_hand_errors(state.w, X, y)
        _, counts = explorer.count_now.get_data()
        assert counts[0] == state.errors


def test_on_separable_data_the_perceptron_converges_and_then_makes_no_errors(explorer):
    explorer.set(data="separable", step=explorer.controls["step"].max)
    state = explorer.result
    X, y = default_datasets()["separable"]
    assert state.converged and state.errors == 0 == by_hand_errors(state.w, X, y)
    run = state.data.run
    assert 0 < run.n_updates <= explorer.controls["step"].max


def test_on_xor_the_error_count_never_reaches_zero(explorer):
    # by hand: w0 <= 0 for (0,0), w0 + w2 > 0 and w0 + w1 > 0 for (0,1), (1,0), w0 + w1 + w2 <= 0
    # for (1,1); adding the middle two gives 2 w0 + w1 + w2 > 0, but the outer two give <= 0
    explorer.set(data="XOR")
    run = explorer.result.data.run
    assert not run.converged and run.n_updates >= explorer.controls["step"].max
    for step in (0, 1, 10, explorer.controls["step"].max):
        explorer.set(step=step)
        assert explorer.result.errors >= 1
    explorer.set(data="separable", step=0)


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
