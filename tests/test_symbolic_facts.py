"""coursekit.symbolic's non-gradient derivations against independent numbers and coursekit's code.

Each test states a course fact (decks 003 and 004) and checks the derived formula against a
computation written here: a counted matrix product, a grid search, an optimizer run.
"""
import math

import numpy as np
import pytest
import sympy as sp

from coursekit import symbolic
from coursekit.mlp import MLP, parameter_count
from coursekit.module import Parameter
from coursekit.optim import SGD, Adam
from coursekit.regularization import Dropout, soft_threshold


# -- order of multiplication ---------------------------------------------------------------
def _chain_cost(shapes, left_to_right):
    """Multiplications to evaluate a product of matrices with these shapes in the given order."""
    ops = 0
    if left_to_right:
        rows, inner = shapes[0]
        for _, cols in shapes[1:]:
            ops, inner = ops + rows * inner * cols, cols
    else:
        inner, cols = shapes[-1]
        for rows, _ in reversed(shapes[:-1]):
            ops, inner = ops + rows * inner * cols, rows
    return ops


@pytest.mark.parametrize("n, L", [(2, 1), (3, 4), (10, 5), (64, 3)])
def test_vector_jacobian_order_counts(n, L):
    shapes = [(1, n)] + [(n, n)] * L                 # g^T, then L Jacobians
    from_gradient, jacobians_first = symbolic.vjp_order_derivation().lambdify()(n, L)
    assert from_gradient == _chain_cost(shapes, left_to_right=True) == L * n * n
    assert jacobians_first == _chain_cost(shapes, left_to_right=False)
    assert (jacobians_first > from_gradient) == (n > 1 and L > 1)


# -- shallow ReLU networks ------------------------------------------------------------------
@pytest.mark.parametrize("D", [1, 3, 6])
def test_shallow_relu_joints_and_region_count_match_a_coursekit_mlp(D):
    rng = np.random.default_rng(D)
    theta = rng.normal(size=(D, 2))
    net = MLP([1, D, 1], rng=rng)                     # Linear, ReLU, Linear
    net[0].W.data[...], net[0].b.data[...] = theta[:, 1][None, :], theta[:, 0]
    joints = symbolic.shallow_relu_regions_derivation(D).lambdify()(theta)
    np.testing.assert_allclose(joints, -theta[:, 0] / theta[:, 1])
    x = np.linspace(joints.min() - 1, joints.max() + 1, 20001)
    slope = np.diff(net.forward(x[:, None])[:, 0]) / np.diff(x)
    kinks = np.flatnonzero(np.abs(np.diff(slope)) > 1e-6)
    # a joint inside a grid cell changes the slope twice, at neighbouring cells: one kink
    regions = 1 + (len(kinks) > 0) + int(np.sum(np.diff(kinks) > 1))
    assert regions <= D + 1 == symbolic.shallow_relu_regions_derivation(D).values["max_regions"]
    assert regions == D + 1                                       # generic weights: every joint shows
    for j in joints:
        assert np.min(np.abs(x[kinks + 1] - j)) < 2 * (x[1] - x[0])


# -- counting parameters -------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[2, 2, 1], [64, 32, 10], [784, 256, 10], [3, 5]])
def test_parameter_count_formula_matches_coursekit_and_the_model(sizes):
    formula = symbolic.parameter_count_derivation(len(sizes) - 1).lambdify()(np.array(sizes))
    model = MLP(sizes, rng=0)
    assert formula == parameter_count(sizes) == sum(p.data.size for p in model.parameters())


def test_parameter_count_of_the_xor_net_is_nine():
    assert symbolic.parameter_count_derivation(2).values["xor_net"] == 9        # 2*2 + 2 + 2*1 + 1


# -- optimization ---------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.5, 0.9])
def test_momentum_terminal_speed_matches_coursekit_sgd(alpha):
    eps, g = 0.01, np.array([3.0, -4.0])             # ||g|| = 5
    p = Parameter(np.zeros(2))
    opt = SGD([p], lr=eps, momentum=alpha)
    for _ in range(400):
        before = p.data.copy()
        p.grad[...] = g
        opt.step()
    speed = np.linalg.norm(p.data - before)
    assert speed == pytest.approx(symbolic.momentum_terminal_speed_derivation().lambdify()(eps, alpha, 5.0), rel=1e-12)
    assert symbolic.momentum_terminal_speed_derivation().values["alpha=0.9"] == 10


