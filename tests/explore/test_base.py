"""The Explorer contract: default drawn at construction, every control observed, figure updated in place."""
import base64

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from coursekit.explore import Explorer, figure, sweep_values, widget_backend

X = np.linspace(0, 2 * np.pi, 50)


class Wave(Explorer):
    """A toy explorer: y = A sin(k x) or A cos(k x), optionally rectified."""

    def __init__(self):
        controls = {
            "A": widgets.FloatSlider(value=1.0, min=0.0, max=2.0),
            "k": widgets.IntSlider(value=1, min=1, max=4),
            "kind": widgets.Dropdown(options=[("sine", "sin"), ("cosine", "cos")], value="sin"),
            "rectify": widgets.Checkbox(value=False),
        }
        self.calls = []
        fig = figure()
        (self.line,) = fig.subplots().plot(X, np.zeros_like(X))
        super().__init__(controls, fig)

    def update(self, *, A, k, kind, rectify):
        self.calls.append(dict(A=A, k=k, kind=kind, rectify=rectify))
        y = A * getattr(np, kind)(k * X)
        self.line.set_ydata(np.maximum(y, 0) if rectify else y)


class NewFigureEachTime(Wave):
    """Deliberately broken: draws a new line per change instead of updating the old one."""

    def update(self, **values):
        super().update(**values)
        (self.line,) = self.fig.axes[0].plot(X, self.line.get_ydata())


def test_default_state_is_drawn_at_construction():
    wave = Wave()
    assert wave.calls == [dict(A=1.0, k=1, kind="sin", rectify=False)]
    np.testing.assert_allclose(wave.line.get_ydata(), np.sin(X))


def test_a_control_change_calls_update_with_every_current_value():
    wave = Wave()
    wave.controls["k"].value = 3
    assert wave.calls[-1] == dict(A=1.0, k=3, kind="sin", rectify=False)
    wave.controls["kind"].value = "cos"
    assert wave.calls[-1] == dict(A=1.0, k=3, kind="cos", rectify=False)
    np.testing.assert_allclose(wave.line.get_ydata(), np.cos(3 * X))


def test_set_changes_several_controls_with_one_update():
    wave = Wave()
    wave.set(A=2.0, rectify=True)
    assert len(wave.calls) == 2
    np.testing.assert_allclose(wave.line.get_ydata(), np.maximum(2 * np.sin(X), 0))
    wave.set(A=2.0)  # unchanged value: still one update, so tests can re-read the state
    assert len(wave.calls) == 3


class TrainingWave(Wave):
    """An explorer whose callback would train: its sliders must fire on release only."""

    live = False


def test_sliders_of_an_explorer_that_trains_fire_on_release_only():
    live, training = Wave(), TrainingWave()
    sliders = [name for name, c in live.controls.items() if hasattr(c, "continuous_update")]
    assert sliders == ["A", "k"]
    assert all(live.controls[name].continuous_update for name in sliders)
    assert not any(training.controls[name].continuous_update for name in sliders)


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


@pytest.mark.parametrize("control, expected", [
    (widgets.IntSlider(value=3, min=0, max=9), [0, 3, 9]),
    (widgets.FloatLogSlider(value=0.1, min=-3, max=1), [1e-3, 0.1, 10.0]),
    (widgets.Dropdown(options=["a", "b", "c"]), ["a", "b", "c"]),
    (widgets.Dropdown(options={"one": 1, "two": 2}), [1, 2]),
    (widgets.ToggleButtons(options=[("x", 10), ("y", 20)]), [10, 20]),
    (widgets.Checkbox(value=True), [False, True]),
])
def test_sweep_values(control, expected):
    assert sweep_values(control) == pytest.approx(expected) if isinstance(expected[0], float) \
        else sweep_values(control) == expected


def test_sweep_values_refuses_a_button():
    with pytest.raises(TypeError, match="Button"):
        sweep_values(widgets.Button())


@pytest.mark.parametrize("controls, fig, match", [
    ({}, Figure(), "controls"),
    ([widgets.IntSlider()], Figure(), "controls"),
    ({"n": 3}, Figure(), r"controls\['n'\]"),
    ({"n": widgets.IntSlider()}, "figure", "fig"),
])
def test_bad_construction_names_the_argument(controls, fig, match):
    with pytest.raises(TypeError, match=match):
        Explorer(controls, fig)


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
