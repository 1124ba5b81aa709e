"""Latency of every live explorer: from a control's value change to the figure data updated.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/explorer_latency.py``

For each control of each registered explorer, the control is moved through about 20 values
(spread from min to max, or cycling the options) and each ``control.value = v`` is timed; that
assignment runs the observer, the compute function and the artist updates (``set_data`` ...).
The "draw" column is a full Agg render of the figure after the first few changes, for
comparison (ipympl draws once per change, after the callback). Budget (issue 6): median
callback < 50 ms. Training explorers (``live = False``) are listed but not timed. Prints a
table and always exits 0.
"""
import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MPLBACKEND"] = "Agg"

import importlib  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backend_bases import FigureCanvasBase  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from coursekit.explore import sweep_values  # noqa: E402

BUDGET_MS = 50.0
CHANGES = 20
DRAWS = 3  # full renders are slow and only for comparison: a few per control
# One line per explorer, "module:Class" under coursekit.explore; constructed without arguments.
REGISTRY = [
    "learning_machines:PolynomialFitExplorer",
    "activations:ActivationExplorer",
    "activations:TemperatureExplorer",
    "activations:OutputGradientExplorer",
    "perceptron:PerceptronExplorer",
    "xor_net:XorNetExplorer",
    "relu_pieces:ReLUPiecesExplorer",
    "relu_pieces:ShallowFitExplorer",
    "relu_pieces:DepthWidthExplorer",
    "vanishing:GradientFlowExplorer",
    "vanishing:LinearChainExplorer",
    "optimizers:QuadraticPathExplorer",
    "optimizers:RosenbrockPathExplorer",
    "optimizers:TerminalSpeedExplorer",
    "optimizers:ScheduleExplorer",
    "regularization:EarlyStoppingExplorer",
    "regularization:DropoutExplorer",
    "regularization:PenaltyExplorer",
    "regularization:BatchNormExplorer",
    "backprop:AddMultiplyExplorer",
    "backprop:SquaredNormExplorer",
    "backprop:TwoTwoOneExplorer",
    "backprop:CompositeExplorer",
    "training:TrainingExplorer",
    "autoencoder:AutoencoderExplorer",
]


def bench_values(control, n=CHANGES) -> list:
    """``n`` successive values that each differ from the one before (so each fires the observer)."""
    low, default, high = sweep_values(control) if hasattr(control, "max") else (None, None, None)
    if isinstance(control, widgets.FloatLogSlider):
        values = list(np.geomspace(low, high, n))
    elif isinstance(control, widgets.IntSlider):
        values = sorted(set(np.linspace(low, high, n).round().astype(int).tolist()))
    elif low is not None:
        values = list(np.linspace(low, high, n))
    else:
        values = sweep_values(control)
    if control.value in values:  # start just after the current value, then go round
        i = values.index(control.value)
        values = values[i + 1:] + values[:i + 1]
    cycle = (values * (n // len(values) + 1))[:n]
    return [v for i, v in enumerate(cycle) if i == 0 or v != cycle[i - 1]]


def time_control(explorer, name):
    control = explorer.controls[name]
    default = control.value
    callback, drawn = [], []
    for value in bench_values(control):
        start = time.perf_counter()
        control.value = value  # bare Figure under Agg: draw_idle is a no-op, so this is the callback
        callback.append(time.perf_counter() - start)
        if len(drawn) == DRAWS:
            continue
        canvas = FigureCanvasAgg(explorer.fig)
        start = time.perf_counter()
        canvas.draw()
        drawn.append(time.perf_counter() - start)
        FigureCanvasBase(explorer.fig)  # detach again so the next callback does not draw
    control.value = default
    return len(callback), 1e3 * statistics.median(callback), 1e3 * statistics.median(drawn)


def main():
    rows = []
    for entry in REGISTRY:
        module, cls = entry.split(":")
        explorer_class = getattr(importlib.import_module(f"coursekit.explore.{module}"), cls)
        if not explorer_class.live:  # a class attribute: no need to train one just to list it
            rows.append((cls, "(training: not timed)", "", "", "", ""))
            continue
        explorer = explorer_class()
        for name in explorer.controls:
            n, cb, dr = time_control(explorer, name)
            rows.append((cls, name, str(n), f"{cb:.2f}", f"{dr:.1f}", "ok" if cb < BUDGET_MS else "SLOW"))
    header = ("explorer", "control", "changes", "callback ms (median)", "draw ms", f"< {BUDGET_MS:g} ms")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    if not rows:
        print("(no explorers registered yet)")


if __name__ == "__main__":
    main()
