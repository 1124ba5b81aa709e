"""The two orders of the chain rule: same gradient, the counts of deck 000 / symbolic.vjp_order_derivation."""

import numpy as np
import pytest

from coursekit import symbolic
from coursekit.experiments.chain_order import chain_order_table, matrices_first, vector_first


@pytest.mark.parametrize("n, L", [(3, 1), (4, 2), (5, 6)])
def test_counts_match_the_derivation(n, L):
    (vjp, first), args = symbolic.vjp_order_derivation().result, symbolic.vjp_order_derivation().args
    row, = chain_order_table(n, [L], rng=0, repeats=1)
    values = {args["n"]: n, args["L"]: L}
    assert row.mults_vector_first == int(vjp.subs(values))
    assert row.mults_matrices_first == int(first.subs(values))


def test_both_orders_give_the_gradient_of_an_explicit_product():
    rng = np.random.default_rng(1)
    jacobians = [rng.standard_normal((4, 4)) for _ in range(3)]
    g = rng.standard_normal(4)
    expected = g @ jacobians[0] @ jacobians[1] @ jacobians[2]
    np.testing.assert_allclose(vector_first(g, jacobians)[0], expected, rtol=1e-12)
    np.testing.assert_allclose(matrices_first(g, jacobians)[0], expected, rtol=1e-12)


def test_bad_width_is_named():
    with pytest.raises(ValueError, match="n"):
        chain_order_table(0, [2], rng=0)
