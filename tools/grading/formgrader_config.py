"""Jupyter server settings for the instructor's formgrader (``make formgrader``; issue 19).

Loaded with ``jupyter lab --config=tools/grading/formgrader_config.py`` in the graded course
(``build/grading/course``; nbgrader's own settings, e.g. the course id, come as usual): nbgrader's formgrader then renders each autograded notebook cleaned
of active content, and sends it with a Content-Security-Policy that lets no script inside the
notebook run (``tools/grading/formgrader.py``).
"""
import sys
from pathlib import Path

REPO = str(Path(__file__).resolve().parents[2])
if REPO not in sys.path:
    sys.path.insert(0, REPO)   # `tools` is not an installed package

from tools.grading.sanitize import SanitizeNotebook, clean_html  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.ServerApp.jpserver_extensions.update({"tools.grading.formgrader": True})
# the formgrader's exporter (nbconvert's HTMLExporter with nbgrader's template)
c.HTMLExporter.preprocessors = [SanitizeNotebook]
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {"clean_html": clean_html}
