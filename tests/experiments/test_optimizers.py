"""Lesson 08's explorers state deck 003's facts about optimizers, at every slider's limits.

Expected values come from hand derivations written here: the eigenvalues of A (gradient descent
on 1/2 theta^T A theta multiplies the i-th eigen-coordinate by 1 - eps lambda_i per step), the
geometric series of the momentum velocity, and the schedules' defining formulas.
"""
import numpy as np
import pytest

from coursekit.experiments.optimizers import (PathRun, Quadratic, Rosenbrock, distances,
                                              epochs_vs_iterations, momentum_speeds, optimizer_path,
                                              schedules_to_one_percent, steps_to_reach, terminal_speed)
from coursekit.optim import SGD


KAPPAS = [1.0, 25.0, 50.0]  # the kappa slider of lesson 08: min, default, max


class DampenedMomentum(SGD):
    """Deliberately different: an average b <- alpha b + (1 - alpha) g, theta <- theta - eps b
    (PyTorch with dampening = momentum). Its terminal speed is eps ||g||, not eps ||g|| / (1 - alpha)."""

    def _update(self, theta, g, tmp, state):
        v = state["v"]
        v *= self.momentum
        v += (1 - self.momentum) * g
        theta -= self.lr * v


# -- the surfaces' gradients are the analytic ones -----------------------------------------
@pytest.mark.parametrize("surface", [Quadratic(25.0), Rosenbrock()], ids=repr)
def test_gradient_matches_central_differences(surface):
    theta, h = np.array([0.3, -0.7]), 1e-6
    numeric = [(surface.value(theta + h * e) - surface.value(theta - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(surface.gradient(theta), numeric, rtol=1e-7)


# -- the facts, from the compute functions -------------------------------------------------
@pytest.mark.parametrize("kappa", KAPPAS)
@pytest.mark.parametrize("alpha", [0.9, 0.95])
def test_momentum_reaches_the_minimum_in_fewer_steps_than_sgd(kappa, alpha):
    """At the default eps = 0.02, SGD's slow direction shrinks by 1 - eps = 0.98 per step
    (about 380 steps to 1e-3 from distance 2.2); with alpha = 0.9 both modes are underdamped
    and shrink by sqrt(alpha) ~ 0.95 per step (about 150 steps)."""
    q, lr, tol = Quadratic(kappa), 0.02, 1e-3
    sgd = steps_to_reach(optimizer_path(q, "SGD", lr, 3000), q.minimum, tol)
    momentum = steps_to_reach(optimizer_path(q, "momentum", lr, 3000, alpha=alpha), q.minimum, tol)
    assert sgd is not None and momentum is not None
    assert momentum < sgd


def test_momentum_with_alpha_zero_is_plain_sgd():
    q = Quadratic(25.0)
    sgd = optimizer_path(q, "SGD", 0.05, 50)
    for name in ("momentum", "Nesterov"):
        np.testing.assert_array_equal(optimizer_path(q, name, 0.05, 50, alpha=0.0), sgd)


@pytest.mark.parametrize("kappa", KAPPAS)
def test_sgd_diverges_just_above_two_over_lambda_max(kappa):
    """1 - eps lambda_max = -1.1 at 1.05 * 2 / lambda_max: |theta_2| grows 1.1x per step."""
    q = Quadratic(kappa)
    lambda_max = np.linalg.eigvalsh(q.A).max()
    below = distances(optimizer_path(q, "SGD", 0.95 * 2 / lambda_max, 300), q.minimum)
    above = distances(optimizer_path(q, "SGD", 1.05 * 2 / lambda_max, 300), q.minimum)
    assert below[-1] < below[0]
    assert np.isnan(above[-1]) or above[-1] > 1e3 * above[0]


def test_path_run_resumes_where_it_stopped():
    """Extending a cached run equals running the longer path from scratch."""
    q = Quadratic(25.0)
    run = PathRun(q, lambda p: SGD(p, 0.02, momentum=0.9))
    run.advance(40)
    np.testing.assert_array_equal(run.advance(100), optimizer_path(q, "momentum", 0.02, 100, alpha=0.9))


@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.9, 0.99])
def test_momentum_speed_is_the_geometric_series(alpha):
    """Constant g: v_k = -eps g (1 + alpha + ... + alpha^(k-1)), so ||v_k|| = eps ||g|| (1 - alpha^k) / (1 - alpha)."""
    lr, g, k = 0.01, np.array([1.0, 2.0]), np.arange(1, 201)
    expected = lr * np.linalg.norm(g) * (1 - alpha ** k) / (1 - alpha)
    np.testing.assert_allclose(momentum_speeds(alpha, lr, 200, g), expected, rtol=1e-10)


def test_terminal_speed_check_catches_a_dampened_momentum():
    speeds = momentum_speeds(0.9, 0.01, 1000, optimizer=DampenedMomentum)
    assert not np.isclose(speeds[-1], terminal_speed(0.9, 0.01), rtol=1e-2)


def test_schedules_are_coursekit_schedules():
    from coursekit import schedules

    assert all(isinstance(s, schedules.Schedule) for s in schedules_to_one_percent(0.1, 100).values())


@pytest.mark.parametrize("N, B, per_epoch", [(1000, 1000, 1), (1000, 1, 1000), (1000, 32, 32),
                                             (1000, 100, 10), (60000, 128, 469)])
def test_epochs_vs_iterations(N, B, per_epoch):
    """N/B updates per epoch, rounded up when the last minibatch is partial (1000/32 = 31.25)."""
    (row,) = epochs_vs_iterations(N, [B], epochs=5)
    assert row == {"B": B, "iterations per epoch": per_epoch, "iterations": 5 * per_epoch}


@pytest.mark.parametrize("bad, message", [
    (dict(name="Newton"), "name must be one of"),
    (dict(lr=0.0), "lr"),
    (dict(steps=0), "steps"),
])
def test_optimizer_path_rejects_bad_input(bad, message):
    args = dict(surface=Quadratic(), name="SGD", lr=0.1, steps=5) | bad
    with pytest.raises(ValueError, match=message):
        optimizer_path(**args)


@pytest.mark.parametrize("B", [1, 7, 32, 50])
def test_fit_takes_as_many_steps_as_the_table_says(B):
    """coursekit.training.fit calls its schedule once before each step k; counting them checks
    the table against the training loop that the other lessons use."""
    from coursekit.datasets import moons
    from coursekit.losses import CrossEntropyLoss
    from coursekit.mlp import MLP
    from coursekit.training import fit

    X, y = moons(50, rng=0)
    model = MLP([2, 4, 2], rng=0)
    seen = []
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.01), X, y, epochs=3, batch_size=B,
        rng=0, schedule=lambda k: seen.append(k) or 0.01, progress=False)
    (row,) = epochs_vs_iterations(50, [B], epochs=3)
    assert max(seen) + 1 == row["iterations"]
