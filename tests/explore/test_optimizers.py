"""Lesson 08's explorers state deck 003's facts about optimizers, at every slider's limits.

Expected values come from hand derivations written here: the eigenvalues of A (gradient descent
on 1/2 theta^T A theta multiplies the i-th eigen-coordinate by 1 - eps lambda_i per step), the
geometric series of the momentum velocity, and the schedules' defining formulas.
"""
import numpy as np
import pytest

from coursekit.experiments.optimizers import ADAPTIVE, OPTIMIZERS, Quadratic, Rosenbrock, distances
from coursekit.explore.optimizers import (QuadraticPathExplorer, RosenbrockPathExplorer, ScheduleExplorer,
                                          TerminalSpeedExplorer)


@pytest.fixture(scope="module")
def quadratic_explorer():
    return QuadraticPathExplorer()


@pytest.fixture(scope="module")
def rosenbrock_explorer():
    return RosenbrockPathExplorer()


KAPPAS = next(c for c in QuadraticPathExplorer.CONTROLS if c.name == "kappa").sweep()  # min, default, max


def drawn_distances(explorer, name):
    """||theta_k - theta*|| along the path drawn in optimizer ``name``'s panel."""
    x, y = explorer.paths[name].get_data()
    minimum = (Quadratic if isinstance(explorer, QuadraticPathExplorer) else Rosenbrock).minimum
    return distances(np.column_stack([x, y]), minimum)


# -- every control at min, default, max ----------------------------------------------------
def test_quadratic_sweep_sgd_diverges_exactly_above_two_over_lambda_max(quadratic_explorer, sweep):
    """GD on the quadratic: theta_i <- (1 - eps lambda_i) theta_i, so it moves away iff some
    |1 - eps lambda_i| > 1, i.e. eps > 2 / lambda_max (lambda_max from A's eigenvalues)."""
    seen = set()
    for name, value in sweep(quadratic_explorer):
        v = quadratic_explorer.values
        lambda_max = np.linalg.eigvalsh(Quadratic(v["kappa"]).A).max()
        d = drawn_distances(quadratic_explorer, "SGD")
        assert len(d) == v["steps"] + 1
        moved_away = np.isnan(d[-1]) or d[-1] > d[0]
        assert moved_away == (v["lr"] > 2 / lambda_max), (name, value, d[-1])
        seen.add(moved_away)
    assert seen == {True, False}, "the sweep must show SGD both converging and diverging"


@pytest.mark.parametrize("explorer_fixture", ["quadratic_explorer", "rosenbrock_explorer"])
def test_every_path_ends_closer_to_the_minimum_at_max_steps(explorer_fixture, request):
    """With the default rates every optimizer makes progress (deck 003: all six are descent
    methods at a small enough step), on the bowl and on Rosenbrock's valley."""
    explorer = request.getfixturevalue(explorer_fixture)
    steps = explorer.controls["steps"]
    kappas = KAPPAS if "kappa" in explorer.controls else [None]
    for kappa in kappas:
        explorer.set(steps=steps.max, **({} if kappa is None else {"kappa": kappa}))
        for name in OPTIMIZERS:
            d = drawn_distances(explorer, name)
            assert len(d) == steps.max + 1 and d[-1] < d[0], (name, kappa, d[-1], d[0])
    explorer.set(steps=steps.value)


def test_rosenbrock_sweep_draws_each_path_from_the_start(rosenbrock_explorer, sweep):
    start = Rosenbrock.start
    for name, value in sweep(rosenbrock_explorer):
        for opt in OPTIMIZERS:
            x, y = rosenbrock_explorer.paths[opt].get_data()
            assert len(x) == rosenbrock_explorer.values["steps"] + 1
            np.testing.assert_array_equal([x[0], y[0]], start)


