"""Small data sets made in code, for the lessons and the benchmark (no downloads).

Every generator takes an explicit ``rng`` (a ``numpy.random.Generator`` or an int seed): the
same seed gives the same data on every machine. Classification sets return ``(X, y)`` with
``X`` float of shape ``(n, d)`` and ``y`` int labels of shape ``(n,)``; regression sets return
``y`` of shape ``(n, 1)``, ready for :class:`coursekit.losses.MSELoss`.

Where they appear in the course:

* ``xor`` -- deck 001: a linear model cannot solve it, one ReLU hidden layer can.
* ``blobs`` -- linearly separable clusters (perceptron, logistic regression).
* ``moons``, ``circles``, ``spirals`` -- not linearly separable (decision boundaries of MLPs).
* ``regression_1d`` with ``sine``, ``step``, ``abs_x``, ``polynomial`` -- deck 004 universal
  approximation (linear regions of shallow ReLU nets) and capacity, under- and overfitting.
* ``digits`` -- the 8x8 handwritten digits that ship with scikit-learn (1797 images).
* ``mnist_like`` -- an MNIST-sized synthetic set for the speed benchmark (``bench/mlp_speed.py``).
* ``load`` (moons, spirals, digits split once) -- lessons 06 and 11; ``noisy_moons`` -- lessons 09 and 10.

Every split returns ``X_train, X_test (or X_val), y_train, y_test (or y_val)``, scikit-learn's order.
"""
from __future__ import annotations

import functools
import importlib.util
import numbers
from pathlib import Path

import numpy as np

from ._checks import _describe, as_generator, finite_float, float_array, float_dtype, positive_int


# -- classification -----------------------------------------------------------------------
def xor():
    """The four points of the XOR truth table (deck 001): y = x1 XOR x2.

    Returns
    -------
    X : (4, 2) float64, rows (0, 0), (0, 1), (1, 0), (1, 1)
    y : (4,) int, labels 0, 1, 1, 0
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([0, 1, 1, 0])
    return X, y


def _labels(n: int, n_classes: int) -> np.ndarray:
    """Balanced labels 0, 1, ..., n_classes - 1, 0, 1, ... (class sizes differ by at most 1)."""
    return np.arange(n) % n_classes


def blobs(n, *, rng, centers=2, spread=1.0):
    """Gaussian clusters, one per class: linearly separable when ``spread`` is small.

    Parameters
    ----------
    n : int
        Number of points (classes balanced).
    rng : Generator or int
    centers : int or array of shape (k, d)
        An int k places k centres evenly on the circle of radius 4 in the plane; an array
        gives the centres themselves.
    spread : float > 0
        Standard deviation of each cluster.

    Shapes
    ------
    X: (n, d) with d = 2 for an int ``centers``; y: (n,) in [0, k).
    """
    n, rng = positive_int(n, "n"), as_generator(rng)
    spread = finite_float(spread, "spread", low=0.0, low_open=True)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = positive_int(centers, "centers")
        angle = 2 * np.pi * np.arange(k) / k
        centers = 4.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    else:
        centers = float_array(centers, "centers", ndim=2)
    y = _labels(n, len(centers))
    X = centers[y] + spread * rng.standard_normal((n, centers.shape[1]))
    return X, y


def moons(n, *, rng, noise=0.1):
    """Two interleaving half circles (as scikit-learn's ``make_moons``).

    Class 0: ``(cos t, sin t)``; class 1: ``(1 - cos t, 1/2 - sin t)``; ``t`` uniform in
    ``[0, pi]``; then Gaussian noise of standard deviation ``noise`` on both coordinates.

    Shapes
    ------
    X: (n, 2); y: (n,) in {0, 1}.
    """
    n, rng = positive_int(n, "n"), as_generator(rng)
    noise = finite_float(noise, "noise", low=0.0)
    y = _labels(n, 2)
    t = rng.uniform(0.0, np.pi, n)
    X = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
    return X + noise * rng.standard_normal((n, 2)), y


def circles(n, *, rng, noise=0.05, factor=0.5):
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor``.

    Parameters
    ----------
    factor : float in (0, 1)
        Ratio of the inner radius to the outer one.

    Shapes
    ------
    X: (n, 2); y: (n,) in {0, 1}.
    """
    n, rng = positive_int(n, "n"), as_generator(rng)
    noise = finite_float(noise, "noise", low=0.0)
    factor = finite_float(factor, "factor", low=0.0, high=1.0, low_open=True, high_open=True)
    y = _labels(n, 2)
    t = rng.uniform(0.0, 2 * np.pi, n)
    r = np.where(y == 0, 1.0, factor)
    X = r[:, None] * np.column_stack([np.cos(t), np.sin(t)])
    return X + noise * rng.standard_normal((n, 2)), y


def spirals(n, *, rng, n_classes=3, noise=0.2):
    """Interleaved spiral arms, one per class (the cs231n toy problem).

    Arm k is the curve ``theta = 2 pi k / K + 4 r`` for radius ``r`` in ``(0, 1]``: a point
    at radius r sits at ``r (cos theta, sin theta)``. ``noise`` is the standard deviation of
    Gaussian noise added to theta (radians), so the arms stay interleaved at every radius.

    Shapes
    ------
    X: (n, 2); y: (n,) in [0, n_classes).
    """
    n, rng = positive_int(n, "n"), as_generator(rng)
    n_classes = positive_int(n_classes, "n_classes")
    noise = finite_float(noise, "noise", low=0.0)
    y = _labels(n, n_classes)
    r = rng.uniform(0.0, 1.0, n)
    theta = 2 * np.pi * y / n_classes + 4 * r + noise * rng.standard_normal(n)
    return r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)]), y


