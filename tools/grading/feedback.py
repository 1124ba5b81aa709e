"""Feedback pages: what a student reads after grading (issue 19).

nbgrader's ``generate_feedback`` writes one HTML page per graded notebook; this module sets up
the page it writes (``configure``, called by ``grade.py``):

* student content is cleaned (``sanitize.SanitizeNotebook``) and the page forbids all script
  and every request (:data:`PAGE_POLICY`, a Content-Security-Policy in the page);
* the top of the page has one line per test cell (passed or failed, its points, a link to the
  cell) and the total (template ``templates/coursekit_feedback``);
* a test cell's hidden tests stay hidden (:class:`TestCellReport`): its code shows only the
  visible part; each hidden check is listed by its name with passed / failed / not run, and a
  failed one with its message (expected and received). ``TestCellReport.show_hidden_tests =
  True`` in ``nbgrader_config.py`` shows their code, e.g. once the last extension is over;
* a failed check shows the check's message and the test cell's line, never the lines of a
  hidden test; absolute file paths are cut to the file's name in every traceback and in
  error streams;
* the maths is typeset when the page is written (:func:`typeset`: MathJax 3 in Node, from
  ``tools/grading/mathjax``, as SVG), so the page shows it offline with no script at all.
"""
from __future__ import annotations

import ast
import html
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jinja2
import nbformat
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor
from nbgrader import utils
from nbgrader.preprocessors import GetGrades
from traitlets import Bool

from .rewrite import REPORTER
from .sanitize import SanitizeNotebook, clean_html

TEMPLATES = Path(__file__).with_name("templates")
MATHJAX = Path(__file__).with_name("mathjax")   # package.json (npm ci) and typeset.js
PAGES_PER_NODE = 100   # at most, typeset by one Node process
TYPESET_SECONDS = 30   # per page (and once more for Node's start); a page takes well under 1 s
NBGRADER_TEMPLATES = Path(utils.__file__).parent / "server_extensions" / "formgrader" / "templates"
BOOTSTRAP_CSS = NBGRADER_TEMPLATES.parent / "static" / "node_modules" / "bootstrap" / "dist" / "css"
# No script at all, nothing fetched: styles and images are inline in the page.
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'"

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*(\n|\Z)", re.S | re.M)
CELL_LINE = re.compile(r"Cell In\[(?P<count>\d+)\], line (?P<line>\d+)")
ARROW = re.compile(r"^-*> *\d+ (?P<code>.*)$", re.M)   # IPython's line of a frame: ----> 6 code
REPORT = re.compile(rf"^{REPORTER}\('\w+', (?P<what>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])(?:/[\w.@+-]+)+/(?=[\w.@+-]+)")


def strip_paths(text: str) -> str:
    """``text`` with every absolute path cut to its last part (``/a/b/grading.py`` -> ``grading.py``);
    the colour codes of a traceback are kept, and do not hide a path that follows one."""
    return "".join(part if ANSI.fullmatch(part) else ABSOLUTE_PATH.sub("", part)
                   for part in re.split(f"({ANSI.pattern})", text))


