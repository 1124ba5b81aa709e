"""Facts about the data sets: shapes, labels, reproducibility and the geometry each one promises."""
import warnings

import numpy as np
import pytest

from coursekit import datasets as ds

CLASSIFIERS = {
    "blobs": lambda n, rng: ds.blobs(n, rng=rng, centers=3),
    "moons": lambda n, rng: ds.moons(n, rng=rng),
    "circles": lambda n, rng: ds.circles(n, rng=rng),
    "spirals": lambda n, rng: ds.spirals(n, rng=rng, n_classes=4),
    "mnist_like": lambda n, rng: ds.mnist_like(n, rng=rng, n_features=20, n_classes=5),
}
N_CLASSES = {"blobs": 3, "moons": 2, "circles": 2, "spirals": 4, "mnist_like": 5}
N_FEATURES = {"blobs": 2, "moons": 2, "circles": 2, "spirals": 2, "mnist_like": 20}


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_classifier_sets_have_documented_shapes_dtypes_and_labels(name):
    X, y = CLASSIFIERS[name](301, np.random.default_rng(0))
    assert X.shape == (301, N_FEATURES[name]) and X.dtype == np.float64
    assert y.shape == (301,) and y.dtype.kind == "i"
    assert set(np.unique(y)) == set(range(N_CLASSES[name]))
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_same_seed_same_data_and_different_seed_different_data(name):
    X1, y1 = CLASSIFIERS[name](50, np.random.default_rng(7))
    X2, y2 = CLASSIFIERS[name](50, 7)  # an int seed means default_rng(seed)
    X3, _ = CLASSIFIERS[name](50, np.random.default_rng(8))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


def test_xor_is_the_truth_table():
    X, y = ds.xor()
    assert X.shape == (4, 2) and y.dtype.kind == "i"
    for (x1, x2), label in zip(X, y):
        assert label == (int(x1) ^ int(x2))
    assert sorted(map(tuple, X.astype(int))) == [(0, 0), (0, 1), (1, 0), (1, 1)]


@pytest.mark.parametrize("factor", [0.2, 0.5, 0.8])
def test_circles_radii_ratio_is_factor_without_noise(factor):
    X, y = ds.circles(200, rng=1, noise=0.0, factor=factor)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], factor)


def test_moons_are_two_unit_half_circles_without_noise():
    X, y = ds.moons(200, rng=2, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)                      # centre (0, 0)
    assert (upper[:, 1] >= 0).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)  # centre (1, 1/2)
    assert (lower[:, 1] <= 0.5).all()


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_spiral_arm_k_is_theta_equals_2pik_over_K_plus_4r(n_classes):
    X, y = ds.spirals(300, rng=3, n_classes=n_classes, noise=0.0)
    r = np.hypot(X[:, 0], X[:, 1])
    theta = np.arctan2(X[:, 1], X[:, 0])
    offset = np.angle(np.exp(1j * (theta - 4 * r - 2 * np.pi * y / n_classes)))  # wrapped to (-pi, pi]
    np.testing.assert_allclose(offset, 0.0, atol=1e-9)
    assert (r <= 1).all()


def test_blobs_with_small_spread_are_linearly_separable():
    from sklearn.linear_model import LogisticRegression

    X, y = ds.blobs(300, rng=4, centers=2, spread=0.5)  # centres 8 apart, 8 standard deviations
    assert LogisticRegression().fit(X, y).score(X, y) == 1.0


def test_blobs_accepts_explicit_centres():
    centres = np.array([[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]])
    X, y = ds.blobs(400, rng=5, centers=centres, spread=0.1)
    assert X.shape == (400, 3)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), centres[1], atol=0.05)


@pytest.mark.parametrize("target, expected", [
    (ds.sine, lambda x: np.sin(np.pi * x)),
    (ds.step, lambda x: (x >= 0).astype(float)),
    (ds.abs_x, lambda x: np.maximum(x, 0) + np.maximum(-x, 0)),  # |x| = ReLU(x) + ReLU(-x)
    (ds.polynomial, lambda x: 2 * x**3 - x),
])
def test_regression_targets_without_noise(target, expected):
    X, y = ds.regression_1d(target, 64, rng=6, low=-2.0, high=3.0)
    assert X.shape == y.shape == (64, 1)
    assert (np.diff(X[:, 0]) >= 0).all() and X.min() >= -2 and X.max() <= 3
    np.testing.assert_allclose(y[:, 0], expected(X[:, 0]), atol=1e-12)


