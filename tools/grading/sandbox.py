"""Run untrusted student code in a bubblewrap sandbox with per-submission resource limits.

Interface for the grader (tools/grading)
----------------------------------------
``configure(config, *, limits=Limits(), unsafe_no_sandbox=False, report_path=None)``
    Call once on the traitlets ``Config`` given to nbgrader's autograde. It refuses
    (``SandboxUnavailable``, a message saying why and how to allow it) when bubblewrap cannot
    run, unless ``unsafe_no_sandbox`` is set, and swaps nbgrader's ``Execute`` preprocessor
    for ``SandboxedExecute``. Everything else in nbgrader is unchanged.
``KernelQueue([(cwd, folder), ...])``
    Optional, as ``config.SandboxedExecute.queue``: the notebooks to come, in order, so that
    each kernel boots while the grader finishes the one before (``grade.grade_class`` uses it).
``read_report(report_path) -> list[dict]``
    One record per executed notebook: ``{"notebook", "sandboxed", "events": [{"limit",
    "message", "cell"}]}``, written by the grading process (outside the sandbox); the
    grader turns it into the instructor's report. ``limit`` is one of time, kernel, memory,
    processes, files, output, network, filesystem (or unsandboxed).
``notices(executed_nb) -> list[dict]``
    The same events as shown in the notebook (``[grading sandbox] ...`` lines under the
    cells, which nbgrader's feedback HTML shows the student).
``execute_notebook(nb_path, out_path, *, limits=Limits(), readonly_paths=(),
unsafe_no_sandbox=False) -> Report``
    Execute one notebook in the sandbox without nbgrader (benchmarks, quick checks).
``run_sandboxed(cmd, *, workdir, readonly_paths=(), limits=Limits()) -> Result``
    Run any command in the same sandbox (the limits test uses it).

Design
------
Only the *kernel* runs in the sandbox. nbgrader's executor (nbclient) stays in the grading
process: it holds the notebook with the hidden tests in memory and sends the kernel one cell
at a time, so student code never sees a test before it runs, and nbgrader's own per-cell
timeout, error capture and grading stay as they are. ``SandboxKernelManager`` wraps the
kernel command in ``prlimit ... bwrap ... [setpriv ...]`` and talks to the kernel over ZeroMQ
``ipc`` sockets (files in a per-kernel directory bound into the sandbox), so the kernel can
have no network at all (``--unshare-net``). Running the whole ``nbconvert --execute`` in the
sandbox was rejected: the notebook file being executed contains the hidden tests, and the
student's first cell could read it.

What the kernel sees: a read-only system (/usr, /etc), the read-only Python environment and
coursekit source, a private tmpfs /tmp (size-capped; also HOME and the working directory),
and read-only copies of this one submission's non-notebook files (the data files the
assignment ships). Not visible: solutions/, source and release notebooks, the gradebook,
other submissions, feedback, the real home directory, the network.

Limits (``Limits``): a per-cell wall clock (nbgrader's timeout) and a per-notebook wall
clock (the executor stops sending cells and marks the rest as failed), RLIMIT_AS (memory),
RLIMIT_NPROC (processes and threads), RLIMIT_FSIZE plus the tmpfs size (files written), and an
output cap applied in the executor (``SandboxedExecute.output``), so a flood of prints never
reaches the gradebook or the feedback. The kernel's own stdout/stderr go to /dev/null.

Note
----
RLIMIT_NPROC counts processes per real user and is not enforced for root. When grading runs
as root, the kernel therefore drops to ``Limits.uid`` (default 65534, "nobody") inside the
sandbox with ``setpriv``; bwrap itself runs as root without a user namespace. When grading
runs as an ordinary user, bwrap creates a user namespace and the count is per namespace.
RLIMIT_AS bounds each process, so the memory of a whole submission is at most
``max_processes * memory_mb``; a cgroup would bound the sum but needs root or systemd
delegation, which instructors' machines do not all have.
"""
import asyncio
import dataclasses
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path

import nbformat
import zmq
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import Execute
from traitlets import Any, Bool, Enum, Unicode

