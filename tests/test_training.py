"""Facts about the training loop: epochs vs iterations, schedules per step, early stopping,
reproducibility, gradient norms, and that the lecture's networks learn the lecture's data."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from coursekit import (MLP, BCEWithLogitsLoss, CrossEntropyLoss, Linear, MSELoss, Module, ReLU,
                       Sequential, Sigmoid)
from coursekit import datasets as ds
from coursekit.gradcheck import numerical_gradient
from coursekit.optim import SGD, Adam
from coursekit.regularization import EarlyStopping, L2Penalty
from coursekit.training import History, accuracy, evaluate, fit, iterations_per_epoch, predict

ROOT = Path(__file__).resolve().parents[1]


def moons_split(n=600, seed=0):
    X, y = ds.moons(n, rng=seed, noise=0.2)
    return ds.train_test_split(X, y, rng=seed)


def counting(optimizer):
    """Wrap ``optimizer.step`` to record the learning rate in effect at every call."""
    seen = []
    step = optimizer.step

    def counted():
        seen.append(optimizer.lr)
        step()

    optimizer.step = counted
    return seen


# -- the lecture's networks learn ---------------------------------------------------------
def train_xor(seed=1):
    X, y = ds.xor()
    model = MLP([2, 2, 1], ReLU(), rng=seed)  # ReLU hidden layer; sigmoid output inside the loss
    fit(model, BCEWithLogitsLoss(), Adam(model.parameters(), lr=0.05), X, y,
        epochs=300, batch_size=4, rng=seed, progress=False)
    return model


def test_xor_net_learns_the_truth_table_and_is_bit_reproducible():
    """Deck 001: one hidden ReLU layer solves XOR (from this seed: 2 units can die on others)."""
    model = train_xor()
    X, y = ds.xor()
    np.testing.assert_array_equal(predict(model, X, BCEWithLogitsLoss()), [0, 1, 1, 0])
    assert accuracy(model, X, y, BCEWithLogitsLoss()) == 1.0
    again = train_xor()
    for p, q in zip(model.parameters(), again.parameters()):
        np.testing.assert_array_equal(p.data, q.data)  # bit-identical, not merely close


def test_digits_mlp_reaches_97_percent_test_accuracy():
    X, y = ds.digits(np.float32)
    X_train, X_test, y_train, y_test = ds.train_test_split(X, y, rng=0)
    model = MLP([64, 64, 10], rng=0, dtype=np.float32)
    fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2), X_train, y_train,
        epochs=50, batch_size=128, rng=0, progress=False)
    assert accuracy(model, X_test, y_test, CrossEntropyLoss()) >= 0.97
    assert all(p.data.dtype == np.float32 for p in model.parameters())


def test_moons_mlp_reaches_95_percent_test_accuracy():
    X_train, X_test, y_train, y_test = moons_split()
    model = MLP([2, 32, 32, 2], rng=0)
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2), X_train, y_train,
                  epochs=50, batch_size=32, rng=0, validation=(X_test, y_test), progress=False)
    assert history.val_acc[-1] >= 0.95
    assert history.val_acc[-1] == accuracy(model, X_test, y_test, CrossEntropyLoss())


# -- epochs, iterations, shuffling ----------------------------------------------------------
@pytest.mark.parametrize("N, B", [(10, 1), (32, 8), (33, 8), (100, 32), (7, 100)])
def test_an_epoch_is_ceil_N_over_B_steps_and_sees_every_example_once(N, B):
    """Deck 004's table: N examples, batch B -> N/B iterations per epoch (rounded up)."""
    X = np.arange(N, dtype=float).reshape(-1, 1)  # each row holds its own index
    y = np.zeros((N, 1))
    model = Sequential(Linear(1, 1, rng=0))
    seen_rows = []
    forward = model.forward
    model.forward = lambda Xb: (seen_rows.append(Xb[:, 0].copy()), forward(Xb))[1]
    opt = SGD(model.parameters(), lr=1e-3)
    steps = counting(opt)
    epochs = 3
    history = fit(model, MSELoss(), opt, X, y, epochs=epochs, batch_size=B, rng=0, progress=False)
    per_epoch = math.ceil(N / B)
    assert len(steps) == epochs * per_epoch == history.iterations
    if B <= N:
        assert iterations_per_epoch(N, B) == per_epoch
    for e in range(epochs):
        rows = np.concatenate(seen_rows[e * per_epoch:(e + 1) * per_epoch])
        assert sorted(rows) == list(range(N))  # a permutation: each example exactly once
    assert [len(b) for b in seen_rows[:per_epoch]] == [B] * (N // B) + ([N % B] if N % B else [])


def test_shuffling_differs_between_epochs_and_follows_the_seed():
    X = np.arange(20, dtype=float).reshape(-1, 1)
    orders = {}
    for seed in (0, 0, 1):
        model = Sequential(Linear(1, 1, rng=0))
        rows = []
        forward = model.forward
        model.forward = lambda Xb, f=forward: (rows.append(Xb[:, 0].copy()), f(Xb))[1]
        fit(model, MSELoss(), SGD(model.parameters(), lr=0.0), X, np.zeros((20, 1)),
            epochs=2, batch_size=20, rng=seed, progress=False)
        assert not np.array_equal(rows[0], rows[1])  # reshuffled every epoch
        orders.setdefault(seed, []).append(rows[0])
    np.testing.assert_array_equal(orders[0][0], orders[0][1])
    assert not np.array_equal(orders[0][0], orders[1][0])


def test_same_seed_same_history_different_seed_different_history():
    X_train, X_test, y_train, y_test = moons_split(200)

    def run(seed):
        model = MLP([2, 16, 2], rng=0)
        return fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2), X_train, y_train,
                   epochs=5, batch_size=16, rng=seed, validation=(X_test, y_test), progress=False)

    a, b, c = run(3), run(3), run(4)
    assert a == b  # dataclass equality: every list element identical
    assert a.train_loss != c.train_loss


