"""The nbgrader preprocessors that run a submission and keep its scores honest.

nbgrader's autograde pipeline is kept as it is (sanitize, restore locked cells from the
gradebook, run, save grades, late penalties); two steps are ours:

* :class:`RunSubmission` replaces nbgrader's ``Execute``: it hands the notebook to a *runner*,
  a function ``runner(nb, *, cwd, cell_timeout, notebook_timeout) -> executed notebook`` that
  executes it elsewhere — a child process by default
  (:func:`tools.grading.execute.run_in_subprocess`). The executed notebook that comes back is
  not trusted: only its outputs are copied, and only if its cells are exactly the cells that
  were sent; a run that fails gives every code cell an error (no points). (The sandbox,
  ``tools/grading/sandbox.py``, instead swaps ``Execute`` for its own executor.)
* :class:`IgnoreDisplayedResults` runs after whichever executor: a test cell scores by raising
  no error, and nbgrader takes a number that a test cell *displays* as a partial score. Our
  test cells display nothing, so a displayed result in a test cell came from student code (a
  fake score): it is replaced by a note before nbgrader scores the cell.
"""
from __future__ import annotations

import copy

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Callable, Float

from . import execute

GRADING_ENAME = "GradingError"
REMOVED_RESULT = "[grader] removed a result displayed by this test cell (test cells display nothing): "


def _mismatch(sent, ran) -> str | None:
    """Why ``ran`` is not an execution of ``sent``, or None."""
    try:
        nbformat.validate(ran)
    except Exception as exc:
        return f"the runner returned an invalid notebook ({type(exc).__name__})"
    if len(ran.cells) != len(sent.cells):
        return f"the runner returned {len(ran.cells)} cells instead of {len(sent.cells)}"
    for i, (a, b) in enumerate(zip(sent.cells, ran.cells)):
        if a.cell_type != b.cell_type or a.source != b.source:
            return f"cell {i + 1} came back changed from the runner"
    return None


class RunSubmission(NbGraderPreprocessor):
    """Execute the notebook with ``runner`` and keep the outputs (see the module docstring)."""

    cell_timeout = Float(30.0, help="seconds a cell may run before it is interrupted").tag(config=True)
    notebook_timeout = Float(600.0, help="seconds the whole notebook may run").tag(config=True)
    runner = Callable(execute.run_in_subprocess, help="runner(nb, *, cwd, cell_timeout, notebook_timeout)").tag(config=True)

    def preprocess(self, nb, resources):
        cwd = resources.get("metadata", {}).get("path") or "."
        try:
            ran = self.runner(copy.deepcopy(nb), cwd=cwd, cell_timeout=self.cell_timeout,
                              notebook_timeout=self.notebook_timeout)
            problem = _mismatch(nb, ran)
        except execute.RunnerError as exc:
            problem = str(exc)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if problem:
                cell.outputs = [nbformat.v4.new_output("error", ename=GRADING_ENAME, evalue=problem,
                                                       traceback=[f"{GRADING_ENAME}: {problem}"])]
            else:
                cell.outputs = ran.cells[i].outputs
                cell.execution_count = ran.cells[i].get("execution_count")
        return nb, resources


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
