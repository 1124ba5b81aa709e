"""An explorer's sliders in a real browser (JupyterLab and RISE tests).

An explorer's output holds ipywidgets sliders above an ipympl canvas. Dragging a handle with
the mouse must change the slider's readout (the browser side) and, once the kernel has
recomputed and ipympl has sent a new frame, the pixels of the figure (the kernel side).
The widgets load in RISE's slideshow only with the stand-in in tools/slides/rise_console.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

# Keep the canvas pixels in the page, then wait until they differ.
KEEP = "c => { window.kept = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; }"
CHANGED = """c => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    return d.length !== window.kept.length || d.some((v, i) => v !== window.kept[i]);
}"""
TIMEOUT = 10_000  # ms for the readout, then the new frame, to appear
# A figure counts as drawn when more than INK_MIN of its pixels are darker than R + G + B = INK_LEVEL.
INK_LEVEL, INK_MIN = 600, 0.01
# True where tools/slides/rise_console stood in for @jupyterlab/console (RISE's slideshow),
# False where the page shared its own (JupyterLab), undefined where it is not installed.
STAND_IN_USED = "() => window._JUPYTERLAB?.['coursekit-rise-console']?.provided"
STAND_IN_MISSING = "the RISE stand-in (tools/slides/rise_console) is not installed: run `make install`"


def pixels(locator) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB"), dtype=np.int16)


def changed_fraction(before: np.ndarray, after: np.ndarray) -> float:
    if before.shape != after.shape:
        return 1.0
    return float(np.mean(np.any(before != after, axis=-1)))


def settled(page, locator, *, tries: int = 40) -> np.ndarray:
    """Pixels of ``locator`` once two screenshots 200 ms apart agree and show a drawing (a
    redraw has finished and reached the screen, which on a loaded machine lags the canvas)."""
    previous = pixels(locator)
    for _ in range(tries):
        page.wait_for_timeout(200)
        current = pixels(locator)
        if np.array_equal(current, previous) and np.mean(current.sum(axis=-1) < INK_LEVEL) > INK_MIN:
            return current
        previous = current
    return previous


def drag_a_third(page, x0: float, y0: float, track: dict) -> None:
    """Drag with the mouse from the handle at (x0, y0) a third of ``track`` (a bounding box)
    towards its farther end."""
    dx = track["width"] / 3 if x0 < track["x"] + track["width"] / 2 else -track["width"] / 3
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + dx, y0, steps=12)
    page.mouse.up()


def check_slider_moves_figure(page, explorer, before: Path, after: Path) -> None:
    """Drag the first slider's handle a third of its track towards the farther end and assert
    that its readout and the figure changed.

    ``explorer`` is the output holding the sliders and the ipympl figure, whose first frame
    must already be drawn. Screenshots of the explorer go to ``before`` and ``after``.
    """
    figure = explorer.locator(".jupyter-matplotlib-figure canvas").first
    slider = explorer.locator(".widget-slider").first
    readout = slider.locator(".widget-readout")
    handle, track = slider.locator(".noUi-handle"), slider.locator(".noUi-target")
    readout_before, figure_before = readout.inner_text(), settled(page, figure)
    page.evaluate(KEEP, figure.element_handle())
    explorer.screenshot(path=before)

    h = handle.bounding_box()
    drag_a_third(page, h["x"] + h["width"] / 2, h["y"] + h["height"] / 2, track.bounding_box())

    page.wait_for_function("([el, old]) => el.textContent.trim() !== old.trim()",
                           arg=[readout.element_handle(), readout_before], timeout=TIMEOUT)
    # The kernel recomputes, then ipympl sends a new frame.
    page.wait_for_function(CHANGED, arg=figure.element_handle(), timeout=TIMEOUT)
    fraction = changed_fraction(figure_before, settled(page, figure))
    explorer.screenshot(path=after)
    assert readout.inner_text() != readout_before
    assert fraction > 0.001, f"the figure did not change after the slider moved ({fraction:.2%} pixels)"
