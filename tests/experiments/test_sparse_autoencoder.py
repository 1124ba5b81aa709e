"""The sparse autoencoder's training run: the penalty makes the hidden units' mean activation
approach rho, which the same run without it does not."""
import numpy as np
import pytest

from coursekit.experiments.sparse_autoencoder import train_sparse_autoencoder


@pytest.fixture(scope="module")
def runs():
    X = np.random.default_rng(0).uniform(size=(200, 16))
    return {lam: train_sparse_autoencoder(X, 6, rho=0.1, lam=lam, epochs=40, rng=1) for lam in (0.0, 3.0)}


def test_the_penalty_drives_mean_activations_to_rho(runs):
    assert np.abs(runs[3.0].rho_hat - 0.1).max() < 0.03
    assert runs[0.0].rho_hat.min() > 0.2


def test_the_run_reports_filters_and_a_falling_objective(runs):
    run = runs[3.0]
    assert run.filters.shape == (6, 16)
    np.testing.assert_array_equal(run.filters, run.encoder.layers[0].W.data.T)
    objective = np.add(run.loss, run.penalty)
    assert objective[-1] < objective[0] and run.penalty[-1] < run.penalty[0]
