"""View of lesson 01: fit a polynomial of degree d to n noisy points; watch train and test error.

The computation is :mod:`coursekit.experiments.learning_machines`.
"""
from __future__ import annotations

import numpy as np

from ..experiments.learning_machines import MAX_DEGREE, error_curves, polynomial_fit
from ._base import Control, Explorer, figure, static_legend, steady_limits


class PolynomialFitExplorer(Explorer):
    """Fit a polynomial of degree d to n noisy points of sin(pi x); watch train and test error."""

    CONTROLS = (
        Control("degree", "int", 3, min=0, max=MAX_DEGREE, step=1, label="degree d"),
        Control("n_train", "int", 12, min=6, max=60, step=1, label="n train"),
    )

    def __init__(self, *, rng=0, noise=0.3):
        super().__init__(figure(figsize=(8.6, 3.6)))
        self.rng, self.noise = rng, noise
        self.ax, self.ax_err = self.fig.subplots(1, 2)
        (self.test_points,) = self.ax.plot([], [], ".", color="tab:gray", alpha=0.4, label="test")
        (self.train_points,) = self.ax.plot([], [], "o", color="tab:blue", label="train")
        (self.truth,) = self.ax.plot([], [], "k:", label="sin($\\pi x$)")
        (self.fit_line,) = self.ax.plot([], [], "tab:red", lw=2, label="fit $\\hat y = w^T \\phi(x)$")
        self.ax.set(xlim=(-1, 1), ylim=(-2, 2), xlabel="x", ylabel="y")
        static_legend(self.ax, "lower right", fontsize="x-small")
        (self.train_curve,) = self.ax_err.plot([], [], "o-", label="training error")
        (self.test_curve,) = self.ax_err.plot([], [], "s-", label="test error")
        self.marker = self.ax_err.axvline(3, color="k", lw=1)
        self.ax_err.set(xlabel="degree d (capacity)", ylabel="MSE (with 1/2)", yscale="log",
                        xlim=(-0.5, MAX_DEGREE + 0.5))
        static_legend(self.ax_err, "upper center", fontsize="small")
        self.title = self.ax.set_title(" ", fontsize=9)
        self.animate(self.test_points, self.train_points, self.truth, self.fit_line, self.train_curve,
                     self.test_curve, self.marker, self.title)

    def compute(self, *, degree, n_train):
        curves = self.cached(n_train, lambda: error_curves(n_train, rng=self.rng, noise=self.noise))
        return polynomial_fit(degree, curves)

    def draw(self, r, changed):
        data, degree = r.data, r.degree
        if changed in (None, "n_train"):
            self.train_points.set_data(data.x_train[:, 0], data.y_train[:, 0])
            self.test_points.set_data(data.x_test[:, 0], data.y_test[:, 0])
            self.truth.set_data(data.x_grid[:, 0], data.y_grid[:, 0])
            self.train_curve.set_data(r.degrees, np.maximum(r.train, 1e-6))  # log axis: 0 drawn as 1e-6
            self.test_curve.set_data(r.degrees, r.test)
            self.ax_err.set_ylim(*steady_limits(self.ax_err.get_ylim(), 1e-6, max(r.test.max(), 1.0), log=True))
        self.fit_line.set_data(data.x_grid[:, 0], r.y_fit)
        self.marker.set_xdata([degree, degree])
        self.title.set_text(f"d = {degree}: train error {r.train[degree]:.3f}, test error {r.test[degree]:.3f}")
