"""Ungraded checks for the lessons' "your turn" cells and check-yourself questions.

A lesson asks for a few lines (``answer = ...``) and checks them at once with
:mod:`coursekit.checks`'s checks. Instead of raising, a check prints the grading message (what
was checked, the expected value, the value received), so *Run all* carries on and nothing is
scored. An answer still ``...`` (Python's ``Ellipsis``, the placeholder the lessons ship with) is
reported as not answered yet.

Each task is followed by a collapsed solution cell that puts the reference answer through the
same check and asserts that it passes: nbval runs the lessons with the reference answers, so a
task whose solution and check disagree fails ``make test``::

    answer = ...                                     # the student's cell
    check("dJ/dz at the output", answer, expected)   # prints ✔, ✘ and why, or "not answered yet"
"""
from __future__ import annotations

import numbers

from .checks import check_close, check_equal

__all__ = ["check", "check_all", "unanswered"]


def unanswered(value) -> bool:
    """True if ``value`` is ``...`` or a tuple, list or dict holding ``...`` anywhere."""
    if value is Ellipsis:
        return True
    if isinstance(value, (tuple, list)):
        return any(unanswered(v) for v in value)
    if isinstance(value, dict):
        return any(unanswered(v) for v in value.values())
    return False


def check(what: str, received, expected, *, rtol: float = 1e-6, atol: float = 1e-9,
          hint: str | None = None) -> bool:
    """Check one answer, print the verdict, and return whether it is right.

    An exact ``expected`` (``bool``, ``int`` or ``str``) is compared with
    :func:`coursekit.checks.check_equal`, anything else numerically with
    :func:`coursekit.checks.check_close` (``rtol``, ``atol``).
    """
    if not isinstance(what, str):
        raise TypeError(f"what must be a str naming the answer, got {type(what).__name__}")
    if unanswered(received):
        print(f"… {what}: not answered yet — replace the ... and run the cell again "
              "(the solution is one click away, in the collapsed cell below).")
        return False
    try:
        if isinstance(expected, (bool, str)) or (isinstance(expected, numbers.Integral)
                                                and not hasattr(expected, "shape")):
            check_equal(what, received, expected, hint=hint)
        else:
            check_close(what, received, expected, rtol=rtol, atol=atol, hint=hint)
    except AssertionError as wrong:
        print(f"✘ Not yet.\n{wrong}")
        return False
    print(f"✔ {what}: right.")
    return True


def check_all(answers: dict, expected: dict, *, hints: dict | None = None, rtol: float = 1e-6,
              atol: float = 1e-9) -> bool:
    """Check every answer named in ``expected``; print one verdict each and a count.

    ``answers`` maps the same names to the student's values (a missing name counts as not
    answered); ``rtol`` and ``atol`` apply to the numeric ones (see :func:`check`). Returns True
    only if every answer is right.
    """
    if not isinstance(answers, dict) or not isinstance(expected, dict):
        raise TypeError(f"answers and expected must be dicts, got {type(answers).__name__} "
                        f"and {type(expected).__name__}")
    extra = set(answers) - set(expected)
    if extra:
        raise ValueError(f"answers has names no question asks: {sorted(extra)}; "
                         f"expected one of {sorted(expected)}")
    hints = hints or {}
    right = [check(what, answers.get(what, ...), value, hint=hints.get(what), rtol=rtol, atol=atol)
             for what, value in expected.items()]
    print(f"{sum(right)} of {len(right)} right")
    return all(right)
