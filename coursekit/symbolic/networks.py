"""Gradients of small sigmoid networks: the 2-2-1 net of deck 001, the delta equations of deck 002."""
from __future__ import annotations

from functools import cache

import sympy as sp

from .activations import logistic, sigma
from .derivation import Derivation, Step, check_step, partial, tex


def _sigma_prime(t):
    """sigma'(t) = sigma(t) (1 - sigma(t)) as an expression (derived in ``sigmoid_prime_derivation()``)."""
    return logistic(t) * (1 - logistic(t))


@cache
def two_two_one_network_derivation() -> Derivation:
    """dE/dw_11^(1) of the 2-2-1 sigmoid network, one chain-rule factor at a time.

    y_hat = w_1^(2) sigma(w_11^(1) x_1 + w_21^(1) x_2) + w_2^(2) sigma(w_12^(1) x_1 + w_22^(1) x_2),
    E = 1/2 (y_hat - y)^2, so dE/dw_11^(1) = (y_hat - y) w_1^(2) sigma(s_1) (1 - sigma(s_1)) x_1.
    Follows deck 001, "Applying the chain rule".

    Note
    ----
    ``W1[i, j]`` is w_ij^(1), from input i to hidden unit j: the layout of coursekit's
    ``Linear.W`` (n_in, n_out), so the weights go into ``MLP([2, 2, 1])`` unchanged.
    """
    x = sp.Matrix(sp.symbols("x_1 x_2", real=True))
    W1 = sp.Matrix(2, 2, sp.symbols("w_{11}^{(1)} w_{12}^{(1)} w_{21}^{(1)} w_{22}^{(1)}", real=True))
    w2 = sp.Matrix(sp.symbols("w_1^{(2)} w_2^{(2)}", real=True))
    y = sp.Symbol("y", real=True)
    s_expr = W1.T * x                                   # s_j = sum_i w_ij x_i
    y_hat_expr = sum(w2[j] * logistic(s_expr[j]) for j in range(2))
    E_expr = (y_hat_expr - y) ** 2 / 2

    y_hat, h1, s1 = sp.symbols(r"\hat{y} h_1 s_1", real=True)
    factors = (sp.diff((y_hat - y) ** 2 / 2, y_hat),            # dE/dy_hat
               sp.diff(w2[0] * h1 + w2[1] * sp.Symbol("h_2"), h1),  # dy_hat/dh_1
               sp.diff(logistic(s1), s1),                          # dh_1/ds_1
               sp.diff(W1[0, 0] * x[0] + W1[1, 0] * x[1], W1[0, 0]))  # ds_1/dw_11
    at = {y_hat: y_hat_expr, s1: s_expr[0]}
    product = sp.Mul(*factors).xreplace(at)
    names = (("E", r"\hat{y}"), (r"\hat{y}", "h_1"), ("h_1", "s_1"), ("s_1", "w_{11}^{(1)}"))
    chain = sp.Mul(*(partial(*n) for n in names), evaluate=False)
    return Derivation(
        "2-2-1 network: dE/dw_11^(1)", "deck 001, applying the chain rule",
        steps=(
            Step("hidden pre-activations", (sp.Tuple(s1, sp.Symbol("s_2")), sp.Tuple(*s_expr))),
            Step("output", (y_hat, w2[0] * sigma(s1) + w2[1] * sigma(sp.Symbol("s_2")))),
            Step("error", (sp.Symbol("E"), (y_hat - y) ** 2 / 2)),
            Step("chain rule", (partial("E", "w_{11}^{(1)}"), chain)),
            Step("factor 1", (partial(*names[0]), factors[0])),
            Step("factor 2", (partial(*names[1]), factors[1])),
            Step("factor 3", (partial(*names[2]), factors[2], sigma(s1) * (1 - sigma(s1)))),
            Step("factor 4", (partial(*names[3]), factors[3])),
            Step("product", (partial("E", "w_{11}^{(1)}"),
                             (y_hat - y) * w2[0] * sigma(s1) * (1 - sigma(s1)) * x[0])),
            check_step("check: sigmoid factor minus sigma (1 - sigma)", factors[2] - _sigma_prime(s1)),
            check_step("check: direct differentiation of E minus the product",
                       sp.diff(E_expr, W1[0, 0]) - product),
        ),
        result=product, args={"x": x, "W1": W1, "w2": w2, "y": y}, function=E_expr, wrt=(W1[0, 0],),
        notes=("Deck 001's slides swap the labels midway: first a_1 = sigma(...) is the hidden "
               "output, later a_1 is the pre-activation and z_1 = sigma(a_1), the reverse of decks "
               "002/003 (z pre-activation, a = f(z)). Here s_1 is the pre-activation and "
               "h_1 = sigma(s_1) the hidden output. The net has no biases, as on the slide.",))


