"""Execute a lesson once for its deck and its site page (``make slides``, ``make site``).

Usage: ``python tools/slides/execute.py notebooks/05_x.ipynb build/executed/05_x.ipynb``.
The executed copy keeps the outputs and the widget state; ``nbconvert`` (decks) and Sphinx
(site) only render it, so each lesson runs once however many pages show it.

Two cells are added around the lesson's own (and dropped from the copy):

* before the first, :func:`coursekit.explore.frames.show_frames_instead`: every explorer is
  shown with its frames precomputed over its controls' grid, so its sliders respond in a page
  with no kernel (issue 18);
* after the last, a cell that stores each ipympl figure's picture in the widget state. An
  ipympl canvas sends its pixels only when a browser asks for them, and during execution none
  does: the stored state would hold an empty canvas (``_data_url`` None, ``_size`` [0, 0]).
  So every open ipympl figure is drawn into its ``_data_url`` -- what ipympl itself does when a
  canvas is displayed on its own -- and the stored state carries the figure as a PNG.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

FRAMES = "from coursekit.explore.frames import show_frames_instead\nshow_frames_instead()"
SNAPSHOT = """\
import matplotlib.pyplot as plt
for number in plt.get_fignums():
    canvas = plt.figure(number).canvas
    if hasattr(canvas, "_data_url"):  # an ipympl canvas
        canvas._repr_mimebundle_()  # sets _data_url and _size, which the widget state keeps
"""
TIMEOUT = 300  # seconds per cell: an explorer's frames are computed in the cell showing it
STATE, VIEW = "application/vnd.jupyter.widget-state+json", "application/vnd.jupyter.widget-view+json"


class ExecuteForPages(ExecutePreprocessor):
    """``ExecutePreprocessor`` with the two extra cells of the module docstring."""

    def preprocess(self, nb, resources=None, km=None):
        nb.cells.insert(0, nbformat.v4.new_code_cell(FRAMES))
        nb.cells.append(nbformat.v4.new_code_cell(SNAPSHOT))
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            nb.cells.pop()
            nb.cells.pop(0)
        return nb, resources


def keep_shown_widgets(nb) -> None:
    """Drop from the stored widget state every widget no output shows (an explorer's own
    controls and canvas, made but replaced by its frames): the page carries only what it draws."""
    state = nb.metadata.get("widgets", {}).get(STATE, {}).get("state", {})
    todo = [out["data"][VIEW]["model_id"] for cell in nb.cells for out in cell.get("outputs", [])
            if VIEW in out.get("data", {})]
    shown = set()
    while todo:  # the shown widgets and every widget they refer to ("IPY_MODEL_<id>")
        model = todo.pop()
        if model in state and model not in shown:
            shown.add(model)
            todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state[model]["state"]))
    for model in set(state) - shown:
        del state[model]


def execute(source: Path, target: Path) -> None:
    nb = nbformat.read(source, as_version=4)
    executor = ExecuteForPages(timeout=TIMEOUT, kernel_name="python3", store_widget_state=True)
    executor.preprocess(nb, {"metadata": {"path": str(source.parent)}})
    keep_shown_widgets(nb)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(f"usage: {sys.argv[0]} LESSON.ipynb EXECUTED.ipynb")
    execute(Path(sys.argv[1]), Path(sys.argv[2]))
