"""The installation: pins agree between pip and conda, and `make lab` serves the workbook."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import json
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def pyproject_pins():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return dict(d.split("==") for d in deps)


def conda_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return dict(d.split("==") for d in pip if "==" in d)


def test_every_dependency_is_pinned_exactly():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", d) for d in deps), deps


def test_conda_environment_matches_pyproject():
    assert conda_pins() == pyproject_pins()


def test_torch_is_not_a_default_dependency():
    assert "torch" not in pyproject_pins()


def test_nbformat_does_not_build_iri_parsers_at_import():
    """jsonschema >= 4.24 imports rfc3987_syntax (Lark parsers, 1.1-1.5 s) with nbformat: paid
    by JupyterLab's start and by every grading process, for a format no notebook schema uses."""
    loaded = subprocess.run([sys.executable, "-c", "import sys, nbformat; print(sorted(sys.modules))"],
                            capture_output=True, text=True, check=True).stdout
    assert "'nbformat'" in loaded and "rfc3987_syntax" not in loaded and "'lark'" not in loaded


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@pytest.mark.slow
def test_make_lab_serves_the_notebooks():
    """`make lab` (installation already stamped) starts JupyterLab on notebooks/."""
    port, token = free_port(), "coursekit-test"
    proc = subprocess.Popen(
        ["make", "lab", f"PORT={port}", f"LAB_ARGS=--no-browser --IdentityProvider.token={token}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                status = get_json(f"{base}/api/status?token={token}")
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer /api/status within 60 s")
        assert "started" in status
        listed = {item["name"] for item in get_json(f"{base}/api/contents/?token={token}")["content"]}
        on_disk = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
        assert "00_start_here.ipynb" in listed
        assert on_disk <= listed
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
