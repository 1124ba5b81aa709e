"""Optimization formulas, derived (deck 003, "Optimization" and the extra slides)."""
from __future__ import annotations

from functools import cache

import sympy as sp

from .derivation import Derivation, Step, check_step, tex


def _geometric(r, upper):
    """sum_{k=0}^{upper} r^k, the general (r != 1) branch of SymPy's closed form."""
    k = sp.Symbol("k", integer=True, nonnegative=True)
    total = sp.summation(r ** k, (k, 0, upper))
    return total.args[-1][0] if isinstance(total, sp.Piecewise) else total


@cache
def momentum_terminal_speed_derivation() -> Derivation:
    """Under a constant gradient g, momentum's step tends to eps ||g|| / (1 - alpha).

    Unrolling v <- alpha v - eps g from v = 0 gives v_t = -eps g sum_{k<t} alpha^k
    = -eps g (1 - alpha^t) / (1 - alpha) -> -eps g / (1 - alpha) for |alpha| < 1 (a geometric
    series). Follows deck 003, "Momentum: step sizes" (the exercise on the slide).
    """
    eps, g = sp.symbols(r"epsilon \|g\|", positive=True)
    alpha = sp.Symbol("alpha", real=True)
    t, k = sp.symbols("t k", integer=True, positive=True)
    unrolled, v = [], sp.S.Zero
    for _ in range(4):                       # the recursion itself, four steps from v = 0
        v = sp.expand(alpha * v - eps * g)
        unrolled.append(v)
    closed = -eps * g * _geometric(alpha, t - 1)
    series = sp.summation(alpha ** k, (k, 0, sp.oo))   # Piecewise: 1/(1 - alpha) if |alpha| < 1
    speed = eps * g / (1 - alpha)
    return Derivation(
        "momentum terminal speed", "deck 003, momentum: step sizes",
        steps=(
            Step("update with a constant gradient", (sp.Symbol("v_t"), alpha * sp.Symbol("v_{t-1}") - eps * g)),
            Step("four steps from v_0 = 0", sp.Tuple(*unrolled)),
            Step("unrolled", (sp.Symbol("v_t"), -eps * g * sp.Sum(alpha ** k, (k, 0, t - 1)), closed)),
            check_step("check: recursion minus closed form, t = 1..4",
                       [u - closed.subs(t, n) for n, u in enumerate(unrolled, 1)]),
            Step("geometric series", (sp.Sum(alpha ** k, (k, 0, sp.oo)), series)),
            Step("terminal speed for |alpha| < 1", (sp.Limit(sp.Abs(sp.Symbol("v_t")), t, sp.oo), speed)),
            Step("alpha = 0.9", (speed.subs(alpha, sp.Rational(9, 10)),)),
        ),
        result=speed, args={"epsilon": eps, "alpha": alpha, "g_norm": g},
        values={"alpha=0.9": speed.subs(alpha, sp.Rational(9, 10)) / (eps * g)})


@cache
def optimal_step_derivation() -> Derivation:
    """The best learning rate along -g for a quadratic model: eps* = g^T g / g^T H g.

    J(theta0 - eps g) = J(theta0) - eps g^T g + 1/2 eps^2 g^T H g is a parabola in eps, with
    its minimum where the derivative vanishes (if g^T H g > 0). Follows deck 003, extra slides
    "Intuition" (second-order approximation).
    """
    g = sp.Matrix(sp.symbols("g_1 g_2", real=True))
    H = sp.Matrix([[sp.Symbol("H_11"), sp.Symbol("H_12")], [sp.Symbol("H_12"), sp.Symbol("H_22")]])
    eps, J0 = sp.Symbol("epsilon", positive=True), sp.Symbol("J_0")
    gg, gHg = (g.T * g)[0], (g.T * H * g)[0]
    J = J0 - eps * gg + eps ** 2 * gHg / 2
    best = sp.solve(sp.diff(J, eps), eps)[0]
    return Derivation(
        "optimal step along -g", "deck 003, extra slides: intuition (second-order approximation)",
        steps=(
            Step("second-order model at theta0 - eps g", (tex(r"J(\theta_0 - \epsilon g)"),
                 J0 - eps * tex("g^T g") + eps ** 2 * tex("g^T H g") / 2)),
            Step("derivative in eps", (sp.Derivative(sp.Symbol("J"), eps), sp.diff(J, eps))),
            Step("zero at", (tex(r"\epsilon^{*}"), best, tex("g^T g") / tex("g^T H g"))),
            check_step("check: the solution minus g^T g / g^T H g", best - gg / gHg),
            Step("a minimum if the curvature along g is positive", (sp.Derivative(sp.Symbol("J"), (eps, 2)), sp.diff(J, eps, 2))),
        ),
        result=best, args={"g": g, "H": H},
        notes=("One of the deck's slides drops the eps^2 of the curvature term; the next has it. "
               "The deck's 'eps* = g^T g for zero curvature' is not a minimum: with g^T H g = 0 the "
               "model decreases without bound along -g.",
               "H is symmetric: lambdify() reads H[1, 0] as H_12 (it must equal H[0, 1]).",))


