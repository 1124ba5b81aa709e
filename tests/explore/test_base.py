"""The Explorer contract: the control table, compute and draw, told which control changed, one
bounded cache, ``result``, the order of ``super().__init__``, blitting (every explorer's frames
are its full draws), one frame per change under ipympl, and the width limit."""
import base64
import json
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from coursekit.explore import EXPLORERS, MAX_WIDTH_PX, Control, Explorer, explorer_class, figure, widget_backend
from coursekit.explore._base import BoundedCache, StaticLegend, static_legend
from coursekit.plotting import decades, nice_ceil, steady_limits

X = np.linspace(0, 2 * np.pi, 50)


@dataclass
class WaveResult:
    y: np.ndarray


class Wave(Explorer):
    """A toy explorer: y = A sin(k x) or A cos(k x), optionally rectified."""

    CONTROLS = (
        Control("A", "float", 1.0, min=0.0, max=2.0, step=0.1),
        Control("k", "int", 1, min=1, max=4, step=1),
        Control("kind", "select", "sin", options=(("sine", "sin"), ("cosine", "cos"))),
        Control("rectify", "check", False),
    )

    def __init__(self):
        self.calls, self.changes = [], []
        fig = figure(figsize=(4, 3))
        (self.line,) = fig.subplots().plot(X, np.zeros_like(X))
        self.fig_ax = fig.axes[0]
        self.fig_ax.set_ylim(-2.1, 2.1)
        super().__init__(fig)   # after the artists: as good as before them (see LateWave)
        self.animate(self.line)

    def compute(self, *, A, k, kind, rectify):
        self.calls.append(dict(A=A, k=k, kind=kind, rectify=rectify))
        y = A * getattr(np, kind)(k * X)
        return WaveResult(np.maximum(y, 0) if rectify else y)

    def draw(self, result, changed):
        self.changes.append(changed)
        self.line.set_ydata(result.y)


class LateWave(Wave):
    """``super().__init__`` first, the artists afterwards: the order does not matter."""

    def __init__(self):
        self.calls, self.changes = [], []
        super(Wave, self).__init__(figure(figsize=(4, 3)))
        (self.line,) = self.fig.subplots().plot(X, np.zeros_like(X))


class NewFigureEachTime(Wave):
    """Deliberately broken: draws a new line per change instead of updating the old one."""

    def draw(self, result, changed):
        super().draw(result, changed)
        (self.line,) = self.fig.axes[0].plot(X, result.y)


def test_default_state_is_computed_and_drawn_at_construction():
    wave = Wave()
    assert wave.calls == [dict(A=1.0, k=1, kind="sin", rectify=False)] and wave.changes == [None]
    np.testing.assert_allclose(wave.result.y, np.sin(X))
    np.testing.assert_allclose(wave.line.get_ydata(), np.sin(X))


def test_super_init_may_come_before_the_artists():
    late = LateWave()
    np.testing.assert_allclose(late.line.get_ydata(), np.sin(X))


def test_an_explorer_that_never_calls_super_init_is_refused():
    class Forgetful(Wave):
        def __init__(self):
            pass

    with pytest.raises(TypeError, match="super"):
        Forgetful()


def test_update_is_told_which_control_changed():
    wave = Wave()
    wave.controls["k"].value = 3
    assert wave.calls[-1] == dict(A=1.0, k=3, kind="sin", rectify=False) and wave.changes[-1] == "k"
    wave.controls["kind"].value = "cos"
    assert wave.changes[-1] == "kind"
    np.testing.assert_allclose(wave.result.y, np.cos(3 * X))


def test_set_changes_several_controls_with_one_update():
    wave = Wave()
    wave.set(A=2.0, rectify=True)
    assert len(wave.calls) == 2 and wave.changes[-1] is None   # several at once: draw everything
    np.testing.assert_allclose(wave.result.y, np.maximum(2 * np.sin(X), 0))
    wave.set(A=2.0)  # unchanged value: still one update, so tests can re-read the state
    assert len(wave.calls) == 3 and wave.changes[-1] == "A"


