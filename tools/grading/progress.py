"""Progress of a class run: how many submissions are done of how many, the rate, the time left."""
from __future__ import annotations

import time


class Progress:
    """Logs ``[12/40] graded ada / 06_optimizers · 0.80 per s · about 35 s left`` at each step.

    ``total`` steps are expected; ``log`` takes one line; ``clock`` gives seconds (tests pass
    a fake one). The rate is the steps done over the time since the first ``step`` call's
    start (the object's creation).
    """

    def __init__(self, total: int, log, *, what: str = "graded", clock=time.monotonic):
        if not isinstance(total, int) or isinstance(total, bool):
            raise TypeError(f"total must be a count of steps (an int), got {total!r}")
        if total < 0:
            raise ValueError(f"total must be a count of steps (>= 0), got {total}")
        self.total, self.log, self.what, self.clock = total, log, what, clock
        self.done, self.start = 0, clock()

    def step(self, label: str) -> None:
        """One more step done (``label`` says which)."""
        self.done += 1
        elapsed = max(self.clock() - self.start, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate
        self.log(f"[{self.done}/{self.total}] {self.what} {label} · {rate:.2f} per s · "
                 f"about {duration(left)} left")


def duration(seconds: float) -> str:
    """``2 h 5 min`` or ``4 min 10 s``: a span of time as the report and the progress show it."""
    hours, rest = divmod(int(round(seconds)), 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"
