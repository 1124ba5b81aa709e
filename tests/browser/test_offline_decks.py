"""A lecture hall with no network: each lesson's offline deck, opened from file://.

Facts checked for every lesson: opening and stepping through the deck attempts no request
other than local files (every other request is blocked and recorded), the page raises no
script error, MathJax typesets the lesson's equations from the local copy (no raw ``$$`` is
left on any slide; the slide shown after stepping quickly keeps its rendered equations), the
widgets stored at build time render, no figure is wider than its slide, every slide's content
fits the 1280 x 800 slide (each slide shown in turn and measured), and dragging a slider of
the lesson's first explorer shows another precomputed frame (no kernel). Screenshots of that
explorer go to build/screenshots/.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from frames import PLAYER, drag_first_slider, has_explorer
from offline import block_network
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
REVEAL = "() => Object.entries(requirejs.s.contexts._.defined).find(([id]) => id.endsWith('/dist/reveal.js'))?.[1]"
REVEAL_READY = f"() => window.requirejs && ({REVEAL})() && ({REVEAL})().isReady()"
TYPESET = "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running"
# One call in the page: Reveal.next until the last fragment of the last slide (at most 400).
STEP_TO_END = """() => {
    let steps = 0;
    while (steps < 400 && !(Reveal.isLastSlide() && Reveal.availableFragments().next === false)) {
        Reveal.next();
        steps++;
    }
    return steps;
}"""
# Right edges of the ipympl figures that stick out of their slide, and the slide's right edge
# (each slide shown in turn; both measured mid-transition alike, so they compare).
FIGURES_CUT_OFF = """() => [...document.querySelectorAll('.jupyter-matplotlib-canvas-div')].map(figure => {
    const slide = figure.closest('section');
    const at = Reveal.getIndices(slide);
    Reveal.slide(at.h, at.v);
    return [figure.getBoundingClientRect().right, slide.getBoundingClientRect().right];
}).filter(([right, edge]) => right > edge + 1)"""
# Equations of the shown slide without MathJax output (the TeX is kept in a script per equation).
UNRENDERED = """() => {
    const slide = Reveal.getCurrentSlide();
    return slide.querySelectorAll('script[type^="math/tex"]').length - slide.querySelectorAll('.MathJax_CHTML').length;
}"""
POLL = 100  # ms between checks of a waited-for condition (instead of every animation frame)
SLIDE = (1280, 800)  # tools/slides/nbconvert_config.py
FIT_TIMEOUT = 3_000  # ms for the template to zoom a tall slide out
# reveal centres a slide by the section's own height, which can differ by a few pixels from its
# cells' extent (their margins): a slide whose content fits may sit 2 px low (seen in CI).
OUTSIDE_PX = 4
# [h, v] of every slide that shows content (a vertical stack's own section only groups others).
SLIDES = """() => [...document.querySelectorAll('.reveal .slides section')]
    .filter(s => !s.querySelector('section')).map(s => { const i = Reveal.getIndices(s); return [i.h, i.v || 0]; })"""
# Height of the shown slide's content (its cells, fragments not yet shown included) and how far
# it sticks out above or below the slide, in slide pixels (reveal scales the slide to the window).
OVERFLOW = """() => {
    const slide = Reveal.getCurrentSlide(), box = document.querySelector('.reveal .slides').getBoundingClientRect();
    const rects = [...slide.children].filter(c => c.getClientRects().length).map(c => c.getBoundingClientRect());
    if (!rects.length) return [0, 0];
    const top = Math.min(...rects.map(r => r.top)), bottom = Math.max(...rects.map(r => r.bottom));
    const scale = Reveal.getScale();
    return [(bottom - top) / scale, Math.max(box.top - top, bottom - box.bottom, 0) / scale];
}"""


def has_math(nb) -> bool:
    return any("$" in cell.source for cell in nb.cells if cell.cell_type == "markdown")


@pytest.mark.parametrize("lesson", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_offline_deck(lesson, decks, page, screenshots):
    nb = nbformat.read(lesson, as_version=4)
    deck = decks / f"{lesson.stem}.slides.html"
    assert deck.is_file(), f"make slides did not build {deck}"
    attempted, errors = [], []
    block_network(page, attempted.append)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(deck.as_uri())
    # The template loads reveal.js through RequireJS, so Reveal is a module, not a global.
    page.wait_for_function(REVEAL_READY, timeout=30_000, polling=POLL)
    page.evaluate(f"() => {{ window.Reveal = ({REVEAL})(); }}")
    page.wait_for_function(TYPESET, timeout=30_000, polling=POLL)

    # Step through every slide and fragment in order (Reveal.next: what Space does; the
    # keyboard is not used because a focused widget would swallow the key presses).
    steps = page.evaluate(STEP_TO_END)
    assert page.evaluate("() => Reveal.isLastSlide()"), f"could not reach the last slide in {steps} steps"
    page.wait_for_function(TYPESET, timeout=30_000, polling=POLL)
    assert page.evaluate(UNRENDERED) == 0, "equations on the last slide lost their rendering while stepping"

    if has_math(nb):
        assert page.locator(".MathJax_CHTML, .MathJax").count() > 0, "no equation was typeset"
        assert page.locator(".MathJax_Error, .mjx-merror").count() == 0
        raw = page.evaluate("() => [...document.querySelectorAll('.slides section')]"
                            ".filter(s => s.innerText.includes('$$')).length")
        assert raw == 0, f"{raw} slide(s) still show raw $$ (MathJax did not run)"
    if page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count():
        page.locator(".widget-slider, .widget-hslider, .ck-frames-input").first.wait_for(state="attached", timeout=30_000)
        cut = page.evaluate(FIGURES_CUT_OFF)
        assert cut == [], f"figures wider than their slide (right edge, slide's right edge): {cut}"

    # Every slide in turn, without transitions, once its equations are typeset.
    page.evaluate("() => Reveal.configure({transition: 'none'})")
    too_tall = []
    for h, v in page.evaluate(SLIDES):
        page.evaluate(f"() => Reveal.slide({h}, {v})")
        page.wait_for_function(TYPESET, timeout=30_000, polling=POLL)
        # The template zooms a tall slide out once its cells have resized (widgets render, text
        # re-wraps at the new zoom), a few frames after it is shown: give it until it settles.
        try:
            page.wait_for_function(f"() => ({OVERFLOW})()[1] <= {OUTSIDE_PX}", timeout=FIT_TIMEOUT, polling=POLL)
        except PlaywrightTimeout:
            pass
        height, over = page.evaluate(OVERFLOW)
        if over > OUTSIDE_PX:
            too_tall.append(f"slide {h}.{v}: content {height:.0f} px high, {over:.0f} px outside")
    assert too_tall == [], f"slides whose content does not fit {SLIDE[0]} x {SLIDE[1]}: {too_tall}"

    if has_explorer(nb):
        player = page.locator(PLAYER).first
        player.wait_for(state="attached", timeout=30_000)
        # Its slide, every fragment shown (the explorer may be one).
        player.evaluate("el => { const i = Reveal.getIndices(el.closest('section')); Reveal.slide(i.h, i.v);"
                        " while (Reveal.nextFragment()); }")
        page.wait_for_function(TYPESET, timeout=30_000, polling=POLL)
        assert page.evaluate(UNRENDERED) == 0, "equations on the explorer's slide are not rendered"
        drag_first_slider(page, player, screenshots / f"deck_{lesson.stem}_before.png",
                          screenshots / f"deck_{lesson.stem}_after.png")

    assert attempted == [], f"the deck tried the network: {attempted}"
    assert errors == [], errors
