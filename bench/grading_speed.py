"""Seconds per submission and throughput when grading a class, with one job and with several
(issue 16: <= 2.5 s per submission with one job; >= 1.7 x the throughput with two).

A class of N generated submissions (default 30), cycling through the assignments and
alternating a solution (full marks) and an untouched exercise (zero), is graded with
``tools.grading.grade.grade_class`` — gradebook, CSVs, report and feedback HTML included.
Each run is a fresh Python process, as each `make grade` is, and prints the wall-clock seconds
per submission of the whole run (the release of every assignment included) and of its grading
alone (from the first graded submission to the end), the throughput, and the load average before
and after; and the processor seconds per submission of the grading process itself while
grading (with several jobs, the serial part: nbgrader grades in order there, so the grading
alone can take no less). Run as root where cgroup v2 is mounted, each run's process tree
(grader, workers, kernels, Node) is also put in a cgroup of its own, and the run prints the
processor seconds per submission of all of it and the cores busy while grading (processor /
wall-clock seconds).

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
import json
import os
import subprocess
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
OUT = Path(__file__).resolve().parents[1] / "build" / "bench" / "grading_speed.json"


def make_class(folder: Path, n: int) -> None:
    """n submissions: student i hands in assignment i mod A, a solution for even i, else the exercise."""
    names = assignment_names()
    for i in range(n):
        name = names[i % len(names)]
        source = (SOLUTIONS if i % 2 == 0 else EXERCISES) / f"{name}.ipynb"
        dest = folder / f"student{i:02d}" / name
        dest.mkdir(parents=True)
        (dest / f"{name}.ipynb").write_bytes(source.read_bytes())


def cgroup_root() -> Path | None:
    """Where this process may make cgroups that count processor time (cgroup v2, as root), or None."""
    if os.geteuid() != 0:
        return None
    mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()
              if line.split()[2] == "cgroup2"]
    own = next((line[3:] for line in Path("/proc/self/cgroup").read_text().splitlines() if line.startswith("0::")), None)
    if not mounts or own is None:
        return None
    return Path(mounts[0] + own)


def cpu_seconds(cgroup: str) -> float | None:
    """Processor seconds used so far by the processes in ``cgroup`` ("" for none: None)."""
    if not cgroup:
        return None
    usage = next(line for line in Path(cgroup, "cpu.stat").read_text().splitlines() if line.startswith("usage_usec"))
    return int(usage.split()[1]) / 1e6


def own_cpu_seconds() -> float:
    """Processor seconds of this process alone (its threads, not its children)."""
    times = os.times()
    return times.user + times.system


def timed_run(n: int, mode: str, jobs: int, feedback: bool, cgroup: str = "") -> dict:
    """Seconds per submission, wall clock and processor (None without ``cgroup``), of the whole
    run and of its grading alone (from the first graded submission on), for a generated class of
    ``n``; and the processor seconds per submission of the grading process alone while grading,
    the part no worker can take over."""
    with tempfile.TemporaryDirectory() as tmp:
        make_class(Path(tmp) / "submitted", n)
        marks = [(time.perf_counter(), cpu_seconds(cgroup), own_cpu_seconds())]

        def log(line):
            if line.startswith("[1/") and len(marks) == 1:  # the first graded (not the first feedback)
                marks.append((time.perf_counter(), cpu_seconds(cgroup), own_cpu_seconds()))

        outcomes = grade_class(Path(tmp) / "submitted", Path(tmp) / "out", feedback=feedback, jobs=jobs,
                               unsafe_no_sandbox=MODES[mode], log=log)
        marks.append((time.perf_counter(), cpu_seconds(cgroup), own_cpu_seconds()))
    graded = [o for o in outcomes if o.status == "graded"]
    if len(graded) != n:
        raise RuntimeError(f"only {len(graded)} of {n} submissions were graded")
    (start, cpu_start, _), (first, cpu_first, own_first), (end, cpu_end, own_end) = marks
    run = {"whole": (end - start) / n, "grading": (end - first) / (n - 1), "cpu whole": None, "cpu grading": None,
           "own cpu grading": (own_end - own_first) / (n - 1)}
    if cgroup:
        run.update({"cpu whole": (cpu_end - cpu_start) / n, "cpu grading": (cpu_end - cpu_first) / (n - 1)})
    return run


def fresh_run(n: int, mode: str, jobs: int, feedback: bool, cgroups: Path | None) -> dict:
    """``timed_run`` in a new Python process, in a new cgroup under ``cgroups`` if given."""
    cgroup = cgroups / f"coursekit-bench-{os.getpid()}-{time.monotonic_ns()}" if cgroups else None
    if cgroup is not None:
        cgroup.mkdir()
    argv = [sys.executable, __file__, "--one-run", json.dumps([n, mode, jobs, feedback, str(cgroup or "")])]
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE, check=True, text=True,
                              preexec_fn=(lambda: (cgroup / "cgroup.procs").write_text("0")) if cgroup else None)
    finally:
        for _ in range(100 if cgroup else 0):  # its last process (the workers' fork server) may take a moment
            try:
                cgroup.rmdir()
                break
            except OSError:
                time.sleep(0.1)
    return json.loads(done.stdout.splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="submissions in the class (default 30)")
    parser.add_argument("--jobs", type=int, action="append", help="repeat to compare (default: 1 and 2)")
    parser.add_argument("--mode", action="append", choices=list(MODES), help="repeat to compare (default: sandbox)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, alternating (default 1)")
    parser.add_argument("--no-feedback", action="store_true", help="skip the feedback HTML")
    parser.add_argument("--one-run", help=argparse.SUPPRESS)  # in the process of one run: its arguments
    args = parser.parse_args(argv)
    if args.one_run:
        warnings.filterwarnings("ignore", module="nbgrader")  # nbgrader 0.9's harmless SQLAlchemy warnings
        print(json.dumps(timed_run(*json.loads(args.one_run))))
        return 0
    if args.n < 2:
        parser.error(f"-n must be at least 2, got {args.n}")
    cgroups = cgroup_root()
    runs = [(mode, jobs) for mode in args.mode or ["sandbox"] for jobs in args.jobs or [1, 2]]
    best, record = {}, []
    for _ in range(args.repeat):
        for mode, jobs in runs:
            load = os.getloadavg()[0]
            run = fresh_run(args.n, mode, jobs, not args.no_feedback, cgroups)
            record.append({"mode": mode, "jobs": jobs, "submissions": args.n, "feedback": not args.no_feedback,
                           "load_before": load, "seconds_per_submission": run})
            whole, grading = run["whole"], run["grading"]
            best[mode, jobs] = min(best.get((mode, jobs), (whole, grading)), (whole, grading))
            print(f"{mode:>17}, {jobs} job(s): {whole:.2f} s per submission ({60 / whole:.1f} per min), "
                  f"grading alone {grading:.2f} s ({60 / grading:.1f} per min); "
                  + (f"processor {run['cpu whole']:.2f} s per submission, grading alone {run['cpu grading']:.2f} s "
                     f"({run['cpu grading'] / grading:.2f} cores busy); " if cgroups else "")
                  + f"grading process alone {run['own cpu grading']:.2f} s; "
                  + f"{args.n} submissions, "
                  f"feedback {'off' if args.no_feedback else 'on'}, load average {load:.1f} before, "
                  f"{os.getloadavg()[0]:.1f} after", flush=True)
    for mode in args.mode or ["sandbox"]:
        one = best.get((mode, 1))
        for jobs in sorted(j for m, j in best if m == mode and j > 1 and one):
            whole, grading = best[mode, jobs]
            print(f"{mode}: throughput with {jobs} jobs / 1 job = {one[0] / whole:.2f} (whole run), "
                  f"{one[1] / grading:.2f} (grading alone); best runs")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"cores": os.cpu_count(), "runs": record}, indent=1))
    print(f"wrote {OUT}")
    if ("sandbox", 1) in best and ("unsafe-no-sandbox", 1) in best:
        print(f"sandbox / unsafe-no-sandbox (1 job) = {best['sandbox', 1][0] / best['unsafe-no-sandbox', 1][0]:.2f} "
              "(best runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
