"""Facts of lesson 05 (deck 004): shallow ReLU nets, linear regions, approximation, depth.

Expected values are derived by hand in the tests (the pieces of a one-unit net, the joints of
the deck's three-unit example, the tent map's sawtooth j/2^K, the parameter count 6K + 1)
or computed independently (numpy.linalg.lstsq for every D against the QR shortcut).
"""
import numpy as np
import pytest

import coursekit.experiments.relu_pieces as rp
from coursekit.activations import softplus
from coursekit.datasets import abs_x, sine, step
from coursekit.experiments.relu_pieces import (breakpoints, count_linear_regions, depth_vs_width, fit_errors,
                                               fit_output_weights, random_hidden_units,
                                               regions_from_breakpoints, relu_pieces, sawtooth_mlp)
from coursekit.mlp import parameter_count


X = np.linspace(-1.0, 1.0, 20001)


TARGETS = {"sine": sine, "step": step, "|x|": abs_x}


def assert_at_most_D_plus_1_regions(theta, phi):
    pieces, y = relu_pieces(X, theta, phi)
    counted = count_linear_regions(X, y)
    assert counted <= len(theta) + 1
    assert counted == regions_from_breakpoints(theta, phi, X[0], X[-1])


def separated_net(D, seed):
    """A random net whose joints in [-1, 1] lie at least 0.01 apart (the grid step is 1e-4)."""
    rng = np.random.default_rng(seed)
    while True:
        theta, phi = rng.uniform(-3, 3, (D, 2)), rng.uniform(-3, 3, D + 1)
        joints = np.sort(breakpoints(theta))
        inside = joints[(joints > -1.01) & (joints < 1.01)]
        if np.all(np.diff(inside) > 0.01) and np.all(np.abs(np.abs(inside) - 1) > 0.01):
            return theta, phi


# -- the shallow net and its pieces --------------------------------------------------------
def test_one_unit_by_hand():
    # y = 0.2 + 2 ReLU(-0.5 + x): flat at 0.2 left of the joint x = 0.5, slope 2 right of it.
    x = np.array([-1.0, 0.0, 0.5, 0.75, 1.0])
    pieces, y = relu_pieces(x, [[-0.5, 1.0]], [0.2, 2.0])
    np.testing.assert_allclose(pieces[0], [0, 0, 0, 0.5, 1.0])
    np.testing.assert_allclose(y, [0.2, 0.2, 0.2, 0.7, 1.2])
    np.testing.assert_allclose(breakpoints([[-0.5, 1.0], [1.0, -4.0], [3.0, 0.0]]), [0.5, 0.25, np.nan])


def test_deck_example_three_units_four_regions():
    theta = np.array([[0.5, 1.0], [0.0, -1.0], [-0.5, 1.0]])   # joints -0.5, 0, 0.5
    phi = np.array([0.1, 1.0, -1.0, 2.0])
    _, y = relu_pieces(X, theta, phi)
    assert count_linear_regions(X, y) == regions_from_breakpoints(theta, phi, -1, 1) == 4
    # slopes by hand: left of -0.5 only unit 2 is active, phi_2 theta_21 = (-1)(-1) = 1; unit 1
    # joins at -0.5 (+1): 2; unit 2 switches off at 0 (-1): 1; unit 3 joins at 0.5 (+2): 3
    slopes = np.diff(y) / np.diff(X)
    np.testing.assert_allclose(slopes[[0, 7000, 12000, -1]], [1.0, 2.0, 1.0, 3.0])


@pytest.mark.parametrize("D", range(1, 9))
@pytest.mark.parametrize("seed", range(5))
def test_random_nets_have_at_most_D_plus_1_regions(D, seed):
    assert_at_most_D_plus_1_regions(*separated_net(D, seed))


