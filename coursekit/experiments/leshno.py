"""Leshno's condition: a shallow net approximates everything only if its activation is not a polynomial.

Leshno, Lin, Pinkus and Schocken (1993): one hidden layer of units f(theta_0 + theta_1 x) is dense
in the continuous functions exactly when f is not a polynomial. The easy direction, computed:
with f(z) = z^k every hidden unit (theta_0 + theta_1 x)^k is a polynomial of degree k, so
y = phi_0 + sum_d phi_d h_d is one too, however many units D; its best fit can never beat
the best degree-k polynomial fit. ReLU units keep improving (lesson 05, deck 004).
"""
from __future__ import annotations

import numpy as np

from .._checks import float_array, positive_int


def activation_fit_error(x, t, theta, activation) -> float:
    """Mean squared error (no 1/2) of the least-squares phi for hidden units activation(theta_0 + theta_1 x).

    Shapes
    ------
    x, t: (n,); theta: (D, 2) -> float.
    """
    x, t = float_array(x, "x", ndim=1), float_array(t, "t", ndim=1)
    theta = float_array(theta, "theta", ndim=2)
    H = np.column_stack([np.ones_like(x), activation(theta[:, 0] + np.outer(x, theta[:, 1]))])
    phi = np.linalg.lstsq(H, t, rcond=None)[0]
    return float(np.mean((H @ phi - t) ** 2))


def power(k: int):
    """The polynomial activation f(z) = z^k."""
    k = positive_int(k, "k")
    return lambda z: z ** k
