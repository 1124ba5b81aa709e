"""The sparse autoencoder's penalty gradient, derived (deck 002, "Sparse activations")."""
from __future__ import annotations

from functools import cache

import sympy as sp

from .derivation import Derivation, Step, check_step, partial


@cache
def kl_sparsity_gradient_derivation(m: int = 3, h: int = 2) -> Derivation:
    """dP/da_ij = (lam/m) (-rho/rho_hat_j + (1 - rho)/(1 - rho_hat_j)) for P = lam sum_j KL(rho || rho_hat_j).

    Follows deck 002, "Autoencoder" (strategies for dimensionality reduction: sparse
    activations); the deck gives no formula, so this is the penalty of Ng's CS294A notes
    "Sparse autoencoder" (2011) in its notation, as coursekit.sparsity.KLSparsity computes it,
    with rho_hat_j = (1/m) sum_i a_ij the mean activation of hidden unit j over a batch of m.
    """
    A = sp.Matrix(m, h, lambda i, j: sp.Symbol(f"a_{i + 1}{j + 1}", positive=True))
    rho, lam = sp.symbols("rho lambda", positive=True)
    rho_hat = [sum(A[:, j]) / m for j in range(h)]
    P = lam * sum(rho * sp.log(rho / r) + (1 - rho) * sp.log((1 - rho) / (1 - r)) for r in rho_hat)
    result = sp.Matrix(m, h, lambda i, j: lam / m * (-rho / rho_hat[j] + (1 - rho) / (1 - rho_hat[j])))
    direct = sp.Matrix(m, h, lambda i, j: sp.diff(P, A[i, j]))
    i, j, M = sp.Symbol("i", integer=True), sp.Symbol("j", integer=True), sp.Symbol("m", positive=True)
    r_j, a_ij = sp.Symbol(r"\hat\rho_j", positive=True), sp.Symbol("a_{ij}")
    return Derivation(
        "sparse autoencoder: the KL penalty's gradient", "deck 002, autoencoder: sparse activations",
        steps=(
            Step("mean activation of hidden unit j over the batch", (r_j, sp.Sum(a_ij, (i, 1, M)) / M)),
            Step("the penalty: KL between coins of bias rho and rho_hat_j",
                 (sp.Symbol("P"), lam * sp.Sum(rho * sp.log(rho / r_j) + (1 - rho) * sp.log((1 - rho) / (1 - r_j)), (j, 1, h)))),
            Step("differentiate one term", (partial("P", r"\hat\rho_j"), lam * (-rho / r_j + (1 - rho) / (1 - r_j)))),
            Step("chain rule: d rho_hat_j / d a_ij = 1/m", (partial("P", "a_{ij}"), lam / M * (-rho / r_j + (1 - rho) / (1 - r_j)))),
            check_step("check: direct differentiation minus the formula, every a_ij", direct - result),
        ),
        result=result, args={"A": A, "rho": rho, "lam": lam}, function=P, wrt=(A,),
        samplers={"A": lambda rng: rng.uniform(0.05, 0.95, (m, h)), "rho": lambda rng: rng.uniform(0.02, 0.5),
                  "lam": lambda rng: rng.uniform(0.1, 2.0)},
        notes=("The gradient is the same for every example of the batch and zero when rho_hat_j = rho. "
               "Ng writes beta for lambda and adds the term to each example's delta before averaging "
               "the weight gradients over m; coursekit's 1/m sits in dP/da instead (the same weight gradients).",))
