"""Where grading finds and writes things, and the nbgrader configuration it runs with."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nbgrader
import nbgrader.api
from alembic.script import ScriptDirectory
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


def newest_gradebook_revision() -> str:
    """The alembic revision nbgrader stamps a new gradebook with: its newest migration.

    nbgrader asks the ``alembic heads`` command, a new Python process that takes seconds to
    start on every new gradebook; this reads the same migration scripts in this process
    (tests/test_grading_release.py checks that both give the same revision).
    """
    return ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()


nbgrader.api.get_alembic_version = newest_gradebook_revision


def assignment_names() -> list[str]:
    """Every assignment, named after its source notebook ``solutions/<name>.ipynb``."""
    return sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))


def load_config(config_file: Path = CONFIG_FILE) -> Config:
    """The settings of ``nbgrader_config.py`` as a traitlets Config."""
    config = PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
    # nbgrader creates a new gradebook by running the `alembic` command; it lives beside python.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return config


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
