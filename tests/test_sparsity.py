"""The sparse autoencoder's penalties: values by hand, gradients by SymPy and finite differences,
and the whole sparse autoencoder's weight gradients by finite differences."""
import numpy as np
import pytest
import sympy as sp

from coursekit.activations import Sigmoid
from coursekit.gradcheck import numerical_gradient, relative_error
from coursekit.layers import Linear
from coursekit.losses import MSELoss
from coursekit.module import Sequential
from coursekit.sparsity import KLSparsity, L1Sparsity


def test_kl_penalty_is_zero_at_the_target_and_known_at_one_half():
    a = np.full((4, 3), 0.1)
    assert KLSparsity(rho=0.1, lam=2.0)(a) == pytest.approx(0.0, abs=1e-15)
    # one unit at mean 0.5 (rows 0.2 and 0.8), two at the target: 2 (0.1 log 0.2 + 0.9 log 1.8)
    a = np.array([[0.2, 0.1, 0.1], [0.8, 0.1, 0.1]])
    assert KLSparsity(rho=0.1, lam=2.0)(a) == pytest.approx(2 * (0.1 * np.log(0.2) + 0.9 * np.log(1.8)))


def test_kl_gradient_against_sympy():
    """dJ/da_ij = (1/m) d/d rho_hat [lam KL(rho || rho_hat)], differentiated by SymPy."""
    rho, rho_hat, lam = sp.symbols("rho rho_hat lam", positive=True)
    kl = rho * sp.log(rho / rho_hat) + (1 - rho) * sp.log((1 - rho) / (1 - rho_hat))
    dkl = sp.lambdify((rho, rho_hat, lam), sp.diff(lam * kl, rho_hat))
    a = np.random.default_rng(0).uniform(0.05, 0.95, size=(5, 4))
    penalty = KLSparsity(rho=0.2, lam=3.0)
    penalty(a)
    expected = np.broadcast_to(dkl(0.2, a.mean(axis=0), 3.0) / 5, a.shape)
    np.testing.assert_allclose(penalty.backward(), expected, rtol=1e-12)


@pytest.mark.parametrize("penalty", [KLSparsity(rho=0.05, lam=0.7), L1Sparsity(lam=0.3)], ids=repr)
def test_gradient_against_finite_differences(penalty):
    a = np.random.default_rng(1).uniform(0.05, 0.95, size=(6, 3))
    penalty(a)
    analytic = penalty.backward()
    numeric = numerical_gradient(lambda: penalty(a), a)
    assert relative_error(analytic, numeric) < 1e-7


def test_kl_gradient_pushes_overactive_units_down_and_underactive_up():
    a = np.array([[0.5, 0.01], [0.3, 0.03]])     # unit 0 mean 0.4 > rho, unit 1 mean 0.02 < rho
    penalty = KLSparsity(rho=0.05)
    penalty(a)
    g = penalty.backward()
    assert (g[:, 0] > 0).all() and (g[:, 1] < 0).all()


def test_l1_penalty_by_hand():
    a = np.array([[0.5, -1.0], [0.0, 2.0]])
    penalty = L1Sparsity(lam=0.2)
    assert penalty(a) == pytest.approx(0.2 * 3.5 / 2)
    np.testing.assert_array_equal(penalty.backward(), [[0.1, -0.1], [0.0, 0.1]])


def test_sparse_autoencoder_gradients_by_finite_differences():
    """J = MSE(decoder(encoder(X)), X) + KL sparsity of the hidden code; backprop adds the
    penalty's dJ/da to the decoder's gradient at the code (Ng's modified delta^(2))."""
    rng = np.random.default_rng(2)
    X = rng.uniform(size=(7, 5))
    encoder = Sequential(Linear(5, 3, rng=3), Sigmoid())
    decoder = Sequential(Linear(3, 5, rng=4), Sigmoid())
    loss, sparsity = MSELoss(), KLSparsity(rho=0.1, lam=0.5)

    def objective():
        a = encoder(X)
        return loss(decoder(a), X) + sparsity(a)

    objective()
    encoder.backward(decoder.backward(loss.backward()) + sparsity.backward())
    for name, p in encoder.named_parameters() + decoder.named_parameters():
        assert relative_error(p.grad, numerical_gradient(objective, p.data)) < 1e-6, name
    # without the penalty's term the encoder's gradient is wrong: the test can fail
    W = encoder.layers[0].W
    W.grad[...] = 0
    objective()
    encoder.backward(decoder.backward(loss.backward()))
    assert relative_error(W.grad, numerical_gradient(objective, W.data)) > 1e-2


@pytest.mark.parametrize("call,error,match", [
    (lambda: KLSparsity(rho=1.0), ValueError, "rho"),
    (lambda: KLSparsity(lam=-1.0), ValueError, "lam"),
    (lambda: KLSparsity()(np.zeros((3, 2))), ValueError, r"inside \(0, 1\)"),
    (lambda: KLSparsity()(np.full(3, 0.5)), ValueError, "a"),
    (lambda: L1Sparsity(lam=1.0).backward(), RuntimeError, "before the penalty was computed"),
])
def test_bad_input_is_refused_with_a_message(call, error, match):
    with pytest.raises(error, match=match):
        call()
