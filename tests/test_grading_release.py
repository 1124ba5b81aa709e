"""The student copies: generated from the solutions, up to date, and free of solution code.

Also the grader's static checks (locked cells, tampering code), which need no kernel.
"""
from __future__ import annotations

import copy
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from tools.grading import integrity
from tools.grading.config import EXERCISES, SOLUTIONS, assignment_names, create_gradebook
from tools.grading.release import write_exercises

NAMES = assignment_names()
REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.S)


def _read(path):
    return nbformat.read(str(path), as_version=4)


def _normalised(path) -> dict:
    return json.loads(path.read_text())


def test_there_are_twelve_assignments_each_with_a_student_copy():
    # exactly the 12 exercises of the README's lessons-and-exercises table: one lost (or added without
    # updating the table and this count) fails here
    assert len(NAMES) == 12, NAMES
    assert sorted(p.stem for p in EXERCISES.glob("*.ipynb")) == NAMES


def test_exercises_are_up_to_date_with_the_solutions(tmp_path):
    """`make exercises` into a temporary folder gives exactly the committed student copies."""
    write_exercises(tmp_path)
    stale = [n for n in NAMES if _normalised(tmp_path / f"{n}.ipynb") != _normalised(EXERCISES / f"{n}.ipynb")]
    assert not stale, f"exercises/ is out of date for {stale}: run `make exercises` and commit"


def test_a_new_gradebook_is_stamped_with_the_revision_nbgraders_own_command_reports(tmp_path, monkeypatch):
    """The grader creates the gradebook in-process; nbgrader then opens it without asking
    `alembic heads` (made to fail here), and the stamp is what that command reports."""
    import nbgrader.api
    import tools.grading.grade  # noqa: F401  (importing the grader replaces nothing in nbgrader)
    assert nbgrader.api.get_alembic_version.__module__ == "nbgrader.api"
    create_gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}")
    monkeypatch.setattr(nbgrader.api, "get_alembic_version", lambda: pytest.fail("nbgrader ran alembic"))
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment("a")
    [(stamped,)] = sqlite3.connect(tmp_path / "gradebook.db").execute("SELECT version_num FROM alembic_version")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    reported = subprocess.run([sys.executable, "-c", "import nbgrader.api; print(nbgrader.api.get_alembic_version())"],
                              capture_output=True, text=True, env=env, check=True).stdout.strip()
    assert stamped == reported and len(reported) == 12


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_or_hidden_test_line_appears_in_the_exercise(name):
    """Every line of every solution region and hidden-test region is absent from the student copy
    (lines that also occur outside those regions, such as ``import numpy as np``, are exempt)."""
    source = _read(SOLUTIONS / f"{name}.ipynb")
    secret, public = set(), set()
    for cell in source.cells:
        for m in REGION.finditer(cell.source):
            secret |= {line.strip() for line in m.group(2).splitlines() if line.strip()}
        public |= {line.strip() for line in REGION.sub("", cell.source).splitlines()}
    secret -= public
    assert secret, "an assignment without solution regions"
    exercise_lines = {line.strip() for cell in _read(EXERCISES / f"{name}.ipynb").cells
                      for line in cell.source.splitlines()}
    leaked = sorted(secret & exercise_lines)
    assert not leaked, f"solution code in exercises/{name}.ipynb: {leaked}"


@pytest.mark.parametrize("name", NAMES)
def test_each_assignment_has_locked_graded_tests_some_hidden(name):
    source = _read(SOLUTIONS / f"{name}.ipynb")
    tests = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert tests and all(c.metadata.nbgrader["locked"] and c.metadata.nbgrader["points"] > 0 for c in tests)
    assert any("### BEGIN HIDDEN TESTS" in c.source for c in tests)
    # a test may only use helpers it imports itself (a student can rebind any global)
    assert all("from coursekit.checks import" in c.source for c in tests)


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_saved_clean_with_slide_metadata(name):
    for path in (SOLUTIONS / f"{name}.ipynb", EXERCISES / f"{name}.ipynb"):
        for cell in _read(path).cells:
            assert "slide_type" in cell.metadata.get("slideshow", {})
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None


# -- static checks of a submission --------------------------------------------------------
def _exercise(name="06_optimizers"):
    return _read(EXERCISES / f"{name}.ipynb")


def test_an_unchanged_exercise_has_no_findings():
    nb = _exercise()
    assert integrity.locked_cell_changes(nb, nb) == [] and integrity.suspicious_code(nb, nb) == []


def test_deleted_and_edited_locked_cells_are_found():
    release = _exercise()
    nb = copy.deepcopy(release)
    tests = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")]
    nb.cells[tests[0]].source += "\nprint('changed')"
    del nb.cells[tests[1]]
    changes = integrity.locked_cell_changes(nb, release)
    assert changes == ["locked cell 'test_momentum' was edited (the grader restores it)",
                       "locked cell 'test_rmsprop' was deleted (the grader puts test cells back)"]


@pytest.mark.parametrize("code,finding", [
    ("import os\nos._exit(0)", "calls os._exit"),
    ("get_ipython().input_transformers_post.append(lambda lines: [])", "uses get_ipython"),
    ("import numpy as np\nnp.testing.assert_allclose = print", "changes the library attribute np.testing.assert_allclose"),
    ("import builtins", "imports builtins"),
    ("class A:\n    def __eq__(self, other):\n        return True", "defines __eq__"),
    ("def check_close(*a):\n    pass", "redefines the grading helper check_close()"),
    ("print('All tests passed')", "looks like a test result"),
])
def test_code_that_tampers_with_the_grader_is_flagged(code, finding):
    release = _exercise()
    nb = copy.deepcopy(release)
    nb.cells.append(nbformat.v4.new_code_cell(code))
    assert any(finding in f for f in integrity.suspicious_code(nb, release)), integrity.suspicious_code(nb, release)


def test_honest_answers_are_not_flagged():
    for name in NAMES:
        source = _read(SOLUTIONS / f"{name}.ipynb")
        assert integrity.suspicious_code(source, _exercise(name)) == [], name


@pytest.mark.parametrize("content", ["", "{", "\x00\x01binary",
                                     '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}'])
def test_unreadable_files_are_recognised(tmp_path, content):
    path = tmp_path / "x.ipynb"
    path.write_text(content)
    nb, reason = integrity.read_notebook(path)
    assert nb is None and reason.startswith("not a valid notebook")
