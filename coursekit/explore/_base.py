"""The ``Explorer`` base: a table of controls over one figure that is updated in place.

Every explorer in :mod:`coursekit.explore` follows one contract (issue 13, ARCHITECTURE.md):

* ``CONTROLS`` — the control table, a tuple of :class:`Control` (name, kind, range, step,
  default, options, live or on release); ``spec()`` gives it as plain data, so a static page
  can precompute frames over the same grid (``Control.grid``);
* ``compute(**values)`` — the result for one value per control: a dataclass from
  :mod:`coursekit.experiments` (NumPy only), with no widget or figure involved;
* ``draw(result, changed)`` — writes a result into the artists made in ``__init__``
  (``set_data``, ``set_text``, ...), never a new figure; ``changed`` names the control that
  moved (None: draw everything), so work that control does not touch is skipped;
* ``update(changed, **values)`` — ``compute`` then ``draw``, called by the controls;
* ``result`` — what ``compute`` returned for the current values: lessons and tests read it,
  never the artists;
* ``cached(key, make)`` — the explorer's one bounded cache (least recently used entries go);
* no state beyond the controls and the cache, with one named exception: where a few sliders
  edit one of several items (lesson 05's three sliders over six ReLU units), the items not
  shown are kept in an attribute the class docstring names, written only when the selector
  changes; ``compute`` reads it and writes nothing.

The subclass makes its figure with :func:`figure` and its artists, and calls
``super().__init__(fig)`` wherever it likes in its ``__init__``: the controls are connected
and the default state drawn once ``__init__`` has returned (:class:`_ExplorerType`). The
layout (constrained) is computed once for that default drawing and then fixed, so a redraw
never re-runs the layout engine.

Under ipympl (``%matplotlib widget``) a change is computed and the frame rendered and sent
within the change's own message, leaving the figure up to date (no second redraw, see
``render``); slider values that queue up meanwhile are coalesced (see ``_redraw``). Under any
other backend (Agg in the tests, the inline backend) the figure is a plain
``matplotlib.figure.Figure`` shown as a PNG that is re-rendered after each change.
"""
from __future__ import annotations

import base64
import contextlib
import io
import itertools
import math
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox
import numpy as np

from ..plotting import steady_limits  # noqa: F401  (for the views: limits that stay put while a slider moves)

# Widest figure at its default size: a 1366-px laptop screen with JupyterLab's file browser open.
MAX_WIDTH_PX = 860


def widget_backend() -> bool:
    """True when matplotlib draws into a Jupyter widget (ipympl, ``%matplotlib widget``)."""
    name = matplotlib.get_backend().lower()
    return "ipympl" in name or name == "widget"


def figure(figsize=(8.6, 3.4), **kwargs) -> Figure:
    """A new Figure for an explorer, at most 8.6 in (860 px at 100 dpi) wide.

    With ipympl it comes from pyplot (the canvas must be an ipympl widget) but is not shown
    on creation; the explorer shows it inside its own widget. Otherwise it is a bare Figure.
    """
    # The layout is computed once, for the default drawing (see Explorer._fix_layout); the extra
    # width padding leaves room for tick labels that grow as a slider moves (0.5 -> 0.10).
    kwargs.setdefault("layout", ConstrainedLayoutEngine(w_pad=0.2))
    kwargs.setdefault("dpi", 100)
    if widget_backend():
        import matplotlib.pyplot as plt

        with plt.ioff():
            fig = plt.figure(figsize=figsize, **kwargs)
        fig.canvas.header_visible = False
        fig.canvas.toolbar_visible = False
        fig.canvas.resizable = False
        return fig
    return Figure(figsize=figsize, **kwargs)


def _draw_order(parent) -> list:
    """The children a Figure or Axes paints, in the order its ``draw`` paints them (matplotlib's
    rule: sorted by zorder, ties in ``get_children`` order; animated ones and the background
    patch left out; an Axes' spines only with its frame on, its axes only with ``axison``)."""
    skip = {id(parent.patch)}
    if isinstance(parent, Axes) and not (parent.axison and parent.get_frame_on()):
        skip |= {id(spine) for spine in parent.spines.values()}
    axis_off = isinstance(parent, Axes) and not parent.axison
    children = [c for c in parent.get_children() if id(c) not in skip and not c.get_animated()
                and not (axis_off and isinstance(c, Axis))]
    return sorted(children, key=lambda c: c.get_zorder())


