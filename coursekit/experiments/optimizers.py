"""Optimizers on a map: paths of SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam (deck 003).

Deck 003, "Optimization": gradient descent moves quickly down the walls of a narrow valley
but slowly along its floor; momentum ``v <- alpha v - eps g, theta <- theta + v`` builds up
speed along consistent gradients, up to the terminal speed ``eps ||g|| / (1 - alpha)``; the
adaptive methods divide each coordinate's step by the root of its squared gradients.

Every path here is made by :mod:`coursekit.optim`'s own classes acting on a two-element
:class:`~coursekit.module.Parameter` whose ``grad`` is set from the surface's analytic
gradient, so the lesson draws exactly the update rules the training loop uses.

Functions: the surfaces :class:`Quadratic` and :class:`Rosenbrock`, :class:`PathRun` /
:func:`optimizer_path` / :func:`optimizer_paths`, :func:`steps_to_reach`, :func:`momentum_speeds`,
:func:`schedule_curves` and :func:`epochs_vs_iterations` (what lesson 08 and its explorers compute).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import finite_float, float_array, positive_int
from ..module import Parameter
from ..optim import SGD, AdaGrad, Adam, RMSProp
from ..schedules import CosineDecay, ExponentialDecay, LinearDecay, StepDecay
from ..training import iterations_per_epoch


# -- compute: the surfaces -----------------------------------------------------------------
class Quadratic:
    """The ill-conditioned bowl ``f(theta) = 1/2 theta^T A theta`` with ``A = diag(1, kappa)``.

    Shapes
    ------
    theta: (2,) or (..., 2) -> f: () or (...); gradient ``A theta``: (2,).

    Its Hessian is A, with eigenvalues 1 and kappa (the condition number): plain gradient
    descent ``theta <- (I - eps A) theta`` converges exactly when ``eps < 2 / lambda_max``.
    """

    start = np.array([-2.0, 1.0])
    minimum = np.zeros(2)
    extent = (-2.5, 2.5, -1.5, 1.5)

    def __init__(self, kappa: float = 25.0):
        self.kappa = finite_float(kappa, "kappa", low=1.0)
        self.A = np.diag([1.0, self.kappa])
        self._eigenvalues = np.diag(self.A).copy()

    def value(self, theta) -> np.ndarray:
        theta = np.asarray(theta, dtype=float)
        return 0.5 * (theta[..., 0] ** 2 + self.kappa * theta[..., 1] ** 2)

    def gradient(self, theta, out=None) -> np.ndarray:
        return np.multiply(self._eigenvalues, theta, out=out)  # A theta, A diagonal

    def level_curve(self, c: float, n: int = 100) -> np.ndarray:
        """The ellipse ``f = c``: ``(sqrt(2c) cos t, sqrt(2c / kappa) sin t)``, shape (n, 2)."""
        t = np.linspace(0, 2 * np.pi, n)
        return np.column_stack([np.sqrt(2 * c) * np.cos(t), np.sqrt(2 * c / self.kappa) * np.sin(t)])

    def __repr__(self) -> str:
        return f"Quadratic(kappa={self.kappa:g})"


class Rosenbrock:
    """Rosenbrock's banana valley ``f(x, y) = (1 - x)^2 + 100 (y - x^2)^2``, minimum at (1, 1).

    Shapes
    ------
    theta: (2,) or (..., 2) -> f: () or (...); gradient: (2,).

    Math
    ----
    ``df/dx = -2 (1 - x) - 400 x (y - x^2)``, ``df/dy = 200 (y - x^2)``. The floor of the
    curved valley y = x^2 is nearly flat while its walls are steep (Hessian eigenvalues about
    1000 and 0.4 at the minimum), the situation deck 003's momentum slides describe.
    """

    start = np.array([-1.2, 1.0])
    minimum = np.ones(2)
    extent = (-2.0, 2.0, -1.0, 3.0)

    def value(self, theta) -> np.ndarray:
        theta = np.asarray(theta, dtype=float)
        x, y = theta[..., 0], theta[..., 1]
        return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2

    def gradient(self, theta, out=None) -> np.ndarray:
        x, y = float(theta[0]), float(theta[1])
        out = np.empty(2) if out is None else out
        out[0] = -2 * (1 - x) - 400 * x * (y - x * x)
        out[1] = 200 * (y - x * x)
        return out

    def __repr__(self) -> str:
        return "Rosenbrock()"


# -- compute: optimizer paths --------------------------------------------------------------
# The six panels: label -> (params, eps, alpha) -> a coursekit optimizer. Only momentum and
# Nesterov read alpha; RMSProp and Adam keep coursekit's (PyTorch's) default decay rates.
OPTIMIZERS = {
    "SGD": lambda params, lr, alpha: SGD(params, lr),
    "momentum": lambda params, lr, alpha: SGD(params, lr, momentum=alpha),
    # Nesterov with alpha = 0 is plain SGD (and SGD refuses nesterov=True without momentum).
    "Nesterov": lambda params, lr, alpha: SGD(params, lr, momentum=alpha, nesterov=bool(alpha > 0)),
    "AdaGrad": lambda params, lr, alpha: AdaGrad(params, lr),
    "RMSProp": lambda params, lr, alpha: RMSProp(params, lr),
    "Adam": lambda params, lr, alpha: Adam(params, lr),
}
USES_ALPHA = ("momentum", "Nesterov")
# For SGD eps multiplies the gradient (safe below 2 / lambda_max); for these three the step is
# about eps per coordinate whatever the gradient's size, so the explorers give them their own eps.
ADAPTIVE = ("AdaGrad", "RMSProp", "Adam")
# A path that leaves this radius has diverged; it stops there (NaN afterwards) instead of
# overflowing to inf.
ESCAPE_RADIUS = 1e6


class PathRun:
    """One optimizer on one surface, advanced step by step and resumable.

    ``advance(steps)`` continues from where the last call stopped, so a longer path costs
    only the extra steps (the explorer's steps slider relies on this).

    Parameters
    ----------
    surface : Quadratic or Rosenbrock (anything with ``gradient(theta, out)`` and ``start``)
    make_optimizer : callable
        ``make_optimizer([param]) -> Optimizer``, e.g. ``lambda p: SGD(p, lr=0.02, momentum=0.9)``.
    theta0 : array (2,), optional
        Start; the surface's ``start`` by default.

    Attributes
    ----------
    path : ndarray (k + 1, 2)
        theta_0 ... theta_k so far; rows after an escape beyond ``ESCAPE_RADIUS`` are NaN.
    diverged : bool
    """

    def __init__(self, surface, make_optimizer, theta0=None):
        theta0 = surface.start if theta0 is None else float_array(theta0, "theta0", ndim=1)
        self.surface = surface
        self.param = Parameter(np.array(theta0, dtype=float))
        self.optimizer = make_optimizer([self.param])
        self.path = self.param.data.copy()[None, :]
        self.diverged = False

    def advance(self, steps: int) -> np.ndarray:
        """Run until the path has ``steps`` steps; return ``path[:steps + 1]``."""
        steps = positive_int(steps, "steps")
        done = len(self.path) - 1
        if steps > done:
            new = np.full((steps - done, 2), np.nan)
            theta, g, grad, step = self.param.data, self.param.grad, self.surface.gradient, self.optimizer.step
            for i in range(steps - done):
                if self.diverged:
                    break
                grad(theta, out=g)
                step()
                new[i] = theta
                x, y = new[i]  # Python floats: a cheaper test than NumPy reductions
                self.diverged = not (abs(x) < ESCAPE_RADIUS and abs(y) < ESCAPE_RADIUS)
            self.path = np.concatenate([self.path, new])
        return self.path[:steps + 1]


def optimizer_path(surface, name: str, lr: float, steps: int, *, alpha: float = 0.9,
                   theta0=None) -> np.ndarray:
    """The iterates theta_0 ... theta_steps of optimizer ``name`` with learning rate ``lr``.

    Parameters
    ----------
    surface : Quadratic or Rosenbrock
    name : one of ``OPTIMIZERS`` ("SGD", "momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam")
    lr : float > 0
        epsilon.
    steps : int >= 1
    alpha : float in [0, 1)
        Momentum (momentum and Nesterov only).

    Shapes
    ------
    returns (steps + 1, 2); NaN rows once the path has left ``ESCAPE_RADIUS`` (diverged).
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"name must be one of {list(OPTIMIZERS)}, got {name!r}")
    lr = finite_float(lr, "lr", low=0.0, low_open=True)
    return PathRun(surface, lambda params: OPTIMIZERS[name](params, lr, alpha), theta0).advance(steps)


