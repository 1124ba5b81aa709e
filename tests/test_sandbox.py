"""The grading sandbox on its own: refusal without bubblewrap, limits, what the kernel can see.

The hostile-class tests are in test_sandbox_grading.py.
"""
import importlib.util
import os
import shutil
import struct
import sys
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from tools.grading import grade, sandbox

REPO = Path(__file__).resolve().parents[1]

# a uid of these tests' own: the process cap counts every process of the kernel's user, and
# other graders on the machine run as nobody (65534)
LIMITS = sandbox.Limits(cell_timeout=2, notebook_timeout=20, memory_mb=1024, max_processes=24,
                        max_file_mb=1, tmp_mb=8, uid=65450)


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_grading_refuses_without_bubblewrap_and_says_how(how, monkeypatch):
    missing = "/nonexistent/bwrap"
    kwargs = {"bwrap": missing} if how == "argument" else {}
    if how == "environment":
        monkeypatch.setenv("COURSEKIT_BWRAP", missing)
    with pytest.raises(sandbox.SandboxUnavailable) as refused:
        sandbox.configure(Config(), **kwargs)
    message = str(refused.value)
    for needed in ("not installed", "apt-get install bubblewrap", "user namespaces",
                   "--unsafe-no-sandbox"):
        assert needed in message


def test_grading_refuses_when_bubblewrap_cannot_build_the_sandbox():
    """/bin/false stands in for a bwrap that exists but may not create namespaces."""
    with pytest.raises(sandbox.SandboxUnavailable, match="cannot create its sandbox"):
        sandbox.check_available("/bin/false")


def test_unsafe_flag_runs_without_bubblewrap_and_says_so(tmp_path):
    secret = tmp_path / "outside.txt"
    secret.write_text("visible only without the sandbox")
    work = tmp_path / "work"
    work.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"print(open({str(secret)!r}).read())")])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, work / "nb.ipynb")
    report = sandbox.execute_notebook(work / "nb.ipynb", tmp_path / "out.ipynb", limits=LIMITS,
                                      unsafe_no_sandbox=True, bwrap="/nonexistent/bwrap")
    assert not report.sandboxed
    assert [event["limit"] for event in report.events] == ["unsandboxed"]
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert out.cells[0].outputs[0].text.strip() == "visible only without the sandbox"


def test_configure_compiles_the_editable_sources_a_kernel_cannot_compile_for_itself(tmp_path, monkeypatch):
    """Kernels write no bytecode; configure() writes it beside the course's editable sources, each
    .pyc stamped with its source's modification time and size (what the import system checks)."""
    package = tmp_path / "course"
    package.mkdir()
    (package / "__init__.py").write_text("x = 1\n")
    (package / "steps.py").write_text("def step(x):\n    return x - 1\n")
    monkeypatch.setattr(sandbox.command, "_editable_sources", lambda: [str(package)])
    sandbox.configure(Config(), unsafe_no_sandbox=True)
    for source in package.glob("*.py"):
        stamp = struct.pack("<II", int(source.stat().st_mtime), source.stat().st_size)
        assert Path(importlib.util.cache_from_source(str(source))).read_bytes()[8:16] == stamp


def test_sandboxed_kernel_sees_only_the_submission(tmp_path):
    """Same notebook in the sandbox: the outside file is gone, the submission's file is there."""
    secret = tmp_path / "outside.txt"
    secret.write_text("secret")
    work = tmp_path / "work"
    work.mkdir()
    (work / "data.txt").write_text("42")
    (work / "link.txt").symlink_to(secret)  # a link handed in must not carry the target in
    cells = [f"open({str(secret)!r})", "print(open('data.txt').read())",
             "import os; print(sorted(os.listdir('.')))", "open('data.txt', 'w')"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, work / "nb.ipynb")
    report = sandbox.execute_notebook(work / "nb.ipynb", tmp_path / "out.ipynb", limits=LIMITS)
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert report.sandboxed
    assert out.cells[0].outputs[0].ename == "FileNotFoundError"
    assert out.cells[1].outputs[0].text.strip() == "42"
    # the notebook itself (it would hold the hidden tests) is not in the sandbox
    assert out.cells[2].outputs[0].text.strip() == "['data.txt']"
    assert out.cells[3].outputs[0].ename in ("OSError", "PermissionError")
    assert [n["limit"] for n in sandbox.notices(out)] == ["filesystem", "filesystem"]
    assert (work / "data.txt").read_text() == "42"


def test_output_cap_keeps_the_notebook_small_and_says_so(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("for i in range(10**8): print(i)"),
                                         nbformat.v4.new_code_cell("1 + 1")])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "nb.ipynb")
    limits = sandbox.Limits(cell_timeout=30, max_output_bytes=10_000)
    report = sandbox.execute_notebook(tmp_path / "nb.ipynb", tmp_path / "out.ipynb", limits=limits)
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    kept = sum(len(o.text) for o in out.cells[0].outputs if o.output_type == "stream")
    assert 0 < kept <= limits.max_output_bytes
    assert [e["limit"] for e in report.events] == ["output"]
    assert out.cells[0].outputs[-1].output_type == "error"  # interrupted: its tests would fail
    assert not any(o.output_type == "error" for o in out.cells[1].outputs)  # the kernel went on


def test_process_cap_bounds_a_fork_loop(tmp_path):
    code = ("import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
            "            time.sleep(30); os._exit(0)\n        n += 1\n"
            "except BlockingIOError:\n    print(n)")
    result = sandbox.run_sandboxed([sys.executable, "-c", code], workdir=tmp_path, limits=LIMITS)
    assert not result.timed_out
    assert 0 < int(result.stdout) < LIMITS.max_processes