def _layer(parent, dynamic: set) -> list:
    """What a frame repaints of ``parent`` (a Figure or Axes), in drawing order: every artist
    holding one of the ``dynamic`` (artist ids), and every non-Axes child painted after the first
    of them (a legend, a spine, a title above a changed line). An Axes holding none is left to
    the background: axes are assumed not to overlap (subplots; the explorer tests check the
    frames against full draws)."""
    order = _draw_order(parent)
    touched = [i for i, c in enumerate(order) if c.findobj(lambda a: id(a) in dynamic)]
    if not touched:
        return []
    layer = []
    for i, child in enumerate(order):
        if isinstance(child, Axes):
            layer += _layer(child, dynamic)
        elif i >= touched[0]:
            layer.append(child)
    return layer


def _paint_box(ax, renderer) -> Bbox:
    """Where ``ax`` paints, in pixels: its tight box (spines with their ticks, tick labels, axis
    labels, title, legend) padded for antialiasing; an empty box when it is hidden."""
    if not ax.get_visible():
        return Bbox.from_extents(0, 0, 0, 0)
    return ax.get_tightbbox(renderer).padded(2)


def _pixels(box: Bbox) -> Bbox:
    """``box`` grown to whole pixels."""
    return Bbox.from_extents(math.floor(box.x0), math.floor(box.y0), math.ceil(box.x1), math.ceil(box.y1))


class StaticLegend(Legend):
    """A legend that ``draw`` never changes, with an opaque frame, drawn in full once and then
    repainted from the pixels kept inside its frame: laying out and rendering its text took 5-15 ms
    a frame, repainting takes well under one.

    The pixels inside the frame, clear of its edge and rounded corners, are the same in every draw,
    whatever lies beneath: the opaque face hides it. The frame itself blends with what is beneath,
    so it is drawn each time, as a full draw paints it. That gives the full draw's pixels only if
    the entries stay clear of the frame: checked once, when the pixels are kept, by drawing the
    frame alone over what lay beneath (an entry reaching the frame, such as a thick line's handle,
    leaves the legend drawn in full every time). The kept pixels serve the renderer they were copied
    from, at the same size and place; any other draw (a PNG export, a new size) draws the legend in
    full. Make one with :func:`static_legend`.
    """

    # (the renderer (weakly), its dpi and size and the legend's anchor box, regions kept or None)
    _kept = None

    def draw(self, renderer):
        if not self.get_visible():
            return
        place = (renderer.dpi, renderer.get_canvas_width_height(), tuple(self.get_bbox_to_anchor().bounds))
        kept = self._kept if self._kept is not None and self._kept[0]() is renderer and self._kept[1] == place else None
        if kept is not None and kept[2] is not None:
            self.legendPatch.draw(renderer)
            for region in kept[2]:
                renderer.restore_region(region)
            self.stale = False
        elif kept is None and isinstance(renderer, RendererAgg):
            self._draw_and_keep(renderer, place)
        else:
            super().draw(renderer)   # an entry reaches the frame, or a PDF or SVG export

    def _inside(self, renderer) -> list:
        """Two boxes of whole pixels covering the frame's inside clear of its edge (half its width,
        half a pixel for snapping) and of its rounded corners: one full width, one full height."""
        frame = self.legendPatch.get_window_extent(renderer)
        edge = 0.5 * renderer.points_to_pixels(self.legendPatch.get_linewidth()) + 0.5
        style = self.legendPatch.get_boxstyle()
        corner = max(edge, (getattr(style, "rounding_size", 0) or 0) * self.legendPatch.get_mutation_scale())
        return [Bbox.from_extents(math.ceil(frame.x0 + dx), math.ceil(frame.y0 + dy),
                                  math.floor(frame.x1 - dx), math.floor(frame.y1 - dy))
                for dx, dy in ((edge, corner), (corner, edge))]

    def _draw_and_keep(self, renderer: RendererAgg, place) -> None:
        """Draw the legend in full and keep the pixels inside its frame (see ``_inside``) if the
        frame drawn alone over what lay beneath paints every other pixel the legend painted (else
        keep None: drawn in full each time). Nothing is kept from a draw that painted nothing
        (matplotlib's dry runs, which lay a figure out before saving it)."""
        whole = Bbox.from_bounds(0, 0, *renderer.get_canvas_width_height())
        beneath = renderer.copy_from_bbox(whole)
        before = np.array(renderer.buffer_rgba())
        super().draw(renderer)
        drawn, legend = renderer.copy_from_bbox(whole), np.array(renderer.buffer_rgba())
        if np.array_equal(legend, before):
            return
        renderer.restore_region(beneath)
        self.legendPatch.draw(renderer)
        same = np.all(np.asarray(renderer.buffer_rgba()) == legend, axis=-1)
        renderer.restore_region(drawn)
        inside = [box for box in self._inside(renderer) if box.width > 0 and box.height > 0]
        for box in inside:
            same[same.shape[0] - int(box.y1):same.shape[0] - int(box.y0), int(box.x0):int(box.x1)] = True  # rows from the top
        regions = [renderer.copy_from_bbox(box) for box in inside] if inside and same.all() else None
        self._kept = (weakref.ref(renderer), place, regions)


