"""The verdict of one check on plain values: ``None`` if it holds, else the feedback text.

One function, :func:`verdict`, used in the student's kernel (instant feedback while they work)
and by the grader's process on what a grading kernel reported (the only verdict that counts).
Both sides pass plain copies (:mod:`coursekit.checks.plain`), so no student object's
``__eq__``, ``__array__`` or arithmetic takes part in a comparison.
"""
from __future__ import annotations

import numpy as np

from .measures import Measure
from .plain import Network, Opaque


def show(value) -> str:
    """A compact, bounded description of a plain value for a feedback message."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=20, edgeitems=3)
        return f"{text} (shape {value.shape})" if value.ndim > 1 else text
    if isinstance(value, Opaque):
        return f"{value.text} of type {value.types[0].rsplit('.', 1)[-1]}"
    if isinstance(value, Network):
        return "a network of " + (", ".join(layer.kind for layer in value.layers) or "no layers")
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def message(what, expected, received, detail=None, hint=None) -> str:
    lines = [f"Checked: {what}", f"  expected: {expected}", f"  received: {received}"]
    if detail:
        lines.append(f"  {detail}")
    if hint:
        lines.append(f"  hint: {hint}")
    return "\n".join(lines)


def _numbers(value):
    """``(array, None)``, or ``(None, why)`` when ``value`` is not numbers."""
    if value is None:
        return None, "did the function forget to return its result?"
    if isinstance(value, (str, dict, Opaque, Network)):
        return None, None
    try:
        return np.array(value, dtype=np.float64), None
    except (TypeError, ValueError) as exc:
        return None, f"could not convert it to float: {type(exc).__name__}: {exc}"


def _not_numbers(what, value, why, hint, expected="an array of numbers"):
    received = "None" if value is None else f"{show(value)} of type {type(value).__name__}" \
        if not isinstance(value, Opaque) else show(value)
    return message(what, expected, received,
                   detail=why if why and value is not None else None,
                   hint=why if value is None else hint)


def _measured(what, value, measure: Measure | None, hint):
    """``(value, None)`` after the measure, or ``(None, feedback)`` when it cannot be taken."""
    if measure is None:
        return value, None
    try:
        return measure(value), None
    except Exception as exc:  # the student's result is not what the measure reads
        return None, message(what, f"a result to measure ({measure.describe()})", show(value),
                             detail=f"it could not be measured: {type(exc).__name__}: {exc}", hint=hint)


def close(what, received, expected, *, rtol, atol, measure=None, hint=None):
    """``|received - expected| <= atol + rtol |expected|`` entrywise, same shape, all finite."""
    value, failure = _measured(what, received, measure, hint)
    if failure:
        return failure
    expected = np.array(expected, dtype=np.float64)
    got, why = _numbers(value)
    if got is None:
        return _not_numbers(what, value, why, hint)
    label = f" ({measure.describe()} of your result)" if measure else ""
    if got.shape != expected.shape:
        return message(what, show(expected), show(got) + label,
                       detail=f"shapes differ: expected {expected.shape}, received {got.shape}", hint=hint)
    if not np.isfinite(got).all():
        return message(what, show(expected), show(got) + label, detail="the result contains NaN or infinity",
                       hint=hint)
    err = np.abs(got - expected)
    bad = err > atol + rtol * np.abs(expected)
    if not bad.any():
        return None
    where = ""
    if err.ndim:
        worst = np.unravel_index(int(np.argmax(np.where(bad, err, -1.0))), err.shape)
        where = f" at index {tuple(int(i) for i in worst)}"
    return message(what, show(expected), show(got) + label,
                   detail=f"{int(bad.sum())} of {bad.size} entries differ; largest difference "
                          f"{float(np.max(err)):.3g}{where} (tolerance rtol={rtol:g}, atol={atol:g})", hint=hint)


def at_least(what, received, minimum, *, measure=None, hint=None):
    """A single number ``>= minimum``."""
    value, failure = _measured(what, received, measure, hint)
    if failure:
        return failure
    got, why = _numbers(value)
    if got is None or got.size != 1 or not np.isfinite(got).all():
        return _not_numbers(what, value, why, hint, expected=f"one number >= {minimum:g}")
    if float(got.reshape(())) >= float(minimum):
        return None
    label = f" ({measure.describe()} of your result)" if measure else ""
    return message(what, f">= {minimum:g}", f"{float(got.reshape(())):.4g}{label}", hint=hint)


def _same(received, expected) -> bool:
    """Exact equality of plain ints, bools, strings and lists or tuples of them; types must match."""
    if isinstance(expected, (list, tuple)):
        return isinstance(received, (list, tuple)) and len(received) == len(expected) \
            and all(_same(r, e) for r, e in zip(received, expected))
    return type(received) is type(expected) and received == expected


def equal(what, received, expected, *, hint=None):
    if _same(received, expected):
        return None
    if type(received) is not type(expected) and not isinstance(expected, (list, tuple)):
        return message(what, f"{expected!r} ({type(expected).__name__})",
                       f"{show(received)} of type {type(received).__name__}", hint=hint)
    return message(what, show(expected), show(received), hint=hint)


def shape(what, received, expected, *, hint=None):
    got, why = _numbers(received)
    if got is None:
        return _not_numbers(what, received, why, hint)
    if got.shape == tuple(expected):
        return None
    return message(what, f"an array of shape {tuple(expected)}", f"shape {got.shape}", hint=hint)


def instance(what, received, expected, *, hint=None):
    """``received`` and ``expected`` are type names (``plain.type_names``); one must be shared."""
    if set(received) & set(expected):
        return None
    names = " or ".join(name.rsplit(".", 1)[-1] for name in expected)
    return message(what, f"an instance of {names}", f"a {received[0].rsplit('.', 1)[-1] if received else '?'}",
                   hint=hint)


KINDS = {"close": close, "at_least": at_least, "equal": equal, "shape": shape, "type": instance}


def verdict(kind, what, received, expected, options) -> str | None:
    """The feedback text of a failed check of ``kind``, or None if it holds."""
    return KINDS[kind](what, received, expected, **options)
