"""Activation functions and their derivatives, derived (deck 000, 001, 002, 003; COURSE topic 3).

Each function returns a :class:`Derivation` whose result is the derivative that
:mod:`coursekit.activations` implements, so the two can be compared point by point. The names
say which is which: ``activations.sigmoid_prime(z)`` is the formula, ``sigmoid_prime_derivation()``
derives it, and ``backprop.sigmoid_backward(z)`` gets it from ``Sigmoid().backward``.
"""
from __future__ import annotations

from functools import cache

import sympy as sp

from .derivation import Derivation, Step, check_step, tex

z = sp.Symbol("z", real=True)
sigma = sp.Function("sigma")          # display only: the name of the function on the slide


def logistic(t):
    """sigma(t) = 1 / (1 + e^(-t)) as a SymPy expression."""
    return 1 / (1 + sp.exp(-t))


@cache
def sigmoid_prime_derivation() -> Derivation:
    """sigma'(z) = sigma(z) (1 - sigma(z)) by the quotient rule.

    Follows deck 001, "Applying the chain rule" (sigma and its derivative), and deck 003,
    "Practice: non-linear activation (sigmoid)".
    """
    s = logistic(z)
    direct = sp.diff(s, z)
    return Derivation(
        "sigmoid derivative", "deck 001, applying the chain rule: sigma' = sigma (1 - sigma)",
        steps=(
            Step("definition", (sigma(z), s)),
            Step("quotient rule", (sp.Derivative(sigma(z), z), direct)),
            Step("split the fraction", sp.Mul(s, sp.exp(-z) / (1 + sp.exp(-z)), evaluate=False)),
            Step("second factor", (sp.exp(-z) / (1 + sp.exp(-z)), 1 - s, 1 - sigma(z))),
            Step("result", (sp.Derivative(sigma(z), z), sigma(z) * (1 - sigma(z)))),
            check_step("check: direct minus result", direct - s * (1 - s)),
        ),
        result=s * (1 - s), args={"z": z}, function=s, wrt=(z,))


@cache
def sigmoid_prime_via_y_derivation() -> Derivation:
    """sigma'(x) by the chain rule through y = 1 + e^(-x), sigma = y^(-1).

    Follows deck 000, "Perceptron" (the handwritten chain-rule slide).
    """
    x, y = sp.Symbol("x", real=True), sp.Symbol("y", positive=True)
    y_of_x = 1 + sp.exp(-x)
    dsigma_dy, dy_dx = sp.diff(1 / y, y), sp.diff(y_of_x, x)
    chain = (dsigma_dy * dy_dx).subs(y, y_of_x)
    s = logistic(x)
    return Derivation(
        "sigmoid derivative through y = 1 + e^(-x)", "deck 000, perceptron: chain rule slide",
        steps=(
            Step("inner function", (y, y_of_x)),
            Step("outer function", (sigma(x), y ** -1)),
            Step("derivative of the outer function", (sp.Derivative(sigma(x), y), dsigma_dy)),
            Step("derivative of the inner function", (sp.Derivative(y, x), dy_dx)),
            Step("chain rule", (sp.Derivative(sigma(x), x),
                                sp.Mul(sp.Derivative(sigma(x), y), sp.Derivative(y, x), evaluate=False),
                                sp.Mul(dsigma_dy, dy_dx, evaluate=False), chain)),
            Step("rewrite with sigma", (chain, sigma(x) * (1 - sigma(x)))),
            check_step("check: chain minus sigma (1 - sigma)", chain - s * (1 - s)),
        ),
        result=chain, args={"x": x}, function=s, wrt=(x,),
        notes=("The deck's handwritten slide also has a garbled line for z = sigma(wx); this follows "
               "its clean column, sigma = y^(-1) with y = 1 + e^(-x).",))


@cache
def tanh_prime_derivation() -> Derivation:
    """tanh'(z) = 1 - tanh(z)^2 from tanh = (e^z - e^(-z)) / (e^z + e^(-z)).

    Follows deck 000, "Hidden units: tanh".
    """
    t = (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z))
    direct = sp.diff(t, z)
    quotient = ((sp.exp(z) + sp.exp(-z)) ** 2 - (sp.exp(z) - sp.exp(-z)) ** 2) / (sp.exp(z) + sp.exp(-z)) ** 2
    return Derivation(
        "tanh derivative", "deck 000, hidden units: tanh",
        steps=(
            Step("definition", (sp.tanh(z), t)),
            Step("quotient rule", (sp.Derivative(sp.tanh(z), z), quotient)),
            Step("split the fraction", (quotient, 1 - t ** 2, 1 - sp.tanh(z) ** 2)),
            check_step("check: direct minus result", direct - (1 - t ** 2)),
        ),
        result=1 - sp.tanh(z) ** 2, args={"z": z}, function=t, wrt=(z,))