class TestCellReport(Preprocessor):
    """Hide hidden tests, list hidden checks, and cut tracebacks to the lines a student may see."""

    enabled = Bool(True).tag(config=True)
    show_hidden_tests = Bool(False, help="Show the code of hidden tests (e.g. after the last extension)").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                output.text = strip_paths(output.text)
            elif output.output_type == "error":
                output.traceback = [strip_paths(line) for line in output.traceback]
        if utils.is_grade(cell) and not utils.is_solution(cell):
            self._report(cell)
        return cell, resources

    def _report(self, cell):
        source, count = cell.source, cell.get("execution_count")
        hidden = [(m.start(1), m.end(1)) for m in HIDDEN.finditer(source)]
        hidden_lines = {n for start, end in hidden
                        for n in range(source.count("\n", 0, start) + 1, source.count("\n", 0, end) + 1)}
        failure = next((o for o in cell.outputs if o.output_type == "error"), None)
        line = _failed_line(failure, count, source)
        if failure is not None:
            failure.traceback = self._visible_traceback(failure, count, source, line in hidden_lines, line)
        if not self.show_hidden_tests:
            cell.source = HIDDEN.sub(lambda m: "# ... hidden checks, listed below the cell\n", source)
        checks = [check for check in _checks(source) if check[0] in hidden_lines]
        if checks:
            cell.outputs.append(nbformat.v4.new_output(
                "display_data", data={"text/html": _hidden_table(checks, failure, line, cell.metadata.nbgrader["points"])}))

    def _visible_traceback(self, failure, count, source, in_hidden, line) -> list[str]:
        """The traceback with the test cell's frames replaced by its one line (or "a hidden check")."""
        if in_hidden and not self.show_hidden_tests:
            where = "in a hidden check of this test cell"
        else:
            where = f"line {line} of this test cell: {source.splitlines()[line - 1].strip()}" if line else "in this test cell"
        # a failed check needs only its message; the student's own error keeps its other frames
        frames = [] if failure.ename == "CheckFailed" else [
            entry for entry in failure.traceback[:-1]
            if not _is_cell_frame(entry, count) and "Traceback (most recent call last)" not in entry
            and not set(ANSI.sub("", entry).strip()) <= {"-"}]
        return [where, *frames, f"{failure.ename}: {failure.evalue}"]


def _is_cell_frame(entry: str, count) -> bool:
    found = CELL_LINE.search(ANSI.sub("", entry))
    return found is not None and count is not None and int(found.group("count")) == count


def _failed_line(failure, count, source: str) -> int | None:
    """The line of the test cell ``source`` where ``failure`` happened (its last frame there).

    The kernel may have run the cell rewritten (``rewrite.py``: other line numbers), so where
    the frame shows its code (IPython's ``---->`` line) that code is found in ``source``; a
    frame without code (the grader's own verdict) gives the line of ``source`` itself. None
    when the code is not found as such (then no line is named).
    """
    if failure is None or count is None:
        return None
    frames = [ANSI.sub("", entry) for entry in failure.traceback if _is_cell_frame(entry, count)]
    if not frames:
        return None
    line = int(CELL_LINE.findall(frames[-1])[-1][1])
    shown = ARROW.search(frames[-1])
    if shown is None:
        return line
    lines = [_normal(text) for text in source.splitlines()]
    code = _normal(shown.group("code"))
    if 0 < line <= len(lines) and lines[line - 1] == code:
        return line
    if code in lines:
        return lines.index(code) + 1
    report = REPORT.match(code)   # a check, rewritten as its report: found by what it checks
    what = ast.literal_eval(report.group("what")) if report else None
    return next((first for first, _, name in _checks(source) if name == what), None)


def _normal(code: str) -> str:
    """One line of code as ``ast.unparse`` writes it (a rewritten cell is written so), if it parses."""
    try:
        return ast.unparse(ast.parse(code.strip()))
    except SyntaxError:
        return code.strip()


