"""Latency of every explorer: from a control's change to the figure fully redrawn, in the kernel.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/explorer_latency.py [name ...]``

What a student waits for after moving a slider, as ipympl runs it (issue 13). Each explorer
draws into an ipympl canvas whose browser view is up, and a change runs the real handler:

* callback — ``update``: ``compute`` (the experiments layer) and ``draw`` (new data written
  into the artists);
* frame — the rest of the handler: :meth:`Explorer.render` (the layer blitted over the kept
  background, into which an axes whose limits moved is redrawn first; or the whole figure) and
  the PNG of the changed pixels ipympl sends;
* redraw — what follows the handler in a kernel: pyplot's hook after every message calls
  ``draw_idle`` on a figure left stale, and ipympl's browser then asks for a full draw and a
  second frame (``canvas.draw()``, timed here); 0 when the handler left the figure up to date;
* total — callback + frame + redraw; cpu — the processor time of the same (``thread_time``):
  on a machine whose other processes take the cores (load above the core count), total grows
  with the load and cpu says what the change costs on a core of its own;
* full ms — for comparison in the same run, the same frame rendered whole (no kept background).

Each live control is moved to its min, its default and its max, each time from the value one
step away (``REPEATS`` times, median). Budget: total <= 40 ms; a row over it says by how much
and what the frame drew: a second redraw, the whole figure, the axes whose limits moved (redrawn
into the kept background) and the layer, or only the layer (the changed artists and what is painted
above them) over the kept background. Controls that train (on release) are listed with the
training time at the defaults (budget 1.5 s). The machine's load is printed with the table,
since timings on a shared machine move with it. Always exits 0.
"""
import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MPLBACKEND"] = "Agg"

import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

with warnings.catch_warnings():  # ipympl's Toolbar passes traitlets an argument it deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    from ipympl.backend_nbagg import Canvas, FigureManager  # noqa: E402
matplotlib.use("Agg")  # importing ipympl switched the backend; the explorers make bare figures

from coursekit.explore import EXPLORERS, explorer_class  # noqa: E402

BUDGET_MS = 40.0
TRAIN_BUDGET_S = 1.5
REPEATS = 5


def neighbour(control, value):
    """A value next to ``value`` on the control (so that moving back to ``value`` is a change)."""
    grid = control.grid()
    i = min(range(len(grid)), key=lambda j: abs(grid[j] - value) if isinstance(value, (int, float)) and
            not isinstance(value, bool) else (0 if grid[j] is value or grid[j] == value else 1))
    return grid[i + 1] if i + 1 < len(grid) else grid[i - 1]


