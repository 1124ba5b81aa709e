"""Feedback pages (tools/grading/feedback.py, sanitize.py; issue 19): student content cannot run
script or fetch anything, hidden tests stay hidden, a failed check shows its message and the
test cell's line, and the top of the page sums up the test cells. The browser half (what a
page does when opened) is tests/browser/test_feedback.py."""
from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from jupyter_core.paths import jupyter_path
from nbgrader.apps import NbGraderAPI

from tools.grading import feedback, formgrader, report
from tools.grading.config import course_config
from tools.grading.sanitize import clean_html, markdown_as_html


def _load(name):
    spec = importlib.util.spec_from_file_location(name, Path(__file__).parent / "grading" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cases, hostile = _load("cases"), _load("hostile")
ANSI_CODES = re.compile(r"\x1b\[[0-9;]*m")
ACTIVE_TAGS = {"script", "iframe", "svg", "object", "embed", "style", "base", "meta", "form", "input", "math", "link"}


class _Active(HTMLParser):
    """Elements and attributes that can run script or fetch, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name in ("style", "srcdoc", "action", "formaction"):
                self.found.append(f"<{tag} {name}=...>")
            elif name in ("src", "href") and not (value.startswith(("data:image/", "#", "https:", "http:", "mailto:"))
                                                  and not (name == "src" and value.startswith("http"))):
                self.found.append(f"<{tag} {name}={value[:30]}>")


def text(page: str) -> str:
    """What a reader sees of ``page``: its text without tags (highlighting splits code into spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def active(markup: str) -> list[str]:
    parser = _Active()
    parser.feed(markup)
    return parser.found
ABSOLUTE = re.compile(r"(?<![\w.:/])/(?:home|root|tmp|usr|work|opt|var)/")


@pytest.mark.parametrize("attack", [
    "<img src=x onerror=\"alert(1)\">", "<script>alert(1)</script>", "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\" JaVaScRiPt:alert(1)\">x</a>", "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>", "<img src=\"http://evil.invalid/x.png\">",
    "<div style=\"background:url(http://evil.invalid/)\">x</div>", "<object data=\"x.swf\"></object>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<form action=\"http://evil.invalid\"><input name=x></form>", "<base href=\"http://evil.invalid/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=http://evil.invalid\">", "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
])
def test_cleaned_html_has_no_active_content(attack):
    assert active(attack)            # the checker sees the attack...
    assert not active(clean_html(attack)), clean_html(attack)   # ...and nothing of it after cleaning


def test_the_courses_own_markdown_survives_cleaning():
    html = markdown_as_html("# Momentum\n\n* the slide's form: $v \\leftarrow \\alpha v - \\epsilon g$\n\n"
                            "```python\nv = alpha * v - lr * g\n```\n\n[deck](https://example.org) **bold** `code`")
    for kept in ("<h1", "<li>", "$v \\leftarrow \\alpha v - \\epsilon g$", "<pre>", 'href="https://example.org"',
                 "<strong>bold</strong>", "<code>code</code>"):
        assert kept in html
    assert "\n" not in html   # one HTML block: the template's Markdown pass leaves it as it is


def test_a_data_image_stays_and_an_svg_is_shown_as_an_image():
    assert 'src="data:image/png;base64,iVBOR"' in clean_html('<img src="data:image/png;base64,iVBOR">')


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    pages, output = hostile.grade_two_students(tmp_path_factory.mktemp("feedback"), cases)
    return {student: Path(path).read_text() for student, path in pages.items()}, output


@pytest.mark.slow
@pytest.mark.parametrize("student", ["passing", "failing"])
def test_feedback_shows_no_hidden_test_code_and_no_absolute_path(graded, student):
    page = graded[0][student]
    assert "BEGIN HIDDEN TESTS" not in text(page) and "default_rng(12)" not in text(page)  # a line of a hidden test
    assert not ABSOLUTE.search(page), ABSOLUTE.search(page)


@pytest.mark.slow
def test_feedback_lists_hidden_checks_by_name_and_result(graded):
    """The failing submission fails test_momentum before its hidden checks (not run); its RMSProp
    passes them; the names are as the test cells write them, f-string fields included."""
    shown = text(graded[0]["failing"])
    assert "theta after {k + 1} momentum steps (against coursekit.optim.SGD)not run" in shown
    assert "theta after {k + 1} RMSProp steps (against coursekit.optim.RMSProp)passed" in shown
    assert "decide this cell's 2 point(s)" in shown


@pytest.mark.slow
def test_a_failed_check_shows_its_message_and_the_test_cells_line(graded):
    page = graded[0]["failing"]
    assert 'line 6 of this test cell: check_close("velocity after one momentum step", v, [-0.2])' in page
    assert "Checked: velocity after one momentum step" in page
    assert "expected: [-0.2]" in page and "received: [0.2]" in page
    assert "coursekit/checks" not in page and "__init__.py" not in page and "in _check" not in page


@pytest.mark.slow
def test_the_top_of_the_page_has_one_line_per_test_cell_and_the_total(graded):
    page = graded[0]["failing"]
    summary = re.search(r'<ul id="summary">(.*?)</ul>', page, re.S).group(1)
    lines = re.findall(r'<li class="(passed|failed)"><a href="#(\w+)">', summary)
    assert lines == [("failed", "test_momentum"), ("passed", "test_rmsprop"), ("passed", "test_adam")]
    assert re.search(r"Total: 5(\.0)? / 7(\.0)? points", summary)


@pytest.mark.slow
def test_student_content_is_cleaned_and_the_page_forbids_script(graded):
    page = graded[0]["failing"]
    body = page[page.index("<body"):]
    # the maths MathJax typeset from the page's TeX (SVG with inline styles) is not student content
    body = re.sub(r"<mjx-container.*?</mjx-container>|<svg[^>]*MJX-SVG-global-cache.*?</svg>", "", body, flags=re.S)
    assert not active(body), active(body)
    assert hostile.MARK in body                # the attempts are shown as text, not run
    assert f'content="{feedback.PAGE_POLICY}"' in page and "script-src" not in feedback.PAGE_POLICY
    assert "<script" not in page.lower()


@pytest.mark.slow
def test_an_instructor_setting_shows_the_hidden_tests(graded, tmp_path):
    config = course_config(graded[1] / "course")
    feedback.configure(config)
    config.TestCellReport.show_hidden_tests = True
    assert NbGraderAPI(config=config).generate_feedback(hostile.NAME, "failing")["success"]
    page = (graded[1] / "course" / "feedback" / "failing" / hostile.NAME / f"{hostile.NAME}.html").read_text()
    assert "default_rng(12)" in text(page)


def _test_cell(source: str, error_line: int | None, ename="CheckFailed", evalue="Checked: b\n  expected: 2\n  received: 3"):
    """A graded test cell run as In[5], failing at ``error_line`` (IPython's traceback text)."""
    cell = nbformat.v4.new_code_cell(source, execution_count=5)
    cell.metadata.nbgrader = {"grade": True, "solution": False, "grade_id": "test_x", "points": 3}
    if error_line is not None:
        cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[
            "\x1b[31m-----\x1b[39m", f"\x1b[31m{ename}\x1b[39m   Traceback (most recent call last)",
            f"\x1b[36mCell In[5], line {error_line}\x1b[39m\n      4 x = 1\n----> {error_line} {source.splitlines()[error_line - 1]}",
            "\x1b[36mFile \x1b[39m\x1b[32m/home/grader/.venv/lib/python3.11/site-packages/coursekit/grading.py:36"
            "\x1b[39m, in \x1b[36m_fail\x1b[39m",
            f"\x1b[31m{ename}\x1b[39m: {evalue}"])]
    return cell


