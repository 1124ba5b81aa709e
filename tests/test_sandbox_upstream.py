"""The nbclient/nbconvert/jupyter_client behaviour that tools/grading/sandbox overrides rely on.

The sandbox acts at a few points of its dependencies (listed in the docstrings of
sandbox/kernel.py and sandbox/execute.py). Here plain subclasses of the *upstream* classes
record when those points are reached while one small notebook runs, unsandboxed; an upgrade
that renames a hook, stops calling it or calls it in another order fails this test, not a
hostile-class test an hour later.
"""
import contextlib

import nbformat
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import Type

from tools.grading import sandbox

CALLS = []


class RecordingClient(sandbox.SandboxKernelClient):
    async def wait_for_ready(self, timeout=None):
        CALLS.append("wait_for_ready")
        await super().wait_for_ready(timeout)


class RecordingKernelManager(AsyncKernelManager):
    client_factory = Type(RecordingClient, klass=AsyncKernelClient)

    async def _async_pre_start_kernel(self, **kw):
        CALLS.append("pre_start_kernel")
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        CALLS.append(f"launch_kernel(cwd={'cwd' in kw}, env={'env' in kw})")
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_kill_kernel(self, restart=False):
        CALLS.append("kill_kernel")
        await super()._async_kill_kernel(restart=restart)

    async def _async_cleanup_resources(self, restart=False):
        CALLS.append("cleanup_resources")
        await super()._async_cleanup_resources(restart=restart)


class RecordingExecute(Execute):
    def reset_execution_trackers(self):
        CALLS.append("reset_execution_trackers")
        super().reset_execution_trackers()

    @contextlib.contextmanager
    def setup_kernel(self, **kwargs):
        with super().setup_kernel(**kwargs):
            CALLS.append(f"setup_kernel: client ready={self.kc is not None}")
            yield
        CALLS.append(f"setup_kernel: exited, kernel manager={self.km}")

    def preprocess_cell(self, cell, resources, index):
        CALLS.append(f"preprocess_cell {index}")
        return super().preprocess_cell(cell, resources, index)

    def output(self, outs, msg, display_id, cell_index):
        CALLS.append(f"output {cell_index}")
        if msg["msg_type"] == "stream" and "drop" in msg["content"]["text"]:
            return None
        return super().output(outs, msg, display_id, cell_index)


def test_the_points_where_the_sandbox_acts_are_reached_in_order(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('keep')"),
                                         nbformat.v4.new_code_cell("print('drop')")])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    # output at start-up, which SandboxKernelClient leaves unread: nbclient must not take it for a cell's
    stray = "--IPKernelApp.exec_lines=print('stray'); import sys; sys.stdout.flush()"
    executor = RecordingExecute(kernel_manager_class=RecordingKernelManager, shutdown_kernel="immediate",
                                extra_arguments=[stray])
    CALLS.clear()
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    # (reset_execution_trackers also runs at construction and more than once in preprocess)
    assert [c for i, c in enumerate(CALLS) if c not in CALLS[:i]] == [
        "reset_execution_trackers", "pre_start_kernel", "launch_kernel(cwd=True, env=True)",
        "wait_for_ready", "setup_kernel: client ready=True", "preprocess_cell 0", "output 0", "preprocess_cell 1",
        "output 1", "kill_kernel", "cleanup_resources", "setup_kernel: exited, kernel manager=None",
    ]
    # what output() returns is what the cell keeps, and nothing sent before the cell ran
    assert [o.get("text") for o in nb.cells[0].outputs] == ["keep\n"]
    assert nb.cells[1].outputs == []


def test_the_sandbox_overrides_exactly_the_recorded_points():
    """If the sandbox starts overriding another upstream method, it needs a recorded point here."""
    own = lambda cls, base: {n for n in vars(cls) if callable(getattr(base, n, None))}  # noqa: E731
    assert own(sandbox.SandboxKernelManager, AsyncKernelManager) == {
        "_async_pre_start_kernel", "_async_launch_kernel", "_async_kill_kernel",
        "_async_cleanup_resources", "client"}
    assert own(sandbox.SandboxKernelClient, AsyncKernelClient) == {"wait_for_ready"}
    assert own(sandbox.SandboxedExecute, Execute) == {
        "__init__", "reset_execution_trackers", "setup_kernel", "preprocess_cell", "output",
        "preprocess", "create_kernel_manager"}
