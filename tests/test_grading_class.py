"""The grader, graded: one nbgrader run over a class of solutions, exercises, wrong answers and
cheats (built from the solution notebooks by tests/grading/cases.py), then facts about the scores
and the instructor's report.

One batch run for the whole module (a session fixture), because every submission costs a
kernel start: grading them one test at a time would take many times longer.
"""
from __future__ import annotations

import csv
import importlib.util
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from tools.grading import grade, sandbox
from tools.grading.config import EXERCISES, SOLUTIONS, assignment_names

pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location("grading_cases", Path(__file__).parent / "grading" / "cases.py")
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)

NAMES = assignment_names()
# the sandbox's clock per cell: the infinite loop costs this once; the digits training needs a few seconds
LIMITS = sandbox.Limits(cell_timeout=20)
LATE_STAMP = "2099-01-01 12:00:00 UTC"  # after every due date in nbgrader_config.py
ROSTER = ["sol_06_optimizers", "absent"]


def _write(folder: Path, name: str, nb) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / f"{name}.ipynb"))


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """Grade the whole synthetic class once; returns {(student, assignment): Outcome} and paths."""
    base = tmp_path_factory.mktemp("grading_class")
    submitted, output = base / "submitted", base / "output"
    solution = {n: nbformat.read(str(SOLUTIONS / f"{n}.ipynb"), as_version=4) for n in NAMES}
    exercise = {n: nbformat.read(str(EXERCISES / f"{n}.ipynb"), as_version=4) for n in NAMES}
    for name in NAMES:
        _write(submitted / f"sol_{name}" / name, name, solution[name])
        _write(submitted / f"ex_{name}" / name, name, exercise[name])
        for mutation, (old, new) in cases.MUTATIONS[name].items():
            _write(submitted / f"mut_{name}_{mutation}" / name, name, cases.mutate(solution[name], old, new))
    for cheat, (name, nb) in cases.cheats(solution, exercise).items():
        _write(submitted / f"cheat_{cheat}" / name, name, nb)
    # the same submission twice (training with seeded generators, a partial score)
    _write(submitted / "repeat_digits" / "05_digits_mlp", "05_digits_mlp", solution["05_digits_mlp"])
    shutil.copytree(submitted / "mut_07_regularization_l2_missing_half", submitted / "repeat_partial")
    (submitted / "sol_06_optimizers" / "06_optimizers" / "timestamp.txt").write_text(LATE_STAMP)
    (submitted / "broken" / "01_perceptron_xor").mkdir(parents=True)
    (submitted / "broken" / "01_perceptron_xor" / "01_perceptron_xor.ipynb").write_text('{"cells": [')
    # a roster: who was asked to hand in every assignment (the others handed in one each)
    outcomes = grade.grade_class(submitted, output, limits=LIMITS, feedback=False, students=ROSTER,
                                 log=lambda *_: None)
    return {(o.student, o.assignment): o for o in outcomes}, output


def _cheat(graded_class, cheat):
    """The outcome of the cheat's one submission (its student has none for the other assignments)."""
    return next(o for (s, _), o in graded_class[0].items() if s == f"cheat_{cheat}" and o.status != "missing")


def _full(outcome) -> bool:
    return outcome.status == "graded" and outcome.max_score > 0 and outcome.score == outcome.max_score


@pytest.mark.parametrize("name", NAMES)
def test_every_solution_scores_full_marks(graded_class, name):
    outcome = graded_class[0][(f"sol_{name}", name)]
    assert _full(outcome), (outcome.score, outcome.max_score, outcome.exercises, outcome.problems)


@pytest.mark.parametrize("name", NAMES)
def test_every_unmodified_exercise_scores_zero(graded_class, name):
    outcome = graded_class[0][(f"ex_{name}", name)]
    assert outcome.status == "graded" and outcome.max_score > 0
    assert outcome.score == 0, outcome.exercises


@pytest.mark.parametrize("name,mutation", [(n, m) for n in NAMES for m in cases.MUTATIONS[n]])
def test_each_plausible_wrong_answer_loses_points(graded_class, name, mutation):
    outcome = graded_class[0][(f"mut_{name}_{mutation}", name)]
    assert outcome.status == "graded"
    assert outcome.score < outcome.max_score, (mutation, outcome.exercises)


def test_every_assignment_has_at_least_five_mutations():
    assert set(cases.MUTATIONS) == set(NAMES)
    assert all(len(m) >= 5 for m in cases.MUTATIONS.values())


@pytest.mark.parametrize("cheat", ["redefined_helpers", "monkeypatched_helpers", "always_equal",
                                   "deleted_test_cells", "edited_test_cells", "fake_test_output"])
def test_cheats_on_the_exercise_score_nothing(graded_class, cheat):
    outcome = _cheat(graded_class, cheat)
    assert outcome.status == "graded" and outcome.score == 0, outcome.exercises


@pytest.mark.parametrize("cheat,lost", [("infinite_loop", "test_rmsprop"), ("kernel_exit", "test_adam"),
                                        ("kernel_kill", "test_perceptron_update")])
def test_a_runaway_or_dying_kernel_costs_only_the_cells_it_breaks(graded_class, cheat, lost):
    """The grader survives, the broken cells score 0, the cells before them still count."""
    outcome = _cheat(graded_class, cheat)
    assert outcome.status == "graded"
    assert outcome.exercises[lost][0] == 0
    assert 0 < outcome.score < outcome.max_score, outcome.exercises


