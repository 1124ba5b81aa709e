"""Backprop by hand on the decks' computational graphs, checked three ways at the slider's point.

The graphs (lesson 04):

* f = (x + y) z, deck 003 "Backpropagation: a simple example";
* f = ||W x||^2 with deck 003's W, "A vectorized example" (x = (0.2, 0.4) gives f = 0.116);
* the 2-2-1 sigmoid network of deck 001, "Applying the chain rule";
* deck 004's toy f[x, phi] = beta_3 + omega_3 cos(beta_2 + omega_2 exp(beta_1 + omega_1 sin(beta_0 + omega_0 x)))
  with the loss l = (f - y)^2.

Compute functions (NumPy, no widgets): one ``*_pass`` per graph returns a :class:`GraphPass`
(every node's forward value and the gradient of the output with respect to it), with the
gradients from coursekit's backward passes (:mod:`coursekit.symbolic.backprop`, the layers);
:func:`five_steps` runs deck 002's backprop algorithm layer by layer through a coursekit
network; :class:`GradientCheck` compares SymPy's gradient, coursekit's backprop and finite
differences at one point. Explorers: :class:`AddMultiplyExplorer`, :class:`SquaredNormExplorer`,
:class:`TwoTwoOneExplorer`, :class:`CompositeExplorer`; each draws its graph once and writes
the numbers into its text artists (forward value in green, gradient in red, as in the deck).
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from .. import symbolic
from .._checks import float_array
from ..gradcheck import relative_error
from ..losses import Loss, MSELoss
from ..module import Sequential
from ..symbolic import backprop
# compare()'s own helpers, so the pointwise check below is the same check compare() makes
from ..symbolic import finite_difference_gradient, flat_gradient
from ..symbolic.graphs import W_EXAMPLE
from ._base import Explorer, figure

W_DECK = np.array(W_EXAMPLE.tolist(), dtype=np.float64)  # deck 003: [[0.1, 0.5], [-0.3, 0.8]]
# Example weights of the 2-2-1 net (the deck gives none): W1[i, j] = w_ij^(1), w2[j] = w_j^(2).
W1_EXAMPLE = np.array([[0.5, -1.0], [1.5, 0.8]])
W2_EXAMPLE = np.array([1.2, -0.7])
# Example parameters of deck 004's toy, beta_0..3 and omega_0..3.
BETA_EXAMPLE = np.array([1.0, 2.0, -3.0, 0.4])
OMEGA_EXAMPLE = np.array([0.1, -0.4, 2.0, 3.0])


@dataclass(frozen=True)
class GraphPass:
    """One forward and backward pass through a computational graph.

    ``forward[node]`` is the node's value; ``backward[node]`` the gradient of the graph's
    output with respect to it (1 at the output); ``params`` the gradients of parameters that
    are not drawn as nodes (W, beta_k, omega_k), by name.
    """

    forward: dict
    backward: dict
    params: dict


def add_multiply_pass(x: float, y: float, z: float) -> GraphPass:
    """f = (x + y) z: q = x + y, f = q z; backward through the multiply node, then the add node.

    Math
    ----
    df/dq = z and df/dz = q at the multiply node; the add node passes df/dq on to x and y
    (local gradients 1), so df/dx = df/dy = z.
    """
    dx, dy, dz = backprop.add_multiply_graph(x, y, z)
    q = x + y
    return GraphPass({"x": x, "y": y, "z": z, "q": q, "f": q * z},
                     {"x": dx, "y": dy, "z": dz, "q": z, "f": 1.0}, {})


def squared_norm_pass(x1: float, x2: float, W=W_DECK) -> GraphPass:
    """f = ||W x||^2 = q_1^2 + q_2^2 with q = W x: grad_q f = 2 q, grad_x f = 2 W^T q, grad_W f = 2 q x^T."""
    W = float_array(W, "W", ndim=2)
    x = np.array([x1, x2], dtype=np.float64)
    grad_W, grad_x = backprop.squared_norm_Wx(W, x)   # through a coursekit Linear layer
    q = W @ x
    return GraphPass({"x1": x1, "x2": x2, "q1": q[0], "q2": q[1], "f": q @ q},
                     {"x1": grad_x[0], "x2": grad_x[1], "q1": 2 * q[0], "q2": 2 * q[1], "f": 1.0},
                     {"W": W, "grad_W": grad_W})


@dataclass(frozen=True)
class FiveSteps:
    """Deck 002's backprop algorithm, run layer by layer through a ``Sequential``.

    ``outputs[0]`` is the input x (step 1) and ``outputs[i]`` the output of layer i - 1
    (step 2: z^(l) after a Linear layer, a^(l) after an activation); ``grads[i]`` is
    dJ/d outputs[i] (steps 3 and 4: at a Linear layer's output it is delta^(l));
    ``net``'s Parameter.grad hold step 5, dJ/dW and dJ/db. ``J`` is the loss.
    """

    net: Sequential
    outputs: list
    grads: list
    J: float

    @property
    def deltas(self) -> list:
        """delta^(l) = dJ/dz^(l) for l = 1 ... L: the gradients at the Linear layers' outputs."""
        return [self.grads[i + 1] for i, layer in enumerate(self.net.layers) if hasattr(layer, "W")]


def five_steps(net: Sequential, loss: Loss, x, y) -> FiveSteps:
    """Run the five steps of deck 002 through coursekit's layers, keeping every intermediate.

    1. input a^(0) = x; 2. feedforward z^(l) = W^(l) a^(l-1) + b^(l), a^(l) = f(z^(l)), layer
    by layer; 3. output error: the loss's gradient through the output activation, delta^(L);
    4. backpropagate: each layer's ``backward`` maps dJ/d(output) to dJ/d(input), so a
    Linear layer applies (W^(l+1))^T and an activation multiplies by f'(z^(l)); 5. the layers
    add dJ/db^(l) = delta^(l) and dJ/dw_ji^(l) = a_i^(l-1) delta_j^(l) into their ``grad``.

    Shapes
    ------
    x: (n, d) batch-first; each outputs[i] and grads[i]: (n, width of that layer).
    """
    if not isinstance(net, Sequential):
        raise TypeError(f"net must be a coursekit Sequential such as MLP(...), got {net!r}")
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a coursekit loss such as MSELoss(), got {loss!r}")
    net.zero_grad()
    outputs = [float_array(x, "x", ndim=2)]
    for layer in net.layers:
        outputs.append(layer.forward(outputs[-1]))
    J = loss(outputs[-1], y)
    grads = [loss.backward()]
    for layer in reversed(net.layers):
        grads.insert(0, layer.backward(grads[0]))
    return FiveSteps(net, outputs, grads, J)


def two_two_one_pass(x1: float, x2: float, y: float, W1=W1_EXAMPLE, w2=W2_EXAMPLE) -> GraphPass:
    """Deck 001's 2-2-1 net, y_hat = sum_j w_j^(2) sigma(s_j), s_j = sum_i w_ij^(1) x_i, E = 1/2 (y_hat - y)^2.

    Runs :func:`five_steps` on :func:`coursekit.symbolic.backprop.two_two_one_net` (``MLP([2, 2, 1],
    Sigmoid())`` holding ``W1`` and ``w2``, no biases, as on the slide). dE/ds_j is delta_j^(1);
    dE/dy_hat is delta^(2) (linear output).

    Note
    ----
    Deck 001 swaps the labels a/z midway; here s_j is the pre-activation and h_j = sigma(s_j).
    """
    net = backprop.two_two_one_net(float_array(W1, "W1", ndim=2), float_array(w2, "w2", ndim=1))
    run = five_steps(net, MSELoss(), [[x1, x2]], [[y]])
    (_, s, h, y_hat), (dx, ds, dh, dy_hat) = run.outputs, run.grads
    return GraphPass(
        {"x1": x1, "x2": x2, "s1": s[0, 0], "s2": s[0, 1], "h1": h[0, 0], "h2": h[0, 1],
         "y_hat": y_hat[0, 0], "y": y, "E": run.J},
        {"x1": dx[0, 0], "x2": dx[0, 1], "s1": ds[0, 0], "s2": ds[0, 1], "h1": dh[0, 0], "h2": dh[0, 1],
         "y_hat": dy_hat[0, 0], "y": -dy_hat[0, 0], "E": 1.0},
        {"W1": net[0].W.grad.copy(), "w2": net[2].W.grad[:, 0].copy()})


def composite_pass(x: float, y: float, beta=BETA_EXAMPLE, omega=OMEGA_EXAMPLE) -> GraphPass:
    """Deck 004's toy: forward f_0, h_1, f_1, h_2, f_2, h_3, f_3, l = (f_3 - y)^2; backward dl/d(node).

    Math
    ----
    f_k = beta_k + omega_k h_k (h_0 = x), h_(k+1) = act_k(f_k); backward dl/df_3 = 2 (f_3 - y),
    dl/dh_k = omega_k dl/df_k, dl/df_(k-1) = act'(f_(k-1)) dl/dh_k; dl/dbeta_k = dl/df_k and
    dl/domega_k = h_k dl/df_k. The gradients come from coursekit's staged backward pass.
    """
    beta, omega = float_array(beta, "beta", ndim=1), float_array(omega, "omega", ndim=1)
    dl_dbeta, dl_domega = backprop.composite_backprop(x, y, beta, omega)
    f, h = backprop.composite_forward(x, beta, omega)
    forward = {"x": x, **{f"f{k}": f[k] for k in range(4)}, **{f"h{k}": h[k] for k in (1, 2, 3)},
               "y": y, "l": (f[3] - y) ** 2}
    backward = {f"f{k}": dl_dbeta[k] for k in range(4)}       # dl/df_k = dl/dbeta_k
    backward.update({f"h{k}": omega[k] * dl_dbeta[k] for k in (1, 2, 3)})
    backward.update({"x": omega[0] * dl_dbeta[0], "y": -dl_dbeta[3], "l": 1.0})
    return GraphPass(forward, backward, {"beta": dl_dbeta, "omega": dl_domega})


# -- the three-way check at one point -------------------------------------------------------
class GradientCheck:
    """SymPy's gradient, coursekit's backprop and finite differences at one point.

    Parameters
    ----------
    derivation : Derivation
        A gradient derivation, e.g. ``symbolic.add_multiply_graph()``.
    numeric_fn : callable
        coursekit's backprop with the signature of ``derivation.lambdify()``.

    Call it with the derivation's arguments (``check(x, y, z)``); it returns a dict of the three
    flat gradients ``sympy``, ``backprop``, ``numerical`` and their relative errors
    (:func:`coursekit.gradcheck.relative_error`). Unlike :func:`coursekit.symbolic.compare`,
    which samples random points, this checks exactly the point the sliders show.
    """

    def __init__(self, derivation, numeric_fn, h: float = 1e-4):
        self.derivation, self.numeric_fn, self.h = derivation, numeric_fn, h
        self._sympy = derivation.lambdify()
        self._numerical = finite_difference_gradient(derivation)   # central differences, Richardson-extrapolated
        self._shapes = list(derivation.shapes.values())

    def __call__(self, *args) -> dict:
        values = [np.asarray(a, dtype=np.float64).reshape(s) for a, s in zip(args, self._shapes)]
        g = {"sympy": flat_gradient(self._sympy(*values)),
             "backprop": flat_gradient(self.numeric_fn(*[v.copy() for v in values])),
             "numerical": self._numerical([v.copy() for v in values], self.h)}
        g["sympy vs backprop"] = relative_error(g["sympy"], g["backprop"])
        g["sympy vs finite differences"] = relative_error(g["sympy"], g["numerical"])
        g["backprop vs finite differences"] = relative_error(g["backprop"], g["numerical"])
        return g


def check_text(check: dict) -> str:
    """One line stating how well the three gradients agree."""
    return ("relative error: SymPy vs backprop {:.0e}, SymPy vs finite differences {:.0e}, "
            "backprop vs finite differences {:.0e}".format(
                check["sympy vs backprop"], check["sympy vs finite differences"],
                check["backprop vs finite differences"]))


# -- views ---------------------------------------------------------------------------------
GREEN, RED = "tab:green", "tab:red"


class GraphExplorer(Explorer):
    """A computational graph with sliders on its inputs; values in green, gradients in red.

    Subclasses set ``NODES`` (name -> (x, y, label) in axes coordinates), ``EDGES`` (pairs of
    names), ``SLIDERS`` (name -> (min, default, max, step)) and ``derivation`` / ``numeric_fn``,
    and implement ``graph_pass(**values) -> GraphPass`` and ``derivation_args(**values)``.
    After each update ``self.result`` is the GraphPass and ``self.check`` the three-way check.
    """

    NODES: dict = {}
    EDGES: tuple = ()
    SLIDERS: dict = {}
    FIGSIZE = (9, 3.6)

    def __init__(self):
        self.derivation = type(self).make_derivation()
        self.checker = GradientCheck(self.derivation, type(self).numeric_fn)
        controls = {name: widgets.FloatSlider(value=default, min=low, max=high, step=step, description=name)
                    for name, (low, default, high, step) in self.SLIDERS.items()}
        fig = figure(figsize=self.FIGSIZE, layout=None)   # fixed positions: no layout engine to run per draw
        ax = fig.subplots()
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.92)
        ax.set(xlim=(0, 1), ylim=(-0.3, 1.0))  # the text block sits below the graph
        ax.axis("off")
        ax.set_title("forward value (green) above each node; gradient of the output with respect to it "
                     "(red) below", fontsize=9)
        for a, b in self.EDGES:
            (xa, ya, _), (xb, yb, _) = self.NODES[a], self.NODES[b]
            ax.annotate("", xy=(xb, yb), xytext=(xa, ya),
                        arrowprops=dict(arrowstyle="->", color="0.5", shrinkA=14, shrinkB=14))
        self.value_texts, self.grad_texts = {}, {}
        for name, (x, y, label) in self.NODES.items():
            ax.text(x, y, label, ha="center", va="center", fontsize=11,
                    bbox=dict(boxstyle="circle", fc="white", ec="k"))
            self.value_texts[name] = ax.text(x, y + 0.09, "", ha="center", color=GREEN, fontsize=9)
            self.grad_texts[name] = ax.text(x, y - 0.11, "", ha="center", va="top", color=RED, fontsize=9)
        self.info = ax.text(0.0, -0.3, "", fontsize=8.5, va="bottom", family="monospace")
        self.ax = ax
        self.result = self.check = None
        super().__init__(controls, fig)

    def update(self, **values):
        self.result = self.graph_pass(**values)
        self.check = self.checker(*self.derivation_args(**values))
        for name in self.NODES:
            self.value_texts[name].set_text(f"{self.result.forward[name]:.4g}")
            self.grad_texts[name].set_text(f"{self.result.backward[name]:.4g}")
        self.info.set_text(self.info_text() + "\n" + check_text(self.check))

    def info_text(self) -> str:
        """Extra lines under the graph (parameter gradients)."""
        return ""


