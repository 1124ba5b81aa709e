"""Sliders that keep up with the hand: from releasing a drag to the settled figure, in JupyterLab.

For the first explorer of lessons 05, 07, 08, 09 and 10, the first slider is dragged five times
(a third of its track, back and forth) with the mouse, as a student does. In the page, the time
of the mouse release and of every frame ipympl paints into the figure's canvas are recorded
(``performance.now()``); a drag's latency is the time from the release to the last frame
painted after it, once nothing has been painted for a second (0 when the figure was already
up to date at the release). Fact checked: the median of the five is at most 150 ms (issue 13),
except where the slider trains a network on release: then the latency is the training time,
which must stay under the training budget of 1.5 s. Screenshots before the first and after the
last drag go to build/screenshots/; each lesson's five latencies are printed, and written to
build/screenshots/latency.json with the machine's load.

The budget is a fact about a student's machine, whose cores the kernel and the browser have to
themselves. On a machine whose load average exceeds its cores (CI on a shared host, several
test runs at once) every step takes several times longer: a median over the budget there says
nothing about the explorers, so the test records it and skips with it instead of failing.
"""
from __future__ import annotations

import json
import os
import statistics

import pytest
from lab import first_explorer, lesson, open_and_run
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

BUDGET_MS = 150.0
TRAINING_BUDGET_MS = 1500.0
DRAGS = 5
QUIET_MS = 1000      # no frame for this long: the figure has settled
SETTLE_TIMEOUT = 20_000
MAX_LOAD_PER_CORE = 1.0   # busier than this, the timing is the machine's, not the explorers'
# lesson pattern -> does its first explorer's first slider train on release?
LESSONS = {"05_*": False, "07_*": False, "08_*": False, "09_*": True, "10_*": False}

# Record in the page: when the mouse is released, and when a frame is painted into a figure.
HOOKS = """() => {
    if (window.__latency) return;
    window.__latency = {up: null, frames: [], since: performance.now()};
    addEventListener('pointerup', () => { window.__latency.up = performance.now(); }, true);
    const draw = CanvasRenderingContext2D.prototype.drawImage;
    CanvasRenderingContext2D.prototype.drawImage = function (...args) {
        if (this.canvas.closest && this.canvas.closest('.jupyter-matplotlib-figure'))
            window.__latency.frames.push(performance.now());
        return draw.apply(this, args);
    };
}"""
# Settled: a frame painted since the drag started (on a busy machine the first one can come more
# than QUIET_MS after the release), then nothing painted for QUIET_MS since the release; a slider
# that trains must first have painted its result after the release.
QUIET = f"""([trains, start]) => {{
    const l = window.__latency, now = performance.now();
    const last = l.frames.length ? l.frames[l.frames.length - 1] : -Infinity;
    return l.up !== null && last > start && now - l.up > {QUIET_MS} && now - last > {QUIET_MS}
        && (!trains || last > l.up);
}}"""
# Shown: nothing painted into a figure for QUIET_MS since the hooks were installed.
SHOWN = f"""() => {{
    const l = window.__latency;
    return performance.now() - Math.max(l.since, ...l.frames) > {QUIET_MS};
}}"""
# Latency ms: from the release to the last frame painted after it (0: none was needed)
MEASURE = """() => {
    const l = window.__latency;
    const after = l.frames.filter(t => t > l.up);
    return after.length ? after[after.length - 1] - l.up : 0;
}"""
RESULTS = {}


def drag(page, slider, direction: int):
    """Drag the slider's handle a third of its track (direction +1 right, -1 left)."""
    handle, track = slider.locator(".noUi-handle"), slider.locator(".noUi-target")
    h, t = handle.bounding_box(), track.bounding_box()
    x0, y0 = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
    x1 = min(max(x0 + direction * t["width"] / 3, t["x"] + 2), t["x"] + t["width"] - 2)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y0, steps=15)
    page.mouse.up()


def measure_drags(page, lab_server, notebook, screenshots, wait_for_ink, trains) -> list[float]:
    """Open and run ``notebook``; the latency of each of ``DRAGS`` drags of its first slider (ms)."""
    open_and_run(page, lab_server, notebook, screenshots)
    explorer = first_explorer(page, wait_for_ink)
    slider = explorer.locator(".widget-slider").first
    page.evaluate(HOOKS)
    # ipympl draws a new figure in full once or twice after it is shown: drag once that is done,
    # as the test waits between drags (a student does not drag within the first second either).
    page.wait_for_function(SHOWN, timeout=SETTLE_TIMEOUT)
    explorer.screenshot(path=screenshots / f"latency_{notebook.stem[:2]}_before.png")
    latencies = []
    for i in range(DRAGS):
        start = page.evaluate("() => performance.now()")
        # the first drag goes towards the farther end, then back and forth
        h, t = slider.locator(".noUi-handle").bounding_box(), slider.locator(".noUi-target").bounding_box()
        direction = (1 if h["x"] < t["x"] + t["width"] / 2 else -1) * (-1) ** i
        drag(page, slider, direction)
        try:
            page.wait_for_function(QUIET, arg=[trains, start], timeout=SETTLE_TIMEOUT)
        except PlaywrightTimeout:
            explorer.screenshot(path=screenshots / f"latency_{notebook.stem[:2]}_stuck.png")
            raise AssertionError(f"drag {i + 1}: the figure was not repainted within {SETTLE_TIMEOUT} ms") from None
        latencies.append(page.evaluate(MEASURE))
    explorer.screenshot(path=screenshots / f"latency_{notebook.stem[:2]}_after.png")
    return latencies


@pytest.mark.parametrize("pattern, trains", LESSONS.items(), ids=[p[:2] for p in LESSONS])
def test_drag_release_to_settled_figure(pattern, trains, page, lab_server, screenshots, wait_for_ink):
    notebook = lesson(pattern)
    if notebook is None:
        pytest.skip(f"no lesson {pattern} in notebooks/")
    latencies = measure_drags(page, lab_server, notebook, screenshots, wait_for_ink, trains)
    median = statistics.median(latencies)
    RESULTS[notebook.stem] = {"latencies_ms": [round(v, 1) for v in latencies], "median_ms": round(median, 1),
                              "trains_on_release": trains, "load": os.getloadavg()}
    (screenshots / "latency.json").write_text(json.dumps(RESULTS, indent=1))
    print(f"{notebook.stem}: drag release -> settled {[round(v) for v in latencies]} ms, median {median:.0f} ms"
          f" (load {os.getloadavg()[0]:.1f})")
    budget = TRAINING_BUDGET_MS if trains else BUDGET_MS
    per_core = os.getloadavg()[0] / os.cpu_count()
    if median > budget and per_core > MAX_LOAD_PER_CORE:
        pytest.skip(f"{notebook.stem}: median {median:.0f} ms measured at load {per_core:.1f} per core "
                    f"(> {MAX_LOAD_PER_CORE:g}): no verdict on the {budget:g} ms budget on a machine this busy")
    assert median <= budget, f"{notebook.stem}: median {median:.0f} ms > {budget:g} ms ({latencies})"