def test_alpha_reruns_only_momentum_and_nesterov(quadratic_explorer):
    """The cache: moving alpha makes new runs for momentum and Nesterov and reuses the others'."""
    explorer, v = quadratic_explorer, quadratic_explorer.values

    def runs(alpha):
        surface = explorer._surface(kappa=v["kappa"])
        return {n: explorer.run(n, v["lr_adaptive"] if n in ADAPTIVE else v["lr"], alpha, surface) for n in OPTIMIZERS}

    before = runs(v["alpha"])
    explorer.set(alpha=0.5)
    after = runs(0.5)
    explorer.set(alpha=v["alpha"])
    assert {n for n in OPTIMIZERS if after[n] is not before[n]} == {"momentum", "Nesterov"}


def test_terminal_speed_sweep_approaches_eps_g_over_one_minus_alpha(sweep):
    """For every alpha (0, 0.9, 0.99) and eps: after 1000 steps ||v|| is within alpha^1000 of
    the deck's terminal speed (4e-5 relative at alpha = 0.99)."""
    explorer = TerminalSpeedExplorer(g=(3.0, 4.0))
    for name, value in sweep(explorer):
        alpha, lr = explorer.values["alpha"], explorer.values["lr"]
        expected = lr * 5.0 / (1 - alpha)   # ||(3, 4)|| = 5
        assert explorer.speed_line.get_ydata()[-1] == pytest.approx(expected, rel=1e-4)
        assert explorer.terminal_line.get_ydata()[0] == pytest.approx(expected, rel=1e-12)


def test_terminal_speed_limits_hold_every_speed_and_never_move():
    """At every corner of the sliders the speeds lie between plain SGD's slowest, 1e-3 * 5, and
    the fastest terminal speed, 0.1 * 5 / (1 - 0.99) = 50 (||g|| = ||(3, 4)|| = 5): inside the
    decades (1e-3, 1e2), which no slider moves, so every frame is drawn over the kept background."""
    explorer = TerminalSpeedExplorer(g=(3.0, 4.0))
    assert explorer.ax.get_ylim() == pytest.approx((1e-3, 1e2))
    for alpha in (0.0, 0.9, 0.99):
        for lr in (1e-3, 1e-2, 1e-1):
            explorer.set(alpha=alpha, lr=lr)
            r = explorer.result
            speeds = [*r.speeds, r.terminal, r.sgd]
            assert 1e-3 < min(speeds) and max(speeds) < 1e2 and max(speeds) == pytest.approx(lr * 5 / (1 - alpha))
            assert explorer.ax.get_ylim() == pytest.approx((1e-3, 1e2))


def test_schedule_sweep_every_decay_reaches_one_percent_at_tau(sweep):
    """Linear: eps_k = (1 - k/tau) eps_0 + (k/tau) eps_tau, so eps_(tau/2) = 0.505 eps_0; every
    schedule starts at eps_0, never rises, and is at 1 % of eps_0 at tau (step: 4 (tau // 4))."""
    explorer = ScheduleExplorer()
    for name, value in sweep(explorer):
        lr0, tau = explorer.values["lr0"], explorer.values["tau"]
        curves = {n: line.get_ydata() for n, line in explorer.lines.items()}
        for n, eps in curves.items():
            assert eps[0] == pytest.approx(lr0, rel=1e-12), n
            assert np.all(np.diff(eps) <= 1e-15 * lr0), n
        at_tau = {"linear (deck 003)": tau, "exponential": tau, "cosine": tau, "step": 4 * (tau // 4)}
        for n, k in at_tau.items():
            if k < len(curves[n]):
                assert curves[n][k] == pytest.approx(0.01 * lr0, rel=1e-9), (n, tau)
        if tau % 2 == 0:
            assert curves["linear (deck 003)"][tau // 2] == pytest.approx(0.505 * lr0, rel=1e-12)
        for n in ("linear (deck 003)", "cosine"):  # these hold eps_tau after tau
            np.testing.assert_allclose(curves[n][tau:], 0.01 * lr0, rtol=1e-12)
