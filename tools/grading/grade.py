"""`make grade`: autograde a whole class with nbgrader, in one command.

Input (see README, "For instructors"): ``submitted/<student>/<assignment>/<assignment>.ipynb``
and, optionally, ``timestamp.txt`` beside it (e.g. ``2026-02-09 18:03:00 UTC``).

Output, in ``build/grading/``:

* ``course/gradebook.db`` — nbgrader's sqlite gradebook, updated;
* ``scores_by_exercise.csv``, ``scores_by_assignment.csv``, ``scores_by_student.csv``;
* ``course/feedback/<student>/<assignment>/<assignment>.html`` — per-student feedback;
* ``report.md`` (and ``report.json``) — late, missing and unreadable submissions, locked cells
  that were edited or deleted, cells that timed out or killed the kernel, and code that
  tampers with the grader. A bad submission is reported; it never stops the class.
"""
from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import warnings
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.preprocessors import CheckCellMetadata, SaveAutoGrades
from nbgrader.utils import parse_utc
from sqlalchemy.exc import SAWarning

from . import integrity, sandbox, verdict
from .config import OUTPUT, SUBMISSIONS, Course, assignment_names, course_config, quick_commits
from .expectations import expectations
from .feedback import configure as configure_feedback
from .feedback import typeset
from .progress import Progress, duration
from .release import generate_release
from .report import Outcome, write_outputs
from .run import REMOVED_RESULT, IgnoreDisplayedResults


def _autograde_config(root: Path, names, *, limits: sandbox.Limits, unsafe_no_sandbox: bool):
    """nbgrader's autograde pipeline with the sandbox as executor, test cells judged outside the
    kernel against the solutions' recorded checks, and the displayed-score filter.

    nbgrader checks the cells' nbgrader metadata (``CheckCellMetadata``) when it sanitizes a
    submission and again after executing it; nothing in between changes metadata (the executor
    and the filters change outputs), so the second check, serial work in the grading process
    with any number of jobs, is left out.
    """
    config = course_config(root)
    sandbox.configure(config, limits=limits, unsafe_no_sandbox=unsafe_no_sandbox)
    verdict.configure(config, {name: expectations(name) for name in names})
    chain = [pp for pp in config.Autograde.autograde_preprocessors if pp is not CheckCellMetadata]
    chain.insert(chain.index(SaveAutoGrades), IgnoreDisplayedResults)
    config.Autograde.autograde_preprocessors = chain
    configure_feedback(config)
    return config


def _timestamp_problem(folder: Path) -> str | None:
    path = folder / "timestamp.txt"
    if not path.exists():
        return None
    try:
        parse_utc(path.read_text().strip())
    except Exception:
        return f"timestamp.txt is not a date ({path.read_text()[:40]!r}); graded as on time"
    return None


def _run_problems(autograded) -> list[str]:
    """What the sandbox stopped (timeouts, a dead kernel, limits) and ignored fake results.

    A notice repeated in later cells (e.g. "the remaining cells were not run") is listed once,
    at the first cell that shows it.
    """
    problems, seen = [], set()
    for index, cell in enumerate(autograded.cells):
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
        for out in cell.get("outputs", []):
            notice = next((out.data[m] for m in (sandbox.NOTICE_MIME, verdict.NOTICE_MIME)
                           if out.output_type == "display_data" and m in out.get("data", {})), None)
            if notice is not None:
                message = ("sandbox: " if sandbox.NOTICE_MIME in out.data else "grader: ") + notice["message"]
                if message not in seen:
                    seen.add(message)
                    problems.append(f"{gid}: {message}")
            elif out.output_type == "stream" and out.text.startswith(REMOVED_RESULT):
                problems.append(f"{gid}: displayed a result (a fake score?); it was ignored")
    return problems


