"""Batch normalization facts from deck 003 (forward prop, backpropagation, running averages).

Independent sources: central finite differences (coursekit.gradcheck) for the backward pass,
the slide's definitions (batch mean, biased batch variance) evaluated with NumPy in the test,
and the running-average recursion written out in the test.
"""
import numpy as np
import pytest

import coursekit as ck
from coursekit.batchnorm import BatchNorm1d

TOL = 1e-7


def _bn_with_random_affine(n, seed, **kwargs):
    bn = BatchNorm1d(n, **kwargs)
    rng = np.random.default_rng(seed)
    bn.gamma.data[:] = rng.uniform(0.5, 2.0, n) * rng.choice([-1, 1], n)
    bn.beta.data[:] = rng.standard_normal(n)
    return bn


def _batch(m, n, seed):
    rng = np.random.default_rng(seed)
    return 3 * rng.standard_normal((m, n)) + rng.uniform(-2, 2, n)


@pytest.mark.parametrize("m, n", [(3, 1), (5, 3), (16, 4)])
@pytest.mark.parametrize("seed", [0, 1])
def test_train_mode_backward_matches_finite_differences(m, n, seed):
    bn = _bn_with_random_affine(n, seed)
    errors = ck.check_gradients(bn, _batch(m, n, seed + 10), rng=seed)
    assert set(errors) == {"X", "gamma", "beta"}
    assert max(errors.values()) < TOL, errors


def test_train_mode_backward_through_a_network_with_a_loss():
    rng = np.random.default_rng(3)
    model = ck.Sequential(ck.Linear(3, 5, rng=rng), BatchNorm1d(5), ck.Tanh(), ck.Linear(5, 2, rng=rng))
    errors = ck.check_gradients(model, rng.standard_normal((8, 3)), ck.CrossEntropyLoss(),
                                rng.integers(0, 2, 8))
    # A bias right before batch norm is subtracted out with the mean: its gradient is exactly 0,
    # so only its absolute size is meaningful (finite differences see pure rounding noise).
    assert np.abs(model[0].b.grad).max() < 1e-12
    del errors["0.b"]
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("seed", [0, 1])
def test_eval_mode_backward_matches_finite_differences(seed):
    bn = _bn_with_random_affine(4, seed)
    for k in range(3):
        bn(_batch(6, 4, seed + k))
    bn.eval()
    errors = ck.check_gradients(bn, _batch(5, 4, seed + 20), rng=seed)
    assert max(errors.values()) < TOL, errors


class _BatchStatsAsConstants(BatchNorm1d):
    """The classic mistake: backpropagate as if mu and sigma2 did not depend on x."""

    def backward(self, dout):
        super().backward(dout)
        xhat, inv_std, _ = self._cache
        return dout * self.gamma.data * inv_std


def test_backward_ignoring_the_batch_statistics_fails_gradcheck():
    errors = ck.check_gradients(_BatchStatsAsConstants(3), _batch(6, 3, 0), rng=0)
    assert errors["X"] > 1e-2


@pytest.mark.parametrize("m, n", [(4, 3), (32, 5)])
def test_train_output_has_per_feature_mean_beta_and_std_gamma(m, n):
    x = _batch(m, n, 4)
    y = BatchNorm1d(n)(x)
    var = x.var(axis=0)  # biased, as on the slide
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-14)
    # var(xhat) = sigma2 / (sigma2 + eps) exactly, which is 1 up to eps / sigma2
    np.testing.assert_allclose(y.var(axis=0), var / (var + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), 1, rtol=1e-4)

    bn = _bn_with_random_affine(n, 5, eps=1e-12)
    y = bn(x)
    np.testing.assert_allclose(y.mean(axis=0), bn.beta.data, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), np.abs(bn.gamma.data), rtol=1e-9)


