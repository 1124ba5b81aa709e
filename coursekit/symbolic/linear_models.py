"""Linear models' gradients, derived (deck 000: linear regression; deck 001: logistic regression)."""
from __future__ import annotations

from functools import cache

import sympy as sp

from .derivation import Derivation, Step, check_step, partial, tex


@cache
def linear_regression_gradient_derivation(m: int = 3, d: int = 2) -> Derivation:
    """grad_w J = (1/m) X^T (X w - y) for J = (1/m) sum_i 1/2 (w^T x_i - y_i)^2; zero at the normal equations.

    Follows deck 000, "Example: linear regression" (y_hat = w^T x, the mean squared error on the
    training set), with the 1/2 of every lesson: deck 000's MSE is 2J, with the same minimiser.
    Rows of X are the examples x_i^T (with the bias trick, x_i = (1, x)).
    """
    X = sp.Matrix(m, d, lambda i, j: sp.Symbol(f"x_{i + 1}{j + 1}", real=True))
    w = sp.Matrix(sp.symbols(f"w_1:{d + 1}", real=True))
    y = sp.Matrix(sp.symbols(f"y_1:{m + 1}", real=True))
    residual = X * w - y
    J = sum(r ** 2 for r in residual) / (2 * m)
    result = X.T * residual / m
    direct = sp.Matrix([sp.diff(J, wk) for wk in w])
    i, M = sp.Symbol("i", integer=True), sp.Symbol("m", positive=True)
    xi, yi = sp.Symbol(r"\mathbf{x}_i"), sp.Symbol("y_i")
    wx = tex(r"\mathbf{w}^\top \mathbf{x}_i")
    return Derivation(
        "linear regression gradient and the normal equations", "deck 000, example: linear regression",
        steps=(
            Step("the error: the mean of half the squared residuals", (sp.Symbol("J"), sp.Sum((wx - yi) ** 2 / 2, (i, 1, M)) / M)),
            Step("chain rule, one example at a time", (tex(r"\nabla_{\mathbf w} J"), sp.Sum((wx - yi) * xi, (i, 1, M)) / M)),
            Step("the rows of X are the examples", (tex(r"\nabla_{\mathbf w} J"), tex(r"\frac{1}{m} X^\top (X\mathbf w - \mathbf y)"))),
            Step("zero gradient: the normal equations", sp.Eq(tex(r"X^\top X \mathbf w"), tex(r"X^\top \mathbf y"))),
            check_step("check: direct differentiation minus X^T(Xw - y)/m", direct - result),
        ),
        result=result, args={"w": w, "X": X, "y": y}, function=J, wrt=(w,),
        notes=("Deck 000's MSE has no 1/2: it is 2J, whose gradient is twice this and whose minimiser is the same. "
               "coursekit's MSELoss is this J for a batch of m rows.",))


@cache
def logistic_regression_gradient_derivation(d: int = 3) -> Derivation:
    """dJ/dz = sigma(z) - t and grad_w J = (sigma(z) - t) x for the cross-entropy of p = sigma(w^T x).

    Follows deck 001, "Logistic regression" (replace the perceptron's threshold by the logistic
    sigmoid, read sigma as the probability of class 1, train with gradient descent), on one
    example with target t in [0, 1]; with the bias trick x = (1, x_1, ...) and w_1 is the offset.
    """
    w = sp.Matrix(sp.symbols(f"w_1:{d + 1}", real=True))
    x = sp.Matrix(sp.symbols(f"x_1:{d + 1}", real=True))
    t = sp.Symbol("t", real=True)
    zw = (w.T * x)[0]
    sigma = 1 / (1 + sp.exp(-zw))
    J = -t * sp.log(sigma) - (1 - t) * sp.log(1 - sigma)
    result = (sigma - t) * x
    direct = sp.Matrix([sp.diff(J, wk) for wk in w])
    z, s = sp.Symbol("z"), sp.Function(r"\sigma")(sp.Symbol("z"))
    return Derivation(
        "logistic regression gradient", "deck 001, logistic regression",
        steps=(
            Step("the model: a probability of class 1", (sp.Symbol("p"), s, 1 / (1 + sp.exp(-z)))),
            Step("cross-entropy of one example", (sp.Symbol("J"), -t * sp.log(s) - (1 - t) * sp.log(1 - s))),
            Step("sigma' = sigma (1 - sigma)", (partial("J", "z"), -t * (1 - s) + (1 - t) * s, s - t)),
            Step("chain rule through z = w^T x", (tex(r"\nabla_{\mathbf w} J"), tex(r"(\sigma(z) - t)\,\mathbf x"))),
            check_step("check: direct differentiation minus (sigma(z) - t) x", direct - result),
        ),
        result=result, args={"w": w, "x": x, "t": t}, function=J, wrt=(w,),
        samplers={"t": lambda rng: rng.uniform()},
        notes=("The same p - t as softmax with cross-entropy (deck 003): the sigmoid is a softmax over "
               "two classes. coursekit's BCEWithLogitsLoss takes z and computes this gradient (over n "
               "examples, the mean).",))
