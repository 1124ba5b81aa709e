"""Lessons 09 and 10's explorers state deck 003's facts about regularization, at every control's limits.

Each explorer trains small nets on a fixed seed; the explorers are module-scoped fixtures, so
each setting is trained once and reused by every test below. Where a fact is about training
(dropout's training loss, batch norm), the test says why it holds by a wide margin and not by
luck of the seed.
"""
import pytest

from coursekit.activations import ReLU
from coursekit.datasets import noisy_moons
from coursekit.experiments.regularization import BATCH_SEED, BATCH_SIZE, HIDDEN, INIT_SEED, train_dropout
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
