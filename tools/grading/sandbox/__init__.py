"""Run untrusted student code in a bubblewrap sandbox with per-submission resource limits.

Modules, one concept each: ``command`` (the bubblewrap command line: what the kernel sees),
``kernel`` (kernel launch), ``execute`` (execution policy: clocks, output cap, notices),
``limits`` (the limits, which one an error means, the uid of each job), ``pool`` (several
submissions executed at once).

Interface for the grader (tools/grading)
----------------------------------------
``configure(config, *, limits=Limits(), unsafe_no_sandbox=False, report_path=None)``
    Call once on the traitlets ``Config`` given to nbgrader's autograde. It refuses
    (``SandboxUnavailable``, a message saying why and how to allow it) when bubblewrap cannot
    run, unless ``unsafe_no_sandbox`` is set, and swaps nbgrader's ``Execute`` preprocessor
    for ``SandboxedExecute``. Everything else in nbgrader is unchanged.
``ExecutionPool(jobs, config)``
    Optional, as ``config.SandboxedExecute.pool``: ``jobs`` worker processes execute the
    notebooks to come, each job's kernels under its own uid (``job_uids``), while nbgrader
    grades them in order in this process (``pool``).
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
``ipc`` sockets. Running the whole ``nbconvert --execute`` in the sandbox was rejected: the
notebook file being executed contains the hidden tests, and the student's first cell could
read it.

Limits (``Limits``): a per-cell wall clock (nbgrader's timeout) and a per-notebook wall
clock (the executor stops sending cells and marks the rest as failed), RLIMIT_AS (memory),
RLIMIT_NPROC (processes and threads), RLIMIT_FSIZE plus the tmpfs size (files written), and an
output cap applied in the executor (``SandboxedExecute.output``), so a flood of prints never
reaches the gradebook or the feedback. The kernel's own stdout/stderr go to /dev/null. Who
the kernel runs as, and why: the Note in ``limits``.
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import nbformat
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import Execute

from .command import (Result, SandboxUnavailable, check_available, compile_sources, run_sandboxed, sandbox_argv,
                      sandbox_env)
from .execute import NOTICE_MIME, SandboxedExecute, notices
from .kernel import SandboxKernelClient, SandboxKernelManager
from .limits import MAX_MESSAGE_BYTES, Limits, job_uids
from .pool import ExecutionPool

__all__ = ["ExecutionPool", "Limits", "MAX_MESSAGE_BYTES", "NOTICE_MIME", "Report", "Result",
           "SandboxKernelClient", "SandboxKernelManager", "SandboxUnavailable", "SandboxedExecute", "check_available",
           "configure", "execute_notebook", "job_uids", "notices", "read_report", "run_sandboxed",
           "sandbox_argv", "sandbox_env"]


@dataclasses.dataclass
class Report:
    """Outcome of executing one notebook: whether it was sandboxed, and the limits it hit."""

    notebook: str
    sandboxed: bool
    events: list


def configure(config, *, limits=Limits(), unsafe_no_sandbox=False, report_path=None,
              readonly_paths=(), bwrap=None):
    """Make nbgrader's autograde execute every notebook in the sandbox (see module docstring)."""
    if not isinstance(limits, Limits):
        raise TypeError(f"limits must be a sandbox.Limits, got {limits!r}")
    if not unsafe_no_sandbox:
        check_available(bwrap)
    compile_sources()
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
