"""Shared checks for explorer tests: sweep every control and insist the figure is updated in place."""
import matplotlib
import pytest

matplotlib.use("Agg")


def _artists(fig):
    """The figure's axes and data artists, by identity (contour sets may be redrawn)."""
    return [id(fig)] + [id(a) for ax in fig.axes for a in (ax, *ax.lines, *ax.images)]


def _sweep(explorer, only=None):
    before = _artists(explorer.fig)
    for control in explorer.table:
        if only is not None and control.name not in only:
            continue
        default = explorer.controls[control.name].value
        for value in control.sweep():
            explorer.set(**{control.name: value})
            assert _artists(explorer.fig) == before, (
                f"{type(explorer).__name__} made new axes or artists when {control.name} = {value!r}: "
                "draw must write into the artists made in __init__")
            yield control.name, value
        explorer.set(**{control.name: default})


@pytest.fixture
def sweep():
    """``for name, value in sweep(explorer): ...`` sets each control to min, default, max (each
    option of a dropdown), one control at a time, checking after each that the figure was
    updated in place; the control returns to its default before the next one."""
    return _sweep