def _checks(source: str) -> list[tuple[int, int, str]]:
    """``(first line, last line, name)`` of each ``check_*("name", ...)`` call in a test cell;
    an f-string name shows its fields as written (``theta after {k + 1} steps``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("check_")
                and node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))):
            name = node.args[0]
            parts = name.values if isinstance(name, ast.JoinedStr) else [name]
            found.append((node.lineno, node.end_lineno, "".join(
                str(part.value) if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"
                for part in parts)))
    return found


def _hidden_table(checks, failure, line, points) -> str:
    """Each hidden check by name: passed, failed (with its message: expected and received) or not run."""
    rows = []
    for first, last, name in sorted(checks):
        if failure is None or (line is not None and last < line):
            status, detail = "passed", ""
        elif line is not None and first <= line:
            status = "failed"
            detail = failure.evalue if failure.ename == "CheckFailed" else f"{failure.ename}: {failure.evalue}"
        else:
            status, detail = "not run", ""
        rows.append(f'<tr class="check-{status.replace(" ", "-")}"><td>{html.escape(name)}</td>'
                    f"<td>{status}</td><td><pre>{html.escape(detail)}</pre></td></tr>")
    return (f'<table class="hidden-checks"><caption>Hidden checks: with the checks above, they decide this '
            f"cell's {points:g} point(s), all or nothing</caption>"
            "<thead><tr><th>check</th><th>result</th><th>expected / received</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled Jinja templates kept in memory (Jinja recompiles one whose source changed)."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


class FeedbackExporter(HTMLExporter):
    """The feedback page, its templates compiled once per process: nbgrader makes a new
    exporter, hence a new Jinja environment, for every feedback file it writes."""

    templates = _CompiledTemplates()

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = self.templates
        return environment

    def _init_resources(self, resources):
        resources = super()._init_resources(resources)
        resources["page_policy"] = PAGE_POLICY
        return resources


def configure(config) -> None:
    """Point nbgrader's ``generate_feedback`` at these pages (``config``: the course's Config)."""
    config.GenerateFeedback.exporter_class = FeedbackExporter
    config.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, SanitizeNotebook, TestCellReport]
    # on FeedbackExporter: nbgrader's API sets HTMLExporter.template_name to its own template
    config.FeedbackExporter.template_name = "coursekit_feedback"
    config.FeedbackExporter.extra_template_basedirs = [str(TEMPLATES), str(NBGRADER_TEMPLATES)]
    # nbgrader's page (which ours extends) and the Bootstrap CSS it inlines
    config.FeedbackExporter.extra_template_paths = [str(NBGRADER_TEMPLATES), str(BOOTSTRAP_CSS)]
    config.FeedbackExporter.sanitize_html = True
    config.FeedbackExporter.filters = {"clean_html": clean_html}


def typeset(pages: list, log=print, jobs: int = 1) -> bool:
    """Typeset the maths of the feedback ``pages`` in place; False (and a log line) if it cannot.

    Each page is typeset on its own (its bytes do not depend on the other pages), so ``jobs``
    Node processes share the pages, each a contiguous run of them, and run at once (a class
    graded with several jobs typesets with as many). Needs ``node`` and ``npm ci`` in
    ``tools/grading/mathjax`` (``make grade`` runs it where npm exists); without them, or for a
    page MathJax fails on, the maths stays TeX: typesetting never stops a class's grading.
    """
    pages = [str(page) for page in pages]
    node = shutil.which("node")
    if not pages:
        return True
    if node is None or not (MATHJAX / "node_modules" / "mathjax").is_dir():
        log(f"feedback maths left as TeX: needs node and `npm ci` in {MATHJAX} (make grade runs it where npm exists)")
        return False
    count = max(min(jobs, len(pages)), -(-len(pages) // PAGES_PER_NODE))
    batches = [pages[len(pages) * k // count: len(pages) * (k + 1) // count] for k in range(count)]
    with ThreadPoolExecutor(jobs) as nodes:
        failures = list(nodes.map(lambda batch: _typeset_batch(node, batch), batches))
    for failure in filter(None, failures):   # never the class's grading: those pages keep their TeX
        log(f"typesetting feedback maths failed, those pages keep their TeX: {failure[-1000:]}")
    return not any(failures)


def _typeset_batch(node: str, batch: list) -> str:
    """Typeset ``batch`` in one Node process (its start costs about 0.2 s of CPU); what failed, or ''."""
    seconds = TYPESET_SECONDS * (1 + len(batch))
    try:
        done = subprocess.run([node, str(MATHJAX / "typeset.js"), *batch], capture_output=True, text=True,
                              timeout=seconds)
    except subprocess.TimeoutExpired:
        return f"took over {seconds} s"
    return done.stderr.strip() if done.returncode else ""