def attach_view(explorer) -> list:
    """An ipympl canvas for the explorer's figure, as it is once the browser's view is up; returns
    the list the frames it sends are appended to (their sizes in bytes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        canvas = Canvas(explorer.fig)
        FigureManager(canvas, 0)
    canvas.syncing_data_url = False  # what the browser's 'initialized' message sets
    frames = []
    canvas.send_binary = lambda data: frames.append(len(data))
    canvas.send_event = lambda event_type, **kwargs: None  # no browser to tell
    explorer.invalidate()
    explorer.refresh()
    return frames


class Timed:
    """Wraps an explorer's method on the instance (the handler looks it up there): ``calls``
    collects (ms, return value) of each call."""

    def __init__(self, explorer, name):
        self.explorer, self.name, self.method, self.calls = explorer, name, getattr(explorer, name), []

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        value = self.method(*args, **kwargs)
        self.calls.append((1e3 * (time.perf_counter() - start), value))
        return value

    def __enter__(self):
        setattr(self.explorer, self.name, self)
        return self

    def __exit__(self, *exc):
        delattr(self.explorer, self.name)


def timed_change(explorer, name, value, frames):
    """(callback ms, frame ms, redraw ms, cpu ms, full frame?, frames sent, axes redrawn under the
    layer) of one change of control ``name`` to ``value``, as the kernel runs it under ipympl."""
    sent, kept = len(frames), explorer._background[0]
    with Timed(explorer, "update") as update, Timed(explorer, "render") as render:
        start, cpu = time.perf_counter(), time.thread_time()
        explorer.controls[name].value = value  # the handler: update, render, the frame sent
        middle = time.perf_counter()
        if explorer.fig.stale:  # pyplot's hook -> draw_idle -> the browser asks for a full draw
            explorer.fig.canvas.draw()
        end, cpu = time.perf_counter(), time.thread_time() - cpu
    callback = update.calls[0][0]
    full = not render.calls[0][1]
    moved = 0 if full else sum(old != new for old, new in zip(kept[1:], explorer._background[0][1:]))
    return callback, 1e3 * (middle - start) - callback, 1e3 * (end - middle), 1e3 * cpu, full, len(frames) - sent, moved


def full_redraw_ms(explorer) -> float:
    canvas, samples = explorer.fig.canvas, []
    for _ in range(3):
        explorer.invalidate()
        start = time.perf_counter()
        explorer.render()
        canvas.blit()  # ipympl: the PNG of the changed pixels, sent
        samples.append(1e3 * (time.perf_counter() - start))
    return statistics.median(samples)


def time_control(explorer, control, frames):
    rows = []
    for at, value in zip(("min", "default", "max"), control.sweep()):
        samples = []
        for _ in range(REPEATS):
            explorer.controls[control.name].value = neighbour(control, value)
            samples.append(timed_change(explorer, control.name, value, frames))
        callback, frame, redraw, cpu = (statistics.median(s[i] for s in samples) for i in range(4))
        full = sum(s[4] for s in samples) > REPEATS // 2
        sent, moved = (statistics.median(s[i] for s in samples) for i in (5, 6))
        rows.append((at, callback, frame, redraw, cpu, full, sent, moved, full_redraw_ms(explorer)))
    explorer.set(**{control.name: control.default})
    return rows


def verdict(total, full, sent, moved, layer):
    if total <= BUDGET_MS:
        return "ok"
    why = ("a second, full redraw after the handler" if sent > 1 else "whole figure drawn" if full else
           f"{moved:g} axes whose limits moved redrawn into the kept background, then the layer ({layer} artists)"
           if moved else f"the layer ({layer} artists) drawn over the kept background")
    return f"OVER by {total - BUDGET_MS:.0f} ms: {why}"


OUT = Path(__file__).resolve().parents[1] / "build" / "bench" / "explorer_latency.json"


def main(names=()):
    load_before = load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    header = ("explorer", "control", "at", "callback ms", "frame ms", "redraw ms", "total ms", "cpu ms", "frames",
              "full ms", f"total <= {BUDGET_MS:g} ms")
    rows = []
    for entry in EXPLORERS:
        cls = explorer_class(entry)
        if names and cls.__name__ not in names:
            continue
        explorer = cls()
        trained = explorer.compute_seconds  # at the defaults (attach_view's redraw reads the cache)
        frames = attach_view(explorer)
        for control in explorer.table:
            if not control.live:
                rows.append((cls.__name__, control.name, "release", "", "", "", "", "", "", "",
                             f"trains: {trained:.2f} s at the defaults (budget {TRAIN_BUDGET_S:g} s)"
                             + ("" if trained <= TRAIN_BUDGET_S else " OVER")))
                continue
            for at, callback, frame, redraw, cpu, full, sent, moved, whole in time_control(explorer, control, frames):
                total = callback + frame + redraw
                rows.append((cls.__name__, control.name, at, f"{callback:.1f}", f"{frame:.1f}", f"{redraw:.1f}",
                             f"{total:.1f}", f"{cpu:.1f}", f"{sent:g}", f"{whole:.1f}",
                             verdict(total, full, sent, moved, len(explorer._layer))))
        explorer.close()
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(str(cell).ljust(w) for cell, w in zip(row, widths)))
    timed = [r for r in rows if r[6]]
    over = [r for r in timed if float(r[6]) > BUDGET_MS]
    print(f"{len(timed) - len(over)} of {len(timed)} live rows within {BUDGET_MS:g} ms; median total "
          f"{statistics.median(float(r[6]) for r in timed):.1f} ms (cpu {statistics.median(float(r[7]) for r in timed):.1f}"
          f" ms, {sum(float(r[7]) <= BUDGET_MS for r in timed)} rows within {BUDGET_MS:g} ms); median of total / "
          f"full redraw {statistics.median(float(r[6]) / float(r[9]) for r in timed):.2f}")
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"cores": os.cpu_count(), "load_before": load_before, "load_after": load,
                               "rows": [dict(zip(header, row)) for row in rows]}, indent=1))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
