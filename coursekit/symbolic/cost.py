"""What calculus by hand costs: naive symbolic derivatives against one backward pass (deck 004).

Deck 004 derives dl/domega_0 of its sin-exp-cos toy by hand and remarks that this is redundant:
backprop reuses the forward pass's values. Here the toy grows to ``depth`` activations
(sin, exp, cos, sin, ...; depth 3 is the deck's network). For each depth we differentiate the
fully expanded loss l = (f - y)^2 once per parameter (what a student doing it by hand does) and
count SymPy's operations (``count_ops``) and time; the backward pass needs a fixed handful of
operations per step, each on numbers the forward pass already computed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import sympy as sp

_SYMBOLIC = (sp.sin, sp.exp, sp.cos)
_NUMERIC = ((np.sin, np.cos), (np.exp, np.exp), (np.cos, lambda f: -np.sin(f)))  # (h, h')


@dataclass(frozen=True)
class DifferentiationCost:
    """One depth: sizes and seconds of naive symbolic differentiation vs one backward pass."""

    depth: int
    n_parameters: int
    loss_ops: int              # count_ops of the expanded loss
    derivative_ops: int        # count_ops summed over the 2 (depth + 1) naive derivatives
    symbolic_seconds: float
    backward_ops: int          # multiplications of one backward pass (all parameters at once)
    backward_seconds: float
    max_difference: float      # naive derivatives vs the backward pass at a test point


def expanded_loss(depth: int):
    """(loss, x, y, beta, omega) with f_k = beta_k + omega_k h_k, h_(k+1) = act_k(f_k), l = (f_depth - y)^2."""
    x, y = sp.symbols("x y", real=True)
    beta, omega = sp.symbols(f"beta_0:{depth + 1}", real=True), sp.symbols(f"omega_0:{depth + 1}", real=True)
    h = x
    for k in range(depth):
        h = _SYMBOLIC[k % 3](beta[k] + omega[k] * h)
    return (beta[depth] + omega[depth] * h - y) ** 2, x, y, beta, omega


def backward_pass(x: float, y: float, beta, omega) -> tuple[np.ndarray, np.ndarray]:
    """(dl/dbeta, dl/domega) by one forward and one backward pass, in NumPy."""
    depth = len(beta) - 1
    h, f = [x], []
    for k in range(depth + 1):
        f.append(beta[k] + omega[k] * h[k])
        if k < depth:
            h.append(_NUMERIC[k % 3][0](f[k]))
    d_beta, d_omega = np.zeros(depth + 1), np.zeros(depth + 1)
    dl_df = 2 * (f[depth] - y)
    for k in range(depth, -1, -1):
        d_beta[k], d_omega[k] = dl_df, h[k] * dl_df
        if k > 0:
            dl_df = _NUMERIC[(k - 1) % 3][1](f[k - 1]) * omega[k] * dl_df
    return d_beta, d_omega


def backward_multiplications(depth: int) -> int:
    """2 (f - y) once; dl/domega_k = h_k dl/df_k at every step; dl/df_(k-1) = h_k'(f_(k-1)) omega_k dl/df_k twice each."""
    return 1 + (depth + 1) + 2 * depth


def differentiation_cost(depths, *, rng=0) -> list[DifferentiationCost]:
    """Naive per-parameter symbolic differentiation vs one backward pass, for each depth."""
    rng = np.random.default_rng(rng)
    rows = []
    for depth in depths:
        loss, x, y, beta, omega = expanded_loss(depth)
        start = time.perf_counter()
        derivatives = [sp.diff(loss, p) for p in (*beta, *omega)]
        symbolic_seconds = time.perf_counter() - start
        point = {"x": 0.3, "y": 0.1, "beta": rng.uniform(-0.5, 0.5, depth + 1), "omega": rng.uniform(0.5, 1.0, depth + 1)}
        start = time.perf_counter()
        d_beta, d_omega = backward_pass(**point)
        backward_seconds = time.perf_counter() - start
        naive = sp.lambdify((x, y, beta, omega), derivatives, "numpy")(point["x"], point["y"], point["beta"], point["omega"])
        rows.append(DifferentiationCost(
            depth, 2 * (depth + 1), sp.count_ops(loss), sum(sp.count_ops(d) for d in derivatives), symbolic_seconds,
            backward_multiplications(depth), backward_seconds,
            float(np.max(np.abs(np.array(naive, dtype=float) - np.concatenate([d_beta, d_omega]))))))
    return rows