def test_deleted_test_cells_are_put_back(graded_class):
    """A solution whose test cells were deleted still gets every test run, and full marks."""
    outcome = graded_class[0][("cheat_solution_with_deleted_test_cells", "06_optimizers")]
    assert _full(outcome) and len(outcome.exercises) == 3, outcome.exercises


@pytest.mark.parametrize("cheat,reported", [
    ("redefined_helpers", "redefines the grading helper check_close()"),
    ("monkeypatched_helpers", "changes the library attribute g.check_close"),
    ("always_equal", "defines __eq__"),
    ("fake_test_output", "looks like a test result"),
    ("deleted_test_cells", "locked cell 'test_adam' was deleted"),
    ("edited_test_cells", "locked cell 'test_adam' was edited"),
    ("fake_test_output", "displayed a result (a fake score?)"),
    ("infinite_loop", f"rmsprop: sandbox: the cell did not finish within {LIMITS.cell_timeout} s"),
    ("kernel_exit", "sandbox: the kernel died"),
    ("kernel_kill", "sandbox: the kernel died"),
])
def test_cheats_are_reported(graded_class, cheat, reported):
    outcome = _cheat(graded_class, cheat)
    assert any(reported in line for line in outcome.problems + outcome.flags), outcome.problems + outcome.flags
    report = (graded_class[1] / "report.md").read_text()
    assert f"cheat_{cheat}" in report


def test_honest_solutions_are_not_flagged(graded_class):
    for name in NAMES:
        assert graded_class[0][(f"sol_{name}", name)].flags == []


@pytest.mark.parametrize("first,second", [(("sol_05_digits_mlp", "05_digits_mlp"), ("repeat_digits", "05_digits_mlp")),
                                          (("mut_07_regularization_l2_missing_half", "07_regularization"),
                                           ("repeat_partial", "07_regularization"))])
def test_grading_the_same_submission_twice_gives_the_same_scores(graded_class, first, second):
    a, b = graded_class[0][first], graded_class[0][second]
    assert a.status == b.status == "graded"
    assert a.exercises == b.exercises and a.score == b.score


def test_late_missing_and_unreadable_submissions_are_reported_not_crashed_on(graded_class):
    outcomes, output = graded_class
    late = outcomes[("sol_06_optimizers", "06_optimizers")]
    assert late.seconds_late > 0 and late.problems[0].startswith("late by") and _full(late)
    assert outcomes[("sol_06_optimizers", "01_perceptron_xor")].status == "missing"  # on the roster
    assert {o.status for (student, _), o in outcomes.items() if student == "absent"} == {"missing"}
    assert ("sol_01_perceptron_xor", "06_optimizers") not in outcomes  # never asked for it
    broken = outcomes[("broken", "01_perceptron_xor")]
    assert broken.status == "unreadable" and "not a valid notebook" in broken.problems[0]
    report = (output / "report.md").read_text()
    assert "**Unreadable:** broken" in report and "late by" in report and "**Missing:**" in report


def test_a_notebook_handed_in_as_a_symbolic_link_is_not_followed(tmp_path):
    """Followed, the link would have the grader read (and grade) a file the student cannot."""
    name = "06_optimizers"
    folder = tmp_path / "submitted" / "eve" / name
    folder.mkdir(parents=True)
    (folder / f"{name}.ipynb").symlink_to(SOLUTIONS / f"{name}.ipynb")
    outcome = grade.Outcome("eve", name)
    assert not grade._hand_in(tmp_path / "course", tmp_path / "submitted", outcome)
    assert outcome.status == "unreadable" and outcome.problems == [f"{name}.ipynb is a symbolic link; it was not followed"]
    assert not (tmp_path / "course" / "submitted").exists()


def test_the_csv_files_agree_with_the_gradebook(graded_class):
    outcomes, output = graded_class
    with open(output / "scores_by_assignment.csv") as fh:
        rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(fh)}
    assert set(rows) == set(outcomes)
    with open(output / "scores_by_exercise.csv") as fh:
        by_exercise = list(csv.DictReader(fh))
    for (student, name), outcome in outcomes.items():
        assert float(rows[(student, name)]["score"]) == outcome.score
        mine = [float(r["score"]) for r in by_exercise if (r["student"], r["assignment"]) == (student, name)]
        assert sum(mine) == pytest.approx(outcome.score)
    with open(output / "scores_by_student.csv") as fh:
        totals = {r["student"]: float(r["total"]) for r in csv.DictReader(fh)}
    assert totals["sol_01_perceptron_xor"] == outcomes[("sol_01_perceptron_xor", "01_perceptron_xor")].score
    assert json.loads((output / "report.json").read_text())


def test_one_command_writes_feedback_a_student_can_act_on(tmp_path, capsys):
    """`make grade`'s entry point on a small class: the feedback HTML of a wrong answer shows what
    was checked, the expected value and the value received."""
    name = "06_optimizers"
    solution = nbformat.read(str(SOLUTIONS / f"{name}.ipynb"), as_version=4)
    old, new = cases.MUTATIONS[name]["momentum_sign_flipped"]
    _write(tmp_path / "submitted" / "ada" / name, name, cases.mutate(solution, old, new))
    assert grade.main(["--submissions", str(tmp_path / "submitted"), "--output", str(tmp_path / "out"),
                       "--assignment", name]) == 0
    assert "graded 1 submission(s)" in capsys.readouterr().out
    html = (tmp_path / "out" / "course" / "feedback" / "ada" / name / f"{name}.html").read_text()
    assert "Checked: velocity after one momentum step" in html
    assert "expected: [-0.2]" in html and "received: [0.2]" in html
    assert (tmp_path / "out" / "course" / "gradebook.db").exists()
