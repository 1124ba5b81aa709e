"""Every lesson is a clean, slide-ready notebook that nbval really runs.

nbval runs each notebook as part of `make test` (see pyproject's addopts). These tests make sure
that run cannot pass silently: every notebook is collected with at least one cell, and the
notebooks are saved in the state the lesson conventions require.
"""
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


def ids(paths):
    return [p.stem for p in paths]


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=ids(NOTEBOOKS))
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


LESSONS = ["00_start_here", "01_learning_machines", "02_perceptron_to_xor",
           "03_activations_and_losses", "04_backprop_by_hand", "05_universal_approximation",
           "06_training_an_mlp", "07_vanishing_gradients", "08_momentum_and_optimizers",
           "09_batch_norm", "10_regularization", "11_autoencoder"]


def test_every_lesson_of_the_course_is_there():
    assert ids(NOTEBOOKS) == LESSONS


def test_notebook_names_are_numbered_in_teaching_order():
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+", p.stem) for p in NOTEBOOKS), ids(NOTEBOOKS)


def test_saved_clean(notebook):
    path, nb = notebook
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts"


def test_every_cell_has_slide_metadata(notebook):
    path, nb = notebook
    missing = [i for i, c in enumerate(nb.cells)
               if c.metadata.get("slideshow", {}).get("slide_type") not in SLIDE_TYPES]
    assert not missing, f"{path.name}: cells {missing} lack slideshow.slide_type"
    assert nb.cells[0].metadata["slideshow"]["slide_type"] == "slide"


def test_title_slide_names_its_deck(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.lstrip().startswith("#")
    assert re.search(r"[Dd]eck 00[0-4]", first.source), f"{path.name}: title slide names no deck"


def test_lesson_ends_with_check_yourself(notebook):
    path, nb = notebook
    if path.stem.startswith("00_"):
        pytest.skip("the start page is not a lesson")
    headings = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert any(re.search(r"check yourself", h, re.I) for h in headings), path.name


def test_nbval_collects_every_notebook():
    """The notebook run can never silently pass: nbval collects cells from every notebook."""
    assert NOTEBOOKS, "no notebooks found in notebooks/"
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         *map(str, NOTEBOOKS)],
        cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    for path in NOTEBOOKS:
        n_code = sum(c.cell_type == "code" for c in nbformat.read(path, as_version=4).cells)
        collected = len(re.findall(rf"^notebooks/{re.escape(path.name)}::Cell \d+$", out.stdout, re.M))
        assert n_code > 0 and collected == n_code, f"{path.name}: {collected} of {n_code} cells collected"
