"""The nbgrader preprocessor that keeps displayed scores out of the grades.

nbgrader's autograde pipeline is kept as it is (sanitize, restore locked cells from the
gradebook, run — in the sandbox, the ``tools/grading/sandbox/`` package — save grades, late penalties);
one step is ours, :class:`IgnoreDisplayedResults`, which runs after the executor: a test cell
scores by raising no error, and nbgrader takes a number that a test cell *displays* as a
partial score. Our test cells display nothing, so a displayed result in a test cell came from
student code (a fake score): it is replaced by a note before nbgrader scores the cell.
"""
from __future__ import annotations

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

REMOVED_RESULT = "[grader] removed a result displayed by this test cell (test cells display nothing): "


class IgnoreDisplayedResults(NbGraderPreprocessor):
    """Replace any result displayed by a test cell with a note (see the module docstring)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=REMOVED_RESULT
                                       + str(o.get("data", {}).get("text/plain", ""))[:80] + "\n")
                if o.output_type == "execute_result" else o
                for o in cell.outputs]
        return cell, resources
