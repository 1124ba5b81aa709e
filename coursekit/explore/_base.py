"""The ``Explorer`` base: slider controls over one figure that is updated in place.

Every explorer in :mod:`coursekit.explore` follows one contract (issue 6, ARCHITECTURE.md):

* ``controls`` — a dict ``name -> ipywidgets control`` (sliders, dropdowns, checkboxes);
* ``fig`` — one matplotlib Figure, created once in ``__init__`` with :func:`figure`;
* ``live`` — True when a change only recomputes cheap formulas (redrawn while the slider
  moves); training explorers set it False, and the base then gives every slider
  ``continuous_update=False`` (it fires on release);
* ``update(**values)`` — called with *every* control's current value; it calls the module's
  pure compute function and writes the result into the artists made in ``__init__``
  (``set_data``, ``set_ydata``, ``set_offsets``, ``set_array``, ``set_text``), never a new figure;
* ``widget`` (and ``_ipython_display_``) — the controls above the figure's canvas; the display
  also carries a PNG of the figure for static exports.

The default state is drawn at construction, so an exported notebook (HTML, PDF, slides)
shows a figure even without a running kernel.

Under ipympl (``%matplotlib widget``) the figure canvas *is* a widget and redraws itself.
Under any other backend (Agg in the tests, the inline backend) the figure is a plain
``matplotlib.figure.Figure`` and the widget shows it as a PNG that is re-rendered after each
change, so nothing is drawn twice and pyplot's global figure list is not touched.
"""
from __future__ import annotations

import base64
import io

import ipywidgets as widgets
import matplotlib
from matplotlib.figure import Figure


def widget_backend() -> bool:
    """True when matplotlib draws into a Jupyter widget (ipympl, ``%matplotlib widget``)."""
    name = matplotlib.get_backend().lower()
    return "ipympl" in name or name == "widget"


def figure(**kwargs) -> Figure:
    """A new Figure for an explorer; ``kwargs`` go to ``Figure`` (e.g. ``figsize=(8, 3)``).

    With ipympl it comes from pyplot (the canvas must be an ipympl widget) but is not shown
    on creation; the explorer shows it inside its own widget. Otherwise it is a bare Figure.
    """
    kwargs.setdefault("layout", "constrained")
    if widget_backend():
        import matplotlib.pyplot as plt

        with plt.ioff():
            fig = plt.figure(**kwargs)
        fig.canvas.header_visible = False
        return fig
    return Figure(**kwargs)


def cached(store: dict, key, compute):
    """``store[key]``, made by ``compute()`` on first use.

    Explorers keep every result a slider position produced (a trained network, an error
    curve), so moving back to it redraws at once instead of recomputing.
    """
    if key not in store:
        store[key] = compute()
    return store[key]


_SELECTIONS = (widgets.Dropdown, widgets.RadioButtons, widgets.ToggleButtons, widgets.Select,
               widgets.SelectionSlider)


def sweep_values(control) -> list:
    """The values a test or benchmark should try: min, default, max, or every option.

    Sliders give ``[min, value, max]`` (a log slider in its own units), dropdowns and toggle
    buttons every option's value, checkboxes ``[False, True]``.
    """
    if isinstance(control, _SELECTIONS):
        options = control.options
        if isinstance(options, dict):
            return list(options.values())
        return [opt[1] if isinstance(opt, tuple) else opt for opt in options]
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [False, True]
    if isinstance(control, widgets.FloatLogSlider):  # min and max are exponents of base
        return [control.base ** control.min, control.value, control.base ** control.max]
    if hasattr(control, "min") and hasattr(control, "max"):
        return [control.min, control.value, control.max]
    raise TypeError(f"control must be a slider, dropdown or checkbox, got {type(control).__name__}")


class Explorer:
    """Base class of the slider explorers.

    Parameters
    ----------
    controls : dict of str -> ipywidgets.ValueWidget
        The controls, keyed by the keyword ``update`` receives.
    fig : matplotlib.figure.Figure
        The one figure this explorer draws into (make it with :func:`figure`).
    extras : list of ipywidgets.Widget, optional
        Further widgets shown under the controls (a Run button, a readout).

    Subclasses build their artists, then call ``super().__init__(controls, fig)``, which
    connects the controls and draws the default state. When the subclass sets ``live = False``
    its sliders get ``continuous_update=False``, so a drag trains once, on release.
    """

    live: bool = True

    def __init__(self, controls: dict, fig: Figure, *, extras=()):
        if not isinstance(controls, dict) or not controls:
            raise TypeError(f"controls must be a non-empty dict name -> ipywidgets control, got {controls!r}")
        for name, control in controls.items():
            if not isinstance(control, widgets.ValueWidget):
                raise TypeError(f"controls[{name!r}] must be an ipywidgets control, got {control!r}")
        if not isinstance(fig, Figure):
            raise TypeError(f"fig must be a matplotlib Figure, got {fig!r}")
        self.controls = controls
        self.fig = fig
        self.extras = list(extras)
        self._output = None  # the Output widget showing the figure when the canvas is no widget
        self._widget = None
        self._muted = False
        for control in controls.values():
            if not self.live and hasattr(control, "continuous_update"):
                control.continuous_update = False
            control.observe(self._on_change, names="value")
        self.refresh()

    # -- the part subclasses write ----------------------------------------------------------
    def update(self, **values) -> None:
        """Recompute from ``values`` (one keyword per control) and write into the artists."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update")

    # -- wiring -----------------------------------------------------------------------------
    @property
    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> None:
        """Update from the current control values and redraw."""
        self.update(**self.values)
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
        self.refresh()

    def _on_change(self, change) -> None:
        if not self._muted:
            self.refresh()

    def _redraw(self) -> None:
        if self._output is not None:
            self._render_png()
        else:
            self.fig.canvas.draw_idle()  # ipympl: schedules a redraw; bare Figure: no-op

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
        for control in self.controls.values():
            control.unobserve(self._on_change, names="value")
        if widget_backend():
            import matplotlib.pyplot as plt

            plt.close(self.fig)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.values.items())})"
