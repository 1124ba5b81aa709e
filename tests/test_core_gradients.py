"""Every layer, activation and loss of the core agrees with central finite differences.

Independent source: coursekit.gradcheck's finite differences (float64, h = 1e-6) compare the
hand-written backward passes; the acceptance bound is a relative error below 1e-7.
"""
import numpy as np
import pytest

import coursekit as ck
from coursekit.init import he_normal, normal, xavier_normal, xavier_uniform

TOL = 1e-7

ACTIVATIONS = [ck.Sigmoid, ck.Tanh, ck.ReLU, ck.LeakyReLU, ck.Softplus, ck.Identity, ck.Softmax]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("make", ACTIVATIONS, ids=lambda c: c.__name__)
def test_activation_backward_matches_finite_differences(make, seed):
    rng = np.random.default_rng(seed)
    X = 2 * rng.standard_normal((5, 4))
    errors = ck.check_gradients(make(), X, rng=rng)
    assert errors["X"] < TOL


@pytest.mark.parametrize("init", [xavier_uniform, xavier_normal, he_normal, normal(0.5)],
                         ids=lambda f: f.__name__)
def test_linear_backward_matches_finite_differences(init):
    rng = np.random.default_rng(3)
    layer = ck.Linear(4, 3, rng=rng, init=init)
    layer.b.data[:] = rng.standard_normal(3)
    errors = ck.check_gradients(layer, rng.standard_normal((6, 4)), rng=rng)
    assert set(errors) == {"X", "W", "b"}
    assert max(errors.values()) < TOL


def _targets(loss, rng, n, k):
    if isinstance(loss, ck.CrossEntropyLoss):
        return rng.integers(0, k, n)
    if isinstance(loss, ck.BCEWithLogitsLoss):
        return rng.integers(0, 2, (n, 1)).astype(float)
    return rng.standard_normal((n, k))


@pytest.mark.parametrize("loss", [ck.MSELoss(), ck.CrossEntropyLoss(), ck.BCEWithLogitsLoss()],
                         ids=repr)
@pytest.mark.parametrize("activation", [ck.Tanh(), ck.Sigmoid(), ck.Softplus(), ck.LeakyReLU(0.1)],
                         ids=repr)
def test_three_layer_mlp_end_to_end(loss, activation):
    rng = np.random.default_rng(7)
    k = 1 if isinstance(loss, ck.BCEWithLogitsLoss) else 3
    model = ck.MLP([4, 6, 5, k], activation, rng=rng)
    for p in model.parameters():  # non-zero biases so every path is exercised
        p.data += 0.1 * rng.standard_normal(p.shape)
    X = rng.standard_normal((8, 4))
    errors = ck.check_gradients(model, X, loss, _targets(loss, rng, 8, k))
    assert len(errors) == 1 + 2 * 3
    assert max(errors.values()) < TOL


def test_one_hot_cross_entropy_matches_finite_differences():
    rng = np.random.default_rng(11)
    t = np.eye(4)[rng.integers(0, 4, 6)]
    errors = ck.check_gradients(ck.Linear(3, 4, rng=rng), rng.standard_normal((6, 3)),
                                ck.CrossEntropyLoss(), t)
    assert max(errors.values()) < TOL


def test_backward_accumulates_into_grad():
    """Two backward passes add their gradients (the multi-path chain rule needs this)."""
    rng = np.random.default_rng(0)
    layer = ck.Linear(3, 2, rng=rng)
    X, dZ = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer(X)
    layer.backward(dZ)
    once = layer.W.grad.copy()
    layer.backward(dZ)
    np.testing.assert_allclose(layer.W.grad, 2 * once)
    np.testing.assert_allclose(once, X.T @ dZ)  # deck 002: dJ/dw_ji = a_i delta_j, summed over rows
    layer.zero_grad()
    assert not layer.W.grad.any() and not layer.b.grad.any()


def test_gradcheck_catches_a_wrong_derivative():
    """The checker must fail a broken backward: sigmoid' written as sigma (1 + sigma)."""

    class BrokenSigmoid(ck.Sigmoid):
        def f_prime(self, z, a):
            return a * (1 + a)

    X = np.random.default_rng(0).standard_normal((4, 3))
    assert ck.check_gradients(BrokenSigmoid(), X)["X"] > 0.1


def test_check_function_on_the_formulas():
    from coursekit import activations as act
    x = np.linspace(-4, 4, 41) + 0.013  # avoid the ReLU kink at 0
    for f, df in [(act.sigmoid, act.sigmoid_prime), (act.tanh, act.tanh_prime),
                  (act.relu, act.relu_prime), (act.softplus, act.softplus_prime),
                  (act.leaky_relu, act.leaky_relu_prime)]:
        assert ck.check_function(f, df, x) < TOL, f.__name__
