"""Several submissions executed at once: worker processes, one per job slot, whose kernels run
under the slot's own uid, while the grading process keeps nbgrader's order.

``ExecutionPool(jobs, config)`` starts ``jobs`` worker processes. ``submit(student, assignment,
folder, cwd)`` asks a worker to do what nbgrader's autograde will do before and in its
executor: sanitize the handed-in notebook (nbgrader's own sanitize preprocessors, which read
the assignment's cells from the gradebook: from a copy taken after the release if it is an
SQLite file, so no worker ever opens the file the grading process writes) and execute it in
the sandbox with the files of ``folder`` as if in ``cwd``. Installed as ``SandboxedExecute.pool``, the executor of that notebook in the
grading process takes the result (``take``) instead of executing: only if the notebook it was
given and everything its kernel would depend on (``SandboxedExecute.identity``) are what the
worker executed; otherwise it executes the notebook itself, as without a pool. So the
gradebook, CSVs and feedback are the same whatever the number of jobs; only the time differs.

``map(function, items)`` runs other read-only work in the workers (the feedback pages, once
every grade is written).
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import json
import multiprocessing
import shutil
import sqlite3
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import nbformat
import sqlalchemy
from nbgrader import utils
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory

from .execute import SandboxedExecute
from .limits import job_uids

_worker = {}  # in a worker process: the grading configuration (with its uid), a snapshot one


def notebook_digest(nb) -> str:
    """A digest of a notebook's content (what an executor is given)."""
    return hashlib.sha256(json.dumps(nb, sort_keys=True).encode()).hexdigest()


def _start_worker(slots, config) -> None:
    uid = slots.get()
    if uid is not None:  # in the config: the executor reloads its config at each notebook
        section = config[executor_class(config).__name__]
        section.limits = dataclasses.replace(config.SandboxedExecute.limits, uid=uid)
    _worker["config"] = config


def _snapshot_config(db_url: str):
    """In a worker: the grading configuration reading the gradebook at ``db_url``."""
    if _worker.get("snapshot") is None or _worker["snapshot"].CourseDirectory.db_url != db_url:
        _worker["snapshot"] = copy.deepcopy(_worker["config"])
        _worker["snapshot"].CourseDirectory.db_url = db_url
    return _worker["snapshot"]


def executor_class(config):
    """The executor class of ``config``'s autograde chain (``SandboxedExecute`` or a subclass)."""
    return next(pp for pp in config.Autograde.autograde_preprocessors
                if isinstance(pp, type) and issubclass(pp, SandboxedExecute))


def sanitized(config, student: str, assignment: str):
    """The notebook nbgrader's autograde gives its executor for this submission: the handed-in
    notebook through nbgrader's sanitize preprocessors, as its ``Autograde`` converter runs them
    (``start`` and ``convert_single_notebook``), without writing anything."""
    coursedir = CourseDirectory(config=config, assignment_id=assignment, student_id=student)
    converter = Autograde(coursedir=coursedir, config=config)
    exporter = converter.exporter_class(parent=converter, config=converter.config)
    for pp in converter.sanitize_preprocessors:
        exporter.register_preprocessor(pp)
    path = coursedir.format_path(coursedir.submitted_directory, student, assignment)
    filename = str(Path(path, f"{assignment}.ipynb"))
    output, resources = exporter.from_filename(filename, resources=converter.init_single_notebook_resources(filename))
    return nbformat.reads(output, as_version=4), resources


def _execute_ahead(snapshot_url: str, student: str, assignment: str, folder: str, cwd: str):
    """In a worker: (digest of the executor's input, identity, executed notebook, record)."""
    nb, resources = sanitized(_snapshot_config(snapshot_url), student, assignment)
    digest = notebook_digest(nb)
    executor = executor_class(_worker["config"])(config=_worker["config"])
    executor.kernel_name = executor.kernel_name_of(nb)
    with utils.setenv(NBGRADER_EXECUTION="autograde"):  # as nbgrader's autograde pass does
        identity = executor.identity(cwd, folder)
        resources["metadata"] = {"path": folder, "name": assignment}
        nb, resources = executor.preprocess(nb, resources)
    return digest, identity, nb, resources["sandbox"]