def test_regression_noise_has_the_requested_standard_deviation():
    X, y = ds.regression_1d(ds.sine, 20000, rng=7, noise=0.3)
    assert abs(np.std(y[:, 0] - np.sin(np.pi * X[:, 0])) - 0.3) < 0.01


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_digits_is_sklearns_data_scaled_to_unit_interval(dtype):
    from sklearn.datasets import load_digits

    X, y = ds.digits(dtype)
    raw = load_digits()
    assert X.shape == (1797, 64) and X.dtype == dtype and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0  # raw pixels are 0..16
    np.testing.assert_allclose(X * 16, raw.data, atol=1e-5)
    np.testing.assert_array_equal(y, raw.target)


def test_mnist_like_is_mnist_sized_pixels_in_unit_interval_float32():
    X, y = ds.mnist_like(500, rng=0, dtype=np.float32)
    assert X.shape == (500, 784) and X.dtype == np.float32
    assert ((X > 0) & (X < 1)).all()
    assert set(np.unique(y)) == set(range(10))


def test_mnist_like_train_and_test_calls_share_the_class_geometry():
    """Different rngs draw from one distribution: class means agree between two draws."""
    X1, y1 = ds.mnist_like(4000, rng=1, n_features=16, n_classes=3)
    X2, y2 = ds.mnist_like(4000, rng=2, n_features=16, n_classes=3)
    for k in range(3):
        np.testing.assert_allclose(X1[y1 == k].mean(axis=0), X2[y2 == k].mean(axis=0), atol=0.02)


def test_mnist_like_is_not_linearly_separable_but_an_mlp_learns_it():
    """A linear classifier scores at least 10 points under a one-hidden-layer MLP (both sklearn)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    # a small version (64 pixels, 4 classes) keeps the test fast; bench/mlp_speed.py shows the
    # full-size gap
    X, y = ds.mnist_like(2000, rng=0, n_features=64, n_classes=4)
    Xt, yt = ds.mnist_like(1000, rng=1, n_features=64, n_classes=4)
    linear = LogisticRegression(max_iter=1000).fit(X, y).score(Xt, yt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier((64,), max_iter=30, learning_rate_init=0.01, random_state=0).fit(X, y).score(Xt, yt)
    assert mlp >= linear + 0.10, (linear, mlp)


def test_train_test_split_partitions_the_rows():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    Xtr, Xte, ytr, yte = ds.train_test_split(X, y, test_fraction=0.3, rng=0)
    assert len(Xte) == 3 and len(Xtr) == 7
    np.testing.assert_array_equal(Xtr[:, 0] / 2, ytr)  # rows stay paired with their labels
    np.testing.assert_array_equal(Xte[:, 0] / 2, yte)
    assert sorted(np.concatenate([ytr, yte])) == list(range(10))
    _, Xte2, _, _ = ds.train_test_split(X, y, test_fraction=0.3, rng=0)
    np.testing.assert_array_equal(Xte, Xte2)


def test_standardizer_gives_zero_mean_unit_std_from_training_statistics():
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 3.0, size=(200, 3))
    X[:, 2] = 7.0  # a constant column is shifted, not divided by zero
    s = ds.Standardizer().fit(X)
    Z = s.transform(X)
    np.testing.assert_allclose(Z[:, :2].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1.0)
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    np.testing.assert_allclose(s.transform(X[:5] + 3.0)[:, 0], (X[:5, 0] + 3.0 - X[:, 0].mean()) / X[:, 0].std())
    np.testing.assert_allclose(ds.Standardizer().fit_transform(X), Z)
    assert ds.Standardizer().fit_transform(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("call, error, words", [
    (lambda: ds.moons(0, rng=0), ValueError, "n"),
    (lambda: ds.moons(10, rng=None), TypeError, "rng"),
    (lambda: ds.moons(10, rng=0, noise=-1.0), ValueError, "noise"),
    (lambda: ds.circles(10, rng=0, factor=1.0), ValueError, "factor"),
    (lambda: ds.blobs(10, rng=0, spread=0.0), ValueError, "spread"),
    (lambda: ds.spirals(10, rng=0, n_classes=0), ValueError, "n_classes"),
    (lambda: ds.regression_1d("sine", 10, rng=0), TypeError, "target"),
    (lambda: ds.regression_1d(ds.sine, 10, rng=0, low=1.0, high=1.0), ValueError, "low"),
    (lambda: ds.digits(np.int32), TypeError, "dtype"),
    (lambda: ds.mnist_like(10, rng=0, n_features=0), ValueError, "n_features"),
    (lambda: ds.train_test_split(np.zeros((4, 2)), np.zeros(3), rng=0), ValueError, "same number of rows"),
    (lambda: ds.train_test_split(np.zeros((4, 2)), np.zeros(4), test_fraction=1.0, rng=0), ValueError, "test_fraction"),
    (lambda: ds.Standardizer().transform(np.zeros((2, 2))), RuntimeError, "before fit"),
    (lambda: ds.Standardizer().fit(np.zeros((2, 2))).transform(np.zeros((2, 3))), ValueError, "columns"),
])
def test_bad_arguments_raise_naming_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()
