"""coursekit.grading: the checks of the exercises' test cells say what was checked, the expected
value and the value received, and cannot be fooled by the student's objects."""
from __future__ import annotations

import numpy as np
import pytest

from coursekit.grading import check_close, check_equal, check_shape, check_true, check_type


class AlwaysEqual:
    """A cheat: compares equal to everything."""

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class LyingArray(np.ndarray):
    """A cheat: an array whose arithmetic claims every difference is zero."""

    def __sub__(self, other):
        return np.zeros(np.shape(self))

    def __abs__(self):
        return np.zeros(np.shape(self))


def _message(check, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        check(*args, **kwargs)
    return str(info.value)


def test_a_failed_check_names_what_was_checked_the_expected_and_the_received_value():
    text = _message(check_close, "perceptron_update(w=0, x=(1, 2), y=+1, lr=0.5)", [-0.5, -1.0], [0.5, 1.0])
    lines = text.splitlines()
    assert lines[0] == "Checked: perceptron_update(w=0, x=(1, 2), y=+1, lr=0.5)"
    assert lines[1] == "  expected: [0.5 1. ]" and lines[2] == "  received: [-0.5 -1. ]"
    assert "2 of 2 entries differ; largest difference 2" in lines[3]


@pytest.mark.parametrize("received,fragment", [
    (None, "did the function forget to return"),
    ("0.5", "of type str"),
    ([0.5, 1.0, 2.0], "shapes differ: expected (2,), received (3,)"),
    ([np.nan, 1.0], "NaN or infinity"),
    (AlwaysEqual(), "could not convert it to float"),
])
def test_wrong_kinds_of_results_fail_with_a_reason(received, fragment):
    assert fragment in _message(check_close, "x", received, [0.5, 1.0])


def test_an_array_subclass_cannot_lie_about_its_differences():
    lying = np.array([9.0, 9.0]).view(LyingArray)
    assert "received: [9. 9.]" in _message(check_close, "x", lying, [0.5, 1.0])


@pytest.mark.parametrize("received", [np.array([0.5, 1.0]), [0.5, 1.0], (0.5, 1.0 + 1e-12)])
def test_correct_results_pass(received):
    check_close("x", received, [0.5, 1.0])


def test_check_equal_wants_the_exact_value_and_type():
    check_equal("count", np.int64(9), 9)
    assert "received: 9.0 of type float" in _message(check_equal, "count", 9.0, 9)
    assert "received: True of type bool" in _message(check_equal, "count", True, 1)
    assert "of type AlwaysEqual" in _message(check_equal, "count", AlwaysEqual(), 9)
    assert "expected: 9\n  received: 8" in _message(check_equal, "count", 8, 9)


def test_check_type_shape_and_true():
    check_type("model", 1.0, float)
    assert "an instance of int" in _message(check_type, "model", 1.0, int)
    assert "shape (2, 3)" in _message(check_shape, "W", np.zeros((3, 2)), (2, 3))
    assert "hint: train longer" in _message(check_true, "accuracy >= 0.9", False, expected=">= 0.9",
                                           received="0.5", hint="train longer")
    with pytest.raises(TypeError):
        check_true("truthy object", AlwaysEqual(), expected="", received="")
