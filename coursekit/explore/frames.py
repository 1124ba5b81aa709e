"""Precomputed frames: an explorer that responds in a page with no kernel (issue 18).

At build time (``make slides``, ``make site``) each explorer is shown as a
:class:`FramePlayer` instead of its live view: the explorer's figure is drawn for every point
of a grid over its control table (``Explorer.table``) and stored in the widget's state, which
the page keeps, as palette-reduced PNGs: the default state whole, every other frame as the
rectangle of pixels that differ from it (the rest transparent), laid over it. The player draws the same controls as plain HTML inputs
(``frame_player.js``); moving one shows the stored frame at once and says when the value is
off the grid. In JupyterLab nothing changes: the explorer computes every value in the kernel.

The grid: each control over its range at its step (a control that trains, ``live=False``, at
no more than ``MAX_ON_RELEASE`` values), the others at their defaults; the full product of the
grids where it has at most ``MAX_PRODUCT`` points. When the frames would exceed ``MAX_BYTES``,
the sliders' grids are thinned (fewer values per slider, evenly strided, keeping the default and
both ends) until they fit; if two values per slider are still too many, the last sweeps are
cut short (the player then shows the nearest computed frame and says so).
"""
from __future__ import annotations

import base64
import io
import itertools
import math
from pathlib import Path

import anywidget
import numpy as np
import traitlets
from PIL import Image

# Frames of one explorer, at most. Issue 18 allows 2 MB each and 40 MB for the whole site, which
# carries every explorer twice (its lesson page and its deck) beside ~15 MB of pages and
# libraries: so 400 kB each (some 40 frames of a two-panel figure).
MAX_BYTES = 400_000
MAX_PRODUCT = 256  # grid points of the full product of the controls' grids, at most
MAX_ON_RELEASE = 9  # grid values of a control that trains
MAX_FRAMES = 150  # frames of one explorer, at most (each is drawn once at build time: CI minutes)
COLORS = 64  # palette of a frame: a line plot keeps its colours, the PNG shrinks 3-4x
DPI = 80  # 8.6 in -> 688 px, shown 860 px wide like the live figure


class FramePlayer(anywidget.AnyWidget):
    """Controls over frames computed at build time; works without a kernel (module docstring)."""

    _esm = Path(__file__).with_name("frame_player.js")
    _css = """
    .ck-frames-control { display: flex; align-items: center; gap: 0.6em; margin: 2px 0; font-size: 14px; }
    .ck-frames-control label { min-width: 7em; text-align: right; }
    .ck-frames-control input[type=range] { width: 18em; }
    .ck-frames-readout { min-width: 4em; font-family: monospace; }
    .ck-frames .ck-frames-figure canvas { display: block; width: 860px; max-width: 100%; height: auto; }
    .ck-frames-note { font-size: 13px; color: #8a5a00; min-height: 1.2em; }
    """
    title = traitlets.Unicode().tag(sync=True)
    controls = traitlets.List().tag(sync=True)  # one dict per control: kind, range, grid, default
    base = traitlets.Unicode().tag(sync=True)  # base64 PNG of the default state
    size_px = traitlets.List().tag(sync=True)  # [width, height] of base
    images = traitlets.List().tag(sync=True)  # [x, y, w, h, base64 PNG] overlays on base, each once
    frames = traitlets.Dict().tag(sync=True)  # "i,j,..." (grid index per control) -> index in images

    @property
    def size(self) -> int:
        """Bytes of frames the page carries (base64, as stored)."""
        return len(self.base) + sum(len(image[-1]) for image in self.images)


def grid_values(control) -> list:
    """The values of ``control`` that may be precomputed (option indices for a dropdown)."""
    if control.kind in ("select", "choice"):
        return list(range(len(control.options)))
    values = control.grid()
    if not control.live and control.kind in ("int", "float", "log") and len(values) > MAX_ON_RELEASE:
        stride = math.ceil((len(values) - 1) / (MAX_ON_RELEASE - 1))
        values = [values[i] for i in _thinned(len(values), _nearest(values, control.default), stride)]
    return values