# -- learning-rate schedules ------------------------------------------------------------------
def test_schedule_sets_the_learning_rate_before_every_step():
    def schedule(k):  # deck 003 linear decay from 0.1 to 0.001 over tau = 10 steps, then constant
        return (1 - min(k, 10) / 10) * 0.1 + min(k, 10) / 10 * 0.001

    X_train, _, y_train, _ = moons_split(100)  # 75 examples, batch 25 -> 3 steps per epoch
    model = MLP([2, 8, 2], rng=0)
    opt = SGD(model.parameters(), lr=0.5)
    steps = counting(opt)
    history = fit(model, CrossEntropyLoss(), opt, X_train, y_train, epochs=5, batch_size=25,
                  rng=0, schedule=schedule, progress=False)
    expected = [schedule(k) for k in range(15)]
    np.testing.assert_allclose(steps, expected, rtol=1e-12)
    np.testing.assert_allclose(history.lr, [expected[3 * e] for e in range(5)], rtol=1e-12)


def test_without_a_schedule_the_optimizer_rate_is_recorded():
    X_train, _, y_train, _ = moons_split(60)
    model = MLP([2, 4, 2], rng=0)
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.05), X_train, y_train,
                  epochs=3, batch_size=10, rng=0, progress=False)
    assert history.lr == [0.05, 0.05, 0.05]


