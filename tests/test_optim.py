"""Optimizers follow deck 003's update rules (Optimization: SGD, momentum, AdaGrad, RMSProp, Adam).

The expected trajectories come from the deck's algorithms written out below as plain NumPy
loops, independently of coursekit/optim.py (which reorders some arithmetic for speed, e.g. Adam's
bias correction folded into two scalars, and never allocates). A second group of tests checks
course facts in closed form: momentum's terminal speed, Adam's first step, AdaGrad's
per-coordinate rate, and what L2 weight decay does inside Adam versus AdamW.
"""
import tracemalloc

import numpy as np
import pytest

from coursekit import Linear, Parameter
from coursekit.optim import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSProp
from coursekit.schedules import LinearDecay

START = np.array([-4.0, 3.0])
STEPS = 200
A = np.array([1.0, 25.0])  # the quadratic's Hessian diag(1, 25)


def quadratic_grad(theta):
    """f = 1/2 theta^T A theta with A = diag(1, 25): grad f = A theta."""
    return A * theta


def rosenbrock_grad(theta):
    """f = (1 - x)^2 + 100 (y - x^2)^2."""
    x, y = theta
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


PROBLEMS = {"quadratic": quadratic_grad, "rosenbrock": rosenbrock_grad}


# -- the deck's algorithms, written from deck 003's slides ---------------------------------------
# Each takes grad(theta), the start, the number of steps and a per-step learning rate list
# eps[k]; each returns the (steps + 1, 2) array of iterates. lam is an L2 penalty lam/2 ||theta||^2
# in the loss, i.e. lam theta added to the gradient.

def deck_sgd(grad, theta, eps, lam=0.0):
    path = [theta]
    for eps_k in eps:
        g = grad(theta) + lam * theta
        theta = theta - eps_k * g
        path.append(theta)
    return np.array(path)


def deck_momentum(grad, theta, eps, alpha, lam=0.0):
    v = np.zeros_like(theta)
    path = [theta]
    for eps_k in eps:
        g = grad(theta) + lam * theta
        v = alpha * v - eps_k * g
        theta = theta + v
        path.append(theta)
    return np.array(path)


def deck_nesterov_lookahead(grad, theta, eps, alpha, lam=0.0):
    """Nesterov (Sutskever et al. 2013): the gradient at the interim point theta + alpha v.

    Returns the look-ahead points theta + alpha v, which is what PyTorch-form Nesterov stores.
    """
    v = np.zeros_like(theta)
    path = [theta]
    for eps_k in eps:
        interim = theta + alpha * v
        g = grad(interim) + lam * interim
        v = alpha * v - eps_k * g
        theta = theta + v
        path.append(theta + alpha * v)
    return np.array(path)


def deck_adagrad(grad, theta, eps, delta, lam=0.0):
    r = np.zeros_like(theta)
    path = [theta]
    for eps_k in eps:
        g = grad(theta) + lam * theta
        r = r + g * g
        d_theta = -eps_k / (delta + np.sqrt(r)) * g
        theta = theta + d_theta
        path.append(theta)
    return np.array(path)


def deck_rmsprop(grad, theta, eps, rho, delta, lam=0.0):
    r = np.zeros_like(theta)
    path = [theta]
    for eps_k in eps:
        g = grad(theta) + lam * theta
        r = rho * r + (1 - rho) * g * g
        d_theta = -eps_k / (delta + np.sqrt(r)) * g
        theta = theta + d_theta
        path.append(theta)
    return np.array(path)


def deck_adam(grad, theta, eps, rho1, rho2, delta, lam=0.0, decoupled=False):
    """Algorithm 7; decoupled=True is AdamW: Delta theta = -eps (s_hat/(sqrt r_hat + delta) + lam theta)."""
    s = np.zeros_like(theta)
    r = np.zeros_like(theta)
    path = [theta]
    for t, eps_k in enumerate(eps, start=1):
        g = grad(theta) if decoupled else grad(theta) + lam * theta
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g * g
        s_hat = s / (1 - rho1 ** t)
        r_hat = r / (1 - rho2 ** t)
        d_theta = -eps_k * s_hat / (np.sqrt(r_hat) + delta)
        if decoupled:
            d_theta = d_theta - eps_k * lam * theta
        theta = theta + d_theta
        path.append(theta)
    return np.array(path)


