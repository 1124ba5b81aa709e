"""Lesson 04 explorers state the decks' worked numbers (deck 003's f = (x + y) z and ||W x||^2, deck 001's
2-2-1 net, deck 004's sin-exp-cos toy): at every slider setting coursekit's backprop, finite differences and
SymPy's gradient agree, and the graph's numbers are the chain rule's."""
import math

import numpy as np
import pytest

from coursekit import MLP, MSELoss, Sigmoid, symbolic
from coursekit.explore.backprop import (BETA_EXAMPLE, OMEGA_EXAMPLE, W1_EXAMPLE, W2_EXAMPLE, W_DECK,
                                        AddMultiplyExplorer, CompositeExplorer, GradientCheck,
                                        SquaredNormExplorer, TwoTwoOneExplorer, add_multiply_pass,
                                        composite_pass, five_steps, squared_norm_pass)

EXPLORERS = [AddMultiplyExplorer, SquaredNormExplorer, TwoTwoOneExplorer, CompositeExplorer]


@pytest.fixture(scope="module", params=EXPLORERS, ids=lambda c: c.__name__)
def explorer(request):
    return request.param()


def flat(value):
    parts = value if isinstance(value, tuple) else (value,)
    return np.concatenate([np.ravel(p) for p in parts])


def test_the_deck_003_worked_example_by_hand():
    # deck 003: q = x + y = 3, f = q z = -12; df/dz = q = 3, df/dq = z = -4 = df/dx = df/dy
    explorer = AddMultiplyExplorer()
    assert explorer.values == {"x": -2.0, "y": 5.0, "z": -4.0}   # the default is the deck's point
    r = explorer.result
    assert (r.forward["q"], r.forward["f"]) == (3.0, -12.0)
    assert (r.backward["x"], r.backward["y"], r.backward["z"]) == (-4.0, -4.0, 3.0)
    assert "f = q z = -12" in explorer.info.get_text()
    assert explorer.value_texts["f"].get_text() == "-12" and explorer.grad_texts["z"].get_text() == "3"


def test_squared_norm_at_the_cs231n_point():
    # W = [[0.1, 0.5], [-0.3, 0.8]], x = (0.2, 0.4): q = (0.22, 0.26), f = 0.22^2 + 0.26^2 = 0.116,
    # grad_x = 2 W^T q = (-0.112, 0.636), grad_W = 2 q x^T = [[0.088, 0.176], [0.104, 0.208]]
    explorer = SquaredNormExplorer()
    assert explorer.values == {"x1": 0.2, "x2": 0.4}
    r = explorer.result
    assert r.forward["f"] == pytest.approx(0.116)
    assert explorer.value_texts["f"].get_text() == "0.116"
    assert (r.forward["q1"], r.forward["q2"]) == pytest.approx((0.22, 0.26))
    assert (r.backward["x1"], r.backward["x2"]) == pytest.approx((-0.112, 0.636))
    np.testing.assert_allclose(r.params["grad_W"], [[0.088, 0.176], [0.104, 0.208]])
    np.testing.assert_array_equal(W_DECK, [[0.1, 0.5], [-0.3, 0.8]])


def test_every_slider_setting_agrees_three_ways(explorer, sweep):
    sympy_gradient = explorer.derivation.lambdify()   # SymPy's derivative, evaluated independently
    for name, value in sweep(explorer):
        check = explorer.check
        expected = flat(sympy_gradient(*explorer.derivation_args(**explorer.values)))
        np.testing.assert_allclose(check["backprop"], expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())
        np.testing.assert_allclose(check["numerical"], expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())
        assert check["backprop vs finite differences"] < 1e-6
        # the readout states the check
        assert "backprop vs finite differences" in explorer.info.get_text()


def test_the_graph_shows_the_gradient_sympy_derives(explorer, sweep):
    """The red numbers drawn at the inputs are SymPy's partial derivatives."""
    d = explorer.derivation
    for name, value in sweep(explorer):
        r, v = explorer.result, explorer.values
        grad = d.lambdify()(*explorer.derivation_args(**v))
        if isinstance(explorer, AddMultiplyExplorer):
            np.testing.assert_allclose([r.backward[k] for k in "xyz"], grad, atol=1e-12)
        elif isinstance(explorer, SquaredNormExplorer):
            np.testing.assert_allclose([r.backward["x1"], r.backward["x2"]], grad[1], atol=1e-12)
            np.testing.assert_allclose(r.params["grad_W"], grad[0], atol=1e-12)
        elif isinstance(explorer, TwoTwoOneExplorer):
            assert r.params["W1"][0, 0] == pytest.approx(float(grad), abs=1e-12)
        else:
            np.testing.assert_allclose(r.params["beta"], grad[0], atol=1e-10)
            np.testing.assert_allclose(r.params["omega"], grad[1], atol=1e-10)


def sigma(t):
    return 1 / (1 + math.exp(-t))


@pytest.mark.parametrize("x1, x2, y", [(1.0, -0.5, 0.5), (-2.0, 2.0, -1.0), (0.3, 0.0, 1.0)])
def test_two_two_one_net_follows_deck_001_by_hand(x1, x2, y):
    W1, w2 = W1_EXAMPLE, W2_EXAMPLE
    s1 = W1[0, 0] * x1 + W1[1, 0] * x2
    s2 = W1[0, 1] * x1 + W1[1, 1] * x2
    y_hat = w2[0] * sigma(s1) + w2[1] * sigma(s2)
    explorer = TwoTwoOneExplorer()
    explorer.set(x1=x1, x2=x2, y=y)
    r = explorer.result
    assert r.forward["y_hat"] == pytest.approx(y_hat) and r.forward["E"] == pytest.approx(0.5 * (y_hat - y) ** 2)
    # deck 001: dE/dw_11 = (y_hat - y) w_1^(2) sigma(s_1) (1 - sigma(s_1)) x_1
    assert r.params["W1"][0, 0] == pytest.approx((y_hat - y) * w2[0] * sigma(s1) * (1 - sigma(s1)) * x1)
    # deck 002: delta^(1)_j = w_j^(2) delta^(2) sigma'(s_j), with delta^(2) = y_hat - y (linear output)
    assert r.backward["y_hat"] == pytest.approx(y_hat - y)
    assert r.backward["s2"] == pytest.approx(w2[1] * (y_hat - y) * sigma(s2) * (1 - sigma(s2)))


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
    expected = symbolic.delta_equations().lambdify()(
        x[0], y[0], net[0].W.data.T, net[0].b.data, net[2].W.data.T, net[2].b.data)
    got = (net[0].W.grad.T, net[0].b.grad, net[2].W.grad.T, net[2].b.grad)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, atol=1e-14)


def test_a_backward_pass_that_forgets_the_chain_rule_fails_the_check():
    def wrong(x, y, z):
        return 1.0, 1.0, x + y     # local gradients of the add node, not multiplied by df/dq = z
    check = GradientCheck(symbolic.add_multiply_graph(), wrong)(-2.0, 5.0, -4.0)
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
