"""A student's view: in JupyterLab, run the universal-approximation lesson and drag a slider.

Facts checked in a real browser: every cell of lesson 05 runs without an error, its first
explorer renders as ipywidgets sliders over a live ipympl figure, and dragging a slider handle
with the mouse changes both the slider's readout and the pixels of the plotted figure. The
RISE stand-in for @jupyterlab/console (tools/slides/rise_console) is loaded and steps aside,
JupyterLab asks nothing about news, and it sends no widget message to a kernel subshell (the
settings `make install` ships): the kernel has no subshell thread after the drag. Screenshots before
and after go to build/screenshots/.
"""
from __future__ import annotations

import json
import urllib.request

import pytest
from lab import TRACEBACK, first_explorer, kernel_threads, lesson, open_and_run
from sliders import STAND_IN_MISSING, STAND_IN_USED, check_slider_moves_figure

pytestmark = pytest.mark.browser

LESSON = lesson("*universal_approximation*")
NOTIFICATION = "@jupyterlab/apputils-extension:notification"
KERNELS = "@jupyterlab/apputils-extension:kernels-settings"


@pytest.mark.skipif(LESSON is None, reason="the universal-approximation lesson is not in notebooks/ yet")
def test_dragging_a_slider_changes_readout_and_figure(page, lab_server, lab_base, screenshots, wait_for_ink):
    open_and_run(page, lab_server, LESSON, screenshots)
    explorer = first_explorer(page, wait_for_ink)
    check_slider_moves_figure(page, explorer, before=screenshots / "lab_05_explorer_before.png",
                              after=screenshots / "lab_05_explorer_after.png")
    # Every widget message went to the kernel's main shell: no subshell (a thread of its own,
    # where ipympl and the explorers drew with matplotlib while cells ran: README) was created.
    threads = kernel_threads(lab_server, lab_base / "runtime", LESSON)
    assert not [name for name in threads if name.startswith("subshell")], threads
    assert page.locator(".jp-OutputArea-output", has_text=TRACEBACK).count() == 0
    # JupyterLab shares its own @jupyterlab/console: the RISE stand-in is loaded but steps aside.
    stand_in = page.evaluate(STAND_IN_USED)
    assert stand_in is not None, STAND_IN_MISSING
    assert stand_in is False, "the RISE stand-in replaced JupyterLab's own @jupyterlab/console"
    # No "official Jupyter news?" toast: the install's overrides.json, not the test's settings.
    assert page.get_by_text("official Jupyter news").count() == 0


def defaults(lab_server, plugin: str) -> dict:
    """The default of each setting of ``plugin``, as the server hands them to JupyterLab."""
    url, token = lab_server
    with urllib.request.urlopen(f"{url}/lab/api/settings/{plugin}?token={token}") as response:
        return {name: p.get("default") for name, p in json.load(response)["schema"]["properties"].items()}


def test_the_installed_lab_fetches_no_news_and_keeps_widget_messages_on_the_main_shell(lab_server):
    """JupyterLab serves tools/lab/overrides.json (copied by `make install`) as its defaults."""
    notification = defaults(lab_server, NOTIFICATION)
    assert notification["fetchNews"] == "false"
    assert notification["checkForUpdates"] is False
    assert defaults(lab_server, KERNELS)["commsOverSubshells"] == "disabled"
