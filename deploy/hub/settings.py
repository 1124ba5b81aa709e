"""The settings of one course's hub, read from a TOML file (``demo.toml`` is the demonstration class).

The hub configuration (``jupyterhub_config.py``), the account tool (``accounts.py``), the
instructor's grading commands (``grade.py``) and the grade-on-submit service all read the same
file, named by the environment variable ``COURSEKIT_HUB_SETTINGS`` (default: ``demo.toml``).
Relative paths in it are relative to the repository.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SETTINGS_ENV = "COURSEKIT_HUB_SETTINGS"
DEFAULT_FILE = HERE / "demo.toml"
AUTHENTICATORS = ("pam", "github", "generic-oauth", "dummy")
# useradd's own rule for portable names (no dots, no upper case), at most 32 characters
_USERNAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


@dataclasses.dataclass(frozen=True)
class HubSettings:
    """One course on one server. See ``demo.toml`` for each field's meaning."""

    instructors: tuple[str, ...]
    students: tuple[str, ...]
    course_id: str = "coursekit"
    authenticator: str = "pam"
    ip: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = REPO / "build" / "hub"
    exchange: Path = REPO / "build" / "hub" / "exchange"
    prefix: Path = Path("/opt/coursekit")
    python: Path = Path("/usr/bin/python3.11")
    home_root: Path = Path("/home")
    gradebook: str = "sqlite"
    grade_on_submit: tuple[str, ...] = ()
    attempts_per_hour: int = 3

    def __post_init__(self):
        if not self.instructors:
            raise ValueError("instructors: the roster needs at least one instructor, got none")
        for name in (*self.instructors, *self.students):
            if not isinstance(name, str) or not _USERNAME.fullmatch(name):
                raise ValueError(f"roster: {name!r} is not a valid user name "
                                 "(lower case letters, digits, '_' or '-', at most 32 characters)")
        both = set(self.instructors) & set(self.students)
        if both:
            raise ValueError(f"roster: {sorted(both)} listed as both instructor and student")
        if self.authenticator not in AUTHENTICATORS:
            raise ValueError(f"authenticator: {self.authenticator!r} is not one of {AUTHENTICATORS}")
        if self.authenticator == "dummy" and self.ip != "127.0.0.1":
            raise ValueError("authenticator: 'dummy' accepts any password and is for tests only; "
                             f"it is refused on ip {self.ip!r} (use 127.0.0.1, or 'pam')")
        if self.gradebook != "sqlite" and not self.gradebook.startswith("postgresql+psycopg://"):
            raise ValueError(f"gradebook: {self.gradebook!r} is neither 'sqlite' nor a "
                             "'postgresql+psycopg://user:password@host:port/database' URL")
        if not isinstance(self.attempts_per_hour, int) or self.attempts_per_hour < 1:
            raise ValueError(f"attempts_per_hour: must be a positive integer, got {self.attempts_per_hour!r}")

    @property
    def users(self) -> tuple[str, ...]:
        return (*self.instructors, *self.students)

    @property
    def instructor(self) -> str:
        """The instructor who owns the course directory and the exchange's course folder."""
        return self.instructors[0]

    @property
    def source(self) -> Path:
        """The course as every user's server runs it: a copy of the repository's code (install.py)."""
        return self.prefix / "src"

    @property
    def environment(self) -> Path:
        """The Python environment every user's server runs from (install.py builds it)."""
        return self.prefix / "venv"

    def to_toml(self) -> str:
        """These settings as a settings file, every path absolute (JSON strings are TOML strings)."""
        lines = []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            text = json.dumps(list(value) if isinstance(value, tuple) else
                              value if isinstance(value, int) else str(value))
            lines.append(f"{field.name} = {text}\n")
        return "".join(lines)

    def users_copy(self) -> Path:
        """The copy of these settings that the instructor's processes read (accounts.py writes it)."""
        return self.home(self.instructor) / ".coursekit-hub.toml"

    def home(self, user: str) -> Path:
        return self.home_root / user

    def course_root(self) -> Path:
        """The instructor's nbgrader course directory (formgrader, gradebook, feedback)."""
        return self.home(self.instructor) / "grading" / "course"

    def db_url(self) -> str:
        """nbgrader's ``db_url`` for the gradebook: a SQLite file in the course, or PostgreSQL."""
        if self.gradebook == "sqlite":
            return f"sqlite:///{self.course_root() / 'gradebook.db'}"
        return self.gradebook


def settings_file() -> Path:
    """``$COURSEKIT_HUB_SETTINGS``, or ``demo.toml``."""
    return Path(os.environ.get(SETTINGS_ENV) or DEFAULT_FILE).resolve()


def load(path: Path | str | None = None) -> HubSettings:
    """The settings in ``path`` (default: :func:`settings_file`)."""
    path = Path(path) if path else settings_file()
    raw = tomllib.loads(path.read_text())
    fields = {f.name: f for f in dataclasses.fields(HubSettings)}
    unknown = set(raw) - set(fields)
    if unknown:
        raise ValueError(f"{path}: unknown setting(s) {sorted(unknown)}; known: {sorted(fields)}")
    values = {}
    for key, value in raw.items():
        if fields[key].type.startswith("Path"):
            value = REPO / value  # an absolute path stays as it is
        elif fields[key].type.startswith("tuple"):
            value = tuple(value)
        values[key] = value
    return HubSettings(**values)
