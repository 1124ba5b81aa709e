"""Views of lesson 05: build a shallow ReLU net by hand, fit one, and depth against width.

The computations are :mod:`coursekit.experiments.relu_pieces`.
"""
from __future__ import annotations

import numpy as np
from matplotlib.legend import Legend
from matplotlib.ticker import MaxNLocator

from .._checks import finite_float, positive_int
from ..datasets import abs_x, sine, step
from ..experiments.relu_pieces import (depth_vs_width, fit_errors, random_hidden_units, shallow_fit,
                                       shallow_net)
from ..mlp import parameter_count
from ._base import Control, Explorer, figure, static_legend, steady_limits

# Dropdown options of the 1-D targets (deck 004): label -> function of x, resolved here only.
TARGETS = {"sine": sine, "step": step, "|x|": abs_x}
TARGET_OPTIONS = tuple((name, name) for name in TARGETS)


class ReLUPiecesExplorer(Explorer):
    """Build y = phi_0 + sum_d phi_d ReLU(theta_d0 + theta_d1 x) by hand, unit by unit.

    Controls: ``D`` (units in use), ``unit`` (which unit the three sliders edit), ``theta0``,
    ``theta1``, ``phi`` (that unit's offset, slope and output weight), ``phi0`` and ``target``.
    Left: the pieces phi_d h_d; right: their sum against the target, joints marked, the
    linear regions counted on the curve and from the joints.

    Note
    ----
    State beyond the controls, and why: three sliders edit six units, so the units not selected
    must be remembered as they were left. That memory is ``units``, one row (theta_d0, theta_d1,
    phi_d) per unit, and it is written in one place only: when ``unit`` changes (``_switch_unit``,
    an observer of that control), the sliders' values are kept as the old unit's row and the new
    unit's row is put on the sliders. The selected unit's parameters are always the sliders'
    (its row in ``units`` may be stale). ``compute`` reads ``units`` for the other units and its
    arguments for the selected one, and writes nothing, so ``compute(**values)`` is the same for
    the same values and memory. (Eighteen sliders, three per unit, would make the figure a
    function of the controls alone, at the cost of a control table three times as long.)
    """

    D_MAX = 6
    # Three units (deck 004's example: four regions) that roughly follow the sine; three spare.
    THETA = np.array([[-1.8, -3.0], [0.6, 3.0], [-1.8, 3.0], [1.5, 2.0], [0.0, -2.0], [-1.0, -2.5]])
    PHI = np.array([-0.75, 0.45, 0.9, -2.1, 0.3, -0.4, 0.5])
    CONTROLS = (
        Control("D", "int", 3, min=1, max=D_MAX, step=1, label="units D"),
        Control("unit", "int", 1, min=1, max=D_MAX, step=1, label="edit unit d"),
        Control("theta0", "float", THETA[0, 0], min=-3.0, max=3.0, step=0.05, label="θ_d0"),
        Control("theta1", "float", THETA[0, 1], min=-3.0, max=3.0, step=0.05, label="θ_d1"),
        Control("phi", "float", PHI[1], min=-3.0, max=3.0, step=0.05, label="φ_d"),
        Control("phi0", "float", PHI[0], min=-2.0, max=2.0, step=0.05, label="φ_0"),
        Control("target", "select", "sine", options=TARGET_OPTIONS),
    )
    UNIT_CONTROLS = ("theta0", "theta1", "phi")  # the selected unit's sliders, in the order of a row of units

    def __init__(self, *, low: float = -1.0, high: float = 1.0, n: int = 801):
        super().__init__(figure(figsize=(8.6, 3.4)))
        self.x = np.linspace(finite_float(low, "low"), finite_float(high, "high"), positive_int(n, "n"))
        self.units = np.column_stack([self.THETA, self.PHI[1:]])  # rows (theta_d0, theta_d1, phi_d)
        self.controls["unit"].observe(self._switch_unit, names="value")  # before the base's refresh
        d = self.D_MAX
        ax_pieces, ax_sum = self.fig.subplots(1, 2, sharex=True)
        colors = [f"C{i}" for i in range(d)]
        self.piece_lines = [ax_pieces.plot(self.x, self.x * 0, color=c, label=f"φ_{i + 1} h_{i + 1}")[0]
                            for i, c in enumerate(colors)]
        self.piece_joints = ax_pieces.scatter(np.zeros(d), np.zeros(d), c=colors, marker="|", s=200, zorder=3)
        ax_pieces.axhline(0, color="0.7", lw=0.8)
        ax_pieces.set(title="pieces φ_d ReLU(θ_d0 + θ_d1 x)", xlabel="x", ylim=(-3, 3))
        self.ax_pieces = ax_pieces
        # one legend per D, naming the D pieces drawn; the one for the current D is shown
        self.legends = [Legend(ax_pieces, self.piece_lines[:D], [line.get_label() for line in self.piece_lines[:D]],
                               fontsize=7, loc="upper left", ncol=2) for D in range(1, d + 1)]
        for legend in self.legends:
            ax_pieces.add_artist(legend)
        (self.target_line,) = ax_sum.plot(self.x, self.x * 0, color="0.6", lw=3, label="target")
        (self.sum_line,) = ax_sum.plot(self.x, self.x * 0, color="k", label="y = φ_0 + Σ φ_d h_d")
        self.sum_joints = ax_sum.scatter(np.zeros(d), np.zeros(d), c=colors, zorder=3, label="joints")
        ax_sum.set(xlabel="x", ylim=(-2, 2), xlim=(self.x[0], self.x[-1]))
        # five x ticks (-1, -0.5, ..., 1 by default): matplotlib's nine ran together on these panels
        ax_sum.xaxis.set_major_locator(MaxNLocator(nbins=4))
        static_legend(ax_sum, "lower right", fontsize=7)
        self.info = ax_sum.set_title(" ", fontsize=9)
        self.animate(*self.piece_lines, *self.legends, self.piece_joints, self.target_line, self.sum_line,
                     self.sum_joints, self.info)

    @property
    def regions(self) -> tuple:
        """(linear regions counted on the curve, counted from the joints) of the current net."""
        return self.result.regions_counted, self.result.regions_from_joints

    def _switch_unit(self, change) -> None:
        """Keep the sliders' values as unit ``change.old``'s and show unit ``change.new``'s on them.

        Registered before the controls' own observers, so the refresh that follows a change of
        ``unit`` already sees the new unit's values; the three slider writes are muted (that
        refresh draws them, once).
        """
        self.units[change["old"] - 1] = [self.controls[name].value for name in self.UNIT_CONTROLS]
        muted, self._muted = self._muted, True
        try:
            for name, value in zip(self.UNIT_CONTROLS, self.units[change["new"] - 1]):
                self.controls[name].value = float(value)
        finally:
            self._muted = muted

    def compute(self, *, D, unit, theta0, theta1, phi, phi0, target):
        units = self.units.copy()
        units[unit - 1] = theta0, theta1, phi  # the selected unit is the sliders'
        return shallow_net(self.x, units[:, :2], np.concatenate([[phi0], units[:, 2]]), D)

    def draw(self, r, changed):
        D, unit = r.D, self.controls["unit"].value
        for d, line in enumerate(self.piece_lines):
            line.set_visible(d < D)
            if d < D:
                line.set_ydata(r.pieces[d])
        for i, legend in enumerate(self.legends):
            legend.set_visible(i == D - 1)
        self.piece_joints.set_offsets(np.column_stack([r.joints, np.zeros(self.D_MAX)]))
        self.sum_joints.set_offsets(np.column_stack([r.joints, r.y_at_joints]))
        self.target_line.set_ydata(TARGETS[self.controls["target"].value](self.x))
        self.sum_line.set_ydata(r.y)
        note = "" if unit <= D else f" (unit {unit} unused: D = {D})"
        self.info.set_text(f"{r.regions_counted} linear regions (joints say {r.regions_from_joints}; "
                           f"at most D + 1 = {D + 1}){note}")


