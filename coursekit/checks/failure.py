"""How a failed check shows: the test cell's line and the message, in JupyterLab and in feedback.

The checker's own frames are hidden (``__tracebackhide__``, which IPython and pytest honour,
and :meth:`CheckFailed._render_traceback_`, IPython's hook for an exception's own traceback).
An error raised by the student's code is not a failed check and keeps its full traceback.
"""
from __future__ import annotations

import linecache
import traceback


class CheckFailed(AssertionError):
    """A check's verdict: what was checked, expected and received (the message)."""

    def _render_traceback_(self) -> list[str]:
        """IPython's traceback of this error: the line of each frame not marked hidden (ours and
        IPython's own are), then the message. A cell shows as ``Cell In[4], line 6``, a file by
        its name only, never its path."""
        lines = []
        for frame, lineno in traceback.walk_tb(self.__traceback__):
            if frame.f_locals.get("__tracebackhide__"):
                continue
            code = linecache.getline(frame.f_code.co_filename, lineno, frame.f_globals).strip()
            lines.append(f"{_place(frame.f_code.co_filename)}, line {lineno}\n----> {lineno} {code}")
        return [*lines, f"{type(self).__name__}: {self}"]


def _place(filename: str) -> str:
    """``Cell In[4]`` for a notebook cell (IPython's name for it), else the file's name."""
    try:
        from IPython import get_ipython  # noqa: PLC0415 (only where a kernel runs this)
        shell = get_ipython()
        name = shell.compile.format_code_name(filename) if shell is not None else None
    except (ImportError, AttributeError):
        name = None
    return " ".join(name) if name else filename.rsplit("/", 1)[-1]
