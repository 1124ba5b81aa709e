"""An instructor presenting live: a lesson opened in RISE (jupyterlab-rise, ``/rise/<path>``).

The presenter steps forward with Shift+Enter (RISE's "smart exec": run the cell, then go on),
so code cells run in a live kernel on the way. Facts checked: the lesson renders as reveal.js
slides, stepping visits at least five slides, equations are typeset, and on its slide the
first explorer is live: sliders over an ipympl figure, and dragging a slider with the mouse
changes its readout and the plotted figure. Screenshots go to build/screenshots/.

The widgets load only thanks to tools/slides/rise_console: jupyterlab-rise 0.43.1's slideshow
does not share @jupyterlab/console, which the ipywidgets 8 manager imports
(jupyterlab-contrib/rise#119). Without the stand-in the explorer shows only its fallback
output (text and a still picture) and the widget test fails.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sliders import STAND_IN_MISSING, STAND_IN_USED, check_slider_moves_figure

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
LESSON = next((p for p in NOTEBOOKS if "Explorer(" in p.read_text()), None)
MIN_SLIDES = 6
STEP_TIMEOUT = 60_000  # ms for one step: the cell's code runs in the kernel meanwhile
EXPLORER_CELL = ".reveal .jp-CodeCell"  # with "Explorer(" in its source
# [index of the active cell, number of cells] in the slideshow's notebook.
ACTIVE = """() => {
    const cells = [...document.querySelectorAll('.reveal .jp-Notebook .jp-Cell')];
    return [cells.findIndex(cell => cell.classList.contains('jp-mod-active')), cells.length];
}"""
# Cell `i` is done: the active cell moved past it and, if it is code, it shows an execution count.
STEPPED = f"""i => {{
    if (({ACTIVE})()[0] <= i) return false;
    const cell = document.querySelectorAll('.reveal .jp-Notebook .jp-Cell')[i];
    return !cell.classList.contains('jp-CodeCell')
        || /\\[\\d+\\]/.test(cell.querySelector('.jp-InputPrompt').textContent);
}}"""


@pytest.fixture(scope="module")
def presented(browser, lab_server):
    """Open LESSON in RISE and step through it; returns what the presenter saw.

    Each step waits for its cell to finish, as a presenter does, and stepping stops on the
    last cell (Shift+Enter there would append empty cells to the slideshow).
    """
    if LESSON is None:
        pytest.skip("no lesson with an explorer in notebooks/")
    url, token = lab_server
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{url}/rise/{LESSON.name}?token={token}")
        page.locator(".reveal .slides section").first.wait_for(timeout=90_000)
        page.wait_for_function(f"() => ({ACTIVE})()[0] === 0", timeout=30_000)
        page.locator(".reveal .jp-Notebook").first.focus()
        slides, explorer_output = {page.url.split("#")[-1]}, None
        while True:
            active, n_cells = page.evaluate(ACTIVE)
            if active >= n_cells - 1:
                break
            page.keyboard.press("Shift+Enter")
            page.wait_for_function(STEPPED, arg=active, timeout=STEP_TIMEOUT, polling=100)
            slides.add(page.url.split("#")[-1])
            shown = page.locator(EXPLORER_CELL, has_text="Explorer(").locator(".jp-OutputArea-output")
            if shown.count() and len(slides) >= MIN_SLIDES:
                explorer_output = shown.first
                break
        yield {"page": page, "slides": slides, "explorer_output": explorer_output,
               "math": page.locator(".reveal mjx-container, .reveal .MathJax").count()}
    finally:
        context.close()


def test_rise_steps_through_five_slides_with_math(presented, screenshots):
    presented["page"].screenshot(path=screenshots / "rise_explorer_slide.png")
    assert len(presented["slides"]) >= MIN_SLIDES, f"visited only {sorted(presented['slides'])}"
    assert presented["math"] > 0, "no equation was typeset in the slides"
    assert presented["explorer_output"] is not None, "the explorer cell produced no output on its slide"


def test_rise_explorer_slider_moves_the_figure(presented, screenshots, wait_for_ink):
    page, explorer = presented["page"], presented["explorer_output"]
    assert explorer is not None, "the explorer cell produced no output on its slide"
    stand_in = page.evaluate(STAND_IN_USED)
    assert stand_in is not None, STAND_IN_MISSING
    assert stand_in is True, ("jupyterlab-rise now shares @jupyterlab/console itself: remove the stand-in "
                              "(tools/slides/rise_console, its Makefile link and this check)")
    figure = explorer.locator(".jupyter-matplotlib-figure canvas").first
    try:
        figure.wait_for(state="visible", timeout=30_000)
    except Exception:
        raise AssertionError("the explorer shows only its fallback output, no live figure: the widget "
                             "manager did not load in the slideshow") from None
    assert explorer.locator(".widget-slider").count() > 0, "the explorer shows no sliders"
    wait_for_ink(page, figure)
    check_slider_moves_figure(page, explorer, before=screenshots / "rise_explorer_before.png",
                              after=screenshots / "rise_explorer_after.png")
    assert page.locator(".reveal .jp-OutputArea-output", has_text="Traceback (most recent call last)").count() == 0
