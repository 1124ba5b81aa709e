"""Views of lesson 04: the decks' computational graphs with sliders on their inputs.

Each explorer draws its graph once and writes the numbers into its text artists (forward
value in green, gradient in red, as in the deck). The computations, with the three-way check
against SymPy and finite differences, are :mod:`coursekit.symbolic.passes`.
"""
from __future__ import annotations

import numpy as np

from .. import symbolic
from ..symbolic import backprop
from ..symbolic.passes import (BETA_EXAMPLE, OMEGA_EXAMPLE, W1_EXAMPLE, W2_EXAMPLE, W_DECK, GradientCheck,
                               add_multiply_pass, check_text, checked_pass, composite_pass, squared_norm_pass,
                               two_two_one_pass)
from ._base import Control, Explorer, figure

GREEN, RED = "tab:green", "tab:red"


class GraphExplorer(Explorer):
    """A computational graph with sliders on its inputs; values in green, gradients in red.

    Subclasses set ``NODES`` (name -> (x, y, label) in axes coordinates), ``EDGES`` (pairs of
    names), ``CONTROLS`` and ``derivation`` / ``numeric_fn``, and implement
    ``graph_pass(**values) -> GraphPass`` and ``derivation_args(**values)``. ``result`` is the
    GraphPass with its three-way check (``result.check``).
    """

    NODES: dict = {}
    EDGES: tuple = ()
    FIGSIZE = (8.6, 3.6)

    def __init__(self):
        super().__init__(figure(figsize=self.FIGSIZE, layout=None))   # fixed positions: no layout engine
        self.derivation = type(self).make_derivation()
        self.checker = GradientCheck(self.derivation, type(self).numeric_fn)
        fig = self.fig
        ax = fig.subplots()
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.92)
        ax.set(xlim=(0, 1), ylim=(-0.3, 1.0))  # the text block sits below the graph
        ax.axis("off")
        # The static graph (title, arrows, nodes) comes before the numbers in drawing order (the title
        # below them in z-order: nothing overlaps it), so it stays in the kept background of a frame.
        ax.set_title("forward value (green) above each node; gradient of the output with respect to it "
                     "(red) below", fontsize=9, zorder=2)
        for a, b in self.EDGES:
            (xa, ya, _), (xb, yb, _) = self.NODES[a], self.NODES[b]
            ax.annotate("", xy=(xb, yb), xytext=(xa, ya),
                        arrowprops=dict(arrowstyle="->", color="0.5", shrinkA=14, shrinkB=14))
        for x, y, label in self.NODES.values():
            ax.text(x, y, label, ha="center", va="center", fontsize=11,
                    bbox=dict(boxstyle="circle", fc="white", ec="k"))
        self.value_texts, self.grad_texts = {}, {}
        for name, (x, y, label) in self.NODES.items():
            self.value_texts[name] = ax.text(x, y + 0.09, "", ha="center", color=GREEN, fontsize=9)
            self.grad_texts[name] = ax.text(x, y - 0.11, "", ha="center", va="top", color=RED, fontsize=9)
        self.info = ax.text(0.0, -0.3, "", fontsize=8, va="bottom", family="monospace")
        self.ax = ax
        self.animate(*self.value_texts.values(), *self.grad_texts.values(), self.info)

    def compute(self, **values):
        return checked_pass(self.graph_pass(**values), self.checker, *self.derivation_args(**values))

    def draw(self, r, changed):
        for name in self.NODES:
            self.value_texts[name].set_text(f"{r.forward[name]:.4g}")
            self.grad_texts[name].set_text(f"{r.backward[name]:.4g}")
        self.info.set_text(self.info_text() + "\n" + check_text(r.check))

    def info_text(self) -> str:
        """Extra lines under the graph (parameter gradients)."""
        return ""


class AddMultiplyExplorer(GraphExplorer):
    """f = (x + y) z (deck 003): at x = -2, y = 5, z = -4 the deck's f = -12, gradients (-4, -4, 3)."""

    NODES = {"x": (0.08, 0.8, "$x$"), "y": (0.08, 0.45, "$y$"), "z": (0.4, 0.3, "$z$"),
             "q": (0.4, 0.65, "$+$"), "f": (0.75, 0.5, r"$\times$")}
    EDGES = (("x", "q"), ("y", "q"), ("q", "f"), ("z", "f"))
    CONTROLS = (Control("x", "float", -2.0, min=-10.0, max=10.0, step=0.5),
                Control("y", "float", 5.0, min=-10.0, max=10.0, step=0.5),
                Control("z", "float", -4.0, min=-10.0, max=10.0, step=0.5))
    FIGSIZE = (8, 3.2)
    make_derivation = staticmethod(symbolic.add_multiply_graph_derivation)
    numeric_fn = staticmethod(backprop.add_multiply_graph)

    def graph_pass(self, *, x, y, z):
        return add_multiply_pass(x, y, z)

    def derivation_args(self, *, x, y, z):
        return x, y, z

    def info_text(self):
        r = self.result
        return (f"q = x + y = {r.forward['q']:.4g}, f = q z = {r.forward['f']:.4g};  "
                f"df/dx = {r.backward['x']:.4g}, df/dy = {r.backward['y']:.4g}, df/dz = {r.backward['z']:.4g}")


