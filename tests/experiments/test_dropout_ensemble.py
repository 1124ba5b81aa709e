"""Dropout as an ensemble: enumeration by hand, the two exact cases of the weight scaling rule,
Monte Carlo with independently drawn masks and with coursekit's own (inverted) Dropout."""
import numpy as np
import pytest

from coursekit.activations import Identity, ReLU, Softmax, Tanh
from coursekit.experiments.dropout_ensemble import (all_masks, dropout_ensemble, mask_probabilities,
                                                    normalized_geometric_mean)
from coursekit.layers import Linear
from coursekit.module import Sequential
from coursekit.regularization import Dropout

# One input, two ReLU units: z1 = (x W1 + b1) = (x, -x + 0.5); out = 2 h0 + 3 h1 - 1.
HAND = dict(W1=np.array([[1.0, -1.0]]), b1=np.array([0.0, 0.5]), W2=np.array([[2.0], [3.0]]),
            b2=np.array([-1.0]), x=np.array([[1.0]]))


def test_masks_are_every_binary_row_in_counting_order():
    assert all_masks(2).tolist() == [[False, False], [False, True], [True, False], [True, True]]
    masks = all_masks(5)
    assert masks.shape == (32, 5) and len({tuple(m) for m in masks}) == 32


@pytest.mark.parametrize("p", [0.5, 0.2, [0.2, 0.5, 0.5, 0.9]])
def test_mask_probabilities_sum_to_one(p):
    assert mask_probabilities(all_masks(4), p).sum() == pytest.approx(1.0, abs=1e-12)


def test_mask_probability_by_hand():
    # keep unit 0 (drop prob 0.2): 0.8; drop unit 1 (drop prob 0.5): 0.5
    assert mask_probabilities([[1, 0]], [0.2, 0.5]) == pytest.approx([0.4])


def test_eight_sub_networks_by_hand():
    """Input kept: h = (1, 0), outputs -1, -1, 1, 1 over the hidden masks 00, 01, 10, 11.
    Input dropped: h = (0, 0.5), outputs -1, 0.5, -1, 0.5. Uniform average -1/8; the weight
    scaling rule gives h = relu(0.5, 0) and 0.5 * 2 * 0.5 - 1 = -0.5."""
    result = dropout_ensemble(**HAND, p_input=0.5, p_hidden=0.5)
    assert result.outputs[:, 0, 0].tolist() == [-1.0, 0.5, -1.0, 0.5, -1.0, -1.0, 1.0, 1.0]
    assert result.probabilities == pytest.approx(np.full(8, 1 / 8))
    assert result.ensemble_mean == pytest.approx(np.array([[-0.125]]))
    assert result.weight_scaled == pytest.approx(np.array([[-0.5]]))


def test_unequal_drop_probabilities_by_hand():
    """p_input = 0.2: 0.8 * mean(-1, -1, 1, 1) + 0.2 * mean(-1, 0.5, -1, 0.5) = -0.05;
    weight scaling: h = relu(0.8, -0.3) = (0.8, 0), 0.5 * 2 * 0.8 - 1 = -0.2."""
    result = dropout_ensemble(**HAND, p_input=0.2, p_hidden=0.5)
    assert result.ensemble_mean == pytest.approx(np.array([[-0.05]]))
    assert result.weight_scaled == pytest.approx(np.array([[-0.2]]))


