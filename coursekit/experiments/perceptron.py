"""The perceptron, one update at a time (deck 000 "Perceptron", deck 001 "perceptron error").

Functions: :func:`add_bias` (the bias trick), :func:`perceptron_error`, :func:`misclassified_indices`,
:func:`perceptron` (the learning algorithm, recording every update), :func:`logistic_regression`
and :func:`perceptron_runs` / :func:`perceptron_step`, what lesson 02's explorer steps through.

Labels are ``y in {-1, +1}`` as in the decks; :func:`signed_labels` converts 0/1 labels.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_generator, finite_float, float_array, positive_int
from ..datasets import blobs, xor
from ..losses import BCEWithLogitsLoss
from ..mlp import MLP
from ..optim import SGD
from ..training import fit

SEPARABLE_CENTERS = ((1.0, 3.0), (3.0, 2.0))  # two clusters away from the origin: the bias matters


def default_datasets(rng=0) -> dict:
    """The lesson's two data sets: 40 linearly separable points and the four XOR points."""
    return {"separable": blobs(40, rng=rng, centers=np.array(SEPARABLE_CENTERS), spread=0.7),
            "XOR": xor()}


def signed_labels(y) -> np.ndarray:
    """0/1 class labels -> -1/+1, the perceptron's convention."""
    y = np.asarray(y)
    if y.dtype.kind not in "biu" or not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must hold 0/1 class labels, got values {np.unique(y)[:5]}")
    return 2 * y.astype(int) - 1


def add_bias(X) -> np.ndarray:
    """The bias trick (deck 001): x~ = [1, x], so that w~^T x~ = w^T x - beta with w~ = [-beta, w].

    Shapes
    ------
    X: (n, d) -> (n, d + 1), the column of ones first.
    """
    X = float_array(X, "X", ndim=2)
    return np.column_stack([np.ones(len(X)), X])


def _check(w, X, y):
    X = float_array(X, "X", ndim=2)
    w = float_array(w, "w", ndim=1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w must have {X.shape[1]} entries (one per column of X), got {w.shape[0]}")
    y = np.asarray(y)
    if y.shape != (len(X),) or not np.isin(y, (-1, 1)).all():
        raise ValueError(f"y must be {len(X)} labels in {{-1, +1}}, got {np.unique(y)[:5]} of shape {y.shape}")
    return w, X, y


def misclassified_indices(w, X, y) -> np.ndarray:
    """Indices m with y_m w^T x_m <= 0 (a point on the boundary counts as wrong, as in deck 000)."""
    w, X, y = _check(w, X, y)
    return np.flatnonzero(y * (X @ w) <= 0)


def perceptron_error(w, X, y) -> float:
    """E_P(w) = - sum_{m in M} w^T x_m y_m over the misclassified set M (deck 001, eq. 1).

    It is >= 0, and 0 exactly when every point is on its side or on the boundary.
    """
    w, X, y = _check(w, X, y)
    margins = y * (X @ w)
    return float(np.sum(-margins[margins <= 0]))  # an empty sum is +0.0, not -0.0


@dataclass
class PerceptronRun:
    """What :func:`perceptron` did.

    Attributes
    ----------
    weights : (n_updates + 1, d) array, ``weights[k]`` is w after k updates (``weights[0] = 0``).
    picked : (n_updates,) int array, the example that caused each update.
    converged : bool, True if a whole epoch passed without an update.
    epochs : int, epochs run.
    """

    weights: np.ndarray
    picked: np.ndarray
    converged: bool
    epochs: int

    @property
    def n_updates(self) -> int:
        return len(self.picked)


def perceptron(X, y, *, lr=1.0, max_epochs=100, rng) -> PerceptronRun:
    """The perceptron learning algorithm of deck 000, recording w after every update.

    Math
    ----
    w <- 0; each epoch, in shuffled order: if y_i w^T x_i <= 0 then w <- w + r y_i x_i.
    This is stochastic gradient descent on E_P, whose gradient at x_m is -y_m x_m (deck 001).
    Stops after an epoch without updates (then every point is classified correctly) or after
    ``max_epochs``.

    Parameters
    ----------
    X : (n, d) array, already with the bias column if you want an offset (:func:`add_bias`).
    y : (n,) labels in {-1, +1}.
    lr : float > 0, the step r (with w starting at 0 it only scales w, never the boundary).
    max_epochs : int
    rng : numpy.random.Generator or int, for the shuffles.
    """
    X = float_array(X, "X", ndim=2)
    w, X, y = _check(np.zeros(X.shape[1]), X, y)
    lr = finite_float(lr, "lr", low=0.0, low_open=True)
    max_epochs, rng = positive_int(max_epochs, "max_epochs"), as_generator(rng)
    weights, picked = [w.copy()], []
    for epoch in range(1, max_epochs + 1):
        updates = 0
        for i in rng.permutation(len(X)):
            if y[i] * (X[i] @ w) <= 0:
                w = w + lr * y[i] * X[i]
                weights.append(w)
                picked.append(i)
                updates += 1
        if updates == 0:
            return PerceptronRun(np.array(weights), np.array(picked, dtype=int), True, epoch)
    return PerceptronRun(np.array(weights), np.array(picked, dtype=int), False, max_epochs)


def logistic_regression(X, y, *, epochs=500, lr=2.0, rng=0):
    """Logistic regression (deck 001): p(class 1 | x) = sigma(w^T x + b), trained by full-batch
    gradient descent on the cross-entropy. It is ``MLP([d, 1])``: one Linear layer, no hidden one.

    Returns
    -------
    (model, History) ; ``model(X)`` gives the logit w^T x + b.
    """
    X = float_array(X, "X", ndim=2)
    model = MLP([X.shape[1], 1], rng=rng)
    history = fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=lr), X, y, epochs=epochs,
                  batch_size=len(X), rng=0, progress=False)
    return model, history


