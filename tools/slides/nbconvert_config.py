"""nbconvert settings for the offline decks: ``jupyter nbconvert --config tools/slides/nbconvert_config.py``.

Each lesson is executed (so the widget state, ipympl figures included, is stored in the deck,
see ``execute.py``)
and exported with the ``coursekit_reveal`` template. Every script, style and font URL points
into ``assets/`` beside the deck, filled from the npm packages by ``assets.py``; the deck opens
without a network.
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from execute import ExecuteWithFigures  # noqa: E402 (found through the line above)

ASSETS = "assets"  # relative to the deck; assets.py writes the same layout

c = get_config()  # noqa: F821 (provided by traitlets when nbconvert loads this file)
c.NbConvertApp.export_format = "slides"
c.TemplateExporter.extra_template_basedirs = [str(HERE / "templates")]
c.TemplateExporter.template_name = "coursekit_reveal"

# Executed by ExecuteWithFigures, not by nbconvert's own ExecutePreprocessor (left disabled).
c.SlidesExporter.preprocessors = [ExecuteWithFigures]
c.ExecuteWithFigures.store_widget_state = True
c.ExecuteWithFigures.timeout = 120
c.ExecuteWithFigures.kernel_name = "python3"

c.SlidesExporter.reveal_url_prefix = f"{ASSETS}/reveal.js"
c.SlidesExporter.reveal_theme = "white"
c.SlidesExporter.reveal_number = "c/t"
# A slide of 1280 x 900 px (reveal scales it to the screen) holds an explorer: its sliders
# and a 10-inch figure; wider figures are shrunk to fit by the template's CSS.
c.SlidesExporter.reveal_width = "1280"
c.SlidesExporter.reveal_height = "900"
c.HTMLExporter.require_js_url = f"{ASSETS}/requirejs/require.js"
c.HTMLExporter.jquery_url = f"{ASSETS}/jquery/jquery.min.js"
c.HTMLExporter.mathjax_url = f"{ASSETS}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
c.HTMLExporter.widget_renderer_url = f"{ASSETS}/html-manager/embed-amd.js"