def _with_config(function, *args):
    return function(_worker["config"], *args)


class ExecutionPool:
    """Worker processes that execute submissions ahead of the grading process (module docstring).

    ``taken`` counts the notebooks whose executors used a worker's result.
    """

    def __init__(self, jobs: int, config, *, unsafe_no_sandbox: bool = False):
        limits = config.SandboxedExecute.limits
        uids = [None] * jobs if unsafe_no_sandbox else job_uids(limits, jobs)
        # workers fork from a server process that imported the grader once (for the life of
        # this process): a plain fork would copy the grader's threads and sockets, a spawn would
        # import everything again for every worker of every pool
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["tools.grading.grade"])
        slots = context.Queue()
        for uid in uids:
            slots.put(uid)
        self.config = copy.deepcopy(config)
        for name in ("pool", "report_path"):  # the workers' executors have none
            self.config.SandboxedExecute.pop(name, None)
        self.workers = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                                           initargs=(slots, self.config))
        # the first worker starts the fork server, which imports the grader: in the background,
        # while the grading process generates the release
        self.starting = threading.Thread(target=lambda: [self.workers.submit(int) for _ in range(jobs)])
        self.starting.start()
        self.snapshot = self.copied = None
        self.pending, self.taken = {}, 0

    def submit(self, student: str, assignment: str, folder, cwd) -> None:
        """Execute this submission ahead (see the module docstring). The first call takes the
        snapshot of the gradebook: call it once the assignments are released."""
        if self.snapshot is None:
            self.snapshot = self._snapshot(self.config.CourseDirectory.db_url)
        cwd = str(Path(cwd).resolve())
        try:
            self.pending[cwd] = self.workers.submit(_execute_ahead, self.snapshot, student, assignment,
                                                    str(folder), cwd)
        except BrokenProcessPool:  # a worker died: the grading process executes the rest itself
            pass

    def _snapshot(self, db_url: str) -> str:
        """The URL of a copy of an SQLite gradebook (the workers then never touch the one the
        grading process writes); a database server's URL as it is: it serves readers and a
        writer at once."""
        url = sqlalchemy.engine.make_url(db_url)
        if url.get_backend_name() != "sqlite":
            return db_url
        self.copied = Path(tempfile.mkdtemp(prefix="coursekit-gradebook-"))
        with contextlib.closing(sqlite3.connect(url.database)) as source, \
                contextlib.closing(sqlite3.connect(self.copied / "gradebook.db")) as copy_:
            source.backup(copy_)  # a consistent copy, also of what is still in the log
        return f"sqlite:///{self.copied / 'gradebook.db'}"

    def take(self, executor, nb, cwd):
        """(executed notebook, record) for ``executor`` about to execute ``nb`` in ``cwd``, or None."""
        future = self.pending.pop(str(Path(cwd).resolve()), None)
        if future is None:
            return None
        try:
            digest, identity, executed, record = future.result()
        except Exception as exc:  # the executor in the grading process meets the error itself
            executor.log.warning("a worker could not execute %s ahead: %s", cwd, exc)
            return None
        if digest != notebook_digest(nb) or identity != executor.identity(cwd, cwd):
            return None
        self.taken += 1
        return executed, record

    def map(self, function, items):
        """``function(config, *item)`` for each item, computed in the workers (here, once they
        have died), yielded in order; ``config`` is the grading configuration without the pool."""
        futures = []
        for item in items:
            try:
                futures.append((self.workers.submit(_with_config, function, *item), item))
            except BrokenProcessPool:
                futures.append((None, item))
        for future, item in futures:
            try:
                if future is not None:
                    yield future.result()
                    continue
            except BrokenProcessPool:
                pass
            yield function(self.config, *item)

    def close(self) -> None:
        self.starting.join()
        for future in self.pending.values():
            future.cancel()
        self.workers.shutdown(wait=True, cancel_futures=True)
        if self.copied is not None:
            shutil.rmtree(self.copied, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __deepcopy__(self, memo):
        # traitlets deep-copies config values into each executor; they must share this pool
        return self

