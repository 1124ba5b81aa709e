"""Hostile submissions graded in a class of honest ones (issue 9).

One nbgrader course is graded twice: the honest class alone, then the same honest class with
every hostile submission added (one grading run each). Each hostile student answers nothing
and attacks; each attack must fail or be contained, be reported (instructor's report and the
student's feedback), give its author no marks, and leave every honest student's score,
submission, autograded notebook and feedback byte-identical to the honest-only run.
"""
import hashlib
import os
import shutil
import socket
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from tools.grading import sandbox

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).parent / "sandbox_fixtures" / "source"
LIMITS = sandbox.Limits(cell_timeout=2, notebook_timeout=30, memory_mb=1024, max_processes=48,
                        max_output_bytes=100_000, max_file_mb=8, tmp_mb=32)

# The answer cell of each honest student, and the score it earns (worked out from the fixture:
# visible square test 1 point, hidden square test 2 points, total test 1 point).
HONEST = {
    "s1": ("def square(x):\n    return x * x\n\ndef total():\n"
           "    return sum(int(v) for v in open('data.txt'))", 4.0),
    "s2": ("def square(x):\n    return x * abs(x)\n\ndef total():\n"
           "    return sum(int(v) for v in open('data.txt'))", 2.0),
    "s3": ("def square(x):\n    raise NotImplementedError()", 0.0),
}

# Each hostile answer cell (formatted with the course paths and the test's TCP port) and the
# limit the sandbox must report for it.
HOSTILE = {
    "h_hidden_tests": ("import json\nnb = json.load(open('ps1.ipynb'))\n"
                       "exec(''.join(nb['cells'][1]['source']))", "filesystem"),
    "h_solution_file": ("src = open(r'{course}/source/ps1/ps1.ipynb').read()\n"
                        "exec(src)", "filesystem"),
    "h_gradebook": ("import sqlite3\n"
                    "db = sqlite3.connect('file:{course}/gradebook.db?mode=rw', uri=True)\n"
                    "db.execute('UPDATE grade SET manual_score = 100, auto_score = 100')\n"
                    "db.commit()", "filesystem"),
    "h_overwrite": ("open(r'{course}/submitted/s1/ps1/ps1.ipynb', 'w').write('{{}}')\n"
                    "open(r'{course}/feedback/s1/ps1/ps1.html', 'w').write('hacked')",
                    "filesystem"),
    "h_network": ("import socket\n"
                  "socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'x')",
                  "network"),
    "h_memory": ("import numpy as np\nx = np.ones((8, 1024, 1024, 1024))", "memory"),
    "h_forkbomb": ("import os, time\nwhile True:\n    if os.fork() == 0:\n"
                   "        time.sleep(600)\n        os._exit(0)", "processes"),
    "h_print": ("for _ in range(10_000):\n    print('x' * 100_000)", "output"),
    "h_bigfile": ("with open('big.bin', 'wb') as f:\n    for _ in range(100_000):\n"
                  "        f.write(bytes(1024 * 1024))", "files"),
    "h_sleep": ("import time\ntime.sleep(10**9)", "time"),
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _submit(course: Path, student: str, answer: str) -> None:
    nb = nbformat.read(course / "release" / "ps1" / "ps1.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer":
            cell.source = answer
    folder = course / "submitted" / student / "ps1"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "ps1.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-20 12:00:00 UTC")


def _grade_class(course: Path, submissions: dict) -> dict:
    """Grade every submission in one nbgrader run; return what the tests compare."""
    shutil.copytree(FIXTURE, course / "source")
    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.course_id = "sandbox-test"
    report = course / "sandbox_report.jsonl"
    sandbox.configure(config, limits=LIMITS, report_path=report)
    api = NbGraderAPI(config=config)
    assert api.generate_assignment("ps1")["success"]
    for student, answer in submissions.items():
        _submit(course, student, answer)
    submitted = {s: _digest(course / "submitted" / s / "ps1" / "ps1.ipynb") for s in submissions}
    # the whole class in one autograde run and one feedback run, as `nbgrader autograde ps1`
    coursedir = CourseDirectory(config=config, assignment_id="ps1")
    Autograde(coursedir=coursedir, config=config).start()
    GenerateFeedback(coursedir=coursedir, config=config).start()
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
        scores = {s: gb.find_submission("ps1", s).score for s in submissions}
    events = {}
    for record in sandbox.read_report(report):
        student = Path(record["notebook"]).parts[-3]
        assert record["sandboxed"], record
        events[student] = {event["limit"] for event in record["events"]}
    return {
        "scores": scores,
        "submitted_before": submitted,
        "submitted_after": {s: _digest(course / "submitted" / s / "ps1" / "ps1.ipynb")
                            for s in submissions},
        "autograded": {s: _digest(course / "autograded" / s / "ps1" / "ps1.ipynb")
                       for s in submissions},
        "feedback": {s: (course / "feedback" / s / "ps1" / "ps1.html").read_text()
                     for s in submissions},
        "events": events,
    }


@pytest.fixture(scope="module", autouse=True)
def venv_on_path():
    """nbgrader runs `alembic` from PATH; make sure it finds the venv's copy."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        yield


@pytest.fixture(scope="module")
def listener():
    """A TCP port on the host's loopback that the network attack aims at."""
    server = socket.create_server(("127.0.0.1", 0))
    server.setblocking(False)
    yield server
    server.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory, listener):
    honest = {s: answer for s, (answer, _) in HONEST.items()}
    alone = _grade_class(tmp_path_factory.mktemp("alone") / "course", honest)
    course = tmp_path_factory.mktemp("mixed") / "course"
    paths = {"course": course, "port": listener.getsockname()[1]}
    hostile = {s: code.format(**paths) for s, (code, _) in HOSTILE.items()}
    mixed = _grade_class(course, {**honest, **hostile})
    return alone, mixed


