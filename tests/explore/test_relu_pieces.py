"""Facts of lesson 05 (deck 004): shallow ReLU nets, linear regions, approximation, depth.

Expected values are derived by hand in the tests (the pieces of a one-unit net, the joints of
the deck's three-unit example, the tent map's sawtooth j/2^K, the parameter count 6K + 1)
or computed independently (numpy.linalg.lstsq for every D against the QR shortcut).
"""
import numpy as np
import pytest

from coursekit.datasets import abs_x, sine, step
from coursekit.experiments.relu_pieces import count_linear_regions
from coursekit.explore.relu_pieces import DepthWidthExplorer, ReLUPiecesExplorer, ShallowFitExplorer


TARGETS = {"sine": sine, "step": step, "|x|": abs_x}


# -- the explorers ----------------------------------------------------------------------------
def test_relu_pieces_explorer_sweep(sweep):
    ex = ReLUPiecesExplorer()
    for name, value in sweep(ex):
        D = ex.controls["D"].value
        visible = [line for line in ex.piece_lines if line.get_visible()]
        assert len(visible) == D
        (shown,) = [legend for legend in ex.legends if legend.get_visible()]
        legend = [text.get_text() for text in shown.get_texts()]
        assert legend == [f"φ_{d} h_{d}" for d in range(1, D + 1)]   # only the pieces drawn
        y = ex.sum_line.get_ydata()
        np.testing.assert_allclose(y, ex.controls["phi0"].value + sum(l.get_ydata() for l in visible))
        counted, from_joints = ex.regions
        assert counted == from_joints == count_linear_regions(ex.x, y) and counted <= D + 1
        target = ex.controls["target"].value
        np.testing.assert_array_equal(ex.target_line.get_ydata(), TARGETS[target](ex.x))


def test_relu_pieces_explorer_edits_one_unit_at_a_time():
    ex = ReLUPiecesExplorer()
    ex.set(unit=2)   # the sliders now show unit 2's own values
    assert (ex.controls["theta0"].value, ex.controls["theta1"].value, ex.controls["phi"].value) == \
        (ex.THETA[1, 0], ex.THETA[1, 1], ex.PHI[2])
    ex.set(theta0=0.0, theta1=1.0, phi=1.0)   # unit 2 becomes ReLU(x)
    ex.set(unit=1)
    assert ex.controls["theta0"].value == ex.THETA[0, 0]   # unit 1 untouched
    np.testing.assert_allclose(ex.piece_lines[1].get_ydata(), np.maximum(ex.x, 0))


def test_relu_pieces_explorer_computes_from_its_arguments_and_changes_nothing():
    """compute(**values) builds the selected unit from the values it is given, not from a copy
    kept by update; calling it leaves the explorer as it was."""
    ex = ReLUPiecesExplorer()
    shown = ex.result.y.copy()
    values = {**ex.values, "theta0": 0.5, "theta1": 1.0, "phi": 2.0, "phi0": 0.25}   # unit 1 = 2 ReLU(0.5 + x)
    r = ex.compute(**values)
    np.testing.assert_allclose(r.pieces[0], 2.0 * np.maximum(0.5 + ex.x, 0))
    np.testing.assert_allclose(r.y, 0.25 + r.pieces.sum(axis=0))
    np.testing.assert_array_equal(ex.compute(**values).y, r.y)
    ex.refresh()
    np.testing.assert_array_equal(ex.result.y, shown)   # the controls did not move: same figure


def test_relu_pieces_explorer_shows_a_unit_selected_with_other_controls():
    ex = ReLUPiecesExplorer()
    ex.set(unit=2, D=4)   # two controls at once: the sliders still show unit 2's own values
    assert (ex.controls["theta0"].value, ex.controls["theta1"].value, ex.controls["phi"].value) == \
        (ex.THETA[1, 0], ex.THETA[1, 1], ex.PHI[2])
    ex.set(unit=1)
    assert (ex.controls["theta0"].value, ex.controls["theta1"].value, ex.controls["phi"].value) == \
        (ex.THETA[0, 0], ex.THETA[0, 1], ex.PHI[1])


def test_shallow_fit_explorer_sweep(sweep):
    ex = ShallowFitExplorer()
    seen = {}
    for name, value in sweep(ex):
        target, D = ex.controls["target"].value, ex.controls["D"].value
        t, y, errors = ex.result.t, ex.result.y, ex.result.errors
        assert np.mean((y - t) ** 2) == pytest.approx(errors[D - 1], rel=1e-6, abs=1e-12)   # 2J: no 1/2
        assert np.all(np.diff(errors) <= 1e-12) and errors[-1] < errors[0] / 30
        seen[target, D] = errors[D - 1]
    assert seen["sine", 1] > seen["sine", 4] > seen["sine", ShallowFitExplorer.D_MAX]
    assert {k for k, _ in seen} == set(TARGETS)


def test_depth_width_explorer_sweep(sweep):
    ex = DepthWidthExplorer()
    for name, K in sweep(ex):
        _, counts = ex.count_dots.get_data()
        assert counts[0] == 2 ** K and counts[1] <= 2 * K + 1
        x, y = ex.deep_line.get_data()
        assert count_linear_regions(x, y) == 2 ** K
