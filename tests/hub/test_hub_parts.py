"""The hub's parts that need no hub: settings, honest collection, the grade-on-submit cap.

These run anywhere (no root); the whole flow is tests/hub/test_class_on_hub.py.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import grp
import hashlib
import os
import re
import stat
import types
from pathlib import Path

import pytest
import yaml

from deploy.hub import exchange, install, on_submit
from deploy.hub.settings import DEFAULT_FILE, REPO, HubSettings, load

A = "07_regularization"
ME = getpass.getuser()
_real_submissions = exchange.submissions


def make_settings(tmp_path: Path, **changes) -> HubSettings:
    values = dict(instructors=(ME,), students=("ann", "bob"), exchange=tmp_path / "exchange",
                  home_root=tmp_path / "home", attempts_per_hour=1)
    return HubSettings(**{**values, **changes})


def test_the_demo_class_is_one_instructor_and_three_students():
    demo = load(DEFAULT_FILE)
    assert len(demo.instructors) == 1 and len(demo.students) == 3
    assert demo.gradebook == "sqlite" and demo.grade_on_submit == () and demo.authenticator == "pam"


@pytest.mark.parametrize("field, value, named", [
    ("students", ("Ann",), "roster: 'Ann'"), ("students", ("a" * 33,), "roster: 'a{33}'"),
    ("instructors", (), "instructors"), ("students", (ME,), "both instructor and student"),
    ("authenticator", "native", "authenticator: 'native'"), ("gradebook", "mysql://x", "gradebook: 'mysql://x'"),
    ("attempts_per_hour", 0, "attempts_per_hour: .* got 0"),
])
def test_bad_settings_are_refused_naming_the_setting(tmp_path, field, value, named):
    with pytest.raises(ValueError, match=named):
        make_settings(tmp_path, **{field: value})


def test_the_dummy_authenticator_is_refused_off_localhost(tmp_path):
    make_settings(tmp_path, authenticator="dummy")
    with pytest.raises(ValueError, match="tests only"):
        make_settings(tmp_path, authenticator="dummy", ip="0.0.0.0")


def test_the_instructors_copy_of_the_settings_reads_back_the_same(tmp_path):
    settings = make_settings(tmp_path, gradebook="postgresql+psycopg://g:p@127.0.0.1:5/gb", grade_on_submit=(A,))
    copy = tmp_path / "copy.toml"
    copy.write_text(settings.to_toml())
    assert load(copy) == settings


def submit(settings: HubSettings, student: str, timestamp: str, secret: str) -> Path:
    """A submission folder as nbgrader submit leaves it (owned by whoever runs the test)."""
    folder = exchange.inbound(settings) / f"{student}+{A}+{timestamp}+x"
    folder.mkdir(parents=True)
    (folder / f"{A}.ipynb").write_text("{}")
    (folder / "timestamp.txt").write_text(timestamp)
    (folder / "submission_secret.txt").write_text(secret)
    return folder


def test_collect_takes_the_newest_genuine_submission_and_refuses_a_forged_one(tmp_path):
    settings = make_settings(tmp_path, instructors=("prof",), students=(ME, "ann"))
    submit(settings, ME, "2026-02-01 10:00:00.000000 UTC", "mine")
    submit(settings, "ann", "2026-02-01 11:00:00.000000 UTC", "forged")    # made by ME in ann's name
    refused = exchange.collect(settings, A, tmp_path / "collected")
    assert refused == [f"refused a submission of {A} made by OS user {ME!r} in the name of 'ann' "
                       f"(ann+{A}+2026-02-01 11:00:00.000000 UTC+x)"]
    assert sorted(p.name for p in (tmp_path / "collected").iterdir()) == [ME]
    assert (tmp_path / "collected" / ME / A / "submission_secret.txt").read_text() == "mine"


def test_a_submission_holding_a_link_is_refused_not_followed(tmp_path):
    """Copied as the instructor, a link would bring its target into the student's sandbox."""
    settings = make_settings(tmp_path, instructors=("prof",), students=(ME,))
    secret = tmp_path / "instructor-only.toml"
    secret.write_text("password = 'gradebook'")
    submit(settings, ME, "2026-02-01 10:00:00.000000 UTC", "older")
    newer = submit(settings, ME, "2026-02-01 11:00:00.000000 UTC", "newer")
    (newer / "data").mkdir()
    (newer / "data" / "notes.txt").symlink_to(secret)
    refused = exchange.collect(settings, A, tmp_path / "collected")
    assert refused == [f"refused a submission of {A} that holds a symbolic link ({newer.name}/data/notes.txt), "
                       f"which is not followed ({newer.name})"]
    collected = tmp_path / "collected" / ME / A
    assert (collected / "submission_secret.txt").read_text() == "older"
    assert "gradebook" not in "".join(p.read_text() for p in collected.rglob("*") if p.is_file())


def nbgrader_feedback_name(secret: str, notebook_id: str) -> str:
    """Where nbgrader's fetch_feedback looks: md5(secret + notebook id).html (nbgrader.utils)."""
    return hashlib.md5((secret + notebook_id).encode()).hexdigest() + ".html"


