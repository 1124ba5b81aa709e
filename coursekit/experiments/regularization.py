"""Regularization you can watch: dropout, L1 and L2 penalties, early stopping, batch norm (deck 003).

Lessons 09 and 10 train small networks with :func:`coursekit.training.fit` on one small, noisy
two-moons problem (:func:`coursekit.datasets.noisy_moons`: 60 training points, so a 64-64
ReLU net overfits it) and reads the :class:`~coursekit.training.History` it returns. Each run
takes well under a second. ``data`` is ``(X_train, X_val, y_train, y_val)``.

Functions: :func:`train_dropout`, :func:`train_penalized`, :func:`fit_line`, :func:`weight_vector`,
:func:`train_for_early_stopping`, :func:`stopping_point`, :func:`train_deep_sigmoid`,
:func:`dropout_masks`, and what the explorers show: :func:`dropout_view`, :func:`penalty_view`,
:func:`early_stopping_view`, :func:`batch_norm_view`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import finite_float, float_array, positive_int
from ..activations import ReLU, Sigmoid
from ..layers import Linear
from ..losses import CrossEntropyLoss, MSELoss
from ..mlp import MLP
from ..module import Module, Sequential
from ..optim import SGD, Adam
from ..regularization import Dropout, EarlyStopping, L2Penalty, ProximalL1, weight_parameters
from ..training import History, fit

# One seed per source of randomness: initial weights, minibatch order, dropout masks (the data's
# is coursekit.datasets.noisy_moons').
INIT_SEED, BATCH_SEED, MASK_SEED = 1, 2, 3
HIDDEN = [64, 64]
BATCH_SIZE = 20


# -- the lesson's networks ------------------------------------------------------------------
def _net(sizes, activation, **kwargs) -> MLP:
    return MLP(sizes, activation, rng=INIT_SEED, mask_rng=MASK_SEED, **kwargs)


def _fit(model, optimizer, data, epochs, **kwargs):
    X, X_val, y, y_val = data
    return fit(model, CrossEntropyLoss(), optimizer, X, y, epochs=epochs, batch_size=BATCH_SIZE,
               rng=BATCH_SEED, validation=(X_val, y_val), progress=False, **kwargs)


def weight_vector(model: Module) -> np.ndarray:
    """Every weight-matrix entry of ``model`` in one vector (biases, gamma, beta left out)."""
    return np.concatenate([W.data.ravel() for W in weight_parameters(model)])


# -- compute: dropout ----------------------------------------------------------------------
def train_dropout(p: float, data, *, epochs: int = 150):
    """A 2-64-64-2 ReLU net with Dropout(p) after each hidden layer, trained with Adam (eps = 0.01).

    Returns ``(model, history)``; the model is in eval mode (dropout off).
    """
    model = _net([2, *HIDDEN, 2], ReLU(), dropout=p)
    return model, _fit(model, Adam(model.parameters(), lr=0.01), data, epochs)


def dropout_masks(model: Sequential, X) -> list[np.ndarray]:
    """The keep-masks of each Dropout layer for one training-mode forward pass of ``X``.

    Shapes
    ------
    X: (m, d) -> one bool array (m, units) per Dropout layer (False = dropped).
    """
    model.train()
    try:
        model(X)
        return [layer.mask for layer in model.layers if isinstance(layer, Dropout)]
    finally:
        model.eval()


# -- compute: weight penalties -------------------------------------------------------------
def train_penalized(kind: str, lam: float, data, *, epochs: int = 150):
    """The 2-64-64-2 ReLU net trained with SGD (eps = 0.1, alpha = 0.9) and an L1 or L2 penalty.

    ``kind="L2"`` adds ``lam/2 ||W||^2`` to the loss (:class:`L2Penalty`, gradient ``lam W``);
    ``kind="L1"`` takes :class:`ProximalL1` steps for ``lam ||W||_1``. Returns ``(model, history)``.
    """
    lam = finite_float(lam, "lam", low=0.0)
    model = _net([2, *HIDDEN, 2], ReLU())
    sgd = SGD(model.parameters(), lr=0.1, momentum=0.9)
    if kind == "L2":
        return model, _fit(model, sgd, data, epochs, penalty=L2Penalty(lam))
    if kind == "L1":
        return model, _fit(model, ProximalL1(sgd, model, lam), data, epochs)
    raise ValueError(f"kind must be 'L1' or 'L2', got {kind!r}")


def fit_line(x, t, lam: float, *, penalize_bias: bool, steps: int = 500, lr: float = 0.5) -> Linear:
    """A line ``t ~ w x + b`` (a ``Linear(1, 1)``) fitted by full-batch gradient descent with an L2 penalty.

    ``penalize_bias=False`` minimises deck 002's ``J = (1/m) sum 1/2 (w x + b - t)^2 + lam/2 w^2``
    (:class:`L2Penalty`: weights only); ``True`` adds ``lam/2 b^2`` as well (``SGD(weight_decay=lam)``
    decays every parameter it is given, the bias included).

    Shapes
    ------
    x, t: (m,) -> the trained layer; ``W.data`` (1, 1) is w, ``b.data`` (1,) is b.
    """
    lam = finite_float(lam, "lam", low=0.0)
    x, t = float_array(x, "x", ndim=1), float_array(t, "t", ndim=1)
    line = Linear(1, 1, rng=INIT_SEED)
    sgd = SGD(line.parameters(), lr=lr, weight_decay=lam if penalize_bias else 0.0)
    fit(line, MSELoss(), sgd, x[:, None], t[:, None], epochs=positive_int(steps, "steps"), batch_size=len(x),
        rng=BATCH_SEED, penalty=None if penalize_bias else L2Penalty(lam), progress=False)
    return line


# -- compute: early stopping ---------------------------------------------------------------
def train_for_early_stopping(data, *, epochs: int = 150, **fit_kwargs):
    """The 2-64-64-2 ReLU net, no regularization, trained with Adam (eps = 0.01) for ``epochs``.

    The validation loss falls, then rises as the net fits the training noise. ``fit_kwargs``
    go to :func:`~coursekit.training.fit` (e.g. ``early_stopping=``). Returns ``(model, history)``.
    """
    model = _net([2, *HIDDEN, 2], ReLU())
    return model, _fit(model, Adam(model.parameters(), lr=0.01), data, epochs, **fit_kwargs)


def stopping_point(val_loss, patience: int, model: Module):
    """Replay :class:`EarlyStopping` over a recorded validation curve.

    Returns ``(stop_epoch, best_epoch)``, 0-based: the epoch after which training would have
    stopped (None if it never stops) and the epoch whose weights it would restore. Because
    training is deterministic, a run with ``fit(..., early_stopping=EarlyStopping(patience))``
    follows the same curve and stops at the same epoch. ``model`` only lends its parameter
    shapes to the snapshots (``restore_best=False`` leaves it untouched).
    """
    stopper = EarlyStopping(patience, restore_best=False)
    for epoch, loss in enumerate(val_loss):
        if stopper.step(float(loss), model):
            return epoch, stopper.best_epoch
    return None, stopper.best_epoch


# -- compute: batch normalization ----------------------------------------------------------
def train_deep_sigmoid(depth: int, batch_norm: bool, data, *, width: int = 32, epochs: int = 60):
    """A deep sigmoid net (``depth`` hidden layers of ``width``), with or without BatchNorm1d.

    Trained with SGD (eps = 0.1, alpha = 0.9), Glorot initialisation. Without batch norm the
    gradient reaching the first layers shrinks by up to 4 per sigmoid layer (lesson 07) and the
    loss stays near ln 2 (chance) for many epochs. Returns ``(model, history)``.
    """
    depth, width = positive_int(depth, "depth"), positive_int(width, "width")
    model = _net([2] + [width] * depth + [2], Sigmoid(), batch_norm=batch_norm)
    return model, _fit(model, SGD(model.parameters(), lr=0.1, momentum=0.9), data, epochs)


# -- what the explorers of lessons 09 and 10 show-----------------------------------------------------
@dataclass
class DropoutView:
    """The net trained with drop probability ``p`` and the reference without dropout, and the
    keep-masks of the first Dropout layer for the first training examples (False = dropped)."""

    p: float
    model: Module
    history: History
    reference: History
    mask: np.ndarray


def dropout_view(p: float, data, trained: dict, *, n_mask: int = 16) -> DropoutView:
    """``trained[p]`` and ``trained[0.0]`` are :func:`train_dropout` runs on ``data``."""
    model, history = trained[p]
    return DropoutView(p, model, history, trained[0.0][1], dropout_masks(model, data[0][:n_mask])[0])


@dataclass
class PenaltyView:
    """The net trained with one penalty: its weights sorted, how many are exactly 0, and ||W||."""

    kind: str
    lam: float
    model: Module
    history: History
    weights: np.ndarray
    zeros: int
    norm: float


def penalty_view(kind: str, lam: float, trained) -> PenaltyView:
    """``trained`` is :func:`train_penalized`'s ``(model, history)`` for ``kind`` and ``lam``."""
    model, history = trained
    w = np.sort(weight_vector(model))
    return PenaltyView(kind, float(lam), model, history, w, int(np.count_nonzero(w == 0)), float(np.linalg.norm(w)))


@dataclass
class EarlyStoppingView:
    """Where early stopping with ``patience`` ends on a recorded run (epochs 0-based; ``stop`` None:
    it never stops, and ``last`` is then the final epoch)."""

    patience: int
    val_loss: list
    stop: int | None
    best: int
    last: int


def early_stopping_view(patience: int, model: Module, history: History) -> EarlyStoppingView:
    """:func:`stopping_point` over ``history.val_loss``."""
    val = history.val_loss
    stop, best = stopping_point(val, patience, model)
    return EarlyStoppingView(patience, val, stop, best, len(val) - 1 if stop is None else stop)


@dataclass
class BatchNormView:
    """The deep sigmoid net of ``depth`` layers trained with and without batch norm (``runs[bn]``
    is ``(model, history)``); ``batch_norm`` picks the one shown."""

    depth: int
    batch_norm: bool
    runs: dict

    @property
    def model(self) -> Module:
        return self.runs[self.batch_norm][0]

    @property
    def history(self) -> History:
        return self.runs[self.batch_norm][1]
