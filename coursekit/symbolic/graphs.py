"""Backprop on computational graphs (deck 003 toy examples; deck 000 chain rule over paths).

The worked numbers of the slides are reproduced exactly: the inputs are SymPy Rationals, so
``values["f"] == Rational(29, 250)`` is 0.116 exactly, not a float near it.
"""
from __future__ import annotations

from functools import cache

import sympy as sp

from .derivation import Derivation, Step, check_step, partial, tex


def _n(value):
    """A worked number for display: three significant digits, exact values kept in ``values``."""
    return value.applyfunc(lambda v: sp.N(v, 3)) if isinstance(value, sp.MatrixBase) else sp.N(value, 3)


@cache
def add_multiply_graph_derivation() -> Derivation:
    """f(x, y, z) = (x + y) z: local gradients, chain rule, and the slide's numbers.

    Follows deck 003, "Backpropagation: a simple example" (x = -2, y = 5, z = -4 give f = -12,
    df/dx = -4, df/dy = -4, df/dz = 3).
    """
    x, y, z, q, f = sp.symbols("x y z q f", real=True)
    dq_dx, dq_dy, df_dq, df_dz = partial("q", "x"), partial("q", "y"), partial("f", "q"), partial("f", "z")
    local = {"dq/dx": sp.diff(x + y, x), "dq/dy": sp.diff(x + y, y),
             "df/dq": sp.diff(q * z, q), "df/dz": sp.diff(q * z, z)}
    # chain rule: upstream gradient times local gradient; q is x + y in the forward pass
    grads = (local["df/dq"] * local["dq/dx"], local["df/dq"] * local["dq/dy"], local["df/dz"].subs(q, x + y))
    point = {x: -2, y: 5, z: -4}
    values = {"q": (x + y).subs(point), "f": ((x + y) * z).subs(point),
              "df/dx": grads[0].subs(point), "df/dy": grads[1].subs(point), "df/dz": grads[2].subs(point)}
    return Derivation(
        "f = (x + y) z", "deck 003, backpropagation: a simple example",
        steps=(
            Step("forward: add", (q, x + y)),
            Step("forward: multiply", (f, q * z)),
            Step("local gradients of the add node", (sp.Tuple(dq_dx, dq_dy), sp.Tuple(local["dq/dx"], local["dq/dy"]))),
            Step("local gradients of the multiply node", (sp.Tuple(df_dq, df_dz), sp.Tuple(local["df/dq"], local["df/dz"]))),
            Step("chain rule", (partial("f", "x"), sp.Mul(df_dq, dq_dx, evaluate=False), grads[0])),
            Step("chain rule for y", (partial("f", "y"), sp.Mul(df_dq, dq_dy, evaluate=False), grads[1])),
            Step("at x = -2, y = 5, z = -4: forward", (sp.Tuple(q, f), sp.Tuple(values["q"], values["f"]))),
            Step("backward", (sp.Tuple(partial("f", "x"), partial("f", "y"), partial("f", "z")),
                              sp.Tuple(values["df/dx"], values["df/dy"], values["df/dz"]))),
            check_step("check: direct differentiation minus chain rule",
                       [sp.diff((x + y) * z, v) - g for v, g in zip((x, y, z), grads)]),
        ),
        result=grads, args={"x": x, "y": y, "z": z}, function=(x + y) * z, wrt=(x, y, z),
        values=values)


W_EXAMPLE = sp.Matrix([[sp.Rational(1, 10), sp.Rational(1, 2)], [sp.Rational(-3, 10), sp.Rational(4, 5)]])
X_EXAMPLE = sp.Matrix([sp.Rational(1, 5), sp.Rational(2, 5)])


