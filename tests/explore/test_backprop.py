"""Lesson 04 explorers state the decks' worked numbers (deck 003's f = (x + y) z and ||W x||^2, deck 001's
2-2-1 net, deck 004's sin-exp-cos toy): at every slider setting coursekit's backprop, finite differences and
SymPy's gradient agree, and the graph's numbers are the chain rule's."""
import math

import numpy as np
import pytest

from coursekit.explore.backprop import (AddMultiplyExplorer, CompositeExplorer, SquaredNormExplorer,
                                        TwoTwoOneExplorer)
from coursekit.symbolic.passes import W1_EXAMPLE, W2_EXAMPLE, W_DECK


EXPLORERS = [AddMultiplyExplorer, SquaredNormExplorer, TwoTwoOneExplorer, CompositeExplorer]


@pytest.fixture(scope="module", params=EXPLORERS, ids=lambda c: c.__name__)
def explorer(request):
    return request.param()


def flat(value):
    parts = value if isinstance(value, tuple) else (value,)
    return np.concatenate([np.ravel(p) for p in parts])


def sigma(t):
    return 1 / (1 + math.exp(-t))


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
        check = explorer.result.check
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
