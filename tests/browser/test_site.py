"""The course site (``make site``: build/site), opened from disk with every network request blocked.

Facts checked: the index lists every lesson in course order with its page and its deck, the
topic table and the exercises as downloads; search finds a lesson; each lesson page shows its
outputs and typeset equations, raises no script error, and dragging a slider of its first
explorer shows another precomputed frame; the site stays within its size budget (40 MB, 2 MB
of frames per explorer), counted from the built files.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from frames import PLAYER, drag_first_slider, has_explorer
from offline import block_network

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SITE = ROOT / "build" / "site"
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
MAX_SITE_BYTES, MAX_FRAME_BYTES = 40_000_000, 2_000_000
TYPESET = "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running"
WIDGET_STATE = re.compile(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="session")
def site(browser):
    """Build (or bring up to date) the site with ``make site`` (after the browser fixture has
    skipped, or failed under CI, where Chromium is missing)."""
    for tool, how in (("make", "apt-get install -y make"), ("npm", "apt-get install -y npm")):
        if shutil.which(tool) is None:
            (pytest.fail if os.environ.get("CI") else pytest.skip)(f"`make site` needs {tool}: install it with `{how}`")
    built = subprocess.run(["make", "--no-print-directory", "site"], cwd=ROOT, capture_output=True, text=True)
    if built.returncode:
        pytest.fail(f"make site failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}")
    return SITE


def open_offline(page, path: Path) -> list:
    """Open ``path`` with only local requests allowed; returns the list of blocked URLs and
    script errors, filled as the page runs."""
    problems = []
    block_network(page, lambda url: problems.append(f"network: {url}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"missing: {request.url}"))
    page.goto(path.as_uri())
    return problems


def test_index_lists_lessons_decks_topics_and_exercises(site, page):
    problems = open_offline(page, site / "index.html")
    links = page.eval_on_selector_all("article a[href]", "els => els.map(a => a.getAttribute('href'))")
    pages = [h for h in links if h.endswith(".html") and not h.startswith(("slides/", "http", "#"))]
    lessons_linked = [h.removesuffix(".html") for h in pages if (site / h).is_file()]
    order = [name for name in dict.fromkeys(lessons_linked) if name in {p.stem for p in LESSONS}]
    assert order == [p.stem for p in LESSONS], "the index does not list every lesson in course order"
    for lesson in LESSONS:
        assert f"slides/{lesson.stem}.slides.html" in links
        assert (site / "slides" / f"{lesson.stem}.slides.html").is_file()
    assert page.locator("article table").count() >= 2, "the lesson table or the topic table is missing"
    assert "Where each lecture topic lives" in page.inner_text("article")
    downloads = [h for h in links if h.endswith(".ipynb")]
    for exercise in EXERCISES:
        found = [h for h in downloads if h.endswith(f"/{exercise.name}")]
        assert found, f"{exercise.name} is not offered as a download"
        assert nbformat.read(site / found[0], as_version=4).cells, f"{found[0]} is not a notebook"
    assert problems == []


def test_search_finds_a_lesson(site, page):
    problems = open_offline(page, site / "search.html")
    page.goto((site / "search.html").as_uri() + "?q=backpropagation")
    results = page.locator("#search-results li, ul.search li")
    results.first.wait_for(timeout=30_000)
    assert results.count() > 0
    assert [p for p in problems if not p.startswith("missing")] == []


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_page(lesson, site, page, screenshots):
    nb = nbformat.read(lesson, as_version=4)
    path = site / f"{lesson.stem}.html"
    assert path.is_file(), f"make site did not build {path}"
    problems = open_offline(page, path)
    page.wait_for_function(TYPESET, timeout=60_000, polling=100)  # a long page on a busy machine
    if any("$" in cell.source for cell in nb.cells if cell.cell_type == "markdown"):
        assert page.locator(".MathJax_CHTML").count() > 0, "no equation was typeset"
        assert page.locator(".MathJax_Error").count() == 0
        assert "$$" not in page.inner_text("article"), "raw $$ left on the page (MathJax did not run)"
    assert page.locator(".cell_output").count() > 0, "the page shows no outputs: was the lesson executed?"
    if has_explorer(nb):
        player = page.locator(PLAYER).first
        player.wait_for(state="visible", timeout=30_000)
        player.scroll_into_view_if_needed()
        drag_first_slider(page, player, screenshots / f"site_{lesson.stem}_before.png",
                          screenshots / f"site_{lesson.stem}_after.png")
    assert problems == []


def test_a_slider_between_precomputed_values_says_so(site, page):
    """A slider whose values were thinned for the page (coursekit/explore/frames.py) shows the
    nearest precomputed frame and says so; back on a precomputed value the note goes."""
    lesson = next(p for p in LESSONS if p.stem.startswith("05_"))   # ReLU pieces: thinned slopes
    problems = open_offline(page, site / f"{lesson.stem}.html")
    page.locator(PLAYER).first.wait_for(state="visible", timeout=30_000)
    notes = []
    for player in page.locator(PLAYER).all():
        note = player.locator(".ck-frames-note")
        for slider in player.locator("input[type=range]").all():
            start = slider.input_value()
            for value in ("min", "+step"):   # one step above the minimum: off a grid thinned by 2 or more
                slider.evaluate("(s, v) => { s.value = v === 'min' ? s.min : String(Number(s.min) + Number(s.step));"
                                " s.dispatchEvent(new Event('input', {bubbles: true})); }", value)
                notes.append((value, note.inner_text()))
            slider.evaluate("(s, v) => { s.value = v; s.dispatchEvent(new Event('input', {bubbles: true})); }", start)
    assert all(text == "" for value, text in notes if value == "min"), notes
    assert any("is between precomputed values: showing" in text for value, text in notes if value == "+step"), notes
    assert problems == []


def frame_bytes(page: Path) -> list[int]:
    """Bytes of frames of every explorer stored in a built page's widget state."""
    sizes = []
    for state in WIDGET_STATE.findall(page.read_text()):
        for model in json.loads(state)["state"].values():
            if model.get("model_module") == "anywidget" and "images" in model["state"]:  # [x, y, w, h, png]
                sizes.append(len(model["state"]["base"]) + sum(len(image[-1]) for image in model["state"]["images"]))
    return sizes


def test_site_within_budget(site):
    total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    assert total <= MAX_SITE_BYTES, f"the site is {total / 1e6:.1f} MB"
    frames = {page.name: frame_bytes(page) for page in site.glob("*.html")}
    assert any(frames.values()), "no page carries precomputed frames"
    over = {name: sizes for name, sizes in frames.items() if max(sizes, default=0) > MAX_FRAME_BYTES}
    assert over == {}, f"explorers over {MAX_FRAME_BYTES} bytes of frames: {over}"