def error_counts(run: PerceptronRun, X, y) -> np.ndarray:
    """Number of misclassified points after each update, shape (n_updates + 1,)."""
    return (y[None, :] * (run.weights @ np.asarray(X).T) <= 0).sum(axis=1)


@dataclass
class PerceptronData:
    """One data set with its recorded perceptron run: ``X`` (n, 2), 0/1 labels ``y``, the biased
    ``Xb`` and -1/+1 labels ``s`` the algorithm sees, the ``run`` and the error ``counts`` after
    every update."""

    X: np.ndarray
    y: np.ndarray
    Xb: np.ndarray
    s: np.ndarray
    run: PerceptronRun
    counts: np.ndarray


def perceptron_runs(datasets: dict, *, max_updates: int = 60, rng=0) -> dict:
    """Run the perceptron on every data set (name -> (X, y) with 0/1 labels) for the step slider.

    Each epoch without convergence makes at least one update, so ``max_updates`` epochs fill
    a slider of ``max_updates`` steps. The shuffles of all runs come from one generator.
    """
    if not isinstance(datasets, dict) or not datasets:
        raise TypeError(f"datasets must be a non-empty dict name -> (X, y), got {datasets!r}")
    max_updates, rng = positive_int(max_updates, "max_updates"), as_generator(rng)
    runs = {}
    for name, (X, y) in datasets.items():
        Xb, s = add_bias(X), signed_labels(y)
        run = perceptron(Xb, s, max_epochs=max_updates, rng=rng)
        runs[name] = PerceptronData(np.asarray(X, float), np.asarray(y), Xb, s, run, error_counts(run, Xb, s))
    return runs


@dataclass
class PerceptronStep:
    """The state after update ``k`` (capped at the run's last update): weights ``w``, the
    example of that update (None at k = 0), the error count, E_P and whether the run is done."""

    data: PerceptronData
    k: int
    w: np.ndarray
    picked: np.ndarray | None
    errors: int
    error: float
    converged: bool


def perceptron_step(data: PerceptronData, step: int) -> PerceptronStep:
    """What the perceptron's ``step``-th update left (the final w if it converged earlier)."""
    run = data.run
    k = min(int(step), run.n_updates)
    w = run.weights[k]
    picked = data.X[run.picked[k - 1]] if k > 0 else None
    return PerceptronStep(data, k, w, picked, int(data.counts[k]), perceptron_error(w, data.Xb, data.s),
                          bool(run.converged and k == run.n_updates))
