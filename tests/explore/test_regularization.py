"""Lessons 09 and 10's explorers state deck 003's facts about regularization, at every control's limits.

Each explorer trains small nets on a fixed seed; the explorers are module-scoped fixtures, so
each setting is trained once and reused by every test below. Where a fact is about training
(dropout's training loss, batch norm), the test says why it holds by a wide margin and not by
luck of the seed.
"""
import numpy as np
import pytest

from coursekit.datasets import noisy_moons
from coursekit.experiments.regularization import (stopping_point, train_for_early_stopping, train_penalized,
                                                  weight_vector)
from coursekit.explore.regularization import (BatchNormExplorer, DropoutExplorer, EarlyStoppingExplorer,
                                              PenaltyExplorer)
from coursekit.regularization import EarlyStopping


@pytest.fixture(scope="module")
def data():
    return noisy_moons()


@pytest.fixture(scope="module")
def dropout_explorer(data):
    return DropoutExplorer(data)


@pytest.fixture(scope="module")
def penalty_explorer(data):
    return PenaltyExplorer(data)


@pytest.fixture(scope="module")
def early_stopping_explorer(data):
    return EarlyStoppingExplorer(data)


@pytest.fixture(scope="module")
def batchnorm_explorer(data):
    return BatchNormExplorer(data)


# -- L1 and L2 ---------------------------------------------------------------------------------
def _weights_at(explorer, kind, lam):
    explorer.set(kind=kind, lam=lam)
    model = explorer.result.model
    drawn = explorer.weights_line.get_ydata()
    np.testing.assert_array_equal(drawn, np.sort(weight_vector(model)))
    return drawn


def test_training_sliders_fire_on_release_only(dropout_explorer, penalty_explorer, batchnorm_explorer):
    for explorer in (dropout_explorer, penalty_explorer, batchnorm_explorer):
        assert not explorer.live
        assert all(getattr(c, "continuous_update", False) is False for c in explorer.controls.values())
    assert EarlyStoppingExplorer.live  # its slider only replays a recorded curve


# -- dropout ---------------------------------------------------------------------------------
def test_dropout_sweep(dropout_explorer, sweep):
    """p = 0, 0.5, 0.8: the validation curve changes with p; the training loss, measured on the
    thinned nets dropout trains, ends higher for larger p (the full net memorises the 60 noisy
    points, loss near 0, which a net missing half its units at random cannot); the first
    Dropout layer drops about a fraction p of the 16 x 64 units (6 standard deviations)."""
    curves, final_train = {}, {}
    for _, p in sweep(dropout_explorer):
        r = dropout_explorer.result
        curves[p] = np.array(r.history.val_loss)
        final_train[p] = r.history.train_loss[-1]
        kept = r.mask
        assert abs((1 - kept.mean()) - p) < 6 * np.sqrt(max(p * (1 - p), 1e-12) / kept.size) + 1e-12
    ps = sorted(curves)
    assert len(ps) == 3
    for a, b in zip(ps, ps[1:]):
        assert not np.allclose(curves[a], curves[b])
        assert final_train[a] < final_train[b]


def test_penalty_sweep_draws_every_kind(penalty_explorer, sweep):
    for name, value in sweep(penalty_explorer):
        w = penalty_explorer.weights_line.get_ydata()
        assert w.size == 2 * 64 + 64 * 64 + 64 * 2 and np.all(np.diff(w) >= 0)


def test_stronger_l1_gives_more_exact_zeros(penalty_explorer):
    """The proximal step is W <- soft_threshold(W, eps lam): every weight with |W| <= eps lam
    after a step becomes exactly 0, so a larger lam zeroes more (deck 003: L1 induces sparsity)."""
    lams = next(c for c in penalty_explorer.table if c.name == "lam").sweep()
    zeros = [np.count_nonzero(_weights_at(penalty_explorer, "L1", lam) == 0) for lam in lams]
    assert zeros[0] < zeros[1] < zeros[2], zeros
    penalty_explorer.set(kind="L1", lam=lams[1])


def test_stronger_l2_gives_a_smaller_weight_norm(penalty_explorer):
    """Near an optimum, L2 moves theta* to (H + alpha I)^-1 H theta*, shrinking every eigen-
    component by lambda_i / (lambda_i + alpha): a larger alpha, a smaller ||W||. Shrinking is
    not zeroing: no weight is exactly 0."""
    lams = next(c for c in penalty_explorer.table if c.name == "lam").sweep()
    weights = [_weights_at(penalty_explorer, "L2", lam) for lam in lams]
    norms = [np.linalg.norm(w) for w in weights]
    assert norms[0] > norms[1] > norms[2], norms
    assert all(np.count_nonzero(w == 0) == 0 for w in weights)
    penalty_explorer.set(kind="L1", lam=lams[1])


# -- early stopping --------------------------------------------------------------------------
def test_early_stopping_sweep_smaller_patience_stops_no_later(early_stopping_explorer, sweep):
    """By definition the run stops `patience` epochs after the last improvement: stop - best =
    patience, and a smaller patience cannot stop later."""
    stops = {}
    val = early_stopping_explorer.history.val_loss
    for _, patience in sweep(early_stopping_explorer):
        stop, best = stopping_point(val, patience, early_stopping_explorer.model)
        stops[patience] = len(val) if stop is None else stop
        drawn_stop = early_stopping_explorer.stop_line.get_xdata()[0]
        assert drawn_stop == (len(val) if stop is None else stop + 1)
        assert early_stopping_explorer.best_dot.get_ydata()[0] == min(val[:stops[patience] + 1])
        if stop is not None:
            assert stop - best == patience
    patiences = sorted(stops)
    assert [stops[p] for p in patiences] == sorted(stops[p] for p in patiences)
    assert stops[patiences[0]] < len(val), "the smallest patience must stop early"


def test_replayed_stop_matches_a_real_run_with_early_stopping(early_stopping_explorer, data):
    """The explorer replays EarlyStopping on a recorded curve; fit with early_stopping= must stop
    at the same epoch (training is deterministic) and restore the best epoch's weights."""
    patience = early_stopping_explorer.controls["patience"].value
    val = early_stopping_explorer.history.val_loss
    stop, best = stopping_point(val, patience, early_stopping_explorer.model)
    stopper = EarlyStopping(patience)
    model, history = train_for_early_stopping(data, early_stopping=stopper)
    assert history.stopped_early and history.epochs_run == stop + 1
    assert stopper.best_epoch == best
    assert history.val_loss == val[:stop + 1]


# -- batch norm ------------------------------------------------------------------------------
def test_batch_norm_sweep_lowers_the_training_loss_of_deep_sigmoid_nets(batchnorm_explorer, sweep):
    """4, 6 and 8 sigmoid layers, 60 epochs: without batch norm the gradient reaching the first
    layers shrinks by up to 4x per layer (sigma' <= 1/4), and the loss stays near ln 2 (chance);
    BatchNorm1d re-centres each layer's input in sigma's steep middle, and the net learns. The
    gap (about 0.3 nats on this seed) is far larger than the epoch-to-epoch noise (about 0.1)."""
    for name, value in sweep(batchnorm_explorer):
        plain = batchnorm_explorer.plain_line.get_ydata()
        with_bn = batchnorm_explorer.bn_line.get_ydata()
        assert len(plain) == len(with_bn) == 60
        assert with_bn[-1] < plain[-1], (name, value)
        bold = batchnorm_explorer.bn_line if batchnorm_explorer.values["batch_norm"] else batchnorm_explorer.plain_line
        assert bold.get_linewidth() > 2
