"""Learning-rate schedules (deck 003, "Learning rate schedule"): ``lr = schedule(k)``.

A schedule is a callable from the step index ``k = 0, 1, 2, ...`` to the learning rate
epsilon_k. It works with every optimizer, because optimizers read ``lr`` afresh at each step::

    schedule = LinearDecay(lr0=0.1, lr_tau=0.001, tau=1000)
    for k in range(n_steps):
        opt.lr = schedule(k)
        ...; opt.step()

SGD converges (deck 003) when sum_k epsilon_k = inf and sum_k epsilon_k^2 < inf; in practice the
rate is decayed to a small constant, as every schedule here does except :class:`Constant`.
"""
from __future__ import annotations

import math
import numbers

from ._checks import _describe, finite_float, positive_int


class Schedule:
    """Base class: ``schedule(k)`` checks ``k`` and returns ``float(self.lr_at(k))``."""

    def __call__(self, k) -> float:
        if not isinstance(k, numbers.Integral) or isinstance(k, bool):
            raise TypeError(f"k (the step index) must be an int, got {_describe(k)}")
        if k < 0:
            raise ValueError(f"k (the step index) must be >= 0, got {k}")
        return float(self.lr_at(int(k)))

    def lr_at(self, k: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} does not implement lr_at")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


def _rate(value, name: str) -> float:
    """A learning rate: finite and >= 0."""
    return finite_float(value, name, low=0.0)


def _decay_factor(value, name: str) -> float:
    """A multiplicative decay factor in (0, 1]."""
    return finite_float(value, name, low=0.0, high=1.0, low_open=True)


class Constant(Schedule):
    """epsilon_k = lr for every k.

    Parameters
    ----------
    lr : float >= 0
    """

    def __init__(self, lr):
        self.lr = _rate(lr, "lr")

    def lr_at(self, k):
        return self.lr


class LinearDecay(Schedule):
    """The deck's schedule: linear from lr0 to lr_tau over tau steps, then constant.

    Parameters
    ----------
    lr0 : float >= 0
        epsilon_0.
    lr_tau : float >= 0
        epsilon_tau, "roughly 1% of epsilon_0" (deck 003).
    tau : int >= 1
        The step at which the decay ends.

    Math
    ----
    With alpha = k / tau (not momentum's alpha)::

        epsilon_k = (1 - alpha) epsilon_0 + alpha epsilon_tau    for k <= tau
        epsilon_k = epsilon_tau                                  for k > tau
    """

    def __init__(self, lr0, lr_tau, tau):
        self.lr0 = _rate(lr0, "lr0")
        self.lr_tau = _rate(lr_tau, "lr_tau")
        self.tau = positive_int(tau, "tau")

    def lr_at(self, k):
        if k >= self.tau:
            return self.lr_tau
        alpha = k / self.tau
        return (1 - alpha) * self.lr0 + alpha * self.lr_tau


class StepDecay(Schedule):
    """Multiply the rate by gamma every ``step_size`` steps.

    Parameters
    ----------
    lr0 : float >= 0
    step_size : int >= 1
    gamma : float in (0, 1]

    Math
    ----
    epsilon_k = epsilon_0 * gamma^floor(k / step_size)
    """

    def __init__(self, lr0, step_size, gamma):
        self.lr0 = _rate(lr0, "lr0")
        self.step_size = positive_int(step_size, "step_size")
        self.gamma = _decay_factor(gamma, "gamma")

    def lr_at(self, k):
        return self.lr0 * self.gamma ** (k // self.step_size)


class ExponentialDecay(Schedule):
    """Multiply the rate by gamma every step.

    Parameters
    ----------
    lr0 : float >= 0
    gamma : float in (0, 1]

    Math
    ----
    epsilon_k = epsilon_0 * gamma^k
    """

    def __init__(self, lr0, gamma):
        self.lr0 = _rate(lr0, "lr0")
        self.gamma = _decay_factor(gamma, "gamma")

    def lr_at(self, k):
        return self.lr0 * self.gamma ** k


class CosineDecay(Schedule):
    """Half a cosine from lr0 down to lr_min over T steps, then constant.

    Parameters
    ----------
    lr0 : float >= 0
    T : int >= 1
        The step at which lr_min is reached.
    lr_min : float in [0, lr0], default 0

    Math
    ----
    ::

        epsilon_k = lr_min + (lr0 - lr_min) (1 + cos(pi k / T)) / 2    for k <= T
        epsilon_k = lr_min                                             for k > T

    Note
    ----
    ``torch.optim.lr_scheduler.CosineAnnealingLR`` keeps following the cosine after T (the
    rate rises again); here it stays at lr_min, like the deck's linear decay after tau.
    """

    def __init__(self, lr0, T, lr_min=0.0):
        self.lr0 = _rate(lr0, "lr0")
        self.T = positive_int(T, "T")
        self.lr_min = finite_float(lr_min, "lr_min", low=0.0, high=self.lr0)

    def lr_at(self, k):
        if k >= self.T:
            return self.lr_min
        return self.lr_min + (self.lr0 - self.lr_min) * (1 + math.cos(math.pi * k / self.T)) / 2
