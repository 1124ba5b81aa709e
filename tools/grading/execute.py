"""Run ONE notebook in a fresh Jupyter kernel: the only step of grading that executes student code.

Two ways to use it:

* in this process: ``execute_notebook(nb, cwd=..., cell_timeout=...)``;
* as a command, which is what the grader does by default (:func:`run_in_subprocess`); a
  wrapper can prefix the same command (:func:`command`, :func:`run_command`)::

      python tools/grading/execute.py --cwd DIR --cell-timeout 30  < in.ipynb  > out.ipynb

  The notebook comes in on stdin and the executed notebook goes out on stdout; the kernel's own
  stdout is sent to /dev/null so that student code cannot write into the result stream.

This file imports only nbformat and nbclient, so that it can run on its own.

What the kernel cannot do to the grading run:

* loop for ever: each cell is interrupted after ``cell_timeout`` seconds and gets a
  ``CellTimeoutError`` output; the next cells still run. :func:`run_in_subprocess` also stops
  the whole run after ``notebook_timeout`` seconds (a kernel that ignores the interrupt);
* kill itself (``os._exit``, ``os.kill``): the cell that was running and every later code cell
  get a ``KernelDied`` error output, so they score nothing, and the run ends normally;
* hide an error: a cell whose execute reply says "error" always ends up with an error output,
  even if the student's code cleared the cell's outputs or replaced IPython's traceback display.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

TIMEOUT_ENAME = "CellTimeoutError"
DEAD_ENAME = "KernelDied"


class RunnerError(RuntimeError):
    """The notebook could not be run to the end (the reason is the message)."""


def _error(ename: str, evalue: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def execute_notebook(nb: nbformat.NotebookNode, *, cwd, cell_timeout: float,
                     kernel_name: str = "python3") -> nbformat.NotebookNode:
    """Execute every code cell of ``nb`` in place and return it (errors are recorded, not raised)."""
    current = {"index": None}
    replies = {}

    def on_cell_execute(cell, cell_index, **_):
        current["index"] = cell_index

    def on_cell_executed(cell, cell_index, execute_reply, **_):
        replies[cell_index] = execute_reply["content"]

    client = NotebookClient(
        nb, timeout=cell_timeout, allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout={"ename": TIMEOUT_ENAME,
                          "evalue": f"the cell ran longer than {cell_timeout:g} s and was stopped",
                          "traceback": [f"{TIMEOUT_ENAME}: the cell ran longer than {cell_timeout:g} s"]},
        kernel_name=kernel_name, resources={"metadata": {"path": str(cwd)}},
        extra_arguments=["--HistoryManager.hist_file=:memory:"], record_timing=False,
        on_cell_execute=on_cell_execute, on_cell_executed=on_cell_executed)
    try:
        client.execute(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except DeadKernelError:
        start = current["index"] if current["index"] is not None else 0
        for cell in nb.cells[start:]:
            if cell.cell_type == "code":
                cell.outputs.append(_error(DEAD_ENAME, "the kernel died while running an earlier cell "
                                           "or this one (os._exit, a crash, a resource limit); "
                                           "this cell did not run to the end"))
    # An error reply whose error is not among the outputs (a timeout; or student code that
    # cleared the outputs or silenced the traceback display) still gets its error output.
    for index, content in replies.items():
        cell, ename = nb.cells[index], content.get("ename") or "Error"
        if content.get("status") == "error" and not any(
                o.output_type == "error" and o.get("ename") == ename for o in cell.outputs):
            cell.outputs.append(_error(ename, content.get("evalue") or ""))
    return nb


def command(*, cwd, cell_timeout: float, python: str = sys.executable) -> list[str]:
    """The argv that runs this file on one notebook (stdin -> stdout); a sandbox prefixes it."""
    return [python, str(Path(__file__).resolve()), "--cwd", str(cwd), "--cell-timeout", f"{cell_timeout:g}"]


def run_command(argv: list[str], nb: nbformat.NotebookNode, *, notebook_timeout: float,
                env: dict | None = None) -> nbformat.NotebookNode:
    """Run ``argv`` (this file's command, possibly wrapped) on ``nb``; return the executed notebook.

    The process gets its own session so that, on the notebook timeout, it is killed together
    with its kernel. Raises :class:`RunnerError` if it fails or returns no notebook.
    """
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, env=env)
    try:
        out, err = proc.communicate(nbformat.writes(nb).encode(), timeout=notebook_timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RunnerError(f"the notebook ran longer than {notebook_timeout:g} s in total and was stopped") from None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        raise RunnerError(f"the notebook runner exited with status {proc.returncode}: {' | '.join(tail)}")
    try:
        return nbformat.reads(out.decode(), as_version=4)
    except Exception as exc:
        raise RunnerError(f"the notebook runner returned no readable notebook ({exc})") from None


def run_in_subprocess(nb: nbformat.NotebookNode, *, cwd, cell_timeout: float,
                      notebook_timeout: float) -> nbformat.NotebookNode:
    """The default runner: this file as a child process, without a sandbox."""
    return run_command(command(cwd=cwd, cell_timeout=cell_timeout), nb, notebook_timeout=notebook_timeout)


def run_in_process(nb: nbformat.NotebookNode, *, cwd, cell_timeout: float,
                   notebook_timeout: float) -> nbformat.NotebookNode:
    """A runner without the extra process (no notebook-level timeout): for timing comparisons."""
    return execute_notebook(nbformat.from_dict(nb), cwd=cwd, cell_timeout=cell_timeout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cwd", required=True, help="working directory of the kernel")
    parser.add_argument("--cell-timeout", type=float, required=True, help="seconds per cell")
    args = parser.parse_args(argv)
    # From here on fd 1 is /dev/null: the kernel inherits it, our result goes to a private copy.
    result = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    nb = nbformat.read(sys.stdin, as_version=4)
    execute_notebook(nb, cwd=args.cwd, cell_timeout=args.cell_timeout)
    nbformat.write(nb, result)
    result.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