def static_legend(ax, loc: str, **kwargs) -> StaticLegend:
    """``ax.legend(loc=loc, **kwargs)`` for a legend that no slider changes: opaque, at a fixed
    place (``loc`` is not ``"best"``, which moves with the data), repainted from kept pixels in each
    frame (:class:`StaticLegend`)."""
    if loc in ("best", 0):
        raise ValueError(f"loc of a static legend must be a fixed place (it is not redrawn for new data), got {loc!r}")
    for name in ("framealpha", "shadow", "frameon"):
        if name in kwargs:
            raise TypeError(f"a static legend is opaque, framed and without shadow; got {name}={kwargs[name]!r}")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend_ = StaticLegend(ax, handles, labels, loc=loc, framealpha=1.0, shadow=False, frameon=True, **kwargs)
    return ax.legend_


KINDS = ("int", "float", "log", "select", "choice", "check")


@dataclass(frozen=True)
class Control:
    """One control of an explorer, as data.

    Parameters
    ----------
    name : str
        The keyword ``compute`` receives.
    kind : str
        ``"int"`` or ``"float"`` (a slider from ``min`` to ``max`` by ``step``), ``"log"`` (a
        slider whose value moves from ``min`` to ``max`` by factors of ``10 ** step``),
        ``"select"`` (a dropdown of ``options``), ``"choice"`` (a slider over ``options``),
        ``"check"`` (a checkbox).
    default : the value shown first.
    options : tuple of (label, value)
        For ``select`` and ``choice``; a value may be any object (an activation class).
    live : bool
        True: computed while the slider moves; False: on release (the control trains).
    label : str
        The text beside the control (default: ``name``).
    """

    name: str
    kind: str
    default: object
    min: float | None = None
    max: float | None = None
    step: float | None = None
    options: tuple = ()
    live: bool = True
    label: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind of control {self.name!r} must be one of {KINDS}, got {self.kind!r}")
        if self.kind in ("select", "choice"):
            if not self.options or not all(isinstance(o, tuple) and len(o) == 2 for o in self.options):
                raise ValueError(f"control {self.name!r} needs options as (label, value) pairs, got {self.options!r}")
            if not any(value is self.default or value == self.default for _, value in self.options):
                raise ValueError(f"default of control {self.name!r} must be one of its options, got {self.default!r}")
        elif self.kind in ("int", "float", "log"):
            if None in (self.min, self.max, self.step) or not self.min <= self.default <= self.max:
                raise ValueError(f"control {self.name!r} needs min <= default <= max and a step, got "
                                 f"min={self.min!r}, default={self.default!r}, max={self.max!r}, step={self.step!r}")

    def sweep(self) -> list:
        """The values a test or benchmark tries: min, default, max, or every option."""
        if self.kind in ("select", "choice"):
            return [value for _, value in self.options]
        if self.kind == "check":
            return [False, True]
        return [self.min, self.default, self.max]

    def grid(self) -> list:
        """Every value the control can take (what a static page precomputes)."""
        if self.kind in ("select", "choice", "check"):
            return self.sweep()
        if self.kind == "log":
            lo, hi = math.log10(self.min), math.log10(self.max)
            n = int(round((hi - lo) / self.step)) + 1
            return [10 ** (lo + i * self.step) for i in range(n)]
        n = int(round((self.max - self.min) / self.step)) + 1
        values = [self.min + i * self.step for i in range(n)]
        return [int(v) for v in values] if self.kind == "int" else values

    def spec(self) -> dict:
        """The control as plain data (JSON-ready): option values are given by their labels."""
        labels = [label for label, _ in self.options]
        default = next((label for label, value in self.options
                        if value is self.default or value == self.default), self.default)
        return {"name": self.name, "kind": self.kind, "min": self.min, "max": self.max,
                "step": self.step, "default": default, "options": labels, "live": self.live,
                "label": self.label or self.name}

    def widget(self) -> widgets.ValueWidget:
        """A fresh ipywidgets control for this row of the table."""
        common = dict(description=self.label or self.name, style={"description_width": "initial"})
        if self.kind in ("int", "float", "log", "choice"):
            common["continuous_update"] = self.live
        if self.kind == "int":
            return widgets.IntSlider(value=self.default, min=self.min, max=self.max, step=self.step, **common)
        if self.kind == "float":
            return widgets.FloatSlider(value=self.default, min=self.min, max=self.max, step=self.step, **common)
        if self.kind == "log":
            return widgets.FloatLogSlider(value=self.default, base=10, min=math.log10(self.min),
                                          max=math.log10(self.max), step=self.step, **common)
        if self.kind == "select":
            return widgets.Dropdown(options=list(self.options), value=self.default, **common)
        if self.kind == "choice":
            return widgets.SelectionSlider(options=list(self.options), value=self.default, **common)
        return widgets.Checkbox(value=self.default, indent=False, **common)


