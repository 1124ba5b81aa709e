"""Facts of lesson 07 (decks 000, 003, 004): why deep nets were hard.

Expected values come from the delta equation delta^l = (W^(l+1)^T delta^(l+1)) * f'(z^l) with
the hand bounds sigma' <= 1/4 and tanh' <= 1, from finite differences, and from w^L computed
here for the deep linear chain.
"""
import numpy as np
import pytest

from coursekit.activations import ReLU, Sigmoid
from coursekit.experiments.vanishing import ACTIVATIONS, INITS
from coursekit.explore.vanishing import GradientFlowExplorer, LinearChainExplorer


MAX_DEPTH = GradientFlowExplorer.DEPTH_MAX


# -- the explorers ----------------------------------------------------------------------------
def test_gradient_flow_explorer_sweep(sweep):
    ex = GradientFlowExplorer()
    ratios = {}
    for name, value in sweep(ex):
        layers, g = ex.grad_line.get_data()
        depth, act = ex.controls["depth"].value, ex.controls["activation"].value
        assert len(g) == depth + 1 and np.all(np.isfinite(g)) and np.all(np.asarray(g) > 0)
        assert list(layers) == list(range(1, depth + 2))
        sat = ex.sat_line.get_ydata()
        assert len(sat) == depth and all(0 <= f <= 1 for f in sat)
        ratios[name, value if name != "init" else [k for k, v in INITS.items() if v is value][0]] = g[0] / g[-1]
        if act is Sigmoid and ex.controls["scale"].value <= 1:  # the first layer learns slowest
            assert g[0] / g[-1] < (0.5 if depth < 10 else 1e-2), (name, value)
    # Defaults are sigmoid, Xavier, scale 1: the ratio falls as depth grows and as scale shrinks.
    assert ratios["depth", 1] > ratios["depth", 10] > ratios["depth", MAX_DEPTH]
    assert ratios["scale", 0.1] < ratios["scale", 1.0]
    assert ratios["activation", ReLU] > 1e3 * ratios["activation", Sigmoid]
    assert set(k for n, k in ratios if n == "activation") == set(ACTIVATIONS.values())


def test_gradient_flow_explorer_shows_saturation():
    ex = GradientFlowExplorer()
    ex.set(scale=10.0)  # big sigmoid weights: |z| large, units stuck near 0 or 1
    assert np.mean(ex.sat_line.get_ydata()) > 0.3
    ex.set(scale=0.1)   # tiny weights: z near 0, sigma' near 1/4, nothing saturated
    assert np.max(ex.sat_line.get_ydata()) == 0


def test_linear_chain_explorer_sweep(sweep):
    ex = LinearChainExplorer()
    for name, value in sweep(ex):
        w, L, lr = (ex.controls[k].value for k in ("w", "L", "lr"))
        l, h = ex.scalar_line.get_data()
        np.testing.assert_allclose(h, w ** np.arange(L + 1), rtol=1e-12)
        assert list(l) == list(range(L + 1))
        _, dot = ex.step_dot.get_data()
        assert dot[0] == pytest.approx((w - lr * w ** (L - 1)) ** L, rel=1e-9)
        norms = ex.matrix_line.get_ydata()
        if name == "w" and L == 20:
            assert (norms[-1] > 1) == (w > 1) and (h[-1] > 1) == (w > 1)
