"""Where grading finds and writes things, and the nbgrader configuration it runs with."""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import nbgrader
import sqlalchemy
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from nbgrader.api import Base
from traitlets import Dict, List, Unicode
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
SUBMISSIONS = ROOT / "submitted"
OUTPUT = ROOT / "build" / "grading"
CONFIG_FILE = Path(__file__).with_name("nbgrader_config.py")
COURSE_ID = "coursekit"


class Course(Configurable):
    """Course facts that nbgrader's own config has no place for (set in nbgrader_config.py)."""

    due_dates = Dict(Unicode(), help="assignment -> due date, e.g. '2026-02-09 23:59:00 UTC'").tag(config=True)
    students = List(Unicode(), help="the class roster (optional)").tag(config=True)


def create_gradebook(db_url: str) -> None:
    """Create nbgrader's gradebook at ``db_url`` (if it has no tables yet) as nbgrader would.

    nbgrader's ``Gradebook`` creates a missing one itself, stamped with the newest migration
    that it asks the ``alembic heads`` command for: a new Python process that takes seconds.
    This creates the same tables and stamps the same revision with alembic's API in this
    process (tests/test_grading_release.py compares the revision with nbgrader's command);
    nbgrader then finds an existing gradebook.
    """
    engine = sqlalchemy.create_engine(db_url)
    try:
        if sqlalchemy.inspect(engine).get_table_names():
            return
        Base.metadata.create_all(engine)
        migrations = ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic"))
        with engine.begin() as connection:
            MigrationContext.configure(connection).stamp(migrations, "head")
    finally:
        engine.dispose()


@contextlib.contextmanager
def quick_commits(db_url: str):
    """While in this context, commits to the gradebook at ``db_url``, if it is an SQLite file,
    do not wait for the disk.

    nbgrader commits some 30 times per graded submission, and SQLite's default waits for two
    or three disk syncs each time: on a busy disk more time than the grading. The gradebook is
    switched to write-ahead logging (a setting kept in the file), and each connection that
    nbgrader opens to it in this process gets ``synchronous=NORMAL``, which SQLite documents as
    safe from corruption in that mode: a power cut can lose the last commits, never the file
    (and grading again writes them again).
    """
    url = sqlalchemy.engine.make_url(db_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        yield
        return
    target = os.path.realpath(url.database)

    def on_connect(connection, _record):
        [path] = [row[2] for row in connection.execute("PRAGMA database_list") if row[1] == "main"]
        if path and os.path.realpath(path) == target:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")

    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "connect", on_connect)
    try:
        yield
    finally:
        sqlalchemy.event.remove(sqlalchemy.engine.Engine, "connect", on_connect)


def assignment_names() -> list[str]:
    """Every assignment, named after its source notebook ``solutions/<name>.ipynb``."""
    return sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))


def load_config(config_file: Path = CONFIG_FILE) -> Config:
    """The settings of ``nbgrader_config.py`` as a traitlets Config."""
    return PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()


def course_config(root: Path, config: Config | None = None) -> Config:
    """``config`` (default: the course's) pointed at the nbgrader course directory ``root``."""
    config = load_config() if config is None else config
    config.CourseDirectory.root = str(Path(root).resolve())
    config.CourseDirectory.course_id = COURSE_ID
    return config


def copy_sources(root: Path, names: list[str]) -> None:
    """Lay out ``solutions/<a>.ipynb`` as nbgrader's ``<root>/source/<a>/<a>.ipynb``."""
    for name in names:
        dest = Path(root) / "source" / name
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOLUTIONS / f"{name}.ipynb", dest / f"{name}.ipynb")
