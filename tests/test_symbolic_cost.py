"""Naive symbolic differentiation vs one backward pass: same numbers, very different sizes (deck 004)."""

import numpy as np
import sympy as sp

from coursekit import symbolic
from coursekit.symbolic.cost import backward_pass, differentiation_cost, expanded_loss


def test_depth_three_is_the_decks_network():
    loss, *_ = expanded_loss(3)
    assert sp.simplify(loss - symbolic.composite_backprop_derivation().function) == 0


def test_backward_pass_matches_the_decks_derivation():
    d = symbolic.composite_backprop_derivation()
    beta, omega = np.array([0.1, -0.2, 0.3, 0.05]), np.array([0.9, 0.6, 0.7, 1.1])
    values = {d.args["x"]: 0.4, d.args["y"]: -0.3, **dict(zip(d.args["beta"], beta)), **dict(zip(d.args["omega"], omega))}
    expected = [float(sp.diff(d.function, p).subs(values)) for p in (*d.args["beta"], *d.args["omega"])]
    np.testing.assert_allclose(np.concatenate(backward_pass(0.4, -0.3, beta, omega)), expected, rtol=1e-12)


def test_naive_derivatives_grow_faster_than_the_backward_pass():
    rows = differentiation_cost([2, 4, 8])
    assert all(r.max_difference < 1e-9 for r in rows)
    naive, backward = [r.derivative_ops for r in rows], [r.backward_ops for r in rows]
    assert naive[2] / naive[1] > 3 > backward[2] / backward[1]     # superlinear vs linear in depth