NOTICE_MIME = "application/vnd.coursekit.sandbox+json"
# Files of the submission folder that never enter the sandbox: nbgrader's copies of the
# notebooks hold the hidden tests.
HIDDEN_PATTERNS = ("*.ipynb", ".ipynb_checkpoints")
_MB = 1024 * 1024
# The largest message the grader reads from a kernel. ZeroMQ drops a bigger one before it is
# read into memory (and closes that channel), so one huge print or display cannot exhaust the
# grading process; the output cap (Limits.max_output_bytes) handles ordinary floods.
MAX_MESSAGE_BYTES = 64 * _MB


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here; the message says why and how to allow it."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource limits for one submission (one kernel).

    Attributes are seconds, megabytes, counts and bytes as named. ``uid`` is the user the
    kernel runs as when grading runs as root (see the module Note).
    """

    cell_timeout: int = 30
    notebook_timeout: int = 300
    memory_mb: int = 2048
    max_processes: int = 64
    max_output_bytes: int = 1_000_000
    max_file_mb: int = 64
    tmp_mb: int = 256
    uid: int = 65534

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"Limits.{field.name} must be an int, got {value!r}")
            if value < 1:  # uid 0 would be root, for whom RLIMIT_NPROC does not count
                raise ValueError(f"Limits.{field.name} must be positive, got {value}")


@dataclasses.dataclass
class Result:
    """Outcome of ``run_sandboxed``: exit code, captured output (capped) and timeout flag."""

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool


@dataclasses.dataclass
class Report:
    """Outcome of executing one notebook: whether it was sandboxed, and the limits it hit."""

    notebook: str
    sandboxed: bool
    events: list


# --------------------------------------------------------------------------- the command line

def _bwrap_path(bwrap=None) -> str:
    """The bwrap executable; ``COURSEKIT_BWRAP`` overrides (tests point it at a missing file)."""
    return bwrap or os.environ.get("COURSEKIT_BWRAP") or shutil.which("bwrap") or "bwrap"


def _python_paths() -> list:
    """Host paths the kernel's Python needs: the venv, the base interpreter, editable sources."""
    paths = {sys.prefix, sys.base_prefix, os.path.realpath(sys.base_prefix)}
    for finder in Path(sys.prefix).glob("lib/python*/site-packages/__editable__*finder.py"):
        text = finder.read_text()
        # setuptools writes MAPPING = {'name': '/abs/path', ...} into the finder module
        start = text.find("MAPPING")
        if start >= 0:
            mapping = text[text.index("{", start): text.index("}", start) + 1]
            paths.update(json.loads(mapping.replace("'", '"')).values())
    return sorted(paths)


def _ancestors(paths) -> list:
    """Every parent directory of ``paths`` (except /), shallowest first, without repeats."""
    found = set()
    for path in paths:
        for parent in Path(path).parents:
            if str(parent) != "/":
                found.add(str(parent))
    return sorted(found, key=lambda p: (p.count("/"), p))


def sandbox_argv(cmd, *, work_files, limits: Limits, env=None, rw_paths=(), readonly_paths=(),
                 bwrap=None):
    """The full command line: ``prlimit`` -> ``bwrap`` -> (``setpriv`` when root) -> ``cmd``.

    ``work_files`` (host paths) appear read-only in the working directory /tmp/submission;
    ``rw_paths`` and ``readonly_paths`` appear at their own path (the kernel's ipc directory).
    The command gets exactly ``sandbox_env(env)`` as its environment.
    """
    ro = [p for p in [*_python_paths(), *map(str, readonly_paths)] if os.path.exists(p)]
    argv = [
        "prlimit", f"--as={limits.memory_mb * _MB}", f"--nproc={limits.max_processes}",
        f"--fsize={limits.max_file_mb * _MB}", "--core=0", "--",
        _bwrap_path(bwrap),
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
    argv += ["--perms", "1777", "--size", str(limits.tmp_mb * _MB), "--tmpfs", "/tmp"]
    # bwrap creates missing parents as 0700 root dirs; the unprivileged kernel must traverse them
    for parent in _ancestors([*ro, *map(str, rw_paths)]):
        if parent != "/tmp" and not parent.startswith(("/usr", "/etc")):
            argv += ["--perms", "0755", "--dir", parent]
    for path in ro:
        argv += ["--ro-bind", path, path]
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


def _private_copy(src, dest) -> list:
    """Copy the submission folder without what ``_left_out`` names into ``dest``; return its
    top-level entries."""
    shutil.copytree(src, dest, ignore=_left_out)
    for root, dirs, files in os.walk(dest):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o755 if name in dirs else 0o644)
    return sorted(Path(dest).iterdir())


