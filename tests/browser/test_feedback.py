"""Feedback pages and the formgrader, opened as a student and as the instructor (issue 19).

One small class is graded (tests/grading/hostile.py): ``passing`` (the solution of
06_optimizers) and ``failing`` (a wrong momentum step, plus outputs and a Markdown cell that try
to run script and fetch from ``evil.invalid``). Facts checked in Chromium:

* each feedback page, opened from file:// with every request off the machine blocked and
  recorded: no request at all, no payload ran (the title is the notebook's), the maths is
  typeset (MathJax nodes, no TeX left in the text), no hidden test code, no absolute path,
  and the failed check's message shows; screenshots go to build/screenshots/;
* the page's Content-Security-Policy alone stops the payloads when cleaning is switched off,
  and without it they run (the control: the test can see a payload run);
* the failing submission in the formgrader of a running Jupyter server (as the instructor):
  no payload ran, no request left the page, the formgrader's own scripts still work, and the
  maths is typeset by MathJax 2 served by the instructor's server.
"""
from __future__ import annotations

import importlib.util
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, free_port, serving, unavailable
from offline import block_network
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.preprocessors import GetGrades

from tools.grading import feedback
from tools.grading import formgrader as formgrader_extension
from tools.grading.config import COURSE_ID, course_config

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "grading" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cases, hostile = _load("cases"), _load("hostile")
NAME = hostile.NAME
ABSOLUTE = re.compile(r"(?<![\w.:/])/(?:home|root|tmp|usr|work|opt|var|srv)/")
PAYLOAD_RAN = f"() => document.title.startsWith('{hostile.MARK}')"
TYPESET = ("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue && MathJax.Hub.queue.pending === 0"
           " && !MathJax.Hub.queue.running && document.querySelector('.MathJax_CHTML') !== null")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """``({student: feedback page}, output folder)`` of the two students, maths typeset."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        unavailable("typesetting feedback maths needs node and npm: `apt-get install -y npm`")
    built = subprocess.run(["make", "--no-print-directory", "grading-mathjax"], cwd=ROOT, capture_output=True, text=True)
    if built.returncode:
        pytest.fail(f"make grading-mathjax failed:\n{built.stdout[-2000:]}\n{built.stderr[-2000:]}")
    pages, output = hostile.grade_two_students(tmp_path_factory.mktemp("feedback_pages"), cases)
    return {student: Path(page) for student, page in pages.items()}, output


def _open(page, url: str, local: tuple[str, ...]) -> list[str]:
    """Open ``url``; every request that would leave (its URL starts with none of ``local``) is
    blocked and returned. A request the page's policy refuses never gets this far."""
    left = []
    block_network(page, left.append, local)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)   # an onerror or a late fetch would have happened by now
    return left


@pytest.mark.parametrize("student", ["passing", "failing"])
def test_a_feedback_page_offline_shows_typeset_maths_and_nothing_it_should_not(graded, page, screenshots, student):
    left = _open(page, graded[0][student].as_uri(), ("file://", "data:"))
    assert left == []
    assert not page.evaluate(PAYLOAD_RAN) and page.title() == NAME
    assert page.locator("mjx-container svg").count() > 10      # the assignment's equations
    prose = "\n".join(page.locator(".text_cell_render").all_inner_texts())
    assert "\\leftarrow" not in prose and "\\mathbf" not in prose   # no TeX left untypeset
    text = page.inner_text("body")
    assert "BEGIN HIDDEN TESTS" not in text and "default_rng(12)" not in text
    assert not ABSOLUTE.search(text), ABSOLUTE.search(text)
    assert page.locator("#summary li.total").inner_text().startswith("Total:")
    if student == "failing":
        failed = page.locator(".output_error", has_text="Checked: velocity after one momentum step")
        assert failed.is_visible()
        assert "expected: [-0.2]" in failed.inner_text() and "received: [0.2]" in failed.inner_text()
        assert 'line 6 of this test cell: check_close("velocity' in failed.inner_text()
        assert page.locator("#summary li.failed").all_inner_texts() == [
            "test_momentum: failed, 0 / 2 points — Checked: velocity after one momentum step"]
        assert page.get_by_text(f"{hostile.MARK}-script").first.is_visible()   # shown as text, not run
    else:
        assert page.locator("#summary li.failed").count() == 0
    page.screenshot(path=str(screenshots / f"feedback_{student}.png"), full_page=True)