@pytest.mark.parametrize("student", sorted(HONEST))
def test_honest_students_are_untouched_by_hostile_classmates(runs, student):
    alone, mixed = runs
    assert alone["scores"][student] == HONEST[student][1]
    assert mixed["scores"][student] == alone["scores"][student]
    assert mixed["submitted_after"][student] == mixed["submitted_before"][student]
    assert mixed["submitted_before"][student] == alone["submitted_before"][student]
    assert mixed["autograded"][student] == alone["autograded"][student]
    assert mixed["feedback"][student] == alone["feedback"][student]
    assert mixed["events"].get(student, set()) == set()


@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_hostile_submission_is_contained_reported_and_scores_nothing(runs, student):
    _, mixed = runs
    limit = HOSTILE[student][1]
    assert mixed["scores"][student] == 0.0
    assert limit in mixed["events"][student]
    assert "[grading sandbox]" in mixed["feedback"][student]
    assert mixed["submitted_after"][student] == mixed["submitted_before"][student]


def test_network_attack_never_reached_the_host(runs, listener):
    with pytest.raises(BlockingIOError):
        listener.accept()


def test_a_deliberately_unsandboxed_run_is_fooled(tmp_path):
    """The same gradebook attack without the sandbox succeeds, so the tests above can fail."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course / "source")
    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.course_id = "sandbox-test"
    sandbox.configure(config, limits=LIMITS, unsafe_no_sandbox=True, report_path=course / "r")
    api = NbGraderAPI(config=config)
    assert api.generate_assignment("ps1")["success"]
    _submit(course, "cheat", HOSTILE["h_gradebook"][0].format(course=course, port=0))
    assert api.autograde("ps1", "cheat")["success"]
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
        assert gb.find_submission("ps1", "cheat").score > 0
    [record] = sandbox.read_report(course / "r")
    assert not record["sandboxed"]
    assert record["events"][0]["limit"] == "unsandboxed"