def _contents(folder) -> list:
    """What ``_private_copy`` of ``folder`` would hold: (relative path, sha256) of each file."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(set(dirs) - _left_out(root, dirs))
        for name in sorted(set(files) - _left_out(root, files)):
            path = os.path.join(root, name)
            found.append((os.path.relpath(path, folder), hashlib.sha256(Path(path).read_bytes()).hexdigest()))
    return found


def check_available(bwrap=None) -> None:
    """Raise ``SandboxUnavailable`` unless a trivial command runs in the sandbox here."""
    exe = _bwrap_path(bwrap)
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


def _children(pid: int) -> list:
    """The process ids of the children of ``pid`` (none if it has gone)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _chown_for_kernel(path, limits: Limits) -> None:
    if os.geteuid() == 0:
        os.chown(path, limits.uid, limits.uid)


def run_sandboxed(cmd, *, workdir, readonly_paths=(), limits=Limits(), bwrap=None) -> Result:
    """Run ``cmd`` in the sandbox on a private copy of ``workdir``; output capped, wall-clocked.

    stdout and stderr go to host files written by the sandboxed process itself, so RLIMIT_FSIZE
    caps them too; at most ``limits.max_output_bytes`` of each is read back.
    """
    with tempfile.TemporaryDirectory(prefix="coursekit-sandbox-") as run:
        files = _private_copy(workdir, Path(run, "work"))
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