class ShallowFitExplorer(Explorer):
    """Universal approximation: least-squares output weights on D fixed random hidden units.

    Controls: ``target`` and ``D``. Left: the target and the fitted shallow net with its
    joints; right: the fit error against D (the nets are nested, so it never goes up).
    """

    D_MAX = 64
    CONTROLS = (
        Control("target", "select", "sine", options=TARGET_OPTIONS),
        Control("D", "int", 4, min=1, max=D_MAX, step=1, label="units D"),
    )

    def __init__(self, *, rng=0, low: float = -1.0, high: float = 1.0, n: int = 401):
        super().__init__(figure(figsize=(8.6, 3.4)))
        self.x = np.linspace(finite_float(low, "low"), finite_float(high, "high"), positive_int(n, "n"))
        self.theta_max = random_hidden_units(self.D_MAX, rng=rng, low=low, high=high)
        self.units = np.arange(1, self.D_MAX + 1)
        ax_fit, ax_err = self.fig.subplots(1, 2)
        (self.target_line,) = ax_fit.plot(self.x, self.x * 0, color="0.6", lw=3, label="target")
        (self.fit_line,) = ax_fit.plot(self.x, self.x * 0, color="k", label="least-squares shallow net")
        self.joints = ax_fit.scatter(np.zeros(self.D_MAX), np.zeros(self.D_MAX), s=12, color="C3",
                                     zorder=3, label="joints")
        ax_fit.set(xlabel="x", ylim=(-1.5, 1.5))
        static_legend(ax_fit, "lower right", fontsize=7)
        self.info = ax_fit.set_title(" ", fontsize=9)
        (self.error_line,) = ax_err.loglog(self.units, self.units * 1.0, color="k")
        (self.error_dot,) = ax_err.loglog([1], [1], "o", color="C3")
        ax_err.set(xlabel="hidden units D", ylabel="mean squared error (2J)", title="fit error as units grow")
        self.ax_err = ax_err
        self.animate(self.target_line, self.fit_line, self.joints, self.info, self.error_line, self.error_dot)

    def compute(self, *, target, D):
        t = TARGETS[target](self.x)
        errors = self.cached(target, lambda: fit_errors(self.x, t, self.theta_max))
        return shallow_fit(self.x, t, self.theta_max, D, errors)

    def draw(self, r, changed):
        self.target_line.set_ydata(r.t)
        self.fit_line.set_ydata(r.y)
        self.joints.set_offsets(np.column_stack([r.joints, r.y_at_joints]))
        self.error_line.set_ydata(r.errors)
        self.error_dot.set_data([r.D], [r.errors[r.D - 1]])
        self.ax_err.set_ylim(*steady_limits(self.ax_err.get_ylim(), max(r.errors.min(), 1e-12), r.errors.max(),
                                            log=True))
        self.info.set_text(f"D = {r.D} units: mean squared error (2J) {r.errors[r.D - 1]:.2g}")