def run(optimizer, grad, theta, steps=STEPS, lrs=None):
    """Iterates of a coursekit optimizer ``optimizer(params)`` on ``grad`` from ``theta``."""
    p = Parameter(np.array(theta, dtype=np.float64))
    opt = optimizer([p])
    path = [p.data.copy()]
    for k in range(steps):
        if lrs is not None:
            opt.lr = lrs[k]
        opt.zero_grad()
        p.grad += grad(p.data)
        opt.step()
        path.append(p.data.copy())
    return np.array(path)


def assert_same_trajectory(ours, expected):
    assert np.isfinite(expected).all(), "the reference trajectory diverged; pick a smaller lr"
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-12)


# (id, coursekit optimizer, deck reference with the same hyperparameters), per problem.
def cases(problem):
    quad = problem == "quadratic"
    lr_sgd = 0.03 if quad else 1e-5
    lr_adam = 0.1
    lr_rms = 0.05 if quad else 0.01
    return [
        ("sgd", lambda ps: SGD(ps, lr_sgd),
         lambda g, th, e: deck_sgd(g, th, e * lr_sgd)),
        ("sgd-l2", lambda ps: SGD(ps, lr_sgd, weight_decay=0.1),
         lambda g, th, e: deck_sgd(g, th, e * lr_sgd, lam=0.1)),
        ("momentum", lambda ps: SGD(ps, lr_sgd / 3, momentum=0.9),
         lambda g, th, e: deck_momentum(g, th, e * lr_sgd / 3, 0.9)),
        ("momentum-l2", lambda ps: SGD(ps, lr_sgd / 3, momentum=0.5, weight_decay=0.2),
         lambda g, th, e: deck_momentum(g, th, e * lr_sgd / 3, 0.5, lam=0.2)),
        ("nesterov", lambda ps: SGD(ps, lr_sgd / 3, momentum=0.9, nesterov=True),
         lambda g, th, e: deck_nesterov_lookahead(g, th, e * lr_sgd / 3, 0.9)),
        ("adagrad", lambda ps: AdaGrad(ps, 0.5),
         lambda g, th, e: deck_adagrad(g, th, e * 0.5, 1e-10)),
        ("adagrad-l2", lambda ps: AdaGrad(ps, 0.5, eps=1e-3, weight_decay=0.05),
         lambda g, th, e: deck_adagrad(g, th, e * 0.5, 1e-3, lam=0.05)),
        ("rmsprop", lambda ps: RMSProp(ps, lr_rms, rho=0.9),
         lambda g, th, e: deck_rmsprop(g, th, e * lr_rms, 0.9, 1e-8)),
        ("rmsprop-l2", lambda ps: RMSProp(ps, lr_rms, eps=1e-4, weight_decay=0.1),
         lambda g, th, e: deck_rmsprop(g, th, e * lr_rms, 0.99, 1e-4, lam=0.1)),
        ("adam", lambda ps: Adam(ps, lr_adam),
         lambda g, th, e: deck_adam(g, th, e * lr_adam, 0.9, 0.999, 1e-8)),
        ("adam-deck-defaults", lambda ps: Adam(ps, 1e-4 if not quad else 0.05, betas=(0.9, 0.9)),
         lambda g, th, e: deck_adam(g, th, e * (1e-4 if not quad else 0.05), 0.9, 0.9, 1e-8)),
        ("adam-l2", lambda ps: Adam(ps, lr_adam, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
         lambda g, th, e: deck_adam(g, th, e * lr_adam, 0.8, 0.99, 1e-6, lam=0.1)),
        ("adamw", lambda ps: AdamW(ps, lr_adam, weight_decay=0.1),
         lambda g, th, e: deck_adam(g, th, e * lr_adam, 0.9, 0.999, 1e-8, lam=0.1, decoupled=True)),
    ]


TRAJECTORY_CASES = [
    pytest.param(problem, make_opt, reference, id=f"{problem}-{name}")
    for problem in PROBLEMS for name, make_opt, reference in cases(problem)
]


@pytest.mark.parametrize("problem, make_opt, reference", TRAJECTORY_CASES)
def test_trajectory_follows_the_deck(problem, make_opt, reference):
    grad = PROBLEMS[problem]
    ones = np.ones(STEPS)
    expected = reference(grad, START, ones)
    assert_same_trajectory(run(make_opt, grad, START), expected)


def test_quadratic_trajectories_descend_to_the_minimum():
    """A fact about the cases above, not just agreement: on 1/2 theta^T A theta each one ends
    much nearer the minimum 0 than it started (SGD with L2 converges to 0 too)."""
    for name, make_opt, _ in cases("quadratic"):
        end = run(make_opt, quadratic_grad, START)[-1]
        assert np.linalg.norm(end) < 0.05 * np.linalg.norm(START), name


@pytest.mark.parametrize("momentum", [0.5, 0.9])
def test_momentum_follows_the_deck_form_when_lr_changes(momentum):
    """Under a schedule the velocity keeps earlier steps at their own rates: v <- a v - eps_k g."""
    schedule = LinearDecay(0.01, 0.0001, tau=100)
    lrs = [schedule(k) for k in range(STEPS)]
    ours = run(lambda ps: SGD(ps, lrs[0], momentum=momentum), quadratic_grad, START, lrs=lrs)
    assert_same_trajectory(ours, deck_momentum(quadratic_grad, START, np.array(lrs), momentum))


# -- broken optimizers must fail the same comparison ---------------------------------------------

class AdamWithoutBiasCorrection(Adam):
    def _begin_step(self):
        self.t = 10**6  # rho^t = 0: s_hat = s and r_hat = r
        super()._begin_step()


class AdaGradThatForgets(AdaGrad):
    def _update(self, theta, g, tmp, state):
        state["r"].fill(0)  # r = g*g only: sign descent instead of AdaGrad
        super()._update(theta, g, tmp, state)


def momentum_sign_flipped(ps, lr):
    opt = SGD(ps, lr, momentum=0.9)
    opt.momentum = -0.9  # v <- -alpha v - eps g
    return opt


def rmsprop_rho_swapped(ps):
    opt = RMSProp(ps, 0.01, rho=0.9)
    opt.rho = 0.1  # r <- (1 - rho) r + rho g*g
    return opt


# (broken optimizer, its correct counterpart, the deck reference), for a stable momentum rate lr
BROKEN = [
    pytest.param(lambda lr: lambda ps: AdamWithoutBiasCorrection(ps, 0.1),
                 lambda lr: lambda ps: Adam(ps, 0.1),
                 lambda lr: lambda g, th: deck_adam(g, th, [0.1] * STEPS, 0.9, 0.999, 1e-8),
                 id="adam-no-bias-correction"),
    pytest.param(lambda lr: lambda ps: momentum_sign_flipped(ps, lr),
                 lambda lr: lambda ps: SGD(ps, lr, momentum=0.9),
                 lambda lr: lambda g, th: deck_momentum(g, th, [lr] * STEPS, 0.9),
                 id="momentum-sign-flipped"),
    pytest.param(lambda lr: lambda ps: SGD(ps, lr, momentum=0.9),
                 lambda lr: lambda ps: SGD(ps, lr, momentum=0.9, nesterov=True),
                 lambda lr: lambda g, th: deck_nesterov_lookahead(g, th, [lr] * STEPS, 0.9),
                 id="momentum-is-not-nesterov"),
    pytest.param(lambda lr: lambda ps: AdaGradThatForgets(ps, 0.5),
                 lambda lr: lambda ps: AdaGrad(ps, 0.5),
                 lambda lr: lambda g, th: deck_adagrad(g, th, [0.5] * STEPS, 1e-10),
                 id="adagrad-forgets"),
    pytest.param(lambda lr: rmsprop_rho_swapped,
                 lambda lr: lambda ps: RMSProp(ps, 0.01, rho=0.9),
                 lambda lr: lambda g, th: deck_rmsprop(g, th, [0.01] * STEPS, 0.9, 1e-8),
                 id="rmsprop-rho-swapped"),
    pytest.param(lambda lr: lambda ps: Adam(ps, 0.1, weight_decay=0.1),
                 lambda lr: lambda ps: AdamW(ps, 0.1, weight_decay=0.1),
                 lambda lr: lambda g, th: deck_adam(g, th, [0.1] * STEPS, 0.9, 0.999, 1e-8, lam=0.1,
                                                    decoupled=True),
                 id="l2-adam-is-not-adamw"),
]
MOMENTUM_LR = {"quadratic": 0.01, "rosenbrock": 1e-5}


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("make_broken, make_fixed, reference", BROKEN)
def test_trajectory_comparison_catches_a_broken_optimizer(problem, make_broken, make_fixed, reference):
    grad, lr = PROBLEMS[problem], MOMENTUM_LR[problem]
    expected = reference(lr)(grad, START)
    assert_same_trajectory(run(make_fixed(lr), grad, START), expected)  # the real one passes
    with pytest.raises(AssertionError):
        assert_same_trajectory(run(make_broken(lr), grad, START), expected)


# -- facts in closed form ------------------------------------------------------------------------

@pytest.mark.parametrize("alpha", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_terminal_speed(alpha, nesterov):
    """Deck 003 'Momentum: step sizes': under a constant g the step length tends to eps ||g|| / (1 - alpha)."""
    eps, g = 0.01, np.array([3.0, -4.0])  # ||g|| = 5
    path = run(lambda ps: SGD(ps, eps, momentum=alpha, nesterov=nesterov), lambda th: g, [0.0, 0.0],
               steps=3000)
    speed = np.linalg.norm(path[-1] - path[-2])
    assert speed == pytest.approx(eps * 5.0 / (1 - alpha), rel=1e-9)
    # and the first step is plain SGD's (v starts at 0); Nesterov's adds alpha times it
    first = np.linalg.norm(path[1] - path[0])
    assert first == pytest.approx(eps * 5.0 * (1 + alpha if nesterov else 1), rel=1e-12)


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.0, 0.5), (0.99, 0.9)])
@pytest.mark.parametrize("lr", [1e-3, 0.1])
def test_adam_first_step_is_lr_times_sign_of_g(betas, lr):
    """s_hat = g, r_hat = g^2 at t = 1, so Delta theta = -lr g / (|g| + delta) = -lr sign(g)."""
    g = np.array([2e-3, -1.0, 5e2, -7e-2])
    path = run(lambda ps: Adam(ps, lr, betas=betas), lambda th: g, np.zeros(4), steps=1)
    np.testing.assert_allclose(path[1] - path[0], -lr * np.sign(g), rtol=1e-5)