def distances(path, minimum) -> np.ndarray:
    """``||theta_k - theta*||`` along a path (NaN where the path has diverged); shape (k + 1,)."""
    return np.linalg.norm(np.asarray(path) - minimum, axis=-1)


def steps_to_reach(path, minimum, tol: float) -> int | None:
    """First k with ``||theta_k - theta*|| < tol``, or None if the path never gets there."""
    hits = np.flatnonzero(distances(path, minimum) < tol)
    return int(hits[0]) if hits.size else None


def momentum_speeds(alpha: float, lr: float, steps: int, g=(1.0, 2.0), *, optimizer=SGD) -> np.ndarray:
    """Speeds ``||v_k|| = ||theta_k - theta_(k-1)||`` of SGD with momentum under a constant gradient.

    Deck 003, "Momentum: step sizes": if every step sees the same g, then
    ``v_k = -eps g (1 + alpha + ... + alpha^(k-1))``, so the speed grows to the terminal speed
    ``eps ||g|| / (1 - alpha)`` (10 times plain SGD's ``eps ||g||`` for alpha = 0.9).

    ``optimizer`` is any class called as ``optimizer(params, lr, momentum=alpha)`` (SGD by
    default; the tests pass a deliberately different momentum form).

    Shapes
    ------
    returns (steps,): the speed after steps 1 ... steps.
    """
    alpha = finite_float(alpha, "alpha", low=0.0, high=1.0, high_open=True)
    lr = finite_float(lr, "lr", low=0.0, low_open=True)
    steps = positive_int(steps, "steps")
    g = float_array(g, "g", ndim=1)
    p = Parameter(np.zeros_like(g))
    opt = optimizer([p], lr, momentum=alpha)
    thetas = np.empty((steps + 1, g.size))
    thetas[0] = p.data
    for k in range(steps):
        p.grad[...] = g
        opt.step()
        thetas[k + 1] = p.data
    return np.linalg.norm(np.diff(thetas, axis=0), axis=1)


