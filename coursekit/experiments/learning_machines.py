"""Learning machines (deck 000): linear regression with MSE, capacity, under- and overfitting.

Polynomial regression is linear regression ``y_hat = w^T phi(x)`` on the features
``phi(x) = (1, x, x^2, ..., x^d)``: the degree d is the model's capacity. Functions:
:func:`polynomial_features`, :func:`fit_least_squares`, :func:`mse`, :func:`make_data`,
:func:`error_vs_degree`, :func:`select_degree` and :func:`polynomial_fit` (what lesson 01's
explorer shows for one degree and training-set size).

Note
----
Errors are coursekit's :class:`~coursekit.losses.MSELoss`, J = (1/n) sum 1/2 (y_hat - y)^2,
which keeps the 1/2 of decks 001/002. Deck 000 writes MSE_train = (1/m) sum (y_hat - y)^2,
twice our number; the minimiser w, and every comparison between models, are the same.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_generator, float_array, positive_int
from ..datasets import regression_1d, sine, train_test_split
from ..losses import MSELoss

MAX_DEGREE = 12


def polynomial_features(x, degree: int) -> np.ndarray:
    """phi(x) = (1, x, x^2, ..., x^d): the constant column is the bias trick.

    Shapes
    ------
    x: (n,) or (n, 1) -> (n, degree + 1).
    """
    x = float_array(x, "x").reshape(-1)
    if not isinstance(degree, (int, np.integer)) or isinstance(degree, bool) or degree < 0:
        raise ValueError(f"degree must be an int >= 0, got {degree!r}")
    return x[:, None] ** np.arange(degree + 1)


def fit_least_squares(Phi, y) -> np.ndarray:
    """The w minimising the MSE: the solution of the normal equations Phi^T Phi w = Phi^T y.

    Solved by ``numpy.linalg.lstsq`` (an SVD), which also gives the smallest-norm w when there
    are more parameters than points.

    Shapes
    ------
    Phi: (n, p), y: (n, 1) -> w: (p, 1).
    """
    return np.linalg.lstsq(float_array(Phi, "Phi", ndim=2), float_array(y, "y", ndim=2), rcond=None)[0]


def mse(y_hat, y) -> float:
    """coursekit's MSELoss, (1/n) sum 1/2 (y_hat - y)^2 (see the module Note)."""
    return MSELoss()(y_hat, y)


@dataclass
class RegressionData:
    """Training points, test points and the noise-free target on a grid (for drawing)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    x_grid: np.ndarray
    y_grid: np.ndarray


def make_data(n_train=12, *, rng=0, noise=0.3, n_test=200, target=sine) -> RegressionData:
    """y = target(x) + noise, x uniform on [-1, 1]; a small training set and a large test set."""
    rng = as_generator(rng)
    x_train, y_train = regression_1d(target, positive_int(n_train, "n_train"), rng=rng, noise=noise)
    x_test, y_test = regression_1d(target, positive_int(n_test, "n_test"), rng=rng, noise=noise)
    x_grid = np.linspace(-1, 1, 200).reshape(-1, 1)
    return RegressionData(x_train, y_train, x_test, y_test, x_grid, target(x_grid))


def error_vs_degree(data: RegressionData, degrees) -> tuple[np.ndarray, np.ndarray]:
    """Training and test error of the least-squares polynomial of each degree (deck 000, Fig. 5.3).

    Returns
    -------
    train, test : arrays of shape (len(degrees),)
    """
    train, test = [], []
    for d in degrees:
        w = fit_least_squares(polynomial_features(data.x_train, d), data.y_train)
        train.append(mse(polynomial_features(data.x_train, d) @ w, data.y_train))
        test.append(mse(polynomial_features(data.x_test, d) @ w, data.y_test))
    return np.array(train), np.array(test)


def select_degree(x, y, degrees, *, val_fraction=0.3, rng=0) -> tuple[int, np.ndarray]:
    """Choose the degree (a hyperparameter) on a validation set held out of the training data.

    The test set is never looked at: fit on the rest, measure the error on the validation part,
    keep the degree with the smallest validation error (deck 000, "validation set").

    Returns
    -------
    best_degree, validation_errors (one per degree)
    """
    x_fit, x_val, y_fit, y_val = train_test_split(x, y, test_fraction=val_fraction, rng=rng)
    split = RegressionData(x_fit, y_fit, x_val, y_val, x_val, y_val)
    _, val = error_vs_degree(split, degrees)
    return int(np.asarray(degrees)[np.argmin(val)]), val


@dataclass
class PolynomialFit:
    """The least-squares polynomial of one degree, and the error curves over every degree.

    ``train`` and ``test`` hold the errors of degrees ``degrees``; ``y_fit`` is the fit on
    ``data.x_grid``.
    """

    data: RegressionData
    degrees: np.ndarray
    train: np.ndarray
    test: np.ndarray
    degree: int
    w: np.ndarray
    y_fit: np.ndarray


def error_curves(n_train: int, *, rng=0, noise=0.3, max_degree: int = MAX_DEGREE):
    """``(data, degrees, train errors, test errors)`` for ``n_train`` points (what the degree slider reuses)."""
    data = make_data(n_train, rng=rng, noise=noise)
    degrees = np.arange(max_degree + 1)
    return (data, degrees, *error_vs_degree(data, degrees))


def polynomial_fit(degree: int, curves) -> PolynomialFit:
    """The fit of ``degree`` on the data of ``curves`` (from :func:`error_curves`)."""
    data, degrees, train, test = curves
    w = fit_least_squares(polynomial_features(data.x_train, degree), data.y_train)
    return PolynomialFit(data, degrees, train, test, degree, w, (polynomial_features(data.x_grid, degree) @ w)[:, 0])