@cache
def squared_norm_Wx_derivation() -> Derivation:
    """f(x, W) = ||W x||^2: grad_W f = 2 q x^T and grad_x f = 2 W^T q, with q = W x.

    Follows deck 003, "A vectorized example" (W = [[0.1, 0.5], [-0.3, 0.8]]); x = (0.2, 0.4)
    as in the cs231n example the slide comes from: f = 0.116,
    grad_W = [[0.088, 0.176], [0.104, 0.208]], grad_x = (-0.112, 0.636).
    """
    W = sp.Matrix(2, 2, sp.symbols("W_11 W_12 W_21 W_22", real=True))
    x = sp.Matrix(sp.symbols("x_1 x_2", real=True))
    q = W * x
    f = (q.T * q)[0]
    grad_W, grad_x = 2 * q * x.T, 2 * W.T * q
    i, j, k = sp.symbols("i j k", integer=True)
    qk, qi, xj = sp.symbols("q_k q_i x_j")
    # dq_k/dW_ij for every k, i, j, as SymPy computes it, against the slide's 1{k=i} x_j
    local = [sp.diff(q[kk], W[ii, jj]) - sp.KroneckerDelta(kk, ii) * x[jj]
             for kk in range(2) for ii in range(2) for jj in range(2)]
    at = dict(zip(list(W) + list(x), list(W_EXAMPLE) + list(X_EXAMPLE)))
    values = {"q": q.subs(at), "f": f.subs(at), "grad_W": grad_W.subs(at), "grad_x": grad_x.subs(at)}
    return Derivation(
        "f(x, W) = ||W x||^2", "deck 003, backpropagation: a vectorized example",
        steps=(
            Step("forward", (sp.Symbol("q"), tex("W x"), q)),
            Step("loss", (sp.Symbol("f"), sp.Sum(qk ** 2, (k, 1, 2)))),
            Step("gradient at q", (partial("f", "q_k"), 2 * qk)),
            Step("local derivative, by components", (partial("q_k", "W_{i,j}"), sp.KroneckerDelta(k, i) * xj)),
            check_step("check: SymPy's dq_k/dW_ij minus 1{k=i} x_j, all k, i, j", local),
            Step("chain rule, summing over k", (partial("f", "W_{i,j}"),
                                                sp.Sum(2 * qk * sp.KroneckerDelta(k, i) * xj, (k, 1, 2)), 2 * qi * xj)),
            Step("matrix form for W", (tex(r"\nabla_W f"), tex("2 q x^{T}"), grad_W)),
            Step("matrix form for x", (tex(r"\nabla_x f"), tex("2 W^{T} q"), grad_x)),
            check_step("check: direct differentiation minus the matrix forms",
                       [sp.diff(f, W[a, b]) - grad_W[a, b] for a in range(2) for b in range(2)]
                       + [sp.diff(f, x[a]) - grad_x[a] for a in range(2)]),
            Step("numbers: W and x", (sp.Tuple(sp.Symbol("W"), sp.Symbol("x")), sp.Tuple(_n(W_EXAMPLE), _n(X_EXAMPLE)))),
            Step("numbers: forward", (sp.Tuple(sp.Symbol("q"), sp.Symbol("f")), sp.Tuple(_n(values["q"]), _n(values["f"])))),
            Step("numbers: gradients", (sp.Tuple(tex(r"\nabla_W f"), tex(r"\nabla_x f")),
                                        sp.Tuple(_n(values["grad_W"]), _n(values["grad_x"])))),
        ),
        result=(grad_W, grad_x), args={"W": W, "x": x}, function=f, wrt=(W, x), values=values,
        notes=("coursekit's Linear layer is batch-first: Z = X @ W_layer + b with W_layer = W^T, "
               "so W_layer.grad is the transpose of grad_W here.",))


