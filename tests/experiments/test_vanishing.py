"""Facts of lesson 07 (decks 000, 003, 004): why deep nets were hard.

Expected values come from the delta equation delta^l = (W^(l+1)^T delta^(l+1)) * f'(z^l) with
the hand bounds sigma' <= 1/4 and tanh' <= 1, from finite differences, and from w^L computed
here for the deep linear chain.
"""
import numpy as np
import pytest

from coursekit.activations import ReLU, Sigmoid, Tanh
from coursekit.experiments.vanishing import (activation_histogram, chain_step, gradient_profile,
                                             linear_chain, matrix_chain, saturated_fraction, scaled_init)
from coursekit.gradcheck import numerical_gradient, relative_error
from coursekit.init import he_normal, normal, xavier_normal
from coursekit.losses import MSELoss


DEPTHS = [1, 5, 10, 20]


MAX_DEPTH = 20  # the depth slider's maximum in lesson 07


def first_over_last(activation, init, depth, scale=1.0):
    g = gradient_profile(depth, activation, scaled_init(init, scale)).grad_norms
    return g[0] / g[-1]


def assert_sigmoid_vanishes(depth=MAX_DEPTH):
    # sigma' <= 1/4 per layer and Glorot weights keep ||W^T v|| ~ ||v||: the ratio shrinks
    # like 4^-depth; half that exponent leaves ample room for the random weights.
    assert first_over_last(Sigmoid(), xavier_normal, depth) < 4.0 ** (-depth / 2)


# -- the compute function ----------------------------------------------------------------
@pytest.mark.parametrize("activation", [Sigmoid, Tanh, ReLU])
def test_grad_norms_are_the_norms_of_finite_difference_gradients(activation):
    p = gradient_profile(2, activation(), xavier_normal, width=3, n=4, rng=1)
    net, X, y = p.net, p.X, p.y
    weights = [param for name, param in net.named_parameters() if name.endswith("W")]
    assert len(weights) == len(p.grad_norms) == 3
    for W, norm in zip(weights, p.grad_norms):
        numeric = numerical_gradient(lambda: MSELoss()(net(X), y), W.data)
        assert relative_error(norm, np.linalg.norm(numeric)) < 1e-6


def test_profile_keeps_every_hidden_layer():
    p = gradient_profile(4, Tanh(), xavier_normal, width=5, n=7)
    assert len(p.z) == len(p.a) == 4
    assert all(z.shape == a.shape == (7, 5) for z, a in zip(p.z, p.a))
    np.testing.assert_allclose(p.a[2], np.tanh(p.z[2]))


def test_same_seed_same_numbers():
    a = gradient_profile(5, Sigmoid(), he_normal, rng=3).grad_norms
    b = gradient_profile(5, Sigmoid(), he_normal, rng=3).grad_norms
    np.testing.assert_array_equal(a, b)


def test_scaled_init_multiplies_the_weights():
    rng_a, rng_b = np.random.default_rng(0), np.random.default_rng(0)
    np.testing.assert_allclose(scaled_init(he_normal, 0.3)(4, 5, rng_a), 0.3 * he_normal(4, 5, rng_b))
    np.testing.assert_allclose(scaled_init(normal(1.0), 0.3)(4, 5, np.random.default_rng(1)),
                               normal(0.3)(4, 5, np.random.default_rng(1)))


@pytest.mark.parametrize("bad, error", [(0.0, ValueError), (-1.0, ValueError), ("big", TypeError)])
def test_scaled_init_refuses_bad_scale(bad, error):
    with pytest.raises(error, match="scale"):
        scaled_init(he_normal, bad)


# -- the facts of the lesson ----------------------------------------------------------------
def test_sigmoid_first_layer_gradient_falls_with_depth():
    first = [gradient_profile(d, Sigmoid(), xavier_normal).grad_norms[0] for d in DEPTHS]
    assert all(a > b for a, b in zip(first, first[1:])), first
    assert_sigmoid_vanishes()


def test_relu_with_he_init_keeps_the_gradient():
    ratios = [first_over_last(ReLU(), he_normal, d) for d in DEPTHS]
    assert all(1e-2 < r < 1e2 for r in ratios), ratios
    assert ratios[-1] > 1e6 * first_over_last(Sigmoid(), xavier_normal, DEPTHS[-1])


def test_tanh_with_tiny_init_vanishes():
    # tanh' <= 1 and every weight times s: the backward signal shrinks by about s per layer.
    s, depth = 0.1, MAX_DEPTH
    tiny = gradient_profile(depth, Tanh(), scaled_init(xavier_normal, s)).grad_norms
    usual = gradient_profile(depth, Tanh(), xavier_normal).grad_norms
    assert tiny[0] < s ** (depth / 2) * usual[0]
    assert tiny.max() < s ** (depth / 2) * usual.max()


