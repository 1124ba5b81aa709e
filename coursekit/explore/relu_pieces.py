"""ReLU pieces: shallow networks, linear regions, universal approximation, depth (deck 004).

A shallow network with D hidden ReLU units and one input (deck 004, UDL notation)::

    h_d = ReLU(theta_d0 + theta_d1 x),        y = phi_0 + sum_d phi_d h_d

is piecewise linear. Unit d has its joint (breakpoint) where its pre-activation is zero,
``x = -theta_d0 / theta_d1``, and there the slope of y changes by ``phi_d |theta_d1|``; so D units
give at most D + 1 linear regions. Compute functions come first (pure NumPy, tested without
widgets), then the explorers of lesson 05.

Shapes
------
``theta``: (D, 2), row d = (theta_d0, theta_d1); ``phi``: (D + 1,), phi[0] = phi_0; ``x``: (n,).
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._checks import as_generator, finite_float, float_array, positive_int
from ..activations import relu
from ..datasets import abs_x, sine, step
from ..mlp import MLP, parameter_count
from ._base import Explorer, cached, figure

# Dropdown options of the 1-D targets (deck 004): label -> function of x, resolved here only.
TARGETS = {"sine": sine, "step": step, "|x|": abs_x}


# -- compute: the shallow network and its pieces ------------------------------------------
def _theta_phi(theta, phi):
    theta = float_array(theta, "theta", ndim=2)
    if theta.shape[1] != 2:
        raise ValueError(f"theta must have shape (D, 2) with rows (theta_d0, theta_d1), got {theta.shape}")
    phi = float_array(phi, "phi", ndim=1)
    if phi.shape != (theta.shape[0] + 1,):
        raise ValueError(
            f"phi must have shape (D + 1,) = ({theta.shape[0] + 1},) (phi_0 first), got {phi.shape}")
    return theta, phi


def hidden_activations(x, theta) -> np.ndarray:
    """h_d = ReLU(theta_d0 + theta_d1 x) for every unit d and sample x.

    Shapes
    ------
    x: (n,), theta: (D, 2) -> h: (D, n).
    """
    x = float_array(x, "x", ndim=1)
    theta = float_array(theta, "theta", ndim=2)
    return relu(theta[:, :1] + theta[:, 1:] * x)


def relu_pieces(x, theta, phi):
    """The pieces phi_d ReLU(theta_d0 + theta_d1 x) and their sum y = phi_0 + sum_d pieces_d.

    Returns
    -------
    pieces : ndarray, shape (D, n)
    y : ndarray, shape (n,)
    """
    theta, phi = _theta_phi(theta, phi)
    pieces = phi[1:, None] * hidden_activations(x, theta)
    return pieces, phi[0] + pieces.sum(axis=0)


def breakpoints(theta) -> np.ndarray:
    """Joint of each unit, x_d = -theta_d0 / theta_d1 (NaN for a flat unit, theta_d1 = 0).

    Shapes
    ------
    theta: (D, 2) -> (D,).
    """
    theta = float_array(theta, "theta", ndim=2)
    joints = np.full(theta.shape[0], np.nan)
    sloped = theta[:, 1] != 0
    joints[sloped] = -theta[sloped, 0] / theta[sloped, 1]
    return joints


def regions_from_breakpoints(theta, phi, low: float, high: float, *, atol: float = 1e-9) -> int:
    """Linear regions of y on [low, high] counted from the joints.

    A joint at x_d inside (low, high) changes the slope by ``phi_d |theta_d1|``; joints that
    coincide (within ``atol``) add their changes, and only a non-zero total is a real corner.

    Shapes
    ------
    theta: (D, 2), phi: (D + 1,) -> int in [1, D + 1].
    """
    theta, phi = _theta_phi(theta, phi)
    x_d = breakpoints(theta)
    change = phi[1:] * np.abs(theta[:, 1])
    inside = np.isfinite(x_d) & (x_d > low + atol) & (x_d < high - atol) & (change != 0)
    x_d, change = x_d[inside], change[inside]
    order = np.argsort(x_d)
    x_d, change = x_d[order], change[order]
    corners = 0
    start = 0
    for i in range(1, len(x_d) + 1):  # group joints closer than atol, then test their total
        if i == len(x_d) or x_d[i] - x_d[i - 1] > atol:
            scale = np.abs(change[start:i]).max()
            corners += abs(change[start:i].sum()) > 1e-9 * scale
            start = i
    return int(corners) + 1


def count_linear_regions(x, y, *, rtol: float = 1e-7) -> int:
    """Linear regions of a sampled piecewise-linear function, counted from the samples alone.

    The slope between neighbouring samples changes at a corner. A corner strictly between two
    samples makes one transition segment with an in-between slope, i.e. two slope changes in a
    row; a corner on a sample makes one. So runs of adjacent slope changes count as one corner.

    Note
    ----
    Two corners closer than the grid spacing merge into one; sample finer than the narrowest
    region (the tests compare with :func:`regions_from_breakpoints`).

    Shapes
    ------
    x: (n,) increasing, y: (n,).
    """
    x = float_array(x, "x", ndim=1)
    y = float_array(y, "y", ndim=1)
    if x.shape != y.shape or x.size < 3:
        raise ValueError(f"x and y must have the same shape with at least 3 samples, got {x.shape} and {y.shape}")
    slope = np.diff(y) / np.diff(x)
    tol = rtol * (1.0 + np.abs(slope).max())
    changed = np.abs(np.diff(slope)) > tol
    starts = changed & ~np.concatenate(([False], changed[:-1]))  # first change of each run
    return int(starts.sum()) + 1


# -- compute: fitting the output weights (universal approximation) -------------------------
def random_hidden_units(D_max: int, *, rng, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """D_max hidden units with joints uniform in [low, high] and slopes +-1.

    The first D rows are the units of a D-unit net, so the nets for growing D are nested: each
    one can do everything the smaller one could (its least-squares error cannot go up).

    Shapes
    ------
    -> theta: (D_max, 2).
    """
    D_max = positive_int(D_max, "D_max")
    rng = as_generator(rng)
    joints = rng.uniform(low, high, D_max)
    theta1 = rng.choice([-1.0, 1.0], D_max)
    return np.column_stack([-theta1 * joints, theta1])


def _design(x, theta) -> np.ndarray:
    """The design matrix H = [1, h_1(x), ..., h_D(x)] of the net, linear in phi: y = H phi."""
    h = hidden_activations(x, theta)
    return np.column_stack([np.ones(h.shape[1]), h.T])


def fit_output_weights(x, t, theta) -> np.ndarray:
    """Least-squares phi for fixed hidden units: minimise sum_i (y(x_i) - t_i)^2 over phi.

    The net is linear in phi, y = H phi with design matrix H = [1, h_1(x), ..., h_D(x)],
    so the best phi solves the normal equations (``numpy.linalg.lstsq``).

    Shapes
    ------
    x, t: (n,), theta: (D, 2) -> phi: (D + 1,).
    """
    t = float_array(t, "t", ndim=1)
    H = _design(x, theta)
    if H.shape[0] != t.shape[0]:
        raise ValueError(f"x and t must have the same length, got {H.shape[0]} and {t.shape[0]}")
    return np.linalg.lstsq(H, t, rcond=None)[0]


def fit_errors(x, t, theta) -> np.ndarray:
    """Mean squared error of the least-squares fit with the first D units, for D = 1 ... D_max.

    Adding unit D + 1 adds one column to H. Orthogonalise the columns in order (H = QR): the
    best fit with the first D units is the projection of t on q_0 ... q_D, so unit D + 1
    removes (q_(D+1)^T t)^2 >= 0 from the squared error, which therefore never goes up.

    Shapes
    ------
    x, t: (n,), theta: (D_max, 2) with n > D_max -> errors: (D_max,).
    """
    t = float_array(t, "t", ndim=1)
    H = _design(x, theta)
    if H.shape[0] != t.shape[0] or H.shape[0] <= H.shape[1]:
        raise ValueError(f"need as many t as x and more samples than units + 1, got {t.shape[0]} "
                         f"targets, {H.shape[0]} samples and {H.shape[1] - 1} units")
    Q = np.linalg.qr(H)[0]
    residual = t @ t - np.cumsum((Q.T @ t) ** 2)
    return np.maximum(residual[1:], 0.0) / t.shape[0]


# -- compute: depth vs width ----------------------------------------------------------------
def sawtooth_mlp(depth: int) -> MLP:
    """A deep ReLU net of width 2 whose K = depth hidden layers compose the tent map K times.

    Each hidden layer computes h = ReLU(t [1, 1] + [0, -1/2]) of the previous tent value t, and
    t = 2 h_1 - 4 h_2 is the tent map (0 -> 0, 1/2 -> 1, 1 -> 0), folded into the next layer's
    weights. Composing K tents on [0, 1] gives a sawtooth with 2^K linear regions, from
    6K + 1 parameters; a shallow net with as many parameters has 2K units, so at most 2K + 1.

    Shapes
    ------
    MLP([1, 2, ..., 2, 1]) mapping x: (n, 1) -> y: (n, 1).
    """
    depth = positive_int(depth, "depth")
    net = MLP([1] + [2] * depth + [1], rng=0)
    linears = net.layers[::2]
    tent = np.array([[2.0], [-4.0]])
    linears[0].W.data[:] = [[1.0, 1.0]]
    for layer in linears[1:-1]:
        layer.W.data[:] = tent * [1.0, 1.0]
    for layer in linears[:-1]:
        layer.b.data[:] = [0.0, -0.5]
    linears[-1].W.data[:] = tent
    linears[-1].b.data[:] = 0.0
    return net


def depth_vs_width(depth: int, *, n: int = 4097) -> dict:
    """The deep sawtooth net and a least-squares shallow net with the same parameter count.

    Returns a dict with ``x`` (grid on [0, 1]), ``y_deep``, ``y_shallow``, ``params``, ``D``
    (shallow units: 3D + 1 = params), ``regions_deep`` and ``regions_shallow`` (counted from the
    sampled functions) and ``shallow_bound`` (D + 1). The shallow net's joints are evenly spaced.

    Shapes
    ------
    ``x``, ``y_deep``, ``y_shallow``: (n,).
    """
    depth = positive_int(depth, "depth")
    x = np.linspace(0.0, 1.0, positive_int(n, "n"))
    y_deep = sawtooth_mlp(depth)(x[:, None])[:, 0]
    params = parameter_count([1] + [2] * depth + [1])
    D = (params - 1) // 3
    theta = np.column_stack([-(np.arange(D) + 0.5) / D, np.ones(D)])
    _, y_shallow = relu_pieces(x, theta, fit_output_weights(x, y_deep, theta))
    return dict(x=x, y_deep=y_deep, y_shallow=y_shallow, params=params, D=D,
                regions_deep=count_linear_regions(x, y_deep),
                regions_shallow=count_linear_regions(x, y_shallow), shallow_bound=D + 1)


# -- views ---------------------------------------------------------------------------------
def _slider(description, value, low, high, step=0.05, **kwargs):
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               readout_format=".2f", **kwargs)


class ReLUPiecesExplorer(Explorer):
    """Build y = phi_0 + sum_d phi_d ReLU(theta_d0 + theta_d1 x) by hand, unit by unit.

    Controls: ``D`` (units in use), ``unit`` (which unit the three sliders edit), ``theta0``,
    ``theta1``, ``phi`` (that unit's offset, slope and output weight), ``phi0`` and ``target``.
    Left: the pieces phi_d h_d; right: their sum against the target, joints marked, the
    linear regions counted on the curve and from the joints.
    """

    D_MAX = 6
    # Three units (deck 004's example: four regions) that roughly follow the sine; three spare.
    THETA = np.array([[-1.8, -3.0], [0.6, 3.0], [-1.8, 3.0], [1.5, 2.0], [0.0, -2.0], [-1.0, -2.5]])
    PHI = np.array([-0.75, 0.45, 0.9, -2.1, 0.3, -0.4, 0.5])

    def __init__(self, *, low: float = -1.0, high: float = 1.0, n: int = 801):
        self.x = np.linspace(finite_float(low, "low"), finite_float(high, "high"), positive_int(n, "n"))
        self.theta, self.phi = self.THETA.copy(), self.PHI.copy()
        self._unit = 1
        d = self.D_MAX
        controls = {
            "D": widgets.IntSlider(value=3, min=1, max=d, description="units D"),
            "unit": widgets.IntSlider(value=1, min=1, max=d, description="edit unit d"),
            "theta0": _slider("θ_d0", self.theta[0, 0], -3.0, 3.0),
            "theta1": _slider("θ_d1", self.theta[0, 1], -3.0, 3.0),
            "phi": _slider("φ_d", self.phi[1], -3.0, 3.0),
            "phi0": _slider("φ_0", self.phi[0], -2.0, 2.0),
            "target": widgets.Dropdown(options=list(TARGETS), value="sine", description="target"),
        }
        fig = figure(figsize=(9, 3.4))
        ax_pieces, ax_sum = fig.subplots(1, 2, sharex=True)
        colors = [f"C{d}" for d in range(self.D_MAX)]
        self.piece_lines = [ax_pieces.plot(self.x, self.x * 0, color=c, label=f"φ_{d + 1} h_{d + 1}")[0]
                            for d, c in enumerate(colors)]
        self.piece_joints = ax_pieces.scatter(np.zeros(d), np.zeros(d), c=colors, marker="|", s=200, zorder=3)
        ax_pieces.axhline(0, color="0.7", lw=0.8)
        ax_pieces.set(title="pieces φ_d ReLU(θ_d0 + θ_d1 x)", xlabel="x", ylim=(-3, 3))
        self.ax_pieces, self._legend_D = ax_pieces, None
        (self.target_line,) = ax_sum.plot(self.x, self.x * 0, color="0.6", lw=3, label="target")
        (self.sum_line,) = ax_sum.plot(self.x, self.x * 0, color="k", label="y = φ_0 + Σ φ_d h_d")
        self.sum_joints = ax_sum.scatter(np.zeros(d), np.zeros(d), c=colors, zorder=3, label="joints")
        ax_sum.set(xlabel="x", ylim=(-2, 2), xlim=(self.x[0], self.x[-1]))
        ax_sum.legend(fontsize=7, loc="lower right")
        self.info = ax_sum.set_title("", fontsize=9)
        self.regions = None  # (counted on the curve, counted from the joints), for readers and tests
        super().__init__(controls, fig)

    def update(self, *, D, unit, theta0, theta1, phi, phi0, target) -> None:
        k = unit - 1
        if unit != self._unit:  # another unit selected: show its values, do not overwrite them
            self._unit = unit
            self.set(theta0=self.theta[k, 0], theta1=self.theta[k, 1], phi=self.phi[unit])
            return
        self.theta[k] = theta0, theta1
        self.phi[unit], self.phi[0] = phi, phi0
        theta, phi_used = self.theta[:D], self.phi[:D + 1]
        pieces, y = relu_pieces(self.x, theta, phi_used)
        for d, line in enumerate(self.piece_lines):
            line.set_visible(d < D)
            if d < D:
                line.set_ydata(pieces[d])
        if D != self._legend_D:  # the legend names the D pieces drawn, not all D_MAX
            self._legend_D = D
            self.ax_pieces.legend(handles=self.piece_lines[:D], fontsize=7, loc="upper left", ncol=2)
        joints = breakpoints(self.theta)
        shown = np.where(np.arange(self.D_MAX) < D, joints, np.nan)  # NaN markers are not drawn
        y_at = relu_pieces(np.nan_to_num(shown), theta, phi_used)[1]
        self.piece_joints.set_offsets(np.column_stack([shown, np.zeros(self.D_MAX)]))
        self.sum_joints.set_offsets(np.column_stack([shown, y_at]))
        self.target_line.set_ydata(TARGETS[target](self.x))
        self.sum_line.set_ydata(y)
        self.regions = (count_linear_regions(self.x, y),
                        regions_from_breakpoints(theta, phi_used, self.x[0], self.x[-1]))
        note = "" if unit <= D else f" (unit {unit} unused: D = {D})"
        self.info.set_text(f"{self.regions[0]} linear regions (joints say {self.regions[1]}; "
                           f"at most D + 1 = {D + 1}){note}")


class ShallowFitExplorer(Explorer):
    """Universal approximation: least-squares output weights on D fixed random hidden units.

    Controls: ``target`` and ``D``. Left: the target and the fitted shallow net with its
    joints; right: the fit error against D (the nets are nested, so it never goes up).
    """

    D_MAX = 64

    def __init__(self, *, rng=0, low: float = -1.0, high: float = 1.0, n: int = 401):
        self.x = np.linspace(finite_float(low, "low"), finite_float(high, "high"), positive_int(n, "n"))
        self.theta_max = random_hidden_units(self.D_MAX, rng=rng, low=low, high=high)
        self.units = np.arange(1, self.D_MAX + 1)
        self._errors = {}  # target name -> fit error for every D (a D change reuses it)
        controls = {
            "target": widgets.Dropdown(options=list(TARGETS), value="sine", description="target"),
            "D": widgets.IntSlider(value=4, min=1, max=self.D_MAX, description="units D"),
        }
        fig = figure(figsize=(9, 3.4))
        ax_fit, ax_err = fig.subplots(1, 2)
        (self.target_line,) = ax_fit.plot(self.x, self.x * 0, color="0.6", lw=3, label="target")
        (self.fit_line,) = ax_fit.plot(self.x, self.x * 0, color="k", label="least-squares shallow net")
        self.joints = ax_fit.scatter(np.zeros(self.D_MAX), np.zeros(self.D_MAX), s=12, color="C3",
                                     zorder=3, label="joints")
        ax_fit.set(xlabel="x", ylim=(-1.5, 1.5))
        ax_fit.legend(fontsize=7, loc="lower right")
        self.info = ax_fit.set_title("")
        (self.error_line,) = ax_err.loglog(self.units, self.units * 1.0, color="k")
        (self.error_dot,) = ax_err.loglog([1], [1], "o", color="C3")
        ax_err.set(xlabel="hidden units D", ylabel="mean squared error", title="fit error as units grow")
        self.ax_err = ax_err
        super().__init__(controls, fig)

    def errors(self, target: str) -> np.ndarray:
        """Fit error for D = 1 ... D_MAX on ``target`` (cached)."""
        return cached(self._errors, target, lambda: fit_errors(self.x, TARGETS[target](self.x), self.theta_max))

    def update(self, *, target, D) -> None:
        t = TARGETS[target](self.x)
        theta = self.theta_max[:D]
        phi = fit_output_weights(self.x, t, theta)
        y = relu_pieces(self.x, theta, phi)[1]
        joints = np.full(self.D_MAX, np.nan)
        joints[:D] = breakpoints(theta)
        self.target_line.set_ydata(t)
        self.fit_line.set_ydata(y)
        self.joints.set_offsets(np.column_stack([joints, relu_pieces(np.nan_to_num(joints), theta, phi)[1]]))
        errors = self.errors(target)
        self.error_line.set_ydata(errors)
        self.error_dot.set_data([D], [errors[D - 1]])
        self.ax_err.set_ylim(max(errors.min(), 1e-12) / 2, errors.max() * 2)
        self.info.set_text(f"D = {D} units: mean squared error {errors[D - 1]:.2g}")


class DepthWidthExplorer(Explorer):
    """Depth vs width: the sawtooth of a deep width-2 ReLU net vs a shallow net of equal size.

    Control: ``depth`` K. Left: the deep net (2^K regions) and the least-squares shallow net
    with the same parameter count (at most 2K + 1 regions); right: regions against parameters.
    """

    DEPTH_MAX = 8

    def __init__(self):
        controls = {"depth": widgets.IntSlider(value=3, min=1, max=self.DEPTH_MAX, description="depth K")}
        fig = figure(figsize=(9, 3.4))
        ax_fun, ax_count = fig.subplots(1, 2)
        x = np.linspace(0.0, 1.0, 4097)
        (self.deep_line,) = ax_fun.plot(x, x, color="k", label="deep (width 2)")
        (self.shallow_line,) = ax_fun.plot(x, x, color="C1", label="shallow, same parameters")
        ax_fun.set(xlabel="x", ylim=(-0.1, 1.1))
        ax_fun.legend(fontsize=7, loc="lower right")
        self.info = ax_fun.set_title("", fontsize=9)
        K = np.arange(1, self.DEPTH_MAX + 1)
        params = [parameter_count([1] + [2] * k + [1]) for k in K]
        ax_count.semilogy(params, 2.0 ** K, "k.-", label="deep: 2^K regions")
        ax_count.semilogy(params, 2 * K + 1.0, ".-", color="C1", label="shallow: at most D + 1 = 2K + 1")
        (self.count_dots,) = ax_count.semilogy([1, 1], [1, 1], "o", color="C3")
        ax_count.set(xlabel="parameters", ylabel="linear regions on [0, 1]", title="depth vs width")
        ax_count.legend(fontsize=7)
        self.result = None
        super().__init__(controls, fig)

    def update(self, *, depth) -> None:
        r = self.result = depth_vs_width(depth)
        self.deep_line.set_ydata(r["y_deep"])
        self.shallow_line.set_ydata(r["y_shallow"])
        self.count_dots.set_data([r["params"]] * 2, [r["regions_deep"], r["regions_shallow"]])
        self.info.set_text(f"K = {depth}, {r['params']} parameters: regions deep {r['regions_deep']}, "
                           f"shallow {r['regions_shallow']}")
