"""The bubblewrap command line: what the kernel sees, and under which limits it starts.

What the kernel sees: a read-only system (/usr, /etc), the read-only Python environment and
coursekit source, a private tmpfs /tmp (size-capped; also HOME and the working directory),
and read-only copies of this one submission's non-notebook files (the data files the
assignment ships). Not visible: solutions/, source and release notebooks, the gradebook,
other submissions, feedback, the real home directory, the network.
"""
from __future__ import annotations

import compileall
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .limits import MB, Limits

# Files of the submission folder that never enter the sandbox: nbgrader's copies of the
# notebooks hold the hidden tests.
HIDDEN_PATTERNS = ("*.ipynb", ".ipynb_checkpoints")


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here; the message says why and how to allow it."""


@dataclasses.dataclass
class Result:
    """Outcome of ``run_sandboxed``: exit code, captured output (capped) and timeout flag."""

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool


def bwrap_path(bwrap=None) -> str:
    """The bwrap executable; ``COURSEKIT_BWRAP`` overrides (tests point it at a missing file)."""
    return bwrap or os.environ.get("COURSEKIT_BWRAP") or shutil.which("bwrap") or "bwrap"


def _editable_sources() -> list:
    """The source folders (or files) of the packages installed editable here (coursekit)."""
    found = []
    for finder in Path(sys.prefix).glob("lib/python*/site-packages/__editable__*finder.py"):
        text = finder.read_text()
        # setuptools writes MAPPING = {'name': '/abs/path', ...} into the finder module
        start = text.find("MAPPING")
        if start >= 0:
            mapping = text[text.index("{", start): text.index("}", start) + 1]
            found += json.loads(mapping.replace("'", '"')).values()
    return sorted(found)


def _python_paths() -> list:
    """Host paths the kernel's Python needs: the venv, the base interpreter, editable sources."""
    return sorted({sys.prefix, sys.base_prefix, os.path.realpath(sys.base_prefix), *_editable_sources()})


def compile_sources() -> None:
    """Compile the editable sources to bytecode beside them, where it is missing or out of date.

    pip compiles the packages it installs; an editable package is compiled by whoever imports
    it first and can write. A kernel cannot (``PYTHONDONTWRITEBYTECODE`` in its environment,
    its sources read-only), so where the grader writes no bytecode either (the variable set
    for it too, as in many containers) every kernel compiled coursekit from source: about
    0.04 s of CPU per submission. Folders this user cannot write are left as they are.
    """
    for path in _editable_sources():
        if os.path.isdir(path):
            compileall.compile_dir(path, quiet=2)
        elif path.endswith(".py"):
            compileall.compile_file(path, quiet=2)


def _ancestors(paths) -> list:
    """Every parent directory of ``paths`` (except /), shallowest first, without repeats."""
    found = set()
    for path in paths:
        for parent in Path(path).parents:
            if str(parent) != "/":
                found.add(str(parent))
    return sorted(found, key=lambda p: (p.count("/"), p))


def sandbox_argv(cmd, *, work_files, limits: Limits, env=None, rw_paths=(), readonly_paths=(),
                 overlays=(), bwrap=None):
    """The full command line: ``prlimit`` -> ``bwrap`` -> (``setpriv`` when root) -> ``cmd``.

    ``work_files`` (host paths) appear read-only in the working directory /tmp/submission;
    ``rw_paths`` and ``readonly_paths`` appear at their own path (the kernel's ipc directory);
    each ``(source, path)`` of ``overlays`` shows ``source`` read-only at ``path`` (withheld modules).
    The command gets exactly ``sandbox_env(env)`` as its environment.
    """
    ro = [p for p in [*_python_paths(), *map(str, readonly_paths)] if os.path.exists(p)]
    argv = [
        "prlimit", f"--as={limits.memory_mb * MB}", f"--nproc={limits.max_processes}",
        f"--fsize={limits.max_file_mb * MB}", "--core=0", "--",
        bwrap_path(bwrap),
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session", "--hostname", "sandbox",
        "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
        "--dev", "/dev", "--proc", "/proc",
    ]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        if os.path.islink(f"/{name}"):
            argv += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
        elif os.path.isdir(f"/{name}"):
            argv += ["--ro-bind", f"/{name}", f"/{name}"]
    argv += ["--perms", "1777", "--size", str(limits.tmp_mb * MB), "--tmpfs", "/tmp"]
    # bwrap creates missing parents as 0700 root dirs; the unprivileged kernel must traverse them
    for parent in _ancestors([*ro, *map(str, rw_paths)]):
        if parent != "/tmp" and not parent.startswith(("/usr", "/etc")):
            argv += ["--perms", "0755", "--dir", parent]
    for path in ro:
        argv += ["--ro-bind", path, path]
    for source, path in overlays:
        argv += ["--ro-bind", str(source), str(path)]
    for path in map(str, rw_paths):
        argv += ["--bind", path, path]
    argv += ["--perms", "1777", "--dir", "/tmp/submission"]
    for path in work_files:
        argv += ["--ro-bind", str(path), f"/tmp/submission/{Path(path).name}"]
    argv += ["--chdir", "/tmp/submission", "--clearenv"]
    # ipykernel exits when its parent looks like pid 1, which bwrap is in the pid namespace;
    # "1" turns that poller off, and --die-with-parent does its job instead
    for name, value in {**sandbox_env(env), "JPY_PARENT_PID": "1"}.items():
        argv += ["--setenv", name, value]
    if os.geteuid() == 0:
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--",
                 "setpriv", f"--reuid={limits.uid}", f"--regid={limits.uid}", "--clear-groups"]
    return [*argv, "--", *cmd]


