"""Precomputed frames (coursekit/explore/frames.py): what a static page shows for a slider value
is what the explorer draws at that value, within the byte budget, over the documented grid."""
import base64
import io
import math
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from coursekit.explore import Control, Explorer, figure, precompute

DPI = 80  # frames.py draws its frames at this resolution


def test_a_lesson_imports_the_explorers_without_the_frame_player():
    """Only a static page's build needs the player (anywidget); it is imported when first named."""
    code = ("import sys, coursekit.explore\nprint('anywidget' in sys.modules)\n"
            "from coursekit.explore import FramePlayer\nprint('anywidget' in sys.modules, FramePlayer.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "FramePlayer"]


class Wave(Explorer):
    """y = a f(k x): a float slider, a dropdown of functions and an int slider."""

    CONTROLS = (
        Control("a", "float", 1.0, min=0.0, max=2.0, step=0.25),
        Control("f", "select", np.sin, options=(("sin", np.sin), ("cos", np.cos))),
        Control("k", "int", 2, min=1, max=3, step=1),
    )

    def __init__(self):
        fig = figure(figsize=(4, 2))
        ax = fig.subplots()
        self.x = np.linspace(-3, 3, 200)
        (self.line,) = ax.plot(self.x, self.x, color="k")  # black: must stay opaque over the base
        ax.set_ylim(-2.2, 2.2)
        self.title = ax.set_title("")
        super().__init__(fig)

    def compute(self, *, a, f, k):
        return a * f(k * self.x)

    def draw(self, result, changed):
        self.line.set_ydata(result)
        self.title.set_text(f"max {result.max():.2f}")


def decode(png: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(png))).convert("RGBA"))


def shown(player, key: str) -> np.ndarray:
    """The picture the page shows for a frame key: the base with the frame's overlay laid over it."""
    picture = decode(player.base)[..., :3].copy()
    x, y, w, h, png = player.images[player.frames[key]]
    if png:
        piece = decode(png)
        assert piece.shape[:2] == (h, w)
        opaque = piece[..., 3] > 0
        picture[y:y + h, x:x + w][opaque] = piece[..., :3][opaque]
    return picture


def render(fig) -> np.ndarray:
    """The figure as the explorer draws it (matplotlib directly), to compare frames with."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return np.asarray(Image.open(buffer).convert("RGB"))


def test_sweeps_when_the_product_is_large():
    player = precompute(Wave(), max_product=20)  # the product has 54 points
    keys = [tuple(map(int, key.split(","))) for key in player.frames]
    assert len(keys) == 1 + 8 + 1 + 2  # the default, then one control at a time over its grid
    default = (4, 0, 1)
    assert all(sum(k != d for k, d in zip(key, default)) <= 1 for key in keys)


@pytest.fixture(scope="module")
def wave():
    """The explorer and its frames with the default budget: every step, the full product."""
    explorer = Wave()
    return explorer, precompute(explorer)


def test_each_frame_is_what_the_explorer_draws_at_those_values(wave):
    explorer, player = wave
    grids = [c["grid"] for c in player.controls]
    assert [len(g) for g in grids] == [9, 2, 3]  # every step: the full product has 54 points
    assert len(player.frames) == 9 * 2 * 3
    for key in ("4,0,1", "0,1,2", "8,0,0"):  # default, then two others
        i, j, k = map(int, key.split(","))
        explorer.update(None, a=grids[0][i], f=(np.sin, np.cos)[j], k=grids[2][k])
        drawn = render(explorer.fig).astype(int)
        off = np.abs(shown(player, key).astype(int) - drawn).max(axis=-1)
        assert np.mean(off > 48) < 0.005  # the palette rounds colours a little, never redraws
    assert not np.array_equal(shown(player, "0,1,2"), shown(player, "4,0,1"))


def test_the_explorer_is_left_at_its_values():
    explorer = Wave()
    explorer.set(a=0.5)
    precompute(explorer)
    assert np.allclose(explorer.result, 0.5 * np.sin(2 * explorer.x))


def test_thinned_within_budget_keeping_default_and_ends(wave):
    explorer, full = wave
    budget = full.size // 3
    small = precompute(explorer, max_bytes=budget)
    assert small.size <= budget < full.size
    a = small.controls[0]
    assert len(a["grid"]) < 9
    assert math.isclose(a["grid"][0], 0.0) and math.isclose(a["grid"][-1], 2.0)
    assert math.isclose(a["grid"][a["default_index"]], 1.0)


def test_a_frame_larger_than_the_budget_is_refused():
    with pytest.raises(ValueError, match="max_bytes"):
        precompute(Wave(), max_bytes=100)