@pytest.mark.parametrize("theta, phi, expected", [
    ([[0.0, 1.0], [0.0, 1.0]], [0.0, 1.0, -1.0], 1),    # the same joint twice, kinks cancel
    ([[0.0, 1.0], [0.0, 2.0]], [0.0, 1.0, 1.0], 2),     # same joint, kinks add: one corner
    ([[2.0, 1.0], [0.0, 1.0]], [0.0, 1.0, 1.0], 2),     # joint at -2 is outside [-1, 1]
    ([[0.3, 0.0], [0.0, 1.0]], [0.0, 1.0, 1.0], 2),     # a flat unit (theta_d1 = 0) has no joint
    ([[0.0, 1.0], [0.5, 1.0]], [0.0, 0.0, 1.0], 2),     # phi_1 = 0: its joint makes no corner
])
def test_degenerate_joints(theta, phi, expected):
    _, y = relu_pieces(X, theta, phi)
    assert count_linear_regions(X, y) == regions_from_breakpoints(theta, phi, -1, 1) == expected


def test_a_smooth_unit_breaks_the_fact(monkeypatch):
    """Deliberately broken: softplus instead of ReLU is curved everywhere, the check notices."""
    monkeypatch.setattr(rp, "relu", softplus)
    with pytest.raises(AssertionError):
        assert_at_most_D_plus_1_regions(*separated_net(3, 0))


@pytest.mark.parametrize("bad, match", [(np.ones((3, 3)), "theta"), (np.ones((3, 2)), "phi")])
def test_shapes_are_checked(bad, match):
    with pytest.raises(ValueError, match=match):
        relu_pieces(X, bad, np.ones(3))


# -- universal approximation: least-squares output weights ---------------------------------
def test_least_squares_recovers_a_net_it_can_represent():
    theta = random_hidden_units(5, rng=2)
    phi = np.array([0.3, -1.0, 2.0, 0.5, -0.25, 1.5])
    _, t = relu_pieces(X, theta, phi)
    np.testing.assert_allclose(fit_output_weights(X, t, theta), phi, atol=1e-8)


def test_hidden_units_are_nested_and_reproducible():
    a, b = random_hidden_units(10, rng=4), random_hidden_units(10, rng=4)
    np.testing.assert_array_equal(a, b)
    assert np.all(np.abs(a[:, 1]) == 1) and np.all(np.abs(breakpoints(a)) <= 1)


@pytest.mark.parametrize("name", TARGETS)
def test_fit_error_falls_as_units_grow(name):
    x = np.linspace(-1, 1, 401)
    t = TARGETS[name](x)
    theta = random_hidden_units(64, rng=0)
    errors = fit_errors(x, t, theta)
    # independently: one least-squares problem per D
    for D in (1, 2, 5, 16, 64):
        _, y = relu_pieces(x, theta[:D], fit_output_weights(x, t, theta[:D]))
        assert errors[D - 1] == pytest.approx(np.mean((y - t) ** 2), rel=1e-6, abs=1e-12)
    assert np.all(np.diff(errors) <= 1e-12)                  # nested nets: never worse
    assert errors[-1] < errors[0] / 30                       # and much better with many units


# -- depth vs width ------------------------------------------------------------------------
@pytest.mark.parametrize("K", range(1, 9))
def test_sawtooth_has_2_to_the_K_regions(K):
    x = np.arange(2 ** K + 1) / 2 ** K
    y = sawtooth_mlp(K)(x[:, None])[:, 0]
    np.testing.assert_allclose(y, np.arange(2 ** K + 1) % 2, atol=1e-12)   # tent^K: 0, 1, 0, ...
    r = depth_vs_width(K)
    assert r.regions_deep == 2 ** K
    assert r.params == parameter_count([1] + [2] * K + [1]) == 4 + 6 * (K - 1) + 3
    assert r.D == 2 * K and 3 * r.D + 1 == r.params
    assert r.regions_shallow <= r.shallow_bound == 2 * K + 1
    if K >= 3:
        assert r.regions_deep > r.shallow_bound


@pytest.mark.parametrize("call, name", [
    (lambda: count_linear_regions(X, X[:-1]), "x and y"),
    (lambda: count_linear_regions(X, np.full_like(X, np.nan)), "y"),
    (lambda: random_hidden_units(0, rng=0), "D_max"),
    (lambda: random_hidden_units(3, rng=None), "rng"),
    (lambda: fit_errors(X[:5], X[:5], random_hidden_units(8, rng=0)), "more samples"),
    (lambda: sawtooth_mlp(0), "depth"),
])
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