# -- early stopping -------------------------------------------------------------------------
def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    """Validation labels flipped: every epoch of learning makes validation worse, so the best
    epoch is the first and training stops `patience` epochs later with epoch 1's weights."""
    X_train, X_test, y_train, y_test = moons_split(200)
    patience = 3

    def model_and_opt():
        model = MLP([2, 16, 2], rng=0)
        return model, Adam(model.parameters(), lr=1e-2)

    model, opt = model_and_opt()
    stopper = EarlyStopping(patience=patience)
    history = fit(model, CrossEntropyLoss(), opt, X_train, y_train, epochs=50, batch_size=150,
                  rng=0, validation=(X_test, 1 - y_test), early_stopping=stopper, progress=False)
    assert stopper.best_epoch == 0 and history.stopped_early
    assert history.epochs_run == 1 + patience == len(history.val_loss)
    one_epoch, opt1 = model_and_opt()
    fit(one_epoch, CrossEntropyLoss(), opt1, X_train, y_train, epochs=1, batch_size=150, rng=0,
        progress=False)
    for p, q in zip(model.parameters(), one_epoch.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_early_stopping_without_validation_is_a_clear_error():
    X_train, _, y_train, _ = moons_split(40)
    model = MLP([2, 4, 2], rng=0)
    with pytest.raises(ValueError, match="validation"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X_train, y_train,
            epochs=2, batch_size=8, rng=0, early_stopping=EarlyStopping(2), progress=False)


# -- gradient norms, penalty, modes ---------------------------------------------------------
def test_full_batch_grad_norm_equals_finite_difference_gradient_norm():
    """With one step per epoch the recorded norm is ||dJ/dtheta|| at the epoch's start."""
    X, y = ds.moons(30, rng=1)
    model = MLP([2, 3, 2], ReLU(), rng=2)
    theta0 = [p.data.copy() for p in model.parameters()]
    loss = CrossEntropyLoss()
    history = fit(model, loss, SGD(model.parameters(), lr=0.1), X, y, epochs=1, batch_size=30,
                  rng=0, record_grad_norms=True, progress=False)
    for p, value in zip(model.parameters(), theta0):
        p.data[...] = value
    for name, p in model.named_parameters():
        numeric = numerical_gradient(lambda: loss(model.forward(X), y), p.data)
        np.testing.assert_allclose(history.grad_norms[name][0], np.linalg.norm(numeric), rtol=1e-6)


def test_grad_norms_shrink_towards_the_input_in_a_deep_sigmoid_net():
    """Deck 003/004, vanishing gradients: sigmoid' <= 1/4 at every layer on the way back."""
    X, y = ds.moons(200, rng=0)
    model = MLP([2, 16, 16, 16, 16, 16, 2], Sigmoid(), rng=0)
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=2,
                  batch_size=50, rng=0, record_grad_norms=True, progress=False)
    weights = [n for n in history.grad_norms if n.endswith("W")]
    assert list(history.grad_norms) == [n for n, _ in model.named_parameters()]
    assert all(len(v) == 2 for v in history.grad_norms.values())
    first, last = history.grad_norms[weights[0]][0], history.grad_norms[weights[-1]][0]
    assert first < last / 10


def test_l2_penalty_enters_the_objective_and_the_gradient():
    """One full-batch SGD step with (lam/2)||W||^2: W <- W - lr (dL/dW + lam W); b unchanged by lam."""
    X, y = ds.moons(20, rng=3)
    lam, lr = 0.5, 0.1
    model = MLP([2, 4, 2], rng=1)
    reference = MLP([2, 4, 2], rng=1)
    loss = CrossEntropyLoss()
    J0 = loss(reference.forward(X), y)
    reference.backward(loss.backward())
    expected_J = J0 + lam / 2 * sum(np.sum(p.data ** 2) for n, p in reference.named_parameters() if n.endswith("W"))
    history = fit(model, loss, SGD(model.parameters(), lr=lr), X, y, epochs=1, batch_size=20,
                  rng=0, penalty=L2Penalty(lam), progress=False)
    assert history.train_loss[0] == pytest.approx(expected_J, rel=1e-12)
    for (name, p), (_, q) in zip(model.named_parameters(), reference.named_parameters()):
        decay = lam * q.data if name.endswith("W") else 0.0
        np.testing.assert_allclose(p.data, q.data - lr * (q.grad + decay), rtol=1e-12)


class ModeSpy(Module):
    """Identity layer that records whether each forward ran in training mode."""

    def __init__(self):
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return x

    def backward(self, dout):
        return dout


def test_training_runs_in_train_mode_and_validation_in_eval_mode():
    X_train, X_test, y_train, y_test = moons_split(100)  # 75 training rows: 3 batches of 25
    spy = ModeSpy()
    model = Sequential(Linear(2, 2, rng=0), spy)
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X_train, y_train, epochs=2,
        batch_size=25, rng=0, validation=(X_test, y_test), progress=False)
    assert spy.modes == [True, True, True, False] * 2
    assert not model.training


def test_first_layer_skips_dx_inside_fit_only():
    X, y = ds.moons(40, rng=0)
    model = MLP([2, 4, 2], rng=0)
    first = model[0]
    returned = []
    backward = first.backward

    def spy(dZ):
        returned.append(backward(dZ))
        return returned[-1]

    first.backward = spy
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=1, batch_size=40,
        rng=0, progress=False)
    assert returned == [None]
    del first.backward
    loss = CrossEntropyLoss()
    loss(model.forward(X), y)
    dX = model.backward(loss.backward())
    assert first.needs_input_grad and dX.shape == X.shape


def test_float32_model_trains_in_float32_from_float64_data():
    X, y = ds.moons(64, rng=0)  # float64 data
    model = MLP([2, 8, 2], rng=0, dtype=np.float32)
    fit(model, CrossEntropyLoss(), Adam(model.parameters()), X, y, epochs=2, batch_size=16,
        rng=0, progress=False)
    assert all(p.data.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())


