"""The grader's side of a test cell, without a kernel: the cell a grading kernel receives
(tools/grading/rewrite.py) and the verdict on what it reports (tools/grading/verdict.judge)."""
from __future__ import annotations

import ast
import json
import re

import nbformat
import numpy as np
import pytest

from coursekit.checks.kernel import RECORD_MIME, REPORT_MIME, observed
from coursekit.checks.plain import encode, plain
from tools.grading import verdict
from tools.grading.config import SOLUTIONS, assignment_names
from tools.grading.rewrite import NotATestCell, report_cell
from tools.grading.verdict import VerdictExecute, judge

HIDDEN_REFERENCE = '''from coursekit.checks import check_close
from coursekit.module import Parameter
from coursekit.optim import SGD
import numpy as np

rng = np.random.default_rng(12)
theta, v = rng.normal(size=5), np.zeros(5)
p = Parameter(theta.copy())
reference = SGD([p], lr=0.05, momentum=0.8)
for k in range(6):
    g = rng.normal(size=5)
    theta, v = momentum_step(theta, v, g, 0.05, 0.8)
    p.grad[...] = g
    reference.step()
    check_close(f"theta after {k + 1} steps", theta, p.data, rtol=1e-7, hint="SECRET HINT")
'''


def _names(source: str) -> set:
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}


def test_a_check_becomes_a_report_of_what_and_received_only():
    sent = report_cell(HIDDEN_REFERENCE, "abc123")
    assert "_coursekit_report('close', f'theta after {k + 1} steps', theta)" in sent
    assert "Reporter('abc123')" in sent
    for gone in ("check_close", "p.data", "SECRET HINT", "rtol", "reference", "SGD", "Parameter", "coursekit.optim"):
        assert gone not in sent, gone
    assert {"rng", "theta", "v", "g", "momentum_step", "k"} <= _names(sent)


def test_a_statement_that_changes_what_a_report_needs_is_kept():
    source = '''from coursekit.checks import check_close
net = make()
net.layers[0].W.data[...] = 1.0
for layer in net.layers:
    layer.b.data[...] = 5.0
net.reset()
unused = 3
check_close("penalty", penalty(net), 0.8)
'''
    sent = report_cell(source, "")
    for kept in ("net.layers[0].W.data[...] = 1.0", "layer.b.data[...] = 5.0", "net.reset()"):
        assert kept in sent, kept
    assert "unused" not in sent


def test_try_and_with_blocks_keep_their_shape():
    source = '''from coursekit.checks import check_close
import numpy as np
with np.errstate(over="raise"):
    try:
        big = softmax(np.array([[1000.0, 1000.0]]))
    except FloatingPointError as exc:
        big = exc
check_close("softmax without overflow", big, [[0.5, 0.5]])
'''
    sent = report_cell(source, "")
    assert "with np.errstate(over='raise'):" in sent and "except FloatingPointError as exc:" in sent
    assert "[[0.5, 0.5]]" not in sent


@pytest.mark.parametrize("source,reason", [
    ("x = check_close('a', 1, 1)", "a statement of its own"),
    ("from coursekit.checks import check_close\ncheck_close(received=1)", "first two positional"),
    ("print('no checks')", "without checks"),
    ("def f(:", "not Python"),
])
def test_a_cell_that_breaks_the_rules_is_refused(source, reason):
    with pytest.raises(NotATestCell, match=reason):
        report_cell(source, "")


