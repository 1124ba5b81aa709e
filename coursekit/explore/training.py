"""Training a coursekit MLP by minibatch SGD: decision boundary, loss curves, epochs vs iterations.

Decks 003 (SGD, minibatches, learning rate) and 004 ("Terminology": 1 epoch is a pass over the
N examples, 1 iteration is one gradient step; batch size B gives N/B iterations per epoch, ceil
when B does not divide N). Lesson 06.

Compute (NumPy, no widgets): :func:`load` (the data sets, split once), :func:`train_mlp`
(``MLP([d, hidden, K], ReLU())`` trained with plain :class:`~coursekit.optim.SGD` and
``CrossEntropyLoss`` by :func:`coursekit.training.fit`, counting the steps it takes) and
:func:`confusion_matrix`. View: :class:`TrainingExplorer`, a training explorer (``live =
False``): its sliders react on release, and every run is cached, so going back is instant.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import AutoLocator

from .._checks import as_generator, finite_float, positive_int
from ..activations import ReLU
from ..datasets import digits, moons, spirals, train_test_split
from ..losses import CrossEntropyLoss
from ..mlp import MLP
from ..module import Module
from ..optim import SGD
from ..plotting import decision_boundary, loss_curves
from ..training import History, accuracy, fit
from ._base import Explorer, cached, figure

DATA_SEED = 0
# Epochs per data set: enough for the default settings to fit, each run well under a second.
EPOCHS = {"moons": 40, "spirals": 40, "digits": 10}
BATCH_SIZES = (8, 16, 32, 64, 128, 256)


@cache
def load(name: str) -> tuple:
    """``(X_train, X_val, y_train, y_val)`` of a data set; a quarter held out for validation.

    ``"moons"`` (400 points, noise 0.15) and ``"spirals"`` (450 points, 3 arms) are 2-D, so a
    decision boundary can be drawn; ``"digits"`` are the 1797 8x8 images (64 pixels in [0, 1]).
    The same seed every time: the lesson, the tests and the explorer see the same split.
    """
    rng = np.random.default_rng(DATA_SEED)
    if name == "moons":
        X, y = moons(400, rng=rng, noise=0.15)
    elif name == "spirals":
        X, y = spirals(450, rng=rng)
    elif name == "digits":
        X, y = digits()
    else:
        raise ValueError(f"name must be 'moons', 'spirals' or 'digits', got {name!r}")
    return train_test_split(X, y, rng=rng)


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

    @property
    def iterations_per_epoch(self) -> float:
        return self.iterations / self.epochs

    @property
    def final_loss(self) -> float:
        """Mean training loss of the last epoch (infinite if training diverged)."""
        return math.inf if self.diverged else self.history.train_loss[-1]


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
                       train_acc, val_acc, diverged)


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """``C[i, j]`` = how many examples of class i were predicted as class j.

    Shapes
    ------
    y_true, y_pred: (n,) ints in [0, n_classes) -> C: (n_classes, n_classes).
    """
    k = positive_int(n_classes, "n_classes")
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


class TrainingExplorer(Explorer):
    """Train an MLP on moons, spirals or digits; see what it predicts and its loss curves.

    Controls: ``dataset``, ``hidden`` units, learning rate ``lr`` (log scale), batch size ``B``.
    Left: the decision regions over the 2-D data, or for digits the validation confusion
    matrix; right: training and validation loss per epoch, with the epoch/iteration count.
    Every run is cached by its settings (``runs``); ``run`` is the one shown.
    """

    live = False

    def __init__(self):
        controls = {
            "dataset": widgets.Dropdown(options=["moons", "spirals", "digits"], value="moons",
                                        description="data"),
            "hidden": widgets.IntSlider(value=32, min=2, max=64, description="hidden"),
            "lr": widgets.FloatLogSlider(value=0.5, min=-3, max=1, description="lr (eps)"),
            "B": widgets.SelectionSlider(options=BATCH_SIZES, value=32, description="batch B"),
        }
        self.runs = {}
        first = self.train(**{name: c.value for name, c in controls.items()})
        fig = figure(figsize=(10, 4))
        self.ax_pred, self.ax_loss = fig.subplots(1, 2)
        X, _, y, _ = load("moons")
        self.boundary = decision_boundary(self.ax_pred, first.model, X, y, resolution=100)
        self.lines = loss_curves(self.ax_loss, first.history, log=True)
        self.shown = None   # the data set the left panel shows
        super().__init__(controls, fig)

    def train(self, *, dataset, hidden, lr, B) -> TrainingRun:
        """The run for these settings (trained on first use, then cached)."""
        return cached(self.runs, (dataset, hidden, float(lr), B), lambda: train_mlp(dataset, hidden, lr, B))

    def update(self, *, dataset, hidden, lr, B):
        self.run = run = self.train(dataset=dataset, hidden=hidden, lr=lr, B=B)
        self._show_predictions(dataset, run.model)
        for name, line in self.lines.items():   # a diverged run's last loss is inf: not drawn
            values = np.asarray(getattr(run.history, name), dtype=float)
            line.set_data(np.arange(1, values.size + 1), np.where(np.isfinite(values), values, np.nan))
        self.ax_loss.relim()
        self.ax_loss.autoscale_view()
        status = "diverged" if run.diverged else f"final training loss {run.final_loss:.3g}"
        self.ax_loss.set_title(
            f"N = {run.N}, B = {B}: {run.iterations_per_epoch:g} iterations per epoch = ceil(N/B)\n"
            f"{run.epochs} epochs = {run.iterations} iterations; {status}", fontsize=9)
        self.ax_pred.set_title(f"{dataset}, {hidden} hidden units, lr = {lr:.3g}: "
                               f"accuracy train {run.train_acc:.1%}, validation {run.val_acc:.1%}", fontsize=9)

    def _show_predictions(self, dataset, model):
        plot = self.boundary
        if dataset == "digits":
            _, X_val, _, y_val = load(dataset)
            C = confusion_matrix(y_val, model(X_val).argmax(axis=1), 10)
            plot.points.set_visible(False)
            plot.image.set_data(C)
            plot.image.set_extent((-0.5, 9.5, -0.5, 9.5))
            plot.image.set_cmap("Blues")
            plot.image.set_clim(0, C.max())
            self.ax_pred.set(xlim=(-0.5, 9.5), ylim=(9.5, -0.5), xlabel="predicted digit",
                             ylabel="true digit (validation)", xticks=range(10), yticks=range(10))
        else:
            if self.shown != dataset:
                X, _, y, _ = load(dataset)
                plot.set_data(X, y)
                plot.points.set_visible(True)
                self.ax_pred.set(xlabel="$x_1$", ylabel="$x_2$")
                for axis in (self.ax_pred.xaxis, self.ax_pred.yaxis):   # undo the digit ticks
                    axis.set_major_locator(AutoLocator())
            plot.update(model)
        self.shown = dataset
