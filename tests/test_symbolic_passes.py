"""Lesson 04 explorers state the decks' worked numbers (deck 003's f = (x + y) z and ||W x||^2, deck 001's
2-2-1 net, deck 004's sin-exp-cos toy): at every slider setting coursekit's backprop, finite differences and
SymPy's gradient agree, and the graph's numbers are the chain rule's."""
import math

import numpy as np
import pytest

from coursekit import MLP, MSELoss, Sigmoid, symbolic
from coursekit.symbolic.passes import (BETA_EXAMPLE, GradientCheck, OMEGA_EXAMPLE, add_multiply_pass,
                                       composite_pass, five_steps, squared_norm_pass)


@pytest.mark.parametrize("x, y", [(2.3, 2.0), (-3.0, -2.0), (0.0, 4.0)])
def test_composite_matches_deck_004s_hand_derived_omega_0_gradient(x, y):
    b, w = BETA_EXAMPLE, OMEGA_EXAMPLE
    f0 = b[0] + w[0] * x
    f1 = b[1] + w[1] * math.sin(f0)
    f2 = b[2] + w[2] * math.exp(f1)
    f = b[3] + w[3] * math.cos(f2)
    r = composite_pass(x, y)
    assert r.forward["f3"] == pytest.approx(f) and r.forward["l"] == pytest.approx((f - y) ** 2)
    # deck 004: dl/domega_0 = -2 (f - y) omega_1 omega_2 omega_3 x cos(f_0) exp(f_1) sin(f_2)
    deck = -2 * (f - y) * w[1] * w[2] * w[3] * x * math.cos(f0) * math.exp(f1) * math.sin(f2)
    assert r.params["omega"][0] == pytest.approx(deck, rel=1e-12, abs=1e-14)
    # dl/df_3 = 2 (f_3 - y); dl/dbeta_k = dl/df_k
    assert r.backward["f3"] == pytest.approx(2 * (f - y)) == r.params["beta"][3]


def test_five_steps_are_the_delta_equations():
    rng = np.random.default_rng(3)
    net = MLP([2, 2, 2], Sigmoid(), Sigmoid(), rng=rng)
    x, y = rng.uniform(-1, 1, (1, 2)), rng.uniform(0, 1, (1, 2))
    run = five_steps(net, MSELoss(), x, y)
    a0, z1, a1, z2, a2 = run.outputs
    delta1, delta2 = run.deltas

    def fprime(z):
        return (1 / (1 + np.exp(-z))) * (1 - 1 / (1 + np.exp(-z)))
    # eq. 1 and eq. 2 of deck 002, batch-first (W_layer = W_deck^T)
    np.testing.assert_allclose(delta2, (a2 - y) * fprime(z2))
    np.testing.assert_allclose(delta1, (delta2 @ net[2].W.data.T) * fprime(z1))
    # step 5: dJ/db = delta, dJ/dw_ji = a_i delta_j; and all of it equals SymPy's derivation
    np.testing.assert_allclose(net[2].b.grad, delta2[0])
    np.testing.assert_allclose(net[0].W.grad, a0.T @ delta1)
    expected = symbolic.delta_equations_derivation().lambdify()(
        x[0], y[0], net[0].W.data.T, net[0].b.data, net[2].W.data.T, net[2].b.data)
    got = (net[0].W.grad.T, net[0].b.grad, net[2].W.grad.T, net[2].b.grad)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, atol=1e-14)


def test_a_backward_pass_that_forgets_the_chain_rule_fails_the_check():
    def wrong(x, y, z):
        return 1.0, 1.0, x + y     # local gradients of the add node, not multiplied by df/dq = z
    check = GradientCheck(symbolic.add_multiply_graph_derivation(), wrong)(-2.0, 5.0, -4.0)
    assert check["backprop vs finite differences"] > 0.1 and check["sympy vs finite differences"] < 1e-9


def test_compute_functions_by_hand():
    r = add_multiply_pass(1.0, 2.0, 3.0)      # f = 9, df/dz = 3, df/dx = df/dy = 3
    assert r.forward["f"] == 9.0 and (r.backward["x"], r.backward["z"]) == (3.0, 3.0)
    r = squared_norm_pass(1.0, 0.0, W=np.eye(2))   # f = x1^2 + x2^2 = 1, grad_x = 2 x
    assert r.forward["f"] == 1.0 and (r.backward["x1"], r.backward["x2"]) == (2.0, 0.0)


def test_bad_arguments_name_themselves():
    with pytest.raises(TypeError, match="net must be a coursekit Sequential"):
        five_steps("net", MSELoss(), [[0.0, 0.0]], [[0.0]])
    with pytest.raises(ValueError, match="W must be a 2-D array"):
        squared_norm_pass(0.1, 0.2, W=[1.0, 2.0])
