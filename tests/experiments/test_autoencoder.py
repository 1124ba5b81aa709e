"""Lesson 11's explorer states deck 002's autoencoder facts: a wider bottleneck reconstructs better, and a
linear autoencoder can at best match PCA (computed here independently with NumPy's SVD)."""
from types import SimpleNamespace

import numpy as np
import pytest

from coursekit.experiments.autoencoder import (bottleneck_view, curve_ks, mosaic, pca_errors, reconstruction_error,
                                              train_autoencoder)

from references import lesson_digits_split, pca_error_by_svd


@pytest.fixture(scope="module")
def split():
    return lesson_digits_split()


def test_pca_errors_match_the_svd_reference(split):
    X_train, X_test = split
    errors = pca_errors(X_train, X_test, 32)
    assert errors[0] == pytest.approx(np.mean((X_test - X_train.mean(axis=0)) ** 2))
    for k in (1, 5, 32):
        assert errors[k] == pytest.approx(pca_error_by_svd(X_train, X_test, k))


def test_reconstruction_error_is_per_pixel_and_the_identity_scores_zero():
    X = np.random.default_rng(0).uniform(0, 1, (5, 64))
    assert reconstruction_error(lambda Z: Z, X) == 0.0
    assert reconstruction_error(lambda Z: Z + 0.5, X) == pytest.approx(0.25)


def test_mosaic_places_each_image_in_its_tile():
    a, b = np.zeros((2, 64)), np.ones((2, 64))
    grid = mosaic([a, b])
    assert grid.shape == (17, 17)
    assert np.all(grid[:8, :8] == 0) and np.all(grid[9:, 9:] == 1) and np.isnan(grid[8, 0])


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="variant must be one of"):
        train_autoencoder(4, "convolutional")
    with pytest.raises(ValueError, match="k must be a positive int, got 0"):
        train_autoencoder(0)


def test_the_explorer_curve_shows_fixed_bottlenecks_and_the_current_one():
    assert curve_ks(8) == (2, 4, 8, 16, 32)
    assert curve_ks(5) == (2, 4, 5, 8, 16, 32)
    runs = {k: SimpleNamespace(k=k, test_error=1.0 / k) for k in curve_ks(5)}   # stand-ins: only test_error is read
    view = bottleneck_view(5, runs)
    assert view.run is runs[5] and list(view.ks) == [2, 4, 5, 8, 16, 32]
    np.testing.assert_array_equal(view.test_errors, [1 / 2, 1 / 4, 1 / 5, 1 / 8, 1 / 16, 1 / 32])