@pytest.mark.parametrize("target", ["/tmp/submission/big.bin", "/tmp/big.bin"])
def test_file_size_cap_stops_a_huge_write(tmp_path, target):
    code = (f"f = open({target!r}, 'wb')\ntry:\n    for _ in range(64):\n"
            "        f.write(bytes(1024 * 1024)); f.flush()\nexcept OSError as e:\n"
            "    print(e.errno, f.tell())")
    result = sandbox.run_sandboxed([sys.executable, "-c", code], workdir=tmp_path, limits=LIMITS)
    errno, written = map(int, result.stdout.split())
    assert errno == 27  # EFBIG: RLIMIT_FSIZE
    assert written <= LIMITS.max_file_mb * 1024 * 1024
    assert not any(Path(tmp_path).iterdir())  # nothing came back out of the sandbox


def test_wall_clock_ends_a_command_that_never_returns(tmp_path):
    limits = sandbox.Limits(notebook_timeout=1)
    result = sandbox.run_sandboxed(["sleep", "60"], workdir=tmp_path, limits=limits)
    assert result.timed_out


@pytest.mark.parametrize("field, value, error", [
    ("memory_mb", 0, ValueError), ("cell_timeout", 1.5, TypeError), ("max_processes", True, TypeError),
    ("uid", 0, ValueError),
])
def test_limits_reject_bad_values_naming_them(field, value, error):
    with pytest.raises(error, match=field):
        sandbox.Limits(**{field: value})


@pytest.mark.parametrize("jobs, uids", [(1, [65533]), (3, [65533, 65532, 65531])])
def test_each_job_slot_has_its_own_uid_apart_from_the_graders_own_kernels(jobs, uids):
    if jobs > 1 and os.geteuid() != 0:
        pytest.skip("several jobs need root")
    assert sandbox.job_uids(sandbox.Limits(), jobs) == uids
    assert sandbox.Limits().uid not in uids


@pytest.mark.parametrize("jobs, error", [(0, ValueError), (65533, ValueError), (2.0, TypeError), (True, TypeError)])
def test_job_counts_that_cannot_run_are_refused_naming_them(jobs, error):
    with pytest.raises(error, match="jobs"):
        sandbox.job_uids(sandbox.Limits(), jobs)


def test_several_jobs_without_root_are_refused_saying_why(monkeypatch):
    monkeypatch.setattr(sandbox.limits.os, "geteuid", lambda: 1000)
    with pytest.raises(ValueError, match="needs root.*RLIMIT_NPROC"):
        sandbox.job_uids(sandbox.Limits(), 2)
    assert sandbox.job_uids(sandbox.Limits(), 1) == [65533]


def test_the_kernel_runs_as_the_uid_of_its_limits(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can run the kernel under another uid")
    result = sandbox.run_sandboxed([sys.executable, "-c", "import os; print(os.getuid(), os.getgid())"],
                                   workdir=tmp_path, limits=sandbox.Limits(uid=65533))
    assert result.stdout.split() == ["65533", "65533"]


def _one_cell_notebook(folder: Path, source: str) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "nb.ipynb")


def _execute(folder: Path, **options):
    executor = sandbox.SandboxedExecute(limits=LIMITS, **options)
    nb = nbformat.read(folder / "nb.ipynb", as_version=4)
    return executor.preprocess(nb, {"metadata": {"path": str(folder), "name": "nb"}})[0]


def _processes_running(argv: list) -> int:
    """How many processes on the host run exactly ``argv``."""
    wanted, found = "\0".join(argv) + "\0", 0
    for entry in Path("/proc").iterdir():
        try:
            found += entry.name.isdigit() and (entry / "cmdline").read_text() == wanted
        except OSError:
            pass
    return found


def test_nothing_of_a_sandbox_outlives_its_notebook(tmp_path):
    """Processes the student left behind are gone when the executor returns, so the next kernel
    never shares the process cap with them."""
    marker = ["sleep", "7654"]
    _one_cell_notebook(tmp_path, f"import subprocess\nfor _ in range(8):\n    subprocess.Popen({marker!r})")
    out = _execute(tmp_path)
    assert not any(o.output_type == "error" for o in out.cells[0].outputs)
    assert _processes_running(marker) == 0


def test_grade_class_sandboxes_unless_told_otherwise(tmp_path, monkeypatch):
    """Called from Python, grading refuses without bubblewrap; the explicit opt-out grades and
    says UNSAFE in the report and the student's feedback."""
    name = "01_perceptron_xor"
    folder = tmp_path / "submitted" / "ada" / name
    folder.mkdir(parents=True)
    shutil.copy(REPO / "exercises" / f"{name}.ipynb", folder)
    monkeypatch.setenv("COURSEKIT_BWRAP", "/nonexistent/bwrap")
    with pytest.raises(sandbox.SandboxUnavailable, match="not installed"):
        grade.grade_class(tmp_path / "submitted", tmp_path / "out", names=[name], log=lambda *_: None)
    [outcome] = grade.grade_class(tmp_path / "submitted", tmp_path / "out", names=[name],
                                  unsafe_no_sandbox=True, log=lambda *_: None)
    assert outcome.status == "graded" and outcome.score == 0
    assert any("UNSAFE" in line for line in outcome.problems)
    assert "UNSAFE" in (tmp_path / "out" / "report.md").read_text()
    assert "UNSAFE" in Path(outcome.feedback).read_text()
