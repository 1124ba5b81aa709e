"""Every explorer fits a laptop: at most 860 px wide at its defaults (a 1366-px screen with
JupyterLab's file browser open), with its texts inside the figure, not running into the next
panel's, and tick labels that stand apart from their neighbours on the same axis. And its
control table is plain data whose grid holds the defaults."""
import itertools
import json

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from coursekit.explore import EXPLORERS, MAX_WIDTH_PX, Explorer, explorer_class

matplotlib.use("Agg")


def concrete_explorers(cls=Explorer):
    for sub in cls.__subclasses__():
        if not sub.__name__.startswith("_") and "NODES" not in sub.__dict__ or sub.__dict__.get("NODES"):
            yield sub
        yield from concrete_explorers(sub)


def test_the_registry_lists_every_explorer():
    for entry in EXPLORERS:
        explorer_class(entry)
    listed = {explorer_class(entry) for entry in EXPLORERS}
    found = {c for c in concrete_explorers() if c.__module__.startswith("coursekit.explore.")
             and not c.__name__.startswith("_") and c.__name__ != "GraphExplorer"}
    assert found <= listed, f"not in coursekit.explore.EXPLORERS: {sorted(c.__name__ for c in found - listed)}"


def drawn_tick_labels(axis):
    """The major tick labels inside the view (matplotlib keeps labels for ticks just outside)."""
    scale = axis.get_transform().transform  # log axes: compare in log space
    low, high = sorted(scale(axis.get_view_interval()))
    pad = 1e-9 * (high - low)
    return [tick.label1 for tick in axis.get_major_ticks()
            if low - pad <= scale([tick.get_loc()])[0] <= high + pad]


# Neighbouring tick labels of one axis closer than this (in pixels) read as one ("-1.00-0.75").
MIN_TICK_GAP_PX = 2.0


def tick_label_problems(ax, renderer) -> list:
    """Neighbouring tick labels (major and minor, bottom/top or left/right) of one axis that
    overlap or nearly touch: less than ``MIN_TICK_GAP_PX`` apart along the axis."""
    problems = []
    for name, axis, k in (("x", ax.xaxis, 0), ("y", ax.yaxis, 1)):
        scale = axis.get_transform().transform
        low, high = sorted(scale(axis.get_view_interval()))
        pad = 1e-9 * (high - low)
        for side in ("label1", "label2"):
            labels = [getattr(tick, side) for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                      if low - pad <= scale([tick.get_loc()])[0] <= high + pad]
            shown = sorted(((t, t.get_window_extent(renderer)) for t in labels
                            if t.get_visible() and t.get_text().strip()), key=lambda tb: tb[1].get_points()[0][k])
            for (ta, a), (tb, b) in zip(shown, shown[1:]):
                gap = b.x0 - a.x1 if k == 0 else b.y0 - a.y1
                if gap < MIN_TICK_GAP_PX:
                    problems.append(f"tick labels {ta.get_text()!r} and {tb.get_text()!r} on one {name} axis "
                                    f"{gap:.1f} px apart")
    return problems


def texts(ax):
    """The texts an axes shows: titles, axis labels, tick labels and its legend's entries."""
    out = [ax.title, ax._left_title, ax._right_title]
    if ax.axison:
        out += [ax.xaxis.label, ax.yaxis.label] + drawn_tick_labels(ax.xaxis) + drawn_tick_labels(ax.yaxis)
    legend = ax.get_legend()
    if legend is not None:
        out += legend.get_texts()
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def layout_problems(fig) -> list:
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    problems = []
    page = fig.bbox.expanded(1.0, 1.0).padded(1.0)
    boxes = {}
    for i, ax in enumerate(a for a in fig.axes if a.get_visible()):
        boxes[i] = [(t, t.get_window_extent(renderer)) for t in texts(ax)]
        if ax.axison:
            problems += [f"{p} (panel {i})" for p in tick_label_problems(ax, renderer)]
        for t, box in boxes[i]:
            if not (page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1):
                problems.append(f"cut off: {t.get_text()!r}")
    for (i, a), (j, b) in itertools.combinations(boxes.items(), 2):
        for (ta, ba), (tb, bb) in itertools.product(a, b):
            if ba.overlaps(bb) and ba.intersection(ba, bb).width > 1 and ba.intersection(ba, bb).height > 1:
                problems.append(f"overlap: {ta.get_text()!r} (panel {i}) and {tb.get_text()!r} (panel {j})")
    return problems


def on_grid(control) -> bool:
    """The control's default is one of the values its grid offers (a static page has its frame)."""
    grid = control.grid()
    if control.kind in ("int", "float", "log"):
        return any(abs(v - control.default) <= 1e-9 * max(1.0, abs(control.default)) for v in grid)
    return any(v is control.default or v == control.default for v in grid)


@pytest.mark.parametrize("entry", EXPLORERS)
def test_the_figure_fits_860_px_with_its_texts_whole(entry):
    explorer = explorer_class(entry)()
    width = explorer.fig.get_size_inches()[0] * explorer.fig.dpi
    assert width <= MAX_WIDTH_PX, f"{entry}: {width:.0f} px wide"
    assert layout_problems(explorer.fig) == []
    # the control table, as a static page reads it: plain data, defaults on the grid
    assert json.loads(json.dumps(explorer.spec())) == explorer.spec()
    assert all(on_grid(c) for c in explorer.table), [c.name for c in explorer.table if not on_grid(c)]


def test_the_check_sees_a_clipped_title_and_overlapping_panels():
    """Deliberately broken: a long title in a narrow figure of two panels."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2))
    left, right = fig.subplots(1, 2)
    left.set_title("a title far too long for its panel, running into the next one")
    right.set_title("second")
    problems = layout_problems(fig)
    assert any(p.startswith("cut off") for p in problems) and any(p.startswith("overlap") for p in problems)


def test_the_check_sees_tick_labels_running_together():
    """Deliberately broken: lesson 05's old x ticks (-1.00, -0.75, ..., 1.00) on each panel of an
    explorer's two-panel figure, where neighbours ran together; five ticks on it do not."""
    import numpy as np

    from coursekit.explore import figure

    for n_ticks, crowded in ((9, True), (5, False)):
        fig = figure(figsize=(8.6, 3.4))
        for ax in fig.subplots(1, 2, sharex=True):
            ax.plot([-1, 1], [-3, 3])
            ax.set(xlabel="x", xlim=(-1, 1))
        fig.axes[0].set_xticks(np.linspace(-1, 1, n_ticks))
        problems = layout_problems(fig)
        assert any(p.startswith("tick labels") for p in problems) == crowded, (n_ticks, problems)