def test_a_backward_without_the_sigmoid_derivative_fails_the_fact(monkeypatch):
    """Deliberately broken backprop (f' taken as 1) passes the gradient on: the test notices."""
    monkeypatch.setattr(Sigmoid, "f_prime", lambda self, z, a: np.ones_like(z))
    with pytest.raises(AssertionError):
        assert_sigmoid_vanishes()


@pytest.mark.parametrize("activation, z, expected", [
    (Sigmoid(), [0.0, 2.0, 7.0, -8.0], 0.5),   # sigma'(7) = 9.1e-4 < 0.0025; sigma'(2) = 0.105
    (Tanh(), [0.0, 1.0, 3.0, -4.0], 0.5),      # tanh'(3) = 9.9e-3 < 0.01; tanh'(1) = 0.42
    (ReLU(), [-1.0, 0.0, 0.5, 2.0], 0.5),      # f' = 0 for z <= 0
])
def test_saturated_fraction_by_hand(activation, z, expected):
    assert saturated_fraction(np.array(z), activation) == expected


def test_activation_histogram_is_a_density():
    centres, density = activation_histogram(np.linspace(0, 1, 1001), 0.0, 1.0, bins=10)
    np.testing.assert_allclose(centres, np.arange(10) / 10 + 0.05)
    np.testing.assert_allclose(np.sum(density) * 0.1, 1.0)


# -- the deep linear chain (deck 003: higher order effects) --------------------------------
@pytest.mark.parametrize("w", [0.5, 0.9, 1.0, 1.1, 1.5])
@pytest.mark.parametrize("L", [1, 10, 50])
def test_linear_chain_is_w_to_the_L(w, L):
    x = 0.7
    chain = linear_chain(w, L, x=x)
    np.testing.assert_allclose(chain.h, x * w ** np.arange(L + 1), rtol=1e-12)
    np.testing.assert_allclose(chain.g, np.full(L, x * w ** (L - 1)), rtol=1e-12)


@pytest.mark.parametrize("w, L", [(1.5, 50), (1.1, 50), (0.5, 50), (0.9, 50)])
def test_linear_chain_explodes_or_vanishes_geometrically(w, L):
    h = linear_chain(w, L).h
    np.testing.assert_allclose(h[1:] / h[:-1], w, rtol=1e-12)
    if w > 1:
        assert h[-1] == pytest.approx(w ** L) and h[-1] > 100
    else:
        assert h[-1] == pytest.approx(w ** L) and h[-1] < 0.01


@pytest.mark.parametrize("w, L, lr", [(1.1, 20, 1e-3), (1.5, 20, 1e-3), (0.9, 10, 0.05)])
def test_chain_step_matches_the_expanded_product(w, L, lr):
    step = chain_step(w, L, lr)
    g = w ** (L - 1)
    assert step.actual == pytest.approx((w - lr * g) ** L, rel=1e-10)
    assert step.predicted == pytest.approx(w ** L - lr * L * g * g, rel=1e-10)


def test_first_order_is_right_for_tiny_steps_and_wrong_for_long_chains():
    small = chain_step(1.1, 20, 1e-7)
    ratio = (small.actual - small.y_hat) / (small.predicted - small.y_hat)
    assert ratio == pytest.approx(1.0, abs=1e-3)
    # w = 1.5, L = 20, lr = 1e-3: predicted 1.5^20 - 0.02 * 1.5^38 < 0, while each factor
    # 1.5 - 1e-3 * 1.5^19 = 1.5 - 2.2 > -1 flips sign and shrinks: the real output is tiny.
    big = chain_step(1.5, 20, 1e-3)
    assert big.predicted < -1e4 and abs(big.actual) < 1


@pytest.mark.parametrize("w, grows", [(1.5, True), (0.5, False)])
def test_matrix_chain_explodes_or_vanishes(w, grows):
    norms = matrix_chain(w, 50)
    # E ||W h||^2 = w^2 ||h||^2: about w^50 = 6e8 or 9e-16; allow many orders of slack.
    assert norms[-1] > 1e4 if grows else norms[-1] < 1e-4


@pytest.mark.parametrize("call, name", [
    (lambda: gradient_profile(0, Sigmoid(), xavier_normal), "depth"),
    (lambda: gradient_profile(3, Sigmoid(), xavier_normal, width=2.5), "width"),
    (lambda: linear_chain(float("nan"), 5), "w"),
    (lambda: linear_chain(1.1, 0), "L"),
    (lambda: matrix_chain(1.1, 5, width=0), "width"),
    (lambda: scaled_init("he", 1.0), "init"),
])
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
