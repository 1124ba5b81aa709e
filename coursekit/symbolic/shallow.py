"""Shallow ReLU networks are piecewise linear (deck 004, "Neural networks are universal approximators")."""
from __future__ import annotations

from functools import cache

import sympy as sp

from .._checks import positive_int
from .derivation import Derivation, Step


@cache
def shallow_relu_regions_derivation(D: int = 3) -> Derivation:
    """Joints at x_d = -theta_d0 / theta_d1 and at most D + 1 linear regions.

    y = phi_0 + sum_d phi_d ReLU(theta_d0 + theta_d1 x): each hidden unit switches on or off
    where its pre-activation crosses 0, so D units put at most D joints on the real line and
    cut it into at most D + 1 pieces, on each of which y is linear (deck 004: three hidden
    units give at most four linear regions). Follows deck 004, "A shallow network" and "The
    universal approximation theorem (shallow version)".

    Shapes
    ------
    args ``theta``: (D, 2), row d = (theta_d0, theta_d1); result: the D joints, shape (D,).
    """
    D = positive_int(D, "D")
    x = sp.Symbol("x", real=True)
    theta = sp.Matrix(D, 2, lambda d, c: sp.Symbol(f"theta_{d + 1}{c}", real=True))
    phi = sp.Matrix(sp.symbols(f"phi_0:{D + 1}", real=True))
    pre = [theta[d, 0] + theta[d, 1] * x for d in range(D)]
    y = phi[0] + sum(phi[d + 1] * sp.Max(0, pre[d]) for d in range(D))
    joints = sp.Matrix([sp.solve(p, x)[0] for p in pre])
    n_units, regions = sp.Symbol("D", integer=True, positive=True), sp.Symbol("regions")
    return Derivation(
        "shallow ReLU network: joints and linear regions", "deck 004, a shallow network",
        steps=(
            Step("hidden units", (sp.Symbol("h_d"), sp.Max(0, sp.Symbol("theta_d0") + sp.Symbol("theta_d1") * x))),
            Step("output", (sp.Symbol("y"), y)),
            Step("slope: the active units' theta_d1 phi_d", (sp.Derivative(sp.Symbol("y"), x), sp.diff(y, x).replace(
                sp.Heaviside, lambda t, *_: sp.Function(r"\mathbb{1}_{> 0}")(t)))),
            Step("a unit switches where its pre-activation is 0", (sp.Symbol("x_d"), joints)),
            Step("D joints cut the line into at most D + 1 linear regions", sp.Le(regions, n_units + 1)),
            Step(f"here D = {D}", sp.Le(regions, D + 1)),
        ),
        result=joints, args={"theta": theta}, values={"max_regions": D + 1},
        notes=("Fewer regions appear when joints coincide, when a unit has theta_d1 = 0 (no joint), "
               "or when phi_d = 0 (the slope does not change at its joint).",))