class TrainingWave(Wave):
    """An explorer whose amplitude would train: its slider fires on release only."""

    CONTROLS = (Control("A", "float", 1.0, min=0.0, max=2.0, step=0.1, live=False),) + Wave.CONTROLS[1:]


def test_a_control_that_trains_fires_on_release_and_the_explorer_reports_its_time():
    live, training = Wave(), TrainingWave()
    assert live.live and live.controls["A"].continuous_update and live.timing is None
    assert not training.live and not training.controls["A"].continuous_update
    assert training.controls["k"].continuous_update
    assert training.timing in training.extras and "s (training included" in training.timing.value
    assert training.compute_seconds >= 0


def test_set_rejects_an_unknown_control_by_name():
    with pytest.raises(ValueError, match="'amplitude'"):
        Wave().set(amplitude=1.0)


def test_the_sweep_visits_min_default_max_and_every_option(sweep):
    visited = list(sweep(Wave()))
    assert visited == [("A", 0.0), ("A", 1.0), ("A", 2.0), ("k", 1), ("k", 1), ("k", 4),
                       ("kind", "sin"), ("kind", "cos"), ("rectify", False), ("rectify", True)]


def test_the_sweep_catches_an_explorer_that_draws_new_artists(sweep):
    with pytest.raises(AssertionError, match="new axes or artists"):
        list(sweep(NewFigureEachTime()))


# -- the control table -------------------------------------------------------------------------
@pytest.mark.parametrize("control, widget_type, sweep, grid", [
    (Control("n", "int", 3, min=0, max=9, step=3), widgets.IntSlider, [0, 3, 9], [0, 3, 6, 9]),
    (Control("lr", "log", 0.1, min=1e-3, max=10.0, step=1), widgets.FloatLogSlider, [1e-3, 0.1, 10.0],
     [1e-3, 1e-2, 0.1, 1.0, 10.0]),
    (Control("f", "select", 2, options=(("one", 1), ("two", 2))), widgets.Dropdown, [1, 2], [1, 2]),
    (Control("B", "choice", 8, options=(("8", 8), ("16", 16))), widgets.SelectionSlider, [8, 16], [8, 16]),
    (Control("bn", "check", True), widgets.Checkbox, [False, True], [False, True]),
])
def test_a_control_row_makes_its_widget_sweep_and_grid(control, widget_type, sweep, grid):
    widget = control.widget()
    assert isinstance(widget, widget_type) and widget.value == pytest.approx(control.default)
    assert control.sweep() == pytest.approx(sweep) and control.grid() == pytest.approx(grid)


def test_the_table_is_plain_data_for_a_static_page():
    spec = Wave().spec()
    assert json.loads(json.dumps(spec)) == spec
    assert spec[0] == {"name": "A", "kind": "float", "min": 0.0, "max": 2.0, "step": 0.1, "default": 1.0,
                       "options": [], "live": True, "label": "A"}
    assert spec[2]["options"] == ["sine", "cosine"] and spec[2]["default"] == "sine"


