"""Learning-rate schedules (deck 003, "Learning rate schedule"), values computed by hand."""
import math

import numpy as np
import pytest

from coursekit import Parameter
from coursekit.optim import SGD, Adam
from coursekit.schedules import Constant, CosineDecay, ExponentialDecay, LinearDecay, StepDecay


@pytest.mark.parametrize("k, expected", [
    (0, 0.1),                              # epsilon_0
    (50, 0.5 * 0.1 + 0.5 * 0.001),         # alpha = 1/2: halfway, 0.0505
    (100, 0.001),                          # k = tau: epsilon_tau
    (200, 0.001),                          # after tau: constant
    (25, 0.75 * 0.1 + 0.25 * 0.001),       # 0.07525
])
def test_linear_decay_is_the_decks_formula(k, expected):
    """epsilon_k = (1 - k/tau) epsilon_0 + (k/tau) epsilon_tau until tau, with epsilon_tau = 1% of epsilon_0."""
    assert LinearDecay(lr0=0.1, lr_tau=0.001, tau=100)(k) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("k, expected", [(0, 0.1), (9, 0.1), (10, 0.05), (19, 0.05), (25, 0.025)])
def test_step_decay_halves_every_ten_steps(k, expected):
    assert StepDecay(0.1, step_size=10, gamma=0.5)(k) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("k, expected", [(0, 0.1), (1, 0.09), (2, 0.081), (3, 0.0729)])
def test_exponential_decay(k, expected):
    assert ExponentialDecay(0.1, gamma=0.9)(k) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("lr_min, k, expected", [
    (0.0, 0, 0.1), (0.0, 50, 0.05), (0.0, 100, 0.0), (0.0, 150, 0.0),
    (0.01, 50, 0.055), (0.01, 100, 0.01), (0.01, 400, 0.01),
    (0.0, 25, 0.05 * (1 + math.sqrt(2) / 2)),   # cos(pi/4) = sqrt(2)/2
])
def test_cosine_decay(lr_min, k, expected):
    assert CosineDecay(0.1, T=100, lr_min=lr_min)(k) == pytest.approx(expected, rel=1e-14, abs=1e-17)


@pytest.mark.parametrize("schedule", [
    Constant(0.1), LinearDecay(0.1, 0.001, 100), StepDecay(0.1, 10, 0.5),
    ExponentialDecay(0.1, 0.99), CosineDecay(0.1, 100, 0.001),
], ids=repr)
def test_every_schedule_starts_at_lr0_and_never_increases(schedule):
    values = np.array([schedule(k) for k in range(300)])
    assert values[0] == 0.1
    assert np.all(np.diff(values) <= 0) and np.all(values >= 0)
    assert all(type(v) is float for v in values.tolist())


@pytest.mark.parametrize("schedule, text", [
    (Constant(0.1), "Constant(lr=0.1)"),
    (LinearDecay(0.1, 0.001, 100), "LinearDecay(lr0=0.1, lr_tau=0.001, tau=100)"),
    (StepDecay(0.1, 10, 0.5), "StepDecay(lr0=0.1, step_size=10, gamma=0.5)"),
    (ExponentialDecay(0.1, 0.9), "ExponentialDecay(lr0=0.1, gamma=0.9)"),
    (CosineDecay(0.1, 100), "CosineDecay(lr0=0.1, T=100, lr_min=0.0)"),
])
def test_repr_reads_like_the_call(schedule, text):
    assert repr(schedule) == text


@pytest.mark.parametrize("make_opt", [
    lambda ps: SGD(ps, 1.0), lambda ps: SGD(ps, 1.0, momentum=0.9), lambda ps: Adam(ps, 1.0),
], ids=["sgd", "momentum", "adam"])
def test_an_optimizer_uses_the_rate_set_by_the_schedule(make_opt):
    """With lr = 0 from step 10 on (a cosine ending at 0), SGD and Adam stop moving; momentum's
    velocity decays geometrically, v <- alpha v, so theta still coasts."""
    schedule = CosineDecay(0.05, T=10)
    p = Parameter(np.array([1.0, -2.0]))
    opt = make_opt([p])
    path = []
    for k in range(30):
        opt.lr = schedule(k)
        opt.zero_grad()
        p.grad += p.data  # f = 1/2 ||theta||^2
        opt.step()
        path.append(p.data.copy())
    assert opt.lr == 0.0
    moved = np.linalg.norm(path[-1] - path[-2])
    if getattr(opt, "momentum", 0):
        assert moved == pytest.approx(0.9 ** 19 * np.linalg.norm(path[10] - path[9]), rel=1e-9)
    else:
        assert moved == 0.0


BAD = [
    (lambda: Constant(-0.1), ValueError, "lr", "-0.1"),
    (lambda: Constant(float("nan")), ValueError, "lr", "nan"),
    (lambda: LinearDecay(0.1, -0.001, 100), ValueError, "lr_tau", "-0.001"),
    (lambda: LinearDecay(0.1, 0.001, 0), ValueError, "tau", "0"),
    (lambda: LinearDecay(0.1, 0.001, 10.5), TypeError, "tau", "10.5"),
    (lambda: StepDecay(0.1, 0, 0.5), ValueError, "step_size", "0"),
    (lambda: StepDecay(0.1, 10, 0.0), ValueError, "gamma", "0.0"),
    (lambda: ExponentialDecay(0.1, 1.5), ValueError, "gamma", "1.5"),
    (lambda: ExponentialDecay("0.1", 0.9), TypeError, "lr0", "'0.1'"),
    (lambda: CosineDecay(0.1, T=-5), ValueError, "T", "-5"),
    (lambda: CosineDecay(0.1, T=100, lr_min=0.2), ValueError, "lr_min", "0.2"),
    (lambda: Constant(0.1)(-1), ValueError, "k", "-1"),
    (lambda: Constant(0.1)(2.0), TypeError, "k", "2.0"),
]


@pytest.mark.parametrize("build, error, argument, value", BAD)
def test_bad_arguments_name_the_argument_and_value(build, error, argument, value):
    with pytest.raises(error) as info:
        build()
    message = str(info.value)
    assert argument in message and value in message, message


def test_numpy_integer_step_index_is_accepted():
    assert LinearDecay(0.1, 0.001, 100)(np.int64(50)) == pytest.approx(0.0505, rel=1e-14)
