"""Regularization facts from deck 003: dropout, L2 and L1 penalties, early stopping.

Independent sources: binomial standard errors for dropout, numpy.linalg.solve for the L2
optimum (H + alpha I)^-1 H theta*, the deck's soft-threshold closed form for L1, central finite
differences for the penalty gradients, and hand-scripted loss sequences for early stopping.
"""
import numpy as np
import pytest

import coursekit as ck
from coursekit.batchnorm import BatchNorm1d
from coursekit.gradcheck import numerical_gradient, relative_error
from coursekit.module import Module, Parameter
from coursekit.regularization import (Dropout, EarlyStopping, L1Penalty, L2Penalty,
                                      proximal_l1_step, soft_threshold)

P_VALUES = [0.0, 0.2, 0.5, 0.8]


# -- dropout -----------------------------------------------------------------------------
def expectation_z_score(forward, x, n_passes):
    """How many standard errors the summed output of ``n_passes`` forwards is from n * sum(x).

    With y_i = x_i B_i / (1 - p), B_i ~ Bernoulli(1 - p): E[y_i] = x_i and
    Var[y_i] = x_i^2 p / (1 - p), so the total has variance n_passes * sum(x^2) p / (1 - p).
    """
    p = forward.p
    total = sum(forward(x).sum() for _ in range(n_passes))
    se = np.sqrt(n_passes * np.sum(x * x) * p / (1 - p))
    return abs(total - n_passes * x.sum()) / se


def _broken_keep_as_drop(p, rng):
    """Uses p as the keep probability (the slides' convention mixed up with ours)."""
    def forward(x):
        return x * (rng.random(x.shape) < p) / (1 - p)
    forward.p = p
    return forward


def _broken_no_scaling(p, rng):
    """Drops with probability p but forgets the inverted 1 / (1 - p) scaling."""
    def forward(x):
        return x * (rng.random(x.shape) >= p)
    forward.p = p
    return forward


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_keeps_the_expectation(p):
    x = np.linspace(0.5, 2.0, 400).reshape(20, 20)
    assert expectation_z_score(Dropout(p, rng=0), x, n_passes=200) < 5


@pytest.mark.parametrize("broken", [_broken_keep_as_drop, _broken_no_scaling], ids=lambda f: f.__name__)
@pytest.mark.parametrize("p", [0.2, 0.8])
def test_broken_dropout_fails_the_expectation_test(broken, p):
    x = np.linspace(0.5, 2.0, 400).reshape(20, 20)
    assert expectation_z_score(broken(p, np.random.default_rng(0)), x, n_passes=200) > 5


@pytest.mark.parametrize("p", P_VALUES)
def test_dropout_drops_a_fraction_p(p):
    d = Dropout(p, rng=1)
    d(np.ones((100, 100)))
    n = d.mask.size
    dropped = n - np.count_nonzero(d.mask)
    se = np.sqrt(n * p * (1 - p))  # binomial standard deviation of the dropped count
    assert abs(dropped - n * p) <= 5 * se


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", P_VALUES)
def test_dropout_forward_and_backward_use_the_same_mask(p, dtype):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 5)).astype(dtype)
    dout = rng.standard_normal((8, 5)).astype(dtype)
    d = Dropout(p, rng=3)
    y = d(x)
    dx = d.backward(dout)
    assert d.mask.dtype == bool and d.mask.shape == x.shape
    assert y.dtype == dtype and dx.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-15
    np.testing.assert_allclose(y, x * d.mask / (1 - p), rtol=tol)
    np.testing.assert_allclose(dx, dout * d.mask / (1 - p), rtol=tol)
    assert np.all(y[~d.mask] == 0) and np.all(dx[~d.mask] == 0)


def test_dropout_draws_a_new_mask_each_call():
    d = Dropout(0.5, rng=4)
    d(np.ones((10, 10)))
    first = d.mask
    d(np.ones((10, 10)))
    assert not np.array_equal(first, d.mask)


@pytest.mark.parametrize("p", P_VALUES)
def test_dropout_in_eval_mode_is_the_identity(p):
    x = np.random.default_rng(5).standard_normal((6, 3))
    d = Dropout(p, rng=0).eval()
    assert np.array_equal(d(x), x)
    assert d.mask is None
    assert np.array_equal(d.backward(2 * x), 2 * x)


def test_model_eval_switches_dropout_off():
    net = ck.Sequential(ck.Linear(3, 4, rng=0), Dropout(0.5, rng=0), ck.Linear(4, 2, rng=1))
    x = np.random.default_rng(6).standard_normal((5, 3))
    net.eval()
    assert np.array_equal(net(x), net(x))
    net.train()
    assert not np.array_equal(net(x), net(x))