def _nearest(values, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return values.index(value)
    return min(range(len(values)), key=lambda i: abs(values[i] - value))


def _thinned(n: int, keep: int, stride: int) -> list:
    """Every ``stride``-th index of ``range(n)``, plus ``keep`` and the last."""
    return sorted(set(range(0, n, stride)) | {keep, n - 1})


def _default_index(control, values) -> int:
    if control.kind in ("select", "choice"):
        return next(i for i, (_, v) in enumerate(control.options) if v is control.default or v == control.default)
    return _nearest(values, control.default)


def grid_points(sizes, defaults, *, max_points: int) -> list:
    """Index tuples to compute: the full product when it has at most ``max_points`` points,
    else each control over its grid with the others at their defaults (default point first)."""
    if math.prod(sizes) <= max_points:
        points = list(itertools.product(*map(range, sizes)))
        points.remove(tuple(defaults))
        return [tuple(defaults), *points]
    points = [tuple(defaults)]
    for k, n in enumerate(sizes):
        points += [tuple(i if j == k else d for j, d in enumerate(defaults)) for i in range(n) if i != defaults[k]]
    return points


def render(fig) -> np.ndarray:
    """The figure's pixels, (height, width, 3) uint8, at ``DPI``."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return np.asarray(Image.open(buffer).convert("RGB"))


def png_base64(pixels: np.ndarray) -> str:
    """RGB or RGBA pixels as a palette-reduced PNG, base64 (transparent pixels stay transparent)."""
    mode = "RGBA" if pixels.shape[-1] == 4 else "RGB"
    image = Image.fromarray(pixels, mode).quantize(COLORS, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def overlay(pixels: np.ndarray, base: np.ndarray) -> list:
    """``[x, y, width, height, png]``: the smallest rectangle of ``pixels`` holding every pixel that differs from
    ``base``, those pixels opaque and the rest transparent; drawn over ``base`` at (x, y) it
    gives ``pixels``. A line plot's frame shrinks 2-4x (the axes, ticks and labels stay in ``base``)."""
    changed = np.any(pixels != base, axis=-1)
    if not changed.any():
        return [0, 0, 0, 0, ""]
    rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    box = np.s_[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    alpha = np.where(changed[box], 255, 0).astype(np.uint8)
    rgba = np.dstack([pixels[box] * (alpha[..., None] > 0), alpha])
    return [int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1), png_base64(rgba)]


def _value(control, values, i):
    if control.kind in ("select", "choice"):
        return control.options[values[i]][1]
    return values[i]


def precompute(explorer, *, max_bytes: int = MAX_BYTES, max_product: int = MAX_PRODUCT) -> FramePlayer:
    """A :class:`FramePlayer` holding ``explorer``'s figure over the grid of its controls.

    The explorer is drawn at each grid point (``update``), then back at its current values.
    """
    try:
        return _frames(explorer, max_bytes, max_product)
    finally:
        explorer.update(None, **explorer.values)


def _frames(explorer, max_bytes, max_product) -> FramePlayer:
    table = explorer.table
    full = [grid_values(c) for c in table]
    defaults = [_default_index(c, g) for c, g in zip(table, full)]
    explorer.update(None, **{c.name: _value(c, g, d) for c, g, d in zip(table, full, defaults)})
    base = render(explorer.fig)  # the default state; every other frame is an overlay on it
    rendered = {}  # values (tuple) -> overlay; kept across thinning rounds

    def frame(values):
        if values not in rendered:
            explorer.update(None, **{c.name: _value(c, values, k) for k, c in enumerate(table)})
            rendered[values] = overlay(render(explorer.fig), base)
        return rendered[values]

    base_png = png_base64(base)
    if len(base_png) > max_bytes:
        raise ValueError(f"{type(explorer).__name__}: one frame ({len(base_png)} bytes) exceeds max_bytes={max_bytes}")
    # Frames that fit: judged first by a frame with every control at the end of its range, then
    # again by the mean of the frames drawn for the first choice (one more round, cached frames).
    typical = len(frame(tuple(g[-1] for g in full))[-1]) or len(base_png)
    for _ in range(2):
        budget = max(1, min(MAX_FRAMES, int((max_bytes - len(base_png)) / (1.1 * typical))))
        for most in range(max(map(len, full)), 1, -1):  # values per slider, fewest last
            indices = [_thinned(len(g), d, math.ceil((len(g) - 1) / (most - 1)))
                       if c.kind in ("int", "float", "log") and len(g) > most else list(range(len(g)))
                       for c, g, d in zip(table, full, defaults)]
            points = grid_points([len(idx) for idx in indices], [idx.index(d) for idx, d in zip(indices, defaults)],
                                 max_points=max_product)
            if len(points) <= budget or most == 2:
                break
        grids = [[g[i] for i in idx] for g, idx in zip(full, indices)]
        state, size = _state(table, grids, points, frame, base_png, base.shape, max_bytes)
        typical = max(1, (size - len(base_png)) // max(1, len(state["images"])))
    # Made once: every widget made in a kernel is stored in the page's widget state.
    return FramePlayer(title=type(explorer).__name__, **state)


def _state(table, grids, points, frame, base_png, shape, max_bytes) -> tuple[dict, int]:
    """A player's state over ``points`` (default first), stopping before the frames exceed
    ``max_bytes``; and its size in bytes."""
    images, seen, frames, size = [], {}, {}, len(base_png)
    for point in points:
        piece = frame(tuple(g[i] for g, i in zip(grids, point)))
        png = piece[-1]
        if png not in seen:
            if size + len(png) > max_bytes:
                break
            seen[png], size = len(images), size + len(png)
            images.append(piece)
        frames[",".join(map(str, point))] = seen[png]
    specs = [dict(c.spec(), grid=g, default_index=i) for c, g, i in zip(table, grids, points[0])]
    return dict(controls=specs, frames=frames, base=base_png, images=images, size_px=[shape[1], shape[0]]), size


def show_frames_instead() -> None:
    """In this IPython session, display every explorer as its :class:`FramePlayer`.

    The build (``tools/slides/execute.py``) calls it before a lesson's first cell; IPython
    looks up a display function registered for a type before the object's own
    ``_ipython_display_``, so the explorers themselves are unchanged.
    """
    from IPython import get_ipython
    from IPython.display import display

    from ._base import Explorer

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("show_frames_instead() needs an IPython kernel")
    shell.display_formatter.ipython_display_formatter.for_type(Explorer, lambda e: display(precompute(e)))