@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0, 0.0])
@pytest.mark.parametrize("k", [1, 4])
def test_running_statistics_follow_the_momentum_recursion(momentum, k):
    bn = BatchNorm1d(3, momentum=momentum)
    mean, var = np.zeros(3), np.ones(3)
    for i in range(k):
        x = _batch(8, 3, 30 + i)
        bn(x)
        mean = (1 - momentum) * mean + momentum * x.mean(axis=0)
        var = (1 - momentum) * var + momentum * x.var(axis=0, ddof=1)  # unbiased, as PyTorch
    np.testing.assert_allclose(bn.running_mean, mean, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(bn.running_var, var, rtol=1e-13)


def test_eval_mode_uses_the_running_statistics_and_not_the_batch():
    bn = _bn_with_random_affine(3, 6)
    for i in range(5):
        bn(_batch(10, 3, 40 + i))
    mean, var = bn.running_mean.copy(), bn.running_var.copy()
    bn.eval()
    x = _batch(7, 3, 50)
    y = bn(x)
    expected = bn.gamma.data * (x - mean) / np.sqrt(var + 1e-5) + bn.beta.data
    np.testing.assert_allclose(y, expected, rtol=1e-13)
    np.testing.assert_allclose(bn(x[2:3]), y[2:3], rtol=1e-13)  # one example alone: same answer
    assert np.array_equal(bn.running_mean, mean) and np.array_equal(bn.running_var, var)


def test_train_mode_output_depends_on_the_rest_of_the_batch():
    x = _batch(6, 2, 7)
    bn = BatchNorm1d(2)
    assert not np.allclose(bn(x)[:3], bn(x[:3]))


def test_float32_stays_float32():
    bn = BatchNorm1d(4, dtype=np.float32)
    y = bn(_batch(8, 4, 0))
    dx = bn.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == bn.running_var.dtype == bn.gamma.grad.dtype == np.float32


def test_backward_accumulates_into_gamma_and_beta():
    bn = _bn_with_random_affine(3, 8)
    x, dout = _batch(5, 3, 9), _batch(5, 3, 10)
    bn(x)
    bn.backward(dout)
    once = bn.gamma.grad.copy(), bn.beta.grad.copy()
    bn.backward(dout)
    np.testing.assert_allclose(bn.gamma.grad, 2 * once[0], rtol=1e-15)
    np.testing.assert_allclose(bn.beta.grad, 2 * once[1], rtol=1e-15)
    np.testing.assert_allclose(once[1], dout.sum(axis=0), rtol=1e-15)  # dbeta = sum_i dy_i


def test_repr_and_parameter_names():
    bn = BatchNorm1d(4)
    assert repr(bn) == "BatchNorm1d(4, momentum=0.1, eps=1e-05, dtype=float64)"
    assert [name for name, _ in bn.named_parameters()] == ["gamma", "beta"]


@pytest.mark.parametrize("call, error, match", [
    (lambda: BatchNorm1d(0), ValueError, "n must be a positive int, got 0"),
    (lambda: BatchNorm1d(2.5), TypeError, "n must be a positive int"),
    (lambda: BatchNorm1d(3, momentum=1.5), ValueError, "momentum"),
    (lambda: BatchNorm1d(3, eps=0.0), ValueError, "eps"),
    (lambda: BatchNorm1d(3, dtype=np.int64), TypeError, "dtype"),
    (lambda: BatchNorm1d(3)(np.ones((4, 2))), ValueError, r"3 features .* got shape \(4, 2\)"),
    (lambda: BatchNorm1d(3)(np.ones(3)), ValueError, "2-D"),
    (lambda: BatchNorm1d(3)(np.ones((1, 3))), ValueError, "at least 2 examples"),
    (lambda: BatchNorm1d(3)(np.full((4, 3), np.nan)), ValueError, "NaN"),
    (lambda: BatchNorm1d(3).backward(np.ones((4, 3))), RuntimeError, "before forward"),
])
def test_bad_input_is_refused_with_a_clear_message(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_backward_checks_the_shape_of_dout():
    bn = BatchNorm1d(3)
    bn(np.arange(12.0).reshape(4, 3))
    with pytest.raises(ValueError, match="dout"):
        bn.backward(np.ones((3, 3)))


def test_a_single_example_is_fine_in_eval_mode():
    bn = BatchNorm1d(3).eval()
    x = np.array([[1.0, -2.0, 0.5]])
    np.testing.assert_allclose(bn(x), x / np.sqrt(1 + 1e-5), rtol=1e-15)
