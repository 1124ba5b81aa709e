"""Why deep nets were hard: vanishing gradients, saturation, initialisation, deep linear chains.

Decks 000 and 004 ("saturating units", "vanishing gradients: backprop creates a long chain of
multiplied gradients") and deck 003 ("higher order effects: toy model"). Backprop's delta
equation (deck 002) multiplies, layer by layer, by a weight matrix and by f'(z)::

    delta^l = ((W^(l+1))^T delta^(l+1)) * f'(z^l),        dJ/dW^l = a^(l-1) (delta^l)^T

With sigmoid units f' <= 1/4, so with Glorot-sized weights the gradient reaching the first
layer shrinks by about 4 per layer; ReLU passes it on where active (f' = 1) and He's
Var(W) = 2/n_in makes up for the half that is inactive. Compute functions come first (pure
NumPy through coursekit's MLP and backward), then the explorers of lesson 07.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._checks import as_generator, finite_float, float_array, positive_int
from ..activations import ReLU, Sigmoid, Tanh
from ..init import he_normal, normal, xavier_normal
from ..layers import Linear
from ..losses import MSELoss
from ..mlp import MLP
from ..module import Sequential
from ._base import Explorer, figure

# Dropdown options: label -> object (activation class, initialiser), resolved here only.
ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "ReLU": ReLU}
INITS = {"Xavier (Glorot) normal": xavier_normal, "He normal": he_normal, "N(0, 1)": normal(1.0)}


# -- compute: one forward and backward pass through a deep MLP -----------------------------
def scaled_init(init, scale: float):
    """The initialiser ``scale * init``: every weight multiplied by ``scale``.

    ``scale = 1`` keeps Glorot's or He's variance; with ``init = normal(1.0)`` the weights are
    N(0, scale^2), the same as ``coursekit.init.normal(scale)``.
    """
    scale = finite_float(scale, "scale", low=0.0, low_open=True)
    if not callable(init):
        raise TypeError(f"init must be an initialiser such as coursekit.init.he_normal, got {init!r}")

    def scaled(n_in, n_out, rng, dtype=np.float64):
        return (scale * init(n_in, n_out, rng, dtype)).astype(dtype)

    scaled.__name__ = scaled.__qualname__ = f"{scale:g}*{init.__name__}"
    return scaled


def gradient_profile(depth: int, activation, init, *, width: int = 32, n: int = 64, rng=0) -> dict:
    """Per-layer gradient norms, pre-activations and activations of a deep MLP at initialisation.

    Builds ``MLP([width] + [width] * depth + [1], activation, init=init)``, runs one batch
    X ~ N(0, 1) with targets y ~ N(0, 1) forward, the ½-MSE loss backward, and reads every
    Linear layer's weight gradient.

    Parameters
    ----------
    depth : int
        Number of hidden layers (the net has depth + 1 Linear layers).
    activation : Module
        Hidden activation, e.g. ``Sigmoid()``.
    init : callable
        Weight initialiser, e.g. ``scaled_init(xavier_normal, 0.5)``.

    Returns
    -------
    dict with ``grad_norms`` (depth + 1,): ||dJ/dW^l||_F for l = 1 ... depth + 1;
    ``z`` and ``a``: lists of the depth hidden pre-activations and activations, each (n, width);
    ``net``, ``X``, ``y``: the network (gradients filled in) and the batch, to check against.
    """
    depth, width, n = positive_int(depth, "depth"), positive_int(width, "width"), positive_int(n, "n")
    rng = as_generator(rng)
    X = rng.standard_normal((n, width))
    y = rng.standard_normal((n, 1))
    net = MLP([width] + [width] * depth + [1], activation, rng=rng, init=init)
    z, a, out = [], [], X
    for layer in net.layers:  # forward by hand, to keep every hidden z and a
        out = layer(out)
        (z if isinstance(layer, Linear) else a).append(out)
    loss = MSELoss()
    loss(out, y)
    net.backward(loss.backward())
    grad_norms = np.array([np.linalg.norm(layer.W.grad) for layer in net.layers if isinstance(layer, Linear)])
    return dict(grad_norms=grad_norms, z=z[:-1], a=a, net=net, X=X, y=y)


def saturated_fraction(z, activation) -> float:
    """Fraction of units whose local gradient f'(z) is below 1 % of its largest value.

    Sigmoid (max 1/4) and tanh (max 1) saturate for large |z|; ReLU's gradient is exactly 0
    wherever z <= 0 (an inactive unit).

    Shapes
    ------
    z: any shape -> float in [0, 1].
    """
    z = float_array(z, "z")
    act = type(activation)()
    a = act.forward(z)
    slope = act.f_prime(z, a)
    largest = {Sigmoid: 0.25}.get(type(act), 1.0)
    return float(np.mean(slope < 0.01 * largest))


def activation_histogram(a, low: float, high: float, bins: int = 40):
    """Density histogram of activation values in [low, high]: bin centres and densities.

    Shapes
    ------
    a: any shape -> centres: (bins,), density: (bins,), integrating to 1 over [low, high].
    """
    counts, edges = np.histogram(float_array(a, "a"), bins=bins, range=(low, high), density=True)
    return (edges[:-1] + edges[1:]) / 2, counts


# -- compute: the deep linear chain (deck 003, higher order effects) ------------------------
def linear_chain(w: float, L: int, *, x: float = 1.0) -> dict:
    """The toy chain y_hat = x w_1 w_2 ... w_L with one unit per layer, no non-linearity, w_l = w.

    Forward and backward run through coursekit's Linear layers (1 -> 1, bias 0).

    Returns
    -------
    dict with ``h`` (L + 1,): h_0 = x, h_l = w h_(l-1), so h_L = y_hat = x w^L; and
    ``g`` (L,): g_l = dy_hat/dw_l = x prod_(k != l) w_k = x w^(L-1).
    """
    w, x, L = finite_float(w, "w"), finite_float(x, "x"), positive_int(L, "L")
    chain = Sequential(*[Linear(1, 1, rng=0, init=normal(1.0)) for _ in range(L)])
    for layer in chain:
        layer.W.data[:] = w
    h = [np.array([[x]])]
    for layer in chain:
        h.append(layer(h[-1]))
    chain.backward(np.ones((1, 1)))
    return dict(h=np.array([v[0, 0] for v in h]), g=np.array([layer.W.grad[0, 0] for layer in chain]))


def chain_step(w: float, L: int, lr, *, x: float = 1.0) -> dict:
    """One gradient step w_l <- w_l - lr g_l that tries to decrease y_hat (deck 003's toy).

    The first-order Taylor prediction is ``y_hat - lr g^T g``; the new output is really
    ``x (w - lr g)^L``, whose expansion has terms like lr^3 g_1 g_2 g_3 w_4 ... w_L.

    Returns
    -------
    dict with the chain's ``h`` and ``g`` (see :func:`linear_chain`), ``y_hat`` = h_L, and
    ``predicted`` and ``actual`` (arrays with the shape of ``lr``; ``actual`` may overflow to inf).
    """
    chain = linear_chain(w, L, x=x)
    lr = np.asarray(lr, dtype=float)
    g, y_hat = chain["g"], chain["h"][-1]
    with np.errstate(over="ignore"):
        actual = x * np.prod(w - lr[..., None] * g, axis=-1)
    return dict(chain, y_hat=y_hat, predicted=y_hat - lr * (g @ g), actual=actual)


def matrix_chain(w: float, L: int, *, width: int = 16, rng=0) -> np.ndarray:
    """||h_l|| / ||h_0|| along h_l = W_l h_(l-1), W_l = w G_l / sqrt(width), G_l ~ N(0, 1).

    The matrix version of the chain: E ||W h||^2 = w^2 ||h||^2, so the norm grows or shrinks
    roughly like w^l (a bit less, since the log of a random norm is biased down).

    Shapes
    ------
    -> (L + 1,), starting at 1.
    """
    w, L, width = finite_float(w, "w"), positive_int(L, "L"), positive_int(width, "width")
    rng = as_generator(rng)
    h = rng.standard_normal(width)
    norms = [1.0]
    scale = np.linalg.norm(h)
    for _ in range(L):
        h = (w / np.sqrt(width)) * (rng.standard_normal((width, width)) @ h)
        norms.append(np.linalg.norm(h) / scale)
    return np.array(norms)


# -- views ---------------------------------------------------------------------------------
_RANGES = {Sigmoid: (0.0, 1.0), Tanh: (-1.0, 1.0)}  # ReLU's range is taken from the data


class GradientFlowExplorer(Explorer):
    """Depth, activation and initialisation against the gradient each layer receives.

    Controls: ``depth`` (hidden layers), ``activation``, ``init`` (scheme) and ``scale`` (a
    multiplier on the scheme's weights). Left: ||dJ/dW^l|| per layer on a log scale; middle:
    histograms of the activations of the first, middle and last hidden layer; right: the
    fraction of saturated units (f'(z) below 1 % of its maximum) per hidden layer.
    """

    DEPTH_MAX = 20

    def __init__(self, *, width: int = 32, n: int = 64, rng=0):
        self.width, self.n, self.rng = width, n, rng
        controls = {
            "depth": widgets.IntSlider(value=10, min=1, max=self.DEPTH_MAX, description="depth"),
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=Sigmoid, description="activation"),
            "init": widgets.Dropdown(options=INITS, value=xavier_normal, description="init"),
            "scale": widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05,
                                            description="init scale"),
        }
        fig = figure(figsize=(12, 3.4))
        ax_grad, ax_hist, ax_sat = fig.subplots(1, 3)
        layers = np.arange(1, self.DEPTH_MAX + 2)
        (self.grad_line,) = ax_grad.semilogy(layers, np.ones_like(layers, dtype=float), "o-", color="k")
        ax_grad.set(xlabel="layer l (1 = first)", ylabel="||dJ/dW^l||", xlim=(0.5, self.DEPTH_MAX + 1.5))
        self.info = ax_grad.set_title("")
        self.hist_lines = [ax_hist.plot([0, 1], [0, 0], drawstyle="steps-mid", label=label)[0]
                           for label in ("first hidden layer", "middle", "last hidden layer")]
        ax_hist.set(xlabel="activation a", ylabel="density", title="activations (saturation)")
        ax_hist.legend(fontsize=7)
        self.ax_hist = ax_hist
        (self.sat_line,) = ax_sat.plot(layers[:-1], layers[:-1] * 0.0, "o-", color="C3")
        ax_sat.set(xlabel="hidden layer l", ylabel="fraction", ylim=(-0.05, 1.05),
                   xlim=(0.5, self.DEPTH_MAX + 0.5), title="saturated units (f'(z) < 1% of max)")
        self.ax_grad = ax_grad
        self.profile = None
        super().__init__(controls, fig)

    def update(self, *, depth, activation, init, scale) -> None:
        act = activation()
        p = self.profile = gradient_profile(depth, act, scaled_init(init, scale),
                                            width=self.width, n=self.n, rng=self.rng)
        g = p["grad_norms"]
        self.grad_line.set_data(np.arange(1, depth + 2), g)
        self.ax_grad.set_ylim(g.min() / 10, g.max() * 10)
        self.info.set_text(f"first / last layer: {g[0] / g[-1]:.1e}")
        shown = [p["a"][0], p["a"][depth // 2], p["a"][-1]]
        low, high = _RANGES.get(activation, (0.0, max(np.percentile(np.concatenate(shown), 99), 1e-12)))
        peak = 0.0
        for line, a in zip(self.hist_lines, shown):
            centres, density = activation_histogram(a, low, high)
            line.set_data(centres, density)
            peak = max(peak, density.max())
        self.ax_hist.set(xlim=(low, high), ylim=(0, 1.05 * peak))
        self.sat_line.set_data(np.arange(1, depth + 1), [saturated_fraction(z, act) for z in p["z"]])


class LinearChainExplorer(Explorer):
    """Deck 003's toy: y_hat = x w_1 ... w_L, one unit per layer, no non-linearity.

    Controls: ``w`` (every weight), ``L`` (length) and ``lr`` (one gradient step). Left:
    |h_l| = |x| w^l along the chain, and the norm along a chain of random w-scaled matrices;
    right: y_hat after one step against lr, the real one and the first-order prediction.
    """

    L_MAX = 50
    LRS = np.logspace(-5, -1, 200)

    def __init__(self):
        controls = {
            "w": widgets.FloatSlider(value=1.1, min=0.5, max=1.5, step=0.01, description="w"),
            "L": widgets.IntSlider(value=20, min=1, max=self.L_MAX, description="layers L"),
            "lr": widgets.FloatLogSlider(value=1e-3, base=10, min=-5, max=-1, step=0.1,
                                         description="step ε"),
        }
        fig = figure(figsize=(9, 3.4))
        ax_chain, ax_step = fig.subplots(1, 2)
        steps = np.arange(self.L_MAX + 1)
        (self.scalar_line,) = ax_chain.semilogy(steps, steps + 1.0, color="k", label="scalar chain |h_l| = w^l")
        (self.matrix_line,) = ax_chain.semilogy(steps, steps + 1.0, color="C0", label="16x16 random matrices")
        ax_chain.set(xlabel="layer l", ylabel="|h_l| / |h_0|", xlim=(0, self.L_MAX))
        ax_chain.legend(fontsize=7)
        self.ax_chain = ax_chain
        (self.actual_line,) = ax_step.semilogx(self.LRS, self.LRS, color="k", label="after the step")
        (self.predicted_line,) = ax_step.semilogx(self.LRS, self.LRS, "--", color="C1",
                                                  label="first order: y_hat - ε gᵀg")
        (self.step_dot,) = ax_step.plot([1e-3], [0], "o", color="C3")
        ax_step.set(xlabel="learning rate ε", ylabel="y_hat")
        ax_step.legend(fontsize=7)
        self.ax_step = ax_step
        self.info = ax_step.set_title("", fontsize=9)
        super().__init__(controls, fig)

    def update(self, *, w, L, lr) -> None:
        step = chain_step(w, L, np.append(self.LRS, lr))  # the curve, then the chosen lr
        h = step["h"]
        self.scalar_line.set_data(np.arange(L + 1), np.abs(h))
        norms = matrix_chain(w, L)
        self.matrix_line.set_data(np.arange(L + 1), norms)
        both = np.concatenate([np.abs(h), norms])
        self.ax_chain.set_ylim(both.min() / 3, both.max() * 3)
        actual, predicted = step["actual"], step["predicted"]
        self.actual_line.set_ydata(actual[:-1])
        self.predicted_line.set_ydata(predicted[:-1])
        self.step_dot.set_data([lr], [actual[-1]])
        y_hat = step["y_hat"]
        self.ax_step.set_ylim(-1.5 * y_hat - 0.5, 1.5 * y_hat + 0.5)
        self.info.set_text(f"one step: y_hat {y_hat:.3g} -> {actual[-1]:.3g} (first order: {predicted[-1]:.3g})")