@cache
def adam_bias_correction_derivation() -> Derivation:
    """With a constant gradient g, Adam's first moment is s_t = (1 - rho1^t) g, so s_hat = g.

    Unrolling s <- rho1 s + (1 - rho1) g from s = 0 gives (1 - rho1) sum_{k<t} rho1^k g; for
    gradients with a stationary mean, E[s_t] = (1 - rho1^t) E[g] in the same way.
    Follows deck 003, "Adam" (Algorithm 7, "Correct biases").
    """
    rho1, g = sp.symbols("rho_1 g", real=True)
    t, k = sp.symbols("t k", integer=True, positive=True)
    unrolled, s = [], sp.S.Zero
    for _ in range(4):
        s = sp.expand(rho1 * s + (1 - rho1) * g)
        unrolled.append(s)
    closed = sp.factor((1 - rho1) * _geometric(rho1, t - 1)) * g
    return Derivation(
        "Adam bias correction", "deck 003, Adam: correct biases",
        steps=(
            Step("first moment update", (sp.Symbol("s_t"), rho1 * sp.Symbol("s_{t-1}") + (1 - rho1) * g)),
            Step("four steps from s_0 = 0", sp.Tuple(*unrolled)),
            Step("unrolled", (sp.Symbol("s_t"), (1 - rho1) * g * sp.Sum(rho1 ** k, (k, 0, t - 1)), closed)),
            check_step("check: recursion minus (1 - rho1^t) g, t = 1..4",
                       [u - (1 - rho1 ** n) * g for n, u in enumerate(unrolled, 1)]),
            Step("bias-corrected", (tex(r"\hat{s}_t"), sp.Symbol("s_t") / (1 - rho1 ** t), sp.cancel(closed / (1 - rho1 ** t)))),
        ),
        result=closed, args={"rho1": rho1, "g": g, "t": t},
        notes=("The second moment r works the same way with g * g and rho2: r_hat = g * g for a "
               "constant gradient, so Adam's first step is about -eps sign(g).",))


@cache
def learning_rate_conditions_derivation() -> Derivation:
    """eps_k = 1/k satisfies sum eps_k = oo and sum eps_k^2 = pi^2/6 < oo.

    Follows deck 003, "Stochastic gradient descent" (sufficient condition for convergence).
    """
    k = sp.Symbol("k", integer=True, positive=True)
    total, squares = sp.summation(1 / k, (k, 1, sp.oo)), sp.summation(1 / k ** 2, (k, 1, sp.oo))
    return Derivation(
        "learning-rate conditions for eps_k = 1/k", "deck 003, stochastic gradient descent",
        steps=(
            Step("the conditions", sp.Tuple(sp.Eq(sp.Sum(tex(r"\epsilon_k"), (k, 1, sp.oo)), sp.oo),
                                             sp.StrictLessThan(sp.Sum(tex(r"\epsilon_k") ** 2, (k, 1, sp.oo)), sp.oo))),
            Step("the harmonic series diverges", (sp.Sum(1 / k, (k, 1, sp.oo)), total)),
            Step("the squares converge (Basel problem)", (sp.Sum(1 / k ** 2, (k, 1, sp.oo)), squares)),
        ),
        result=(total, squares), args={}, values={"sum": total, "sum of squares": squares},
        notes=("A constant rate fails the second condition (the noise never averages out); 1/k^2 "
               "fails the first (the steps add up to a finite distance).",))