def grade_class(submissions: Path = SUBMISSIONS, output: Path = OUTPUT, *, names=None, students=None,
                limits: sandbox.Limits = sandbox.Limits(), unsafe_no_sandbox: bool = False,
                feedback: bool = True, jobs: int = 1, db_url: str | None = None, log=print) -> list[Outcome]:
    """Grade every submission in ``submissions``; write gradebook, CSVs, feedback and report.

    Parameters
    ----------
    submissions : folder of ``<student>/<assignment>/<assignment>.ipynb`` (+ ``timestamp.txt``).
    output : where the course (gradebook, feedback), CSVs and report go; graded afresh each run.
    names : the assignments to grade (default: every one in ``solutions/``).
    students : the class roster, the students asked to hand in each of ``names`` (default:
        ``Course.students`` of nbgrader_config.py). Only a listed student without a
        submission is reported missing; without a roster no one is.
    limits : the sandbox's limits for each submission (``sandbox.Limits``).
    unsafe_no_sandbox : run student code with your rights instead of in bubblewrap, and say
        UNSAFE in every graded notebook, its feedback and the report.
    feedback : write each student's feedback page.
    jobs : at most this many submissions' kernels (sandboxes) alive at once. One job executes
        and grades one submission after the other; N > 1 jobs execute N submissions at once in
        N worker processes, each job's kernels under their own uid (needs root;
        ``sandbox.job_uids``), while this process grades them in order. The outputs do not
        depend on it, only the time does.
    db_url : the gradebook: nbgrader's SQLite file ``output/course/gradebook.db`` unless this
        names another (e.g. ``postgresql+psycopg://...``, the course hub's shared gradebook).
    log : called with one line at each step (progress: done of total, rate, time left).

    Returns one ``Outcome`` per (student, assignment) handed in or asked for. Where bubblewrap
    cannot run this raises ``sandbox.SandboxUnavailable`` (its message says how to allow it);
    ``jobs > 1`` without root raises ``ValueError``.
    """
    names = assignment_names() if names is None else list(names)
    if not unsafe_no_sandbox:
        sandbox.job_uids(limits, jobs)  # refuses a jobs value it cannot run before any work
    submissions, output = Path(submissions), Path(output)
    root = output / "course"
    for step in ("submitted", "autograded", "feedback"):
        shutil.rmtree(root / step, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)

    log(f"recording the expected values of {len(names)} solution(s) in a trusted kernel")
    config = _autograde_config(root, names, limits=limits, unsafe_no_sandbox=unsafe_no_sandbox)
    db_url = config.CourseDirectory.db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
    course = Course(config=config)
    roster = course.students if students is None else list(students)
    with contextlib.ExitStack() as stack:
        stack.enter_context(quick_commits(db_url))
        # parallel jobs execute ahead in the pool's workers (started now: they import while the
        # release is generated), and nbgrader grades here, in order
        pool = stack.enter_context(sandbox.ExecutionPool(jobs, config, unsafe_no_sandbox=unsafe_no_sandbox)) \
            if jobs > 1 else None
        log(f"generating the student copies of {len(names)} assignment(s) in {root}")
        generate_release(root, names, db_url=db_url)
        with Gradebook(db_url, course_id=config.CourseDirectory.course_id) as gb:
            for name in names:
                due = course.due_dates.get(name)
                gb.update_or_create_assignment(name, duedate=parse_utc(due) if due else None)

        found = sorted(p.name for p in submissions.iterdir() if p.is_dir()) if submissions.is_dir() else []
        outcomes = [Outcome(student, name) for student in sorted(set(found) | set(roster)) for name in names
                    if student in roster or (submissions / student / name).is_dir()]
        readable = []
        for outcome in outcomes:
            if _hand_in(root, submissions, outcome):
                readable.append(outcome)
                if pool is not None:  # a worker starts on it while the next one is checked
                    pool.submit(outcome.student, outcome.assignment,
                                root / "submitted" / outcome.student / outcome.assignment,
                                root / "autograded" / outcome.student / outcome.assignment)
        if pool is not None:
            config.SandboxedExecute.pool = pool
        _grade_each(NbGraderAPI(config=config), root, readable, pool=pool, feedback=feedback, log=log)
    typeset([o.feedback for o in outcomes if o.feedback], log=log, jobs=jobs)
    _fill_scores(db_url, config.CourseDirectory.course_id, outcomes, names)
    write_outputs(output, outcomes, names, roster=bool(roster))
    return outcomes


def _grade_each(api: NbGraderAPI, root: Path, readable: list[Outcome], *, pool, feedback: bool, log) -> None:
    """Autograde each handed-in submission, in order, and write the feedback (in the pool's
    workers, if any, once every grade is written: they only read the gradebook then)."""
    progress = Progress(len(readable), log)
    for outcome in readable:
        student, name = outcome.student, outcome.assignment
        result = api.autograde(name, student)
        if result["success"]:
            outcome.status = "graded"
            graded, _ = integrity.read_notebook(root / "autograded" / student / name / f"{name}.ipynb")
            outcome.problems += _run_problems(graded)
            if feedback and pool is None:
                api.generate_feedback(name, student)
        else:
            outcome.status = "failed"
            tail = [line for line in result.get("log", "").splitlines() if "ERROR" in line][-2:]
            outcome.problems.append("nbgrader could not grade it: " + " | ".join(tail))
        progress.step(f"{student} / {name}")
    graded = [o for o in readable if o.status == "graded"]
    if pool is not None:
        log(f"{pool.taken} of {len(readable)} notebook(s) were executed by the parallel jobs")
        if feedback:
            written = Progress(len(graded), log, what="feedback for")
            for outcome, _ in zip(graded, pool.map(_feedback, [(o.assignment, o.student) for o in graded])):
                written.step(f"{outcome.student} / {outcome.assignment}")
    for outcome in graded if feedback else []:
        page = root / "feedback" / outcome.student / outcome.assignment / f"{outcome.assignment}.html"
        outcome.feedback = str(page) if page.exists() else ""


