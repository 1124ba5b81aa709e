"""Regularized optima and dropout's expectation, derived (deck 003, "Regularization")."""
from __future__ import annotations

from functools import cache

import sympy as sp

from .derivation import Derivation, Step, check_step, tex


@cache
def l2_optimum_derivation() -> Derivation:
    """The L2-regularized optimum near theta*: theta_R = (H + lambda I)^-1 H theta*.

    With L(theta) ~ L(theta*) + 1/2 (theta - theta*)^T H (theta - theta*), the gradient of
    L + lambda/2 ||theta||^2 is H (theta - theta*) + lambda theta; setting it to 0 gives theta_R.
    Along an eigenvector of H with eigenvalue h, theta* is scaled by h / (h + lambda).
    Follows deck 003, "l2 regularization: effect on the optimal solution" (the deck writes the
    penalty's strength alpha and the eigenvalues lambda_i; the lessons keep alpha for momentum).
    """
    theta = sp.Matrix(sp.symbols("theta_1 theta_2", real=True))
    star = sp.Matrix(sp.symbols("theta_1^* theta_2^*", real=True))
    H11, H12, H22 = sp.symbols("H_11 H_12 H_22", real=True)
    H = sp.Matrix([[H11, H12], [H12, H22]])
    lam = sp.Symbol("lambda", positive=True)
    L_R = ((theta - star).T * H * (theta - star))[0] / 2 + lam * (theta.T * theta)[0] / 2
    grad = sp.Matrix([sp.diff(L_R, v) for v in theta])
    solution = sp.solve(list(grad), list(theta), dict=True)[0]
    theta_R = theta.xreplace(solution)
    claim = (H + lam * sp.eye(2)).inv() * H * star
    h1, h2 = sp.symbols("h_1 h_2", positive=True)
    diagonal = theta_R.xreplace({H11: h1, H22: h2, H12: 0}).applyfunc(sp.factor)
    return Derivation(
        "L2-regularized optimum", "deck 003, l2 regularization: effect on the optimal solution",
        steps=(
            Step("regularized quadratic model", (tex(r"J_R(\theta)"),
                 tex(r"\frac{1}{2}(\theta - \theta^*)^T H (\theta - \theta^*) + \frac{\lambda}{2}\|\theta\|^2"))),
            Step("gradient", (tex(r"\nabla J_R"), tex(r"H(\theta - \theta^*) + \lambda \theta"), grad)),
            Step("set to zero and solve", (tex(r"\theta_R^*"), theta_R.applyfunc(sp.factor))),
            check_step("check: solution minus (H + lambda I)^-1 H theta*", theta_R - claim),
            Step("diagonal H = diag(h_1, h_2): each coordinate scaled by h / (h + lambda)", (tex(r"\theta_R^*"), diagonal)),
        ),
        result=theta_R, args={"H": H, "theta_star": star, "lam": lam},
        notes=("H is symmetric: lambdify() reads H[1, 0] as H_12 (it must equal H[0, 1]).",))


@cache
def l1_soft_threshold_derivation() -> Derivation:
    """The L1-regularized optimum for a diagonal H: sign(theta*) max(|theta*| - lambda/H, 0).

    Per coordinate, minimise 1/2 H (theta - theta*)^2 + lambda |theta| (H > 0): solve on each
    side of 0; where neither solution lies on its side, the minimum is at the kink theta = 0.
    Follows deck 003, "l1 regularization: effect on the optimal solution".
    """
    theta, star = sp.symbols("theta theta^*", real=True)
    H, lam = sp.symbols("H_ii lambda", positive=True)
    right = sp.solve(sp.diff(H * (theta - star) ** 2 / 2 + lam * theta, theta), theta)[0]   # theta > 0
    left = sp.solve(sp.diff(H * (theta - star) ** 2 / 2 - lam * theta, theta), theta)[0]    # theta < 0
    optimum = sp.Piecewise((right, star > lam / H), (left, star < -lam / H), (0, True))
    return Derivation(
        "L1-regularized optimum (soft threshold)", "deck 003, l1 regularization: effect on the optimal solution",
        steps=(
            Step("objective per coordinate", (tex(r"J_R"), H * (theta - star) ** 2 / 2 + lam * sp.Abs(theta))),
            Step("theta > 0: stationary at", (theta, right)),
            Step("theta < 0: stationary at", (theta, left)),
            Step("otherwise 0 is in the subgradient: the minimum is at the kink", (tex(r"\theta_R^*"), optimum)),
            Step("deck's form", (tex(r"\theta_R^*"), sp.Piecewise(
                (sp.Max(star - lam / H, 0), star >= 0), (sp.Min(star + lam / H, 0), True)))),
        ),
        result=optimum, args={"theta_star": star, "H": H, "lam": lam},
        notes=("coursekit.regularization.soft_threshold(theta_star, lambda / H) computes the same "
               "function; coordinates with |theta*| <= lambda / H become exactly 0 (sparsity). "
               "Deck 003 writes the strength alpha; the lessons write lambda (alpha is momentum).",))


@cache
def dropout_expectation_derivation() -> Derivation:
    """Inverted dropout keeps the expectation: E[m / (1 - p)] = 1 for m ~ Bernoulli(1 - p).

    Follows deck 003, "Dropout" (random binary masks; drop probability 0.2 on inputs and 0.5 on
    hidden units), with the inverted scaling coursekit uses.
    """
    p = sp.Symbol("p", nonnegative=True)
    m = sp.Symbol("m")
    prob = {0: p, 1: 1 - p}                        # P(m = 0) = p: p is the drop probability
    mean = sp.simplify(sum(prob[v] * sp.Integer(v) / (1 - p) for v in (0, 1)))
    second = sp.simplify(sum(prob[v] * (sp.Integer(v) / (1 - p)) ** 2 for v in (0, 1)))
    variance = sp.simplify(second - mean ** 2)
    E = sp.Function("E")
    return Derivation(
        "dropout expectation", "deck 003, dropout (inverted scaling)",
        steps=(
            Step("mask", sp.Tuple(sp.Eq(tex("P(m = 1)"), 1 - p), sp.Eq(tex("P(m = 0)"), p))),
            Step("expectation of the scaled mask", (E(m / (1 - p)), sp.Mul(1 - p, 1 / (1 - p), evaluate=False) + 0, mean)),
            Step("so each unit keeps its expectation", (E(m * sp.Symbol("x") / (1 - p)), sp.Symbol("x"))),
            Step("the price: variance", (sp.Function("Var")(m / (1 - p)), sp.Mul(p, 1 / (1 - p), evaluate=False))),
            check_step("check: E[(m/(1-p))^2] - 1 minus p/(1-p)", variance - p / (1 - p)),
        ),
        result=mean, args={"p": p}, values={"mean": mean, "variance": variance},
        notes=("p is the probability of dropping a unit (PyTorch's convention); some slides and the "
               "original paper use the keep probability 1 - p.",))
