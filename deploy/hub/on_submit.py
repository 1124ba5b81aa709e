"""Grade on submit: a hub service that grades each new submission and returns its feedback.

For the assignments listed in the ``grade_on_submit`` setting (none by default), every new
genuine submission in the exchange is graded at once by the same ``grade_class`` as
``make grade`` (sandbox, limits, scores decided outside the student's kernel) and its feedback
is released through the exchange, so the student's "Fetch Feedback" shows what failed while
still in the lab (jupyter/nbgrader#988). These runs are practice: they write their own
scratch gradebook, never the course's; the grade that counts comes from the instructor's
``course.py grade`` at the deadline.

A fast autograder can be used to guess answers, so at most ``attempts_per_hour`` submissions
per student and assignment are graded in any hour; a submission beyond that gets feedback
saying so and when the next one will be graded, and every feedback page states the cap.
Submissions in another student's name are refused (and never count for that student).

The hub starts this as the instructor (jupyterhub_config.py); it keeps its state in
``~/on-submit/`` of the instructor.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from sqlalchemy.exc import SAWarning

from tools.grading.grade import grade_class

from . import exchange
from .settings import HubSettings, load

HOUR = dt.timedelta(hours=1)


class Attempts:
    """Which submissions were seen, and when each student's graded attempts were (a JSON file)."""

    def __init__(self, path: Path):
        self.path = path
        state = json.loads(path.read_text()) if path.exists() else {}
        self.seen: set[str] = set(state.get("seen", []))
        self.graded: dict[str, list[str]] = state.get("graded", {})

    def recent(self, student: str, assignment: str, now: dt.datetime) -> list[dt.datetime]:
        times = [dt.datetime.fromisoformat(t) for t in self.graded.get(f"{student}/{assignment}", [])]
        return sorted(t for t in times if now - t < HOUR)

    def record(self, submission: exchange.Submission, graded_at: dt.datetime | None) -> None:
        self.seen.add(submission.path.name)
        if graded_at is not None:
            self.graded.setdefault(f"{submission.student}/{submission.assignment}", []).append(graded_at.isoformat())
        self.path.write_text(json.dumps({"seen": sorted(self.seen), "graded": self.graded}, indent=1))


def _note(text: str) -> str:
    return (f'<div style="border:2px solid #1f6feb;padding:0.6em;margin:0.6em 0;font-family:sans-serif">'
            f"{html.escape(text)}</div>")


def _with_note(page: str, text: str) -> str:
    """``page`` with ``text`` shown at the top of its body."""
    head, sep, rest = page.partition("<body")
    if not sep:
        return _note(text) + page
    tag_end = rest.index(">") + 1
    return head + sep + rest[:tag_end] + _note(text) + rest[tag_end:]


def grade_one(settings: HubSettings, submission: exchange.Submission, work: Path, note: str) -> Path | None:
    """Grade one submission in a scratch course under ``work``; its feedback page (with
    ``note`` on top), or None when grading produced none."""
    shutil.rmtree(work, ignore_errors=True)
    folder = work / "submitted" / submission.student / submission.assignment
    exchange.copy_submission(submission, folder)
    outcomes = grade_class(work / "submitted", work / "output", names=[submission.assignment], log=lambda _: None)
    mine = [o for o in outcomes if o.student == submission.student and o.feedback]
    if not mine:
        return None
    page = Path(mine[0].feedback)
    page.write_text(_with_note(page.read_text(), note))
    return page


def refusal_page(work: Path, assignment: str, text: str) -> Path:
    """A feedback page that only says ``text`` (named as the assignment's notebook)."""
    work.mkdir(parents=True, exist_ok=True)
    page = work / f"{assignment}.html"
    page.write_text(f"<!DOCTYPE html><html><body>{_note(text)}</body></html>")
    return page


def handle(settings: HubSettings, attempts: Attempts, submission: exchange.Submission, work: Path,
           now: dt.datetime) -> str:
    """Grade (or turn away) one new submission and release its feedback; a line for the log."""
    cap = settings.attempts_per_hour
    if submission.refused:
        attempts.record(submission, None)
        return submission.refusal()
    recent = attempts.recent(submission.student, submission.assignment, now)
    if len(recent) >= cap:
        again = (recent[0] + HOUR).strftime("%H:%M UTC")
        page = refusal_page(work, submission.assignment,
                            f"Not graded: at most {cap} submissions of {submission.assignment} are graded "
                            f"per hour, and you have used them. Submit again after {again}; "
                            "the instructor still grades your last submission at the deadline.")
        graded_at = None
    else:
        page = grade_one(settings, submission, work,
                         f"Graded on submit: attempt {len(recent) + 1} of at most {cap} per hour. "
                         "Practice feedback; the instructor grades your last submission at the deadline.")
        graded_at = now
    if page is not None:
        exchange.release_feedback(settings, submission.path, page)
    attempts.record(submission, graded_at)
    return f"{submission.student} / {submission.assignment}: " + ("graded" if graded_at else "over the hourly cap")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def poll_once(settings: HubSettings, attempts: Attempts, work: Path, log=print, clock=_utc_now) -> int:
    """Handle every submission not seen before; the number handled."""
    handled = 0
    for assignment in settings.grade_on_submit:
        for submission in exchange.submissions(settings, assignment):
            if submission.path.name not in attempts.seen:
                try:
                    log(handle(settings, attempts, submission, work, clock()))
                except Exception:  # one submission that cannot be graded must not stop the service
                    log(f"{submission.path.name}: grading on submit failed\n{traceback.format_exc()}")
                    page = refusal_page(work, submission.assignment,
                                        "Grading on submit failed for this submission (the instructor "
                                        "can see why); it is kept and graded at the deadline.")
                    exchange.release_feedback(settings, submission.path, page)
                    attempts.record(submission, None)
                handled += 1
    return handled


def main() -> int:
    warnings.filterwarnings("ignore", category=SAWarning, module="nbgrader")
    settings = load()
    state = settings.home(settings.instructor) / "on-submit"
    state.mkdir(mode=0o700, exist_ok=True)
    attempts = Attempts(state / "attempts.json")
    print(f"grading on submit: {', '.join(settings.grade_on_submit)} "
          f"(at most {settings.attempts_per_hour} per student and hour)", flush=True)
    while True:
        with tempfile.TemporaryDirectory(dir=state) as work:
            poll_once(settings, attempts, Path(work) / "run", log=lambda line: print(line, flush=True))
        time.sleep(2)


if __name__ == "__main__":
    sys.exit(main())
