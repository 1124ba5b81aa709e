"""Sphinx settings of the course site (``make site``; ``build.py`` lays out the sources).

The lessons arrive executed (``tools/slides/execute.py``), so myst-nb only renders them
(``nb_execution_mode = "off"``). Every script, style and font is local: MathJax 2, RequireJS,
the ipywidgets HTML manager and the widgets' own modules (ipympl's figure, anywidget for the
explorers' precomputed frames) are the decks' copies from npm (``slides/assets`` in the
site); the theme ships its own fonts. The site opens from disk (``file://``) with no network.
"""
from pathlib import Path

project = "coursekit"
author = "coursekit authors"
copyright = "coursekit authors, MIT licence"

extensions = ["myst_nb"]
exclude_patterns = ["exercises/**", "_build"]
nb_execution_mode = "off"  # executed once by tools/slides/execute.py, shared with the decks
myst_enable_extensions = ["dollarmath", "amsmath"]
nb_render_markdown_format = "myst"

html_theme = "sphinx_book_theme"
html_title = "coursekit: neural networks from first principles"
html_static_path = [str(Path(__file__).resolve().parents[2] / "build" / "site-src" / "_static")]  # filled by build.py
html_copy_source = False  # no _sources/ copies of the notebooks (the exercises are offered instead)
html_show_sourcelink = False
# Search results without a text snippet: the snippet is fetched from the page with fetch(),
# which browsers refuse for file:// pages (the site must work opened from disk).
html_show_search_summary = False
html_theme_options = {"show_toc_level": 2, "use_download_button": False, "home_page_in_toc": True}

# The pages load the decks' local copies (slides/ beside them, paths relative to _static), so
# the site holds each library once: MathJax 2, RequireJS, the ipywidgets HTML manager, ipympl's
# and anywidget's modules (widgets.js maps the module names to those files).
ASSETS = "../slides/assets"
mathjax_path = f"{ASSETS}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
# Sphinx marks the page "tex2jax_ignore" and the math (and notebook outputs) to process by class;
# MathJax 2 is told the classes here (myst-nb tells MathJax 3 the same in mathjax3_config).
mathjax2_config = {"tex2jax": {"processClass": "tex2jax_process|mathjax_process|math|output_area",
                               "processEscapes": True}}
# Widgets: RequireJS, then widgets.js (RequireJS paths of the local widget modules), then the
# HTML manager, which renders the widget state stored in each lesson page.
nb_ipywidgets_js = {
    f"{ASSETS}/requirejs/require.js": {},
    "widgets.js": {},
    f"{ASSETS}/html-manager/embed-amd.js": {},
}
