"""Execution policy: nbgrader's executor with the kernel in the sandbox, a clock per notebook,
an output cap, and a notice in the notebook for every limit a submission hits.

Overrides of nbclient/nbconvert behaviour (each pinned by tests/test_sandbox_upstream.py):
``ExecutePreprocessor.preprocess`` calls ``reset_execution_trackers()``, then runs every cell
through ``preprocess_cell`` inside ``setup_kernel()``, whose exit shuts the kernel down;
nbclient passes each output message through ``output(outs, msg, display_id, cell_index)``
and keeps nothing when it returns None. Only these public methods are overridden: nbclient's
sync wrappers (``execute_cell``, ``_cleanup_kernel``) are bound to its own coroutines.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import time
from pathlib import Path

import nbformat
import zmq
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Any, Bool, Dict, Enum, Unicode

from .command import contents
from .kernel import SandboxKernelManager
from .limits import MAX_MESSAGE_BYTES, Limits, classify

NOTICE_MIME = "application/vnd.coursekit.sandbox+json"


class SandboxedExecute(Execute):
    """nbgrader's Execute with the kernel in the sandbox, a notebook clock and an output cap."""

    limits = Any(Limits()).tag(config=True)
    readonly_paths = Any(()).tag(config=True)
    withheld = Dict(help="assignment -> modules withheld from its kernels").tag(config=True)
    unsafe_no_sandbox = Bool(False).tag(config=True)
    # timestamps in the autograded notebook would make two gradings of one submission differ
    record_timing = Bool(False).tag(config=True)
    report_path = Unicode("", help="append one JSON line per notebook here").tag(config=True)
    pool = Any(None, help="an ExecutionPool that executed notebooks ahead, or None").tag(config=True)
    # the kernel is thrown away after the last cell: kill it at once instead of waiting for
    # it to shut itself down
    shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)

    def identity(self, cwd, folder) -> tuple:
        """Everything a kernel launched from ``folder`` for ``cwd`` depends on, but the uid it runs
        as (an ``ExecutionPool`` compares it with what its worker executed)."""
        passed = sorted((k, v) for k, v in os.environ.items() if k.startswith("NBGRADER_"))
        limits = {**dataclasses.asdict(self.limits), "uid": None}
        return (str(Path(cwd).resolve()), contents(folder), self.kernel_name, tuple(self.extra_arguments),
                limits, tuple(self.readonly_paths), passed)

    def kernel_name_of(self, nb) -> str:
        """The kernel this executor starts for ``nb``: its own setting, else the notebook's."""
        return self.kernel_name or nb.metadata.get("kernelspec", {}).get("name", "")

    def create_kernel_manager(self):
        self.kernel_name = self.kernel_name_of(self.nb)
        if self.unsafe_no_sandbox:
            self.kernel_manager_class = AsyncKernelManager
        named = {"kernel_name": self.kernel_name} if self.kernel_name else {}
        self.km = self.kernel_manager_class(config=self.config, **named)
        if isinstance(self.km, SandboxKernelManager):
            self.km.limits, self.km.readonly_paths, self.km.withheld = self.limits, self.readonly_paths, self.withheld
        return self.km

    def reset_execution_trackers(self):
        super().reset_execution_trackers()
        self.events, self.output_bytes, self.stopped, self.dropped = [], 0, None, None
        self.deadline = time.monotonic() + self.limits.notebook_timeout
        self.timeout = self.limits.cell_timeout
        self.timeout_func = lambda cell: max(1, min(self.limits.cell_timeout, self._remaining()))

    @contextlib.contextmanager
    def setup_kernel(self, **kwargs):
        """nbclient's kernel for the notebook, watched for dropped messages."""
        with super().setup_kernel(**kwargs):
            self._watch_dropped_messages()
            try:
                yield
            finally:  # an open monitor socket would block closing the client's context
                if self.dropped is not None:
                    self.dropped.close(linger=0)
                    self.dropped = None

    def _watch_dropped_messages(self) -> None:
        """Count the disconnects of the output channel: each is a message ZeroMQ dropped."""
        if isinstance(self.km, SandboxKernelManager):
            address = f"inproc://coursekit-iopub-{id(self)}"
            self.kc.iopub_channel.socket.monitor(address, zmq.EVENT_DISCONNECTED)
            self.dropped = zmq.Context.shadow(self.kc.context.underlying).socket(zmq.PAIR)
            self.dropped.connect(address)

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

    def preprocess_cell(self, cell, resources, index):
        """Run one cell unless the notebook was stopped; a limit it hits stops the rest."""
        if cell.cell_type != "code" or not cell.source.strip():
            return super().preprocess_cell(cell, resources, index)
        if self.stopped is None and self._remaining() <= 0:
            self.stopped = ("NotebookTimeoutError", "time",
                            f"the notebook time limit ({self.limits.notebook_timeout} s) was "
                            "reached; the remaining cells were not run")
        if self.stopped:
            cell.outputs = []
            self._fail(cell, index, *self.stopped)
            return cell, self.resources
        try:
            cell, _ = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            # whether its execute_input came through before the kernel died is a race: drop it
            cell.execution_count = None
            self.stopped = ("DeadKernelError", "kernel",
                            "the kernel died (a resource limit or a crash); the remaining cells "
                            "were not run")
            self._fail(cell, index, *self.stopped)
        except ValueError:  # jupyter_client could not read a message (cut by MAXMSGSIZE)
            self.stopped = ("OutputLimitError", "output",
                            "a kernel message was too large to read; the remaining cells were "
                            "not run")
            self._fail(cell, index, *self.stopped)
        except CellTimeoutError:
            self._fail(cell, index, "CellTimeoutError", "time",
                       f"the cell did not finish within {self.limits.cell_timeout} s")
            self.stopped = ("CellTimeoutError", "time", "the kernel stayed busy after a timeout; "
                            "the remaining cells were not run")
        dropped = self._messages_dropped()
        # a dying kernel's output channel disconnects too: that is no dropped message
        if dropped and not (self.stopped and self.stopped[1] == "kernel"):
            self.notice(cell.outputs, "output", f"a message of over {MAX_MESSAGE_BYTES} bytes "
                        "was dropped, which closes the kernel's output channel", index)
        for output in list(cell.outputs):
            if output.output_type != "error":
                continue
            if output.ename == "CellTimeoutError":
                self.notice(cell.outputs, "time",
                            f"the cell did not finish within {self.limits.cell_timeout} s", index)
            elif (found := classify(output)) is not None:
                self.notice(cell.outputs, *found, index)
            output.traceback = [line[:2000] for line in output.get("traceback", [])[:200]]
            output.evalue = str(output.get("evalue", ""))[:2000]
        return cell, self.resources

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
        resources = {} if resources is None else resources
        metadata = resources.get("metadata", {})
        where = {"notebook": str(Path(metadata.get("path", ""), metadata.get("name", "")))}
        ahead = None
        if self.pool is not None:
            self.kernel_name = self.kernel_name_of(nb)
            ahead = self.pool.take(self, nb, str(Path(metadata.get("path") or ".").resolve()))
        if ahead is not None:
            nb, record = ahead[0], {**ahead[1], **where}
        else:
            nb, resources = super().preprocess(nb, resources, km)
            if self.unsafe_no_sandbox:  # said in the notebook too, so feedback and report show it
                first = next((c for c in nb.cells if c.cell_type == "code"), None)
                if first is not None:
                    self.notice(first.outputs, "unsandboxed", "UNSAFE: this notebook was executed "
                                "without the sandbox (--unsafe-no-sandbox)", 0)
            record = {**where, "sandboxed": not self.unsafe_no_sandbox, "events": self.events}
        if self.report_path:
            with open(self.report_path, "a") as f:
                f.write(json.dumps(record) + "\n")
        resources["sandbox"] = record
        return nb, resources


def notices(nb: NotebookNode) -> list:
    """The sandbox notices shown in an executed notebook (for feedback checks)."""
    return [out["data"][NOTICE_MIME] for cell in nb.cells for out in cell.get("outputs", [])
            if out.get("output_type") == "display_data" and NOTICE_MIME in out.get("data", {})]