def sandbox_env(extra=None) -> dict:
    """The kernel's whole environment: nothing of the grader's leaks in (tokens, paths)."""
    env = {
        "PATH": f"{sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(extra or {})
    return env


def _left_out(folder, names) -> set:
    """Entries of ``folder`` that never enter the sandbox: notebooks, checkpoints, symbolic links.

    Followed, a link handed in as ``data -> /path/to/solutions`` would copy its target in;
    bound, bwrap would resolve it on the host.
    """
    hidden = shutil.ignore_patterns(*HIDDEN_PATTERNS)(folder, names)
    return set(hidden) | {n for n in names if os.path.islink(os.path.join(folder, n))}


def private_copy(src, dest) -> list:
    """Copy the submission folder without what ``_left_out`` names into ``dest``; return its
    top-level entries."""
    shutil.copytree(src, dest, ignore=_left_out)
    for root, dirs, files in os.walk(dest):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o755 if name in dirs else 0o644)
    return sorted(Path(dest).iterdir())


def contents(folder) -> list:
    """What ``private_copy`` of ``folder`` would hold: (relative path, sha256) of each file."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(set(dirs) - _left_out(root, dirs))
        for name in sorted(set(files) - _left_out(root, files)):
            path = os.path.join(root, name)
            found.append((os.path.relpath(path, folder), hashlib.sha256(Path(path).read_bytes()).hexdigest()))
    return found


def check_available(bwrap=None) -> None:
    """Raise ``SandboxUnavailable`` unless a trivial command runs in the sandbox here."""
    exe = bwrap_path(bwrap)
    how = ("Install it (Debian/Ubuntu: `apt-get install bubblewrap`) and allow unprivileged user "
           "namespaces (`sysctl -w kernel.unprivileged_userns_clone=1` on Debian, "
           "`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` on Ubuntu 24.04+, "
           "`user.max_user_namespaces` > 0; a Docker container needs `--privileged` or seccomp and "
           "AppArmor profiles that permit namespaces). Only if you accept running student code with your rights, pass "
           "--unsafe-no-sandbox.")
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)) and not shutil.which(exe):
        raise SandboxUnavailable(f"Refusing to grade: bubblewrap ({exe!r}) is not installed. {how}")
    with tempfile.TemporaryDirectory() as tmp:
        probe = subprocess.run(sandbox_argv(["true"], work_files=[], limits=Limits(), bwrap=exe),
                               cwd=tmp, capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        raise SandboxUnavailable(f"Refusing to grade: bubblewrap cannot create its sandbox here "
                                 f"({probe.stderr.strip() or probe.returncode}). {how}")


def chown_for_kernel(path, limits: Limits) -> None:
    """Give ``path`` to the kernel's user (it runs as ``limits.uid`` when grading runs as root)."""
    if os.geteuid() == 0:
        os.chown(path, limits.uid, limits.uid)


def run_sandboxed(cmd, *, workdir, readonly_paths=(), limits=Limits(), bwrap=None) -> Result:
    """Run ``cmd`` in the sandbox on a private copy of ``workdir``; output capped, wall-clocked.

    stdout and stderr go to host files written by the sandboxed process itself, so RLIMIT_FSIZE
    caps them too; at most ``limits.max_output_bytes`` of each is read back.
    """
    with tempfile.TemporaryDirectory(prefix="coursekit-sandbox-") as run:
        files = private_copy(workdir, Path(run, "work"))
        argv = sandbox_argv(cmd, work_files=files, limits=limits,
                            readonly_paths=readonly_paths, bwrap=bwrap)
        with open(Path(run, "out"), "wb") as out, open(Path(run, "err"), "wb") as err:
            proc = subprocess.Popen(argv, cwd=run, env=sandbox_env(), stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=err, start_new_session=True)
            try:
                proc.wait(timeout=limits.notebook_timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
                timed_out = True

        def read(name):
            with open(Path(run, name), "rb") as f:
                return f.read(limits.max_output_bytes).decode(errors="replace")

        return Result(proc.returncode, read("out"), read("err"), timed_out)
