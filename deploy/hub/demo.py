"""`make hub`: the demonstration class on this machine (run as root).

After ``make hub-install`` (install.py), creates the roster of ``demo.toml`` (or
``$COURSEKIT_HUB_SETTINGS``) as OS users, the
instructor's course and the exchange, prints each user's password, and runs the hub until
Ctrl-C. The accounts stay for the next run (same passwords); remove them with
``python -m deploy.hub.accounts remove``.
"""
from __future__ import annotations

import os
import sys

from . import accounts, run
from .settings import load, settings_file


def main() -> int:
    if os.geteuid() != 0:
        print("make hub: run as root (the hub creates OS users and starts servers as them)", file=sys.stderr)
        return 2
    settings = load()
    accounts.create(settings)
    run.check_environment(settings, settings.students[0] if settings.students else settings.instructor)
    passwords = accounts.set_passwords(settings, settings.data_dir / "initial_passwords.json")
    log = settings.data_dir / "jupyterhub.log"
    proc = run.start(settings, settings_file(), log)
    try:
        seconds = run.wait_ready(settings, proc, log)
        print(f"\nThe course hub is up (in {seconds:.1f} s) at http://{settings.ip}:{settings.port}/ "
              f"(log: {log}). Log in as:")
        for user in settings.users:
            role = "instructor, admin, formgrader" if user in settings.instructors else "student"
            print(f"  {user:<20} {passwords[user]:<16} ({role})")
        print("Ctrl-C stops the hub and every server; the accounts stay "
              "(python -m deploy.hub.accounts remove).\n", flush=True)
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        run.stop(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
