"""Checks for the graded test cells of the exercises (``solutions/`` -> ``exercises/``).

Every failed check raises ``CheckFailed`` (an ``AssertionError``) that says what was checked,
the expected value and the value received, so the student's feedback is something to act on,
not a bare ``AssertionError``.

Why the test cells import these functions afresh (``from coursekit.grading import check_close``)
in every locked cell instead of defining them once: a student can rebind any global name in
the notebook, so a test must not depend on a name the student's cells could have replaced.
The checks also never trust the student's objects: values are copied into plain float64
arrays first (an object whose ``__eq__`` always returns True compares as nothing here), and
the comparison is done on those copies.

A failed check shows only the test cell's line and the message, in JupyterLab and in feedback:
the checker's own frames are hidden (``__tracebackhide__``, which IPython and pytest honour, and
:meth:`CheckFailed._render_traceback_`, IPython's hook for an exception's own traceback). An
error raised by the student's code is not a failed check and keeps its full traceback.
"""
from __future__ import annotations

import linecache
import traceback

import numpy as np

__all__ = ["CheckFailed", "check_close", "check_equal", "check_shape", "check_true", "check_type"]


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


def _show(value) -> str:
    """A compact, bounded description of a value for a feedback message."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=20, edgeitems=3)
        return f"{text} (shape {value.shape})" if value.ndim > 1 else text
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _fail(what: str, expected: str, received: str, detail: str | None = None, hint: str | None = None):
    __tracebackhide__ = True
    lines = [f"Checked: {what}", f"  expected: {expected}", f"  received: {received}"]
    if detail:
        lines.append(f"  {detail}")
    if hint:
        lines.append(f"  hint: {hint}")
    raise CheckFailed("\n".join(lines))


def _as_floats(what: str, received) -> np.ndarray:
    """The student's value as a fresh, plain float64 array (never an ndarray subclass)."""
    __tracebackhide__ = True
    if received is None:
        _fail(what, "an array of numbers", "None", hint="did the function forget to return its result?")
    if isinstance(received, (str, bytes, dict, set)):
        _fail(what, "an array of numbers", f"{_show(received)} of type {type(received).__name__}")
    try:
        arr = np.array(received, dtype=np.float64, copy=True, subok=False)
    except Exception as exc:  # any failure to become numbers is the student's value's fault
        _fail(what, "an array of numbers", f"{_show(received)} of type {type(received).__name__}",
              detail=f"could not convert it to float: {type(exc).__name__}: {exc}")
    return arr


def check_close(what: str, received, expected, *, rtol: float = 1e-6, atol: float = 1e-9,
                hint: str | None = None) -> None:
    """Check that ``received`` is numerically ``expected`` (same shape, every entry close).

    ``|received - expected| <= atol + rtol |expected|`` entrywise, as ``np.allclose`` with the
    roles fixed (the expected value sets the scale). NaN or infinity in ``received`` fails.
    """
    __tracebackhide__ = True
    expected = np.array(expected, dtype=np.float64)
    got = _as_floats(what, received)
    if got.shape != expected.shape:
        _fail(what, f"{_show(expected)}", f"{_show(got)}",
              detail=f"shapes differ: expected {expected.shape}, received {got.shape}", hint=hint)
    if not np.isfinite(got).all():
        _fail(what, _show(expected), _show(got), detail="the result contains NaN or infinity", hint=hint)
    err = np.abs(got - expected)
    bad = err > atol + rtol * np.abs(expected)
    if bad.any():
        worst = np.unravel_index(int(np.argmax(np.where(bad, err, -1.0))), err.shape) if err.ndim else ()
        where = f" at index {tuple(int(i) for i in worst)}" if err.ndim else ""
        _fail(what, _show(expected), _show(got),
              detail=f"{int(bad.sum())} of {bad.size} entries differ; largest difference "
                     f"{float(np.max(err)):.3g}{where} (tolerance rtol={rtol:g}, atol={atol:g})",
              hint=hint)


def check_equal(what: str, received, expected, *, hint: str | None = None) -> None:
    """Check an exact int, bool or str result; the type must match the expected one too.

    ``bool`` and NumPy integer/bool scalars count as their Python counterparts, so
    ``np.int64(3)`` passes for ``3``; an object that merely claims equality does not.
    """
    __tracebackhide__ = True
    kinds = {bool: (bool, np.bool_), int: (int, np.integer), str: (str, np.str_)}
    allowed = kinds.get(type(expected), (type(expected),))
    if not isinstance(received, allowed) or (type(expected) is int and isinstance(received, (bool, np.bool_))):
        _fail(what, f"{expected!r} ({type(expected).__name__})",
              f"{_show(received)} of type {type(received).__name__}", hint=hint)
    value = type(expected)(received)  # a plain copy: its __eq__ is the built-in one
    if value != expected:
        _fail(what, repr(expected), repr(value), hint=hint)


def check_shape(what: str, received, shape: tuple, *, hint: str | None = None) -> None:
    """Check that ``received`` is an array of numbers with the given shape."""
    __tracebackhide__ = True
    got = _as_floats(what, received)
    if got.shape != tuple(shape):
        _fail(what, f"an array of shape {tuple(shape)}", f"shape {got.shape}", hint=hint)


def check_type(what: str, received, types, *, hint: str | None = None) -> None:
    """Check that ``received`` is an instance of ``types`` (a class or a tuple of classes)."""
    __tracebackhide__ = True
    types = types if isinstance(types, tuple) else (types,)
    if not isinstance(received, types):
        names = " or ".join(t.__name__ for t in types)
        _fail(what, f"an instance of {names}", f"{_show(received)} of type {type(received).__name__}",
              hint=hint)


def check_true(what: str, condition, *, expected: str, received: str, hint: str | None = None) -> None:
    """Check a condition computed by the test itself (``condition`` must be a real ``bool``)."""
    __tracebackhide__ = True
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(f"check_true needs a bool condition, got {type(condition).__name__}")
    if not bool(condition):
        _fail(what, expected, received, hint=hint)