@cache
def softplus_prime_derivation() -> Derivation:
    """softplus'(z) = sigma(z) for softplus(z) = log(1 + e^z).

    Follows deck 002, "Activation functions" (softplus) and deck 001's smooth-ReLU remark.
    """
    sp_z = sp.log(1 + sp.exp(z))
    direct = sp.diff(sp_z, z)
    return Derivation(
        "softplus derivative", "deck 002, activation functions: softplus",
        steps=(
            Step("definition", (sp.Function("softplus")(z), sp_z)),
            Step("chain rule", (sp.Derivative(sp.Function("softplus")(z), z), direct)),
            Step("divide by e^z", (direct, logistic(z), sigma(z))),
            check_step("check: direct minus sigma", direct - logistic(z)),
        ),
        result=logistic(z), args={"z": z}, function=sp_z, wrt=(z,),
        notes=("Deck 002's slide writes softplus as ln(1 + e^(-z)); that is softplus(-z), a "
               "decreasing function. The smooth ReLU, whose derivative is sigma(z), is ln(1 + e^z).",))


@cache
def relu_prime_derivation() -> Derivation:
    """ReLU'(z) = 1 for z > 0 and 0 for z < 0, piecewise.

    Follows deck 000, "Hidden units: ReLU", and deck 003, "Rectified linear neurons".
    """
    relu = sp.Piecewise((z, z > 0), (0, True))
    return Derivation(
        "ReLU derivative", "deck 000, hidden units: ReLU",
        steps=(
            Step("definition", (sp.Max(0, z), relu)),
            Step("differentiate each piece", (sp.Derivative(sp.Max(0, z), z), sp.diff(relu, z))),
            Step("SymPy's own derivative of max", sp.diff(sp.Max(0, z), z)),
        ),
        result=sp.Piecewise((1, z > 0), (0, True)), args={"z": z}, function=relu, wrt=(z,),
        samplers={"z": lambda rng: rng.choice([-1, 1]) * rng.uniform(0.1, 1.0)},
        notes=("ReLU has no derivative at z = 0. coursekit and PyTorch use 0 there (deck 000's "
               "slide too); SymPy's Heaviside(0) is 1/2. Random checks avoid a neighbourhood of 0.",))


@cache
def softmax_jacobian_derivation(K: int = 3) -> Derivation:
    """dp_i/dz_j = p_i (1{i=j} - p_j), i.e. J = diag(p) - p p^T, for p = softmax(z).

    Follows deck 000, "Output unit: softmax", and deck 003, "Softmax neurons".
    """
    zs = sp.Matrix(sp.symbols(f"z_1:{K + 1}", real=True))
    S = sum(sp.exp(zk) for zk in zs)
    p = zs.applyfunc(lambda zk: sp.exp(zk) / S)
    jac = p.jacobian(zs)
    claim = sp.diag(*p) - p * p.T
    ps = sp.Matrix(sp.symbols(f"p_1:{K + 1}"))
    i, j = sp.symbols("i j", integer=True)
    return Derivation(
        "softmax Jacobian", "deck 003, softmax neurons",
        steps=(
            Step("definition", (sp.Symbol("p_i"), sp.exp(sp.Symbol("z_i")) / sp.Sum(sp.exp(sp.Symbol("z_k")), (sp.Symbol("k"), 1, K)))),
            Step("quotient rule, by components", (tex(r"\frac{\partial p_i}{\partial z_j}"),
                                                  sp.Symbol("p_i") * (sp.KroneckerDelta(i, j) - sp.Symbol("p_j")))),
            Step("matrix form", (sp.Symbol("J"), tex(r"\operatorname{diag}(p) - p p^{T}"),
                                 sp.diag(*ps) - ps * ps.T)),
            check_step("check: SymPy's Jacobian minus diag(p) - p p^T", jac - claim),
        ),
        result=claim, args={"z": zs}, function=p, wrt=(zs,))
