"""Backprop by hand on the decks' computational graphs, checked three ways at one point (lesson 04).

The graphs (lesson 04):

* f = (x + y) z, deck 003 "Backpropagation: a simple example";
* f = ||W x||^2 with deck 003's W, "A vectorized example" (x = (0.2, 0.4) gives f = 0.116);
* the 2-2-1 sigmoid network of deck 001, "Applying the chain rule";
* deck 004's toy f[x, phi] = beta_3 + omega_3 cos(beta_2 + omega_2 exp(beta_1 + omega_1 sin(beta_0 + omega_0 x)))
  with the loss l = (f - y)^2.

One ``*_pass`` per graph returns a :class:`GraphPass` (every node's forward value and the
gradient of the output with respect to it), with the gradients from coursekit's backward
passes (:mod:`coursekit.symbolic.backprop`, the layers); :func:`five_steps` runs deck 002's
backprop algorithm layer by layer through a coursekit network; :class:`GradientCheck`
compares SymPy's gradient, coursekit's backprop and finite differences at one point, and
:func:`checked_pass` attaches that check to a pass (what lesson 04's explorers show). No widgets
or figures: the graphs are drawn by :mod:`coursekit.explore.backprop`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .._checks import float_array
from ..gradcheck import relative_error
from ..losses import Loss, MSELoss
from ..module import Sequential
from . import backprop
# compare()'s own helpers, so the pointwise check below is the same check compare() makes
from .compare import finite_difference_gradient, flat_gradient
from .graphs import W_EXAMPLE

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
    are not drawn as nodes (W, beta_k, omega_k), by name; ``check`` the three-way check at this
    point, when one was made (:func:`checked_pass`).
    """

    forward: dict
    backward: dict
    params: dict
    check: dict | None = None


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
        A gradient derivation, e.g. ``symbolic.add_multiply_graph_derivation()``.
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


def checked_pass(graph: GraphPass, checker: GradientCheck, *args) -> GraphPass:
    """``graph`` with ``check`` set to ``checker(*args)``, the three-way check at the same point."""
    return replace(graph, check=checker(*args))