# -- 1-D regression targets (deck 004: universal approximation; capacity) -----------------
def sine(x):
    """sin(pi x): one full period on [-1, 1]."""
    return np.sin(np.pi * x)


def step(x):
    """Heaviside step: 0 for x < 0, 1 for x >= 0 (a jump no finite ReLU net fits exactly)."""
    return np.where(x >= 0, 1.0, 0.0)


def abs_x(x):
    """|x|: exactly two ReLUs, |x| = ReLU(x) + ReLU(-x)."""
    return np.abs(x)


def polynomial(x):
    """The cubic 2 x^3 - x (the under/overfitting lesson fits polynomials of several degrees)."""
    return 2 * x**3 - x


def regression_1d(target, n, *, rng, noise=0.0, low=-1.0, high=1.0):
    """Points ``x ~ U(low, high)`` (sorted) and ``y = target(x) + noise * N(0, 1)``.

    Parameters
    ----------
    target : callable
        Vectorised function of x, e.g. :func:`sine`, :func:`step`, :func:`abs_x`,
        :func:`polynomial`.
    n : int
    rng : Generator or int
    noise : float >= 0
        Standard deviation of the Gaussian label noise.
    low, high : float, low < high

    Shapes
    ------
    X: (n, 1); y: (n, 1).
    """
    if not callable(target):
        raise TypeError(f"target must be a function such as datasets.sine, got {_describe(target)}")
    n, rng = positive_int(n, "n"), as_generator(rng)
    noise = finite_float(noise, "noise", low=0.0)
    low, high = finite_float(low, "low"), finite_float(high, "high")
    if not low < high:
        raise ValueError(f"low must be smaller than high, got low={low}, high={high}")
    x = np.sort(rng.uniform(low, high, n))
    y = np.asarray(target(x), dtype=np.float64) + noise * rng.standard_normal(n)
    return x.reshape(-1, 1), y.reshape(-1, 1)


# -- real and MNIST-sized data -------------------------------------------------------------
def digits(dtype=np.float64):
    """The 8x8 handwritten digits bundled with scikit-learn, pixels scaled to [0, 1].

    The data file ships inside the scikit-learn package, so nothing downloads. It is read
    directly rather than through ``sklearn.datasets.load_digits``: importing scikit-learn costs
    seconds, which every lesson and every graded submission that uses digits would pay.

    Shapes
    ------
    X: (1797, 64) in [0, 1]; y: (1797,) in [0, 10).
    """
    dtype = float_dtype(dtype)
    spec = importlib.util.find_spec("sklearn")  # locates the package without importing it
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("digits() reads the data file shipped with scikit-learn; install scikit-learn")
    table = np.loadtxt(Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz",
                       delimiter=",", dtype=np.int64)
    return (table[:, :-1] / 16.0).astype(dtype), table[:, -1]


# The class geometry of mnist_like (cluster centres, the map to pixels) is fixed by this seed,
# so that separate calls (a training set and a test set) sample the same distribution.
_MNIST_LIKE_WORLD = 20240
_LATENT_DIM, _CLUSTERS_PER_CLASS = 6, 4
_CLUSTER_STD, _GAIN, _PIXEL_NOISE = 0.2, 0.4, 0.3