def test_dropout_p_zero_is_the_identity_in_training():
    x = np.random.default_rng(7).standard_normal((6, 3))
    d = Dropout(0.0, rng=0)
    assert np.array_equal(d(x), x) and d.mask.all()


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_same_seed_same_masks(p):
    a, b, c = Dropout(p, rng=11), Dropout(p, rng=11), Dropout(p, rng=12)
    x = np.ones((20, 20))
    for _ in range(3):
        a(x), b(x), c(x)
        assert np.array_equal(a.mask, b.mask)
    assert not np.array_equal(a.mask, c.mask)


def test_dropout_leaves_global_random_state_alone():
    before = np.random.get_state()[1].copy()
    Dropout(0.5, rng=0)(np.ones((10, 10)))
    assert np.array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("p, error", [(1, ValueError), (1.0, ValueError), (-0.1, ValueError),
                                      (float("nan"), ValueError), ("a", TypeError), (None, TypeError)])
def test_dropout_rejects_bad_p(p, error):
    with pytest.raises(error, match="p"):
        Dropout(p, rng=0)


@pytest.mark.parametrize("rng", [None, 0.5, np.random.RandomState(0)], ids=repr)
def test_dropout_rejects_a_non_generator(rng):
    with pytest.raises(TypeError, match="rng"):
        Dropout(0.5, rng=rng)


def test_dropout_errors_on_backward_misuse():
    d = Dropout(0.5, rng=0)
    with pytest.raises(RuntimeError, match="before forward"):
        d.backward(np.ones((2, 2)))
    d(np.ones((2, 2)))
    with pytest.raises(ValueError, match="dout"):
        d.backward(np.ones((3, 2)))
    assert repr(d) == "Dropout(p=0.5)"


# -- penalties ---------------------------------------------------------------------------
class Quadratic(Module):
    """theta as a module's weight W: L(theta) = 1/2 (theta - theta*)^T H (theta - theta*)."""

    def __init__(self, theta0, H, theta_star):
        self.W = Parameter(np.array(theta0, dtype=float))
        self.H, self.theta_star = H, theta_star

    def add_loss_gradient(self):
        self.W.grad += self.H @ (self.W.data - self.theta_star)


def _spd(d, rng):
    A = rng.standard_normal((d, d))
    return A @ A.T / d + 0.5 * np.eye(d)