@cache
def delta_equations_derivation() -> Derivation:
    """The delta equations of backprop for a 2-2-2 sigmoid network, equal to direct differentiation.

    delta^(L) = (a^(L) - y) * f'(z^(L)),  delta^(l) = ((W^(l+1))^T delta^(l+1)) * f'(z^(l)),
    dJ/db^(l) = delta^(l),  dJ/dw_ji^(l) = a_i^(l-1) delta_j^(l), with J = 1/2 ||y - a^(L)||^2.
    Follows deck 002, "Backpropagation" (equations 1 and 2 and the five-step algorithm).

    Note
    ----
    The deck's ``W^(l)`` is ``(n_out, n_in)`` (w_ji from neuron i to neuron j); coursekit's
    ``Linear.W`` is its transpose. ``result`` is ``(dJ/dW1, dJ/db1, dJ/dW2, dJ/db2)`` in the
    deck's layout.
    """
    x, y = sp.Matrix(sp.symbols("x_1 x_2", real=True)), sp.Matrix(sp.symbols("y_1 y_2", real=True))
    layer = {}
    for l in (1, 2):
        layer[f"W{l}"] = sp.Matrix(2, 2, sp.symbols(f"w_{{11}}^{{({l})}} w_{{12}}^{{({l})}} "
                                                    f"w_{{21}}^{{({l})}} w_{{22}}^{{({l})}}", real=True))
        layer[f"b{l}"] = sp.Matrix(sp.symbols(f"b_1^{{({l})}} b_2^{{({l})}}", real=True))
    W1, b1, W2, b2 = layer["W1"], layer["b1"], layer["W2"], layer["b2"]

    # explicit: in terms of the inputs and parameters
    z1 = W1 * x + b1
    a1 = z1.applyfunc(logistic)
    z2 = W2 * a1 + b2
    a2 = z2.applyfunc(logistic)
    J = sum((y - a2).applyfunc(lambda e: e ** 2)) / 2
    delta2 = (a2 - y).multiply_elementwise(z2.applyfunc(_sigma_prime))
    delta1 = (W2.T * delta2).multiply_elementwise(z1.applyfunc(_sigma_prime))
    grads = (delta1 * x.T, delta1, delta2 * a1.T, delta2)
    direct = tuple(sp.Matrix(p.shape[0], p.shape[1], [sp.diff(J, v) for v in p]) for p in (W1, b1, W2, b2))

    # display: the same equations in the slide's symbols
    def vec(name, l):
        return sp.Matrix(sp.symbols(f"{name}_1^{{({l})}} {name}_2^{{({l})}}"))
    zs1, as1, zs2, as2 = vec("z", 1), vec("a", 1), vec("z", 2), vec("a", 2)
    ds1, ds2 = vec(r"\delta", 1), vec(r"\delta", 2)

    def fprime(v):
        return v.applyfunc(lambda t: sigma(t) * (1 - sigma(t)))
    return Derivation(
        "delta equations (2-2-2 sigmoid network)", "deck 002, backpropagation: the delta equations",
        steps=(
            Step("feedforward, layer 1", (zs1, W1 * x + b1)),
            Step("activation, layer 1", (as1, zs1.applyfunc(sigma))),
            Step("feedforward, layer 2", (zs2, W2 * as1 + b2)),
            Step("loss", (sp.Symbol("J"), sum((y - as2).applyfunc(lambda e: e ** 2)) / 2)),
            Step("output error (eq. 1)", (ds2, (as2 - y).multiply_elementwise(fprime(zs2)))),
            Step("backpropagate the error (eq. 2)", (ds1, (W2.T * ds2).multiply_elementwise(fprime(zs1)))),
            Step("bias gradients", (sp.Tuple(tex(r"\nabla_{b^{(1)}} J"), tex(r"\nabla_{b^{(2)}} J")),
                                    sp.Tuple(ds1, ds2))),
            Step("weight gradients, a_i^(l-1) delta_j^(l)", (sp.Tuple(tex(r"\nabla_{W^{(1)}} J"), tex(r"\nabla_{W^{(2)}} J")),
                                                            sp.Tuple(ds1 * x.T, ds2 * as1.T))),
            check_step("check: direct differentiation of J minus the delta equations, all 12 parameters",
                       [d - g for D, G in zip(direct, grads) for d, g in zip(D, G)]),
        ),
        result=grads, args={"x": x, "y": y, "W1": W1, "b1": b1, "W2": W2, "b2": b2},
        function=J, wrt=(W1, b1, W2, b2),
        notes=("The deck's W^(l) is (n_out, n_in): w_ji joins neuron i of layer l-1 to neuron j of "
               "layer l. coursekit's Linear stores its transpose, (n_in, n_out), batch-first.",))
