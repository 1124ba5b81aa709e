"""Views of lessons 09 (batch norm) and 10 (dropout, L1 and L2 penalties, early stopping), as you watch.

The computations are :mod:`coursekit.experiments.regularization`; the data is
:func:`coursekit.datasets.noisy_moons`. Runs are kept in each explorer's bounded cache, so a
slider position that was trained once redraws at once.
"""
from __future__ import annotations

import numpy as np

from ..activations import softmax
from ..datasets import noisy_moons
from ..experiments.regularization import (HIDDEN, BatchNormView, dropout_view, early_stopping_view,
                                          penalty_view, train_deep_sigmoid, train_dropout,
                                          train_for_early_stopping, train_penalized)
from ..plotting import decision_boundary
from ._base import Control, Explorer, figure, static_legend


def _probability_of_class_1(model):
    return lambda X: softmax(model(X))[:, 1]


def _boundary(ax, data):
    """An empty decision-boundary plot of the training data; ``update(model)`` fills it."""
    return decision_boundary(ax, lambda P: np.full(len(P), 0.5), data[0], data[2], resolution=80)


def _curve_axes(ax, title):
    (train,) = ax.plot([], [], color="C0", label="training loss")
    (val,) = ax.plot([], [], color="C1", label="validation loss")
    ax.set(xlabel="epoch", ylabel="cross-entropy")
    ax.set_title(title, fontsize=9)
    return train, val


def _set_curves(lines, history, ax):
    epochs = np.arange(1, history.epochs_run + 1)
    for line, values in zip(lines, (history.train_loss, history.val_loss)):
        line.set_data(epochs, values)
    ax.relim()
    ax.autoscale_view()


class DropoutExplorer(Explorer):
    """Dropout's p against the training and validation curves, the boundary and the masks.

    Left: loss curves for the chosen p, with p = 0 (no dropout) in grey; middle: the decision
    boundary (eval mode, dropout off); right: which hidden units the first Dropout layer
    dropped (black) for 16 examples in one training step.
    """

    N_MASK = 16
    CONTROLS = (Control("p", "float", 0.5, min=0.0, max=0.8, step=0.1, live=False, label="drop p"),)

    def __init__(self, data=None):
        super().__init__(figure(figsize=(8.6, 3.2)))
        self.data = noisy_moons() if data is None else data
        ax_curves, ax_boundary, ax_mask = self.fig.subplots(1, 3, width_ratios=[1.2, 1, 1.2])
        self.ax_curves = ax_curves
        (self.ref_train,) = ax_curves.plot([], [], color="0.6", lw=1, label="p = 0: training")
        (self.ref_val,) = ax_curves.plot([], [], color="0.6", lw=1, ls="--", label="p = 0: validation")
        self.curves = _curve_axes(ax_curves, " ")
        ax_curves.legend(fontsize=6)
        self.boundary = _boundary(ax_boundary, self.data)
        self.mask_image = ax_mask.imshow(np.ones((self.N_MASK, HIDDEN[0])), cmap="gray", vmin=0, vmax=1,
                                         aspect="auto", interpolation="nearest")
        ax_mask.set(xlabel="hidden unit of layer 1", ylabel="example")
        self.mask_title = ax_mask.set_title(" ", fontsize=8)

    def compute(self, *, p):
        trained = {q: self.cached(("dropout", q), lambda q=q: train_dropout(q, self.data)) for q in {0.0, p}}
        return dropout_view(p, self.data, trained, n_mask=self.N_MASK)

    def draw(self, r, changed):
        epochs = np.arange(1, r.reference.epochs_run + 1)
        self.ref_train.set_data(epochs, r.reference.train_loss)
        self.ref_val.set_data(epochs, r.reference.val_loss)
        _set_curves(self.curves, r.history, self.ax_curves)
        self.ax_curves.set_title(f"p = {r.p:.1f}: validation {r.history.val_loss[-1]:.3f}\n"
                                 f"(p = 0: {r.reference.val_loss[-1]:.3f})", fontsize=8)
        self.boundary.update(_probability_of_class_1(r.model))
        self.mask_image.set_data(r.mask.astype(float))
        self.mask_title.set_text(f"dropped (black): {1 - r.mask.mean():.0%} of {r.mask.size}")


class PenaltyExplorer(Explorer):
    """L1 or L2 strength lam against the weights and the decision boundary.

    Left: the decision boundary; right: all weights sorted by value, with the count of exact
    zeros (L1's proximal step makes them) and the norm ||W|| (L2 shrinks it).
    """

    CONTROLS = (
        Control("kind", "select", "L1", options=(("L2 (weight decay)", "L2"), ("L1 (proximal step)", "L1")),
                live=False, label="penalty"),
        Control("lam", "log", 3e-3, min=3e-3 / 10 ** 1.5, max=3e-3 * 10 ** 1.5, step=0.25, live=False, label="λ"),
    )

    def __init__(self, data=None):
        super().__init__(figure(figsize=(8.6, 3.6)))
        self.data = noisy_moons() if data is None else data
        ax_boundary, ax_weights = self.fig.subplots(1, 2)
        self.boundary = _boundary(ax_boundary, self.data)
        self.boundary_title = ax_boundary.set_title(" ", fontsize=9)
        n = sum(a * b for a, b in zip([2, *HIDDEN], [*HIDDEN, 2]))
        (self.weights_line,) = ax_weights.plot(np.arange(n), np.zeros(n), ".", ms=2, color="k")
        ax_weights.axhline(0, color="0.7", lw=0.8)
        ax_weights.set(xlabel="weights, sorted by value", ylabel="w")
        self.ax_weights, self.weights_title = ax_weights, ax_weights.set_title(" ", fontsize=9)

    def compute(self, *, kind, lam):
        return penalty_view(kind, lam, self.cached((kind, lam), lambda: train_penalized(kind, lam, self.data)))

    def draw(self, r, changed):
        self.weights_line.set_ydata(r.weights)
        span = max(float(np.abs(r.weights).max()), 1e-3)
        self.ax_weights.set_ylim(-1.1 * span, 1.1 * span)
        self.weights_title.set_text(f"{r.kind}, λ = {r.lam:.1e}: {r.zeros} of {r.weights.size} "
                                    f"exactly 0, ||W|| = {r.norm:.2f}")
        self.boundary.update(_probability_of_class_1(r.model))
        self.boundary_title.set_text(f"validation loss {r.history.val_loss[-1]:.3f}, "
                                     f"accuracy {r.history.val_acc[-1]:.0%}")


