"""Kernel launch: a jupyter_client kernel manager whose kernel runs in the sandbox.

Overrides of jupyter_client internals (each pinned by tests/test_sandbox_upstream.py):
``AsyncKernelManager.start_kernel`` is ``KernelManager._async_start_kernel``, which calls
``self._async_pre_start_kernel`` then ``self._async_launch_kernel(kernel_cmd, cwd=..., env=...)``;
``shutdown_kernel(now=True)`` calls ``self._async_kill_kernel`` then
``self._async_cleanup_resources``. The public names are aliases bound to the base class's
functions, so the private coroutines are where a subclass can act. The manager's
``client()`` makes a ``client_factory``, and nbclient awaits its ``wait_for_ready`` before the
first cell (``SandboxKernelClient``).
"""
from __future__ import annotations

import asyncio
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import time
import weakref
from pathlib import Path

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Any, Type

from .command import chown_for_kernel, private_copy, sandbox_argv, sandbox_env
from .limits import MAX_MESSAGE_BYTES, Limits
from .withheld import overlays


def _children(pid: int) -> list:
    """The process ids of the children of ``pid`` (none if it has gone)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class SandboxKernelClient(AsyncKernelClient):
    """The client of a sandboxed kernel: ready once the kernel has answered on both channels."""

    async def wait_for_ready(self, timeout=None):
        """Return once a kernel_info reply and then an output message (the kernel's status) came in.

        Upstream (``KernelClient._async_wait_for_ready``) then also waits until the output
        channel has been silent for 0.2 s, to drop the start-up messages: 0.2 s of idle for
        every submission, for nothing here, since nbclient takes only the output messages
        whose parent is the request it sent.
        """
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            try:
                reply = await self.kernel_info(reply=True, timeout=1)
                await self.iopub_channel.get_msg(timeout=0.2)   # the output channel is connected
                self._handle_kernel_info_reply(reply)
                return
            except (TimeoutError, queue.Empty):
                pass
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs inside bubblewrap, reached over ipc sockets.

    ZeroMQ ``ipc`` sockets are files in a per-kernel directory bound into the sandbox, so the
    kernel can have no network at all (``--unshare-net``).
    """

    client_factory = Type(SandboxKernelClient, klass=AsyncKernelClient)
    limits = Any(Limits())
    readonly_paths = Any(())
    withheld = Any({})  # assignment -> modules its kernels do not see (withheld.py)

    async def _async_pre_start_kernel(self, **kw):
        # upstream: runs before the connection file is written; transport and ip set here are used
        self._run_dir = tempfile.mkdtemp(prefix="coursekit-sandbox-")
        # the copy of a submission is personal data: gone with this object even if the kernel
        # never started or was never shut down cleanly
        weakref.finalize(self, shutil.rmtree, self._run_dir, ignore_errors=True)
        ipc = Path(self._run_dir, "ipc")
        ipc.mkdir()
        chown_for_kernel(ipc, self.limits)
        self.transport = "ipc"
        self.ip = str(ipc / "kernel")
        self.connection_file = str(ipc / "kernel.json")
        # a signal would reach bwrap, not the kernel; ask the kernel itself to interrupt
        self.kernel_spec.interrupt_mode = "message"
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        # upstream: receives the kernel's argv and Popen keywords (cwd, env) and starts the process
        chown_for_kernel(self.connection_file, self.limits)
        src = kw.get("cwd") or os.getcwd()
        files = private_copy(src, Path(self._run_dir, "work"))
        passed = {k: v for k, v in (kw.get("env") or {}).items() if k.startswith("NBGRADER_")}
        kw.update(
            cwd=self._run_dir, env=sandbox_env(),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        # nbgrader's folders end in the assignment's name: autograded/<student>/<assignment>
        hidden = overlays(self.withheld.get(Path(src).name, ()), self._run_dir)
        argv = sandbox_argv(kernel_cmd, work_files=files, limits=self.limits, env=passed,
                            rw_paths=[Path(self.connection_file).parent],
                            readonly_paths=self.readonly_paths, overlays=hidden)
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
        # upstream: the provisioner's process (``provisioner.process``, a Popen) is bwrap
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
        # upstream: the last step of every shutdown, also of a kernel that died
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(getattr(self, "_run_dir", ""), ignore_errors=True)

