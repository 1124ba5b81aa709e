"""A failed check in a lesson or exercise (a live IPython kernel, as in JupyterLab) shows the
cell's line and the check's message, not coursekit/checks' frames or any absolute path;
an error in the student's own code keeps its whole traceback (issue 19, item 3)."""
from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CHECK_CELL = 'v = [0.2]\ncheck_close("velocity after one momentum step", v, [-0.2])\nprint("not reached")'
STUDENT_CELL = "def momentum_step(v):\n    return v / 0\n\n\nmomentum_step(1)"


def _tracebacks(*cells: str) -> list[str]:
    """The text of each cell's error traceback (ANSI colours removed), cells run in one kernel."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return ["\n".join(ANSI.sub("", line) for line in out.traceback)
            for cell in nb.cells for out in cell.outputs if out.output_type == "error"]


def _check_failure_shown_as_in_lab(setup: str) -> str:
    text, = _tracebacks("from coursekit.checks import check_close\n" + setup, CHECK_CELL)
    return text


def test_a_failed_check_shows_the_cells_line_and_the_message_only():
    text = _check_failure_shown_as_in_lab("")
    assert text.splitlines() == [
        "Cell In[2], line 2",
        '----> 2 check_close("velocity after one momentum step", v, [-0.2])',
        "CheckFailed: Checked: velocity after one momentum step",
        "  expected: [-0.2]",
        "  received: [0.2]",
        "  1 of 1 entries differ; largest difference 0.4 at index (0,) (tolerance rtol=1e-06, atol=1e-09)",
    ]


def test_without_the_hook_the_checkers_frames_and_paths_would_show():
    """The control: IPython's default traceback of the same failure names coursekit/checks/__init__.py by its path."""
    text = _check_failure_shown_as_in_lab("from coursekit.checks import CheckFailed\n"
                                          "del CheckFailed._render_traceback_")
    assert re.search(r"File \S*/coursekit/checks/__init__\.py", text), text


def test_an_error_in_the_students_code_keeps_its_traceback():
    text, = _tracebacks(STUDENT_CELL)
    assert "ZeroDivisionError" in text
    assert "----> 5 momentum_step(1)" in text and "----> 2     return v / 0" in text
