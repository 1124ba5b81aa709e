"""Install the course where every user can run it: ``<prefix>/src`` and ``<prefix>/venv``.

Users' servers, the instructor's grading and the grade-on-submit service run as their own OS
users, so they cannot use a checkout or a virtual environment inside root's (or anybody's)
private home. This copies the code the course runs (coursekit, the grading tools, the hub's
files, the assignments' sources) to ``<prefix>/src``, readable by all but the solutions and the
recorded expected values (``PRIVATE``: the graders' group alone), and builds the pinned
environment ``<prefix>/venv`` from ``settings.python`` (default: the system's python3.11),
again only when ``pyproject.toml`` changed (a stamp keyed on its hash, as ``make install``).

    python -m deploy.hub.install      # as root; `make hub` and the end-to-end test run it
"""
from __future__ import annotations

import fcntl
import grp
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .settings import REPO, HubSettings, load

COPIED = ("coursekit", "tools", "deploy", "solutions", "pyproject.toml", "README.md")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules", ".ipynb_checkpoints", "*.egg-info")
# built by npm (Makefile: grading-mathjax, slides): MathJax 3 typesets the feedback pages' maths,
# the decks' MathJax 2 serves the formgrader (tools/grading/formgrader.py)
NODE_ASSETS = ("tools/grading/mathjax/node_modules", "tools/slides/node_modules/mathjax")
KEPT = "build"  # in the copy: the recorded expectations (record_expectations), not from the repository
PIP = "pip==25.3"
# Solutions, hidden tests and expected values: readable by the instructors (accounts.py puts
# them in this group; grading and the grade-on-submit service run as an instructor), not students.
GRADERS = "coursekit-graders"
PRIVATE = ("solutions", KEPT)


def graders_gid() -> int:
    """The graders' group id; the group is made (a system group) if it does not exist."""
    try:
        return grp.getgrnam(GRADERS).gr_gid
    except KeyError:
        subprocess.run(["groupadd", "--system", GRADERS], check=True)
        return grp.getgrnam(GRADERS).gr_gid


def set_modes(source: Path) -> None:
    """Everything in ``source`` readable by all (a+rX), but ``PRIVATE``: root and the graders only."""
    gid = graders_gid()
    for folder, dirs, files in os.walk(source):
        top = Path(folder).relative_to(source).parts[:1]
        private = bool(top) and top[0] in PRIVATE
        os.chown(folder, 0, gid if private else 0)
        os.chmod(folder, 0o750 if private else 0o755)
        for name in files:
            os.chown(os.path.join(folder, name), 0, gid if private else 0)
            os.chmod(os.path.join(folder, name), 0o640 if private else 0o644)


def copy_source(settings: HubSettings) -> None:
    """The course's code copied into ``settings.source`` (modes: ``set_modes``), in place: files are
    overwritten and files gone from the repository removed, so a server or a test already
    running from the copy never finds it missing."""
    source = settings.source
    source.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.prefix, 0o755)
    wanted = set()
    for name in COPIED:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=SKIPPED, dirs_exist_ok=True)
            wanted.update(p.relative_to(REPO) for p in path.rglob("*") if not _skipped(p))
        else:
            shutil.copy2(path, source / name)
        wanted.add(Path(name))
    for name in NODE_ASSETS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, dirs_exist_ok=True)
    for path in sorted(source.rglob("*"), reverse=True):   # children before their folders
        relative = path.relative_to(source)
        if relative not in wanted and relative.parts[0] != KEPT and not _skipped(path):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    set_modes(source)


def _skipped(path: Path) -> bool:
    return any(SKIPPED(str(part.parent), [part.name]) for part in (path, *path.parents))


def environment_stamp(settings: HubSettings) -> Path:
    digest = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()[:16]
    return settings.environment / f".installed-{digest}"


def build_environment(settings: HubSettings, log=print) -> None:
    """The pinned environment in ``settings.environment``, rebuilt when the pins changed.

    The course is installed editable from ``settings.source``, so a new copy of the code
    needs no reinstall.
    """
    stamp = environment_stamp(settings)
    if stamp.exists():
        return
    log(f"building the course's environment in {settings.environment} (a few minutes, once per change of pins)")
    shutil.rmtree(settings.environment, ignore_errors=True)
    python = settings.environment / "bin" / "python"
    subprocess.run([str(settings.python), "-m", "venv", str(settings.environment)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", PIP], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", str(settings.source)], check=True)
    stamp.touch()


def install_lab_settings(settings: HubSettings) -> None:
    """JupyterLab's defaults for the course (``tools/lab/overrides.json``, as ``make install``
    installs them): no news question, widget messages in the kernel's main thread (README)."""
    target = settings.environment / "share" / "jupyter" / "lab" / "settings"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(settings.source / "tools" / "lab" / "overrides.json", target / "overrides.json")


def record_expectations(settings: HubSettings) -> None:
    """Every assignment's expected check values, recorded by ``tools.grading.expectations`` from
    the solutions (trusted code) as root into the copy's ``build/grading/expectations``.

    Grading records them on first use and caches them beside the code, where the instructor's
    grading and the grade-on-submit service (not root) cannot write; recorded here, they only
    read them (as graders: students cannot, the values are the answers). A cached record is
    reused while the solution and coursekit are unchanged.
    """
    code = ("from tools.grading.config import assignment_names\n"
            "from tools.grading.expectations import expectations\n"
            "for name in assignment_names():\n    expectations(name)\n")
    subprocess.run([str(settings.environment / "bin" / "python"), "-c", code], cwd=settings.source, check=True)
    set_modes(settings.source)


def install(settings: HubSettings, log=print) -> None:
    """Copy the code, build the environment and its JupyterLab settings, record the expectations;
    one install at a time."""
    settings.prefix.mkdir(parents=True, exist_ok=True)
    with open(settings.prefix / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        copy_source(settings)
        build_environment(settings, log)
        install_lab_settings(settings)
        record_expectations(settings)


def main() -> int:
    if os.geteuid() != 0:
        print("install: run as root (it writes the course to its prefix for every user)", file=sys.stderr)
        return 2
    install(load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