class BoundedCache:
    """``cache(key, make)``: ``make()`` once per key, keeping the ``size`` most recently used.

    Moving a slider back to a position it had shows the kept result at once; memory stays
    bounded however long a student plays.
    """

    def __init__(self, size: int):
        if not isinstance(size, int) or size < 1:
            raise ValueError(f"size must be an int >= 1, got {size!r}")
        self.size = size
        self._items = OrderedDict()

    def __call__(self, key, make):
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = self._items[key] = make()
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def __contains__(self, key) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def items(self):
        return list(self._items.items())


class _ExplorerType(type):
    """Starts an explorer (connects its controls, draws the default) after ``__init__`` returns,
    so a subclass may call ``super().__init__`` before or after making its artists."""

    def __call__(cls, *args, **kwargs):
        explorer = super().__call__(*args, **kwargs)
        explorer._start()
        return explorer


class Explorer(metaclass=_ExplorerType):
    """Base class of the slider explorers.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The one figure this explorer draws into (make it with :func:`figure`).
    controls : tuple of Control, optional
        The control table, when it depends on the constructor's arguments; default ``CONTROLS``.
    extras : list of ipywidgets.Widget, optional
        Further widgets shown under the controls (a readout).
    """

    CONTROLS: tuple = ()
    CACHE_SIZE = 64

    def __init__(self, fig: Figure, controls=None, *, extras=()):
        table = tuple(self.CONTROLS if controls is None else controls)
        if not table or not all(isinstance(c, Control) for c in table):
            raise TypeError(f"controls must be a non-empty tuple of Control, got {table!r}")
        if len({c.name for c in table}) != len(table):
            raise ValueError(f"control names must be unique, got {[c.name for c in table]}")
        if not isinstance(fig, Figure):
            raise TypeError(f"fig must be a matplotlib Figure, got {fig!r}")
        self.table = table
        self.fig = fig
        self.controls = {c.name: c.widget() for c in table}
        self.extras = list(extras)
        self.cache = BoundedCache(self.CACHE_SIZE)
        self.result = None
        self.compute_seconds = None  # how long the last compute took (training included)
        # An explorer that trains says how long it took, under its controls.
        self.timing = None if self.live else widgets.Label("")
        if self.timing is not None:
            self.extras.append(self.timing)
        self._output = None  # the Output widget showing the figure when the canvas is no widget
        self._widget = None
        self._muted = False
        self._observers = {}
        self._dynamic = []  # the artists draw() changes (see animate)
        self._background = None  # (signature, pixels, per axes the box it paints) without the layer
        self._layer = None  # what a frame draws over the background (see render)

    # -- the part subclasses write ----------------------------------------------------------
    def compute(self, **values):
        """The result for one value per control (a dataclass from :mod:`coursekit.experiments`)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement compute")

    def draw(self, result, changed) -> None:
        """Write ``result`` into the artists; ``changed`` is the control that moved, or None."""
        raise NotImplementedError(f"{type(self).__name__} does not implement draw")

    def update(self, changed, **values) -> None:
        """``compute`` the result for ``values`` and ``draw`` it (``changed``: the control moved)."""
        start = time.perf_counter()
        self.result = self.compute(**values)
        self.compute_seconds = time.perf_counter() - start
        if self.timing is not None:
            self.timing.value = f"computed in {self.compute_seconds:.2f} s (training included; kept for next time)"
        self.draw(self.result, changed)

    def animate(self, *artists) -> None:
        """Declare artists that ``draw`` changes. A redraw restores the rest of the figure from a
        kept image and renders only these and what is painted above them (blitting); an axes
        whose limits moved is first redrawn into the kept image, alone (see ``render``)."""
        self._dynamic.extend(artists)
        self.invalidate()

    def invalidate(self) -> None:
        """Say that ``draw`` changed something outside the dynamic artists (a legend, a static
        line): the next redraw renders the whole figure."""
        self._background = self._layer = None

    def cached(self, key, make):
        """``make()`` once per ``key`` in this explorer's bounded cache."""
        return self.cache(key, make)

    def spec(self) -> list:
        """This explorer's control table as plain data (see :meth:`Control.spec`); the table may
        depend on the constructor's arguments (the perceptron's data sets, the XOR net's epochs)."""
        return [c.spec() for c in self.table]

    @property
    def live(self) -> bool:
        """True when every control is computed while it moves (no control trains)."""
        return all(c.live for c in self.table)

    # -- wiring -----------------------------------------------------------------------------
    def _start(self) -> None:
        if not hasattr(self, "table"):
            raise TypeError(f"{type(self).__name__}.__init__ must call super().__init__(fig)")
        for name, control in self.controls.items():
            self._observers[name] = lambda change, name=name: self._on_change(name)
            control.observe(self._observers[name], names="value")
        self.update(None, **self.values)
        self._fix_layout()
        self._redraw()

    def _fix_layout(self) -> None:
        """Lay the default drawing out once, then keep those positions for every redraw."""
        engine = self.fig.get_layout_engine()
        if engine is not None and engine.adjust_compatible is not None:
            engine.execute(self.fig)
            self.fig.set_layout_engine("none")

    @property
    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self, changed=None) -> None:
        """Update from the current control values and redraw."""
        self.update(changed, **self.values)
        self._redraw()

    def set(self, **values) -> None:
        """Set several controls at once and update once (also when a value did not change)."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"unknown control(s) {unknown}; this explorer has {sorted(self.controls)}")
        self._muted = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._muted = False
        self.refresh(next(iter(values)) if len(values) == 1 else None)

    def _on_change(self, name) -> None:
        if not self._muted:
            self.refresh(name)

    def _redraw(self) -> None:
        if self._output is not None:
            self._render_png()
        elif getattr(self.fig.canvas, "syncing_data_url", True):
            # ipympl before its view is up (or a bare Figure): ipympl renders when the browser
            # asks (sending a frame earlier breaks its first image); a bare Figure: no-op
            self.fig.canvas.draw_idle()
        else:
            # ipympl with its view: render and send the frame now, inside this message's
            # handler, rather than draw_idle's round trip through the browser. The browser
            # holds back the slider's next value until this handler is done and then sends
            # only the newest one, so queued values are coalesced, never drawn one by one.
            self.render()
            self.fig.canvas.blit()  # webagg: sends the changed pixels of the rendered frame

    def _signature(self) -> tuple:
        """What the kept background depends on: the figure size, then per axes its limits,
        scales and visibility."""
        return (tuple(self.fig.bbox.size),) + tuple(
            (ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.get_visible())
            for ax in self.fig.axes)

    def render(self) -> bool:
        """Render the current state into the canvas's Agg buffer; True if the kept background
        served (the axes whose limits moved redrawn into it), False if the whole figure was drawn.

        The frame is the figure's full draw, pixel for pixel: the layer holds the dynamic artists
        and whatever their axes (or the figure) paints above them (spines, legends, titles), in
        matplotlib's drawing order (:func:`_layer`); the background is the figure drawn without
        the layer. Afterwards the figure is no longer stale: pyplot's hook after each message
        would otherwise have ipympl's browser ask for a second, full redraw of the same state.

        The canvas must be Agg-based (ipympl's is; the benchmark attaches ``FigureCanvasAgg``).
        """
        canvas = self.fig.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            raise TypeError(f"render needs an Agg canvas (ipympl or FigureCanvasAgg), got {type(canvas).__name__}")
        renderer = canvas.get_renderer()
        if self._layer is None:
            self._layer = _layer(self.fig, {id(a) for a in self._dynamic})
        signature = self._signature()
        partial = bool(self._dynamic) and self._background is not None and self._update_background(signature)
        if not partial:
            with self._layer_hidden():
                renderer.clear()
                self.fig.draw(renderer)  # not canvas.draw(): ipympl's would send this frame, and a wait cursor
            # where each axes paints, for redrawing it alone later: worth it with several axes only
            several = len(self.fig.axes) > 1
            self._keep_background(signature, [_paint_box(ax, renderer) for ax in self.fig.axes] if several else None)
        for artist in self._layer:
            artist.draw(renderer)
        self.fig.stale = False
        return partial

    def _update_background(self, signature) -> bool:
        """Restore the kept background, first redrawing in it the axes whose limits moved, each
        over its region (where it painted before and paints now). False, with nothing done, when
        that cannot give the full draw's pixels (the figure's size or axes changed, a region meets
        another axes or an artist of the figure, the figure's background is not opaque) or would
        not be cheaper (every axes moved)."""
        kept, boxes = self._background[0], self._background[2]
        if kept[0] != signature[0] or len(kept) != len(signature):
            return False
        moved = [i for i, (old, new) in enumerate(zip(kept[1:], signature[1:])) if old != new]
        canvas, renderer, axes = self.fig.canvas, self.fig.canvas.get_renderer(), self.fig.axes
        if not moved:
            canvas.restore_region(self._background[1])
            return True
        if boxes is None or len(moved) == len(boxes):
            return False  # every axes to redraw: the whole figure is cheaper
        boxes = list(boxes)
        regions = {}  # axes index -> pixels it painted or paints (none for an axes kept hidden)
        for i in moved:
            old, boxes[i] = boxes[i], _paint_box(axes[i], renderer)
            painted = [box for box in (old, boxes[i]) if box.width > 0]
            if painted:
                regions[i] = _pixels(Bbox.union(painted))
        patch = self.fig.patch
        others = [boxes[j] for j in range(len(axes)) if j not in regions and boxes[j].width > 0] + [
            c.get_window_extent(renderer) for c in _draw_order(self.fig)
            if not isinstance(c, Axes) and c not in self._layer]
        if (not patch.get_visible() or patch.get_facecolor()[3] < 1
                or any(r.overlaps(o) for r in regions.values() for o in others)
                or any(r.overlaps(q) for r, q in itertools.combinations(regions.values(), 2))):
            return False
        canvas.restore_region(self._background[1])
        with self._layer_hidden():
            for i, region in regions.items():
                patch.set_clip_box(region)  # the figure's background over the region only
                try:
                    patch.draw(renderer)
                finally:
                    patch.set_clip_box(None)
                axes[i].draw(renderer)
        self._keep_background(signature, boxes)
        return True

    def _keep_background(self, signature, boxes) -> None:
        self._background = (signature, self.fig.canvas.copy_from_bbox(self.fig.bbox), boxes)

    @contextlib.contextmanager
    def _layer_hidden(self):
        """The layer left out of draws (matplotlib's blitting flag, ``animated``)."""
        for artist in self._layer:
            artist.set_animated(True)
        try:
            yield
        finally:
            for artist in self._layer:
                artist.set_animated(False)

    def _png(self) -> str:
        """The figure as a base64 PNG (what a static export shows)."""
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png")
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    def _render_png(self) -> None:
        # Written into the Output's state directly (not ``with output: display(...)``), which
        # also works outside a kernel and replaces the old image instead of appending.
        self._output.outputs = ({"output_type": "display_data", "metadata": {},
                                 "data": {"image/png": self._png(), "text/plain": repr(self)}},)

    # -- display ----------------------------------------------------------------------------
    @property
    def widget(self) -> widgets.Widget:
        """Controls (and extras) above the figure; built on first use."""
        if self._widget is None:
            if isinstance(self.fig.canvas, widgets.DOMWidget):
                canvas = self.fig.canvas
            else:
                self._output = canvas = widgets.Output()
                self._render_png()
            controls = widgets.VBox([*self.controls.values(), *self.extras])
            self._widget = widgets.VBox([controls, canvas])
        return self._widget

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The widget for live frontends, plus a PNG of the current figure for static exports
        (PDF, HTML without widget state), which pick the richest type they can show."""
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        return {**bundle, "image/png": self._png()}

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)

    def close(self) -> None:
        """Disconnect the controls and release the figure (pyplot keeps ipympl figures)."""
        for name, control in self.controls.items():
            control.unobserve(self._observers[name], names="value")
        if widget_backend():
            import matplotlib.pyplot as plt

            plt.close(self.fig)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.values.items())})"