def test_divergence_is_reported_with_the_history_so_far():
    X, y = ds.regression_1d(ds.polynomial, 32, rng=0, low=-50.0, high=50.0)
    model = MLP([1, 8, 1], rng=0)
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="diverged") as info:
        fit(model, MSELoss(), SGD(model.parameters(), lr=10.0), X, y, epochs=20, batch_size=32,
            rng=0, progress=False)
    assert isinstance(info.value.history, History) and info.value.history.epochs_run >= 1


# -- helpers --------------------------------------------------------------------------------
def hand_model():
    """Linear(2, 2) with W = I, b = 0: the logits are the inputs themselves."""
    layer = Linear(2, 2, rng=0)
    layer.W.data[...] = np.eye(2)
    layer.b.data[...] = 0.0
    return Sequential(layer)


def test_predict_accuracy_evaluate_on_a_hand_built_model():
    X = np.array([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0], [0.0, 5.0]])
    y = np.array([0, 1, 1, 1])  # argmax of the rows: 0, 1, 0, 1 -> 3 of 4 right
    model = hand_model()
    np.testing.assert_array_equal(predict(model, X, CrossEntropyLoss()), [0, 1, 0, 1])
    assert accuracy(model, X, y, CrossEntropyLoss()) == 0.75
    value, acc = evaluate(model, X, y, CrossEntropyLoss())
    p = np.exp(X) / np.exp(X).sum(axis=1, keepdims=True)
    assert value == pytest.approx(-np.mean(np.log(p[np.arange(4), y])))
    assert acc == 0.75
    logit_model = Sequential(Linear(1, 1, rng=0))
    logit_model[0].W.data[...] = 1.0
    logit_model[0].b.data[...] = 0.0
    z = np.array([[-2.0], [0.5], [3.0]])  # sigma(z) > 1/2 exactly when z > 0
    np.testing.assert_array_equal(predict(logit_model, z, BCEWithLogitsLoss()), [0, 1, 1])
    assert math.isnan(accuracy(logit_model, z, z, MSELoss()))


def test_history_repr_is_readable_and_progress_bar_shows_the_loss(capsys):
    X_train, X_test, y_train, y_test = moons_split(40)
    model = MLP([2, 4, 2], rng=0)
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X_train, y_train,
                  epochs=2, batch_size=10, rng=0, validation=(X_test, y_test))
    assert "loss=" in capsys.readouterr().err
    text = repr(history)
    assert "epochs_run=2" in text and "val_acc" in text and len(text) < 400


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(epochs=0), ValueError, "epochs"),
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(batch_size=2.5), TypeError, "batch_size"),
    (dict(rng=None), TypeError, "rng"),
    (dict(y=np.zeros(5, dtype=int)), ValueError, "same number of rows"),
    (dict(X=np.full((8, 2), np.nan)), ValueError, "NaN"),
    (dict(validation=np.zeros((3, 2))), TypeError, "validation"),
    (dict(schedule=0.1), TypeError, "schedule"),
    (dict(model="mlp"), TypeError, "model"),
    (dict(loss=lambda a, b: 0.0), TypeError, "loss"),
])
def test_bad_arguments_raise_naming_the_argument(kwargs, error, words):
    model = MLP([2, 4, 2], rng=0)
    args = dict(model=model, loss=CrossEntropyLoss(), optimizer=SGD(model.parameters(), lr=0.1),
                X=np.zeros((8, 2)), y=np.zeros(8, dtype=int), epochs=1, batch_size=4, rng=0,
                progress=False)
    args.update(kwargs)
    with pytest.raises(error, match=words):
        fit(**args)


def test_speed_benchmark_runs_on_tiny_sizes(tmp_path):
    """Keeps bench/mlp_speed.py from rotting; no timing is asserted (timings belong in bench/)."""
    out = tmp_path / "speed.json"
    subprocess.run([sys.executable, str(ROOT / "bench" / "mlp_speed.py"), "--samples", "300",
                    "--test-samples", "100", "--epochs", "1", "--digits-epochs", "1", "--repeats", "1",
                    "--out", str(out)], check=True, capture_output=True, text=True, timeout=120)

    results = json.loads(out.read_text())
    assert [r["dtype"] for r in results["mnist_like"]] == ["float32", "float64"]
    assert {"coursekit_over_gemm", "sklearn_over_coursekit"} <= set(results["mnist_like"][0])
    assert 0.0 <= results["digits"]["coursekit_test_acc"] <= 1.0