class AddMultiplyExplorer(GraphExplorer):
    """f = (x + y) z (deck 003): at x = -2, y = 5, z = -4 the deck's f = -12, gradients (-4, -4, 3)."""

    NODES = {"x": (0.08, 0.8, "$x$"), "y": (0.08, 0.45, "$y$"), "z": (0.4, 0.3, "$z$"),
             "q": (0.4, 0.65, "$+$"), "f": (0.75, 0.5, r"$\times$")}
    EDGES = (("x", "q"), ("y", "q"), ("q", "f"), ("z", "f"))
    SLIDERS = {"x": (-10.0, -2.0, 10.0, 0.5), "y": (-10.0, 5.0, 10.0, 0.5), "z": (-10.0, -4.0, 10.0, 0.5)}
    FIGSIZE = (8, 3.2)
    make_derivation = staticmethod(symbolic.add_multiply_graph)
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
    SLIDERS = {"x1": (-1.0, 0.2, 1.0, 0.05), "x2": (-1.0, 0.4, 1.0, 0.05)}
    make_derivation = staticmethod(symbolic.squared_norm_Wx)
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
    SLIDERS = {"x1": (-2.0, 1.0, 2.0, 0.1), "x2": (-2.0, -0.5, 2.0, 0.1), "y": (-1.0, 0.5, 1.0, 0.05)}
    FIGSIZE = (9, 3.8)
    make_derivation = staticmethod(symbolic.two_two_one_network)
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
    SLIDERS = {"x": (-3.0, 2.3, 3.0, 0.1), "y": (-2.0, 2.0, 4.0, 0.1)}
    FIGSIZE = (10, 3.6)
    make_derivation = staticmethod(symbolic.composite_backprop)
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
