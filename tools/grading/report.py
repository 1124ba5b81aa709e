"""What grading made of each submission (``Outcome``), and the files an instructor reads: the
three CSVs, ``report.md`` and ``report.json``. Student text in the report (problems, flagged
code) is escaped: it may quote the student's code.
"""
from __future__ import annotations

import csv
import html
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Outcome:
    """What grading made of one student's submission of one assignment."""

    student: str
    assignment: str
    status: str = "missing"            # graded | missing | unreadable | failed
    score: float = 0.0
    max_score: float = 0.0
    exercises: dict = field(default_factory=dict)   # test cell -> [score, max_score]
    seconds_late: float = 0.0
    problems: list = field(default_factory=list)   # what happened to the submission
    flags: list = field(default_factory=list)      # code for a human to look at
    feedback: str = ""


def write_outputs(output: Path, outcomes: list[Outcome], names: list[str], *, roster: bool = True) -> None:
    """The three CSVs, report.md and report.json (``roster``: whether missing ones are known)."""
    output.mkdir(parents=True, exist_ok=True)
    with open(output / "scores_by_exercise.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "assignment", "exercise", "score", "max_score"])
        for o in outcomes:
            for exercise, (score, max_score) in o.exercises.items():
                writer.writerow([o.student, o.assignment, exercise, f"{score:g}", f"{max_score:g}"])
    with open(output / "scores_by_assignment.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "assignment", "status", "score", "max_score", "seconds_late"])
        for o in outcomes:
            writer.writerow([o.student, o.assignment, o.status, f"{o.score:g}", f"{o.max_score:g}", f"{o.seconds_late:g}"])
    students = sorted({o.student for o in outcomes})
    with open(output / "scores_by_student.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", *names, "total", "max_total"])
        for student in students:
            mine = {o.assignment: o for o in outcomes if o.student == student}
            row = [f"{mine[n].score:g}" if n in mine else "" for n in names]
            writer.writerow([student, *row, f"{sum(o.score for o in mine.values()):g}",
                             f"{sum(o.max_score for o in mine.values()):g}"])
    (output / "report.json").write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    (output / "report.md").write_text(render_report(outcomes, names, roster=roster))


def _md(text: str) -> str:
    """A problem or flag (it may quote the student's code) as inert Markdown table text."""
    return html.escape(text, quote=False).replace("|", "\\|")


def render_report(outcomes: list[Outcome], names: list[str], *, roster: bool = True) -> str:
    lines = ["# Grading report", ""]
    if not roster:
        lines += ["No class roster (`c.Course.students` in tools/grading/nbgrader_config.py): the "
                  "report lists what was handed in; nobody is listed as missing.", ""]
    for name in names:
        mine = [o for o in outcomes if o.assignment == name]
        graded = [o for o in mine if o.status == "graded"]
        lines += [f"## {name}", "",
                  f"{len(graded)} graded, {sum(o.status == 'missing' for o in mine)} missing, "
                  f"{sum(o.status == 'unreadable' for o in mine)} unreadable, "
                  f"{sum(o.status == 'failed' for o in mine)} failed, "
                  f"{sum(o.seconds_late > 0 for o in mine)} late.", ""]
        for label, status in (("Missing", "missing"), ("Unreadable", "unreadable"), ("Failed", "failed")):
            who = [o for o in mine if o.status == status]
            if who:
                lines.append(f"**{label}:** " + ", ".join(
                    o.student + (f" ({'; '.join(map(_md, o.problems))})" if o.problems else "") for o in who))
                lines.append("")
        noted = [o for o in graded if o.problems or o.flags]
        if noted:
            lines += ["| student | score | problems | code to review |", "|---|---|---|---|"]
            for o in noted:
                lines.append(f"| {o.student} | {o.score:g} / {o.max_score:g} | {'<br>'.join(map(_md, o.problems))} | "
                             f"{'<br>'.join(map(_md, o.flags))} |")
            lines.append("")
    return "\n".join(lines)
