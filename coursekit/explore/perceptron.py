"""View of lesson 02: step through the perceptron's updates on a data set of your choice.

The computation is :mod:`coursekit.experiments.perceptron`.
"""
from __future__ import annotations

import numpy as np

from .._checks import positive_int
from ..experiments.perceptron import add_bias, default_datasets, perceptron_runs, perceptron_step
from ..plotting import decision_boundary
from ._base import Control, Explorer, figure


class PerceptronExplorer(Explorer):
    """Step through the perceptron's updates on a data set of your choice.

    Parameters
    ----------
    datasets : dict name -> (X, y), default :func:`~coursekit.experiments.perceptron.default_datasets`
        2-D data with 0/1 labels; the bias column is added here.
    max_updates : int
        Range of the step slider; a run that converged earlier stays at its final w.
    rng : seed of the shuffles.
    """

    CONTROLS = (
        Control("data", "select", "separable", options=(("separable", "separable"), ("XOR", "XOR"))),
        Control("step", "int", 10, min=0, max=60, step=1, label="update k"),
    )

    def __init__(self, datasets: dict | None = None, *, max_updates=60, rng=0):
        datasets = default_datasets() if datasets is None else datasets
        self.runs = perceptron_runs(datasets, max_updates=max_updates, rng=rng)
        max_updates = positive_int(max_updates, "max_updates")
        names = list(self.runs)
        super().__init__(figure(figsize=(8.6, 3.6)), controls=(
            Control("data", "select", names[0], options=tuple((n, n) for n in names)),
            Control("step", "int", min(10, max_updates), min=0, max=max_updates, step=1, label="update k")))
        self.ax, self.ax_err = self.fig.subplots(1, 2)
        first = self.runs[names[0]]
        self.boundary = decision_boundary(self.ax, lambda P: np.zeros(len(P)), first.X, first.y,
                                          threshold=0.0, resolution=100)
        # ticks and labels below the scores image in drawing order (they do not overlap: the image
        # fills the axes box, the ticks point out of it), so a frame keeps them
        self.ax.set_axisbelow(True)
        self.boundary.image.set_zorder(0.75)
        (self.picked,) = self.ax.plot([], [], "o", ms=16, mfc="none", mec="k", mew=2,
                                      label="point of this update")
        (self.count_line,) = self.ax_err.plot([], [], "-", drawstyle="steps-post",
                                              label="misclassified points")
        (self.count_now,) = self.ax_err.plot([], [], "ko")
        self.ax_err.set(xlabel="update k", ylabel="misclassified points", xlim=(0, max_updates))
        self.title = self.ax.set_title(" ", fontsize=9)
        self.animate(self.boundary.image, self.boundary.contour, self.boundary.points, self.picked,
                     self.count_line, self.count_now, self.title)

    def compute(self, *, data, step):
        return perceptron_step(self.runs[data], step)

    def draw(self, r, changed):
        d, w = r.data, r.w
        if changed in (None, "data"):
            self.boundary.set_data(d.X, d.y)
            self.count_line.set_data(np.arange(len(d.counts)), d.counts)
            self.ax_err.set_ylim(-0.5, max(d.counts.max(), 1) + 0.5)
        self.boundary.update(lambda P: add_bias(P) @ w)
        self.picked.set_data(*(r.picked[:, None] if r.picked is not None else ([], [])))
        self.count_now.set_data([r.k], [r.errors])
        status = "converged" if r.converged else f"{r.errors} wrong"
        self.title.set_text(f"$\\tilde w$ = [{w[0]:.1f}, {w[1]:.2f}, {w[2]:.2f}], E_P = {r.error:.2f}, {status}")
