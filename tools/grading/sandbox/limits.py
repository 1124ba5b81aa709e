"""The resource limits of one submission's kernel, and which limit an error output means.

Note
----
RLIMIT_NPROC counts the processes of a real user, across the whole machine and every user
namespace (a process in a namespace counts for its creator's user too), and is not enforced
for root. When grading runs as root, the kernel therefore drops to ``Limits.uid`` (default
65534, "nobody") inside the sandbox with ``setpriv``; bwrap itself runs as root without a user
namespace. Kernels that run at the same time get distinct uids (``job_uids``), so one
student's processes never count against another's cap. When grading runs as an ordinary user,
bwrap creates a user namespace and the kernel's processes count together with every other
process of that user (the grader, other kernels, the user's session): so the cap is only as
good as that user's quietness, and grading several submissions at once needs root.
RLIMIT_AS bounds each process, so the memory of a whole submission is at most
``max_processes * memory_mb``; a cgroup would bound the sum but needs root or systemd
delegation, which instructors' machines do not all have.
"""
from __future__ import annotations

import dataclasses
import os

MB = 1024 * 1024
# The largest message the grader reads from a kernel. ZeroMQ drops a bigger one before it is
# read into memory (and closes that channel), so one huge print or display cannot exhaust the
# grading process; the output cap (Limits.max_output_bytes) handles ordinary floods.
MAX_MESSAGE_BYTES = 64 * MB


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


def job_uids(limits: Limits, jobs: int) -> list[int]:
    """The uid of each of ``jobs`` worker slots, when that many submissions are graded at once.

    Slot k (1 to ``jobs``) runs as ``limits.uid - k``: by default 65533, 65532, ..., which
    Debian reserves and never gives an account; the grading process's own kernels (one job, or
    a notebook no worker could execute) keep ``limits.uid`` (65534, "nobody"). Raises
    ``ValueError`` for ``jobs > 1`` when not root: without root every kernel runs as the
    grading user, and one student's processes would count against the others' cap.
    """
    if not isinstance(jobs, int) or isinstance(jobs, bool):
        raise TypeError(f"jobs must be an int, got {jobs!r}")
    if not 1 <= jobs < limits.uid - 1:
        raise ValueError(f"jobs must be between 1 and {limits.uid - 2}, got {jobs}")
    if jobs > 1 and os.geteuid() != 0:
        raise ValueError(f"jobs={jobs} needs root: only root can run each job's kernels under its "
                         "own uid, so that one student's processes cannot use up another's process "
                         "cap (RLIMIT_NPROC counts per user). Grade with jobs=1, or as root.")
    return [limits.uid - slot for slot in range(1, jobs + 1)]


def classify(output) -> tuple | None:
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
