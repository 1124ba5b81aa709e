"""coursekit's backprop for each gradient derivation, as ``compare``'s ``numeric_fn``.

Each function has the signature of its derivation's ``lambdify()`` (vectors as 1-D arrays,
matrices as 2-D arrays in the deck's layout) and computes the same gradient with coursekit's
modules' ``backward``; ``symbolic.BACKPROP_FOR`` pairs them, so ``compare(d(), BACKPROP_FOR[d])``
checks coursekit. An activation's function is named for the backward it runs
(``sigmoid_backward`` for ``sigmoid_prime_derivation()``; the formula is
``coursekit.activations.sigmoid_prime``); the others have their derivation's name without
``_derivation`` (``compare(symbolic.delta_equations_derivation(), backprop.delta_equations)``).
Where coursekit has no module for a graph (f = (x + y) z, deck 004's sin-exp-cos toy) the
function is the slide's staged backward pass written out in NumPy.
"""
from __future__ import annotations

import numpy as np

from ..activations import ReLU, Sigmoid, Softmax, Softplus, Tanh
from ..batchnorm import BatchNorm1d
from ..layers import Linear
from ..losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from ..mlp import MLP
from ..module import Sequential
from ..sparsity import KLSparsity


def _elementwise(module):
    """d/dz sum(f(z)) = f'(z) elementwise, by the module's backward with an upstream gradient of 1."""
    def backward(z):
        out = module.forward(np.asarray(z, dtype=np.float64))
        return module.backward(np.ones_like(out))
    backward.__name__ = f"{type(module).__name__.lower()}_backward"
    return backward


sigmoid_backward = _elementwise(Sigmoid())
tanh_backward = _elementwise(Tanh())
softplus_backward = _elementwise(Softplus())
relu_backward = _elementwise(ReLU())


def softmax_jacobian_from_backward(z):
    """Row i of J is Softmax.backward(e_i) (backward computes J^T dp; J is symmetric anyway)."""
    layer = Softmax()
    p = layer.forward(np.asarray(z, dtype=np.float64)[None, :])
    return np.concatenate([layer.backward(e[None, :]) for e in np.eye(p.shape[1])])


def mse_gradient(a, y):
    """MSELoss on one example: dJ/da = a - y (the batch mean over n = 1 changes nothing)."""
    loss = MSELoss()
    loss(np.asarray(a)[None, :], np.asarray(y)[None, :])
    return loss.backward()[0]


def softmax_cross_entropy_gradient(z, t):
    """CrossEntropyLoss on logits z with probability target t: dL/dz = p - t."""
    loss = CrossEntropyLoss()
    loss(np.asarray(z)[None, :], np.asarray(t)[None, :])
    return loss.backward()[0]


def add_multiply_graph(x, y, z):
    """Deck 003's staged backward pass for f = (x + y) z: forward, then local gradients."""
    q = x + y                      # forward
    df = 1.0                       # backward, from the output
    dq, dz = z * df, q * df        # multiply node
    dx, dy = dq * 1.0, dq * 1.0    # add node
    return dx, dy, dz


def _linear(W_deck, b=None):
    """A coursekit Linear holding the deck's W (n_out, n_in): Linear stores W^T, batch-first."""
    n_out, n_in = W_deck.shape
    layer = Linear(n_in, n_out, rng=0)
    layer.W.data[...] = W_deck.T
    layer.b.data[...] = 0.0 if b is None else b
    return layer


def squared_norm_Wx(W, x):
    """||W x||^2 through a Linear layer (bias 0): dZ = 2 q, grad_W = (layer.W.grad)^T."""
    layer = _linear(np.asarray(W))
    q = layer.forward(np.asarray(x)[None, :])
    dx = layer.backward(2 * q)
    return layer.W.grad.T, dx[0]


def multi_path_chain_rule(W, x):
    """z = tanh(y_1) + tanh(y_2), y = W x: Sequential(Linear, Tanh) backward from dz/dy_j = 1."""
    net = Sequential(_linear(np.asarray(W)), Tanh())
    out = net.forward(np.asarray(x)[None, :])
    return net.backward(np.ones_like(out))[0]


def two_two_one_net(W1, w2) -> MLP:
    """Deck 001's 2-2-1 net as ``MLP([2, 2, 1], Sigmoid())`` with zero biases, as on the slide.

    Shapes
    ------
    W1: (2, 2) with W1[i, j] = w_ij^(1) (already coursekit's (n_in, n_out) layout); w2: (2,).
    """
    net = MLP([2, 2, 1], Sigmoid(), rng=0)
    for layer, W in ((net[0], np.asarray(W1)), (net[2], np.asarray(w2)[:, None])):
        layer.W.data[...], layer.b.data[...] = W, 0.0
    return net


