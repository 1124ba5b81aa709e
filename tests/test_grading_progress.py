"""The progress lines of a class run: done of total, the rate, the time left (hand-computed)."""
import pytest

from tools.grading.progress import Progress, duration


def test_rate_and_time_left_follow_from_the_steps_done_and_the_clock():
    now = [100.0]
    lines = []
    progress = Progress(10, lines.append, clock=lambda: now[0])
    now[0] = 104.0  # 1 step in 4 s: 0.25 per s, 9 left -> 36 s
    progress.step("ada / 06_optimizers")
    now[0] = 110.0  # 2 steps in 10 s: 0.2 per s, 8 left -> 40 s
    progress.step("bo / 06_optimizers")
    assert lines == ["[1/10] graded ada / 06_optimizers · 0.25 per s · about 0 min 36 s left",
                     "[2/10] graded bo / 06_optimizers · 0.20 per s · about 0 min 40 s left"]


@pytest.mark.parametrize("seconds, text", [(0, "0 min 0 s"), (59.6, "1 min 0 s"), (754, "12 min 34 s"),
                                           (3600 * 2 + 5 * 60 + 29, "2 h 5 min")])
def test_durations_read_as_minutes_and_seconds_or_hours_and_minutes(seconds, text):
    assert duration(seconds) == text


@pytest.mark.parametrize("total, error", [(-1, ValueError), (2.5, TypeError), ("3", TypeError)])
def test_a_total_that_is_not_a_count_is_refused_naming_it(total, error):
    with pytest.raises(error, match="total"):
        Progress(total, print)