@pytest.mark.parametrize("make, match", [
    (lambda: Control("x", "slider", 0.0), "kind"),
    (lambda: Control("x", "float", 5.0, min=0.0, max=1.0, step=0.1), "min <= default <= max"),
    (lambda: Control("x", "select", 3, options=(("a", 1),)), "default"),
    (lambda: Control("x", "select", 1, options=(1, 2)), r"\(label, value\)"),
])
def test_a_bad_control_row_names_the_problem(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("controls, fig, error, match", [
    ((), Figure(), TypeError, "controls"),
    ((Control("n", "int", 1, min=0, max=2, step=1),) * 2, Figure(), ValueError, "unique"),
    ((Control("n", "int", 1, min=0, max=2, step=1),), "figure", TypeError, "fig"),
])
def test_bad_construction_names_the_argument(controls, fig, error, match):
    with pytest.raises(error, match=match):
        Explorer(fig, controls=controls)


# -- the bounded cache -------------------------------------------------------------------------
def test_the_cache_keeps_the_most_recently_used_results_only():
    made = []
    cache = BoundedCache(2)
    for key in ("a", "b", "a", "c", "b"):
        cache(key, lambda key=key: made.append(key) or key.upper())
    assert made == ["a", "b", "c", "b"]     # "a" reused; "b" evicted by "c" (least recently used)
    assert [k for k, _ in cache.items()] == ["c", "b"] and len(cache) == 2


# -- drawing: layout fixed once, blitting ------------------------------------------------------
def test_the_layout_is_computed_once_and_then_fixed():
    wave = Wave()
    assert type(wave.fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"
    position = wave.fig.axes[0].get_position().bounds
    wave.set(A=0.5)
    assert wave.fig.axes[0].get_position().bounds == position


def pixels(explorer):
    """The figure drawn in full, its static legends too (none repainted from kept pixels)."""
    for legend in explorer.fig.findobj(StaticLegend):
        legend._kept = None
    explorer.fig.canvas.draw()
    return np.asarray(explorer.fig.canvas.buffer_rgba()).copy()


def frame(explorer):
    """(pixels of the frame render() makes, whether the kept background served)."""
    kept = explorer.render()
    return np.asarray(explorer.fig.canvas.buffer_rgba()).copy(), kept


def changed_frame(explorer, **values):
    """``frame`` after a first render and a change of ``values``."""
    FigureCanvasAgg(explorer.fig)
    explorer.render()
    explorer.set(**values)
    return frame(explorer)


class LegendWave(Wave):
    """The wave with a legend over the line's path (a static artist painted above it)."""

    def __init__(self):
        super().__init__()
        self.fig_ax.legend(["y"], loc="center")


def test_a_blitted_frame_is_the_full_draw():
    wave = LegendWave()
    FigureCanvasAgg(wave.fig)
    assert frame(wave)[1] is False          # first render: everything, keeping the background
    wave.set(k=3)
    blitted, kept = frame(wave)
    assert kept is True                     # limits unchanged: only the layer is redrawn
    assert np.array_equal(blitted, pixels(wave))
    wave.fig_ax.set_ylim(-5, 5)             # a limit of its only axes moved: the whole figure is drawn
    blitted, kept = frame(wave)
    assert kept is False and np.array_equal(blitted, pixels(wave))


class TwoPanels(Wave):
    """The wave beside a panel whose y limits follow A (its tick labels change with them)."""

    def __init__(self):
        super().__init__()
        self.fig.set_size_inches(8, 3)
        self.fig_ax.set_position([0.08, 0.15, 0.38, 0.75])
        self.right = self.fig.add_axes([0.58, 0.15, 0.38, 0.75])
        (self.bar,) = self.right.plot([0, 1], [0, 1])
        self.animate(self.bar)

    def draw(self, result, changed):
        super().draw(result, changed)
        self.bar.set_ydata([0, result.y.max()])
        self.right.set_ylim(0, 10 * max(result.y.max(), 0.01))


class StaticLegendWave(Wave):
    """The wave under a static legend at the centre, which the line crosses as k changes."""

    def __init__(self):
        super().__init__()
        self.line.set_label("y")
        self.legend = static_legend(self.fig_ax, "center", fontsize=12)


def test_a_static_legend_is_repainted_as_a_full_draw_paints_it():
    """The pixels inside its frame, kept from the first drawing (k = 1), serve a frame in which
    the line crosses the legend differently (k = 3), pixel for pixel as a full draw."""
    wave = StaticLegendWave()
    FigureCanvasAgg(wave.fig)
    wave.render()
    kept = wave.legend._kept
    wave.set(k=3)
    blitted, _ = frame(wave)
    assert wave.legend._kept is kept    # repainted from the pixels kept at k = 1
    assert np.array_equal(blitted, pixels(wave))


def test_the_check_sees_kept_pixels_beyond_the_opaque_face(monkeypatch):
    """Deliberately broken: the kept region reaches past the frame, where the line beneath shows."""
    monkeypatch.setattr(StaticLegend, "_inside", lambda legend, renderer: [
        legend.legendPatch.get_window_extent(renderer).padded(3)])
    wave = StaticLegendWave()
    blitted, kept = changed_frame(wave, k=3)
    assert kept and not np.array_equal(blitted, pixels(wave))


def test_a_legend_whose_entry_reaches_its_frame_is_drawn_in_full():
    """A 14-pt line's handle reaches the frame's edge, which blends with what lies beneath: no
    pixels are kept, and the frames are still the full draws."""
    wave = StaticLegendWave()
    wave.line.set_linewidth(14)
    wave.legend = static_legend(wave.fig_ax, "center", fontsize=12)   # its handle drawn 14 pt wide
    blitted, kept = changed_frame(wave, k=3)
    assert wave.legend._kept[2] is None
    assert kept and np.array_equal(blitted, pixels(wave))


@pytest.mark.parametrize("loc", ["best", 0])
def test_a_static_legend_needs_a_fixed_place(loc):
    wave = Wave()
    with pytest.raises(ValueError, match="loc of a static legend"):
        static_legend(wave.fig_ax, loc)


def test_only_the_axes_whose_limits_moved_are_redrawn_and_the_frame_is_the_full_draw():
    panels = TwoPanels()
    FigureCanvasAgg(panels.fig)
    panels.render()
    drawn = []
    left_draw = panels.fig_ax.draw
    panels.fig_ax.draw = lambda renderer: drawn.append(left_draw(renderer))
    panels.set(A=0.3)                       # the right panel's limits move, the left one's do not
    drawn.clear()                           # (a bare canvas's draw_idle drew everything)
    blitted, kept = frame(panels)
    assert kept is True and drawn == []
    assert np.array_equal(blitted, pixels(panels))


def test_the_check_sees_tick_labels_left_over_from_the_old_limits(monkeypatch):
    """Deliberately broken: the region redrawn is the axes' box without its tick labels."""
    monkeypatch.setattr("coursekit.explore._base._paint_box", lambda ax, renderer: ax.bbox.frozen())
    panels = TwoPanels()
    blitted, kept = changed_frame(panels, A=0.3)
    assert kept and not np.array_equal(blitted, pixels(panels))


def test_the_check_sees_a_line_painted_over_its_legend(monkeypatch):
    """Deliberately broken: the layer holds the dynamic artists only, so the line is painted
    over the legend that a full draw paints above it."""
    monkeypatch.setattr("coursekit.explore._base._layer", lambda fig, dynamic: [a for a in fig.findobj() if id(a) in dynamic])
    wave = LegendWave()
    blitted, kept = changed_frame(wave, k=3)
    assert kept and not np.array_equal(blitted, pixels(wave))


@pytest.mark.parametrize("entry", EXPLORERS)
def test_every_explorer_blits_the_frame_a_full_draw_makes(entry):
    """The default state, then each live control one step from its default, drawn over the
    kept background: the same pixels as a full draw of that state."""
    explorer = explorer_class(entry)()
    FigureCanvasAgg(explorer.fig)
    explorer.render()
    changes = [{}] + [{c.name: neighbour(c)} for c in explorer.table if c.live]
    for values in changes:
        explorer.set(**values) if values else explorer.refresh()
        blitted, kept = frame(explorer)
        assert np.array_equal(blitted, pixels(explorer)), f"{entry} {values}: frame (kept background: {kept}) != full draw"


def neighbour(control):
    """The value one grid step from the control's default."""
    grid = control.grid()
    i = next(i for i, v in enumerate(grid) if v is control.default or v == control.default
             or isinstance(v, float) and abs(v - control.default) <= 1e-9 * max(1.0, abs(control.default)))
    return grid[i + 1] if i + 1 < len(grid) else grid[i - 1]


def test_a_stale_background_is_caught():
    """Deliberately broken: a line changed in draw but not declared with animate stays stale."""
    wave = Wave()
    wave._dynamic[:] = [wave.fig_ax.title]   # the title declared, the line forgotten
    wave.invalidate()
    FigureCanvasAgg(wave.fig)
    wave.render()
    wave.set(k=3)
    wave.render()
    stale = np.asarray(wave.fig.canvas.buffer_rgba()).copy()
    assert np.mean(np.any(stale != pixels(wave), axis=-1)) > 0.001


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")  # ipympl's Toolbar
def test_under_ipympl_a_change_sends_one_frame_and_leaves_nothing_to_redraw():
    """With the browser's view up, a change is rendered and sent from its own handler, and the
    figure is left up to date: pyplot's hook after every kernel message redraws stale figures
    (``draw_idle``), which makes ipympl's browser ask for a second, full render of the same state."""
    backend = matplotlib.get_backend()
    from ipympl.backend_nbagg import Canvas, FigureManager   # importing it switches the backend

    matplotlib.use(backend)
    wave = Wave()
    canvas = Canvas(wave.fig)
    FigureManager(canvas, 0)
    canvas.syncing_data_url = False   # what the browser's 'initialized' message sets
    frames, events = [], []
    canvas.send_binary = frames.append
    canvas.send_event = lambda event_type, **kwargs: events.append(event_type)
    wave.set(k=3)
    assert len(frames) == 1 and frames[0][:8] == b"\x89PNG\r\n\x1a\n"
    assert not wave.fig.stale and "draw" not in events


def test_axis_limit_helpers():
    assert [nice_ceil(v) for v in (0.3, 1.0, 1.5, 2.2, 7.0, 130.0)] == [0.5, 1.0, 2.0, 5.0, 10.0, 200.0]
    assert decades(3e-5, 0.2) == (1e-6, 10.0)
    assert steady_limits((0.0, 1.0), 0.1, 0.9) == (0.0, 1.0)                  # fits and fills: kept
    assert steady_limits((0.0, 1.0), 0.1, 0.15) != (0.0, 1.0)                 # fills too little
    assert steady_limits((1e-6, 1e2), 1e-3, 1.0, log=True) == (1e-6, 1e2)     # log space: kept
    low, high = steady_limits((1e-6, 1e2), 1e-8, 1.0, log=True)               # does not fit: new
    assert low <= 1e-8 and high >= 1.0


# -- display -----------------------------------------------------------------------------------
def test_without_ipympl_the_figure_stays_out_of_pyplot_and_the_widget_shows_a_png():
    assert not widget_backend()
    before = plt.get_fignums()
    wave = Wave()
    assert isinstance(wave.fig, Figure) and plt.get_fignums() == before
    box = wave.widget
    controls, canvas = box.children
    assert list(controls.children) == list(wave.controls.values())
    assert isinstance(canvas, widgets.Output)
    first = canvas.outputs[-1]["data"]["image/png"]
    wave.controls["A"].value = 0.0
    assert canvas.outputs[-1]["data"]["image/png"] != first  # re-rendered after the change
    assert wave.widget is box


def test_the_display_carries_the_widget_and_a_png_for_static_exports():
    bundle = Wave()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_close_disconnects_the_controls():
    wave = Wave()
    wave.close()
    wave.controls["k"].value = 2
    assert len(wave.calls) == 1


def test_the_default_figure_fits_a_laptop():
    assert figure().get_size_inches()[0] * figure().dpi <= MAX_WIDTH_PX
