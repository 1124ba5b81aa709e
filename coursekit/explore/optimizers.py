"""Views of lesson 08: optimizers' paths on a map, momentum's terminal speed, schedules.

The computations are :mod:`coursekit.experiments.optimizers`.
"""
from __future__ import annotations

import numpy as np

from ..experiments.optimizers import (ADAPTIVE, OPTIMIZERS, USES_ALPHA, PathRun, Quadratic, Rosenbrock,
                                      optimizer_paths, schedule_view, schedules_to_one_percent, speed_curve,
                                      terminal_speed)
from ..plotting import decades
from ._base import Control, Explorer, figure, static_legend, steady_limits


class _PathExplorer(Explorer):
    """The six optimizers' paths over a surface's contours, and their distance to the minimum.

    Controls shared by both surfaces: ``lr`` (eps of SGD, momentum and Nesterov),
    ``lr_adaptive`` (eps of AdaGrad, RMSProp and Adam), ``alpha`` (momentum) and ``steps``.
    Paths are kept in the bounded cache per (optimizer, its eps, alpha if it reads alpha,
    surface) as resumable :class:`PathRun` objects, so a callback only computes what the moved
    slider changed: the steps slider extends or cuts cached paths, alpha reruns momentum and
    Nesterov, each eps reruns its three optimizers.
    """

    STEPS_MAX = 300
    CACHE_SIZE = 200

    def __init__(self, surface):
        super().__init__(figure(figsize=(8.6, 4.4)))
        fig = self.fig
        grid = fig.add_gridspec(2, 4, width_ratios=(1, 1, 1, 1.25))
        self.paths, self.titles, self.panels = {}, {}, {}
        for i, name in enumerate(OPTIMIZERS):
            ax = fig.add_subplot(grid[i // 3, i % 3])
            self._draw_contours(ax, surface)
            (self.paths[name],) = ax.plot([], [], ".-", color=f"C{i}", lw=1, ms=2)
            ax.plot(*surface.minimum, "k*", ms=8)
            ax.plot(*surface.start, "ko", ms=3)
            x0, x1, y0, y1 = surface.extent
            ax.set(xlim=(x0, x1), ylim=(y0, y1), xticks=[], yticks=[])
            self.titles[name] = ax.set_title(name, fontsize=8)
            self.panels[name] = ax
        self.ax_dist = fig.add_subplot(grid[:, 3])
        self.dist_lines = {name: self.ax_dist.semilogy([], [], color=f"C{i}", label=name)[0]
                           for i, name in enumerate(OPTIMIZERS)}
        self.ax_dist.set(xlabel="step k", ylabel=r"$\|\theta_k - \theta^*\|$", ylim=(1e-6, 1e4))
        static_legend(self.ax_dist, "lower left", fontsize=7)
        self.animate(*self.paths.values(), *self.titles.values(), *self.dist_lines.values())

    def _surface(self, **values):
        raise NotImplementedError

    def _draw_contours(self, ax, surface):
        raise NotImplementedError

    def run(self, name: str, lr: float, alpha: float, surface) -> PathRun:
        """The cached resumable run of optimizer ``name`` (made on first use)."""
        key = (name, lr, alpha if name in USES_ALPHA else None, repr(surface))
        return self.cached(key, lambda: PathRun(surface, lambda params: OPTIMIZERS[name](params, lr, alpha)))

    def compute(self, *, lr, lr_adaptive, alpha, steps, **surface_values):
        surface = self._surface(**surface_values)
        return optimizer_paths({name: self.run(name, lr_adaptive if name in ADAPTIVE else lr, alpha, surface)
                                for name in OPTIMIZERS}, steps)

    def draw(self, r, changed):
        k = np.arange(r.steps + 1)
        for name in OPTIMIZERS:
            path = r.paths[name]
            self.paths[name].set_data(path[:, 0], path[:, 1])
            self.dist_lines[name].set_data(k, r.distances[name])
            self.titles[name].set_text(f"{name}: {r.end(name)}")
        self.ax_dist.set_xlim(*steady_limits(self.ax_dist.get_xlim(), 0, r.steps))


class QuadraticPathExplorer(_PathExplorer):
    """Paths on ``1/2 theta^T A theta``, A = diag(1, kappa), with sliders eps, alpha, steps, kappa.

    Plain SGD diverges once eps > 2 / kappa (the contour ellipses are redrawn for each kappa).
    """

    N_LEVELS = 7
    CONTROLS = (
        Control("lr", "log", 0.02, min=0.002, max=0.2, step=0.05, label="ε SGD"),   # 0.02 on the grid
        Control("lr_adaptive", "log", 0.1, min=1e-3, max=1.0, step=0.05, label="ε adaptive"),
        Control("alpha", "float", 0.9, min=0.0, max=0.95, step=0.05, label="α (momentum)"),
        Control("steps", "int", 100, min=1, max=_PathExplorer.STEPS_MAX, step=1),
        Control("kappa", "float", 25.0, min=1.0, max=50.0, step=1.0, label="κ = λmax/λmin"),
    )

    def __init__(self):
        self._level_lines = []
        super().__init__(Quadratic(25.0))

    def _surface(self, *, kappa):
        return self.cached(("surface", kappa), lambda: Quadratic(kappa))

    def _draw_contours(self, ax, surface):
        self._level_lines.append([ax.plot([], [], color="0.75", lw=0.8)[0] for _ in range(self.N_LEVELS)])
        self.animate(*self._level_lines[-1])

    def draw(self, r, changed):
        if changed in (None, "kappa"):
            q = self._surface(kappa=self.controls["kappa"].value)
            f0 = float(q.value(q.start))
            # level sets through the start, then each at a quarter of the previous value
            ellipses = [q.level_curve(f0 * 4.0 ** -j) for j in range(self.N_LEVELS)]
            for lines in self._level_lines:
                for line, ellipse in zip(lines, ellipses):
                    line.set_data(ellipse[:, 0], ellipse[:, 1])
        super().draw(r, changed)


class RosenbrockPathExplorer(_PathExplorer):
    """Paths on Rosenbrock's valley from (-1.2, 1), with sliders eps, alpha and steps."""

    STEPS_MAX = 500
    CONTROLS = (
        Control("lr", "log", 1e-3, min=1e-4, max=10 ** -2.5, step=0.05, label="ε SGD"),
        Control("lr_adaptive", "log", 0.1, min=1e-3, max=10 ** -0.5, step=0.05, label="ε adaptive"),
        Control("alpha", "float", 0.9, min=0.0, max=0.95, step=0.05, label="α (momentum)"),
        Control("steps", "int", 200, min=1, max=STEPS_MAX, step=1),
    )

    def __init__(self):
        self._rosenbrock = Rosenbrock()
        super().__init__(self._rosenbrock)

    def _surface(self):
        return self._rosenbrock

    def _draw_contours(self, ax, surface):
        x0, x1, y0, y1 = surface.extent
        xx, yy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
        ax.contour(xx, yy, surface.value(np.stack([xx, yy], axis=-1)), levels=np.logspace(-1, 3.5, 12),
                   colors="0.75", linewidths=0.8)


class TerminalSpeedExplorer(Explorer):
    """Momentum under a constant gradient: the speed ||v_k|| rises to eps ||g|| / (1 - alpha).

    Both axes are logarithmic and the y axis holds every speed the sliders can give (plain
    SGD's slowest, eps_min ||g||, to the fastest terminal speed, eps_max ||g|| / (1 - alpha_max)):
    the limits never move, eps shifts all three lines alike, and the gap between plain SGD and
    the terminal speed is the factor 1 / (1 - alpha) wherever eps puts them.
    """

    STEPS = 1000
    CONTROLS = (
        Control("alpha", "float", 0.9, min=0.0, max=0.99, step=0.01, label="α (momentum)"),
        Control("lr", "log", 0.01, min=1e-3, max=1e-1, step=0.1, label="ε (lr)"),
    )

    def __init__(self, g=(1.0, 2.0)):
        super().__init__(figure(figsize=(7, 3.2)))
        self.g = g
        ax = self.fig.subplots()
        alpha, lr = self.CONTROLS
        slowest, fastest = terminal_speed(0.0, lr.min, g), terminal_speed(alpha.max, lr.max, g)
        ax.set(xscale="log", yscale="log", ylim=decades(slowest, fastest, pad=0),
               xlabel="step k", ylabel="speed per step")
        k = np.arange(1, self.STEPS + 1)
        (self.speed_line,) = ax.plot(k, np.ones(self.STEPS), color="C1", label=r"momentum: $\|v_k\|$")
        (self.terminal_line,) = ax.plot([1, self.STEPS], [1, 1], "k--",
                                        label=r"terminal speed $\epsilon\|g\|/(1-\alpha)$")
        (self.sgd_line,) = ax.plot([1, self.STEPS], [1, 1], color="C0", label=r"plain SGD: $\epsilon\|g\|$")
        static_legend(ax, "upper left", fontsize=8)
        self.ax, self.info = ax, ax.set_title(" ", fontsize=10)
        self.animate(self.speed_line, self.terminal_line, self.sgd_line, self.info)

    def compute(self, *, alpha, lr):
        return self.cached((alpha, lr), lambda: speed_curve(alpha, lr, self.STEPS, self.g))

    def draw(self, r, changed):
        self.speed_line.set_ydata(r.speeds)
        self.terminal_line.set_ydata([r.terminal, r.terminal])
        self.sgd_line.set_ydata([r.sgd] * 2)
        self.info.set_text(f"1/(1-α) = {1 / (1 - r.alpha):.3g} times plain SGD's speed")


class ScheduleExplorer(Explorer):
    """Learning-rate schedules eps_k from :mod:`coursekit.schedules`, all reaching 1 % of eps_0 at tau."""

    N_STEPS = 1000
    CONTROLS = (
        Control("lr0", "log", 0.1, min=1e-3, max=1.0, step=0.1, label="ε₀"),
        Control("tau", "int", 500, min=100, max=N_STEPS, step=4, label="τ"),
    )

    def __init__(self):
        super().__init__(figure(figsize=(7, 3.2)))
        ax = self.fig.subplots()
        k = np.arange(self.N_STEPS)
        self.lines = {name: ax.plot(k, np.zeros(self.N_STEPS), label=name)[0]
                      for name in schedules_to_one_percent(1.0, 4)}
        self.tau_line = ax.axvline(0, color="0.5", ls=":")
        ax.set(xlabel="step k", ylabel=r"learning rate $\epsilon_k$")
        static_legend(ax, "upper right", fontsize=8)
        self.ax = ax
        self.animate(*self.lines.values(), self.tau_line)

    def compute(self, *, lr0, tau):
        return schedule_view(lr0, tau, self.N_STEPS)

    def draw(self, r, changed):
        for name, values in r.curves.items():
            self.lines[name].set_ydata(values)
        self.tau_line.set_xdata([r.tau, r.tau])
        self.ax.set_ylim(*steady_limits(self.ax.get_ylim(), 0, 1.05 * r.lr0))
