"""Training a coursekit MLP by minibatch SGD: decision boundary, loss curves, epochs vs iterations.

Decks 003 (SGD, minibatches, learning rate) and 004 ("Terminology": 1 epoch is a pass over the
N examples, 1 iteration is one gradient step; batch size B gives N/B iterations per epoch, ceil
when B does not divide N). Lesson 06.

Functions: :func:`train_mlp` (``MLP([d, hidden, K], ReLU())`` trained with plain
:class:`~coursekit.optim.SGD` and ``CrossEntropyLoss`` by :func:`coursekit.training.fit` on a
data set of :func:`coursekit.datasets.load`, counting the steps it takes) and
:func:`confusion_matrix`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._checks import as_generator, finite_float, positive_int
from ..activations import ReLU
from ..datasets import load
from ..losses import CrossEntropyLoss
from ..mlp import MLP
from ..module import Module
from ..optim import SGD
from ..training import History, accuracy, fit, predict

# Epochs per data set: enough for the default settings to fit, each run well under a second.
EPOCHS = {"moons": 40, "spirals": 40, "digits": 10}
BATCH_SIZES = (8, 16, 32, 64, 128, 256)


@dataclass
class TrainingRun:
    """What one training run produced.

    Attributes: ``model``, ``history`` (per-epoch losses and accuracies), ``N`` training
    examples, ``batch_size`` B, ``epochs``, ``iterations`` (gradient steps counted during
    the run), ``train_acc`` / ``val_acc`` (after training, eval mode), ``diverged`` (the loss
    became infinite or NaN; the history then stops at that epoch).
    """

    model: Module
    history: History
    N: int
    batch_size: int
    epochs: int
    iterations: int
    train_acc: float
    val_acc: float
    diverged: bool
    dataset: str = ""

    @property
    def iterations_per_epoch(self) -> float:
        return self.iterations / self.epochs

    @property
    def final_loss(self) -> float:
        """Mean training loss of the last epoch (infinite if training diverged)."""
        return math.inf if self.diverged else self.history.train_loss[-1]

    def confusion(self) -> np.ndarray:
        """The confusion matrix of the model's predictions on the validation split of ``dataset``."""
        _, X_val, _, y_val = load(self.dataset)
        return confusion_matrix(y_val, predict(self.model, X_val, CrossEntropyLoss()), int(y_val.max()) + 1)


def train_mlp(dataset: str, hidden: int, lr: float, batch_size: int, *, epochs: int | None = None,
              rng=0) -> TrainingRun:
    """Train ``MLP([d, hidden, K], ReLU())`` with SGD and cross-entropy on a data set of :func:`load`.

    Parameters
    ----------
    dataset : "moons", "spirals" or "digits"
    hidden : int
        Hidden units.
    lr : float > 0
        SGD's learning rate epsilon: theta <- theta - epsilon g.
    batch_size : int
        B; each epoch takes ceil(N / B) steps.
    epochs : int, optional
        Passes over the data; default ``EPOCHS[dataset]``.
    rng : Generator or int
        Initial weights and the per-epoch shuffles.

    Note
    ----
    A learning rate that is too large makes the loss overflow; ``fit`` then stops with a
    ``FloatingPointError``, which is caught here and reported as ``diverged``.
    """
    X, X_val, y, y_val = load(dataset)
    hidden, batch_size = positive_int(hidden, "hidden"), positive_int(batch_size, "batch_size")
    lr = finite_float(lr, "lr", low=0.0, low_open=True)
    epochs = EPOCHS[dataset] if epochs is None else positive_int(epochs, "epochs")
    rng = as_generator(rng)
    loss = CrossEntropyLoss()
    model = MLP([X.shape[1], hidden, int(y.max()) + 1], ReLU(), rng=rng)
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):   # a diverging run is a result, not a warning
        try:
            history = fit(model, loss, SGD(model.parameters(), lr=lr), X, y, epochs=epochs,
                          batch_size=batch_size, rng=rng, validation=(X_val, y_val), progress=False)
        except FloatingPointError as err:
            history, diverged = err.history, True
        train_acc, val_acc = accuracy(model, X, y, loss), accuracy(model, X_val, y_val, loss)
    return TrainingRun(model, history, len(X), batch_size, history.epochs_run, history.iterations,
                       train_acc, val_acc, diverged, dataset)


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """``C[i, j]`` = how many examples of class i were predicted as class j.

    Shapes
    ------
    y_true, y_pred: (n,) ints in [0, n_classes) -> C: (n_classes, n_classes).
    """
    k = positive_int(n_classes, "n_classes")
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