def two_two_one_network(x, W1, w2, y):
    """dE/dw_11^(1) of :func:`two_two_one_net` with MSELoss (E = 1/2 (y_hat - y)^2)."""
    net = two_two_one_net(W1, w2)
    loss = MSELoss()
    loss(net.forward(np.asarray(x)[None, :]), np.array([[y]]))
    net.backward(loss.backward())
    return net[0].W.grad[0, 0]


def delta_equations(x, y, W1, b1, W2, b2):
    """All gradients of MLP([2, 2, 2], Sigmoid(), Sigmoid()) with MSELoss, in the deck's layout."""
    net = Sequential(_linear(np.asarray(W1), b1), Sigmoid(), _linear(np.asarray(W2), b2), Sigmoid())
    loss = MSELoss()
    loss(net.forward(np.asarray(x)[None, :]), np.asarray(y)[None, :])
    net.backward(loss.backward())
    return net[0].W.grad.T, net[0].b.grad, net[2].W.grad.T, net[2].b.grad


# deck 004's toy: h_(k+1) = act_k(f_k) with these activations and their derivatives
_TOY = ((np.sin, np.cos), (np.exp, np.exp), (np.cos, lambda f: -np.sin(f)))


def composite_forward(x, beta, omega):
    """Deck 004's forward pass: f_k = beta_k + omega_k h_k with h_0 = x, h_(k+1) = act_k(f_k).

    Returns the lists ``f`` = [f_0, ..., f_3] and ``h`` = [h_0 = x, h_1, h_2, h_3].
    """
    h, f = [x], []
    for k in range(4):
        f.append(beta[k] + omega[k] * h[k])
        if k < 3:
            h.append(_TOY[k][0](f[k]))
    return f, h


def composite_backprop(x, y, beta, omega):
    """Deck 004's algorithm: forward pass storing f_k and h_k, backward pass, parameter gradients."""
    f, h = composite_forward(x, beta, omega)
    dl_df = [0.0] * 4
    dl_df[3] = 2 * (f[3] - y)                             # backward
    for k in (2, 1, 0):
        dl_dh = omega[k + 1] * dl_df[k + 1]
        dl_df[k] = _TOY[k][1](f[k]) * dl_dh
    return np.array(dl_df), np.array([h[k] * dl_df[k] for k in range(4)])


def batchnorm_backward(x, gamma, beta, eps, dy):
    """BatchNorm1d(1) in training mode on the batch x, backward from dy: (dx, dgamma, dbeta)."""
    bn = BatchNorm1d(1, eps=float(eps))
    bn.gamma.data[...], bn.beta.data[...] = gamma, beta
    bn.forward(np.asarray(x)[:, None])
    dx = bn.backward(np.asarray(dy)[:, None])
    return dx[:, 0], bn.gamma.grad[0], bn.beta.grad[0]


def linear_regression_gradient(w, X, y):
    """A Linear(d, 1) layer holding w (bias 0: the bias trick puts the offset in w) and MSELoss over the m rows."""
    layer = _linear(np.asarray(w, dtype=np.float64)[None, :])
    loss = MSELoss()
    loss(layer.forward(np.asarray(X, dtype=np.float64)), np.asarray(y, dtype=np.float64)[:, None])
    layer.backward(loss.backward())
    return layer.W.grad[:, 0]


def logistic_regression_gradient(w, x, t):
    """A Linear(d, 1) layer holding w (bias 0) and BCEWithLogitsLoss on its logit: (sigma(z) - t) x."""
    layer = _linear(np.asarray(w, dtype=np.float64)[None, :])
    loss = BCEWithLogitsLoss()
    loss(layer.forward(np.asarray(x, dtype=np.float64)[None, :]), np.array([[t]], dtype=np.float64))
    layer.backward(loss.backward())
    return layer.W.grad[:, 0]


def kl_sparsity_gradient(A, rho, lam):
    """coursekit.sparsity.KLSparsity(rho, lam) on the activations A (m, h), then its backward."""
    penalty = KLSparsity(rho=float(rho), lam=float(lam))
    penalty(np.asarray(A, dtype=np.float64))
    return penalty.backward()
