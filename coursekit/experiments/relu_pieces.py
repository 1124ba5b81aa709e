"""ReLU pieces: shallow networks, linear regions, universal approximation, depth (deck 004).

A shallow network with D hidden ReLU units and one input (deck 004, UDL notation)::

    h_d = ReLU(theta_d0 + theta_d1 x),        y = phi_0 + sum_d phi_d h_d

is piecewise linear. Unit d has its joint (breakpoint) where its pre-activation is zero,
``x = -theta_d0 / theta_d1``, and there the slope of y changes by ``phi_d |theta_d1|``; so D units
give at most D + 1 linear regions. What lesson 05 and its explorers compute.

Shapes
------
``theta``: (D, 2), row d = (theta_d0, theta_d1); ``phi``: (D + 1,), phi[0] = phi_0; ``x``: (n,).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_generator, finite_float, float_array, positive_int
from ..activations import relu
from ..datasets import abs_x, sine, step
from ..mlp import MLP, parameter_count

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


def shallow_hidden(x, theta) -> np.ndarray:
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
    pieces = phi[1:, None] * shallow_hidden(x, theta)
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
    h = shallow_hidden(x, theta)
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
    """Mean squared error *without* the 1/2, (1/n) sum_i (y(x_i) - t_i)^2 = 2J, of the least-squares
    fit with the first D units, for D = 1 ... D_max (the course's J, ``MSELoss``, is half of it).

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


@dataclass
class DepthVsWidth:
    """The deep sawtooth net against a shallow net with as many parameters (see :func:`depth_vs_width`)."""

    depth: int
    x: np.ndarray
    y_deep: np.ndarray
    y_shallow: np.ndarray
    params: int
    D: int
    regions_deep: int
    regions_shallow: int
    shallow_bound: int


def depth_vs_width(depth: int, *, n: int = 4097) -> DepthVsWidth:
    """The deep sawtooth net and a least-squares shallow net with the same parameter count.

    The result holds ``x`` (grid on [0, 1]), ``y_deep``, ``y_shallow``, ``params``, ``D``
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
    return DepthVsWidth(depth, x, y_deep, y_shallow, params, D, count_linear_regions(x, y_deep),
                        count_linear_regions(x, y_shallow), D + 1)


# -- what lesson 05's explorers show --------------------------------------------------------
@dataclass
class ShallowNet:
    """The first D units of a shallow net on a grid: ``pieces`` (D, n), their sum ``y``, each of
    the units' joints (NaN for units beyond D) with y there, and the linear regions counted on
    the curve and from the joints."""

    D: int
    pieces: np.ndarray
    y: np.ndarray
    joints: np.ndarray
    y_at_joints: np.ndarray
    regions_counted: int
    regions_from_joints: int


def shallow_net(x, theta, phi, D: int) -> ShallowNet:
    """The net of the first ``D`` rows of ``theta`` (and ``phi[:D + 1]``) over the grid ``x``."""
    theta, phi = _theta_phi(theta, phi)
    used, phi_used = theta[:D], phi[:D + 1]
    pieces, y = relu_pieces(x, used, phi_used)
    joints = np.where(np.arange(len(theta)) < D, breakpoints(theta), np.nan)
    y_at = relu_pieces(np.nan_to_num(joints), used, phi_used)[1]
    return ShallowNet(D, pieces, y, joints, np.where(np.isnan(joints), np.nan, y_at),
                      count_linear_regions(x, y), regions_from_breakpoints(used, phi_used, x[0], x[-1]))


@dataclass
class ShallowFit:
    """Least-squares output weights on the first D fixed hidden units: the target ``t``, the
    fit ``y`` over the grid, the joints of the D units (NaN beyond D) and y there, and the fit
    error (:func:`fit_errors`: the mean squared error without the 1/2, 2J) for every D."""

    D: int
    t: np.ndarray
    y: np.ndarray
    joints: np.ndarray
    y_at_joints: np.ndarray
    errors: np.ndarray


def shallow_fit(x, t, theta_max, D: int, errors) -> ShallowFit:
    """Fit the first ``D`` units of ``theta_max`` to ``t`` (``errors``: :func:`fit_errors` of all)."""
    theta = theta_max[:D]
    phi = fit_output_weights(x, t, theta)
    joints = np.full(len(theta_max), np.nan)
    joints[:D] = breakpoints(theta)
    return ShallowFit(D, t, relu_pieces(x, theta, phi)[1], joints,
                      relu_pieces(np.nan_to_num(joints), theta, phi)[1], errors)
