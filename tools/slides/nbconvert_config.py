"""nbconvert settings for the offline decks: ``jupyter nbconvert --config tools/slides/nbconvert_config.py``.

The input is a lesson already executed by ``execute.py`` (outputs and widget state, ipympl
figures and precomputed explorer frames included); it is exported with the ``coursekit_reveal``
template, not run again. Every script, style and font URL points
into ``assets/`` beside the deck, filled from the npm packages by ``assets.py``; the deck opens
without a network.
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent

ASSETS = "assets"  # relative to the deck; assets.py writes the same layout

c = get_config()  # noqa: F821 (provided by traitlets when nbconvert loads this file)
c.NbConvertApp.export_format = "slides"
c.TemplateExporter.extra_template_basedirs = [str(HERE / "templates")]
c.TemplateExporter.template_name = "coursekit_reveal"

c.SlidesExporter.reveal_url_prefix = f"{ASSETS}/reveal.js"
c.SlidesExporter.reveal_theme = "white"
c.SlidesExporter.reveal_number = "c/t"
# A slide is 1280 x 800 px (reveal scales it to the screen). Wider figures are shrunk to the
# slide's width by the template's CSS; a slide whose content is taller is zoomed out to fit by
# the template's script (tests/browser/test_offline_decks.py measures every slide).
c.SlidesExporter.reveal_width = "1280"
c.SlidesExporter.reveal_height = "800"
c.HTMLExporter.require_js_url = f"{ASSETS}/requirejs/require.js"
c.HTMLExporter.jquery_url = f"{ASSETS}/jquery/jquery.min.js"
c.HTMLExporter.mathjax_url = f"{ASSETS}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
c.HTMLExporter.widget_renderer_url = f"{ASSETS}/html-manager/embed-amd.js"