def mnist_like(n, *, rng, n_features=784, n_classes=10, dtype=np.float64):
    """Synthetic MNIST-sized data: pixels in (0, 1), 10 classes, not linearly separable.

    Each class is a mixture of 4 Gaussian clusters in a 6-dimensional latent space, their
    centres drawn at random, so classes interleave and no hyperplane separates them. A
    latent point ``z`` becomes an image ``x = sigmoid(0.4 z A + 0.3 e)``, with a fixed random
    ``A`` of shape (6, n_features) and pixel noise ``e ~ N(0, I)``. A linear classifier
    scores far below an MLP (about 57% vs 98% test accuracy from 12000 training images); the gap
    is what the hidden layers buy.

    Parameters
    ----------
    n : int
        Number of images; labels are drawn uniformly from the classes.
    rng : Generator or int
        Draws the samples. The class geometry is the same in every call.
    n_features, n_classes : int
    dtype : np.float64 (default) or np.float32

    Shapes
    ------
    X: (n, n_features); y: (n,) in [0, n_classes).
    """
    n, rng = positive_int(n, "n"), as_generator(rng)
    n_features = positive_int(n_features, "n_features")
    n_classes = positive_int(n_classes, "n_classes")
    dtype = float_dtype(dtype)
    world = np.random.default_rng(_MNIST_LIKE_WORLD)
    centres = world.standard_normal((n_classes * _CLUSTERS_PER_CLASS, _LATENT_DIM))
    A = (world.standard_normal((_LATENT_DIM, n_features)) * (_GAIN / np.sqrt(_LATENT_DIM))).astype(dtype)
    y = rng.integers(0, n_classes, n)
    cluster = y * _CLUSTERS_PER_CLASS + rng.integers(0, _CLUSTERS_PER_CLASS, n)
    z = (centres[cluster] + _CLUSTER_STD * rng.standard_normal((n, _LATENT_DIM))).astype(dtype)
    X = rng.standard_normal((n, n_features), dtype=dtype)
    X *= _PIXEL_NOISE
    X += z @ A
    # sigmoid in place, 1 / (1 + e^(-x)): one 60000 x 784 buffer instead of four
    np.negative(X, out=X)
    np.exp(X, out=X)
    X += 1
    np.reciprocal(X, out=X)
    return X, y


# -- splitting and scaling -----------------------------------------------------------------
def train_test_split(X, y, *, test_fraction=0.25, rng):
    """Shuffle by a permutation from ``rng`` and hold out ``test_fraction`` of the rows.

    Returns
    -------
    X_train, X_test, y_train, y_test
        (scikit-learn's order). The test set has ``round(test_fraction * n)`` rows, at least
        one, and the training set keeps at least one.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows, got {_describe(X)} and {_describe(y)}")
    test_fraction = finite_float(test_fraction, "test_fraction", low=0.0, high=1.0,
                                 low_open=True, high_open=True)
    rng = as_generator(rng)
    n = len(X)
    if n < 2:
        raise ValueError(f"need at least 2 rows to split, got {n}")
    n_test = min(max(int(round(test_fraction * n)), 1), n - 1)
    order = rng.permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


# -- the lessons' fixed splits --------------------------------------------------------------
LESSON_SEED = 0


@functools.cache
def load(name: str) -> tuple:
    """``(X_train, X_val, y_train, y_val)`` of a lesson's data set; a quarter held out for validation.

    ``"moons"`` (400 points, noise 0.15) and ``"spirals"`` (450 points, 3 arms) are 2-D, so a
    decision boundary can be drawn; ``"digits"`` are the 1797 8x8 images (64 pixels in [0, 1]).
    The same seed every time: lessons 06 and 11, their tests and explorers see the same split
    (cached; treat the arrays as read-only).
    """
    rng = np.random.default_rng(LESSON_SEED)
    if name == "moons":
        X, y = moons(400, rng=rng, noise=0.15)
    elif name == "spirals":
        X, y = spirals(450, rng=rng)
    elif name == "digits":
        X, y = digits()
    else:
        raise ValueError(f"name must be 'moons', 'spirals' or 'digits', got {name!r}")
    return train_test_split(X, y, rng=rng)


def noisy_moons(n_train: int = 60, n_val: int = 200, noise: float = 0.3, *, rng=LESSON_SEED):
    """A small, noisy two-moons training set and a larger validation set from the same distribution
    (lessons 09 and 10: 60 training points, so a 64-64 ReLU net overfits them).

    Returns
    -------
    X_train (n_train, 2), X_val (n_val, 2), y_train (n_train,), y_val (n_val,)
        (the order of :func:`train_test_split`).
    """
    rng = as_generator(rng)
    X, y = moons(positive_int(n_train, "n_train") + positive_int(n_val, "n_val"), rng=rng, noise=noise)
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]


class Standardizer:
    """Shift and scale each feature to mean 0 and standard deviation 1 (fitted on training data).

    ``x' = (x - mean) / std``, with mean and std per column of the data passed to ``fit``.
    Constant columns (std 0, such as the always-blank corner pixels of ``digits``) are only
    shifted, not divided by zero.

    Shapes
    ------
    X: (n, d) -> (n, d); ``mean_`` and ``std_``: (d,).
    """

    def __init__(self):
        self.mean_ = self.std_ = None

    def fit(self, X) -> "Standardizer":
        X = float_array(X, "X", ndim=2)
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.std_ = np.where(std > 0, std, 1.0).astype(X.dtype)
        return self

    def transform(self, X) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError("Standardizer.transform called before fit: call fit(X_train) first")
        X = float_array(X, "X", ndim=2)
        if X.shape[1] != self.mean_.shape[0]:
            raise ValueError(f"X must have {self.mean_.shape[0]} columns (as in fit), got shape {X.shape}")
        return ((X - self.mean_) / self.std_).astype(X.dtype, copy=False)

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)

    def __repr__(self) -> str:
        fitted = "unfitted" if self.mean_ is None else f"n_features={self.mean_.shape[0]}"
        return f"Standardizer({fitted})"
