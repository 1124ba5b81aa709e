"""View of lesson 11: the bottleneck k against held-out digits, their reconstructions and the error.

The computation is :mod:`coursekit.experiments.autoencoder`.
"""
from __future__ import annotations

import numpy as np

from ..datasets import load
from ..experiments.autoencoder import (VARIANTS, bottleneck_view, curve_ks, mosaic, pca_errors,
                                       shown_digits, train_autoencoder)
from ._base import Control, Explorer, figure


class AutoencoderExplorer(Explorer):
    """Bottleneck slider k: held-out digits and their reconstructions, and the error against k.

    Controls: ``k`` (2 ... 32, on release) and ``model`` (nonlinear or linear). Left: the top row
    shows test digits, the bottom row what the autoencoder makes of them; right: per-pixel test
    error at k = 2, 4, 8, 16, 32 and the current k (``CURVE_K``; each trained once, then kept in
    the cache), with PCA's error at each k for reference.
    """

    K_MAX = 32
    CONTROLS = (
        Control("k", "int", 8, min=2, max=K_MAX, step=1, live=False, label="bottleneck k"),
        Control("model", "select", next(iter(VARIANTS)), options=tuple((v, v) for v in VARIANTS), live=False),
    )

    def __init__(self):
        super().__init__(figure(figsize=(8.6, 3.2)))
        X, self.X_test, _, y_test = load("digits")
        self.shown = shown_digits(self.X_test, y_test)
        self.ax_img, self.ax_err = self.fig.subplots(1, 2, width_ratios=(1.3, 1))
        self.image = self.ax_img.imshow(mosaic([self.shown, self.shown]), cmap="gray_r", vmin=0, vmax=1)
        self.ax_img.set(xticks=[], yticks=[3.5, 12.5], yticklabels=["original", "reconstructed"])
        ks = np.arange(self.K_MAX + 1)
        self.pca = pca_errors(X, self.X_test, self.K_MAX)
        self.ax_err.semilogy(ks[1:], self.pca[1:], color="0.6", label="PCA (best linear code)")
        (self.trained_line,) = self.ax_err.semilogy([], [], "o-", color="C0", label="autoencoder")
        (self.current,) = self.ax_err.semilogy([], [], "o", color="C3", ms=9, label="current k")
        self.ax_err.set(xlabel="bottleneck size k", ylabel="test error per pixel")
        self.ax_err.legend(fontsize=7)
        self.title = self.ax_img.set_title(" \n ", fontsize=9)

    def compute(self, *, k, model):
        trained = {j: self.cached((model, j), lambda j=j: train_autoencoder(j, model)) for j in curve_ks(k)}
        return bottleneck_view(k, trained)

    def draw(self, r, changed):
        run = r.run
        self.image.set_data(mosaic([self.shown, run.model(self.shown)]))
        self.trained_line.set_data(r.ks, r.test_errors)
        self.current.set_data([r.k], [run.test_error])
        self.title.set_text(f"k = {r.k} numbers per digit instead of 64\n"
                            f"test error {run.test_error:.4f} per pixel (PCA {self.pca[r.k]:.4f})")
