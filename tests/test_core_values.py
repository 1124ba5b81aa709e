"""Values of the core's formulas against numbers worked out by hand."""
import warnings

import numpy as np
import pytest

import coursekit as ck
from coursekit import activations as act


@pytest.mark.parametrize("f, z, expected", [
    (act.sigmoid, 0.0, 0.5),
    (act.sigmoid, np.log(3), 0.75),                  # 1 / (1 + 1/3)
    (act.sigmoid_prime, 0.0, 0.25),                  # sigma (1 - sigma) at its maximum
    (act.tanh, np.log(2), 0.6),                      # (2 - 1/2) / (2 + 1/2)
    (act.tanh_prime, np.log(2), 0.64),               # 1 - 0.6^2
    (act.softplus, 0.0, np.log(2)),
    (act.softplus_prime, np.log(3), 0.75),           # = sigma
    (act.relu, -2.0, 0.0), (act.relu, 3.0, 3.0), (act.relu_prime, -1.0, 0.0),
    (act.leaky_relu, -2.0, -0.02),
])
def test_activation_values(f, z, expected):
    assert f(np.array([z]))[0] == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_softmax_and_its_jacobian():
    p = act.softmax(np.log([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(p, [[1 / 6, 2 / 6, 3 / 6]], rtol=1e-12)
    J = ck.Softmax.jacobian(p[0])
    expected = np.array([[5 / 36, -2 / 36, -3 / 36],   # p_i (1{i=j} - p_j)
                         [-2 / 36, 8 / 36, -6 / 36],
                         [-3 / 36, -6 / 36, 9 / 36]])
    np.testing.assert_allclose(J, expected, rtol=1e-12, atol=1e-15)


def test_losses_by_hand():
    assert ck.MSELoss()(np.array([[1.0, 2.0]]), np.zeros((1, 2))) == pytest.approx(2.5)  # 1/2 (1 + 4)
    mse = ck.MSELoss()
    assert mse(np.array([[1.0], [3.0]]), np.zeros((2, 1))) == pytest.approx(2.5)  # mean of 0.5, 4.5
    np.testing.assert_allclose(mse.backward(), [[0.5], [1.5]])                   # (a - y) / n
    ce = ck.CrossEntropyLoss()
    assert ce(np.log([[1.0, 2.0, 3.0]]), np.array([2])) == pytest.approx(np.log(2))  # -log(1/2)
    np.testing.assert_allclose(ce.backward(), [[1 / 6, 2 / 6, -1 / 2]])             # p - t
    bce = ck.BCEWithLogitsLoss()
    assert bce(np.zeros((1, 1)), np.ones(1)) == pytest.approx(np.log(2))
    np.testing.assert_allclose(bce.backward(), [[-0.5]])                            # sigma(0) - 1


@pytest.mark.parametrize("big", [1e4, 1e6])
def test_cross_entropy_stays_finite_for_huge_logits(big):
    ce = ck.CrossEntropyLoss()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = ce(np.array([[big, -big]]), np.array([1]))
        grad = ce.backward()
    assert value == pytest.approx(2 * big)    # -log p_1 = logsumexp - z_1 = big - (-big)
    np.testing.assert_allclose(grad, [[1.0, -1.0]])
    assert ce(np.array([[big, -big]]), np.array([0])) == 0.0


def test_sigmoid_and_bce_finite_at_800():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = act.sigmoid(np.array([-800.0, 800.0]))
        bce = ck.BCEWithLogitsLoss()
        value = bce(np.array([[800.0], [-800.0]]), np.array([0.0, 1.0]))
        out = ck.Sigmoid()(np.array([[-800.0, 800.0]]))
    np.testing.assert_array_equal(s, [0.0, 1.0])
    np.testing.assert_array_equal(out, [[0.0, 1.0]])
    assert value == pytest.approx(800.0)  # each example: -log sigma(-800) ~ 800


def test_parameter_count():
    assert ck.parameter_count([2, 2, 1]) == 9          # (2+1)*2 + (2+1)*1
    assert ck.parameter_count([784, 256, 256, 10]) == 784 * 256 + 256 + 256 * 256 + 256 + 2570
    model = ck.MLP([784, 256, 256, 10], rng=0)
    assert sum(p.data.size for p in model.parameters()) == ck.parameter_count(model.sizes)


@pytest.mark.parametrize("init, var", [
    (ck.init.he_normal, lambda i, o: 2 / i),
    (ck.init.xavier_normal, lambda i, o: 2 / (i + o)),
    (ck.init.xavier_uniform, lambda i, o: 2 / (i + o)),
    (ck.init.normal(0.1), lambda i, o: 0.01),
])
def test_initialisation_variance(init, var):
    W = init(400, 300, np.random.default_rng(0))
    # sample variance of 120000 draws: relative standard error ~ sqrt(2/n) ~ 0.4%
    assert W.var() == pytest.approx(var(400, 300), rel=0.03)
    assert abs(W.mean()) < 5 * np.sqrt(var(400, 300) / W.size)