@pytest.mark.parametrize("alpha", [0.0, 0.1, 1.0, 5.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_gradient_descent_with_l2_reaches_the_regularized_optimum(alpha, seed):
    rng = np.random.default_rng(seed)
    H = _spd(4, rng)
    theta_star = rng.standard_normal(4)
    model = Quadratic(np.zeros(4), H, theta_star)
    penalty = L2Penalty(alpha)
    lr = 1 / (np.linalg.eigvalsh(H).max() + alpha)
    for _ in range(3000):
        model.zero_grad()
        model.add_loss_gradient()
        penalty.backward(model)
        model.W.data -= lr * model.W.grad
    expected = np.linalg.solve(H + alpha * np.eye(4), H @ theta_star)  # deck 003
    np.testing.assert_allclose(model.W.data, expected, atol=1e-10)


@pytest.mark.parametrize("lam", [0.01, 0.3])
def test_l2_gradient_step_is_weight_decay(lam):
    """theta - lr (g + lam theta) == (1 - lr lam) theta - lr g (deck 003, 'weight decay')."""
    rng = np.random.default_rng(8)
    theta, g, lr = rng.standard_normal(5), rng.standard_normal(5), 0.1
    model = Quadratic(theta, None, None)
    model.W.grad += g
    L2Penalty(lam).backward(model)
    np.testing.assert_allclose(theta - lr * model.W.grad, (1 - lr * lam) * theta - lr * g, rtol=1e-14)


@pytest.mark.parametrize("alpha", [0.2, 0.7])
@pytest.mark.parametrize("lr_fraction", [0.5, 1.0])
def test_proximal_l1_matches_the_soft_threshold_optimum_with_exact_zeros(alpha, lr_fraction):
    h = np.array([1.0, 2.0, 0.5, 4.0, 1.5, 3.0])
    theta_star = np.array([1.5, -0.05, 0.3, -2.0, 0.1, 0.25])
    model = Quadratic(np.ones(6), np.diag(h), theta_star)
    lr = lr_fraction / h.max()
    for _ in range(2000):
        model.zero_grad()
        model.add_loss_gradient()
        model.W.data -= lr * model.W.grad
        proximal_l1_step(model, lr, alpha)
    # deck 003, diagonal H: max(theta* - alpha/H_ii, 0) if theta* >= 0, min(theta* + alpha/H_ii, 0) else
    expected = np.where(theta_star >= 0, np.maximum(theta_star - alpha / h, 0),
                        np.minimum(theta_star + alpha / h, 0))
    small = np.abs(theta_star) <= alpha / h
    assert small.any() and not small.all()
    assert np.all(model.W.data[small] == 0.0)  # exactly, not approximately
    np.testing.assert_allclose(model.W.data, expected, atol=1e-12)


def test_l1_subgradient_descent_hovers_near_zero_instead_of_reaching_it():
    h, theta_star, alpha, lr = np.array([1.0]), np.array([0.1]), 0.5, 0.01
    model = Quadratic([1.0], np.diag(h), theta_star)
    penalty = L1Penalty(alpha)
    for _ in range(1000):
        model.zero_grad()
        model.add_loss_gradient()
        penalty.backward(model)
        model.W.data -= lr * model.W.grad
    assert model.W.data[0] != 0.0 and abs(model.W.data[0]) < lr * (alpha + 1)


@pytest.mark.parametrize("x, t, expected", [
    ([3.0, -3.0, 0.5, -0.5, 0.0, 1.0], 1.0, [2.0, -2.0, 0.0, 0.0, 0.0, 0.0]),
    ([0.2, -7.5], 0.0, [0.2, -7.5]),
])
def test_soft_threshold_by_hand(x, t, expected):
    assert np.array_equal(soft_threshold(np.array(x), t), expected)


def test_soft_threshold_minimises_the_scalar_l1_problem():
    """soft_threshold(x, t) = argmin_theta 1/2 (theta - x)^2 + t |theta|, by brute force on a grid."""
    grid = np.linspace(-3, 3, 60001)
    for x in (-2.0, -0.3, 0.0, 0.4, 1.7):
        objective = 0.5 * (grid - x) ** 2 + 0.5 * np.abs(grid)
        assert abs(soft_threshold(x, 0.5) - grid[np.argmin(objective)]) < 1e-4


def _mlp_with_offsets(seed):
    model = ck.Sequential(ck.Linear(3, 4, rng=seed), BatchNorm1d(4), ck.Linear(4, 2, rng=seed + 1))
    rng = np.random.default_rng(seed)
    for p in model.parameters():
        p.data[...] = rng.standard_normal(p.shape)
    return model


@pytest.mark.parametrize("make", [L2Penalty, L1Penalty], ids=lambda c: c.__name__)
@pytest.mark.parametrize("lam", [0.1, 2.0])
def test_penalty_gradient_matches_finite_differences(make, lam):
    model = _mlp_with_offsets(9)
    penalty = make(lam)
    penalty.backward(model)
    for name, p in model.named_parameters():
        numeric = numerical_gradient(lambda: penalty(model), p.data)
        if name.endswith("W"):
            assert relative_error(p.grad, numeric) < 1e-7
        else:  # biases and BatchNorm gamma/beta are not penalised
            assert np.all(p.grad == 0) and np.all(numeric == 0)


@pytest.mark.parametrize("lam", [0.1, 2.0])
def test_penalty_values_by_hand(lam):
    model = _mlp_with_offsets(10)
    W1, W2 = model[0].W.data, model[2].W.data
    assert L2Penalty(lam)(model) == pytest.approx(lam / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum()), rel=1e-14)
    assert L1Penalty(lam)(model) == pytest.approx(lam * (np.abs(W1).sum() + np.abs(W2).sum()), rel=1e-14)


def test_l1_subgradient_is_zero_at_zero():
    model = Quadratic([0.0, 2.0, -3.0], None, None)
    L1Penalty(0.5).backward(model)
    assert np.array_equal(model.W.grad, [0.0, 0.5, -0.5])


def test_proximal_step_on_a_parameter_list_shrinks_every_parameter():
    b = Parameter(np.array([0.05, -1.0]))
    proximal_l1_step([b], lr=0.1, lam=1.0)
    np.testing.assert_allclose(b.data, [0.0, -0.9], rtol=1e-15)


@pytest.mark.parametrize("call, error, name", [
    (lambda: L2Penalty(-1.0), ValueError, "lam"),
    (lambda: L1Penalty("big"), TypeError, "lam"),
    (lambda: L2Penalty(0.1)(np.ones(3)), TypeError, "model"),
    (lambda: soft_threshold([1.0], -0.5), ValueError, "t"),
    (lambda: proximal_l1_step([np.ones(2)], 0.1, 0.1), TypeError, "params_or_model"),
    (lambda: proximal_l1_step([], 0.0, 0.1), ValueError, "lr"),
])
def test_penalties_reject_bad_input(call, error, name):
    with pytest.raises(error, match=name):
        call()


# -- early stopping ----------------------------------------------------------------------
LOSSES = [1.0, 0.8, 0.7, 0.72, 0.71, 0.69, 0.75, 0.76, 0.77, 0.5]


# Worked by hand. min_delta=0: 0.72 and 0.71 (epochs 3, 4) do not beat 0.7, so patience 1 stops
# at 3 and patience 2 at 4 (best epoch 2); with patience 3, 0.69 improves at epoch 5 and epochs
# 6, 7, 8 do not -> stop at 8. min_delta=0.02: 0.72, 0.71 and 0.69 are not below
# 0.7 - 0.02, so the best is 0.7 at epoch 2 and patience 3 stops at epoch 5.
@pytest.mark.parametrize("patience, min_delta, stop_epoch, best_epoch", [
    (3, 0.0, 8, 5),
    (2, 0.0, 4, 2),
    (1, 0.0, 3, 2),
    (3, 0.02, 5, 2),
    (10, 0.0, None, 9),
])
def test_early_stopping_stops_at_the_right_epoch_and_restores_the_best(patience, min_delta,
                                                                       stop_epoch, best_epoch):
    model = ck.Sequential(ck.Linear(2, 3, rng=0), ck.Linear(3, 1, rng=1))
    arrays = [p.data for p in model.parameters()]
    rng = np.random.default_rng(0)
    stopper = EarlyStopping(patience, min_delta=min_delta)
    snapshots, stopped_at = [], None
    for epoch, loss in enumerate(LOSSES):
        for p in model.parameters():  # "training" changes the weights every epoch
            p.data[...] = rng.standard_normal(p.shape)
        snapshots.append([p.data.tobytes() for p in model.parameters()])
        if stopper.step(loss, model):
            stopped_at = epoch
            break
    assert stopped_at == stop_epoch
    assert stopper.best_epoch == best_epoch and stopper.best_loss == LOSSES[best_epoch]
    if stop_epoch is not None:
        assert stopper.stopped
        assert [p.data.tobytes() for p in model.parameters()] == snapshots[best_epoch]
        assert all(p.data is a for p, a in zip(model.parameters(), arrays))  # restored in place


def test_early_stopping_without_restore_keeps_the_last_weights_until_restore():
    model = ck.Linear(2, 2, rng=0)
    stopper = EarlyStopping(1, restore_best=False)
    stopper.step(1.0, model)
    best = model.W.data.tobytes()
    model.W.data += 1.0
    last = model.W.data.tobytes()
    assert stopper.step(2.0, model) is True
    assert model.W.data.tobytes() == last
    stopper.restore(model)
    assert model.W.data.tobytes() == best


def test_early_stopping_treats_nan_as_no_improvement():
    model = ck.Linear(2, 2, rng=0)
    stopper = EarlyStopping(2)
    assert [stopper.step(v, model) for v in (1.0, float("nan"), float("nan"))] == [False, False, True]
    assert stopper.best_epoch == 0


@pytest.mark.parametrize("call, error, name", [
    (lambda: EarlyStopping(0), ValueError, "patience"),
    (lambda: EarlyStopping(2.5), TypeError, "patience"),
    (lambda: EarlyStopping(3, min_delta=-0.1), ValueError, "min_delta"),
    (lambda: EarlyStopping(3, restore_best="yes"), TypeError, "restore_best"),
    (lambda: EarlyStopping(3).step("low", ck.Linear(1, 1, rng=0)), TypeError, "val_loss"),
    (lambda: EarlyStopping(3).step(0.5, [1.0]), TypeError, "model"),
    (lambda: EarlyStopping(3).restore(ck.Linear(1, 1, rng=0)), RuntimeError, "before any step"),
])
def test_early_stopping_rejects_bad_input(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_early_stopping_restore_refuses_a_different_model():
    stopper = EarlyStopping(3)
    stopper.step(1.0, ck.Linear(2, 2, rng=0))
    with pytest.raises(ValueError, match="same model"):
        stopper.restore(ck.Linear(3, 2, rng=0))


def test_proximal_l1_wrapper_is_a_step_then_a_soft_threshold():
    """ProximalL1(opt) = opt.step() followed by W <- sign(W) max(|W| - lr lam, 0) on weights only."""
    from coursekit import MLP, SGD, ProximalL1
    rng = np.random.default_rng(0)
    model, twin = MLP([3, 4, 2], rng=1), MLP([3, 4, 2], rng=1)
    grads = [rng.standard_normal(p.shape) for p in model.parameters()]
    lr, lam = 0.1, 2.0
    wrapped = ProximalL1(SGD(model.parameters(), lr=lr), model, lam)
    for p, g in zip(model.parameters(), grads):
        p.grad[...] = g
    wrapped.step()
    for (name, p), q, g in zip(model.named_parameters(), twin.parameters(), grads):
        expected = q.data - lr * g
        if name.endswith("W"):
            expected = np.sign(expected) * np.maximum(np.abs(expected) - lr * lam, 0)
        np.testing.assert_allclose(p.data, expected, rtol=1e-12, atol=0)
    assert (model[0].W.data == 0).any()
    wrapped.lr = 0.05
    assert wrapped.optimizer.lr == 0.05