def _random_net(rng, d=3, h=4, c=2, m=5):
    return dict(W1=rng.normal(size=(d, h)), b1=rng.normal(size=h), W2=rng.normal(size=(h, c)),
                b2=rng.normal(size=c), x=rng.normal(size=(m, d)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weight_scaling_is_exact_for_a_linear_network(seed):
    """Each sub-network's output is affine in each mask bit, and the bits are independent."""
    net = _random_net(np.random.default_rng(seed))
    result = dropout_ensemble(**net, p_input=[0.1, 0.2, 0.3], p_hidden=0.5, activation=Identity())
    np.testing.assert_allclose(result.ensemble_mean, result.weight_scaled, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weight_scaling_is_the_normalized_geometric_mean_of_a_linear_softmax_network(seed):
    """Goodfellow et al. 7.12: prod_k softmax(z_k)^P_k ∝ exp(sum_k P_k z_k) = exp(z of the scaled net)."""
    net = _random_net(np.random.default_rng(seed), c=3)
    result = dropout_ensemble(**net, p_input=0.2, p_hidden=[0.5, 0.1, 0.7, 0.5],
                              activation=Identity(), output=Softmax())
    np.testing.assert_allclose(normalized_geometric_mean(result.outputs, result.probabilities),
                               result.weight_scaled, rtol=1e-10)
    assert np.abs(result.ensemble_mean - result.weight_scaled).max() > 1e-3  # the arithmetic mean is not


def test_a_nonlinear_hidden_layer_breaks_weight_scaling():
    net = _random_net(np.random.default_rng(3))
    result = dropout_ensemble(**net, p_input=0.2, p_hidden=0.5, activation=Tanh())
    assert np.abs(result.ensemble_mean - result.weight_scaled).max() > 1e-2


def test_ensemble_mean_agrees_with_sampled_masks():
    """Masks drawn independently of the enumeration: the sample mean is within 5 standard errors."""
    net, rng = _random_net(np.random.default_rng(4)), np.random.default_rng(5)
    result = dropout_ensemble(**net, p_input=0.2, p_hidden=0.5)
    n = 20000
    mu_in = rng.random((n, 1, 3)) >= 0.2
    mu_h = rng.random((n, 1, 4)) >= 0.5
    samples = (np.maximum((net["x"][None] * mu_in) @ net["W1"] + net["b1"], 0) * mu_h) @ net["W2"] + net["b2"]
    stderr = samples.std(axis=0) / np.sqrt(n)
    assert (np.abs(samples.mean(axis=0) - result.ensemble_mean) < 5 * stderr).all()


def test_coursekit_inverted_dropout_is_the_same_ensemble_with_rescaled_weights():
    """Inverted dropout (x * mu / (1 - p)) with weights W is the mask-bits-only sub-network with
    W / (1 - p): its average over training-mode passes is the ensemble mean of the rescaled net,
    and its evaluation mode (no dropout, no scaling) is that net's weight scaling rule."""
    net = _random_net(np.random.default_rng(6))
    model = Sequential(Dropout(0.2, rng=7), Linear(3, 4, rng=0), ReLU(), Dropout(0.5, rng=8), Linear(4, 2, rng=0))
    model.layers[1].W.data[...], model.layers[1].b.data[...] = net["W1"], net["b1"]
    model.layers[4].W.data[...], model.layers[4].b.data[...] = net["W2"], net["b2"]
    rescaled = dropout_ensemble(net["W1"] / 0.8, net["b1"], net["W2"] / 0.5, net["b2"], net["x"],
                                p_input=0.2, p_hidden=0.5)
    samples = np.stack([model(net["x"]) for _ in range(20000)])
    stderr = samples.std(axis=0) / np.sqrt(len(samples))
    assert (np.abs(samples.mean(axis=0) - rescaled.ensemble_mean) < 5 * stderr).all()
    model.eval()
    np.testing.assert_allclose(model(net["x"]), rescaled.weight_scaled, rtol=1e-12)


@pytest.mark.parametrize("call,match", [
    (lambda: all_masks(17), "at most 16"),
    (lambda: mask_probabilities([[1, 2]], 0.5), "0/1"),
    (lambda: mask_probabilities([[1, 0]], [0.5, 1.0]), r"p must be one drop probability in \[0, 1\)"),
    (lambda: dropout_ensemble(**{**HAND, "W2": np.ones((3, 1))}), "shapes do not chain"),
    (lambda: dropout_ensemble(**HAND, p_hidden=1.0), "p_hidden"),
])
def test_bad_input_is_refused_with_a_message(call, match):
    with pytest.raises(ValueError, match=match):
        call()