# --------------------------------------------------------------------------- the kernel


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs inside bubblewrap, reached over ipc sockets."""

    limits = Any(Limits())
    readonly_paths = Any(())

    async def _async_pre_start_kernel(self, **kw):
        self._run_dir = tempfile.mkdtemp(prefix="coursekit-sandbox-")
        # the copy of a submission is personal data: gone with this object even if the kernel
        # never started or was never shut down cleanly
        weakref.finalize(self, shutil.rmtree, self._run_dir, ignore_errors=True)
        ipc = Path(self._run_dir, "ipc")
        ipc.mkdir()
        _chown_for_kernel(ipc, self.limits)
        self.transport = "ipc"
        self.ip = str(ipc / "kernel")
        self.connection_file = str(ipc / "kernel.json")
        # a signal would reach bwrap, not the kernel; ask the kernel itself to interrupt
        self.kernel_spec.interrupt_mode = "message"
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        _chown_for_kernel(self.connection_file, self.limits)
        src = kw.get("cwd") or os.getcwd()
        files = _private_copy(src, Path(self._run_dir, "work"))
        passed = {k: v for k, v in (kw.get("env") or {}).items() if k.startswith("NBGRADER_")}
        kw.update(
            cwd=self._run_dir, env=sandbox_env(),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        argv = sandbox_argv(kernel_cmd, work_files=files, limits=self.limits, env=passed,
                            rw_paths=[Path(self.connection_file).parent],
                            readonly_paths=self.readonly_paths)
        await super()._async_launch_kernel(argv, **kw)

    def client(self, **kwargs):
        kc = super().client(**kwargs)
        kc.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        return kc

    async def _async_kill_kernel(self, restart=False):
        """Kill the sandbox from the inside out; return once nothing of it is left.

        jupyter_client kills bwrap (outside); the sandbox's pid namespace would then be torn
        down after that exit was seen, while the next kernel may already start, and its
        processes still count against the process cap of the kernel's user. Killed first,
        the sandbox's init (pid 1 inside) takes every process in the namespace with it before
        it exits, and bwrap outside exits only after that.
        """
        process = getattr(self.provisioner, "process", None)
        if process is not None and process.poll() is None:
            for pid in _children(process.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 5
            while process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        await super()._async_kill_kernel(restart=restart)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(getattr(self, "_run_dir", ""), ignore_errors=True)


async def _discard(km) -> None:
    """Kill the kernel of ``km`` (if it runs) and remove its files."""
    if await km.is_alive():
        await km.shutdown_kernel(now=True)
    else:
        await km.cleanup_resources()


class KernelQueue:
    """Kernels launched ahead of their notebooks, so that a kernel boots while the grader is busy.

    ``KernelQueue([(cwd, folder), ...])`` lists the notebooks to come, in order: ``cwd`` is
    where nbgrader will execute one (its autograded folder), ``folder`` already holds the same
    files (the submission). Installed as ``SandboxedExecute.queue``, an executor that has
    finished *and killed* its kernel launches the kernel of the next notebook from ``folder``;
    that kernel starts Python and ipykernel while the grader saves the grades, writes the
    feedback and prepares the next notebook. So never two student kernels live at once, and
    no student code runs before its executor sends the first cell.

    The next executor takes the waiting kernel only if it was launched for its ``cwd``, with
    the same files, kernel, arguments, limits and environment; otherwise the kernel is killed
    and a new one started as usual (``taken`` counts the kernels used as launched). ``close()``
    kills a kernel nobody took.
    """

    def __init__(self, upcoming=()):
        self.upcoming = [(str(Path(cwd).resolve()), str(folder)) for cwd, folder in upcoming]
        self.waiting = None  # (identity, kernel manager)
        self.taken = 0

    def _next(self, cwd: str):
        cwds = [c for c, _ in self.upcoming]
        index = cwds.index(cwd) + 1 if cwd in cwds else len(cwds)
        return self.upcoming[index] if index < len(cwds) else None

    async def launch_after(self, cwd: str, executor) -> None:
        """Launch the kernel of the notebook that comes after ``cwd`` (none after the last)."""
        following = self._next(cwd)
        if following is None or self.waiting is not None:
            return
        identity, km = executor.identity(*following), executor.new_kernel_manager()
        try:
            await km.start_kernel(extra_arguments=executor.extra_arguments, cwd=following[1])
        except Exception as exc:  # the next executor starts its kernel itself and meets the error
            executor.log.warning("could not launch the next kernel ahead: %s", exc)
            await _discard(km)
            return
        self.waiting = (identity, km)

    def take(self, identity):
        """The waiting kernel if it was launched as ``identity`` says, else None (and kill it)."""
        waiting, self.waiting = self.waiting, None
        if waiting is not None and waiting[0] == identity:
            self.taken += 1
            return waiting[1]
        if waiting is not None:
            run_sync(_discard)(waiting[1])
        return None

    def close(self) -> None:
        self.take(None)

    def __deepcopy__(self, memo):
        # traitlets deep-copies config values into each executor; they must share this queue
        return self


# --------------------------------------------------------------------------- the executor

def _classify(output) -> tuple:
    """(limit, message) for an error output that means the sandbox stopped something, or None."""
    ename, evalue = output.get("ename", ""), str(output.get("evalue", ""))
    rules = [
        ("MemoryError" in ename, "memory", "the memory limit was reached"),
        (ename == "BlockingIOError" or "Resource temporarily unavailable" in evalue, "processes",
         "the limit on processes and threads was reached"),
        ("File too large" in evalue or "No space left" in evalue, "files",
         "the limit on file size / space for written files was reached"),
        (ename in ("ConnectionRefusedError", "gaierror") or "Network is unreachable" in evalue,
         "network", "there is no network during grading"),
        (ename in ("FileNotFoundError", "PermissionError")
         or any(text in evalue for text in ("Read-only file system", "unable to open database")),
         "filesystem", "only this submission's own files are visible (read-only) during grading"),
    ]
    for matched, limit, message in rules:
        if matched:
            return limit, message
    return None


class SandboxedExecute(Execute):
    """nbgrader's Execute with the kernel in the sandbox, a notebook clock and an output cap."""

    limits = Any(Limits()).tag(config=True)
    readonly_paths = Any(()).tag(config=True)
    unsafe_no_sandbox = Bool(False).tag(config=True)
    # timestamps in the autograded notebook would make two gradings of one submission differ
    record_timing = Bool(False).tag(config=True)
    report_path = Unicode("", help="append one JSON line per notebook here").tag(config=True)
    queue = Any(None, help="a KernelQueue, or None: start each kernel when needed").tag(config=True)
    # the kernel is thrown away after the last cell: kill it at once instead of waiting for
    # it to shut itself down (and, with a queue, launch the next one sooner)
    shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)

    def new_kernel_manager(self):
        """A kernel manager for this executor's kernel (not started)."""
        if self.unsafe_no_sandbox:
            self.kernel_manager_class = AsyncKernelManager
        named = {"kernel_name": self.kernel_name} if self.kernel_name else {}
        km = self.kernel_manager_class(config=self.config, **named)
        if isinstance(km, SandboxKernelManager):
            km.limits, km.readonly_paths = self.limits, self.readonly_paths
        return km

    def identity(self, cwd, folder) -> tuple:
        """Everything a kernel launched from ``folder`` for ``cwd`` depends on (see KernelQueue)."""
        passed = sorted((k, v) for k, v in os.environ.items() if k.startswith("NBGRADER_"))
        return (str(Path(cwd).resolve()), _contents(folder), self.kernel_name, tuple(self.extra_arguments),
                self.limits, tuple(self.readonly_paths), passed)

    def _cwd(self) -> str:
        return str(Path(self.resources.get("metadata", {}).get("path") or ".").resolve())

    def create_kernel_manager(self):
        self.kernel_name = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name", "")
        if self.queue is not None and not self.unsafe_no_sandbox:
            # the history of a kernel started by nbclient is set with this argument too
            if not any(a.startswith("--HistoryManager.hist_file") for a in self.extra_arguments):
                self.extra_arguments = [*self.extra_arguments, f"--HistoryManager.hist_file={self.ipython_hist_file}"]
            self.km = self.queue.take(self.identity(self._cwd(), self._cwd()))
            if self.km is not None:
                return self.km
        self.km = self.new_kernel_manager()
        return self.km

    def reset_execution_trackers(self):
        super().reset_execution_trackers()
        self.events, self.output_bytes, self.stopped, self.dropped = [], 0, None, None
        self.deadline = time.monotonic() + self.limits.notebook_timeout
        self.timeout = self.limits.cell_timeout
        self.timeout_func = lambda cell: max(1, min(self.limits.cell_timeout, self._remaining()))

    # the base class binds its sync wrappers to its own coroutines; rebind them to the overrides
    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        self.dropped = None
        if isinstance(self.km, SandboxKernelManager):
            # count the disconnects of the output channel: each is a message ZeroMQ dropped
            address = f"inproc://coursekit-iopub-{id(self)}"
            kc.iopub_channel.socket.monitor(address, zmq.EVENT_DISCONNECTED)
            self.dropped = zmq.Context.shadow(kc.context.underlying).socket(zmq.PAIR)
            self.dropped.connect(address)
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _async_cleanup_kernel(self):
        if self.dropped is not None:  # an open monitor socket would block closing the context
            self.dropped.close(linger=0)
            self.dropped = None
        await super()._async_cleanup_kernel()
        if self.queue is not None and not self.unsafe_no_sandbox:
            await self.queue.launch_after(self._cwd(), self)

    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    def _messages_dropped(self) -> bool:
        found = False
        while self.dropped is not None:
            try:
                self.dropped.recv_multipart(zmq.NOBLOCK)
                found = True
            except zmq.Again:
                break
        return found

    def _remaining(self) -> float:
        return self.deadline - time.monotonic()

    def notice(self, outputs, limit, message, cell_index) -> None:
        """Record a limit event and show it in the cell (so it reaches the feedback)."""
        self.events.append({"limit": limit, "message": message, "cell": cell_index})
        outputs.append(nbformat.v4.new_output(
            "display_data", data={"text/plain": f"[grading sandbox] {message}",
                                  NOTICE_MIME: {"limit": limit, "message": message}}))

    def _fail(self, cell, cell_index, ename, limit, message) -> None:
        """Mark ``cell`` failed (so its tests score 0) with a sandbox notice."""
        self.notice(cell.outputs, limit, message, cell_index)
        cell.outputs.append(nbformat.v4.new_output(
            "error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"]))

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if self.stopped is None and self._remaining() <= 0:
            self.stopped = ("NotebookTimeoutError", "time",
                            f"the notebook time limit ({self.limits.notebook_timeout} s) was "
                            "reached; the remaining cells were not run")
        if self.stopped:
            cell.outputs = []
            self._fail(cell, cell_index, *self.stopped)
            return cell
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except DeadKernelError:
            self.stopped = ("DeadKernelError", "kernel",
                            "the kernel died (a resource limit or a crash); the remaining cells "
                            "were not run")
            self._fail(cell, cell_index, *self.stopped)
        except ValueError:  # jupyter_client could not read a message (cut by MAXMSGSIZE)
            self.stopped = ("OutputLimitError", "output",
                            "a kernel message was too large to read; the remaining cells were "
                            "not run")
            self._fail(cell, cell_index, *self.stopped)
        except CellTimeoutError:
            self._fail(cell, cell_index, "CellTimeoutError", "time",
                       f"the cell did not finish within {self.limits.cell_timeout} s")
            self.stopped = ("CellTimeoutError", "time", "the kernel stayed busy after a timeout; "
                            "the remaining cells were not run")
        if self._messages_dropped():
            self.notice(cell.outputs, "output", f"a message of over {MAX_MESSAGE_BYTES} bytes "
                        "was dropped, which closes the kernel's output channel", cell_index)
        for output in list(cell.outputs):
            if output.output_type != "error":
                continue
            if output.ename == "CellTimeoutError":
                self.notice(cell.outputs, "time",
                            f"the cell did not finish within {self.limits.cell_timeout} s",
                            cell_index)
            elif (found := _classify(output)) is not None:
                self.notice(cell.outputs, *found, cell_index)
            output.traceback = [line[:2000] for line in output.get("traceback", [])[:200]]
            output.evalue = str(output.get("evalue", ""))[:2000]
        return cell

    execute_cell = run_sync(async_execute_cell)

    def output(self, outs, msg, display_id, cell_index):
        """Keep outputs up to ``max_output_bytes`` per notebook; errors are always kept."""
        if msg["msg_type"] == "error":
            return super().output(outs, msg, display_id, cell_index)
        size = len(json.dumps(msg["content"]))
        cap = self.limits.max_output_bytes
        if self.output_bytes >= cap:
            return None
        self.output_bytes += size
        if self.output_bytes <= cap:
            return super().output(outs, msg, display_id, cell_index)
        if msg["msg_type"] == "stream":
            msg["content"]["text"] = msg["content"]["text"][: max(0, cap - (self.output_bytes - size))]
            super().output(outs, msg, display_id, cell_index)
        self.notice(outs, "output", f"output beyond {cap} bytes was dropped (for the rest of "
                    "the notebook too) and the cell was interrupted", cell_index)
        asyncio.ensure_future(self.km.interrupt_kernel())
        return None

    def preprocess(self, nb, resources=None, km=None):
        nb, resources = super().preprocess(nb, resources, km)
        if self.unsafe_no_sandbox:  # said in the notebook too, so feedback and report show it
            first = next((c for c in nb.cells if c.cell_type == "code"), None)
            if first is not None:
                self.notice(first.outputs, "unsandboxed", "UNSAFE: this notebook was executed "
                            "without the sandbox (--unsafe-no-sandbox)", 0)
        record = {"notebook": str(Path((resources or {}).get("metadata", {}).get("path", ""),
                                       (resources or {}).get("metadata", {}).get("name", ""))),
                  "sandboxed": not self.unsafe_no_sandbox, "events": self.events}
        if self.report_path:
            with open(self.report_path, "a") as f:
                f.write(json.dumps(record) + "\n")
        resources["sandbox"] = record
        return nb, resources


