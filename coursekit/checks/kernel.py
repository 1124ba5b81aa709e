"""What the checks send from a kernel during grading, and how a kernel withholds modules.

Two kernels take part in grading an assignment (tools/grading/verdict.py):

* the **trusted kernel** runs the solution notebook once, with ``COURSEKIT_CHECKS=record`` in
  its environment: every check compares as usual (the solution must pass its own tests) and
  publishes a *record* — what was checked, the expected value, tolerances, measure and hint;
* each **student kernel** (in the sandbox) runs the submission, with every test cell rewritten
  by the grader: the expected values and the code that computes them are gone, and each check
  call became a call of a :class:`Reporter`, which publishes a *report* — the student's result
  as plain data (:mod:`coursekit.checks.plain`), never a verdict.

The grader compares reports with records in its own process. Nothing published here is
trusted for anything but the value it carries.
"""
from __future__ import annotations

import importlib.abc
import os
import sys

from .plain import encode, plain, type_names

RECORD_MIME = "application/vnd.coursekit.check-record+json"
REPORT_MIME = "application/vnd.coursekit.check-report+json"
MODE_VARIABLE = "COURSEKIT_CHECKS"


def recording() -> bool:
    """True in the trusted kernel that records the expected values of a solution notebook."""
    return os.environ.get(MODE_VARIABLE) == "record"


def _publish(mime: str, payload: dict) -> None:
    from IPython.display import publish_display_data  # only in a kernel, only when grading
    publish_display_data({mime: payload})


def observed(kind: str, received):
    """What a check of ``kind`` looks at in ``received``: its type names for a type check."""
    return type_names(received) if kind == "type" else received


def record(kind: str, what: str, expected, options: dict, line: int) -> None:
    """Publish a check's expected value and settings, and the test cell's ``line`` that made it
    (trusted kernel only)."""
    options = dict(options)
    measure = options.pop("measure", None)
    _publish(RECORD_MIME, {
        "check": kind, "what": str(what), "line": line, "expected": encode(plain(expected)),
        "options": encode(plain(options)),
        "measure": None if measure is None else {"name": measure.name, "data": encode(plain(measure.data))}})


class Reporter:
    """Called by a rewritten test cell, in place of each check: sends the student's result.

    ``nonce`` is the grader's token for this execution of this cell; a report without it is
    not counted.
    """

    def __init__(self, nonce: str):
        self.nonce = nonce

    def __call__(self, kind: str, what, received) -> None:
        _publish(REPORT_MIME, {"nonce": self.nonce, "what": str(what),
                               "value": encode(plain(observed(kind, received)))})


# ----------------------------------------------------------------------- withheld modules

def withheld_message(module: str) -> str:
    return (f"{module} is not available in this assignment: the exercise asks you to write it "
            f"yourself (the grader does not have it either)")


class _Withheld(importlib.abc.MetaPathFinder):
    def __init__(self, modules):
        self.modules = tuple(modules)

    def find_spec(self, fullname, path=None, target=None):
        if any(fullname == m or fullname.startswith(m + ".") for m in self.modules):
            raise ImportError(withheld_message(fullname), name=fullname)
        return None


def withhold(*modules: str) -> None:
    """Make ``import <module>`` fail with a message saying the exercise asks for it.

    Called in an assignment's locked setup cell, e.g. ``withhold("coursekit.optim")`` in the
    optimizers assignment; the grader reads the call from the solution notebook and does not
    bind those modules into the grading sandbox at all (so no route in the kernel reaches
    them). In the trusted kernel it only records the names.
    """
    if recording():
        _publish(RECORD_MIME, {"withheld": list(modules)})
        return
    for name in modules:
        for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[loaded]
        parent, _, child = name.rpartition(".")
        if parent in sys.modules and hasattr(sys.modules[parent], child):
            delattr(sys.modules[parent], child)
    sys.meta_path.insert(0, _Withheld(modules))
