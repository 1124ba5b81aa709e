"""A class on a real JupyterHub, end to end (deploy/hub).

One instructor and three students are real OS users on a hub started from deploy/hub's
configuration, with a throwaway PostgreSQL cluster as the gradebook and grade-on-submit on
(one graded attempt per hour). The instructor releases an assignment from a terminal of
their own server; each student fetches it with nbgrader's assignment list in their own
server and answers it: one right (the solution's code), one wrong (the stubs, submitted
twice), one hostile (reads the right student's home and the course's solutions from a
terminal, then submits in the right student's name as well as in its own). Grade on submit
returns feedback within a minute and turns away the attempt over the cap; the instructor
collects, grades in the sandbox and releases feedback; every student fetches it, its maths
typeset. Everything the test made (processes, users, homes, the cluster, the exchange) is
removed afterwards, whatever happened.
"""
from __future__ import annotations

import csv
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from deploy.hub import accounts, exchange, install, run
from deploy.hub.settings import HubSettings, load
from tools.grading.config import SOLUTIONS

from hub_client import Hub, poll
from throwaway_postgres import Cluster, binaries

ASSIGNMENT = "07_regularization"
COURSE = "coursekit"
KERNELS_SETTINGS = "@jupyterlab/apputils-extension:kernels-settings"
SCRATCH = Path("/srv")  # outside pytest's private temporary folders: every test user must reach it
KEPT_LOG = Path(__file__).resolve().parents[2] / "build" / "test-hub" / "hub.log"

