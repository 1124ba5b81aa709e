"""The class as OS accounts: one real user per roster name, the instructor's course, the exchange.

Real users give nbgrader honest identities: it takes the student from the OS user that runs
``nbgrader submit``, and a home directory of mode 0700 keeps each student's work from the others.
Run as root (``make hub`` and the end-to-end test do).

    python -m deploy.hub.accounts create [--passwords FILE]   # users, course, exchange
    python -m deploy.hub.accounts remove                      # users (and homes) of the roster
"""
from __future__ import annotations

import argparse
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from tools.grading.config import assignment_names, copy_sources

from .install import GRADERS, graders_gid
from .settings import HubSettings, load

COMMENT = "coursekit hub"  # marks the accounts this tool made, so remove() touches no others


def user_exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


def _chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for folder, dirs, files in os.walk(path):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.lchown(name, entry.pw_uid, entry.pw_gid)


def _kill_processes_of(uid: int) -> None:
    """SIGKILL every process that runs as ``uid`` (a roster account's servers and kernels)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass  # it ended meanwhile


def create_user(settings: HubSettings, user: str) -> None:
    """An OS account with a private home (0700); an existing account made here is kept.
    Instructors, and only they, are in the graders' group (install.py: the solutions)."""
    if user_exists(user):
        if pwd.getpwnam(user).pw_gecos != COMMENT:
            raise ValueError(f"roster: the OS user {user!r} exists and was not made for the hub; "
                             "rename the roster entry or remove that account")
    else:
        settings.home_root.mkdir(parents=True, exist_ok=True)
        subprocess.run(["useradd", "--create-home", "--base-dir", str(settings.home_root),
                        "--shell", "/bin/bash", "--user-group", "--comment", COMMENT, user], check=True)
    os.chmod(settings.home(user), 0o700)
    graders_gid()
    action = "--add" if user in settings.instructors else "--delete"
    subprocess.run(["gpasswd", action, user, GRADERS], check=user in settings.instructors, capture_output=True)


def prepare_course(settings: HubSettings) -> None:
    """The instructor's nbgrader course (sources from solutions/), their copy of the settings,
    and the exchange.

    The exchange root is world-writable with the sticky bit (nbgrader checks for mode 777;
    the sticky bit, like /tmp's, stops one user deleting another's folder). Its course folder
    is made here, owned by the instructor, so no student can create it first; nbgrader makes
    ``outbound`` (0755), ``inbound`` (2733: students write, cannot list) and ``feedback``
    (0711) inside it on the first release.
    """
    course = settings.course_root()
    copy_sources(course, assignment_names())
    _chown_tree(course.parent, settings.instructor)
    mine = settings.users_copy()  # may hold the PostgreSQL password: the instructor's alone
    mine.write_text(settings.to_toml())
    os.chmod(mine, 0o600)
    shutil.chown(mine, settings.instructor, settings.instructor)
    settings.exchange.mkdir(parents=True, exist_ok=True)
    os.chown(settings.exchange, 0, 0)
    os.chmod(settings.exchange, 0o1777)
    folder = settings.exchange / settings.course_id
    folder.mkdir(exist_ok=True)
    _chown_tree(folder, settings.instructor)
    os.chmod(folder, 0o755)


def set_passwords(settings: HubSettings, path: Path) -> dict[str, str]:
    """A random OS password for each roster user who has none in ``path`` (JSON, mode 0600).

    The hub logs users in with these (PAM); a user changes theirs with ``passwd`` in a terminal.
    Users already in ``path`` keep theirs, so ``make hub`` prints the same ones every time.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    passwords = json.loads(path.read_text()) if path.exists() else {}
    new = {user: secrets.token_urlsafe(9) for user in settings.users if user not in passwords}
    if new:
        subprocess.run(["chpasswd"], input="".join(f"{u}:{p}\n" for u, p in new.items()),
                       text=True, check=True)
    passwords.update(new)
    path.touch(mode=0o600)
    path.write_text(json.dumps(passwords, indent=1))
    return passwords


def create(settings: HubSettings) -> None:
    for user in settings.users:
        create_user(settings, user)
    prepare_course(settings)


def remove(settings: HubSettings, *, exchange: bool = True) -> list[str]:
    """Remove the roster's accounts made by this tool (home and mail spool too) and the exchange.

    Every process still running as one of them is killed first (userdel refuses otherwise).
    Returns the users removed.
    """
    removed = []
    for user in settings.users:
        if not user_exists(user) or pwd.getpwnam(user).pw_gecos != COMMENT:
            continue
        _kill_processes_of(pwd.getpwnam(user).pw_uid)
        subprocess.run(["userdel", "--remove", "--force", user], check=False, capture_output=True)
        if user_exists(user):
            raise RuntimeError(f"could not remove the OS user {user!r}")
        removed.append(user)
    if exchange:
        shutil.rmtree(settings.exchange, ignore_errors=True)
    return removed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="The roster's OS accounts; see deploy/hub/accounts.py.")
    parser.add_argument("action", choices=("create", "remove"))
    parser.add_argument("--passwords", type=Path,
                        help="with create: give users not yet in this JSON file a random password and add it")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("accounts: run as root (it creates and removes OS users)", file=sys.stderr)
        return 2
    settings = load()
    if args.action == "create":
        create(settings)
        if args.passwords:
            set_passwords(settings, args.passwords)
    else:
        print("removed:", ", ".join(remove(settings)) or "nobody")
    return 0


if __name__ == "__main__":
    sys.exit(main())