HIDDEN_CELL = ('from coursekit.checks import check_close\ncheck_close("a", 1, 1)\n### BEGIN HIDDEN TESTS\n'
               'check_close("h1", 1, 1)\nsecret = 42\ncheck_close(\n    "b", 3, 2)\ncheck_close(f"h{secret}", 1, 1)\n'
               '### END HIDDEN TESTS')


@pytest.mark.parametrize("error_line,statuses,where", [
    (None, ["passed", "passed", "passed"], None),
    (2, ["not run", "not run", "not run"], 'line 2 of this test cell: check_close("a", 1, 1)'),
    (6, ["passed", "failed", "not run"], "in a hidden check of this test cell"),
])
def test_hidden_checks_are_listed_with_the_result_the_failing_line_implies(error_line, statuses, where):
    """Lines (counted by hand in HIDDEN_CELL): visible check 2, hidden checks 4, 6-7 ("b") and 8."""
    cell = _test_cell(HIDDEN_CELL, error_line)
    nb = nbformat.v4.new_notebook(cells=[cell])
    feedback.TestCellReport().preprocess(nb, {})
    shown = text(cell.outputs[-1].data["text/html"])
    assert [re.search(rf"{name}(passed|failed|not run)", shown).group(1) for name in ("h1", "b", "h{secret}")] == statuses
    assert "secret = 42" not in cell.source and "BEGIN HIDDEN" not in cell.source
    if where:
        error = cell.outputs[0]
        assert error.traceback[0] == where and error.traceback[-1].startswith("CheckFailed: Checked: b")
        assert not any("grading.py" in line or "/home/" in line for line in error.traceback)
    if error_line == 6:
        assert "expected: 2" in shown and "received: 3" in shown


def test_a_students_own_error_in_a_test_cell_keeps_its_frames_without_paths():
    cell = _test_cell(HIDDEN_CELL, 2, ename="ZeroDivisionError", evalue="division by zero")
    cell.outputs[0].traceback.insert(3, "\x1b[36mCell In[3], line 2\x1b[39m, in momentum_step\n----> 2 return v / 0")
    feedback.TestCellReport().preprocess(nbformat.v4.new_notebook(cells=[cell]), {})
    shown = [ANSI_CODES.sub("", line) for line in cell.outputs[0].traceback]
    assert shown[0] == 'line 2 of this test cell: check_close("a", 1, 1)'
    assert "Cell In[3], line 2, in momentum_step\n----> 2 return v / 0" in shown
    assert "File grading.py:36, in _fail" in shown and shown[-1] == "ZeroDivisionError: division by zero"


