"""nbgrader's exchange as the grader reads and writes it, with honest identities.

A submission in ``<exchange>/<course>/inbound`` is a folder named ``<student>+<assignment>+
<timestamp>+<random>``; the name is whatever ``nbgrader submit --student NAME`` said. nbgrader's
own ``collect`` only warns when the folder's OS owner is somebody else (and then collects it as
NAME's work); here such a submission is *refused* and reported, and the student's newest
genuine submission is taken instead. So is one that holds a symbolic link: ``nbgrader submit``
copies files, so a link was made by hand, and copied as the instructor it would bring the
target (the instructor's settings, another student's work) into the submission. Feedback goes
back the way nbgrader's ``release_feedback`` puts it: ``<exchange>/<course>/feedback/<hash>.html``,
where the hash is made from the submission's secret, which only the student's own copy of the
submission holds.
"""
from __future__ import annotations

import dataclasses
import os
import pwd
import shutil
from pathlib import Path

from nbgrader.exchange.default import ExchangeCollect
from nbgrader.utils import notebook_hash, parse_utc

from .settings import HubSettings


@dataclasses.dataclass(frozen=True)
class Submission:
    """One folder in the exchange's inbound."""

    path: Path
    student: str        # the name the submission claims
    assignment: str
    timestamp: str      # as nbgrader wrote it (timestamp.txt holds the same)
    owner: str          # the OS user who made the folder
    link: str = ""      # a symbolic link in it, if any (relative path)

    @property
    def refused(self) -> bool:
        return self.owner != self.student or bool(self.link)

    def refusal(self) -> str:
        why = (f"made by OS user {self.owner!r} in the name of {self.student!r}" if self.owner != self.student
               else f"that holds a symbolic link ({self.link}), which is not followed")
        return f"refused a submission of {self.assignment} {why} ({self.path.name})"


def owner(path: Path) -> str:
    """The OS user who owns ``path`` (a link itself, not its target)."""
    try:
        return pwd.getpwuid(path.lstat().st_uid).pw_name
    except KeyError:
        return f"uid {path.lstat().st_uid}"


def first_link(path: Path) -> str:
    """The first symbolic link at or under ``path``, relative to its parent, or ""."""
    if path.is_symlink():
        return path.name
    for folder, dirs, files in os.walk(path):
        for name in sorted(dirs + files):
            if os.path.islink(os.path.join(folder, name)):
                return os.path.relpath(os.path.join(folder, name), path.parent)
    return ""


def inbound(settings: HubSettings) -> Path:
    return settings.exchange / settings.course_id / "inbound"


def submissions(settings: HubSettings, assignment: str) -> list[Submission]:
    """Every submission of ``assignment`` in the course's inbound, oldest first."""
    return submissions_in(inbound(settings), assignment)


def submission_at(path: Path) -> Submission:
    """The submission in inbound folder ``path``, named ``<student>+<assignment>+<timestamp>+...``."""
    student, name, timestamp = path.name.split("+")[:3]
    return Submission(path, student, name, timestamp, owner(path), first_link(path))


def submissions_in(folder: Path, assignment: str) -> list[Submission]:
    found = [submission_at(path) for path in folder.glob(f"*+{assignment}+*")] if folder.is_dir() else []
    return sorted(found, key=lambda s: parse_utc(s.timestamp))


def copy_submission(submission: Submission, dest: Path) -> None:
    """The submission's files in ``dest`` (the layout ``make grade`` reads: ``<student>/<assignment>/``)."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(submission.path, dest)


def collect(settings: HubSettings, assignment: str, dest: Path) -> list[str]:
    """Copy each student's newest genuine submission to ``dest/<student>/<assignment>/``.

    Returns one line per refused submission (forged, or holding a link). ``dest`` is emptied
    first, so it holds exactly what was collected.
    """
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    newest, refused = {}, []
    for submission in submissions(settings, assignment):
        if submission.refused:
            refused.append(submission.refusal())
        else:
            newest[submission.student] = submission
    for student, submission in newest.items():
        copy_submission(submission, dest / student / assignment)
    return refused


def release_feedback(settings: HubSettings, submission_folder: Path, html: Path) -> Path:
    """Put the feedback ``html`` for the submission whose files are in ``submission_folder``
    where the student's ``nbgrader fetch_feedback`` finds it."""
    secret = (submission_folder / "submission_secret.txt").read_text()
    notebook_id = html.stem
    feedback = settings.exchange / settings.course_id / "feedback"
    if not feedback.is_dir():
        feedback.mkdir()
        os.chmod(feedback, 0o711)  # students open their own file by its hash, list nothing
    dest = feedback / f"{notebook_hash(secret=secret, notebook_id=notebook_id)}.html"
    partial = dest.with_suffix(".tmp")
    shutil.copyfile(html, partial)
    os.chmod(partial, 0o644)
    partial.replace(dest)
    return dest


class HonestCollect(ExchangeCollect):
    """nbgrader's ``collect`` (also the formgrader's Collect button) without refused submissions:
    each student's newest submission *made by that student*, without links, is collected; the
    others are refused with an error in the log. The instructor's servers use it (jupyter/all)."""

    def _genuine(self, record: dict) -> bool:
        return not submission_at(Path(self.inbound_path) / record["filename"]).refused

    def _sort_by_timestamp(self, records):
        # genuine ones first, each group newest first: nbgrader takes the first of each student
        return sorted(records, key=lambda r: (self._genuine(r), r["timestamp"]), reverse=True)

    def init_src(self):
        super().init_src()
        turned_away = [s for s in submissions_in(Path(self.inbound_path), self.coursedir.assignment_id)
                       if s.refused]
        for submission in turned_away:
            self.log.error(submission.refusal())
        refused = {s.path.name for s in turned_away}
        self.src_records = [r for r in self.src_records if r["filename"] not in refused]
