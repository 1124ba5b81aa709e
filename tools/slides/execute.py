"""Execute a lesson for its deck and store each ipympl figure's final picture in the widget state.

An ipympl canvas sends its pixels only when a browser asks for them, and during
``nbconvert --execute`` none does: the stored state would hold an empty canvas
(``_data_url`` None, ``_size`` [0, 0]) and the deck would show sliders above a blank figure.
So after the lesson's last cell one more (unsaved) cell draws every open ipympl figure into
its ``_data_url`` -- what ipympl itself does when a canvas is displayed on its own -- and the
widget state stored with the deck carries the figure as a PNG. Explorers keep the figure
of their final slider values, so the picture matches the sliders shown beside it.
"""
from __future__ import annotations

import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

SNAPSHOT = """\
import matplotlib.pyplot as plt
for number in plt.get_fignums():
    canvas = plt.figure(number).canvas
    if hasattr(canvas, "_data_url"):  # an ipympl canvas
        canvas._repr_mimebundle_()  # sets _data_url and _size, which the widget state keeps
"""


class ExecuteWithFigures(ExecutePreprocessor):
    """``ExecutePreprocessor`` that also stores every ipympl figure's picture (module docstring)."""

    def preprocess(self, nb, resources=None, km=None):
        nb.cells.append(nbformat.v4.new_code_cell(SNAPSHOT))
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            nb.cells.pop()
        return nb, resources