class DepthWidthExplorer(Explorer):
    """Depth vs width: the sawtooth of a deep width-2 ReLU net vs a shallow net of equal size.

    Control: ``depth`` K. Left: the deep net (2^K regions) and the least-squares shallow net
    with the same parameter count (at most 2K + 1 regions); right: regions against parameters.
    """

    DEPTH_MAX = 8
    CONTROLS = (Control("depth", "int", 3, min=1, max=DEPTH_MAX, step=1, label="depth K"),)

    def __init__(self):
        super().__init__(figure(figsize=(8.6, 3.4)))
        ax_fun, ax_count = self.fig.subplots(1, 2)
        x = np.linspace(0.0, 1.0, 4097)
        (self.deep_line,) = ax_fun.plot(x, x, color="k", label="deep (width 2)")
        (self.shallow_line,) = ax_fun.plot(x, x, color="C1", label="shallow, same parameters")
        ax_fun.set(xlabel="x", ylim=(-0.1, 1.1))
        ax_fun.legend(fontsize=7, loc="lower right")
        self.info = ax_fun.set_title(" ", fontsize=9)
        K = np.arange(1, self.DEPTH_MAX + 1)
        params = [parameter_count([1] + [2] * k + [1]) for k in K]
        ax_count.semilogy(params, 2.0 ** K, "k.-", label="deep: 2^K regions")
        ax_count.semilogy(params, 2 * K + 1.0, ".-", color="C1", label="shallow: at most D + 1 = 2K + 1")
        (self.count_dots,) = ax_count.semilogy([1, 1], [1, 1], "o", color="C3")
        ax_count.set(xlabel="parameters", ylabel="linear regions on [0, 1]", title="depth vs width")
        static_legend(ax_count, "upper left", fontsize=7)
        self.animate(self.deep_line, self.shallow_line, self.info, self.count_dots)

    def compute(self, *, depth):
        return self.cached(depth, lambda: depth_vs_width(depth))

    def draw(self, r, changed):
        self.deep_line.set_ydata(r.y_deep)
        self.shallow_line.set_ydata(r.y_shallow)
        self.count_dots.set_data([r.params] * 2, [r.regions_deep, r.regions_shallow])
        self.info.set_text(f"K = {r.depth}, {r.params} parameters: regions deep {r.regions_deep}, "
                           f"shallow {r.regions_shallow}")