# --------------------------------------------------------------------------- entry points

def configure(config, *, limits=Limits(), unsafe_no_sandbox=False, report_path=None,
              readonly_paths=(), bwrap=None):
    """Make nbgrader's autograde execute every notebook in the sandbox (see module docstring)."""
    if not isinstance(limits, Limits):
        raise TypeError(f"limits must be a sandbox.Limits, got {limits!r}")
    if not unsafe_no_sandbox:
        check_available(bwrap)
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    config.Autograde.autograde_preprocessors = [
        SandboxedExecute if pp is Execute else pp for pp in default]
    config.SandboxedExecute.limits = limits
    config.SandboxedExecute.readonly_paths = tuple(readonly_paths)
    config.SandboxedExecute.unsafe_no_sandbox = bool(unsafe_no_sandbox)
    config.SandboxedExecute.report_path = str(report_path or "")
    return config


def read_report(report_path) -> list:
    """The records ``SandboxedExecute`` appended to ``report_path`` (one per notebook)."""
    if not Path(report_path).exists():
        return []
    return [json.loads(line) for line in Path(report_path).read_text().splitlines() if line]


def execute_notebook(nb_path, out_path, *, limits=Limits(), readonly_paths=(),
                     unsafe_no_sandbox=False, bwrap=None) -> Report:
    """Execute ``nb_path`` in the sandbox (its folder's other files visible), write ``out_path``."""
    if not unsafe_no_sandbox:
        check_available(bwrap)
    nb = nbformat.read(nb_path, as_version=4)
    ep = SandboxedExecute(limits=limits, readonly_paths=tuple(readonly_paths),
                          unsafe_no_sandbox=unsafe_no_sandbox)
    path = os.path.dirname(os.path.abspath(nb_path))
    nb, resources = ep.preprocess(nb, {"metadata": {"path": path, "name": Path(nb_path).stem}})
    nbformat.write(nb, out_path)
    record = resources["sandbox"]
    return Report(str(nb_path), record["sandboxed"], record["events"])


def notices(nb: NotebookNode) -> list:
    """The sandbox notices shown in an executed notebook (for feedback checks)."""
    return [out["data"][NOTICE_MIME] for cell in nb.cells for out in cell.get("outputs", [])
            if out.get("output_type") == "display_data" and NOTICE_MIME in out.get("data", {})]
