"""A student's view: in JupyterLab, run the universal-approximation lesson and drag a slider.

Facts checked in a real browser: every cell of lesson 05 runs without an error, its first
explorer renders as ipywidgets sliders over a live ipympl figure, and dragging a slider handle
with the mouse changes both the slider's readout and the pixels of the plotted figure. The
RISE stand-in for @jupyterlab/console (tools/slides/rise_console) is loaded and steps aside,
and JupyterLab asks nothing about news (the settings `make install` ships). Screenshots before
and after go to build/screenshots/.
"""
from __future__ import annotations

import json
import urllib.request

import pytest
from lab import TRACEBACK, first_explorer, lesson, open_and_run
from sliders import STAND_IN_MISSING, STAND_IN_USED, check_slider_moves_figure

pytestmark = pytest.mark.browser

LESSON = lesson("*universal_approximation*")
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


@pytest.mark.skipif(LESSON is None, reason="the universal-approximation lesson is not in notebooks/ yet")
def test_dragging_a_slider_changes_readout_and_figure(page, lab_server, screenshots, wait_for_ink):
    open_and_run(page, lab_server, LESSON, screenshots)
    explorer = first_explorer(page, wait_for_ink)
    check_slider_moves_figure(page, explorer, before=screenshots / "lab_05_explorer_before.png",
                              after=screenshots / "lab_05_explorer_after.png")
    assert page.locator(".jp-OutputArea-output", has_text=TRACEBACK).count() == 0
    # JupyterLab shares its own @jupyterlab/console: the RISE stand-in is loaded but steps aside.
    stand_in = page.evaluate(STAND_IN_USED)
    assert stand_in is not None, STAND_IN_MISSING
    assert stand_in is False, "the RISE stand-in replaced JupyterLab's own @jupyterlab/console"
    # No "official Jupyter news?" toast: the install's overrides.json, not the test's settings.
    assert page.get_by_text("official Jupyter news").count() == 0


def test_the_installed_lab_fetches_no_news(lab_server):
    """JupyterLab serves tools/lab/overrides.json (copied by `make install`) as its defaults."""
    url, token = lab_server
    with urllib.request.urlopen(f"{url}/lab/api/settings/{NOTIFICATION}?token={token}") as response:
        schema = json.load(response)["schema"]["properties"]
    assert schema["fetchNews"]["default"] == "false"
    assert schema["checkForUpdates"]["default"] is False