pytestmark = pytest.mark.slow


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root (it creates OS users and runs JupyterHub's LocalProcessSpawner)"
    if not shutil.which("npm"):
        return "needs npm (configurable-http-proxy comes from the npm registry)"
    if not shutil.which("bwrap"):
        return "needs bubblewrap (apt-get install bubblewrap) for sandboxed grading"
    if binaries() is None:
        return "needs PostgreSQL (apt-get install postgresql) for the gradebook"
    if not Path("/usr/bin/python3.11").exists():
        return "needs the system's python3.11 to build an environment every user can run"
    return None


if _missing():
    pytest.skip(_missing(), allow_module_level=True)


def free_ports(count: int) -> int:
    """A port p with p .. p+count-1 all free (the hub uses port, port+1, port+2)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + count < 65536 and all(_free(base + i) for i in range(1, count)):
            return base
    raise RuntimeError("no run of free ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def max_points(name: str) -> float:
    """The assignment's points, read from its source notebook's nbgrader metadata."""
    nb = nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4)
    return float(sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in nb.cells
                     if c.metadata.get("nbgrader", {}).get("grade")))


def answered(student_copy: dict) -> dict:
    """The student copy with every solution cell replaced by the solution's cell."""
    solution = {c.metadata["nbgrader"]["grade_id"]: c.source
                for c in nbformat.read(SOLUTIONS / f"{ASSIGNMENT}.ipynb", as_version=4).cells
                if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in student_copy["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if cell["metadata"].get("nbgrader", {}).get("solution") and gid in solution:
            cell["source"] = solution[gid]
    return student_copy


def feedback_pages(home: Path) -> list[str]:
    """The feedback pages a student fetched (``~/<assignment>/feedback/<time>/<nb>.html``)."""
    return [p.read_text() for p in sorted((home / ASSIGNMENT / "feedback").glob("*/*.html"))]


@pytest.fixture(scope="module")
def course():
    """The hub with its class, PostgreSQL and grade-on-submit; torn down whatever happens."""
    tag = secrets.token_hex(2)
    scratch = SCRATCH / f"coursekit-e2e-{tag}"
    scratch.mkdir(mode=0o755, parents=True)
    port, pg_port = free_ports(3), free_ports(1)
    cluster = Cluster(scratch / "postgres", pg_port)
    settings_file = scratch / "course.toml"
    settings_file.write_text(f"""
instructors = ["ckt{tag}-prof"]
students = ["ckt{tag}-ann", "ckt{tag}-bob", "ckt{tag}-eve"]
course_id = "{COURSE}"
authenticator = "pam"
ip = "127.0.0.1"
port = {port}
data_dir = "{scratch / 'hub'}"
exchange = "{scratch / 'exchange'}"
home_root = "{scratch / 'home'}"
gradebook = "{cluster.url}"
grade_on_submit = ["{ASSIGNMENT}"]
attempts_per_hour = 1
""")
    os.chmod(settings_file, 0o600)  # it holds the gradebook's password
    os.environ["COURSEKIT_HUB_SETTINGS"] = str(settings_file)
    settings = load(settings_file)
    token = secrets.token_hex(32)
    # the test's own access: a service whose token may start servers and make user tokens
    test_config = scratch / "e2e_config.py"
    test_config.write_text(f"""
c = get_config()
load_subconfig({str(run.CONFIG)!r})
c.JupyterHub.services.append({{"name": "e2e", "api_token": {token!r}}})
c.JupyterHub.load_roles = [{{"name": "e2e", "services": ["e2e"],
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"]}}]
""")
    hub_log = scratch / "hub.log"
    proc = None
    timings = {}
    try:
        cluster.start()
        install.install(settings)
        accounts.create(settings)
        passwords = accounts.set_passwords(settings, scratch / "hub" / "initial_passwords.json")
        run.check_environment(settings, settings.students[0])
        proc = run.start(settings, settings_file, hub_log, config=test_config)
        timings["hub start"] = run.wait_ready(settings, proc, hub_log)
        yield settings, Hub(f"http://127.0.0.1:{port}", token), cluster, passwords, timings
    finally:
        if proc is not None:
            run.stop(proc)
        uids = [pwd.getpwnam(u).pw_uid for u in settings.users if accounts.user_exists(u)]
        accounts.remove(settings)
        cluster.stop()
        if hub_log.exists():  # kept for a failure's post-mortem (the services log there too)
            KEPT_LOG.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(hub_log, KEPT_LOG)
        shutil.rmtree(scratch, ignore_errors=True)
        os.environ.pop("COURSEKIT_HUB_SETTINGS", None)
        leftover = [p.name for p in Path("/proc").iterdir() if p.name.isdigit()
                    and (_uid(p) in uids or str(scratch).encode() in _cmdline(p))]
        assert not leftover, f"processes of the test's users or cluster outlived it: {leftover}"
        assert not any(accounts.user_exists(u) for u in settings.users), "a test user outlived the test"


def _cmdline(proc_dir: Path) -> bytes:
    try:
        return (proc_dir / "cmdline").read_bytes()
    except OSError:
        return b""


def _uid(proc_dir: Path) -> int | None:
    try:
        return proc_dir.stat().st_uid
    except FileNotFoundError:
        return None


def test_a_class_on_the_hub(course):
    settings, hub, cluster, passwords, timings = course
    prof = settings.instructor
    ann, bob, eve = settings.students
    home = settings.home

    # the real authenticator: the OS password logs in, another does not
    assert hub.login(ann, passwords[ann])
    assert not hub.login(ann, passwords[bob])

    started = time.monotonic()
    for user in settings.users:
        hub.start_server(user)
    for user in settings.users:
        poll(lambda: hub.server_ready(user), 120, f"{user}'s server")
    timings["4 servers start"] = time.monotonic() - started
    servers = {user: hub.user_server(user) for user in settings.users}

    # the instructor releases the assignment from a terminal of their own server
    out = servers[prof].terminal(f"python -m deploy.hub.course release {ASSIGNMENT}")
    assert f"released {ASSIGNMENT}" in out, out

    # each student fetches it in their own server (nbgrader's assignment list)
    path = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    for student in settings.students:
        servers[student].assignments("fetch", COURSE, ASSIGNMENT)
        assert (home(student) / path).exists()
        assert pwd.getpwuid((home(student) / path).stat().st_uid).pw_name == student

    # the instructor is the hub's admin, and the formgrader is theirs alone
    assert hub.api("GET", f"/users/{prof}")["admin"] and not hub.api("GET", f"/users/{ann}")["admin"]
    assert servers[prof].http.get(f"{servers[prof].url}/formgrader", timeout=60).status_code == 200
    assert servers[ann].http.get(f"{servers[ann].url}/formgrader", timeout=60).status_code == 404
    # the course's JupyterLab settings: widget messages in the kernel's main thread (README)
    kernels = servers[ann].http.get(f"{servers[ann].url}/lab/api/settings/{KERNELS_SETTINGS}", timeout=60).json()
    assert kernels["schema"]["properties"]["commsOverSubshells"]["default"] == "disabled"

    # the exchange's permissions: what nbgrader needs and nothing more
    course_dir = settings.exchange / COURSE
    modes = {p.name: oct(p.stat().st_mode & 0o7777) for p in
             (settings.exchange, course_dir, course_dir / "inbound", course_dir / "outbound")}
    assert modes == {"exchange": "0o1777", COURSE: "0o755", "inbound": "0o2733", "outbound": "0o755"}

    # ann answers right; bob leaves the stubs; eve reads ann's home and the inbound ...
    servers[ann].write_notebook(path, answered(servers[ann].read(path)["content"]))
    # ... and the answers the course's copy holds: the solutions and the recorded expected values
    answers = f"cat {settings.source}/solutions/{ASSIGNMENT}.ipynb; ls {settings.source}/build/grading"
    stolen = servers[eve].terminal(f"cat {home(ann) / path}; ls -la {home(ann)}; ls {course_dir / 'inbound'}; {answers}")
    assert stolen.count("Permission denied") == 5 and "nbgrader" not in stolen, stolen

    submitted = time.monotonic()
    for student in (ann, bob, eve):
        servers[student].assignments("submit", COURSE, ASSIGNMENT)
    # the forgery is the newest submission in ann's name
    servers[eve].terminal(f"nbgrader submit {ASSIGNMENT} --student {ann}")
    assert [s.owner for s in exchange.submissions(settings, ASSIGNMENT) if s.student == ann] == [ann, eve]

    # grade on submit: feedback within a minute, the cap stated
    def fetched(student):
        servers[student].assignments("fetch_feedback", COURSE, ASSIGNMENT)
        return feedback_pages(home(student))
    ann_pages = poll(lambda: fetched(ann), 60, "ann's feedback from grade on submit", interval=1)
    timings["grade on submit, feedback back"] = time.monotonic() - submitted
    assert "attempt 1 of at most 1 per hour" in ann_pages[-1]
    bob_first = poll(lambda: fetched(bob), 60, "bob's feedback from grade on submit", interval=1)
    assert "attempt 1 of at most 1 per hour" in bob_first[-1]
    servers[bob].assignments("submit", COURSE, ASSIGNMENT)   # a second attempt within the hour
    capped = poll(lambda: [p for p in fetched(bob) if "Not graded" in p], 60, "bob's over-the-cap notice", interval=1)
    assert "at most 1 submissions" in capped[0]
    attempts = json.loads((home(prof) / "on-submit" / "attempts.json").read_text())
    assert len(attempts["graded"][f"{ann}/{ASSIGNMENT}"]) == 1, "the forged submission counted as ann's"

    # nbgrader's collect in the instructor's server (the formgrader's button) takes ann's own work
    out = servers[prof].terminal(f"nbgrader collect {ASSIGNMENT}")
    assert "refused" in out, out
    genuine = next(s for s in exchange.submissions(settings, ASSIGNMENT) if s.student == ann and not s.refused)
    collected = settings.course_root() / "submitted" / ann / ASSIGNMENT / "submission_secret.txt"
    assert collected.read_text() == (genuine.path / "submission_secret.txt").read_text()

    # the instructor collects, grades (sandboxed) and releases feedback
    started = time.monotonic()
    out = servers[prof].terminal(f"python -m deploy.hub.course grade {ASSIGNMENT} > ~/grade.log 2>&1; tail -1 ~/grade.log")
    timings["class of 3 graded"] = time.monotonic() - started
    log = (home(prof) / "grade.log").read_text()
    assert "graded 3 submission(s)" in log, log[-3000:]
    with open(home(prof) / "grading" / "scores_by_assignment.csv") as fh:
        scores = {row["student"]: float(row["score"]) for row in csv.DictReader(fh)}
    full = max_points(ASSIGNMENT)
    assert scores == {ann: full, bob: 0.0, eve: 0.0}
    report = (home(prof) / "grading" / "report.md").read_text()
    assert f"made by OS user {eve!r} in the name of {ann!r}" in report

    # students fetch the instructor's feedback (it replaces grade on submit's page)
    for student, score in ((ann, full), (bob, 0.0), (eve, 0.0)):
        pages = fetched(student)
        assert f"(Score: {score:.1f} / {full:.1f})" in pages[-1], pages[-1][:3000]
        assert "Graded on submit" not in pages[-1]
        assert "<mjx-container" in pages[-1], "the feedback's maths is not typeset"
    # the formgrader's MathJax is the course's copy, served by the instructor's server
    assert servers[prof].http.get(f"{servers[prof].url}/coursekit/mathjax2/MathJax.js", timeout=60).status_code == 200

    # the gradebook is PostgreSQL's, not a SQLite file
    assert not (settings.course_root() / "gradebook.db").exists()
    rows = cluster.sql("SELECT s.student_id, SUM(COALESCE(g.manual_score, g.auto_score, 0)) "
                       "FROM submitted_assignment s JOIN assignment a ON s.assignment_id = a.id "
                       "JOIN submitted_notebook n ON n.assignment_id = s.id JOIN grade g ON g.notebook_id = n.id "
                       f"WHERE a.name = '{ASSIGNMENT}' GROUP BY s.student_id", database="gradebook")
    in_postgres = {line.split("|")[0]: float(line.split("|")[1]) for line in rows.splitlines()}
    assert in_postgres == {ann: full, bob: 0.0, eve: 0.0}
    print("timings (s):", {k: round(v, 1) for k, v in timings.items()}, "load:", os.getloadavg())
