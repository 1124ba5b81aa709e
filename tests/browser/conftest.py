"""Fixtures for the real-browser tests: Debian's Chromium driven by Playwright, a headless
JupyterLab server on a copy of the lessons, and the offline decks built by ``make slides``.

Every process started here is stopped in the fixture's ``finally``. Without Chromium (or npm,
for the decks) the tests skip with a message saying what to install; under CI (``CI`` set)
they fail instead, because ``.ci/run`` installs Chromium.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sliders import INK_LEVEL, INK_MIN

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = ROOT / "build" / "screenshots"
DECKS = ROOT / "build" / "slides"
CHROMIUM = Path("/usr/bin/chromium")
# Headless as root on a machine with no network: no sandbox, no GPU, no background fetches.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
SERVER_START_TIMEOUT = 90  # seconds; the first start compiles bytecode and scans extensions


def unavailable(reason: str):
    """Skip on a developer's machine; fail in CI, where .ci/run provides everything."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must not skip browser tests)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium` "
                    "(as root; .ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(settings_dir: Path) -> None:
    # No kernel dialog over the notebook; every cell kept in the DOM (no windowing), so the
    # tests can read all prompts and outputs. No news question either, but that comes from the
    # environment's overrides.json (`make install`), which the lab test checks.
    overrides = {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/docmanager-extension/plugin": {"autoStartDefaultKernel": True},
    }
    for name, values in overrides.items():
        path = settings_dir / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture(scope="session")
def lab_base(tmp_path_factory) -> Path:
    """The JupyterLab test server's folder: its lessons, settings, log and (``runtime/``) the
    kernels' connection files."""
    return tmp_path_factory.mktemp("lab")


@pytest.fixture(scope="session")
def lab_server(lab_base):
    """JupyterLab (with jupyterlab-rise) on a free port, serving a throw-away copy of the lessons.

    Yields ``(base_url, token)``. The copy keeps the repository's notebooks clean when the
    browser runs and autosaves them. Config, runtime and settings live in temporary folders.
    """
    if not LESSONS:
        pytest.skip("no lessons in notebooks/")
    root = lab_base / "notebooks"
    root.mkdir()
    for lesson in LESSONS:
        shutil.copy(lesson, root / lesson.name)
    _write_settings(lab_base / "settings")
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(lab_base / "config"), JUPYTER_RUNTIME_DIR=str(lab_base / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(lab_base / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(lab_base / "workspaces"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with serving(command, env, lab_base / "server.log", port, token):
        yield f"http://127.0.0.1:{port}", token


@contextlib.contextmanager
def serving(command, env, log_path: Path, port: int, token: str, cwd=None):
    """Run the Jupyter server ``command`` until its API answers on ``port``; stop it on exit."""
    log = log_path.open("w")
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Jupyter server did not start; log:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.3)
        yield
    finally:
        server.terminate()  # SIGTERM: the server shuts its kernels down
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def decks():
    """Build (or bring up to date) every lesson's offline deck with ``make slides``."""
    if not LESSONS:
        pytest.skip("no lessons in notebooks/")
    for tool, how in (("make", "apt-get install -y make"), ("npm", "apt-get install -y npm")):
        if shutil.which(tool) is None:
            unavailable(f"`make slides` needs {tool}: install it with `{how}`")
    built = subprocess.run(["make", "--no-print-directory", "slides"], cwd=ROOT, capture_output=True, text=True)
    if built.returncode:
        pytest.fail(f"make slides failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}")
    return DECKS


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# Fraction of a canvas's pixels that are not near-white, computed in the page.
INK_FRACTION = """c => {
    if (!c.width || !c.height) return 0;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < %d) ink++;
    return ink / (c.width * c.height);
}""" % INK_LEVEL


@pytest.fixture(scope="session")
def wait_for_ink():
    """``wait_for_ink(page, canvas_locator)``: wait until more than INK_MIN of the canvas is drawn."""
    def wait(page, canvas, timeout=30_000):
        page.wait_for_function(f"c => ({INK_FRACTION})(c) > {INK_MIN}", arg=canvas.element_handle(), timeout=timeout)
    return wait

