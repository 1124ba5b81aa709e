"""Regularization you can watch: dropout, L1 and L2 penalties, early stopping, batch norm (deck 003).

Every explorer here trains small networks with :func:`coursekit.training.fit` on one small,
noisy two-moons problem (60 training points, so a 64-64 ReLU net overfits it) and reads the
:class:`~coursekit.training.History` it returns. Runs take well under a second and are cached
per setting, so a slider position that was trained once redraws at once.

Compute functions (NumPy, no widgets): :func:`noisy_moons`, :func:`build_mlp`,
:func:`train_dropout`, :func:`train_penalized`, :func:`weight_vector`,
:func:`train_for_early_stopping`, :func:`stopping_point`, :func:`train_deep_sigmoid` and
:func:`dropout_masks`. Views: :class:`DropoutExplorer`, :class:`PenaltyExplorer`,
:class:`EarlyStoppingExplorer`, :class:`BatchNormExplorer`.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._checks import as_generator, finite_float, positive_int
from ..activations import ReLU, Sigmoid, softmax
from ..batchnorm import BatchNorm1d
from ..datasets import moons
from ..init import he_normal, xavier_uniform
from ..layers import Linear
from ..losses import CrossEntropyLoss
from ..module import Module, Sequential
from ..optim import SGD, Adam
from ..plotting import decision_boundary
from ..regularization import Dropout, EarlyStopping, L2Penalty, ProximalL1, weight_parameters
from ..training import fit
from ._base import Explorer, cached, figure

# One seed per source of randomness: data, initial weights, minibatch order, dropout masks.
DATA_SEED, INIT_SEED, BATCH_SEED, MASK_SEED = 0, 1, 2, 3
HIDDEN = [64, 64]
BATCH_SIZE = 20


# -- compute: data and models --------------------------------------------------------------
def noisy_moons(n_train: int = 60, n_val: int = 200, noise: float = 0.3, *, rng=DATA_SEED):
    """A small, noisy two-moons training set and a larger validation set from the same distribution.

    Returns
    -------
    (X_train (n_train, 2), y_train (n_train,), X_val (n_val, 2), y_val (n_val,))
    """
    rng = as_generator(rng)
    X, y = moons(positive_int(n_train, "n_train") + positive_int(n_val, "n_val"), rng=rng, noise=noise)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def build_mlp(sizes, activation, *, rng, init=None, dropout=None, mask_rng=MASK_SEED,
              batch_norm: bool = False) -> Sequential:
    """An MLP ``Linear -> [BatchNorm1d] -> activation -> [Dropout(p)]`` per hidden layer, then Linear.

    Parameters
    ----------
    sizes : list of int
        ``[n_inputs, hidden..., n_outputs]``.
    activation : type
        Activation class, e.g. ``ReLU`` (one instance per layer).
    rng : Generator or int
        Initial weights, drawn layer by layer exactly as :class:`coursekit.mlp.MLP` draws them.
    init : initialiser, optional
        He for ReLU, Glorot otherwise (MLP's defaults).
    dropout : float or None
        Drop probability p of a Dropout after every hidden activation (None: no Dropout layers;
        0.0 keeps the layers, which then pass everything through).
    mask_rng : Generator or int
        The Dropout layers' masks (separate from ``rng``, so p does not change the weights).
    batch_norm : bool
        Insert BatchNorm1d between each hidden Linear and its activation (deck 003).
    """
    rng, mask_rng = as_generator(rng), as_generator(mask_rng, "mask_rng")
    init = init or (he_normal if activation is ReLU else xavier_uniform)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, rng=rng, init=init))
        if i < len(sizes) - 2:
            if batch_norm:
                layers.append(BatchNorm1d(n_out))
            layers.append(activation())
            if dropout is not None:
                layers.append(Dropout(dropout, rng=mask_rng))
    return Sequential(*layers)


def _fit(model, optimizer, data, epochs, **kwargs):
    X, y, X_val, y_val = data
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
    model = build_mlp([2, *HIDDEN, 2], ReLU, rng=INIT_SEED, dropout=p)
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
    model = build_mlp([2, *HIDDEN, 2], ReLU, rng=INIT_SEED)
    sgd = SGD(model.parameters(), lr=0.1, momentum=0.9)
    if kind == "L2":
        return model, _fit(model, sgd, data, epochs, penalty=L2Penalty(lam))
    if kind == "L1":
        return model, _fit(model, ProximalL1(sgd, model, lam), data, epochs)
    raise ValueError(f"kind must be 'L1' or 'L2', got {kind!r}")


# -- compute: early stopping ---------------------------------------------------------------
def train_for_early_stopping(data, *, epochs: int = 150, **fit_kwargs):
    """The 2-64-64-2 ReLU net, no regularization, trained with Adam (eps = 0.01) for ``epochs``.

    The validation loss falls, then rises as the net fits the training noise. ``fit_kwargs``
    go to :func:`~coursekit.training.fit` (e.g. ``early_stopping=``). Returns ``(model, history)``.
    """
    model = build_mlp([2, *HIDDEN, 2], ReLU, rng=INIT_SEED)
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
    model = build_mlp([2] + [width] * depth + [2], Sigmoid, rng=INIT_SEED, batch_norm=batch_norm)
    return model, _fit(model, SGD(model.parameters(), lr=0.1, momentum=0.9), data, epochs)


# -- views ---------------------------------------------------------------------------------
def _probability_of_class_1(model):
    return lambda X: softmax(model(X))[:, 1]


def _boundary(ax, data):
    """An empty decision-boundary plot of the training data; ``update(model)`` fills it."""
    return decision_boundary(ax, lambda P: np.full(len(P), 0.5), data[0], data[1], resolution=80)


class _TrainingExplorer(Explorer):
    """Shared by the explorers that train: the data and a cache of runs (``live = False``: the
    base makes the sliders fire on release)."""

    live = False

    def __init__(self, controls, fig, data):
        self.data = data
        self._cache = {}
        super().__init__(controls, fig)

    def result(self, train, *args):
        """``train(*args, self.data)``, computed once per ``args``."""
        return cached(self._cache, (train.__name__, *args), lambda: train(*args, self.data))


def _curve_axes(ax, title):
    (train,) = ax.plot([], [], color="C0", label="training loss")
    (val,) = ax.plot([], [], color="C1", label="validation loss")
    ax.set(xlabel="epoch", ylabel="cross-entropy", title=title)
    return train, val


def _set_curves(lines, history, ax):
    epochs = np.arange(1, history.epochs_run + 1)
    for line, values in zip(lines, (history.train_loss, history.val_loss)):
        line.set_data(epochs, values)
    ax.relim()
    ax.autoscale_view()


class DropoutExplorer(_TrainingExplorer):
    """Dropout's p against the training and validation curves, the boundary and the masks.

    Left: loss curves for the chosen p, with p = 0 (no dropout) in grey; middle: the decision
    boundary (eval mode, dropout off); right: which hidden units the first Dropout layer
    dropped (black) for 16 examples in one training step.
    """

    N_MASK = 16

    def __init__(self, data=None):
        controls = {"p": widgets.FloatSlider(value=0.5, min=0.0, max=0.8, step=0.1,
                                             description="drop p")}
        fig = figure(figsize=(13, 3.6))
        ax_curves, ax_boundary, ax_mask = fig.subplots(1, 3, width_ratios=[1.2, 1, 1.2])
        self.ax_curves = ax_curves
        (self.ref_train,) = ax_curves.plot([], [], color="0.6", lw=1, label="p = 0: training")
        (self.ref_val,) = ax_curves.plot([], [], color="0.6", lw=1, ls="--", label="p = 0: validation")
        self.curves = _curve_axes(ax_curves, "")
        ax_curves.legend(fontsize=7)
        data = noisy_moons() if data is None else data
        self.boundary = _boundary(ax_boundary, data)
        self.mask_image = ax_mask.imshow(np.ones((self.N_MASK, HIDDEN[0])), cmap="gray", vmin=0, vmax=1,
                                         aspect="auto", interpolation="nearest")
        ax_mask.set(xlabel="hidden unit of layer 1", ylabel="example in the minibatch")
        self.mask_title = ax_mask.set_title("")
        super().__init__(controls, fig, data)

    def update(self, *, p) -> None:
        ref_model, ref = self.result(train_dropout, 0.0)
        epochs = np.arange(1, ref.epochs_run + 1)
        self.ref_train.set_data(epochs, ref.train_loss)
        self.ref_val.set_data(epochs, ref.val_loss)
        model, history = self.result(train_dropout, p)
        _set_curves(self.curves, history, self.ax_curves)
        self.ax_curves.set_title(f"p = {p:.1f}: final validation loss {history.val_loss[-1]:.3f} "
                                 f"(p = 0: {ref.val_loss[-1]:.3f})", fontsize=9)
        self.boundary.update(_probability_of_class_1(model))
        mask = dropout_masks(model, self.data[0][:self.N_MASK])[0]
        self.mask_image.set_data(mask.astype(float))
        self.mask_title.set_text(f"dropped units (black): {1 - mask.mean():.0%} of {mask.size}")


class PenaltyExplorer(_TrainingExplorer):
    """L1 or L2 strength lam against the weights and the decision boundary.

    Left: the decision boundary; right: all weights sorted by value, with the count of exact
    zeros (L1's proximal step makes them) and the norm ||W|| (L2 shrinks it).
    """

    KINDS = {"L2 (weight decay)": "L2", "L1 (proximal step)": "L1"}

    def __init__(self, data=None):
        controls = {
            "kind": widgets.Dropdown(options=self.KINDS, value="L1", description="penalty"),
            "lam": widgets.FloatLogSlider(value=3e-3, base=10, min=-4, max=-1, step=0.25,
                                          description="λ"),
        }
        fig = figure(figsize=(10, 3.8))
        ax_boundary, ax_weights = fig.subplots(1, 2)
        data = noisy_moons() if data is None else data
        self.boundary = _boundary(ax_boundary, data)
        self.boundary_title = ax_boundary.set_title("", fontsize=9)
        n = sum(a * b for a, b in zip([2, *HIDDEN], [*HIDDEN, 2]))
        (self.weights_line,) = ax_weights.plot(np.arange(n), np.zeros(n), ".", ms=2, color="k")
        ax_weights.axhline(0, color="0.7", lw=0.8)
        ax_weights.set(xlabel="weights, sorted by value", ylabel="w")
        self.ax_weights, self.weights_title = ax_weights, ax_weights.set_title("", fontsize=9)
        super().__init__(controls, fig, data)

    def update(self, *, kind, lam) -> None:
        model, history = self.result(train_penalized, kind, lam)
        w = np.sort(weight_vector(model))
        self.weights_line.set_ydata(w)
        span = max(float(np.abs(w).max()), 1e-3)
        self.ax_weights.set_ylim(-1.1 * span, 1.1 * span)
        self.weights_title.set_text(f"{kind}, λ = {lam:.1e}: {np.count_nonzero(w == 0)} of {w.size} "
                                    f"exactly 0, ||W|| = {np.linalg.norm(w):.2f}")
        self.boundary.update(_probability_of_class_1(model))
        self.boundary_title.set_text(f"validation loss {history.val_loss[-1]:.3f}, "
                                     f"accuracy {history.val_acc[-1]:.0%}")


class EarlyStoppingExplorer(Explorer):
    """Patience against where early stopping ends: one training run, replayed for each patience.

    The run is trained once (at construction); moving the patience slider only replays
    :class:`EarlyStopping` over its recorded validation curve, so this explorer is live.
    """

    def __init__(self, data=None):
        self.data = noisy_moons() if data is None else data
        self.model, self.history = train_for_early_stopping(self.data)
        controls = {"patience": widgets.IntSlider(value=10, min=1, max=40, description="patience")}
        fig = figure(figsize=(8, 3.6))
        ax = fig.subplots()
        self.curves = _curve_axes(ax, "")
        _set_curves(self.curves, self.history, ax)
        self.stop_line = ax.axvline(0, color="k", ls=":", label="stopped")
        (self.best_dot,) = ax.plot([], [], "o", color="C3", ms=8, label="restored (best) epoch")
        # fades the part of the curve that a stopped run never reaches
        (self.after_line,) = ax.plot([], [], color="white", alpha=0.7, lw=4)
        ax.legend(fontsize=7, loc="upper center")
        self.ax, self.title = ax, ax.set_title("", fontsize=9)
        super().__init__(controls, fig)

    def update(self, *, patience) -> None:
        val = self.history.val_loss
        stop, best = stopping_point(val, patience, self.model)
        last = len(val) - 1 if stop is None else stop
        # epochs are drawn 1-based, as in the loss curves
        self.stop_line.set_xdata([last + 1] * 2)
        self.best_dot.set_data([best + 1], [val[best]])
        self.after_line.set_data(np.arange(last + 2, len(val) + 1), val[last + 1:])
        when = "never stops" if stop is None else f"stops after epoch {stop + 1}"
        self.title.set_text(f"patience {patience}: {when}, restores epoch {best + 1} "
                            f"(validation loss {val[best]:.3f})")


class BatchNormExplorer(_TrainingExplorer):
    """A deep sigmoid net with and without BatchNorm1d: loss curves and decision boundary.

    Both nets are trained for each depth (cached); the checkbox picks which one's boundary is
    shown and which curve is drawn bold.
    """

    def __init__(self, data=None):
        controls = {
            "depth": widgets.IntSlider(value=6, min=4, max=8, description="hidden layers"),
            "batch_norm": widgets.Checkbox(value=True, description="batch norm"),
        }
        fig = figure(figsize=(10, 3.8))
        ax_curves, ax_boundary = fig.subplots(1, 2)
        (self.plain_line,) = ax_curves.plot([], [], color="C0", label="without batch norm")
        (self.bn_line,) = ax_curves.plot([], [], color="C2", label="with BatchNorm1d")
        ax_curves.axhline(np.log(2), color="0.6", ls=":", lw=1, label="ln 2 (chance)")
        ax_curves.set(xlabel="epoch", ylabel="training loss")
        ax_curves.legend(fontsize=7)
        self.ax_curves = ax_curves
        data = noisy_moons() if data is None else data
        self.boundary = _boundary(ax_boundary, data)
        self.boundary_title = ax_boundary.set_title("", fontsize=9)
        super().__init__(controls, fig, data)

    def update(self, *, depth, batch_norm) -> None:
        runs = {bn: self.result(train_deep_sigmoid, depth, bn) for bn in (False, True)}
        for bn, line in ((False, self.plain_line), (True, self.bn_line)):
            history = runs[bn][1]
            line.set_data(np.arange(1, history.epochs_run + 1), history.train_loss)
            line.set_linewidth(2.5 if bn == batch_norm else 1.0)
        self.ax_curves.relim()
        self.ax_curves.autoscale_view()
        model, history = runs[batch_norm]
        self.boundary.update(_probability_of_class_1(model))
        self.boundary_title.set_text(f"{depth} sigmoid layers, {'with' if batch_norm else 'without'} "
                                     f"batch norm: training loss {history.train_loss[-1]:.3f}")
