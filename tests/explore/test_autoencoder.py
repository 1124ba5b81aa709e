"""Lesson 11's explorer states deck 002's autoencoder facts: a wider bottleneck reconstructs better, and a
linear autoencoder can at best match PCA (computed here independently with NumPy's SVD)."""
import numpy as np
import pytest

from coursekit.experiments.autoencoder import VARIANTS, curve_ks
from coursekit.explore.autoencoder import AutoencoderExplorer

from references import lesson_digits_split, pca_error_by_svd


LINEAR = "linear (no activations)"


@pytest.fixture(scope="module")
def explorer():
    return AutoencoderExplorer()   # module-scoped: trained models are cached per (model, k)


@pytest.fixture(scope="module")
def split():
    return lesson_digits_split()


def test_sweep_error_falls_as_the_bottleneck_widens(explorer, sweep):
    for name, value in sweep(explorer):
        r = explorer.result
        # the grid shows the test digits on top and the model's reconstruction of them below
        grid = explorer.image.get_array()
        np.testing.assert_allclose(grid[:8, :8], explorer.shown[0].reshape(8, 8))
        np.testing.assert_allclose(grid[9:17, :8], r.run.model(explorer.shown[:1])[0].reshape(8, 8))
        assert r.run.k == r.k == explorer.values["k"]
        assert r.test_errors[list(r.ks).index(r.k)] == r.run.test_error
    for model in VARIANTS:
        explorer.set(model=model, k=8)
        r = explorer.result
        by_k = [r.test_errors[list(r.ks).index(k)] for k in (2, 8, 32)]   # min, default, max
        assert by_k[0] > by_k[1] > by_k[2], (model, by_k)


def test_the_error_curve_is_the_results_whatever_was_trained_before(explorer):
    """The figure is a function of the controls: k = 5 visited before k = 8 leaves no trace."""
    explorer.set(model=list(VARIANTS)[0], k=5)
    explorer.set(k=8)
    ks, errors = explorer.trained_line.get_data()
    np.testing.assert_array_equal(ks, curve_ks(8))
    np.testing.assert_array_equal(errors, explorer.result.test_errors)


@pytest.mark.parametrize("k", [2, 8, 32])
def test_a_linear_autoencoder_cannot_beat_pca_and_gets_close(explorer, split, k):
    X_train, _ = split
    explorer.set(model=LINEAR, k=k)
    run = explorer.result.run
    best = pca_error_by_svd(X_train, X_train, k)
    assert run.train_error >= best - 1e-9                  # Eckart-Young: PCA is optimal among rank-k codes
    assert run.train_error < 1.25 * best                   # and gradient descent finds nearly that subspace


@pytest.mark.parametrize("k", [2, 8, 32])
def test_nonlinear_autoencoder_errors_are_in_a_sensible_range(explorer, split, k):
    X_train, X_test = split
    explorer.set(model=list(VARIANTS)[0], k=k)
    run = explorer.result.run
    mean_digit = np.mean((X_test - X_train.mean(axis=0)) ** 2)   # a code of size 0: predict the mean digit
    assert run.test_error < mean_digit
    assert pca_error_by_svd(X_train, X_test, k) / 2 < run.test_error < 5 * pca_error_by_svd(X_train, X_test, k)
