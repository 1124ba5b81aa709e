"""Batch normalization's backward pass for a batch of three, derived (deck 003)."""
from __future__ import annotations

from functools import cache

import sympy as sp

from .._checks import positive_int
from .derivation import Derivation, Step, check_step, partial, tex


@cache
def batchnorm_backward_derivation(m: int = 3) -> Derivation:
    """dl/dx_i, dl/dgamma, dl/dbeta of batch normalization, by the deck's chain rule.

    One feature over a batch of m: mu = mean(x), sigma2 = mean((x - mu)^2),
    xhat = (x - mu) / sqrt(sigma2 + eps), y = gamma xhat + beta. The upstream gradient dl/dy is
    the vector ``dy`` (l = sum_i dy_i y_i has exactly that gradient). Follows deck 003, "Batch
    normalization: backpropagation" (Ioffe and Szegedy, 2015).

    Shapes
    ------
    args x, dy: (m,); gamma, beta, eps: scalars. result (dl/dx (m,), dl/dgamma, dl/dbeta).
    """
    m = positive_int(m, "m")
    x, dy = sp.Matrix(sp.symbols(f"x_1:{m + 1}", real=True)), sp.Matrix(sp.symbols(f"dy_1:{m + 1}", real=True))
    gamma, beta = sp.symbols("gamma beta", real=True)
    eps = sp.Symbol("delta", positive=True)   # the deck's epsilon; epsilon is the learning rate
    mu = sum(x) / m
    var = sum((xi - mu) ** 2 for xi in x) / m
    xhat = (x - mu * sp.ones(m, 1)) / sp.sqrt(var + eps)
    y = gamma * xhat + beta * sp.ones(m, 1)
    loss = (dy.T * y)[0]

    # the deck's equations, term by term
    dxhat = dy * gamma
    dvar = sum(dxhat[i] * (x[i] - mu) for i in range(m)) * sp.Rational(-1, 2) * (var + eps) ** sp.Rational(-3, 2)
    dmu = sum(dxhat[i] * (-1 / sp.sqrt(var + eps)) for i in range(m))
    dx = sp.Matrix([dxhat[i] / sp.sqrt(var + eps) + dvar * 2 * (x[i] - mu) / m + dmu / m for i in range(m)])
    dgamma, dbeta = sum(dy[i] * xhat[i] for i in range(m)), sum(dy)
    # coursekit's one-line form: (1/m) inv_std (m dxhat - sum dxhat - xhat sum(dxhat xhat))
    compact = (m * dxhat - sum(dxhat) * sp.ones(m, 1) - xhat * (dxhat.T * xhat)[0]) / (m * sp.sqrt(var + eps))
    direct = [sp.diff(loss, v) for v in (*x, gamma, beta)]

    i, sym_m = sp.Symbol("i", integer=True), sp.Symbol("m", integer=True, positive=True)
    xi, mu_B, s2 = sp.symbols(r"x_i \mu_B \sigma_B^2")
    g_xhat, g_var, g_mu = partial(r"\ell", r"\hat{x}_i"), partial(r"\ell", r"\sigma_B^2"), partial(r"\ell", r"\mu_B")
    return Derivation(
        f"batch normalization backward (batch of {m})", "deck 003, batch normalization: backpropagation",
        steps=(
            Step("mini-batch mean", (mu_B, sp.Sum(xi, (i, 1, sym_m)) / sym_m)),
            Step("mini-batch variance", (s2, sp.Sum((xi - mu_B) ** 2, (i, 1, sym_m)) / sym_m)),
            Step("normalize", (tex(r"\hat{x}_i"), (xi - mu_B) / sp.sqrt(s2 + eps))),
            Step("scale and shift", (sp.Symbol("y_i"), gamma * tex(r"\hat{x}_i") + beta)),
            Step("through xhat", (g_xhat, partial(r"\ell", "y_i") * gamma)),
            Step("through the variance", (g_var, sp.Sum(g_xhat * (xi - mu_B), (i, 1, sym_m)) * sp.Rational(-1, 2)
                                          * (s2 + eps) ** sp.Rational(-3, 2))),
            Step("through the mean", (g_mu, sp.Sum(g_xhat * (-1 / sp.sqrt(s2 + eps)), (i, 1, sym_m)))),
            Step("input gradient", (partial(r"\ell", "x_i"), g_xhat / sp.sqrt(s2 + eps) + g_var * 2 * (xi - mu_B) / sym_m
                                    + g_mu / sym_m)),
            Step("parameter gradients", (sp.Tuple(partial(r"\ell", r"\gamma"), partial(r"\ell", r"\beta")),
                                         sp.Tuple(sp.Sum(partial(r"\ell", "y_i") * tex(r"\hat{x}_i"), (i, 1, sym_m)),
                                                  sp.Sum(partial(r"\ell", "y_i"), (i, 1, sym_m))))),
            check_step(f"check: direct differentiation minus the deck's equations, m = {m}",
                       [d - b for d, b in zip(direct, (*dx, dgamma, dbeta))]),
            check_step("check: the deck's dl/dx minus coursekit's one-line form", dx - compact),
        ),
        result=(dx, dgamma, dbeta), args={"x": x, "gamma": gamma, "beta": beta, "eps": eps, "dy": dy},
        function=loss, wrt=(x, gamma, beta), samplers={"eps": lambda rng: 1e-5},
        notes=("The full chain rule for dl/dmu has a second term, dl/dsigma2 * sum_i -2 (x_i - mu) / m; "
               "it is 0 because the deviations from the mean sum to 0, so the deck leaves it out.",
               "The batch is normalized with the biased variance (divide by m), as on the slide.",
               "The small constant is the deck's epsilon (delta on its later slide, code eps); the lessons "
               "write delta because epsilon is the learning rate."))
