"""Why deep nets were hard: vanishing gradients, saturation, initialisation, deep linear chains.

Decks 000 and 004 ("saturating units", "vanishing gradients: backprop creates a long chain of
multiplied gradients") and deck 003 ("higher order effects: toy model"). Backprop's delta
equation (deck 002) multiplies, layer by layer, by a weight matrix and by f'(z)::

    delta^l = ((W^(l+1))^T delta^(l+1)) * f'(z^l),        dJ/dW^l = a^(l-1) (delta^l)^T

With sigmoid units f' <= 1/4, so with Glorot-sized weights the gradient reaching the first
layer shrinks by about 4 per layer; ReLU passes it on where active (f' = 1) and He's
Var(W) = 2/n_in makes up for the half that is inactive. What lesson 07 and its explorers
compute, through coursekit's MLP and backward.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_generator, finite_float, float_array, positive_int
from ..activations import ReLU, Sigmoid, Tanh
from ..init import he_normal, normal, xavier_normal
from ..layers import Linear
from ..losses import MSELoss
from ..mlp import MLP
from ..module import Sequential

# The lesson's choices: label -> object (activation class, initialiser), resolved here only.
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


@dataclass
class GradientProfile:
    """One forward and backward pass through a deep MLP at initialisation (:func:`gradient_profile`).

    ``grad_norms`` (depth + 1,): ||dJ/dW^l||_F for l = 1 ... depth + 1; ``z`` and ``a``: lists of
    the depth hidden pre-activations and activations, each (n, width); ``net``, ``X``, ``y``: the
    network (gradients filled in) and the batch, to check against.
    """

    grad_norms: np.ndarray
    z: list
    a: list
    net: MLP
    X: np.ndarray
    y: np.ndarray


def gradient_profile(depth: int, activation, init, *, width: int = 32, n: int = 64, rng=0) -> GradientProfile:
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
    GradientProfile
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
    return GradientProfile(grad_norms, z[:-1], a, net, X, y)


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
@dataclass
class LinearChain:
    """The chain's activations ``h`` (L + 1,), h_0 = x ... h_L = y_hat, and gradients ``g`` (L,),
    g_l = dy_hat/dw_l."""

    h: np.ndarray
    g: np.ndarray


def linear_chain(w: float, L: int, *, x: float = 1.0) -> LinearChain:
    """The toy chain y_hat = x w_1 w_2 ... w_L with one unit per layer, no non-linearity, w_l = w.

    Forward and backward run through coursekit's Linear layers (1 -> 1, bias 0).

    Returns
    -------
    LinearChain with ``h``: h_0 = x, h_l = w h_(l-1), so h_L = y_hat = x w^L; and
    ``g``: g_l = dy_hat/dw_l = x prod_(k != l) w_k = x w^(L-1).
    """
    w, x, L = finite_float(w, "w"), finite_float(x, "x"), positive_int(L, "L")
    chain = Sequential(*[Linear(1, 1, rng=0, init=normal(1.0)) for _ in range(L)])
    for layer in chain:
        layer.W.data[:] = w
    h = [np.array([[x]])]
    for layer in chain:
        h.append(layer(h[-1]))
    chain.backward(np.ones((1, 1)))
    return LinearChain(np.array([v[0, 0] for v in h]), np.array([layer.W.grad[0, 0] for layer in chain]))


@dataclass
class ChainStep(LinearChain):
    """A :class:`LinearChain` with ``y_hat`` = h_L and, after one step of each lr, the output
    ``predicted`` to first order and the ``actual`` one."""

    y_hat: float
    predicted: np.ndarray
    actual: np.ndarray


def chain_step(w: float, L: int, lr, *, x: float = 1.0) -> ChainStep:
    """One gradient step w_l <- w_l - lr g_l that tries to decrease y_hat (deck 003's toy).

    The first-order Taylor prediction is ``y_hat - lr g^T g``; the new output is really
    ``x (w - lr g)^L``, whose expansion has terms like lr^3 g_1 g_2 g_3 w_4 ... w_L.

    Returns
    -------
    ChainStep; ``predicted`` and ``actual`` have the shape of ``lr`` (``actual`` may overflow to inf).
    """
    chain = linear_chain(w, L, x=x)
    lr = np.asarray(lr, dtype=float)
    g, y_hat = chain.g, chain.h[-1]
    with np.errstate(over="ignore"):
        actual = x * np.prod(w - lr[..., None] * g, axis=-1)
    return ChainStep(chain.h, g, float(y_hat), y_hat - lr * (g @ g), actual)


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


# -- what lesson 07's explorers show ---------------------------------------------------------
_RANGES = {Sigmoid: (0.0, 1.0), Tanh: (-1.0, 1.0)}  # ReLU's range is taken from the data


@dataclass
class GradientFlow:
    """What the gradient-flow explorer shows for one setting.

    ``grad_norms`` (depth + 1,) per Linear layer; ``histograms``: (centres, density) of the
    activations of the first, middle and last hidden layer over the range ``(low, high)``;
    ``saturation`` (depth,): the fraction of saturated units per hidden layer.
    """

    depth: int
    grad_norms: np.ndarray
    histograms: list
    low: float
    high: float
    saturation: np.ndarray
    activation_range: bool   # [low, high] is the activation's own range (sigmoid, tanh), not the data's

    @property
    def first_over_last(self) -> float:
        """||dJ/dW^1|| / ||dJ/dW^(depth+1)||: below 1 the first layer learns slowest."""
        return float(self.grad_norms[0] / self.grad_norms[-1])


def gradient_flow(depth: int, activation: type, init, scale: float, *, width: int = 32, n: int = 64,
                  rng=0) -> GradientFlow:
    """:func:`gradient_profile` of ``activation()`` under ``scale * init``, summarised per layer."""
    act = activation()
    p = gradient_profile(depth, act, scaled_init(init, scale), width=width, n=n, rng=rng)
    shown = [p.a[0], p.a[depth // 2], p.a[-1]]
    low, high = _RANGES.get(activation, (0.0, max(np.percentile(np.concatenate(shown), 99), 1e-12)))
    return GradientFlow(depth, p.grad_norms, [activation_histogram(a, low, high) for a in shown],
                        float(low), float(high), np.array([saturated_fraction(z, act) for z in p.z]),
                        activation in _RANGES)


@dataclass
class ChainView:
    """What the linear-chain explorer shows: |h_l| of the scalar chain, the norms of the matrix
    chain, and y_hat after one step for each lr of ``lrs`` and for the chosen ``lr``."""

    L: int
    lr: float
    scalar: np.ndarray
    matrix: np.ndarray
    y_hat: float
    actual: np.ndarray
    predicted: np.ndarray
    actual_at: float
    predicted_at: float


def chain_view(w: float, L: int, lr: float, lrs) -> ChainView:
    """:func:`chain_step` over the learning rates ``lrs`` and at ``lr``, with :func:`matrix_chain`."""
    step = chain_step(w, L, np.append(lrs, lr))
    return ChainView(L, float(lr), np.abs(step.h), matrix_chain(w, L), step.y_hat, step.actual[:-1],
                     step.predicted[:-1], float(step.actual[-1]), float(step.predicted[-1]))