def test_the_report_shows_student_text_as_text():
    outcome = report.Outcome("ada", hostile.NAME, status="graded", max_score=7,
                             flags=["cell 3: prints '<script>alert(1)</script> | x', which looks like a test result"])
    text = report.render_report([outcome], [hostile.NAME])
    assert "<script" not in text and "&lt;script&gt;" in text and "\\| x" in text


def test_the_formgrader_policy_allows_only_the_inline_script_before_the_notebook():
    """The hashes are the SHA-256 of the formgrader's own inline script and handler (worked
    out by hand with hashlib, base64), none of the notebook's: a script in it cannot run."""
    page = (b'<head><script src="/f.js"></script><script type="text/javascript">var id = "1";</script>'
            b'<script type="text/x-mathjax-config">MathJax.Hub.Config({})</script></head><body>'
            b'<span onclick="toggle_name(true);">n</span><div id="notebook"><script>alert(1)</script>'
            b'<img src=x onerror="alert(2)"></div></body>')
    policy = formgrader.page_policy(page)
    hashes = set(re.findall(r"'sha256-([^']+)'", policy))
    assert hashes == {base64.b64encode(hashlib.sha256(code).digest()).decode()
                      for code in (b'var id = "1";', b"toggle_name(true);")}
    assert "'unsafe-inline'" not in policy.split("style-src")[0] and "object-src 'none'" in policy


@pytest.mark.slow
def test_grading_the_same_submissions_again_writes_the_same_feedback_bytes(graded, tmp_path):
    """Nothing random or machine-specific (a run folder, a path, the order of typesetting) in
    a page: a second class run elsewhere writes byte-identical pages."""
    again, _ = hostile.grade_two_students(tmp_path, cases)
    assert {s: Path(p).read_text() for s, p in again.items()} == graded[0]


def test_the_formgrader_page_still_loads_mathjax_from_the_url_the_extension_replaces():
    """nbgrader's formgrade template calls nbconvert's mathjax macro with its default URL; the
    extension swaps that URL for the local copy, so a new default must fail here, not silently."""
    macro = next(Path(path) for path in jupyter_path("nbconvert", "templates", "base", "mathjax.html.j2")
                 if Path(path).exists())
    assert formgrader.CDN_MATHJAX.decode() in macro.read_text()
    template = (feedback.NBGRADER_TEMPLATES / "formgrade" / "index.html.j2").read_text()
    assert "{{ mathjax() }}" in template


@pytest.mark.parametrize("jobs", [1, 2])   # two: each page in a Node process of its own
def test_a_page_mathjax_fails_on_keeps_its_tex_and_the_others_are_typeset(tmp_path, jobs):
    if shutil.which("node") is None or not (feedback.MATHJAX / "node_modules" / "mathjax").is_dir():
        pytest.skip("needs node and `make grading-mathjax` (npm)")
    good = tmp_path / "good.html"
    good.write_text("<!DOCTYPE html><html><head></head><body><p>$v \\leftarrow \\alpha v$</p></body></html>")
    logged = []
    assert not feedback.typeset([tmp_path / "missing.html", good], log=logged.append, jobs=jobs)
    assert "<mjx-container" in good.read_text() and "\\leftarrow" not in text(good.read_text())
    assert "missing.html" in logged[0]


def test_a_students_error_in_a_rewritten_test_cell_names_the_line_of_the_cell_as_written():
    """The grading kernel runs a test cell rewritten (tools/grading/rewrite.py: other line numbers,
    code as ast.unparse writes it); the line named is the one in the cell as the student sees it."""
    source = "from coursekit.checks import check_close\n\nx = 1\ntheta, v = momentum_step( x,  0)\ncheck_close('v', v, 0)"
    cell = _test_cell(source, 4, ename="ZeroDivisionError", evalue="division by zero")
    cell.outputs[0].traceback[2] = "\x1b[36mCell In[5], line 2\x1b[39m\n----> 2 (theta, v) = momentum_step(x, 0)"
    feedback.TestCellReport().preprocess(nbformat.v4.new_notebook(cells=[cell]), {})
    assert cell.outputs[0].traceback[0] == "line 4 of this test cell: theta, v = momentum_step( x,  0)"
    # an error while the rewritten check (a report) evaluates the student's result: the check's line
    cell = _test_cell(source, 5, ename="ZeroDivisionError", evalue="division by zero")
    cell.outputs[0].traceback[2] = "Cell In[5], line 3\n----> 3 _coursekit_report('close', 'v', momentum_step(1, 0))"
    feedback.TestCellReport().preprocess(nbformat.v4.new_notebook(cells=[cell]), {})
    assert cell.outputs[0].traceback[0] == "line 5 of this test cell: check_close('v', v, 0)"
