"""Start and stop the hub process (``make hub`` and the end-to-end test share this)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .settings import HERE, SETTINGS_ENV, HubSettings

CONFIG = HERE / "jupyterhub_config.py"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"


class HubNotReady(RuntimeError):
    """The hub exited or did not answer in time; the message holds the end of its log."""


def check_environment(settings: HubSettings, probe_user: str) -> None:
    """Fail unless ``probe_user`` can run the course's environment and import the course from it."""
    python = settings.environment / "bin" / "python"
    result = subprocess.run(["runuser", "-u", probe_user, "--", str(python), "-c",
                             "import coursekit, nbgrader, jupyterhub, deploy.hub.settings"],
                            capture_output=True, text=True, cwd="/",
                            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PYTHONPATH": str(settings.source)})
    if result.returncode != 0:
        raise PermissionError(
            f"the user {probe_user!r} cannot run {python} and import the course: "
            f"{(result.stderr.strip().splitlines() or ['exit ' + str(result.returncode)])[-1]}; "
            "the environment, the Python it was built from and the course's code must be readable "
            "and executable by every user (deploy/hub/install.py; settings 'prefix' and 'python')")


def start(settings: HubSettings, settings_file: Path, log: Path, config: Path = CONFIG) -> subprocess.Popen:
    """The hub (and its proxy, which it starts) in a new session, logging to ``log``."""
    if not PROXY.exists():
        raise FileNotFoundError(f"{PROXY} is missing: run `npm ci` in {HERE} (make hub does)")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.data_dir, 0o711)  # the hub's database and cookie secret stay root's
    env = {**os.environ, SETTINGS_ENV: str(settings_file)}
    with open(log, "ab") as out:
        return subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f", str(config)],
                                cwd=settings.data_dir, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def wait_ready(settings: HubSettings, proc: subprocess.Popen, log: Path, timeout: float = 90) -> float:
    """Seconds until the hub answers ``/hub/api`` through its proxy; ``HubNotReady`` otherwise."""
    url = f"http://{settings.ip}:{settings.port}/hub/api"
    start_time = time.monotonic()
    while time.monotonic() - start_time < timeout:
        if proc.poll() is not None:
            raise HubNotReady(f"the hub exited with {proc.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if "version" in json.load(response):
                    return time.monotonic() - start_time
        except OSError:
            pass
        time.sleep(0.2)
    raise HubNotReady(f"the hub did not answer {url} within {timeout:g} s:\n{_tail(log)}")


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM to the hub's session (the hub stops the user servers and the proxy); SIGKILL after ``timeout``."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # whatever of the session is left (the proxy)
    except ProcessLookupError:
        pass
    proc.wait()


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"