def _unclean_page(graded, tmp_path, *, policy: bool) -> Path:
    """The failing student's page written with cleaning switched off (and the policy, if not ``policy``)."""
    course = tmp_path / "course"
    shutil.copytree(graded[1] / "course", course)
    config = course_config(course)
    feedback.configure(config)
    config.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, feedback.TestCellReport]
    config.FeedbackExporter.sanitize_html = False
    assert NbGraderAPI(config=config).generate_feedback(NAME, "failing")["success"]
    path = course / "feedback" / "failing" / NAME / f"{NAME}.html"
    if not policy:
        html = path.read_text()
        path.write_text(re.sub(r'<meta[^>]*Content-Security-Policy[^>]*>', "", html))
    return path


@pytest.mark.parametrize("policy", [True, False])
def test_the_pages_policy_alone_stops_the_payloads(graded, page, tmp_path, policy):
    """Cleaning off: with the page's policy nothing runs or leaves; without it (the control)
    a payload runs or a request leaves, so the first half is not true by accident."""
    left = _open(page, _unclean_page(graded, tmp_path, policy=policy).as_uri(), ("file://", "data:"))
    ran = page.evaluate(PAYLOAD_RAN)
    if policy:
        assert not ran and left == []
    else:
        assert ran or any(hostile.HOST in url for url in left)


@pytest.fixture(scope="module")
def formgrader(graded, tmp_path_factory):
    """The instructor's Jupyter server with the formgrader on the graded course (make formgrader's
    settings); yields ``(base_url, token)``."""
    if not formgrader_extension.MATHJAX2.is_dir():
        unavailable(f"the formgrader's MathJax 2 comes from the decks' npm packages: run `make slides` "
                    f"(needs npm), or npm ci in tools/slides ({formgrader_extension.MATHJAX2} is missing)")
    base = tmp_path_factory.mktemp("formgrader")
    course = graded[1] / "course"
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--ServerApp.token={token}", f"--ServerApp.root_dir={course}", f"--CourseDirectory.root={course}",
               f"--CourseDirectory.course_id={COURSE_ID}",
               f"--config={ROOT / 'tools' / 'grading' / 'formgrader_config.py'}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with serving(command, env, base / "server.log", port, token, cwd=course):
        yield f"http://127.0.0.1:{port}", token


def test_the_formgrader_shows_the_failing_submission_without_running_its_script(graded, formgrader, page, screenshots):
    url, token = formgrader
    with Gradebook(f"sqlite:///{graded[1] / 'course' / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(NAME, NAME, "failing").id
    left = _open(page, f"{url}/formgrader/submissions/{submission}/?token={token}", (url, "data:"))
    assert left == []
    assert not page.evaluate(PAYLOAD_RAN) and page.title() == NAME
    # the formgrader's own scripts ran (hashed inline script, files from the server)
    assert page.evaluate("() => window.submission_id") == submission
    assert page.evaluate("() => typeof window.jQuery") == "function"
    assert page.get_by_text(f"{hostile.MARK}-script").first.is_visible()   # shown as text
    assert page.locator('#notebook script:not([type^="math/tex"])').count() == 0   # MathJax keeps TeX in math/tex
    # the maths typeset by MathJax 2 from this server (the page's CDN copy is replaced)
    page.wait_for_function(TYPESET, timeout=30_000)
    assert page.locator("#notebook .MathJax_CHTML").count() > 10
    assert "\\leftarrow" not in "\n".join(page.locator(".text_cell_render").all_inner_texts())
    page.screenshot(path=str(screenshots / "formgrader_failing.png"))
