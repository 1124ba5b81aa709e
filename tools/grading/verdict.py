"""Test cells judged in the grader's process: the student's kernel reports, the grader decides.

For every test cell of a submission, :class:`VerdictExecute` (nbgrader's executor, in the
sandbox):

1. sends the kernel the cell rewritten to report (``rewrite.report_cell``): no expected value,
   no reference code, a fresh nonce for this execution;
2. takes as the cell's reports only the report messages that answer this execution request
   (nbclient routes messages by the request's ``msg_id``) — they never enter the notebook,
   and do not count against the output limit;
3. compares them, in order, with the checks recorded from the solution
   (``expectations.py``) using ``coursekit.checks.compare`` — the one verdict that counts;
4. if any check fails, or a report is missing, malformed, out of order, without this
   execution's nonce, or one too many, appends an error output with the feedback (what was
   checked, expected, received, hint) — so nbgrader scores the cell 0 and the feedback says
   why. A cell passes only with exactly one matching report per recorded check and no error.
5. blanks the nonce wherever the cell's outputs show it (a traceback prints the rewritten
   cell's lines, its header with the nonce among them) before the notebook is saved.

What this rests on: the kernel never holds a hidden expected value (nor the withheld reference
code), and everything it sends is treated as a claim about the student's results. Code that
forges reports — from a hook, a thread, a patched check — must forge the right *values*, which
is to compute the answers. README, "What the grader guarantees, and what it cannot".
"""
from __future__ import annotations

import json
import secrets

import nbformat
from nbgrader import utils
from traitlets import Any, Dict

from coursekit.checks import compare
from coursekit.checks.kernel import RECORD_MIME, REPORT_MIME
from coursekit.checks.measures import MEASURES, Measure
from coursekit.checks.plain import decode

from . import rewrite, sandbox

NOTICE_MIME = "application/vnd.coursekit.verdict+json"
# What the grader keeps of one cell's reports: one more than its checks (enough to see that there
# were too many) and at most this many bytes; beyond either the cell scores 0 anyway.
MAX_REPORT_BYTES = 32 * 1024 * 1024
NONCE_SHOWN = "<nonce>"   # what the saved notebook shows in place of an execution's nonce


def _options(record: dict) -> dict:
    options = decode(record["options"])
    if record.get("measure"):
        name = record["measure"]["name"]
        if name not in MEASURES:
            raise ValueError(f"an unknown measure {name!r} in the expected values")
        options["measure"] = Measure(name, decode(record["measure"]["data"]))
    return options


def _without_nonce(outputs: list, nonce: str) -> list:
    """``outputs`` with ``nonce`` replaced by ``NONCE_SHOWN`` in every text they hold."""
    return [nbformat.from_dict(json.loads(json.dumps(o).replace(nonce, NONCE_SHOWN))) for o in outputs]


def judge(records: list, reports: list, nonce: str) -> tuple[str | None, int | None, str | None]:
    """``(feedback, line, anomaly)``: the feedback of the first failed check (None if all hold)
    and the test cell's line that makes it, and a note for the instructor when the reports
    themselves were wrong (extra, forged, malformed)."""
    for index, record in enumerate(records):
        what, line = record["what"], record.get("line")
        if index >= len(reports):
            return compare.message(what, "a result reported by this check", "nothing",
                                   detail="the test cell stopped before this check"), line, None
        report = reports[index]
        try:
            if report.get("nonce") != nonce or report.get("what") != what:
                raise ValueError("not this check's report (another cell, another execution, or out of order)")
            received = decode(report["value"])
        except Exception as exc:  # anything unreadable is the kernel's fault: score 0
            return (compare.message(what, "a result reported by this check", "a report the grader cannot accept",
                                    detail=str(exc)[:200]), line,
                    f"report {index + 1} was not accepted ({str(exc)[:120]})")
        failure = compare.verdict(record["check"], what, received, decode(record["expected"]), _options(record))
        if failure:
            return failure, line, None
    if len(reports) > len(records):
        note = f"{len(reports)} results were reported for {len(records)} checks"
        return f"{note}: the test's own checks report once each, so this cell scores 0", None, note
    return None, None, None


class VerdictExecute(sandbox.SandboxedExecute):
    """The sandboxed executor, with each test cell reported by the kernel and judged here."""

    expectations = Dict(help="assignment -> expectations.Expectations").tag(config=True)
    reports = Any(None, allow_none=True)  # the reports of the test cell being run, else None

    def preprocess(self, nb, resources=None, km=None):
        assignment = (resources or {}).get("nbgrader", {}).get("assignment")
        if assignment not in self.expectations:
            raise ValueError(f"no expected values were recorded for assignment {assignment!r}")
        self.expected = self.expectations[assignment].checks
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not utils.is_grade(cell):
            return super().preprocess_cell(cell, resources, index)
        records = self.expected.get(cell.metadata.nbgrader.get("grade_id"), [])
        original, nonce = cell.source, secrets.token_hex(16)
        cell.source = rewrite.report_cell(original, nonce)
        self.reports, self.room, self.report_bytes = [], len(records) + 1, 0
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        finally:
            cell.source, reports, self.reports = original, self.reports, None
            cell.outputs = _without_nonce(cell.outputs, nonce)
        feedback, line, anomaly = judge(records, reports, nonce) if records else \
            ("no expected values were recorded for this test cell", None, "no expected values")
        errors = any(o.output_type == "error" for o in cell.outputs)
        if anomaly:
            cell.outputs.append(nbformat.v4.new_output(
                "display_data", data={"text/plain": f"[grader] {anomaly}", NOTICE_MIME: {"message": anomaly}}))
        if feedback and not (errors and len(reports) < len(records) and not anomaly):
            # shown as a failed check in the kernel shows (coursekit.checks.failure), for feedback.py
            where = [f"Cell In[{cell.execution_count}], line {line}"] if line and cell.execution_count else []
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename="CheckFailed", evalue=feedback, traceback=[*where, f"CheckFailed: {feedback}"]))
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        """Reports (and anything claiming to be a record) are taken aside, never shown."""
        data = msg["content"].get("data", {}) if msg["msg_type"] in ("display_data", "update_display_data") else {}
        if REPORT_MIME in data or RECORD_MIME in data:
            if self.reports is not None and msg["msg_type"] == "display_data" and REPORT_MIME in data \
                    and len(self.reports) < self.room:
                payload = data[REPORT_MIME]
                self.report_bytes += len(json.dumps(payload))
                fits = isinstance(payload, dict) and self.report_bytes <= MAX_REPORT_BYTES
                self.reports.append(payload if fits else {"refused": "too large"})
            return None
        return super().output(outs, msg, display_id, cell_index)


def configure(config, expectations: dict) -> None:
    """Grade with :class:`VerdictExecute`, against ``expectations`` (assignment -> Expectations),
    each kernel without the modules its assignment withholds."""
    chain = list(config.Autograde.autograde_preprocessors)
    chain[chain.index(sandbox.SandboxedExecute)] = VerdictExecute
    config.Autograde.autograde_preprocessors = chain
    config.VerdictExecute.expectations = dict(expectations)
    config.SandboxedExecute.withheld = {name: tuple(e.withheld) for name, e in expectations.items()}
