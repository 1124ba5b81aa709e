"""Autoencoders (deck 002): reconstruct the input through a narrow hidden layer.

An autoencoder is an MLP 64-k-64 trained to output its own input, so the k hidden units must
hold a dimension-reduced code of each 8x8 digit ("few hidden neurons", the first of the deck's
two strategies). The loss is coursekit's ``MSELoss`` between the output and the input; the
output unit is a sigmoid because pixels lie in [0, 1]. Lesson 11.

Functions: :func:`train_autoencoder`, :func:`reconstruction_error`, :func:`pca_errors` (the best
a *linear* code of size k can do, from the SVD), :func:`mosaic`, :func:`shown_digits`, and what
the explorer shows: :func:`curve_ks` and :func:`bottleneck_view`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import float_array, positive_int
from ..activations import Identity, ReLU, Sigmoid
from ..datasets import load
from ..losses import MSELoss
from ..mlp import MLP
from ..module import Module
from ..optim import Adam
from ..training import History, fit

#: Dropdown options: a nonlinear autoencoder, and a linear one (comparable with PCA).
VARIANTS = {"ReLU code, sigmoid output": (ReLU(), Sigmoid()), "linear (no activations)": (Identity(), None)}
SHOWN = 8   # digits shown in the reconstruction grid
CURVE_K = (2, 4, 8, 16, 32)   # bottleneck sizes of the explorer's error curve (and the current k)


def reconstruction_error(model: Module, X) -> float:
    """Squared error per pixel, the mean over examples and pixels of (x - x_hat)^2 (no 1/2).

    Note
    ----
    ``MSELoss`` (the training loss) is 1/2 the squared error summed over the 64 pixels, so it is
    32 times this number.
    """
    X = float_array(X, "X", ndim=2)
    return float(np.mean((model(X) - X) ** 2))


@dataclass
class AutoencoderRun:
    """A trained autoencoder: ``model``, ``history``, ``k`` and its per-pixel errors on the
    training and the held-out digits."""

    model: Module
    history: History
    k: int
    train_error: float
    test_error: float


def train_autoencoder(k: int, variant: str = "ReLU code, sigmoid output", *, epochs: int = 30,
                      lr: float = 0.01, batch_size: int = 64, rng=0) -> AutoencoderRun:
    """Train ``MLP([64, k, 64])`` to reconstruct the digits (training split of ``datasets.load``).

    Parameters
    ----------
    k : int
        Bottleneck size: hidden units, the length of each digit's code.
    variant : str
        A key of ``VARIANTS``: hidden activation and output activation.
    epochs, lr, batch_size : training by Adam on minibatches of the 1348 training digits.
    rng : Generator or int
        Initial weights and shuffles.

    Shapes
    ------
    input and output: (n, 64); code: (n, k).
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {list(VARIANTS)}, got {variant!r}")
    k = positive_int(k, "k")
    X, X_test, _, _ = load("digits")
    hidden, output = VARIANTS[variant]
    model = MLP([64, k, 64], hidden, output, rng=rng)
    history = fit(model, MSELoss(), Adam(model.parameters(), lr=lr), X, X, epochs=epochs,
                  batch_size=batch_size, rng=rng, progress=False)
    return AutoencoderRun(model, history, k, reconstruction_error(model, X), reconstruction_error(model, X_test))


def pca_errors(X_train, X_eval, k_max: int) -> np.ndarray:
    """Per-pixel error of the best rank-k affine reconstruction (PCA), for k = 0 ... k_max.

    x_hat = mu + V_k V_k^T (x - mu), with mu the training mean and V_k the top k right singular
    vectors of the centred training data. On the training data no linear autoencoder of code
    size k does better (Eckart-Young); k = 0 is "predict the mean digit".

    Shapes
    ------
    X_train: (n, d), X_eval: (m, d) -> (k_max + 1,).
    """
    X_train, X_eval = float_array(X_train, "X_train", ndim=2), float_array(X_eval, "X_eval", ndim=2)
    k_max = positive_int(k_max, "k_max")
    mu = X_train.mean(axis=0)
    _, _, Vt = np.linalg.svd(X_train - mu, full_matrices=False)
    coords = (X_eval - mu) @ Vt[:k_max].T                   # (m, k_max)
    # each component removes its own share of the residual: ||r_k||^2 = ||x - mu||^2 - sum_{i<=k} c_i^2
    residual = np.sum((X_eval - mu) ** 2) - np.concatenate([[0.0], np.cumsum(np.sum(coords ** 2, axis=0))])
    return residual / X_eval.size


def mosaic(rows, side: int = 8, gap: int = 1) -> np.ndarray:
    """Tile images into one array: ``rows`` is a list of (n, side * side) arrays, one per row.

    Shapes
    ------
    r rows of n images -> (r (side + gap) - gap, n (side + gap) - gap); gaps are NaN (blank).
    """
    r, n = len(rows), len(rows[0])
    out = np.full((r * (side + gap) - gap, n * (side + gap) - gap), np.nan)
    for i, images in enumerate(rows):
        for j, image in enumerate(np.asarray(images)):
            out[i * (side + gap):i * (side + gap) + side, j * (side + gap):j * (side + gap) + side] = \
                image.reshape(side, side)
    return out


def shown_digits(X, y, n: int = SHOWN) -> np.ndarray:
    """The first example of each digit 0 ... n - 1 (the explorer's top row), shape (n, 64)."""
    return np.asarray(X)[[int(np.flatnonzero(np.asarray(y) == d)[0]) for d in range(n)]]


# -- what lesson 11's explorer shows ---------------------------------------------------------
def curve_ks(k: int) -> tuple:
    """The bottleneck sizes whose held-out error the explorer's curve shows: ``CURVE_K`` and ``k``."""
    return tuple(sorted(set(CURVE_K) | {positive_int(k, "k")}))


@dataclass
class BottleneckView:
    """The autoencoder trained with bottleneck ``k`` (``run``), and the held-out error per pixel
    of the same variant at each of ``ks`` (:func:`curve_ks`)."""

    k: int
    run: AutoencoderRun
    ks: np.ndarray
    test_errors: np.ndarray


def bottleneck_view(k: int, trained: dict) -> BottleneckView:
    """``trained[j]`` is a :func:`train_autoencoder` run of one variant for every j of ``curve_ks(k)``."""
    ks = curve_ks(k)
    return BottleneckView(k, trained[k], np.array(ks), np.array([trained[j].test_error for j in ks]))
