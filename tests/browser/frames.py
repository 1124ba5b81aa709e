"""An explorer's precomputed frames in a static page (offline deck, course site).

Every explorer is stored in the page as a frame player (coursekit/explore/frames.py): its
controls as HTML inputs above its figure (the default state, the shown frame laid over it).
Dragging a slider must change the readout and show another frame, with no kernel.
"""
from __future__ import annotations

from pathlib import Path

from sliders import changed_fraction, drag_a_third, settled

PLAYER = ".ck-frames"
TIMEOUT = 10_000  # ms for the new frame to show


def has_explorer(nb) -> bool:
    """The lesson makes an explorer (its source says so, independently of the page)."""
    return any("Explorer(" in cell.source for cell in nb.cells if cell.cell_type == "code")


def drag_first_slider(page, player, before: Path, after: Path) -> None:
    """Drag the first slider of ``player`` a third of its track towards its farther end; assert
    that its readout and the figure changed. Screenshots of the player go to ``before``/``after``."""
    figure = player.locator(".ck-frames-figure")
    row = player.locator(".ck-frames-control").filter(has=page.locator("input[type=range]")).first
    slider, readout = row.locator("input"), row.locator(".ck-frames-readout")
    figure.wait_for(state="visible", timeout=TIMEOUT)
    page.wait_for_function("el => el.dataset.shown === el.dataset.frame", arg=figure.element_handle(), timeout=TIMEOUT)
    readout_before, frame_before, pixels_before = readout.inner_text(), figure.get_attribute("data-frame"), settled(page, figure)
    player.screenshot(path=before)

    fraction = slider.evaluate("s => (s.value - s.min) / (s.max - s.min)")
    box = slider.bounding_box()  # the thumb: 8 px from either end of the track at min and max
    drag_a_third(page, box["x"] + 8 + fraction * (box["width"] - 16), box["y"] + box["height"] / 2, box)

    page.wait_for_function("([el, frame]) => el.dataset.shown !== frame && el.dataset.shown === el.dataset.frame",
                           arg=[figure.element_handle(), frame_before], timeout=TIMEOUT)
    changed = changed_fraction(pixels_before, settled(page, figure))
    player.screenshot(path=after)
    assert readout.inner_text() != readout_before, "the slider's readout did not change"
    assert changed > 0.001, f"the figure did not change after the slider moved ({changed:.2%} pixels)"
