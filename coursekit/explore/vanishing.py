"""Views of lesson 07: the gradient each layer receives, and deck 003's deep linear chain.

The computations are :mod:`coursekit.experiments.vanishing`.
"""
from __future__ import annotations

import numpy as np

from ..activations import Sigmoid
from ..experiments.vanishing import ACTIVATIONS, INITS, chain_view, gradient_flow
from ..init import xavier_normal
from ._base import Control, Explorer, figure, static_legend, steady_limits


class GradientFlowExplorer(Explorer):
    """Depth, activation and initialisation against the gradient each layer receives.

    Controls: ``depth`` (hidden layers), ``activation``, ``init`` (scheme) and ``scale`` (a
    multiplier on the scheme's weights). Left: ||dJ/dW^l|| per layer on a log scale; middle:
    histograms of the activations of the first, middle and last hidden layer; right: the
    fraction of saturated units (f'(z) below 1 % of its maximum) per hidden layer.
    """

    DEPTH_MAX = 20
    CONTROLS = (
        Control("depth", "int", 10, min=1, max=DEPTH_MAX, step=1),
        Control("activation", "select", Sigmoid, options=tuple(ACTIVATIONS.items())),
        Control("init", "select", xavier_normal, options=tuple(INITS.items())),
        Control("scale", "log", 1.0, min=0.1, max=10.0, step=0.05, label="init scale"),
    )

    def __init__(self, *, width: int = 32, n: int = 64, rng=0):
        super().__init__(figure(figsize=(8.6, 3.3)))
        self.width, self.n, self.rng = width, n, rng
        ax_grad, ax_hist, ax_sat = self.fig.subplots(1, 3)
        layers = np.arange(1, self.DEPTH_MAX + 2)
        (self.grad_line,) = ax_grad.semilogy(layers, np.ones_like(layers, dtype=float), "o-", color="k", ms=3)
        ax_grad.set(xlabel="layer l (1 = first)", ylabel="||dJ/dW^l||", xlim=(0.5, self.DEPTH_MAX + 1.5))
        self.info = ax_grad.set_title(" ", fontsize=9)
        self.hist_lines = [ax_hist.plot([0, 1], [0, 0], drawstyle="steps-mid", label=label)[0]
                           for label in ("first hidden layer", "middle", "last hidden layer")]
        ax_hist.set(xlabel="activation a", ylabel="density")
        ax_hist.set_title("activations", fontsize=9)
        static_legend(ax_hist, "upper right", fontsize=7)
        self.ax_hist = ax_hist
        (self.sat_line,) = ax_sat.plot(layers[:-1], layers[:-1] * 0.0, "o-", color="C3", ms=3)
        ax_sat.set(xlabel="hidden layer l", ylabel="fraction", ylim=(-0.05, 1.05), xlim=(0.5, self.DEPTH_MAX + 0.5))
        ax_sat.set_title("saturated units (f' < 1% of max)", fontsize=9)
        self.ax_grad = ax_grad
        self.animate(self.grad_line, self.info, *self.hist_lines, self.sat_line)

    def compute(self, *, depth, activation, init, scale):
        return self.cached((depth, activation, init, scale), lambda: gradient_flow(
            depth, activation, init, scale, width=self.width, n=self.n, rng=self.rng))

    def draw(self, r, changed):
        g = r.grad_norms
        self.grad_line.set_data(np.arange(1, r.depth + 2), g)
        self.ax_grad.set_ylim(*steady_limits(self.ax_grad.get_ylim(), g.min(), g.max(), log=True))
        self.info.set_text(f"first / last layer: {r.first_over_last:.1e}")
        for line, (centres, density) in zip(self.hist_lines, r.histograms):
            line.set_data(centres, density)
        peak = max(density.max() for _, density in r.histograms)
        xlim = (r.low, r.high) if r.activation_range else steady_limits(self.ax_hist.get_xlim(), r.low, r.high)
        self.ax_hist.set(xlim=xlim, ylim=(0.0, steady_limits(self.ax_hist.get_ylim(), 0.0, peak)[1]))
        self.sat_line.set_data(np.arange(1, r.depth + 1), r.saturation)


class LinearChainExplorer(Explorer):
    """Deck 003's toy: y_hat = x w_1 ... w_L, one unit per layer, no non-linearity.

    Controls: ``w`` (every weight), ``L`` (length) and ``lr`` (one gradient step). Left:
    |h_l| = |x| w^l along the chain, and the norm along a chain of random w-scaled matrices;
    right: y_hat after one step against lr, the real one and the first-order prediction.
    """

    L_MAX = 50
    LRS = np.logspace(-5, -1, 200)
    CONTROLS = (
        Control("w", "float", 1.1, min=0.5, max=1.5, step=0.01),
        Control("L", "int", 20, min=1, max=L_MAX, step=1, label="layers L"),
        Control("lr", "log", 1e-3, min=1e-5, max=1e-1, step=0.1, label="step ε"),
    )

    def __init__(self):
        super().__init__(figure(figsize=(8.6, 3.4)))
        ax_chain, ax_step = self.fig.subplots(1, 2)
        steps = np.arange(self.L_MAX + 1)
        (self.scalar_line,) = ax_chain.semilogy(steps, steps + 1.0, color="k", label="scalar chain |h_l| = w^l")
        (self.matrix_line,) = ax_chain.semilogy(steps, steps + 1.0, color="C0", label="16x16 random matrices")
        ax_chain.set(xlabel="layer l", ylabel="|h_l| / |h_0|", xlim=(0, self.L_MAX))
        static_legend(ax_chain, "upper right", fontsize=7)
        self.ax_chain = ax_chain
        (self.actual_line,) = ax_step.semilogx(self.LRS, self.LRS, color="k", label="after the step")
        (self.predicted_line,) = ax_step.semilogx(self.LRS, self.LRS, "--", color="C1",
                                                  label="first order: y_hat - ε gᵀg")
        (self.step_dot,) = ax_step.plot([1e-3], [0], "o", color="C3")
        ax_step.set(xlabel="learning rate ε", ylabel="y_hat")
        static_legend(ax_step, "upper right", fontsize=7)
        self.ax_step = ax_step
        self.info = ax_step.set_title(" ", fontsize=9)
        self.animate(self.scalar_line, self.matrix_line, self.actual_line, self.predicted_line, self.step_dot,
                     self.info)

    def compute(self, *, w, L, lr):
        return chain_view(w, L, lr, self.LRS)

    def draw(self, r, changed):
        self.scalar_line.set_data(np.arange(r.L + 1), r.scalar)
        self.matrix_line.set_data(np.arange(r.L + 1), r.matrix)
        both = np.concatenate([r.scalar, r.matrix])
        self.ax_chain.set_ylim(*steady_limits(self.ax_chain.get_ylim(), both.min(), both.max(), log=True))
        self.actual_line.set_ydata(r.actual)
        self.predicted_line.set_ydata(r.predicted)
        self.step_dot.set_data([r.lr], [r.actual_at])
        top = 1.5 * abs(r.y_hat) + 0.5
        self.ax_step.set_ylim(*steady_limits(self.ax_step.get_ylim(), -top, top))
        self.info.set_text(f"one step: y_hat {r.y_hat:.3g} -> {r.actual_at:.3g} (first order: {r.predicted_at:.3g})")