class SquaredNormExplorer(GraphExplorer):
    """f = ||W x||^2 with deck 003's W; sliders for x_1, x_2 (at x = (0.2, 0.4), f = 0.116)."""

    NODES = {"x1": (0.08, 0.75, "$x_1$"), "x2": (0.08, 0.4, "$x_2$"),
             "q1": (0.45, 0.75, "$q_1$"), "q2": (0.45, 0.4, "$q_2$"), "f": (0.8, 0.58, "$f$")}
    EDGES = (("x1", "q1"), ("x1", "q2"), ("x2", "q1"), ("x2", "q2"), ("q1", "f"), ("q2", "f"))
    CONTROLS = (Control("x1", "float", 0.2, min=-1.0, max=1.0, step=0.05),
                Control("x2", "float", 0.4, min=-1.0, max=1.0, step=0.05))
    make_derivation = staticmethod(symbolic.squared_norm_Wx_derivation)
    numeric_fn = staticmethod(backprop.squared_norm_Wx)

    def graph_pass(self, *, x1, x2):
        return squared_norm_pass(x1, x2)

    def derivation_args(self, *, x1, x2):
        return W_DECK, np.array([x1, x2])

    def info_text(self):
        g = self.result.params["grad_W"]
        return (f"q = W x, f = q1^2 + q2^2 = {self.result.forward['f']:.4g};  W = {W_DECK.tolist()}\n"
                f"grad_W f = 2 q x^T = [[{g[0, 0]:.4g}, {g[0, 1]:.4g}], [{g[1, 0]:.4g}, {g[1, 1]:.4g}]]")


class TwoTwoOneExplorer(GraphExplorer):
    """Deck 001's 2-2-1 sigmoid net with fixed weights; sliders for x_1, x_2 and the target y."""

    NODES = {"x1": (0.05, 0.78, "$x_1$"), "x2": (0.05, 0.42, "$x_2$"),
             "s1": (0.27, 0.78, "$s_1$"), "s2": (0.27, 0.42, "$s_2$"),
             "h1": (0.47, 0.78, "$h_1$"), "h2": (0.47, 0.42, "$h_2$"),
             "y_hat": (0.68, 0.6, r"$\hat{y}$"), "y": (0.68, 0.25, "$y$"), "E": (0.9, 0.42, "$E$")}
    EDGES = (("x1", "s1"), ("x1", "s2"), ("x2", "s1"), ("x2", "s2"), ("s1", "h1"), ("s2", "h2"),
             ("h1", "y_hat"), ("h2", "y_hat"), ("y_hat", "E"), ("y", "E"))
    CONTROLS = (Control("x1", "float", 1.0, min=-2.0, max=2.0, step=0.1),
                Control("x2", "float", -0.5, min=-2.0, max=2.0, step=0.1),
                Control("y", "float", 0.5, min=-1.0, max=1.0, step=0.05))
    FIGSIZE = (8.6, 3.8)
    make_derivation = staticmethod(symbolic.two_two_one_network_derivation)
    numeric_fn = staticmethod(backprop.two_two_one_network)

    def graph_pass(self, *, x1, x2, y):
        return two_two_one_pass(x1, x2, y)

    def derivation_args(self, *, x1, x2, y):
        return np.array([x1, x2]), W1_EXAMPLE, W2_EXAMPLE, y

    def info_text(self):
        g = self.result.params
        return (f"dE/dw11(1) = (y_hat - y) w1(2) sigma'(s1) x1 = {g['W1'][0, 0]:.4g};  "
                f"dE/dW(1) = {np.round(g['W1'], 4).tolist()};  dE/dw(2) = {np.round(g['w2'], 4).tolist()}")


class CompositeExplorer(GraphExplorer):
    """Deck 004's sin-exp-cos toy with fixed beta, omega; sliders for x and the target y."""

    NODES = {"x": (0.03, 0.6, "$x$"), "f0": (0.14, 0.6, "$f_0$"), "h1": (0.25, 0.6, "$h_1$"),
             "f1": (0.36, 0.6, "$f_1$"), "h2": (0.47, 0.6, "$h_2$"), "f2": (0.58, 0.6, "$f_2$"),
             "h3": (0.69, 0.6, "$h_3$"), "f3": (0.8, 0.6, "$f_3$"), "y": (0.8, 0.25, "$y$"),
             "l": (0.95, 0.45, r"$\ell$")}
    EDGES = (("x", "f0"), ("f0", "h1"), ("h1", "f1"), ("f1", "h2"), ("h2", "f2"), ("f2", "h3"),
             ("h3", "f3"), ("f3", "l"), ("y", "l"))
    CONTROLS = (Control("x", "float", 2.3, min=-3.0, max=3.0, step=0.1),
                Control("y", "float", 2.0, min=-2.0, max=4.0, step=0.1))
    FIGSIZE = (8.6, 3.6)
    make_derivation = staticmethod(symbolic.composite_backprop_derivation)
    numeric_fn = staticmethod(backprop.composite_backprop)

    def graph_pass(self, *, x, y):
        return composite_pass(x, y)

    def derivation_args(self, *, x, y):
        return x, y, BETA_EXAMPLE, OMEGA_EXAMPLE

    def info_text(self):
        g = self.result.params
        return (f"beta = {BETA_EXAMPLE.tolist()}, omega = {OMEGA_EXAMPLE.tolist()}\n"
                f"dl/dbeta  = {np.round(g['beta'], 4).tolist()}\n"
                f"dl/domega = {np.round(g['omega'], 4).tolist()}")