def test_a_submission_over_the_hourly_cap_gets_a_notice_instead_of_grading(tmp_path, monkeypatch):
    settings = make_settings(tmp_path, students=("ann",), grade_on_submit=(A,))
    now = dt.datetime(2026, 2, 1, 10, 30, tzinfo=dt.timezone.utc)
    attempts = on_submit.Attempts(tmp_path / "attempts.json")
    attempts.graded[f"ann/{A}"] = [(now - dt.timedelta(minutes=20)).isoformat()]
    submit(settings, "ann", "2026-02-01 10:29:00.000000 UTC", "s3cret")
    graded = []
    monkeypatch.setattr(on_submit, "grade_one", lambda *args: graded.append(args))
    monkeypatch.setattr(exchange, "submissions", lambda s, a: [
        dataclasses.replace(x, owner="ann") for x in _real_submissions(s, a)])
    handled = on_submit.poll_once(settings, attempts, tmp_path / "work", log=lambda x: None, clock=lambda: now)
    assert handled == 1 and graded == []
    page = settings.exchange / settings.course_id / "feedback" / nbgrader_feedback_name("s3cret", A)
    assert "at most 1 submissions" in page.read_text() and "after 11:10 UTC" in page.read_text()
    assert on_submit.Attempts(tmp_path / "attempts.json").graded[f"ann/{A}"] == attempts.graded[f"ann/{A}"]


def test_attempts_older_than_an_hour_do_not_count(tmp_path):
    attempts = on_submit.Attempts(tmp_path / "attempts.json")
    now = dt.datetime(2026, 2, 1, 10, 30, tzinfo=dt.timezone.utc)
    attempts.graded[f"ann/{A}"] = [(now - dt.timedelta(minutes=m)).isoformat() for m in (61, 59)]
    assert attempts.recent("ann", A, now) == [now - dt.timedelta(minutes=59)]


def test_a_forged_submission_is_refused_and_counts_for_nobody(tmp_path, monkeypatch):
    settings = make_settings(tmp_path, students=("ann",), grade_on_submit=(A,))
    submit(settings, "ann", "2026-02-01 10:29:00.000000 UTC", "s3cret")   # owned by ME, not ann
    monkeypatch.setattr(on_submit, "grade_one", lambda *args: pytest.fail("graded a forged submission"))
    attempts = on_submit.Attempts(tmp_path / "attempts.json")
    lines = []
    on_submit.poll_once(settings, attempts, tmp_path / "work", log=lines.append)
    assert lines[0].startswith(f"refused a submission of {A} made by OS user {ME!r}")
    assert attempts.graded == {} and not (settings.exchange / settings.course_id / "feedback").exists()


def test_the_kubernetes_values_name_files_that_exist_and_the_variables_the_config_reads():
    """deploy/k8s is untested on a cluster; at least its paths and variables match deploy/hub, and
    only admins are offered the instructor's profile (its gradebook URL from a Secret)."""
    text = (REPO / "deploy" / "k8s" / "values.yaml").read_text()
    values = yaml.safe_load(text)
    paths = set(re.findall(r"/opt/coursekit/src/([\w./-]+)", text))
    assert paths and all((REPO / p).exists() for p in paths), paths
    assert "profileList" not in values["singleuser"]
    config = types.SimpleNamespace(KubeSpawner=types.SimpleNamespace(environment={}))
    for name in ("coursekit", "coursekitProfiles"):
        exec(values["hub"]["extraConfig"][name], {"c": config})

    def offered(admin):
        return config.KubeSpawner.profile_list(types.SimpleNamespace(user=types.SimpleNamespace(admin=admin)))
    assert offered(admin=False) == []
    (instructor,) = [p for p in offered(admin=True) if "Instructor" in p["display_name"]]
    environment = instructor["kubespawner_override"]["environment"]
    read = set(re.findall(r'os\.environ\["(\w+)"\]', (REPO / "deploy/hub/jupyter/all/nbgrader_config.py").read_text()))
    assert read - {"COURSEKIT_COURSE_ID", "COURSEKIT_EXCHANGE"} <= set(environment), read
    assert "secretKeyRef" in environment["COURSEKIT_GRADEBOOK"]["valueFrom"]
    assert {"COURSEKIT_COURSE_ID", "JUPYTER_CONFIG_PATH"} <= set(config.KubeSpawner.environment)
    assert "COURSEKIT_EXCHANGE" not in config.KubeSpawner.environment   # the exchange is ngshare's


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (it gives files to root and the graders' group)")
def test_students_cannot_read_the_solutions_or_the_expected_values(tmp_path):
    """Everything in the hub's copy of the course is readable by all but what gives answers away."""
    for path in ("solutions/a.ipynb", "build/grading/expectations/a.json", "coursekit/m.py", "README.md"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x")
    install.set_modes(tmp_path)
    graders = grp.getgrnam(install.GRADERS).gr_gid

    def mode(path):
        found = (tmp_path / path).stat()
        return oct(stat.S_IMODE(found.st_mode)), found.st_uid, found.st_gid

    assert [mode(p) for p in ("solutions", "solutions/a.ipynb", "build/grading", "build/grading/expectations/a.json")] \
        == [("0o750", 0, graders), ("0o640", 0, graders), ("0o750", 0, graders), ("0o640", 0, graders)]
    assert [mode(p) for p in ("coursekit", "coursekit/m.py", "README.md")] == \
        [("0o755", 0, 0), ("0o644", 0, 0), ("0o644", 0, 0)]
