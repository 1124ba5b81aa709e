"""The expected value of every check of an assignment, recorded from its solution notebook.

Before a class is graded, each assignment's solution (``solutions/<name>.ipynb``, with its
hidden tests and the reference code they use) runs once in a **trusted** kernel — an ordinary
kernel of this environment, not the sandbox, started with ``COURSEKIT_CHECKS=record``. Every
check compares as it does for a student (the solution must pass its own tests, or grading
stops with the failing check) and publishes a record: what it checks, the expected value,
tolerances, measure, hint (``coursekit.checks.kernel``). ``withhold(...)`` in the setup cell
records the modules the assignment withholds. The records are kept per test cell, in order,
and cached in ``build/grading/expectations/`` under a hash of the solution, coursekit and the
versions of Python, NumPy and SymPy.

No student kernel ever sees a record: the grader compares reports with them in its own process
(``tools/grading/verdict.py``).
"""
from __future__ import annotations

import hashlib
import json
from importlib import metadata
import os
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from coursekit.checks.kernel import MODE_VARIABLE, RECORD_MIME

from .config import ROOT, SOLUTIONS
from .rewrite import NotATestCell, report_cell

CACHE = ROOT / "build" / "grading" / "expectations"
TIMEOUT = 300  # seconds per cell of a solution notebook


class SolutionFails(RuntimeError):
    """A solution notebook fails its own tests: nothing can be graded against it."""


@dataclass
class Expectations:
    """The records of one assignment: ``checks[grade_id]`` lists its checks' records in order."""

    assignment: str
    checks: dict = field(default_factory=dict)
    withheld: list = field(default_factory=list)

    def __deepcopy__(self, memo):
        # traitlets deep-copies config values into each executor it makes (two per submission:
        # about 0.01 s of processor time each); the records are only read once recorded
        return self


def _fingerprint(solution: Path) -> str:
    digest = hashlib.sha256(solution.read_bytes())
    for path in sorted((ROOT / "coursekit").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    digest.update(sys.version.encode())
    for package in ("numpy", "sympy"):  # the numbers a solution computes depend on them too
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()[:20]


def _grade_id(cell) -> str | None:
    nbgrader = cell.metadata.get("nbgrader", {})
    return nbgrader.get("grade_id") if nbgrader.get("grade") else None


def run_solution(name: str, solution: Path) -> Expectations:
    """Execute ``solution`` in a trusted kernel and collect its records."""
    nb = nbformat.read(str(solution), as_version=4)
    for cell in nb.cells:
        if _grade_id(cell):
            try:
                report_cell(cell.source, nonce="")
            except NotATestCell as exc:
                raise SolutionFails(f"test cell {_grade_id(cell)} of {name}: {exc}") from exc
    with tempfile.TemporaryDirectory(prefix="coursekit-expectations-") as cwd:
        client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": cwd}})
        try:
            client.execute(env={**os.environ, MODE_VARIABLE: "record"})
        except CellExecutionError as exc:
            raise SolutionFails(f"the solution of {name} fails when run to record its expected values:\n{exc}") from exc
    found = Expectations(name)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            payload = out.get("data", {}).get(RECORD_MIME) if out.get("output_type") == "display_data" else None
            if payload is None:
                continue
            if "withheld" in payload:
                found.withheld += payload["withheld"]
            elif _grade_id(cell):
                found.checks.setdefault(_grade_id(cell), []).append(payload)
    missing = [_grade_id(c) for c in nb.cells if _grade_id(c) and _grade_id(c) not in found.checks]
    if missing:
        raise SolutionFails(f"test cells of {name} that made no check: {', '.join(missing)}")
    return found


def expectations(name: str, solutions: Path = SOLUTIONS, cache: Path = CACHE) -> Expectations:
    """The records of assignment ``name``, from the cache or a fresh trusted run."""
    solution = Path(solutions) / f"{name}.ipynb"
    path = Path(cache) / f"{name}-{_fingerprint(solution)}.json"
    if path.exists():
        return Expectations(**json.loads(path.read_text()))
    found = run_solution(name, solution)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f"{name}-*.json"):
        stale.unlink()
    path.write_text(json.dumps(asdict(found)))
    return found