@pytest.mark.parametrize("name", assignment_names())
def test_every_test_cell_of_every_solution_can_be_sent_as_reports(name):
    """Each check of each solution becomes one report; no check function reaches the kernel."""
    for cell in nbformat.read(str(SOLUTIONS / f"{name}.ipynb"), as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            sent = report_cell(cell.source, "n")
            checks = sum(isinstance(n, ast.Call) and getattr(n.func, "id", "").startswith("check_")
                          for n in ast.walk(ast.parse(cell.source)))
            assert sent.count("_coursekit_report(") == checks
            assert not {n for n in _names(sent) if n.startswith("check_")}


# -- the verdict on reports ------------------------------------------------------------------
def _record(what, expected, check="close", line=3, **options):
    options = {"rtol": 1e-6, "atol": 1e-9, "hint": None, **options} if check == "close" else {"hint": None}
    return {"check": check, "what": what, "line": line, "expected": encode(plain(expected)),
            "options": encode(plain(options)), "measure": None}


def _report(what, value, nonce="n", kind="close"):
    return {"nonce": nonce, "what": what, "value": encode(plain(observed(kind, value)))}


RECORDS = [_record("v", [-0.2]), _record("theta", [0.8], line=4)]


def test_the_right_reports_in_order_pass():
    assert judge(RECORDS, [_report("v", np.array([-0.2])), _report("theta", [0.8])], "n") == (None, None, None)


@pytest.mark.parametrize("reports,fragment,line,anomaly", [
    ([_report("v", [-0.2]), _report("theta", [0.9])], "received: [0.9]", 4, False),          # a wrong value
    ([_report("v", [-0.2])], "the test cell stopped before this check", 4, False),           # missing
    ([_report("theta", [0.8]), _report("v", [-0.2])], "not this check's report", 3, True),   # out of order
    ([_report("v", [-0.2], nonce="old"), _report("theta", [0.8])], "not this check's report", 3, True),  # replayed
    ([{"nonce": "n", "what": "v", "value": {"t": "pickle"}}, _report("theta", [0.8])], "cannot accept", 3, True),
    ([_report("v", [-0.2]), _report("theta", [0.8]), _report("theta", [0.8])], "3 results were reported for 2", None,
     True),                                                                                   # duplicated
    ([_report("v", [-0.2]), "not a dict"], "cannot accept", 4, True),
])
def test_wrong_missing_forged_or_extra_reports_fail_the_cell(reports, fragment, line, anomaly):
    feedback, where, note = judge(RECORDS, reports, "n")
    assert fragment in feedback and where == line and bool(note) == anomaly


def test_a_measured_check_is_measured_by_the_grader():
    record = _record("AND points misclassified", 0)
    record["measure"] = {"name": "misclassified", "data": encode(plain({
        "X": np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), "y": np.array([-1, -1, -1, 1])}))}
    assert judge([record], [_report("AND points misclassified", [-1.5, 1.0, 1.0])], "n")[0] is None
    assert "(misclassified of your result)" in judge([record], [_report("AND points misclassified", [0.0] * 3)], "n")[0]


def _message(payload, mime=REPORT_MIME):
    return {"msg_type": "display_data", "content": {"data": {mime: payload}, "metadata": {}}}


def test_the_nonce_is_blanked_in_a_test_cells_traceback(monkeypatch):
    """IPython's traceback of a test cell that raises prints the lines the kernel ran: the rewritten
    cell, whose header holds this execution's nonce. The saved notebook shows it blanked."""
    sent = []

    def kernel(self, cell, resources, index):   # the student's step raises; IPython lists the cell's lines
        sent.append(cell.source)
        lines = [f"{'---->' if i == 4 else '     '} {i} {text}" for i, text in enumerate(cell.source.splitlines(), 1)]
        cell.outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="oops",
                                               traceback=["Cell In[7], line 4", *lines, "ValueError: oops"])]
        return cell, resources

    monkeypatch.setattr(verdict.sandbox.SandboxedExecute, "preprocess_cell", kernel)
    executor = VerdictExecute()
    executor.expected = {"test_v": RECORDS[:1]}
    cell = nbformat.v4.new_code_cell('v = momentum_step()\ncheck_close("v", v, [-0.2])',
                                     metadata={"nbgrader": {"grade": True, "grade_id": "test_v", "points": 1}})
    cell, _ = executor.preprocess_cell(cell, {}, 0)
    nonce = re.search(r"Reporter\('(\w+)'\)", sent[0]).group(1)
    saved = json.dumps(cell.outputs)
    assert nonce not in saved and f"Reporter('{verdict.NONCE_SHOWN}')" in saved
    assert "----> 4 v = momentum_step()" in saved and cell.source.startswith("v = momentum_step()")


def test_reports_never_reach_the_notebook_and_the_grader_keeps_only_what_it_needs(monkeypatch):
    executor = VerdictExecute()
    outs = []
    executor.reports, executor.room, executor.report_bytes = [], 2, 0
    for _ in range(5):  # a flood: only one more than the checks is kept
        executor.output(outs, _message(_report("v", [1.0])), None, 0)
    executor.output(outs, _message({"claims": "a record"}, RECORD_MIME), None, 0)
    assert outs == [] and len(executor.reports) == 2
    monkeypatch.setattr(verdict, "MAX_REPORT_BYTES", 100)
    executor.reports, executor.report_bytes = [], 0
    executor.output(outs, _message(_report("v", np.zeros(100))), None, 0)
    assert executor.reports == [{"refused": "too large"}]
    executor.reports = None  # outside a test cell reports are dropped
    executor.output(outs, _message(_report("v", [1.0])), None, 0)
    assert outs == []
