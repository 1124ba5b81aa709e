"""View of lesson 06: train an MLP on moons, spirals or digits; see what it predicts and its losses.

The computation is :mod:`coursekit.experiments.training`.
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import AutoLocator

from ..datasets import load
from ..experiments.training import BATCH_SIZES, train_mlp
from ..plotting import decision_boundary, loss_curves
from ._base import Control, Explorer, figure


class TrainingExplorer(Explorer):
    """Train an MLP on moons, spirals or digits; see what it predicts and its loss curves.

    Controls: ``dataset``, ``hidden`` units, learning rate ``lr`` (log scale), batch size ``B``,
    each on release (a change trains). Left: the decision regions over the 2-D data, or for
    digits the validation confusion matrix; right: training and validation loss per epoch,
    with the epoch/iteration count. Every run is kept in the bounded cache; ``result`` is the
    :class:`~coursekit.experiments.training.TrainingRun` shown.
    """

    CONTROLS = (
        Control("dataset", "select", "moons", options=tuple((n, n) for n in ("moons", "spirals", "digits")),
                live=False, label="data"),
        Control("hidden", "int", 32, min=2, max=64, step=1, live=False),
        Control("lr", "log", 0.5, min=5e-4, max=5.0, step=0.1, live=False, label="lr (eps)"),   # 0.5 on the grid
        Control("B", "choice", 32, options=tuple((str(b), b) for b in BATCH_SIZES), live=False, label="batch B"),
    )

    def __init__(self):
        super().__init__(figure(figsize=(8.6, 3.8)))
        self.ax_pred, self.ax_loss = self.fig.subplots(1, 2)
        X, _, y, _ = load("moons")
        self.boundary = decision_boundary(self.ax_pred, lambda P: np.zeros((len(P), 2)), X, y, resolution=100)
        self.lines = None
        self.loss_title = self.ax_loss.set_title(" \n ", fontsize=8)
        self.pred_title = self.ax_pred.set_title(" \n ", fontsize=8)

    def compute(self, *, dataset, hidden, lr, B):
        return self.cached((dataset, hidden, float(lr), B), lambda: train_mlp(dataset, hidden, lr, B))

    def draw(self, run, changed):
        values = self.values
        self._show_predictions(run, changed)
        if self.lines is None:
            self.lines = loss_curves(self.ax_loss, run.history, log=True)
        for name, line in self.lines.items():   # a diverged run's last loss is inf: not drawn
            curve = np.asarray(getattr(run.history, name), dtype=float)
            line.set_data(np.arange(1, curve.size + 1), np.where(np.isfinite(curve), curve, np.nan))
        self.ax_loss.relim()
        self.ax_loss.autoscale_view()
        status = "diverged" if run.diverged else f"final training loss {run.final_loss:.3g}"
        self.loss_title.set_text(
            f"N = {run.N}, B = {run.batch_size}: {run.iterations_per_epoch:g} iterations per epoch = ceil(N/B)\n"
            f"{run.epochs} epochs = {run.iterations} iterations; {status}")
        self.pred_title.set_text(f"{run.dataset}, {values['hidden']} hidden units, lr = {values['lr']:.3g}\n"
                                 f"accuracy train {run.train_acc:.1%}, validation {run.val_acc:.1%}")

    def _show_predictions(self, run, changed):
        plot = self.boundary
        if run.dataset == "digits":
            C = run.confusion()
            plot.points.set_visible(False)
            plot.contour.set_segments([])
            plot.image.set_data(C)
            plot.image.set_extent((-0.5, 9.5, -0.5, 9.5))
            plot.image.set_cmap("Blues")
            plot.image.set_clim(0, C.max())
            self.ax_pred.set(xlim=(-0.5, 9.5), ylim=(9.5, -0.5), xlabel="predicted digit",
                             ylabel="true digit (validation)", xticks=range(10), yticks=range(10))
            return
        if changed in (None, "dataset"):
            X, _, y, _ = load(run.dataset)
            plot.set_data(X, y)
            plot.points.set_visible(True)
            self.ax_pred.set(xlabel="$x_1$", ylabel="$x_2$")
            for axis in (self.ax_pred.xaxis, self.ax_pred.yaxis):   # undo the digit ticks
                axis.set_major_locator(AutoLocator())
        plot.update(run.model)
