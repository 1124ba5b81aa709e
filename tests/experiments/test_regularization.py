"""Lessons 09 and 10's explorers state deck 003's facts about regularization, at every control's limits.

Each explorer trains small nets on a fixed seed; the explorers are module-scoped fixtures, so
each setting is trained once and reused by every test below. Where a fact is about training
(dropout's training loss, batch norm), the test says why it holds by a wide margin and not by
luck of the seed.
"""
import numpy as np
import pytest

from coursekit.activations import ReLU
from coursekit.datasets import noisy_moons
from coursekit.experiments.regularization import BATCH_SEED, BATCH_SIZE, HIDDEN, INIT_SEED, fit_line, train_dropout
from coursekit.losses import CrossEntropyLoss
from coursekit.mlp import MLP
from coursekit.optim import Adam
from coursekit.training import fit


@pytest.fixture(scope="module")
def data():
    return noisy_moons()


def test_dropout_with_p_zero_is_no_dropout(data):
    """Dropout(p=0) keeps every unit and scales by 1/(1 - 0) = 1, so training is exactly that of
    the same MLP built by coursekit.mlp.MLP without any Dropout layer."""
    _, with_layers = train_dropout(0.0, data)
    plain = MLP([2, *HIDDEN, 2], ReLU(), rng=INIT_SEED)
    X, X_val, y, y_val = data
    history = fit(plain, CrossEntropyLoss(), Adam(plain.parameters(), lr=0.01), X, y, epochs=150,
                  batch_size=BATCH_SIZE, rng=BATCH_SEED, validation=(X_val, y_val), progress=False)
    assert with_layers.val_loss == history.val_loss
    assert with_layers.train_loss == history.train_loss


@pytest.mark.parametrize("penalize_bias", [False, True])
@pytest.mark.parametrize("lam", [0.0, 0.5, 3.0])
def test_fit_line_reaches_the_closed_form_ridge_solution(lam, penalize_bias):
    """Gradient descent on (1/m) sum 1/2 (w x + b - t)^2 + lam/2 (w^2 [+ b^2]) ends at the solution of the
    normal equations (A^T A / m + lam D) (w, b) = A^T t / m, A = [x, 1]; D = diag(1, 0) leaves b free
    (deck 002's penalty, L2Penalty), D = I penalises it too (SGD's weight_decay). Uneven x: w and b couple."""
    x = np.array([-1.0, -0.2, 0.1, 0.7, 1.5, 2.0])
    t = np.array([6.0, 7.1, 7.0, 8.4, 9.9, 10.2])
    A = np.column_stack([x, np.ones_like(x)])
    D = np.eye(2) if penalize_bias else np.diag([1.0, 0.0])
    expected = np.linalg.solve(A.T @ A / len(x) + lam * D, A.T @ t / len(x))
    line = fit_line(x, t, lam, penalize_bias=penalize_bias, steps=3000, lr=0.3)
    np.testing.assert_allclose([line.W.data[0, 0], line.b.data[0]], expected, atol=1e-8)
