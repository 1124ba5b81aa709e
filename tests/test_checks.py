"""coursekit.checks: the checks of the exercises' test cells say what was checked, the expected
value and the value received; they judge plain copies of the student's results, never the
student's objects; what a grading kernel sends is read back safely."""
from __future__ import annotations

import base64
import os
import subprocess
import sys

import numpy as np
import pytest

from coursekit.checks import (check_at_least, check_close, check_equal, check_shape, check_type,
                              classification_accuracy, fraction_of_zeros, hidden_gap, largest_gap,
                              misclassified, nonzero_values, relu_network_output)
from coursekit.checks.plain import Network, Opaque, decode, encode, plain
from coursekit.mlp import MLP


class AlwaysEqual:
    """A cheat: compares equal to everything."""

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class LyingFloat(float):
    """A cheat: a float that claims to equal everything and to be close to anything."""

    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0.0

    __hash__ = float.__hash__


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
    (AlwaysEqual(), "of type AlwaysEqual"),
    (FloatingPointError("overflow"), "of type FloatingPointError"),
])
def test_wrong_kinds_of_results_fail_with_a_reason(received, fragment):
    assert fragment in _message(check_close, "x", received, [0.5, 1.0])


@pytest.mark.parametrize("lying", [np.array([9.0, 9.0]).view(LyingArray), [LyingFloat(9.0), LyingFloat(9.0)]])
def test_a_result_cannot_lie_about_its_value(lying):
    assert "received: [9. 9.]" in _message(check_close, "x", lying, [0.5, 1.0])
    assert "9" in _message(check_equal, "x", [LyingFloat(9.0)], [0.5])


@pytest.mark.parametrize("received", [np.array([0.5, 1.0]), [0.5, 1.0], (0.5, 1.0 + 1e-12)])
def test_correct_results_pass(received):
    check_close("x", received, [0.5, 1.0])


def test_check_equal_wants_the_exact_value_and_type():
    check_equal("count", np.int64(9), 9)
    check_equal("keys", ["W1", "b1"], ["W1", "b1"])
    assert "received: 9.0 of type float" in _message(check_equal, "count", 9.0, 9)
    assert "received: True of type bool" in _message(check_equal, "count", True, 1)
    assert "of type AlwaysEqual" in _message(check_equal, "count", AlwaysEqual(), 9)
    assert "expected: 9\n  received: 8" in _message(check_equal, "count", 8, 9)
    assert "received: ['W1']" in _message(check_equal, "keys", ["W1"], ["W1", "b1"])


def test_check_type_shape_and_at_least():
    check_type("model", 1.0, float)
    check_type("model", MLP([2, 1], rng=0), MLP)
    assert "an instance of int" in _message(check_type, "model", 1.0, int)
    assert "shape (2, 3)" in _message(check_shape, "W", np.zeros((3, 2)), (2, 3))
    check_at_least("accuracy", 0.95, 0.9)
    assert "hint: train longer" in _message(check_at_least, "accuracy", 0.5, 0.9, hint="train longer")
    assert "expected: one number >= 0.9" in _message(check_at_least, "accuracy", AlwaysEqual(), 0.9)


# -- measures: each states a fact derived by hand --------------------------------------------
X_AND = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y_AND = np.array([-1, -1, -1, 1])
XOR_NET = (np.ones((2, 2)), np.array([0.0, -1.0]), np.array([1.0, -2.0]), 0.0)  # deck 001's weights


@pytest.mark.parametrize("w,wrong", [([-1.5, 1.0, 1.0], 0), ([0.0, 0.0, 0.0], 4), ([-0.5, 1.0, 1.0], 2)])
def test_misclassified_counts_points_on_the_wrong_side_or_on_the_line(w, wrong):
    # w = 0 puts every point on the line; x1 + x2 = 0.5 misclassifies (0, 1) and (1, 0)
    assert misclassified(X_AND, Y_AND)(w) == wrong


def test_the_xor_measures():
    check_close("XOR", XOR_NET, [0.0, 1.0, 1.0, 0.0], measure=relu_network_output(X_AND))
    check_close("same hidden code", XOR_NET, 0.0, measure=hidden_gap(X_AND[1:3]))
    wrong = (np.eye(2), np.zeros(2), np.array([1.0, 1.0]), 0.0)  # outputs x1 + x2: 0, 1, 1, 2
    assert "received: [0. 1. 1. 2.] (relu network output of your result)" in \
        _message(check_close, "XOR", wrong, [0.0, 1.0, 1.0, 0.0], measure=relu_network_output(X_AND))


