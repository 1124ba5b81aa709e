"""The checks of the exercises' test cells (``solutions/`` -> ``exercises/``).

A failed check says what was checked, the expected value and the value received (and a hint),
so a student has something to act on. While a student works, a check compares in their kernel
and raises :class:`CheckFailed` (an ``AssertionError`` shown as the test cell's line and the
message, :mod:`coursekit.checks.failure`) at once. During grading nothing in the student's kernel decides:
the grader rewrites each test cell so that it only *reports* the student's results, and
compares them in its own process with expected values recorded from the solution notebook in a
trusted kernel (``tools/grading/verdict.py``; README, "What the grader guarantees").

How to write a test cell (the grader relies on every point)
-----------------------------------------------------------
1. Import the checks in the cell itself: ``from coursekit.checks import check_close``.
2. Every check is a statement of its own: ``check_close(what, received, expected, ...)``.
   ``what`` says what is checked (an f-string is fine); ``received`` is the student's result —
   the return value of their function, or a part of it (``grads["W1"]``, ``out[mask != 0]``);
   everything after it (expected value, tolerances, ``measure=``, ``hint=``) is the grader's and
   never reaches a grading kernel.
3. Compute expected values only in the check's arguments or in statements that the received
   values do not need (a reference optimizer stepped beside the student's, finite
   differences). The grader keeps only the statements the ``what`` and ``received`` arguments
   need; the rest runs only in the trusted kernel, so it may use modules the assignment
   withholds.
4. Check results, not verdicts: a property (a separating ``w``, a dropout rate, an accuracy) is
   a ``measure=`` (:mod:`coursekit.checks.measures`) applied to the raw result, never a bool or
   a statistic computed in the cell — a grading kernel could compute those to order.
5. An expected value must not depend on the student's results, and the correct result must be
   unique up to the tolerance (the expected values are the solution's). Where several answers
   are right (any dropout mask), check a measure that all of them share.
6. Give a test cell at least one hidden check (``### BEGIN HIDDEN TESTS``) wherever its public
   answers could be hard-coded: hidden expected values are the ones no student has seen.
7. ``withhold("coursekit.optim")`` in the locked setup cell withholds the modules the
   assignment asks the student to write (:func:`coursekit.checks.kernel.withhold`).

The checks
----------
``check_close``  numbers or arrays within a tolerance (optionally of a measure)
``check_at_least``  one number (optionally a measure) at least a minimum
``check_equal``  exact ints, bools, strings, or lists of them
``check_shape``  an array's shape
``check_type``  an instance of a class (by the class's qualified name)
"""
from __future__ import annotations

import sys

from . import compare
from .failure import CheckFailed
from .kernel import observed, record, recording, withhold
from .measures import (Measure, classification_accuracy, fraction_of_zeros, hidden_gap, largest_gap,
                       misclassified, nonzero_values, relu_network_output)
from .plain import plain, type_names

__all__ = ["CheckFailed", "check_close", "check_at_least", "check_equal", "check_shape", "check_type", "withhold",
           "fraction_of_zeros", "nonzero_values", "largest_gap", "misclassified", "relu_network_output",
           "hidden_gap", "classification_accuracy"]
CHECKS = ("check_close", "check_at_least", "check_equal", "check_shape", "check_type")


def _check(kind: str, what, received, expected, options: dict) -> None:
    __tracebackhide__ = True  # the student's feedback ends at their test, not in this module
    measure = options.get("measure")
    if measure is not None and not isinstance(measure, Measure):
        raise TypeError(f"measure must come from coursekit.checks.measures, got {measure!r}")
    failure = compare.verdict(kind, str(what), plain(observed(kind, received)), plain(expected), options)
    if recording():
        if failure:
            raise CheckFailed("the reference solution fails its own check:\n" + failure)
        record(kind, what, expected, options, line=sys._getframe(2).f_lineno)
    elif failure:
        raise CheckFailed(failure)


def check_close(what: str, received, expected, *, rtol: float = 1e-6, atol: float = 1e-9,
                measure: Measure | None = None, hint: str | None = None) -> None:
    """Check that ``received`` (or ``measure`` of it) is numerically ``expected``.

    ``|received - expected| <= atol + rtol |expected|`` entrywise, as ``np.allclose`` with the
    roles fixed (the expected value sets the scale); shapes must agree; NaN or infinity fails.
    """
    __tracebackhide__ = True
    _check("close", what, received, expected, {"rtol": rtol, "atol": atol, "measure": measure, "hint": hint})


def check_at_least(what: str, received, minimum: float, *, measure: Measure | None = None,
                   hint: str | None = None) -> None:
    """Check that ``received`` (or ``measure`` of it) is one finite number ``>= minimum``."""
    __tracebackhide__ = True
    _check("at_least", what, received, float(minimum), {"measure": measure, "hint": hint})


def check_equal(what: str, received, expected, *, hint: str | None = None) -> None:
    """Check an exact int, bool or str result (or a list of them); types must match too.

    NumPy integer and bool scalars count as their Python counterparts, so ``np.int64(3)``
    passes for ``3``; ``True`` does not pass for ``1``, nor ``3.0`` for ``3``.
    """
    __tracebackhide__ = True
    _check("equal", what, received, expected, {"hint": hint})


def check_shape(what: str, received, shape: tuple, *, hint: str | None = None) -> None:
    """Check that ``received`` is an array of numbers with the given shape."""
    __tracebackhide__ = True
    _check("shape", what, received, tuple(shape), {"hint": hint})


def check_type(what: str, received, types, *, hint: str | None = None) -> None:
    """Check that ``received`` is an instance of ``types`` (a class or a tuple of classes)."""
    __tracebackhide__ = True
    types = types if isinstance(types, tuple) else (types,)
    _check("type", what, received, tuple(type_names(t)[0] for t in types), {"hint": hint})