def terminal_speed(alpha: float, lr: float, g=(1.0, 2.0)) -> float:
    """The deck's ``eps ||g|| / (1 - alpha)``."""
    return lr * float(np.linalg.norm(g)) / (1 - alpha)


# -- compute: schedules and epochs ---------------------------------------------------------
def schedules_to_one_percent(lr0: float, tau: int) -> dict:
    """Four of :mod:`coursekit.schedules`' decays, each reaching eps_tau = 1 % of eps_0 at step tau.

    Linear (the deck's), step (four stages of tau // 4 steps, each multiplying by 0.01^(1/4),
    so exactly 1 % at k = 4 (tau // 4), which is tau when 4 divides it), exponential
    (gamma = 0.01^(1/tau)) and cosine. Linear and cosine stay at eps_tau after tau; step and
    exponential keep decaying.
    """
    lr0 = finite_float(lr0, "lr0", low=0.0, low_open=True)
    tau = positive_int(tau, "tau")
    if tau < 4:
        raise ValueError(f"tau must be at least 4 (the step schedule has four stages), got {tau}")
    lr_tau = 0.01 * lr0
    return {
        "linear (deck 003)": LinearDecay(lr0, lr_tau, tau),
        "step": StepDecay(lr0, tau // 4, 0.01 ** 0.25),
        "exponential": ExponentialDecay(lr0, 0.01 ** (1 / tau)),
        "cosine": CosineDecay(lr0, tau, lr_min=lr_tau),
    }


def schedule_curves(schedules: dict, n_steps: int) -> dict:
    """``{name: array of schedule(k) for k = 0 ... n_steps - 1}``."""
    n_steps = positive_int(n_steps, "n_steps")
    return {name: np.array([s(k) for k in range(n_steps)]) for name, s in schedules.items()}


def epochs_vs_iterations(N: int, batch_sizes, epochs: int) -> list[dict]:
    """Rows ``{"B", "iterations per epoch", "iterations"}`` for ``epochs`` passes over N examples.

    B = N is batch gradient descent (one update per epoch); B = 1 is the deck's one-example SGD.
    """
    epochs = positive_int(epochs, "epochs")
    rows = []
    for B in batch_sizes:
        per_epoch = iterations_per_epoch(N, B)
        rows.append({"B": B, "iterations per epoch": per_epoch, "iterations": epochs * per_epoch})
    return rows


# -- what lesson 08's explorers show --------------------------------------------------------
@dataclass
class OptimizerPaths:
    """Each optimizer's path (steps + 1, 2) and its distances to the minimum, by name."""

    steps: int
    paths: dict
    distances: dict

    def end(self, name: str) -> str:
        """Where ``name``'s path ends: its distance to theta*, or "diverged"."""
        d = self.distances[name][-1]
        return "diverged" if np.isnan(d) else f"{d:.1e} from θ*"


def optimizer_paths(runs: dict, steps: int) -> OptimizerPaths:
    """Advance every :class:`PathRun` of ``runs`` (name -> run) to ``steps`` steps."""
    paths = {name: run.advance(steps) for name, run in runs.items()}
    return OptimizerPaths(steps, paths, {name: distances(path, run.surface.minimum)
                                         for (name, path), run in zip(paths.items(), runs.values())})


@dataclass
class SpeedCurve:
    """Momentum's speed per step under a constant gradient, and the deck's terminal speed."""

    alpha: float
    speeds: np.ndarray
    terminal: float

    @property
    def sgd(self) -> float:
        """Plain SGD's speed eps ||g|| (the terminal speed times 1 - alpha)."""
        return self.terminal * (1 - self.alpha)


def speed_curve(alpha: float, lr: float, steps: int, g=(1.0, 2.0)) -> SpeedCurve:
    """:func:`momentum_speeds` with :func:`terminal_speed` (lesson 08's terminal-speed explorer)."""
    return SpeedCurve(float(alpha), momentum_speeds(alpha, lr, steps, g), terminal_speed(alpha, lr, g))


@dataclass
class ScheduleCurves:
    """eps_k of each schedule of :func:`schedules_to_one_percent`, k = 0 ... n_steps - 1."""

    lr0: float
    tau: int
    curves: dict


def schedule_view(lr0: float, tau: int, n_steps: int) -> ScheduleCurves:
    """The four schedules reaching 1 % of ``lr0`` at ``tau``, over ``n_steps`` steps."""
    return ScheduleCurves(float(lr0), int(tau), schedule_curves(schedules_to_one_percent(lr0, tau), n_steps))
