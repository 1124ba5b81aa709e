"""The instructor's commands on the course hub (run in the instructor's server, e.g. its terminal).

    python -m deploy.hub.course release ASSIGNMENT   # generate the student copy, release it
    python -m deploy.hub.course grade ASSIGNMENT     # collect, grade in the sandbox, return feedback

``grade`` is ``make grade`` on the submissions that came through the exchange: the same
``tools.grading.grade.grade_class`` (the bubblewrap sandbox and its limits, the report, scores
decided by the grader and not by the student's kernel), into the course's gradebook (the
``gradebook`` setting: SQLite or PostgreSQL); then each graded student's feedback is released
through the exchange, where the student's "Fetch Feedback" finds it. Submissions made in
another student's name are refused and listed in the report.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from sqlalchemy.exc import SAWarning

from tools.grading.config import course_config
from tools.grading.grade import grade_class
from tools.grading.report import Outcome
from tools.grading.release import generate_release

from . import exchange
from .settings import HubSettings, load


def grading_dir(settings: HubSettings) -> Path:
    """Where ``grade_class`` writes: ``course/`` (nbgrader's course directory, which the
    formgrader shows), the CSVs and ``report.md``."""
    return settings.course_root().parent


def collected_dir(settings: HubSettings) -> Path:
    return settings.home(settings.instructor) / "collected"


def nbgrader_api(settings: HubSettings) -> NbGraderAPI:
    config = course_config(settings.course_root())
    config.CourseDirectory.course_id = settings.course_id
    config.CourseDirectory.db_url = settings.db_url()
    config.Exchange.root = str(settings.exchange)
    return NbGraderAPI(config=config)


def release(settings: HubSettings, assignment: str) -> None:
    """Generate the student copy in the course directory and put it in the exchange."""
    generate_release(settings.course_root(), [assignment], db_url=settings.db_url())
    result = nbgrader_api(settings).release_assignment(assignment)
    if not result["success"]:
        raise RuntimeError(f"nbgrader could not release {assignment}:\n{result.get('log', '')}{result.get('error', '')}")


def grade(settings: HubSettings, assignment: str, log=print) -> tuple[list[Outcome], list[str]]:
    """Collect, grade (sandboxed) and release feedback; returns the outcomes and the refusals."""
    collected = collected_dir(settings)
    refused = exchange.collect(settings, assignment, collected)
    for line in refused:
        log(line)
    output = grading_dir(settings)
    # the roster, so a student who submitted nothing is reported missing
    outcomes = grade_class(collected, output, names=[assignment], students=settings.students,
                           db_url=settings.db_url(), log=log)
    for outcome in outcomes:
        if outcome.feedback:
            exchange.release_feedback(settings, collected / outcome.student / assignment, Path(outcome.feedback))
    if refused:
        report = output / "report.md"
        report.write_text(report.read_text() + "\n## Refused submissions\n\n"
                          + "".join(f"- {line}\n" for line in refused))
    return outcomes, refused


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Release and grade on the course hub; see deploy/hub/course.py.")
    parser.add_argument("action", choices=("release", "grade"))
    parser.add_argument("assignment")
    args = parser.parse_args(argv)
    settings = load()
    if args.action == "release":
        release(settings, args.assignment)
        print(f"released {args.assignment}")
        return 0
    warnings.filterwarnings("ignore", category=SAWarning, module="nbgrader")
    outcomes, _ = grade(settings, args.assignment)
    graded = sum(o.status == "graded" for o in outcomes)
    print(f"graded {graded} submission(s), feedback released; report: {grading_dir(settings) / 'report.md'}")
    print((grading_dir(settings) / "report.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
