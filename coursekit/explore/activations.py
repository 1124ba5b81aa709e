"""Views of lesson 03: activations and their derivatives, softmax temperature, output gradients.

The computations are :mod:`coursekit.experiments.activations`; these explorers only draw them.
"""
from __future__ import annotations

import numpy as np

from ..experiments.activations import (ACTIVATIONS, DEFAULT_LOGITS, Z_RANGE, activation_at, output_gradients_at,
                                       temperature)
from ._base import Control, Explorer, figure, static_legend


class ActivationExplorer(Explorer):
    """Pick an activation; see f, f' with the tangent at z0, and where f' is (nearly) zero."""

    CONTROLS = (
        Control("activation", "select", ACTIVATIONS["sigmoid"], options=tuple(ACTIVATIONS.items()), label="f"),
        Control("z0", "float", 1.0, min=-Z_RANGE, max=Z_RANGE, step=0.1),
        Control("tol", "log", 1e-3, min=1e-6, max=1e-1, step=0.1, label="|f'| <"),
    )

    def __init__(self):
        super().__init__(figure(figsize=(8.6, 3.4)))
        self.z = np.linspace(-Z_RANGE, Z_RANGE, 401)
        self.ax_f, self.ax_d = self.fig.subplots(1, 2, sharex=True)
        (self.f_line,) = self.ax_f.plot(self.z, self.z, label="f(z)")
        (self.tangent,) = self.ax_f.plot([], [], "--", color="tab:gray", label="tangent at z0")
        (self.point,) = self.ax_f.plot([], [], "ko")
        (self.d_line,) = self.ax_d.plot(self.z, self.z, color="tab:orange", label="f'(z)")
        (self.flat,) = self.ax_d.plot(self.z, self.z, color="tab:red", lw=6, alpha=0.4,
                                      label="saturated: |f'| < tol")
        (self.d_point,) = self.ax_d.plot([], [], "ko")
        self.ax_f.set(xlabel="z", title="activation f(z)")
        self.ax_d.set(xlabel="z")
        self.d_title = self.ax_d.set_title(" ")
        static_legend(self.ax_f, "upper left", fontsize="small")
        static_legend(self.ax_d, "upper left", fontsize="small")
        self.animate(self.f_line, self.tangent, self.point, self.d_line, self.flat, self.d_point, self.d_title)

    def compute(self, *, activation, z0, tol):
        return activation_at(activation, self.z, z0, tol)

    def draw(self, r, changed):
        self.f_line.set_ydata(r.f)
        self.d_line.set_ydata(r.f_prime)
        self.flat.set_ydata(r.flat)
        self.point.set_data([r.z0], [r.f0])
        self.d_point.set_data([r.z0], [r.d0])
        self.tangent.set_data(r.z, r.tangent)
        self.ax_f.set_ylim(r.f.min() - 0.3, r.f.max() + 0.3)
        self.ax_d.set_ylim(min(r.f_prime.min(), 0) - 0.1, r.f_prime.max() + 0.1)
        self.d_title.set_text(f"derivative f'(z); f'({r.z0:.1f}) = {r.d0:.3g}")


class TemperatureExplorer(Explorer):
    """Bars of softmax(z / T) for fixed logits z and a temperature slider (log scale)."""

    CONTROLS = (Control("T", "log", 1.0, min=10 ** -1.5, max=10 ** 1.5, step=0.1),)

    def __init__(self, z=DEFAULT_LOGITS):
        super().__init__(figure(figsize=(5, 3.2)))
        self.z = np.asarray(z, dtype=float)
        self.ax = self.fig.subplots()
        k = len(self.z)
        self.bars = self.ax.bar(np.arange(k), np.zeros(k), color="tab:blue")
        # ticks and labels below the bars in drawing order (they do not overlap), so a frame keeps them
        self.ax.set_axisbelow(True)
        self.ax.axhline(1 / k, color="tab:gray", ls=":", label="uniform 1/K")
        self.ax.set(xticks=np.arange(k), xticklabels=[f"z={v:g}" for v in self.z], ylim=(0, 1.05),
                    ylabel="p = softmax(z / T)")
        static_legend(self.ax, "upper right")
        self.title = self.ax.set_title(" ")
        self.animate(*self.bars, self.title)

    def compute(self, *, T):
        return temperature(self.z, T)

    def draw(self, r, changed):
        for bar, height in zip(self.bars, r.p):
            bar.set_height(height)
        self.title.set_text(f"T = {r.T:.3g}: max p = {r.p.max():.3f}")


class OutputGradientExplorer(Explorer):
    """|dJ/dz| under MSE and cross-entropy for a sigmoid or softmax output whose target is 1."""

    CONTROLS = (
        Control("output", "select", "sigmoid", options=(("sigmoid", "sigmoid"), ("softmax", "softmax"))),
        Control("z0", "float", -4.0, min=-10.0, max=10.0, step=0.1),
    )

    def __init__(self, z_range=10.0):
        super().__init__(figure(figsize=(6, 3.4)))
        self.z = np.linspace(-z_range, z_range, 401)
        self.ax = self.fig.subplots()
        (self.mse,) = self.ax.plot(self.z, self.z, label=r"MSE $\frac{1}{2}\|a - t\|^2$")
        (self.ce,) = self.ax.plot(self.z, self.z, label=r"cross-entropy $-\sum_k t_k \log a_k$")
        (self.marks,) = self.ax.plot([], [], "ko")
        self.ax.set(xlabel="z (logit of the correct class)", ylabel="|dJ/dz|", ylim=(-0.05, 1.1))
        static_legend(self.ax, "upper right", fontsize="small")
        self.title = self.ax.set_title(" ", fontsize=9)
        self.animate(self.mse, self.ce, self.marks, self.title)

    def compute(self, *, output, z0):
        return output_gradients_at(output, self.z, z0)

    def draw(self, r, changed):
        self.mse.set_ydata(r.mse)
        self.ce.set_ydata(r.ce)
        self.marks.set_data([r.z0, r.z0], [r.mse_at, r.ce_at])
        self.title.set_text(f"z0 = {r.z0:.1f}: |dJ/dz| MSE {r.mse_at:.2e}, CE {r.ce_at:.2e}")