class EarlyStoppingExplorer(Explorer):
    """Patience against where early stopping ends: one training run, replayed for each patience.

    The run is trained once (at construction); moving the patience slider only replays
    :class:`~coursekit.regularization.EarlyStopping` over its recorded validation curve, so
    this explorer is live.
    """

    CONTROLS = (Control("patience", "int", 10, min=1, max=40, step=1),)

    def __init__(self, data=None):
        super().__init__(figure(figsize=(7, 3.4)))
        self.data = noisy_moons() if data is None else data
        self.model, self.history = train_for_early_stopping(self.data)
        ax = self.fig.subplots()
        self.curves = _curve_axes(ax, " ")
        _set_curves(self.curves, self.history, ax)
        self.stop_line = ax.axvline(0, color="k", ls=":", label="stopped")
        (self.best_dot,) = ax.plot([], [], "o", color="C3", ms=8, label="restored (best) epoch")
        # fades the part of the curve that a stopped run never reaches
        (self.after_line,) = ax.plot([], [], color="white", alpha=0.7, lw=4)
        static_legend(ax, "upper center", fontsize=7)
        self.ax, self.title = ax, ax.title
        self.animate(self.stop_line, self.best_dot, self.after_line, self.title)

    def compute(self, *, patience):
        return early_stopping_view(patience, self.model, self.history)

    def draw(self, r, changed):
        val = r.val_loss
        # epochs are drawn 1-based, as in the loss curves
        self.stop_line.set_xdata([r.last + 1] * 2)
        self.best_dot.set_data([r.best + 1], [val[r.best]])
        self.after_line.set_data(np.arange(r.last + 2, len(val) + 1), val[r.last + 1:])
        when = "never stops" if r.stop is None else f"stops after epoch {r.stop + 1}"
        self.title.set_text(f"patience {r.patience}: {when}, restores epoch {r.best + 1} "
                            f"(validation loss {val[r.best]:.3f})")


class BatchNormExplorer(Explorer):
    """A deep sigmoid net with and without BatchNorm1d: loss curves and decision boundary.

    Both nets are trained for each depth (cached); the checkbox picks which one's boundary is
    shown and which curve is drawn bold.
    """

    CONTROLS = (
        Control("depth", "int", 6, min=4, max=8, step=1, live=False, label="hidden layers"),
        Control("batch_norm", "check", True, label="batch norm"),
    )

    def __init__(self, data=None):
        super().__init__(figure(figsize=(8.6, 3.6)))
        self.data = noisy_moons() if data is None else data
        ax_curves, ax_boundary = self.fig.subplots(1, 2)
        (self.plain_line,) = ax_curves.plot([], [], color="C0", label="without batch norm")
        (self.bn_line,) = ax_curves.plot([], [], color="C2", label="with BatchNorm1d")
        ax_curves.axhline(np.log(2), color="0.6", ls=":", lw=1, label="ln 2 (chance)")
        ax_curves.set(xlabel="epoch", ylabel="training loss")
        static_legend(ax_curves, "upper right", fontsize=7)
        self.ax_curves = ax_curves
        self.boundary = _boundary(ax_boundary, self.data)
        self.boundary_title = ax_boundary.set_title(" ", fontsize=9)
        # the checkbox moves no limit: its frames blit the curves, the boundary and the title
        self.animate(self.plain_line, self.bn_line, self.boundary.image, self.boundary.contour, self.boundary_title)

    def compute(self, *, depth, batch_norm):
        runs = {bn: self.cached((depth, bn), lambda bn=bn: train_deep_sigmoid(depth, bn, self.data))
                for bn in (False, True)}
        return BatchNormView(depth, batch_norm, runs)

    def draw(self, r, changed):
        for bn, line in ((False, self.plain_line), (True, self.bn_line)):
            history = r.runs[bn][1]
            line.set_data(np.arange(1, history.epochs_run + 1), history.train_loss)
            line.set_linewidth(2.5 if bn == r.batch_norm else 1.0)
        self.ax_curves.relim()
        self.ax_curves.autoscale_view()
        self.boundary.update(_probability_of_class_1(r.model))
        self.boundary_title.set_text(f"{r.depth} sigmoid layers, {'with' if r.batch_norm else 'without'} "
                                     f"batch norm: training loss {r.history.train_loss[-1]:.3f}")
