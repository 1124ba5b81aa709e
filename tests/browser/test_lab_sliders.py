"""A student's view: in JupyterLab, run the universal-approximation lesson and drag a slider.

Facts checked in a real browser: every cell of lesson 05 runs without an error, its first
explorer renders as ipywidgets sliders over a live ipympl figure, and dragging a slider handle
with the mouse changes both the slider's readout and the pixels of the plotted figure. The
RISE stand-in for @jupyterlab/console (tools/slides/rise_console) is loaded and steps aside.
Screenshots before and after go to build/screenshots/.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sliders import STAND_IN_MISSING, STAND_IN_USED, check_slider_moves_figure

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LESSON = next(iter(sorted(NOTEBOOKS.glob("*universal_approximation*.ipynb"))), None)
RUN_ALL_TIMEOUT = 120_000  # ms

PROMPTS = "[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
STARTED = f"() => {PROMPTS}.some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
ALL_RAN = f"n => {PROMPTS}.filter(p => /\\[\\d+\\]/.test(p.textContent)).length === n"


def run_all_cells(page) -> None:
    """Run > Run All Cells, again if the kernel was not connected yet and nothing started."""
    for _ in range(5):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_function(STARTED, timeout=5_000)
            return
        except Exception:
            continue
    raise AssertionError("Run All Cells started no cell")


@pytest.mark.skipif(LESSON is None, reason="the universal-approximation lesson is not in notebooks/ yet")
def test_dragging_a_slider_changes_readout_and_figure(page, lab_server, screenshots, wait_for_ink):
    url, token = lab_server
    page.goto(f"{url}/lab/tree/{LESSON.name}?token={token}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=60_000)
    n_code = page.locator(".jp-Notebook .jp-CodeCell").count()
    run_all_cells(page)
    # Done when every code cell shows an execution count ("[3]:", not "[*]:" or "[ ]:").
    try:
        page.wait_for_function(ALL_RAN, arg=n_code, timeout=RUN_ALL_TIMEOUT)
    except Exception:
        page.screenshot(path=screenshots / "lab_05_run_all_failed.png", full_page=True)
        prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        raise AssertionError(f"not every cell ran: prompts {prompts}; see {screenshots}")
    errors = page.locator(".jp-OutputArea-output", has_text="Traceback (most recent call last)")
    assert errors.count() == 0, errors.first.inner_text()[:2000]

    # The first explorer: an output with sliders above an ipympl canvas.
    explorer = page.locator(".jp-OutputArea-output").filter(
        has=page.locator(".widget-slider")).filter(has=page.locator(".jupyter-matplotlib")).first
    explorer.scroll_into_view_if_needed()
    figure = explorer.locator(".jupyter-matplotlib-figure canvas").first
    figure.wait_for(state="visible", timeout=30_000)
    # ipympl draws its first frame only after the browser asks for it: wait for ink.
    wait_for_ink(page, figure)
    check_slider_moves_figure(page, explorer, before=screenshots / "lab_05_explorer_before.png",
                              after=screenshots / "lab_05_explorer_after.png")
    assert page.locator(".jp-OutputArea-output", has_text="Traceback (most recent call last)").count() == 0
    # JupyterLab shares its own @jupyterlab/console: the RISE stand-in is loaded but steps aside.
    stand_in = page.evaluate(STAND_IN_USED)
    assert stand_in is not None, STAND_IN_MISSING
    assert stand_in is False, "the RISE stand-in replaced JupyterLab's own @jupyterlab/console"
