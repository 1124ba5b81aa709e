"""The order of multiplication in the chain rule: (J_L ... J_1) first, or vector first (lesson 04).

Deck 000, "Backpropagation: chain rule": grad_x z = (dy/dx)^T grad_y z. Through L layers of
width n the gradient is g^T J_L ... J_1. Multiplying the Jacobians first costs (L - 1) n^3 + n^2
multiplications; starting from the vector (what backprop does, right to left from the loss)
costs L n^2. :func:`coursekit.symbolic.vjp_order_derivation` derives the counts; this module measures them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .._checks import as_generator, positive_int


@dataclass(frozen=True)
class ChainOrderRow:
    """One chain of ``L`` Jacobians of width ``n``: multiplications and seconds for each order."""

    L: int
    n: int
    mults_vector_first: int
    mults_matrices_first: int
    seconds_vector_first: float
    seconds_matrices_first: float
    max_difference: float          # the two orders give the same gradient (up to rounding)


def vector_first(g, jacobians) -> tuple[np.ndarray, int]:
    """g^T J_L ... J_1 from the left, one vector-Jacobian product per layer; returns (grad, mults)."""
    mults = 0
    for J in jacobians:                    # jacobians ordered J_L, ..., J_1 (from the loss back)
        mults += J.shape[0] * J.shape[1]
        g = g @ J
    return g, mults


def matrices_first(g, jacobians) -> tuple[np.ndarray, int]:
    """(J_L ... J_1) multiplied out first, then g^T times the product; returns (grad, mults)."""
    product, mults = jacobians[0], 0
    for J in jacobians[1:]:
        mults += product.shape[0] * product.shape[1] * J.shape[1]
        product = product @ J
    return g @ product, mults + product.shape[0] * product.shape[1]


def _seconds(fn, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):               # the best of a few runs: the least disturbed by load
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def chain_order_table(n: int, depths, *, rng, repeats: int = 3) -> list[ChainOrderRow]:
    """Both orders on random chains of each depth L in ``depths``; counts are exact, times noisy."""
    n, rng = positive_int(n, "n"), as_generator(rng)
    rows = []
    for L in depths:
        L = positive_int(L, "depths entry")
        jacobians = [rng.standard_normal((n, n)) / np.sqrt(n) for _ in range(L)]
        g = rng.standard_normal(n)
        v, mv = vector_first(g, jacobians)
        m, mm = matrices_first(g, jacobians)
        rows.append(ChainOrderRow(L, n, mv, mm, _seconds(lambda: vector_first(g, jacobians), repeats),
                                  _seconds(lambda: matrices_first(g, jacobians), repeats),
                                  float(np.max(np.abs(v - m)))))
    return rows
