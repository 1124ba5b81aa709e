"""Counting the parameters of a fully connected network (deck 004, "Good exercise: count the weights")."""
from __future__ import annotations

from functools import cache

import sympy as sp

from .._checks import positive_int
from .derivation import Derivation, Step


@cache
def parameter_count_derivation(L: int = 2) -> Derivation:
    """Weights and biases of an MLP with sizes n_0, ..., n_L: sum_l (n_(l-1) + 1) n_l.

    Layer l has an n_l x n_(l-1) weight matrix and n_l biases. Follows deck 004, "Reflections:
    more problems with backprop" (overparameterization; count the weights of an MLP) and deck
    002, "Forward propagation" (z = W a + b per layer).
    """
    L = positive_int(L, "L")
    n = sp.Matrix(sp.symbols(f"n_0:{L + 1}", positive=True, integer=True))
    weights = sum(n[l - 1] * n[l] for l in range(1, L + 1))
    biases = sum(n[l] for l in range(1, L + 1))
    total = sp.expand(weights + biases)
    l, nl, nprev = sp.Symbol("l", integer=True), sp.Symbol("n_l"), sp.Symbol("n_{l-1}")
    xor = total.subs(dict(zip(n, (2, 2, 1)))) if L == 2 else None
    return Derivation(
        f"parameter count of an MLP with {L} layers", "deck 004, reflections: count the weights of an MLP",
        steps=(
            Step("layer l: W is n_l x n_(l-1), b has n_l entries", (sp.Symbol("P_l"), nprev * nl + nl)),
            Step("sum over the layers", (sp.Symbol("P"), sp.Sum((nprev + 1) * nl, (l, 1, L)), total)),
            *([Step("deck 001's XOR net, sizes [2, 2, 1]", (sp.Symbol("P"), xor))] if xor is not None else []),
        ),
        result=total, args={"sizes": n}, values={} if xor is None else {"xor_net": xor})
