"""Seconds per submission when grading a class (issue 7: target < 3 s on the course machine).

A class of N generated submissions (default 30), cycling through the assignments and
alternating a solution (full marks) and an untouched exercise (zero), is graded with
``tools.grading.grade.grade_class`` — gradebook, CSVs, report and feedback HTML included — and
the wall-clock time of the whole run is divided by N.

    python bench/grading_speed.py                                  # make grade's path (sandbox)
    python bench/grading_speed.py --mode sandbox --mode unsafe-no-sandbox   # both, and their ratio

Modes: ``sandbox`` (what `make grade` and ``grade_class()`` do: every kernel in bubblewrap,
each launched while the grader finishes the submission before it) and ``unsafe-no-sandbox``
(the kernels unsandboxed, each started when its notebook needs it; issue 9's target is
sandbox <= 1.3 x this). Repeat ``--mode`` to compare in one run; ``--repeat`` alternates the
modes that many times, so the machine's load falls on all alike.
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

from tools.grading.config import EXERCISES, SOLUTIONS, assignment_names  # noqa: E402
from tools.grading.grade import grade_class  # noqa: E402

MODES = {"sandbox": False, "unsafe-no-sandbox": True}  # mode -> unsafe_no_sandbox


def make_class(folder: Path, n: int) -> None:
    """n submissions: student i hands in assignment i mod A, a solution for even i, else the exercise."""
    names = assignment_names()
    for i in range(n):
        name = names[i % len(names)]
        source = (SOLUTIONS if i % 2 == 0 else EXERCISES) / f"{name}.ipynb"
        dest = folder / f"student{i:02d}" / name
        dest.mkdir(parents=True)
        (dest / f"{name}.ipynb").write_bytes(source.read_bytes())


def seconds_per_submission(n: int = 30, mode: str = "sandbox", feedback: bool = True) -> float:
    """Wall-clock seconds per submission for grading a generated class of ``n``."""
    with tempfile.TemporaryDirectory() as tmp:
        make_class(Path(tmp) / "submitted", n)
        start = time.perf_counter()
        outcomes = grade_class(Path(tmp) / "submitted", Path(tmp) / "out", feedback=feedback,
                               unsafe_no_sandbox=MODES[mode], log=lambda *_: None)
        elapsed = time.perf_counter() - start
    graded = [o for o in outcomes if o.status == "graded"]
    if len(graded) != n:
        raise RuntimeError(f"only {len(graded)} of {n} submissions were graded")
    return elapsed / n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="submissions in the class (default 30)")
    parser.add_argument("--mode", action="append", choices=list(MODES),
                        help="repeat to compare (default: sandbox)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each mode, alternating (default 1)")
    parser.add_argument("--no-feedback", action="store_true", help="skip the feedback HTML")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", module="nbgrader")  # nbgrader 0.9's harmless SQLAlchemy warnings
    modes = args.mode or ["sandbox"]
    results = {mode: [] for mode in modes}
    for _ in range(args.repeat):
        for mode in modes:
            load = os.getloadavg()[0]
            results[mode].append(seconds_per_submission(args.n, mode, feedback=not args.no_feedback))
            print(f"{mode:>17}: {results[mode][-1]:.2f} s per submission ({args.n} submissions, feedback "
                  f"{'off' if args.no_feedback else 'on'}, load average {load:.1f} before, "
                  f"{os.getloadavg()[0]:.1f} after)", flush=True)
    if "sandbox" in results and "unsafe-no-sandbox" in results:
        print(f"sandbox / unsafe-no-sandbox = {min(results['sandbox']) / min(results['unsafe-no-sandbox']):.2f} "
              "(best runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
