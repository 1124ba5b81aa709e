"""Parallel grading (`make grade JOBS=2`): exactly the outputs of one job, each job's kernels
under their own uid.

A class of 26 submissions (a solution and an untouched exercise of every assignment, wrong
answers, cheats that kill the kernel or fake a score, a late one, an unreadable one) is graded
with one job and then with two, into the same folder; the gradebook's rows, the CSVs, the
report, the autograded notebooks and the feedback pages must be the same, byte for byte.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sqlite3
from pathlib import Path

import nbformat
import pytest

from tools.grading import grade, sandbox
from tools.grading.config import EXERCISES, SOLUTIONS, assignment_names

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="parallel grading needs root (a uid per job)")]

_spec = importlib.util.spec_from_file_location("grading_cases", Path(__file__).parent / "grading" / "cases.py")
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)

NAMES = assignment_names()
UUID = re.compile(r"[0-9a-f]{32}")


def _write(folder: Path, name: str, nb) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / f"{name}.ipynb"))


def _make_class(submitted: Path) -> int:
    solution = {n: nbformat.read(str(SOLUTIONS / f"{n}.ipynb"), as_version=4) for n in NAMES}
    exercise = {n: nbformat.read(str(EXERCISES / f"{n}.ipynb"), as_version=4) for n in NAMES}
    for name in NAMES:
        _write(submitted / f"sol_{name}" / name, name, solution[name])
        _write(submitted / f"ex_{name}" / name, name, exercise[name])
    for name in NAMES[:3]:
        mutation, (old, new) = next(iter(cases.MUTATIONS[name].items()))
        _write(submitted / f"mut_{name}" / name, name, cases.mutate(solution[name], old, new))
    for cheat in ("kernel_exit", "fake_test_output"):
        name, nb = cases.cheats(solution, exercise)[cheat]
        _write(submitted / f"cheat_{cheat}" / name, name, nb)
    (submitted / f"sol_{NAMES[0]}" / NAMES[0] / "timestamp.txt").write_text("2099-01-01 12:00:00 UTC")
    (submitted / "broken" / NAMES[0]).mkdir(parents=True)
    (submitted / "broken" / NAMES[0] / f"{NAMES[0]}.ipynb").write_text('{"cells": [')
    return sum(1 for _ in submitted.glob("*/*/*.ipynb"))


def gradebook_rows(db: Path) -> list:
    """Every row of every table in insertion order, nbgrader's random ids replaced by the order
    in which they first appear (two gradings can only agree up to those)."""
    names, rows = {}, []
    with sqlite3.connect(db) as connection:
        tables = [t for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for table in tables:
            for row in connection.execute(f"SELECT * FROM {table} ORDER BY rowid"):
                rows.append((table, *(names.setdefault(v, f"id{len(names)}") if isinstance(v, str) and UUID.fullmatch(v)
                                      else v for v in row)))
    return rows


# the verdict's nonce, fresh for every execution of a test cell (tools/grading/verdict.py), shows
# in the autograded notebook where a test cell's traceback quotes its rewritten source: two
# gradings, with any number of jobs, differ there and only there (not in the feedback)
NONCE = re.compile(rb"'[0-9a-f]{32}'")


def outputs(folder: Path) -> dict:
    """What a grading run leaves: each file's bytes (nonces masked), and the gradebook's rows."""
    found = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
             if p.is_file() and not p.name.startswith("gradebook.db")}
    found = {name: NONCE.sub(b"'nonce'", data) if name.startswith("course/autograded/") else data
             for name, data in found.items()}
    return {**found, "gradebook rows": gradebook_rows(folder / "course" / "gradebook.db")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("parallel")
    count = _make_class(base / "submitted")
    graded = {}
    for jobs in (1, 2):
        lines = []
        grade.grade_class(base / "submitted", base / "out", jobs=jobs, log=lines.append)
        graded[jobs] = (outputs(base / "out"), lines)
        (base / "out").rename(base / f"out{jobs}")  # the next run writes to the same paths
    return count, graded, base


def test_the_class_is_big_enough_to_mean_something(runs):
    count, graded, _ = runs
    assert count >= 20
    statuses = graded[1][0]["scores_by_assignment.csv"].decode()
    assert statuses.count(",graded,") == count - 1 and ",unreadable," in statuses
    # no roster: nobody was asked for the assignments they did not hand in
    assert ",missing," not in statuses and b"nobody is listed as missing" in graded[1][0]["report.md"]


def test_two_jobs_write_exactly_what_one_job_writes(runs):
    _, graded, _ = runs
    one, two = graded[1][0], graded[2][0]
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert any(name.startswith("course/feedback/") for name in one)
    assert len(one["gradebook rows"]) > 100


def test_the_workers_executed_every_readable_notebook(runs):
    """Else the two-job run could have executed in the grading process and matched trivially."""
    count, graded, _ = runs
    readable = count - 1  # the broken one
    assert f"{readable} of {readable} notebook(s) were executed by the parallel jobs" in graded[2][1]


def test_progress_says_done_of_total_rate_and_time_left(runs):
    count, graded, _ = runs
    readable = count - 1
    progress = [line for line in graded[1][1] if line.startswith("[")]
    assert len(progress) == readable
    assert re.fullmatch(rf"\[1/{readable}\] graded \S+ / \S+ · \d+\.\d\d per s · about .+ left", progress[0])
    assert progress[-1].startswith(f"[{readable}/{readable}] graded")


def test_the_comparison_sees_one_changed_byte_or_score(runs):
    _, _, base = runs
    changed = base / "changed"
    shutil.copytree(base / "out1", changed)
    feedback = next(changed.glob("course/feedback/*/*/*.html"))
    feedback.write_bytes(feedback.read_bytes().replace(b"<", b"[", 1))
    with sqlite3.connect(changed / "course" / "gradebook.db") as connection:
        connection.execute("UPDATE grade SET auto_score = auto_score + 1 WHERE rowid = 1")
    before, after = outputs(base / "out1"), outputs(changed)
    assert [name for name in before if before[name] != after[name]] == [
        str(feedback.relative_to(changed)), "gradebook rows"]


# ------------------------------------------------------------------ one uid per job

NAME = "01_perceptron_xor"
# a uid pool of its own (workers 65399, 65398): other graders on this machine run as nobody
LIMITS = sandbox.Limits(cell_timeout=60, notebook_timeout=180, uid=65400)
# fill the process cap (a kernel's own threads count too) and hold it; 16 more processes a little later
HOLD = ("import os, time\nheld = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
        "            time.sleep(40)\n            os._exit(0)\n        held += 1\nexcept BlockingIOError:\n    pass\n"
        "print('uid', os.getuid(), 'held', held)\ntime.sleep(30)")
NEIGHBOUR = ("import os, time\ntime.sleep(5)\npids = []\nfor _ in range(16):\n    pid = os.fork()\n"
             "    if pid == 0:\n        time.sleep(1)\n        os._exit(0)\n    pids.append(pid)\n"
             "for pid in pids:\n    os.waitpid(pid, 0)\nprint('uid', os.getuid(), 'forked', len(pids))")


def _grade_pair(base: Path) -> dict:
    """Grade a student who fills the process cap and holds it beside one who needs 16 processes
    a few seconds later, with two jobs; what each printed ("" if its kernel never ran)."""
    for student, code in (("a_hold", HOLD), ("b_neighbour", NEIGHBOUR)):
        nb = nbformat.read(str(EXERCISES / f"{NAME}.ipynb"), as_version=4)
        next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add_bias").source = code
        _write(base / "submitted" / student / NAME, NAME, nb)
    grade.grade_class(base / "submitted", base / "out", names=[NAME], limits=LIMITS, jobs=2,
                      feedback=False, log=lambda _: None)
    printed = {}
    for student in ("a_hold", "b_neighbour"):
        path = base / "out" / "course" / "autograded" / student / NAME / f"{NAME}.ipynb"
        cells = nbformat.read(str(path), as_version=4).cells if path.exists() else []
        printed[student] = "".join(o.get("text", "") for c in cells if c.metadata.get("nbgrader", {}).get("grade_id")
                                   == "add_bias" for o in c.outputs if o.output_type == "stream")
    return printed


def test_each_job_runs_under_its_own_uid_so_a_full_process_cap_starves_no_neighbour(tmp_path):
    printed = _grade_pair(tmp_path)
    assert {int(uid) for uid in re.findall(r"uid (\d+)", "".join(printed.values()))} == {65399, 65398}, printed
    assert int(re.search(r"held (\d+)", printed["a_hold"]).group(1)) > 16
    assert "forked 16" in printed["b_neighbour"], printed


def test_with_one_uid_for_both_jobs_the_neighbour_is_starved(tmp_path, monkeypatch):
    """The control: the same pair with both jobs under one uid, so the test above can fail."""
    monkeypatch.setattr(sandbox.pool, "job_uids", lambda limits, jobs: [limits.uid - 1] * jobs)
    printed = _grade_pair(tmp_path)
    assert "forked 16" not in printed["b_neighbour"], printed