def test_adagrad_effective_rate_per_coordinate():
    """Coordinate j moves by eps g_kj / (delta + sqrt(sum_{i<=k} g_ij^2)) at step k."""
    rng = np.random.default_rng(4)
    grads = rng.standard_normal((30, 3)) * np.array([1e-3, 1.0, 1e3])
    eps, delta = 0.1, 1e-10
    p = Parameter(np.zeros(3))
    opt = AdaGrad([p], eps, eps=delta)
    steps = []
    for g in grads:
        before = p.data.copy()
        p.grad[...] = g
        opt.step()
        steps.append(p.data - before)
    expected = -eps * grads / (delta + np.sqrt(np.cumsum(grads ** 2, axis=0)))
    np.testing.assert_allclose(steps, expected, rtol=1e-12)


def test_adagrad_constant_gradient_moves_every_coordinate_by_eps_over_sqrt_k():
    """With g constant, step k is eps |g| / (|g| sqrt k) = eps / sqrt(k), whatever the scale of g."""
    g = np.array([1e-3, 1.0, 1e3])
    path = run(lambda ps: AdaGrad(ps, 0.1), lambda th: g, np.zeros(3), steps=100)
    k = np.arange(1, 101)[:, None]
    np.testing.assert_allclose(np.abs(np.diff(path, axis=0)), 0.1 / np.sqrt(k) * np.ones(3), rtol=1e-6)


