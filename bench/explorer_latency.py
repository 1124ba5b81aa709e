"""Latency of every explorer: from a control's change to the figure fully redrawn, in the kernel.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/explorer_latency.py [name ...]``

What a student waits for after moving a slider, as ipympl runs it (issue 13):

* callback — the control's observer: ``compute`` (the experiments layer) and ``draw`` (new
  data written into the artists);
* draw — :meth:`Explorer.render` (the changed artists blitted over the kept background, or the
  whole figure when an axis limit moved) plus the PNG of the changed pixels that ipympl sends
  (``get_diff_image``, the same code path);
* total — callback + draw;
* full ms — for comparison in the same run, the same frame rendered whole (no kept background),
  which is what every change cost before blitting (without the layout engine, which the old
  explorers also re-ran on every draw).

Each live control is moved to its min, its default and its max, each time from the value one
step away (``REPEATS`` times, median). Budget: total <= 40 ms; a row over it says by how much
and whether the frame was a full redraw. Controls that train (on release) are listed with the
training time at the defaults (budget 1.5 s). The machine's load is printed with the table,
since timings on a shared machine move with it. Always exits 0.
"""
import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MPLBACKEND"] = "Agg"

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore  # noqa: E402

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


def timed_change(explorer, name, value):
    """(callback ms, draw ms, full redraw?) of one change of control ``name`` to ``value``."""
    canvas = explorer.fig.canvas
    start = time.perf_counter()
    explorer.controls[name].value = value
    middle = time.perf_counter()
    partial = explorer.render()
    canvas._png_is_old = True
    canvas.get_diff_image()  # the frame ipympl sends: the changed pixels as a PNG
    end = time.perf_counter()
    return 1e3 * (middle - start), 1e3 * (end - middle), not partial


def full_redraw_ms(explorer) -> float:
    canvas, samples = explorer.fig.canvas, []
    for _ in range(3):
        explorer.invalidate()
        start = time.perf_counter()
        explorer.render()
        canvas._png_is_old = True
        canvas.get_diff_image()
        samples.append(1e3 * (time.perf_counter() - start))
    return statistics.median(samples)


def time_control(explorer, control):
    rows = []
    for at, value in zip(("min", "default", "max"), control.sweep()):
        samples = []
        for _ in range(REPEATS):
            explorer.controls[control.name].value = neighbour(control, value)
            explorer.render()
            samples.append(timed_change(explorer, control.name, value))
        callback = statistics.median(s[0] for s in samples)
        draw = statistics.median(s[1] for s in samples)
        full = sum(s[2] for s in samples) > REPEATS // 2
        rows.append((at, callback, draw, full, full_redraw_ms(explorer)))
    explorer.set(**{control.name: control.default})
    return rows


def verdict(total, full):
    if total <= BUDGET_MS:
        return "ok"
    why = "full redraw (an axis limit moved)" if full else "blitted frame"
    return f"OVER by {total - BUDGET_MS:.0f} ms: {why}"


def main(names=()):
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    header = ("explorer", "control", "at", "callback ms", "draw ms", "total ms", "full ms", f"total <= {BUDGET_MS:g} ms")
    rows = []
    for entry in EXPLORERS:
        cls = explorer_class(entry)
        if names and cls.__name__ not in names:
            continue
        explorer = cls()
        FigureCanvasWebAggCore(explorer.fig)
        explorer.render()
        for control in explorer.table:
            if not control.live:
                rows.append((cls.__name__, control.name, "release", "", "", "", "",
                             f"trains: {explorer.compute_seconds:.2f} s at the defaults (budget {TRAIN_BUDGET_S:g} s)"
                             + ("" if explorer.compute_seconds <= TRAIN_BUDGET_S else " OVER")))
                continue
            for at, callback, draw, full, whole in time_control(explorer, control):
                total = callback + draw
                rows.append((cls.__name__, control.name, at, f"{callback:.1f}", f"{draw:.1f}", f"{total:.1f}",
                             f"{whole:.1f}", verdict(total, full)))
        explorer.close()
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(str(cell).ljust(w) for cell, w in zip(row, widths)))
    timed = [r for r in rows if r[5]]
    over = [r for r in timed if float(r[5]) > BUDGET_MS]
    print(f"{len(timed) - len(over)} of {len(timed)} live rows within {BUDGET_MS:g} ms; median total "
          f"{statistics.median(float(r[5]) for r in timed):.1f} ms; median of total / full redraw "
          f"{statistics.median(float(r[5]) / float(r[6]) for r in timed):.2f}")
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