@cache
def multi_path_chain_rule_derivation() -> Derivation:
    """dz/dx_i = sum_j dz/dy_j dy_j/dx_i: every path from x_i to z contributes.

    The graph: y = W x (W is 2 x 3, so each x_i reaches z through y_1 and y_2), and
    z = tanh(y_1) + tanh(y_2). Follows deck 000, "Backpropagation: chain rule" (the sum over
    paths and the vector form grad_x z = (dy/dx)^T grad_y z).
    """
    W = sp.Matrix(2, 3, sp.symbols("W_11 W_12 W_13 W_21 W_22 W_23", real=True))
    x = sp.Matrix(sp.symbols("x_1:4", real=True))
    ys = sp.Matrix(sp.symbols("y_1 y_2", real=True))
    y_of_x = W * x
    z = sp.tanh(ys[0]) + sp.tanh(ys[1])
    grad_y = sp.Matrix([sp.diff(z, v) for v in ys])
    dy_dx = y_of_x.jacobian(x)
    paths = [[grad_y[j] * dy_dx[j, i] for j in range(2)] for i in range(3)]   # path (x_i -> y_j -> z)
    by_paths = sp.Matrix([sum(p) for p in paths])
    vector = dy_dx.T * grad_y
    at_x = {ys[0]: y_of_x[0], ys[1]: y_of_x[1]}
    return Derivation(
        "multi-path chain rule", "deck 000, backpropagation: chain rule (sum over paths)",
        steps=(
            Step("the graph", (ys, tex("W x"), y_of_x)),
            Step("output", (sp.Symbol("z"), z)),
            Step("x_1 reaches z along two paths", (partial("z", "x_1"), sp.Add(
                sp.Mul(partial("z", "y_1"), partial("y_1", "x_1"), evaluate=False),
                sp.Mul(partial("z", "y_2"), partial("y_2", "x_1"), evaluate=False), evaluate=False))),
            Step("each path's product, for x_1", sp.Tuple(*paths[0])),
            Step("sum over paths, every x_i", (tex(r"\nabla_x z"), by_paths)),
            Step("vector form", (tex(r"\nabla_x z"), tex(r"\left(\frac{dy}{dx}\right)^{T} \nabla_y z"), vector)),
            check_step("check: sum over paths minus vector form", by_paths - vector),
            check_step("check: direct differentiation minus sum over paths",
                       [sp.diff(z.subs(at_x), xi) - g.subs(at_x) for xi, g in zip(x, by_paths)]),
            Step("one path alone misses a term", (paths[0][0] - by_paths[0], -paths[0][1])),
        ),
        result=by_paths.subs(at_x), args={"W": W, "x": x}, function=z.subs(at_x), wrt=(x,))


@cache
def vjp_order_derivation() -> Derivation:
    """Why backprop multiplies right to left: operation counts of g^T J_L ... J_1.

    The gradient of a loss through L layers of width n is the row vector g^T (1 x n) times L
    Jacobians (n x n). A product (a x b)(b x c) costs a b c multiplications. Starting at the
    gradient (vector-Jacobian products, what backprop does) costs L n^2; multiplying the
    Jacobians first costs (L - 1) n^3 + n^2. Follows deck 000, "Backpropagation: chain rule"
    (grad_x z = (dy/dx)^T grad_y z) and deck 003, "Back-propagation algorithm".
    """
    n, L, l = sp.symbols("n L l", positive=True, integer=True)
    vjp = sp.summation(1 * n * n, (l, 1, L))                            # (1 x n)(n x n), L times
    jacobians_first = sp.summation(n * n * n, (l, 1, L - 1)) + 1 * n * n  # then g^T times the product
    product = tex(r"g^{T} J_{L} J_{L-1} \cdots J_{1}")
    return Derivation(
        "vector-Jacobian order of multiplication", "deck 000, backpropagation: chain rule (vector form)",
        steps=(
            Step("the chain rule through L layers", (tex(r"\nabla_x \mathcal{L}^{T}"), product)),
            Step("cost of one product (a x b)(b x c)", tex("a b c")),
            Step("from the gradient: L vector-Jacobian products", (sp.Sum(n ** 2, (l, 1, L)), vjp)),
            Step("Jacobians first: L - 1 matrix products, then one vector", (sp.Sum(n ** 3, (l, 1, L - 1)) + n ** 2, jacobians_first)),
            Step("ratio", (sp.Symbol("ratio"), sp.simplify(jacobians_first / vjp))),
            Step("for large L", (sp.Limit(jacobians_first / vjp, L, sp.oo), sp.limit(jacobians_first / vjp, L, sp.oo))),
        ),
        result=(vjp, jacobians_first), args={"n": n, "L": L},
        values={"n=100, L=10": (vjp.subs({n: 100, L: 10}), jacobians_first.subs({n: 100, L: 10}))},
        notes=("Deck 003 writes the gradient as a row vector on the left (grad_W L = grad_h L grad_W h); "
               "deck 000 writes its transpose, (dy/dx)^T grad_y z. Either way backprop starts at the "
               "loss's gradient, so every product is a vector times a matrix.",))