@pytest.mark.parametrize("t", [1, 2, 5, 30])
def test_adam_first_moment_matches_coursekit_adam(t):
    rho1, g = 0.9, np.array([0.5, -2.0])
    p = Parameter(np.zeros(2))
    opt = Adam([p], lr=1e-3, betas=(rho1, 0.999))
    for _ in range(t):
        p.grad[...] = g
        opt.step()
    expected = symbolic.adam_bias_correction_derivation().lambdify()(rho1, g, t)
    np.testing.assert_allclose(opt.state[0]["s"], expected, rtol=1e-13)
    np.testing.assert_allclose(expected / (1 - rho1 ** t), g, rtol=1e-13)    # s_hat = g


def test_learning_rate_conditions_for_one_over_k():
    total, squares = symbolic.learning_rate_conditions_derivation().result
    assert total == sp.oo and squares == sp.pi ** 2 / 6
    k = np.arange(1, 100_001)
    assert np.sum(1 / k) > math.log(100_000)                     # the harmonic sum keeps growing
    assert abs(np.sum(1 / k ** 2) - math.pi ** 2 / 6) < 1 / 100_000


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_optimal_step_minimises_a_quadratic_along_minus_g(seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(2, 2))
    H = A @ A.T + 0.1 * np.eye(2)                    # symmetric positive definite
    theta0 = rng.normal(size=2)
    g = H @ theta0                                   # gradient of J = 1/2 theta^T H theta
    eps = np.array([0.0, 0.5, 1.0])
    J = [0.5 * (theta0 - e * g) @ H @ (theta0 - e * g) for e in eps]
    a, b, _ = np.polyfit(eps, J, 2)                  # J(eps) is exactly a parabola
    assert symbolic.optimal_step_derivation().lambdify()(g, H) == pytest.approx(-b / (2 * a), rel=1e-9)


# -- regularization --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1])
def test_l2_optimum_is_where_gradient_descent_on_the_regularised_quadratic_stops(seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(2, 2))
    H, star, alpha = A @ A.T + 0.1 * np.eye(2), rng.normal(size=2), 0.3
    theta = np.zeros(2)
    lr = 1 / (np.linalg.eigvalsh(H).max() + alpha)
    for _ in range(5000):
        theta -= lr * (H @ (theta - star) + alpha * theta)
    np.testing.assert_allclose(symbolic.l2_optimum_derivation().lambdify()(H, star, alpha), theta, rtol=1e-9)


@pytest.mark.parametrize("star", [-2.0, -0.3, 0.0, 0.2, 0.9, 3.0])
def test_l1_soft_threshold_is_the_grid_minimum_and_coursekits_soft_threshold(star):
    H, alpha = 2.0, 0.8                              # threshold alpha / H = 0.4
    grid = np.linspace(-4, 4, 800_001)
    brute = grid[np.argmin(0.5 * H * (grid - star) ** 2 + alpha * np.abs(grid))]
    derived = symbolic.l1_soft_threshold_derivation().lambdify()(star, H, alpha)
    assert derived == pytest.approx(brute, abs=1e-5)
    assert derived == soft_threshold(np.array(star), alpha / H)
    assert (derived == 0) == (abs(star) <= alpha / H)           # sparsity


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_keeps_the_expectation(p):
    d = symbolic.dropout_expectation_derivation()
    assert d.values["mean"] == 1
    assert sp.simplify(d.values["variance"] - d.args["p"] / (1 - d.args["p"])) == 0
    n = 400_000
    y = Dropout(p, rng=0).forward(np.ones(n))
    stderr = math.sqrt(p / (1 - p) / n)
    assert abs(y.mean() - 1) < 5 * stderr
    assert y.var() == pytest.approx(p / (1 - p), rel=0.02)
