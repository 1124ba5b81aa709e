"""Scores that no code in the student's kernel can change (issue 16).

Each attack (tests/grading/attacks.py) is a submission of 06_optimizers whose answers are wrong
(zeros) plus one trick: rebinding the checks, patching NumPy or the reference optimizers, IPython
hooks, frames, atexit/__del__, fake output, lying objects, reports forged from a hook or a
thread, reaching the withheld reference code. Graded as `make grade` grades, each scores what
its honest part earns: 0; the honest solution scores full marks. The control run grades the same
class with the verdict back in the kernel (the test cells run as written, their checks comparing
in the kernel, nothing withheld): there rebinding the checks, patching NumPy and reading the
expected value through frames earn marks and the reference code is within reach, so these tests
can fail. (A custom exception handler or a replaced showtraceback earns nothing even there:
ipykernel reports an error that no traceback was shown for.)
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

from tools.grading import config, grade, sandbox, verdict
from tools.grading.config import SOLUTIONS

pytestmark = pytest.mark.slow



def _load(name):
    spec = importlib.util.spec_from_file_location(f"grading_{name}", Path(__file__).parent / "grading" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


attacks, cases = _load("attacks"), _load("cases")

NAME = attacks.NAME
LIMITS = sandbox.Limits(cell_timeout=20)


def _grade(tmp, in_kernel: bool = False):
    solution = nbformat.read(str(SOLUTIONS / f"{NAME}.ipynb"), as_version=4)
    for student, nb in attacks.submissions(solution, cases).items():
        folder = tmp / "submitted" / student / NAME
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{NAME}.ipynb"))
    with pytest.MonkeyPatch.context() as patch:
        if in_kernel:  # the old way: test cells sent as written, nbgrader scoring by errors, nothing withheld
            patch.setattr(verdict, "configure", lambda config, expectations: None)
            setup = next(c for c in solution.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
            setup.source = setup.source.split("from coursekit.checks import withhold")[0]
            nbformat.write(solution, str(tmp / f"{NAME}.ipynb"))
            patch.setattr(config, "SOLUTIONS", tmp)
        outcomes = grade.grade_class(tmp / "submitted", tmp / "output", names=[NAME], limits=LIMITS,
                                     feedback=False, log=lambda *_: None)
    return {o.student: o for o in outcomes}, tmp / "output" / "course" / "autograded"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return _grade(tmp_path_factory.mktemp("attacks"))


@pytest.fixture(scope="module")
def graded_in_kernel(tmp_path_factory):
    return _grade(tmp_path_factory.mktemp("attacks_in_kernel"), in_kernel=True)


def _outputs(autograded: Path, student: str) -> str:
    nb = nbformat.read(str(autograded / student / NAME / f"{NAME}.ipynb"), as_version=4)
    return "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream")


def test_there_are_at_least_ten_attacks():
    assert len(attacks.TRICKS) >= 10


def test_the_honest_solution_scores_full_marks(graded):
    outcome = graded[0]["honest"]
    assert outcome.status == "graded" and outcome.max_score == 7 and outcome.score == 7, outcome.exercises


@pytest.mark.parametrize("attack", ["zeros", *attacks.TRICKS])
def test_a_trick_earns_nothing_beyond_its_honest_part(graded, attack):
    outcome = graded[0][attack]
    assert outcome.status == "graded" and outcome.score == 0, (outcome.exercises, outcome.problems)


def test_forged_reports_are_reported_to_the_instructor(graded):
    problems = graded[0]["forge_reports_from_a_thread"].problems + graded[0]["forge_reports_from_pre_run_cell"].problems
    assert any("grader:" in p for p in problems), problems


def test_the_kernel_never_sees_an_expected_value_or_the_reference_code(graded):
    """What the spy printed: the test cells as the kernel received them, and optim.py's text."""
    seen = _outputs(graded[1], "spy")
    cells = re.findall(r"\[spy\] cell sent to the kernel:\n(.*?)(?=\[spy\]|\Z)", seen, re.S)
    tests = [c for c in cells if "_coursekit_report(" in c]
    assert len(tests) == 3, cells
    for cell in tests:
        for secret in ("check_close", "p.data", "reference", "import SGD", "Adam(", "[-0.2]", "0.42", "Parameter"):
            assert secret not in cell, (secret, cell)
    assert "optim.py reads:\nraise ImportError('coursekit.optim is not available in this assignment" in seen


def test_no_route_reaches_the_withheld_reference(graded):
    said = _outputs(graded[1], "call_the_withheld_reference")
    assert said.count("[attack]") >= 4 and "reached" not in said, said


# -- the control: the same class with the comparison in the kernel --------------------------
@pytest.mark.parametrize("attack", ["rebind_check_close", "rebind_via_importlib_setattr", "rebind_base64_exec",
                                    "patch_numpy", "read_expected_through_frames"])
def test_in_the_kernel_the_same_tricks_earn_marks(graded_in_kernel, attack):
    outcome = graded_in_kernel[0][attack]
    assert graded_in_kernel[0]["zeros"].score == 0
    assert outcome.status == "graded" and outcome.score > 0, outcome.exercises


def test_in_the_kernel_the_reference_is_within_reach(graded_in_kernel):
    assert "import: reached" in _outputs(graded_in_kernel[1], "call_the_withheld_reference")