def _feedback(config, name: str, student: str) -> None:
    """Write one submission's feedback HTML (nbgrader's generate_feedback)."""
    NbGraderAPI(config=config).generate_feedback(name, student)


def _hand_in(root: Path, submissions: Path, outcome: Outcome) -> bool:
    """Check one submission and copy it into nbgrader's course; False if there is none to grade."""
    student, name = outcome.student, outcome.assignment
    folder = submissions / student / name
    notebook = folder / f"{name}.ipynb"
    if not notebook.exists():
        others = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
        if others:
            outcome.status = "unreadable"
            outcome.problems.append(f"no {name}.ipynb in the folder (found {', '.join(others)})")
        return False
    if notebook.is_symlink():  # followed, it would grade (and report on) any file the grader can read
        outcome.status = "unreadable"
        outcome.problems.append(f"{name}.ipynb is a symbolic link; it was not followed")
        return False
    nb, reason = integrity.read_notebook(notebook)
    if nb is None:
        outcome.status = "unreadable"
        outcome.problems.append(reason)
        return False
    release, _ = integrity.read_notebook(root / "release" / name / f"{name}.ipynb")
    outcome.problems += integrity.locked_cell_changes(nb, release)
    outcome.flags += integrity.suspicious_code(nb, release)
    dest = root / "submitted" / student / name
    dest.mkdir(parents=True)
    shutil.copyfile(notebook, dest / notebook.name)
    stamp_problem = _timestamp_problem(folder)
    if stamp_problem:
        outcome.problems.append(stamp_problem)
    elif (folder / "timestamp.txt").exists():
        shutil.copyfile(folder / "timestamp.txt", dest / "timestamp.txt")
    return True


def _fill_scores(db_url: str, course_id: str, outcomes: list[Outcome], names: list[str]) -> None:
    with Gradebook(db_url, course_id=course_id) as gb:
        max_scores = {name: gb.find_assignment(name).max_score for name in names}
        for outcome in outcomes:
            outcome.max_score = float(max_scores[outcome.assignment])
            if outcome.status != "graded":
                continue
            submission = gb.find_submission(outcome.assignment, outcome.student)
            outcome.score = float(submission.score)
            outcome.seconds_late = float(submission.total_seconds_late)
            for nb in submission.notebooks:
                for grade in sorted(nb.grades, key=lambda g: g.name):
                    if grade.max_score:
                        outcome.exercises[grade.name] = [float(grade.score or 0.0), float(grade.max_score)]
            if outcome.seconds_late > 0:
                outcome.problems.insert(0, f"late by {duration(outcome.seconds_late)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Autograde every submission; see tools/grading/grade.py.")
    parser.add_argument("--submissions", type=Path, default=SUBMISSIONS,
                        help="folder of <student>/<assignment>/<assignment>.ipynb (default: submitted/)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write (default: build/grading/)")
    parser.add_argument("--assignment", action="append", choices=assignment_names(),
                        help="grade only this assignment (repeatable)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="at most this many submissions' kernels alive at once, each job's under its own uid "
                             "(> 1 needs root; default 1)")
    parser.add_argument("--cell-timeout", type=int, help=f"seconds per cell (default {sandbox.Limits().cell_timeout})")
    parser.add_argument("--no-feedback", action="store_true", help="skip the feedback HTML")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="run student code WITHOUT the bubblewrap sandbox (see README)")
    args = parser.parse_args(argv)
    limits = sandbox.Limits(**({"cell_timeout": args.cell_timeout} if args.cell_timeout else {}))
    # nbgrader 0.9 trips a harmless SQLAlchemy warning on every new submission
    warnings.filterwarnings("ignore", category=SAWarning, module="nbgrader")
    try:
        if not args.unsafe_no_sandbox:
            sandbox.job_uids(limits, args.jobs)  # a --jobs it cannot run is refused before any work
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        outcomes = grade_class(args.submissions, args.output, names=args.assignment, limits=limits,
                               unsafe_no_sandbox=args.unsafe_no_sandbox, feedback=not args.no_feedback,
                               jobs=args.jobs)
    except sandbox.SandboxUnavailable as exc:
        print(exc, file=sys.stderr)
        return 2
    graded = sum(o.status == "graded" for o in outcomes)
    print(f"graded {graded} submission(s); scores and report in {args.output}/")
    print((args.output / "report.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