def steps_to_minimum(make_opt, limit=20000):
    p = Parameter(START.copy())
    opt = make_opt([p])
    for k in range(1, limit + 1):
        opt.zero_grad()
        p.grad += quadratic_grad(p.data)
        opt.step()
        if np.linalg.norm(p.data) < 1e-3:
            return k
    return limit + 1


@pytest.mark.parametrize("lr", [0.005, 0.01, 0.02])
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_reaches_the_minimum_in_fewer_steps_than_sgd(lr, nesterov):
    """The valley of diag(1, 25): SGD crawls along the flat axis at rate (1 - lr) per step."""
    sgd = steps_to_minimum(lambda ps: SGD(ps, lr))
    momentum = steps_to_minimum(lambda ps: SGD(ps, lr, momentum=0.9, nesterov=nesterov))
    # SGD shrinks the flat coordinate by (1 - lr) a step: it needs log(1e-3/4) / log(1 - lr) steps.
    assert sgd == pytest.approx(np.log(1e-3 / 4) / np.log(1 - lr), abs=2)
    assert momentum < sgd / 3


@pytest.mark.parametrize("lam", [0.01, 0.1])
def test_adamw_decay_is_geometric_and_adam_l2_is_normalised_away(lam):
    """With no loss gradient: AdamW gives theta_k = (1 - lr lam)^k theta_0; Adam's L2 gradient
    lam theta is divided by sqrt(r_hat), so its first step is -lr sign(theta) for every weight."""
    lr, theta0 = 1e-3, np.array([-4.0, 3.0, 0.01])
    zero = lambda th: np.zeros_like(th)  # noqa: E731
    adamw = run(lambda ps: AdamW(ps, lr, weight_decay=lam), zero, theta0, steps=50)
    k = np.arange(51)[:, None]
    np.testing.assert_allclose(adamw, (1 - lr * lam) ** k * theta0, rtol=1e-12)
    adam_l2 = run(lambda ps: Adam(ps, lr, weight_decay=lam), zero, theta0, steps=1)
    g = lam * theta0
    np.testing.assert_allclose(adam_l2[1] - theta0, -lr * g / (np.abs(g) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(adam_l2[1] - theta0, -lr * np.sign(theta0), rtol=1e-3)


@pytest.mark.parametrize("lam", [0.01, 0.5])
def test_sgd_weight_decay_is_the_l2_penalty_in_the_loss(lam):
    """SGD(weight_decay=lam) on f is plain SGD on f + lam/2 ||theta||^2."""
    ours = run(lambda ps: SGD(ps, 0.03, weight_decay=lam), quadratic_grad, START)
    penalised = run(lambda ps: SGD(ps, 0.03), lambda th: quadratic_grad(th) + lam * th, START)
    np.testing.assert_allclose(ours, penalised, rtol=1e-12, atol=1e-15)


# -- construction checks -------------------------------------------------------------------------

def p2():
    return [Parameter(np.zeros(2))]


BAD = [
    (lambda: SGD(p2(), lr=-0.1), ValueError, "lr", "-0.1"),
    (lambda: SGD(p2(), lr=float("nan")), ValueError, "lr", "nan"),
    (lambda: Adam(p2(), lr=float("inf")), ValueError, "lr", "inf"),
    (lambda: SGD(p2(), lr="0.1"), TypeError, "lr", "'0.1'"),
    (lambda: SGD(p2(), lr=0.1, momentum=1.0), ValueError, "momentum", "1.0"),
    (lambda: SGD(p2(), lr=0.1, momentum=-0.5), ValueError, "momentum", "-0.5"),
    (lambda: SGD(p2(), lr=0.1, nesterov=True), ValueError, "nesterov", "momentum=0.0"),
    (lambda: SGD(p2(), lr=0.1, momentum=0.9, nesterov="yes"), TypeError, "nesterov", "'yes'"),
    (lambda: SGD(p2(), lr=0.1, weight_decay=-1e-4), ValueError, "weight_decay", "-0.0001"),
    (lambda: AdaGrad(p2(), lr=0.1, eps=0.0), ValueError, "eps", "0.0"),
    (lambda: AdaGrad(p2(), lr=0.1, weight_decay=-1.0), ValueError, "weight_decay", "-1.0"),
    (lambda: RMSProp(p2(), lr=0.1, rho=1.0), ValueError, "rho", "1.0"),
    # PyTorch's name for the decay; the course's alpha is momentum
    (lambda: RMSProp(p2(), lr=0.1, alpha=0.9), TypeError, "alpha", "unexpected keyword"),
    (lambda: RMSProp(p2(), lr=0.1, eps=-1e-8), ValueError, "eps", "-1e-08"),
    (lambda: Adam(p2(), betas=(0.9, 1.0)), ValueError, "betas[1]", "1.0"),
    (lambda: Adam(p2(), betas=(1.5, 0.999)), ValueError, "betas[0]", "1.5"),
    (lambda: Adam(p2(), betas=0.9), TypeError, "betas", "0.9"),
    (lambda: AdamW(p2(), weight_decay=-0.01), ValueError, "weight_decay", "-0.01"),
    (lambda: SGD([], lr=0.1), ValueError, "params", "empty"),
    (lambda: Adam(Linear(2, 2, rng=0)), TypeError, "params", "model.parameters()"),
    (lambda: Adam([np.zeros(3)]), TypeError, "params[0]", "array of shape (3,)"),
    (lambda: Adam(np.zeros(3)), TypeError, "params", "array of shape (3,)"),
    (lambda: Adam(Parameter(np.zeros(3))), TypeError, "params", "[p]"),
    (lambda: Adam(3), TypeError, "params", "3"),
    (lambda: Adam(p2() * 2), ValueError, "params", "more than once"),
]


@pytest.mark.parametrize("build, error, argument, value", BAD)
def test_bad_hyperparameters_fail_at_construction_naming_the_argument(build, error, argument, value):
    with pytest.raises(error) as info:
        build()
    message = str(info.value)
    assert argument in message and value in message, message


@pytest.mark.parametrize("bad", [-1e-3, float("nan")])
def test_setting_a_bad_lr_fails_when_set(bad):
    opt = SGD(p2(), 0.1)
    with pytest.raises(ValueError, match="lr"):
        opt.lr = bad
    assert opt.lr == 0.1


def test_base_optimizer_names_what_is_missing():
    with pytest.raises(NotImplementedError, match="Optimizer"):
        Optimizer(p2(), 0.1).step()


@pytest.mark.parametrize("opt, text", [
    (SGD(p2(), 0.1, momentum=0.9, nesterov=True),
     "SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.0) over 1 parameters (2 values)"),
    (AdaGrad(p2(), 0.5), "AdaGrad(lr=0.5, eps=1e-10, weight_decay=0.0)"),
    (RMSProp(p2(), 0.01), "RMSProp(lr=0.01, rho=0.99, eps=1e-08, weight_decay=0.0)"),
    (Adam(p2()), "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0)"),
    (AdamW(p2()), "AdamW(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01)"),
])
def test_repr_shows_the_hyperparameters(opt, text):
    assert repr(opt).startswith(text)


# -- precision and memory -------------------------------------------------------------------------

ALL = [
    pytest.param(lambda ps: SGD(ps, 0.01), id="sgd"),
    pytest.param(lambda ps: SGD(ps, 0.01, momentum=0.9, weight_decay=1e-3), id="momentum-l2"),
    pytest.param(lambda ps: SGD(ps, 0.01, momentum=0.9, nesterov=True), id="nesterov"),
    pytest.param(lambda ps: AdaGrad(ps, 0.01, weight_decay=1e-3), id="adagrad-l2"),
    pytest.param(lambda ps: RMSProp(ps, 0.01), id="rmsprop"),
    pytest.param(lambda ps: Adam(ps, 0.01), id="adam"),
    pytest.param(lambda ps: Adam(ps, 0.01, weight_decay=1e-3), id="adam-l2"),
    pytest.param(lambda ps: AdamW(ps, 0.01), id="adamw"),
]


def layer_like(dtype, rng):
    return [Parameter(rng.standard_normal((8, 5)).astype(dtype)),
            Parameter(rng.standard_normal(5).astype(dtype))]


@pytest.mark.parametrize("make_opt", ALL)
def test_float32_stays_float32(make_opt):
    rng = np.random.default_rng(0)
    p32, p64 = layer_like(np.float32, rng), layer_like(np.float64, np.random.default_rng(0))
    opt32, opt64 = make_opt(p32), make_opt(p64)
    arrays = [p.data for p in p32]
    for _ in range(20):
        for a, b in zip(p32, p64):
            g = rng.standard_normal(a.shape)
            a.grad[...] = g
            b.grad[...] = g
        opt32.step()
        opt64.step()
    for p, q, data in zip(p32, p64, arrays):
        assert p.data is data and p.data.dtype == np.float32
        assert all(s.dtype == np.float32 for s in opt32.state[p32.index(p)].values())
        np.testing.assert_allclose(p.data, q.data, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make_opt", ALL)
def test_step_allocates_no_parameter_sized_array(make_opt, dtype):
    """State is allocated at construction and updated in place: the step's peak allocation is
    far below one parameter's size, and the state arrays are the same objects after steps."""
    p = Parameter(np.random.default_rng(1).standard_normal(1 << 20).astype(dtype))
    p.grad[...] = 0.5
    opt = make_opt([p])
    state = [a for s in opt.state for a in s.values()]
    data = p.data
    opt.step()  # first step outside the measurement (one-off Python objects)
    tracemalloc.start()
    try:
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < p.data.nbytes / 64, f"step allocated {peak} bytes; the parameter has {p.data.nbytes}"
    after = [a for s in opt.state for a in s.values()]
    assert len(after) == len(state) and all(x is y for x, y in zip(after, state))
    assert p.data is data


def test_zero_grad_clears_every_gradient_in_place():
    ps = layer_like(np.float64, np.random.default_rng(0))
    grads = [p.grad for p in ps]
    for p in ps:
        p.grad += 1.0
    Adam(ps).zero_grad()
    assert all(p.grad is g and not g.any() for p, g in zip(ps, grads))
