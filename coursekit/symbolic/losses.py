"""Loss gradients, derived (deck 000 and 002: 1/2 ||y - a||^2; deck 003: softmax + cross-entropy)."""
from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from .derivation import Derivation, Step, check_step, partial, tex


@cache
def mse_gradient_derivation(k: int = 2) -> Derivation:
    """dJ/da = a - y for J = 1/2 ||y - a||^2 with k outputs.

    Follows deck 002, "Error in the output layer" (dJ/da_j = a_j - y_j), and deck 000,
    "Cost functions: euclidean loss".

    Note
    ----
    One example: coursekit's ``MSELoss`` averages over the batch, so for n rows its gradient
    is (a - y) / n.
    """
    a, y = sp.Matrix(sp.symbols(f"a_1:{k + 1}", real=True)), sp.Matrix(sp.symbols(f"y_1:{k + 1}", real=True))
    J = sum((y - a).applyfunc(lambda e: e ** 2)) / 2
    j = sp.Symbol("j", integer=True)
    yj, aj = sp.Symbol("y_j"), sp.Symbol("a_j")
    direct = sp.Matrix([sp.diff(J, ai) for ai in a])
    return Derivation(
        "mean squared error gradient", "deck 002, error in the output layer",
        steps=(
            Step("loss", (sp.Symbol("J"), sp.Sum((yj - aj) ** 2, (j, 1, k)) / 2)),
            Step("one term depends on a_j", (partial("J", "a_j"), sp.Mul(sp.Rational(1, 2), 2 * (yj - aj), -1, evaluate=False), aj - yj)),
            Step("vector form", (tex(r"\nabla_a J"), a - y)),
            check_step("check: direct differentiation minus a - y", direct - (a - y)),
        ),
        result=a - y, args={"a": a, "y": y}, function=J, wrt=(a,),
        notes=("The 1/2 cancels the 2 of the derivative. coursekit's MSELoss averages over the "
               "batch: for n examples its gradient is (a - y) / n.",))


@cache
def softmax_cross_entropy_gradient_derivation(K: int = 3) -> Derivation:
    """dL/dz = p - t for L = -sum_j t_j log p_j, p = softmax(z), sum_j t_j = 1.

    Follows deck 003, "Backpropagation: examples (NN with 1-hidden layer for classification)".
    """
    z = sp.Matrix(sp.symbols(f"z_1:{K + 1}", real=True))
    t = sp.Matrix(sp.symbols(f"t_1:{K + 1}", nonnegative=True))
    S = sum(sp.exp(zk) for zk in z)
    p = z.applyfunc(lambda zk: sp.exp(zk) / S)
    L = -sum(ti * sp.log(pi) for ti, pi in zip(t, p))
    direct = sp.Matrix([sp.diff(L, zj) for zj in z])
    total = sum(t)
    j, k = sp.symbols("j k", integer=True)
    zj, tj, pj = sp.symbols("z_j t_j p_j")
    sum_t = sp.Sum(sp.Symbol("t_j"), (j, 1, K))
    sum_exp = sp.Sum(sp.exp(sp.Symbol("z_k")), (k, 1, K))
    return Derivation(
        "softmax + cross-entropy gradient", "deck 003, backpropagation for classification",
        steps=(
            Step("loss", (sp.Symbol("L"), -sp.Sum(tj * sp.log(pj), (j, 1, K)))),
            Step("insert the softmax", (sp.Symbol("L"), -sp.Sum(tj * zj, (j, 1, K)) + sum_t * sp.log(sum_exp))),
            Step("the targets sum to 1", (sp.Symbol("L"), sp.log(sum_exp) - sp.Sum(tj * zj, (j, 1, K)))),
            Step("differentiate", (partial("L", "z_j"), sp.exp(zj) / sum_exp - tj, pj - tj)),
            check_step("check: direct derivative minus (p sum(t) - t)", direct - (p * total - t)),
        ),
        result=p - t, args={"z": z, "t": t}, function=L, wrt=(z,),
        samplers={"t": lambda rng: rng.dirichlet(np.ones(K))},
        notes=("Deck 003 calls the logits h_j. The gradient p - t needs sum_j t_j = 1 (one-hot "
               "or probability targets); for other t it is p sum(t) - t.",))
