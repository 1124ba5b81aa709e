"""coursekit.practice: a lesson's ungraded checks say right, wrong (with the grading message) or
not answered yet, and never raise for a wrong answer."""
import numpy as np
import pytest

from coursekit.practice import check, check_all, unanswered


@pytest.mark.parametrize("value,expected", [(..., True), ((1.0, ...), True), ([np.ones(2), [...]], True),
                                            ({"a": 1, "b": ...}, True), (0.0, False), ((1, 2), False),
                                            (np.array([1.0]), False), ({"a": None}, False)])
def test_unanswered_finds_the_placeholder_anywhere(value, expected):
    assert unanswered(value) is expected


def test_right_answer(capsys):
    assert check("sigma'(0)", 0.25, 0.25) is True
    assert capsys.readouterr().out == "✔ sigma'(0): right.\n"


def test_wrong_answer_prints_the_grading_message_and_does_not_raise(capsys):
    assert check("sigma'(0)", 0.5, 0.25, hint="sigma (1 - sigma)") is False
    out = capsys.readouterr().out
    assert out.startswith("✘ Not yet.\nChecked: sigma'(0)\n  expected: 0.25\n  received: 0.5")
    assert "hint: sigma (1 - sigma)" in out


def test_placeholder_is_not_answered_not_wrong(capsys):
    assert check("delta", ..., [1.0, 2.0]) is False
    assert "not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize("received,expected,right", [(3, 3, True), (np.int64(3), 3, True), (3.0, 3, False),
                                                     (True, 3, False), ("he", "he", True), ("xavier", "he", False),
                                                     (np.array([0.1, 0.2]), [0.1, 0.2 + 1e-12], True),
                                                     (np.array([0.1, 0.2]), [0.1, 0.21], False)])
def test_exact_answers_are_compared_exactly_numbers_closely(received, expected, right, capsys):
    assert check("answer", received, expected) is right


def test_an_object_claiming_equality_is_not_right(capsys):
    class AlwaysEqual:
        def __eq__(self, other):
            return True
    assert check("count", AlwaysEqual(), 4) is False
    assert check("vector", AlwaysEqual(), [1.0, 2.0]) is False


def test_check_all_counts_and_needs_every_answer(capsys):
    expected = {"regions": 4, "slope": 0.5}
    assert check_all({"regions": 4, "slope": 0.5}, expected) is True
    assert capsys.readouterr().out.endswith("2 of 2 right\n")
    assert check_all({"regions": 4}, expected) is False           # a missing answer is not answered
    assert check_all({"regions": 5, "slope": 0.5}, expected) is False
    assert capsys.readouterr().out.endswith("1 of 2 right\n")


def test_check_all_rejects_unknown_names_and_non_dicts():
    with pytest.raises(ValueError, match="regoins"):
        check_all({"regoins": 4}, {"regions": 4})
    with pytest.raises(TypeError, match="dicts"):
        check_all([4], {"regions": 4})
    with pytest.raises(TypeError, match="what"):
        check(4, 4, 4)


def test_check_all_passes_its_tolerance_to_the_numeric_answers(capsys):
    assert check_all({"ratio": 0.5}, {"ratio": 0.503}) is False
    assert check_all({"ratio": 0.5}, {"ratio": 0.503}, rtol=0.02) is True
