"""Seconds per submission and throughput when grading a class, with one job and with several
(issue 16: <= 2.5 s per submission with one job; >= 1.7 x the throughput with two).

A class of N generated submissions (default 30), cycling through the assignments and
alternating a solution (full marks) and an untouched exercise (zero), is graded with
``tools.grading.grade.grade_class`` — gradebook, CSVs, report and feedback HTML included.
Each run prints the wall-clock seconds per submission of the whole run (the release of every
assignment included) and of its grading alone (from the first graded submission to the end),
the throughput, and the load average before and after.

    python bench/grading_speed.py                          # jobs 1 and 2, make grade's sandbox
    python bench/grading_speed.py --jobs 1 --jobs 2 --repeat 2
    python bench/grading_speed.py --jobs 1 --mode sandbox --mode unsafe-no-sandbox

Modes: ``sandbox`` (what `make grade` and ``grade_class()`` do: every kernel in bubblewrap) and
``unsafe-no-sandbox`` (issue 9's target is sandbox <= 1.3 x this). ``--repeat`` alternates the
runs that many times, so the machine's load falls on all alike; ratios use the best runs.
Several jobs need root (each job's kernels run under their own uid).
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


def timed_run(n: int = 30, mode: str = "sandbox", jobs: int = 1, feedback: bool = True) -> tuple[float, float]:
    """(seconds per submission of the whole run, of its grading alone) for a generated class of ``n``."""
    with tempfile.TemporaryDirectory() as tmp:
        make_class(Path(tmp) / "submitted", n)
        graded_at = []
        start = time.perf_counter()
        outcomes = grade_class(Path(tmp) / "submitted", Path(tmp) / "out", feedback=feedback, jobs=jobs,
                               unsafe_no_sandbox=MODES[mode],
                               log=lambda line: graded_at.append(time.perf_counter()) if line.startswith("[1/") else None)
        end = time.perf_counter()
    graded = [o for o in outcomes if o.status == "graded"]
    if len(graded) != n:
        raise RuntimeError(f"only {len(graded)} of {n} submissions were graded")
    return (end - start) / n, (end - graded_at[0]) / (n - 1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="submissions in the class (default 30)")
    parser.add_argument("--jobs", type=int, action="append", help="repeat to compare (default: 1 and 2)")
    parser.add_argument("--mode", action="append", choices=list(MODES), help="repeat to compare (default: sandbox)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, alternating (default 1)")
    parser.add_argument("--no-feedback", action="store_true", help="skip the feedback HTML")
    args = parser.parse_args(argv)
    if args.n < 2:
        parser.error(f"-n must be at least 2, got {args.n}")
    warnings.filterwarnings("ignore", module="nbgrader")  # nbgrader 0.9's harmless SQLAlchemy warnings
    runs = [(mode, jobs) for mode in args.mode or ["sandbox"] for jobs in args.jobs or [1, 2]]
    best = {}
    for _ in range(args.repeat):
        for mode, jobs in runs:
            load = os.getloadavg()[0]
            whole, grading = timed_run(args.n, mode, jobs, feedback=not args.no_feedback)
            best[mode, jobs] = min(best.get((mode, jobs), (whole, grading)), (whole, grading))
            print(f"{mode:>17}, {jobs} job(s): {whole:.2f} s per submission ({60 / whole:.1f} per min), "
                  f"grading alone {grading:.2f} s ({60 / grading:.1f} per min); {args.n} submissions, "
                  f"feedback {'off' if args.no_feedback else 'on'}, load average {load:.1f} before, "
                  f"{os.getloadavg()[0]:.1f} after", flush=True)
    for mode in args.mode or ["sandbox"]:
        one = best.get((mode, 1))
        for jobs in sorted(j for m, j in best if m == mode and j > 1 and one):
            whole, grading = best[mode, jobs]
            print(f"{mode}: throughput with {jobs} jobs / 1 job = {one[0] / whole:.2f} (whole run), "
                  f"{one[1] / grading:.2f} (grading alone); best runs")
    if ("sandbox", 1) in best and ("unsafe-no-sandbox", 1) in best:
        print(f"sandbox / unsafe-no-sandbox (1 job) = {best['sandbox', 1][0] / best['unsafe-no-sandbox', 1][0]:.2f} "
              "(best runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