def test_dropout_measures():
    out = np.array([[0.0, 1.25], [1.25, 1.25]])
    assert fraction_of_zeros()(out) == 0.25 and list(nonzero_values()(out)) == [1.25]
    assert largest_gap(scale=2.0)((np.array([2.0, 4.0]), np.array([1.0, 1.5]))) == 1.0
    assert "could not be measured" in _message(check_close, "gap", (np.ones(2), np.ones(3)), 0.0,
                                               measure=largest_gap())


def test_classification_accuracy_of_a_network_by_hand():
    net = MLP([2, 2], rng=0)  # one Linear layer: logits = x W + b
    net.layers[0].W.data[...] = [[1.0, 0.0], [0.0, 1.0]]
    X = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 4.0], [1.0, 2.0]])
    # argmax of each row: 0, 1, 0, 1; labels 0, 1, 1, 1 -> 3 of 4
    check_close("accuracy", net, 0.75, measure=classification_accuracy(X, np.array([0, 1, 1, 1])))
    assert "not a coursekit network" in _message(check_at_least, "accuracy", [1.0], 0.5,
                                                 measure=classification_accuracy(X, np.zeros(4)))


def test_a_measure_must_come_from_the_measures_module():
    with pytest.raises(TypeError, match="measure must come from coursekit.checks.measures"):
        check_close("x", 1.0, 1.0, measure=lambda v: v)


# -- plain copies and the wire --------------------------------------------------------------
@pytest.mark.parametrize("value", [None, True, 3, -2**70, 0.1, float("nan"), "text", np.arange(6.0).reshape(2, 3),
                                   np.array([True, False]), [1, (2.0, "a")], {"W1": np.ones(2), 3: None}])
def test_plain_values_survive_the_wire(value):
    back = decode(encode(plain(value)))
    if isinstance(value, float) and np.isnan(value):
        assert np.isnan(back)
    elif isinstance(value, dict):
        assert set(back) == set(value) and np.array_equal(back["W1"], value["W1"])
    elif isinstance(value, np.ndarray):
        assert type(back) is np.ndarray and back.dtype == value.dtype and np.array_equal(back, value)
    else:
        assert back == value and type(back) is type(value)


def test_plain_copies_are_built_in_types():
    assert type(plain(LyingFloat(2.0))) is float and type(plain(np.zeros(2).view(LyingArray))) is np.ndarray
    assert isinstance(plain(AlwaysEqual()), Opaque)
    network = plain(MLP([2, 3, 1], rng=0))
    assert isinstance(network, Network) and [layer.kind for layer in network.layers] == ["Linear", "ReLU", "Linear"]


@pytest.mark.parametrize("data", [
    {"t": "array", "dtype": "|O", "shape": [1], "data": base64.b64encode(b"\0" * 8).decode()},   # object pointers
    {"t": "array", "dtype": "<f8", "shape": [3], "data": base64.b64encode(b"\0" * 8).decode()},  # short data
    {"t": "array", "dtype": "<f8", "shape": [-1], "data": ""},
    {"t": "pickle", "v": "..."},
    {"t": "dict", "v": [[{"t": "list", "v": []}, {"t": "none"}]]},  # an unhashable key
    "not a dict",
])
def test_malformed_or_hostile_reports_are_refused(data):
    with pytest.raises((ValueError, TypeError)):
        decode(data)


def test_deeply_nested_reports_are_refused():
    data = {"t": "none"}
    for _ in range(40):
        data = {"t": "list", "v": [data]}
    with pytest.raises(ValueError):
        decode(data)


# -- withheld modules (the student's own copy; in grading the sandbox hides the files too) --
@pytest.mark.parametrize("route", ["import coursekit.optim", "from coursekit.optim import Adam",
                                   "import coursekit; coursekit.Adam", "import importlib; importlib.import_module('coursekit.optim')"])
def test_a_withheld_module_says_the_exercise_asks_for_it(route):
    code = f"from coursekit.checks import withhold\nwithhold('coursekit.optim')\n{route}"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1 and "ImportError: coursekit.optim is not available in this assignment: " \
        "the exercise asks you to write it yourself" in run.stderr, run.stderr


def test_the_trusted_kernel_records_what_is_withheld_and_keeps_it():
    code = ("from coursekit.checks import withhold\nwithhold('coursekit.optim')\n"
            "from coursekit.optim import Adam\nprint(Adam.__name__)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "COURSEKIT_CHECKS": "record"})
    assert run.returncode == 0 and run.stdout.strip().endswith("Adam"), run.stderr
