"""Static matplotlib figures shared by the lessons: data, decision boundaries, hidden spaces, curves.

Every function draws into an ``ax`` you pass (``fig, ax = plt.subplots()``) and returns the
artists it made, so an explorer can build a plot once and then update it in place: the
decision-boundary and hidden-space plots return small objects with an ``update(model)``
method, the curves return their ``Line2D`` objects.

Models are anything callable on a batch: a coursekit ``Module`` (``model(X)`` runs forward)
or a plain function ``predict(X) -> scores``. Call ``model.eval()`` first if it has dropout.
"""
from __future__ import annotations

import math

import numpy as np
from contourpy import contour_generator
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, ListedColormap

from ._checks import float_array, positive_int
from .datasets import xor
from .experiments.xor_net import probability
from .layers import Linear
from .mlp import hidden_activations
from .module import Sequential

CLASS_COLORS = ("tab:blue", "tab:red", "tab:green", "tab:orange", "tab:purple",
                "tab:brown", "tab:pink", "tab:gray", "tab:olive", "tab:cyan")
# Binary scores: class 0 blue, undecided white, class 1 red (the points use the same colours).
BINARY_CMAP = LinearSegmentedColormap.from_list("coursekit_binary", ["tab:blue", "white", "tab:red"])


# -- axis limits that stay put while a slider moves -----------------------------------------
def nice_ceil(value: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is >= ``value`` (> 0)."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value * (1 - 1e-12))


def decades(low: float, high: float, pad: int = 1) -> tuple[float, float]:
    """Log-axis limits: whole powers of ten around [low, high] (both > 0), ``pad`` decades wider."""
    low = max(low, 1e-300) if math.isfinite(low) else 1e-300
    high = max(high, low) if math.isfinite(high) else 1e300
    return 10.0 ** (math.floor(math.log10(low)) - pad), 10.0 ** (math.ceil(math.log10(high)) + pad)


def steady_limits(current, low: float, high: float, *, log: bool = False, fill: float = 0.3) -> tuple:
    """Axis limits for data in [low, high] that keep ``current`` while the data fits in it and
    fills at least ``fill`` of it (in log space for a log axis); otherwise new, rounded limits.

    Limits that change only now and then let an explorer redraw most frames by blitting (only
    its changed artists over a kept background) instead of rendering the whole figure.
    """
    def scale(v):
        return math.log10(max(v, 1e-300)) if log else v
    c0, c1 = sorted(current)
    if c0 <= low and high <= c1 and scale(high) - scale(low) >= fill * (scale(c1) - scale(c0)):
        return c0, c1
    if log:
        return decades(low, high)
    pad = 0.05 * (high - low)
    padded_low = low - pad if low != 0 else 0.0   # a limit at 0 (a count, a density) stays at 0
    span = nice_ceil(max(high + pad - padded_low, 1e-12))
    lo = math.floor(padded_low / span * 2) * span / 2
    return lo, max(lo + span, math.ceil((high + pad) / span * 2) * span / 2)


def _labels(y, n: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n,) or y.dtype.kind not in "biu":
        raise ValueError(f"y must be {n} integer class labels, shape ({n},), got shape {y.shape} "
                         f"and dtype {y.dtype}")
    return y.astype(int)


def scatter_classes(ax, X, y, **kwargs):
    """Scatter 2-D points coloured by their integer class label.

    Shapes
    ------
    X: (n, 2); y: (n,) integers in [0, 10).

    Returns
    -------
    matplotlib.collections.PathCollection (update with ``set_offsets``).
    """
    X = float_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns to be drawn in the plane, got shape {X.shape}")
    y = _labels(y, X.shape[0])
    kwargs.setdefault("edgecolors", "k")
    kwargs.setdefault("s", 30)
    kwargs.setdefault("zorder", 3)
    return ax.scatter(X[:, 0], X[:, 1], c=_class_colors(y), **kwargs)


def _class_colors(y) -> list:
    return [CLASS_COLORS[label % len(CLASS_COLORS)] for label in y]


def _scores(model, points: np.ndarray) -> np.ndarray:
    scores = np.asarray(model(points), dtype=float)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.shape[0] != points.shape[0] or scores.ndim not in (1, 2):
        raise ValueError(f"model must map (m, 2) points to (m,), (m, 1) or (m, K) scores, "
                         f"got shape {scores.shape}")
    return scores


class BoundaryPlot:
    """A decision-boundary plot that can be redrawn in place for a new model.

    Attributes: ``image`` (the predicted scores over the grid, an AxesImage), ``points`` (the
    data), ``contour`` (the boundary as a LineCollection, empty when there is none), ``grid``
    (the (m, 2) points evaluated). Every update rewrites these same artists.
    """

    def __init__(self, ax, X, y, *, threshold, resolution, margin):
        self.ax, self.threshold = ax, float(threshold)
        self.resolution, self.margin = resolution, margin
        self.image = ax.imshow(np.zeros((resolution, resolution)), origin="lower", aspect="auto",
                               interpolation="nearest", alpha=0.6, zorder=0)
        self.points = scatter_classes(ax, X, y)
        self.contour = ax.add_collection(LineCollection([], colors="k", linewidths=1.5, zorder=2))
        ax.set(xlabel="$x_1$", ylabel="$x_2$")
        self.set_data(X, y)

    def set_data(self, X, y) -> None:
        """Show other data: move the points and the grid to the new extent (call update next)."""
        X = float_array(X, "X", ndim=2)
        low, high = X.min(axis=0) - self.margin, X.max(axis=0) + self.margin
        self.extent = (low[0], high[0], low[1], high[1])
        self._xx, self._yy = np.meshgrid(np.linspace(low[0], high[0], self.resolution),
                                         np.linspace(low[1], high[1], self.resolution))
        self.grid = np.column_stack([self._xx.ravel(), self._yy.ravel()])
        self.image.set_extent(self.extent)
        self.points.set_offsets(X)
        self.points.set_facecolor(_class_colors(_labels(y, len(X))))
        self.ax.set(xlim=self.extent[:2], ylim=self.extent[2:])

    def update(self, model) -> None:
        """Evaluate ``model`` on the grid and redraw the regions and the boundary."""
        scores = _scores(model, self.grid)
        self.contour.set_segments([])
        if scores.ndim == 2:  # K classes: colour by the argmax class
            k = scores.shape[1]
            self.image.set_data(scores.argmax(axis=1).reshape(self._xx.shape))
            self.image.set_cmap(ListedColormap(CLASS_COLORS[:k]))
            self.image.set_clim(-0.5, k - 0.5)
            return
        values = scores.reshape(self._xx.shape)
        span = max(float(np.abs(values - self.threshold).max()), 1e-12)
        self.image.set_data(values)
        self.image.set_cmap(BINARY_CMAP)
        self.image.set_clim(self.threshold - span, self.threshold + span)
        if values.min() < self.threshold < values.max():
            # contourpy (matplotlib's contouring engine) gives the level's polylines; writing them
            # into one LineCollection is several times faster than a new ax.contour per update
            self.contour.set_segments(contour_generator(self._xx, self._yy, values).lines(self.threshold))


def decision_boundary(ax, model, X, y, *, threshold=0.5, resolution=150, margin=0.5) -> BoundaryPlot:
    """Draw what a 2-D classifier predicts over the plane, with the data on top.

    Parameters
    ----------
    ax : matplotlib Axes
    model : callable
        A coursekit Module or a function; ``model(points)`` returns one score per point
        (shape (m,) or (m, 1)) or one score per class (shape (m, K)).
    X, y : the data, shapes (n, 2) and (n,) integer labels.
    threshold : float, default 0.5
        Score at which a one-score model changes class: 0.5 for a sigmoid output, 0.0 for a
        logit or a perceptron's ``w . x + b``. The boundary is drawn as a black line there.
    resolution : int
        Grid points per axis.
    margin : float
        Space around the data, in data units.

    Returns
    -------
    BoundaryPlot ; call ``.update(new_model)`` to redraw in place.
    """
    plot = BoundaryPlot(ax, X, y, threshold=threshold, resolution=positive_int(resolution, "resolution"),
                        margin=margin)
    plot.update(model)
    return plot


class HiddenPlot:
    """Points in a 2-D hidden space and the output unit's boundary line there.

    The output unit of the XOR net is linear in the hidden activations h: it says class 1
    where ``h @ w + b > 0`` (sigmoid output > 1/2). Drawing the line ``h @ w + b = 0`` shows
    that the hidden layer made the classes linearly separable.
    """

    def __init__(self, ax, model, X, y, *, n_layers):
        self.ax, self.X, self.n_layers = ax, float_array(X, "X", ndim=2), n_layers
        self.points = scatter_classes(ax, np.zeros((self.X.shape[0], 2)), y)
        (self.line,) = ax.plot([], [], "k-", lw=1.5, label="output unit: $w^T h + b = 0$")
        ax.set(xlabel="$h_1$", ylabel="$h_2$")
        self.update(model)

    def update(self, model) -> None:
        """Recompute the hidden points and the boundary line for ``model``; rescale the axes."""
        H = hidden_activations(model, self.X, self.n_layers)
        if H.shape[1] != 2:
            raise ValueError(f"the hidden layer must have 2 units to be drawn, got {H.shape[1]}")
        self.points.set_offsets(H)
        pad = 0.15 * max(float(np.ptp(H)), 1.0)
        low, high = H.min(axis=0) - pad, H.max(axis=0) + pad
        self.ax.set(xlim=steady_limits(self.ax.get_xlim(), low[0], high[0], fill=0.5),
                    ylim=steady_limits(self.ax.get_ylim(), low[1], high[1], fill=0.5))
        low, high = np.array([self.ax.get_xlim()[0], self.ax.get_ylim()[0]]), \
            np.array([self.ax.get_xlim()[1], self.ax.get_ylim()[1]])
        out = model.layers[self.n_layers]
        if not isinstance(out, Linear) or out.n_out != 1:
            self.line.set_data([], [])
            return
        (w1, w2), b = out.W.data[:, 0], out.b.data[0]
        if abs(w2) > 1e-12:
            h1 = np.array([low[0], high[0]])
            self.line.set_data(h1, -(b + w1 * h1) / w2)
        elif abs(w1) > 1e-12:
            self.line.set_data([-b / w1] * 2, [low[1], high[1]])
        else:
            self.line.set_data([], [])


def hidden_space(ax, model: Sequential, X, y, *, n_layers=2) -> HiddenPlot:
    """Scatter the data as the hidden layer sees it (deck 001, the XOR net's hidden representation).

    Parameters
    ----------
    model : Sequential (e.g. ``MLP([2, 2, 1], ReLU(), ...)``)
    X, y : data of shapes (n, d) and (n,)
    n_layers : int, default 2
        How many layers make the hidden representation (Linear + activation = 2).

    Shapes
    ------
    the hidden layer must have 2 units: h = f(X W + b) has shape (n, 2).

    Returns
    -------
    HiddenPlot ; call ``.update(new_model)`` to redraw in place.
    """
    return HiddenPlot(ax, model, X, y, n_layers=positive_int(n_layers, "n_layers"))


def _curves(ax, history, fields, ylabel):
    lines = {}
    for field, style in fields:
        values = np.asarray(getattr(history, field), dtype=float)
        if values.size and not np.isnan(values).all():
            (lines[field],) = ax.plot(np.arange(1, values.size + 1), values, style,
                                      label=field.replace("_", " "))
    ax.set(xlabel="epoch", ylabel=ylabel)
    if lines:
        ax.legend()
    return lines


def loss_curves(ax, history, *, log=False) -> dict:
    """Training and validation loss per epoch from a :class:`coursekit.training.History`.

    Returns ``{"train_loss": Line2D, "val_loss": Line2D}`` (validation only if recorded).
    """
    lines = _curves(ax, history, (("train_loss", "-"), ("val_loss", "--")), "loss")
    if log:
        ax.set_yscale("log")
    return lines


def accuracy_curves(ax, history) -> dict:
    """Training and validation accuracy per epoch (absent for regression, where it is NaN)."""
    lines = _curves(ax, history, (("train_acc", "-"), ("val_acc", "--")), "accuracy")
    ax.set_ylim(-0.02, 1.02)
    return lines


def show_xor_net(model, axes):
    """Draw the XOR net's (deck 001, lessons 00 and 02) decision boundary into ``axes[0]`` and its
    hidden representation into ``axes[1]``.

    Returns the two plots (:class:`~coursekit.plotting.BoundaryPlot`, :class:`~coursekit.plotting.HiddenPlot`).
    """
    X, y = xor()
    boundary = decision_boundary(axes[0], probability(model), X, y, threshold=0.5, resolution=100)
    axes[0].set_title("input space: $\\sigma(z) > 1/2$ is red", fontsize=9)
    hidden = hidden_space(axes[1], model, X, y)
    axes[1].set_title("hidden space $h = \\mathrm{ReLU}(x W + b)$", fontsize=9)
    for (x1, x2), label in zip(X, ("(0,0)", "(0,1)", "(1,0)", "(1,1)")):
        axes[0].annotate(label, (x1, x2), textcoords="offset points", xytext=(6, 6))
    axes[1].legend(loc="upper right", fontsize="small")
    return boundary, hidden


def weight_images(axes, W, shape=(8, 8)) -> list:
    """Each column of a first-layer weight matrix W (n_in, n_out) as an image of the input's ``shape``.

    One axis per hidden unit (``axes`` flat, at least n_out of them); blue negative, red positive,
    on one symmetric colour scale so the units' weights compare. Returns the images.
    """
    W = float_array(W, "W", ndim=2)
    if W.shape[0] != math.prod(shape):
        raise ValueError(f"W has {W.shape[0]} rows, which do not make images of shape {shape}")
    axes, limit = np.ravel(axes), float(np.max(np.abs(W)))
    if len(axes) < W.shape[1]:
        raise ValueError(f"need one axis per column of W ({W.shape[1]}), got {len(axes)}")
    images = []
    for j, ax in enumerate(axes[:W.shape[1]]):
        images.append(ax.imshow(W[:, j].reshape(shape), cmap="bwr", vmin=-limit, vmax=limit))
        ax.set_xticks([]), ax.set_yticks([])
    return images


def error_flow(ax, net: Sequential, deltas) -> dict:
    """Deck 002's delta recursion as one picture: the errors delta^(l) flowing back through ``net``.

    One column of nodes per layer (the input x, then each Linear layer's units); each unit is
    labelled with its error delta_j^(l) = dJ/dz_j^(l). A red arrow runs *backward* from unit j of
    layer l + 1 to unit i of layer l, as wide as its share |w_ji^(l+1) delta_j^(l+1)| of the sum
    ((W^(l+1))^T delta^(l+1))_i, which f'(z_i^(l)) then scales into delta_i^(l).

    Parameters
    ----------
    net : Sequential with Linear layers (e.g. ``MLP([2, 3, 2, 1], Sigmoid(), Sigmoid())``).
    deltas : one array per Linear layer, delta^(1) ... delta^(L), each of shape (n_out,) or (1, n_out)
        (one example), e.g. ``five_steps(...).deltas``.

    Returns
    -------
    ``{"deltas": [Text per unit, layer by layer], "arrows": [(l, i, j, FancyArrow annotation)]}``,
    arrows from unit j of layer l + 1 back to unit i of layer l (l = 1 ... L - 1).
    """
    linears = [layer for layer in net.layers if isinstance(layer, Linear)]
    if len(deltas) != len(linears):
        raise ValueError(f"deltas must have one array per Linear layer ({len(linears)}), got {len(deltas)}")
    deltas = [float_array(d, f"deltas[{k}]").reshape(-1) for k, d in enumerate(deltas)]
    sizes = [linears[0].n_in] + [layer.n_out for layer in linears]
    if [d.size for d in deltas] != sizes[1:]:
        raise ValueError(f"deltas must have the layers' widths {sizes[1:]}, got {[d.size for d in deltas]}")

    ys = [np.linspace(0.75, 0.2, n) if n > 1 else np.array([0.5]) for n in sizes]   # centred columns
    for l in range(1, len(sizes)):   # forward connections, faint
        for y0 in ys[l - 1]:
            for y1 in ys[l]:
                ax.plot([l - 1, l], [y0, y1], color="0.85", lw=1, zorder=1)
    # shares[l - 1][i, j] = |w_ji^(l+1) delta_j^(l+1)| (code W is (n_in, n_out)); one width scale for all
    shares = [np.abs(layer.W.data * d) for layer, d in zip(linears[1:], deltas[1:])]
    largest = max((float(s.max()) for s in shares), default=0.0) or 1.0
    arrows = []
    for l, share in enumerate(shares, start=1):   # delta^(l+1) back to the units of layer l
        for i, j in np.ndindex(share.shape):
            arrow = ax.annotate("", xy=(l, ys[l][i]), xytext=(l + 1, ys[l + 1][j]), zorder=2,
                                arrowprops=dict(arrowstyle="-|>", color="tab:red", lw=0.3 + 4 * share[i, j] / largest,
                                                alpha=0.7, shrinkA=12, shrinkB=12))
            arrows.append((l, i, j, arrow))
    texts = []
    for l, (n, y) in enumerate(zip(sizes, ys)):
        for k in range(n):
            name = f"$x_{k + 1}$" if l == 0 else f"$z_{k + 1}^{{({l})}}$"
            ax.text(l, y[k], name, ha="center", va="center", fontsize=9, zorder=3,
                    bbox=dict(boxstyle="circle", fc="white", ec="k"))
            if l:
                texts.append(ax.text(l, y[k] + 0.08, f"$\\delta_{k + 1}^{{({l})}} = {deltas[l - 1][k]:.3g}$",
                                     ha="center", va="bottom", color="tab:red", fontsize=9, zorder=4,
                                     bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85)))
    L = len(sizes) - 1
    ax.text(L, 0.0, f"$\\delta^{{({L})}} = (a^{{({L})}} - y) \\bullet f'(z^{{({L})}})$", ha="center", fontsize=9)
    for l in range(1, L):
        ax.text(l, 0.0, f"$\\delta^{{({l})}} = ((W^{{({l + 1})}})^\\top \\delta^{{({l + 1})}}) \\bullet f'(z^{{({l})}})$",
                ha="center", fontsize=9)
    ax.set_title("the error $\\delta = \\partial J/\\partial z$ flows back; arrow width $|w_{ji}\\,\\delta_j|$, "
                 "its share of $(W^\\top\\delta)_i$", fontsize=9)
    ax.set(xlim=(-0.4, L + 0.6), ylim=(-0.04, 0.95))
    ax.axis("off")
    return {"deltas": texts, "arrows": arrows}
