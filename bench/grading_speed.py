"""Seconds per submission when grading a class (issue 7: target < 3 s on the course machine).

A class of N generated submissions (default 30), cycling through the assignments and
alternating a solution (full marks) and an untouched exercise (zero), is graded with
``tools.grading.grade.grade_class`` — gradebook, CSVs, report and feedback HTML included.

    python bench/grading_speed.py                 # one run without a sandbox
    python bench/grading_speed.py --mode sandbox --mode subprocess   # both, and their ratio

Modes: ``subprocess`` (the default of `make grade`: each notebook runs in a child process),
``in-process`` (nbclient in the grading process: what the extra process costs) and ``sandbox``
(the bubblewrap executor of issue 9, ``tools.grading.sandbox.configure``).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.grading import execute  # noqa: E402
from tools.grading.config import EXERCISES, SOLUTIONS, assignment_names  # noqa: E402
from tools.grading.grade import grade_class  # noqa: E402


def grading_options(mode: str) -> dict:
    """The keyword arguments of ``grade_class`` for a mode (see the module docstring)."""
    if mode == "subprocess":
        return {"runner": execute.run_in_subprocess}
    if mode == "in-process":
        return {"runner": execute.run_in_process}
    if mode == "sandbox":
        from tools.grading import sandbox
        return {"configure": sandbox.configure}
    raise ValueError(f"unknown mode {mode!r}")


def make_class(folder: Path, n: int) -> None:
    """n submissions: student i hands in assignment i mod A, a solution for even i, else the exercise."""
    names = assignment_names()
    for i in range(n):
        name = names[i % len(names)]
        source = (SOLUTIONS if i % 2 == 0 else EXERCISES) / f"{name}.ipynb"
        dest = folder / f"student{i:02d}" / name
        dest.mkdir(parents=True)
        (dest / f"{name}.ipynb").write_bytes(source.read_bytes())


def seconds_per_submission(n: int = 30, mode: str = "subprocess", feedback: bool = True) -> float:
    """Wall-clock seconds per submission for grading a generated class of ``n``."""
    with tempfile.TemporaryDirectory() as tmp:
        make_class(Path(tmp) / "submitted", n)
        start = time.perf_counter()
        outcomes = grade_class(Path(tmp) / "submitted", Path(tmp) / "out", feedback=feedback,
                               log=lambda *_: None, **grading_options(mode))
        elapsed = time.perf_counter() - start
    graded = [o for o in outcomes if o.status == "graded"]
    if len(graded) != n:
        raise RuntimeError(f"only {len(graded)} of {n} submissions were graded")
    return elapsed / n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="submissions in the class (default 30)")
    parser.add_argument("--mode", action="append", choices=["subprocess", "in-process", "sandbox"],
                        help="repeat to compare (default: subprocess)")
    parser.add_argument("--no-feedback", action="store_true", help="skip the feedback HTML")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", module="nbgrader")  # nbgrader 0.9's harmless SQLAlchemy warnings
    results = {}
    for mode in args.mode or ["subprocess"]:
        results[mode] = seconds_per_submission(args.n, mode, feedback=not args.no_feedback)
        print(f"{mode:>11}: {results[mode]:.2f} s per submission ({args.n} submissions, "
              f"feedback {'off' if args.no_feedback else 'on'}, load average {os.getloadavg()[0]:.1f})")
    base = results.get("subprocess")
    for mode, value in results.items():
        if base and mode != "subprocess":
            print(f"{mode} / subprocess = {value / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
