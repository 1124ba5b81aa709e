"""Validation at the boundary: every message names the argument and the value received.

Used by every public entry point of coursekit so that a student's mistake surfaces as one
readable sentence instead of a NumPy traceback from deep inside a matrix product.
"""
from __future__ import annotations

import contextvars
import numbers
from contextlib import contextmanager

import numpy as np

# fit() checks its data once, at the boundary; without this switch every layer and loss would
# scan every minibatch (and every hidden activation) for NaN again, each step. A NaN that
# training itself produces still shows in the epoch's mean loss, which fit checks.
_scan_for_nonfinite = contextvars.ContextVar("scan_for_nonfinite", default=True)


@contextmanager
def data_already_checked():
    """Within this block ``float_array`` skips its NaN/infinity scan (used by ``fit`` only)."""
    token = _scan_for_nonfinite.set(False)
    try:
        yield
    finally:
        _scan_for_nonfinite.reset(token)


def _describe(value) -> str:
    """A short description of ``value`` for an error message (arrays by shape and dtype)."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` if it is a ``numpy.random.Generator``; an int seeds a new one.

    Anything else (``None``, the legacy ``RandomState``, a float) is refused: hidden global
    randomness is what makes two runs of the same notebook disagree.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be a numpy.random.Generator (e.g. np.random.default_rng(0)) or an int "
        f"seed, got {_describe(rng)}"
    )


def positive_int(value, name: str) -> int:
    """Check that ``value`` is an int >= 1 (a layer size, an epoch count, a batch size)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be a positive int, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


def finite_float(value, name: str, *, low=None, high=None, low_open=False, high_open=False) -> float:
    """Check that ``value`` is a finite real number in the given (closed unless *_open) range."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be in {bracket}{low}, {high if high is not None else 'inf'}{')' if high_open or high is None else ']'}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        bracket = ")" if high_open else "]"
        raise ValueError(f"{name} must be in {'(' if low_open else '['}{low if low is not None else '-inf'}, {high}{bracket}, got {value}")
    return value


def float_array(x, name: str, *, ndim: int | None = None, dtype=None) -> np.ndarray:
    """Return ``x`` as a finite floating-point array, converted to ``dtype`` if given.

    Integer and boolean input is accepted (XOR written as 0/1) and converted; strings, objects
    and complex numbers are refused, as are NaN and infinity (except inside
    :func:`data_already_checked`).
    """
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got {_describe(arr)}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got {_describe(arr)}")
    if _scan_for_nonfinite.get() and not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); got {_describe(arr)}")
    return arr


def float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """Check that ``dtype`` is float32 or float64, the two precisions coursekit supports."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be np.float32 or np.float64, got {_describe(dtype)}") from None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{name} must be np.float32 or np.float64, got {dt}")
    return dt
