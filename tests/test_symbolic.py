"""coursekit.symbolic: every derivation renders, and every derived gradient is proven three ways.

Expected values come from the slides (written here by hand), from SymPy differentiating a loss
written out in this file, from finite differences, or from coursekit's own backward passes.
"""
import numpy as np
import pytest
import sympy as sp

from coursekit import symbolic
from coursekit.activations import Sigmoid
from coursekit.symbolic import backprop, compare
from coursekit.symbolic.derivation import Derivation, Step, _escape, check_step, exact_zero

ALL = {f.__name__: f for f in symbolic.DERIVATIONS}
GRADIENTS = [name for name, f in ALL.items() if f().function is not None]
BACKPROP = {f.__name__: fn for f, fn in symbolic.BACKPROP_FOR.items()}


# -- every derivation renders and says where it comes from -------------------------------
@pytest.mark.parametrize("name", ALL)
def test_renders_every_step_as_latex_and_markdown(name):
    d = ALL[name]()
    latex, markdown = d._repr_latex_(), d._repr_markdown_()
    assert latex.startswith("$$") and latex.endswith("$$") and len(d.steps) >= 3
    for step in d.steps:
        assert step.label and _escape(step.label) in latex and step.label in markdown
    assert d.name in repr(d) and d.name in markdown


@pytest.mark.parametrize("name", ALL)
def test_docstring_and_source_name_the_deck(name):
    assert "deck 00" in ALL[name].__doc__ and "follows deck" in ALL[name].__doc__.lower()
    assert ALL[name]().source.startswith("deck 00")


def test_every_issue_derivation_exists_with_a_numeric_counterpart_for_each_gradient():
    assert len(ALL) == 28 and len(GRADIENTS) == 18
    assert sorted(BACKPROP) == sorted(GRADIENTS) and all(map(callable, BACKPROP.values()))


def test_every_derivation_is_named_for_what_it_derives():
    assert all(name.endswith("_derivation") for name in ALL), [n for n in ALL if not n.endswith("_derivation")]


# -- the three-way check: SymPy == coursekit backprop == finite differences ---------------
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", GRADIENTS)
def test_sympy_equals_coursekit_backprop_equals_finite_differences(name, seed):
    result = compare(ALL[name](), BACKPROP[name], rng=seed, points=3)
    assert result.sympy_vs_backprop < 1e-8, result
    assert result.sympy_vs_numerical < 1e-8, result
    assert result.backprop_vs_numerical < 1e-8, result


def test_softmax_jacobian_matches_the_core_formula():
    from coursekit.activations import softmax, softmax_jacobian
    rng = np.random.default_rng(3)
    J = symbolic.softmax_jacobian_derivation().lambdify()
    for z in rng.normal(size=(4, 3)):
        np.testing.assert_allclose(J(z), softmax_jacobian(softmax(z)), rtol=1e-12, atol=1e-15)


# -- worked numbers of the slides, exact ---------------------------------------------------
def test_add_multiply_graph_reproduces_deck_003_numbers_exactly():
    d = symbolic.add_multiply_graph_derivation()
    assert d.values == {"q": 3, "f": -12, "df/dx": -4, "df/dy": -4, "df/dz": 3}
    assert [float(v) for v in d.lambdify()(-2.0, 5.0, -4.0)] == [-4.0, -4.0, 3.0]


def test_squared_norm_Wx_reproduces_the_worked_numbers_as_rationals():
    v = symbolic.squared_norm_Wx_derivation().values
    R = sp.Rational
    assert v["f"] == R("0.116")                     # 0.22^2 + 0.26^2
    assert v["q"] == sp.Matrix([R("0.22"), R("0.26")])
    assert v["grad_W"] == sp.Matrix([[R("0.088"), R("0.176")], [R("0.104"), R("0.208")]])
    assert v["grad_x"] == sp.Matrix([R("-0.112"), R("0.636")])


def test_squared_norm_Wx_numbers_through_a_coursekit_linear_layer():
    W, x = np.array([[0.1, 0.5], [-0.3, 0.8]]), np.array([0.2, 0.4])
    grad_W, grad_x = backprop.squared_norm_Wx(W, x)
    np.testing.assert_allclose(grad_W, [[0.088, 0.176], [0.104, 0.208]], rtol=1e-12)
    np.testing.assert_allclose(grad_x, [-0.112, 0.636], rtol=1e-12)
    sym_W, sym_x = symbolic.squared_norm_Wx_derivation().lambdify()(W, x)
    assert sym_W.shape == (2, 2) and sym_x.shape == (2,)


def test_sigmoid_and_relu_conventions_at_zero():
    from coursekit.activations import relu_prime
    assert symbolic.sigmoid_prime_derivation().lambdify()(0.0) == 0.25
    assert symbolic.relu_prime_derivation().lambdify()(0.0) == 0.0 == relu_prime(np.array(0.0))


def test_linear_regression_gradient_vanishes_at_the_least_squares_solution():
    """numpy's least squares (an independent solver) gives the w where X^T (X w - y) / m is 0."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((3, 2)), rng.standard_normal(3)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    grad = symbolic.linear_regression_gradient_derivation().lambdify()
    np.testing.assert_allclose(grad(w_star, X, y), 0, atol=1e-12)
    assert not np.allclose(grad(w_star + [0.1, 0.0], X, y), 0)


def test_logistic_regression_gradient_by_hand():
    """At w = 0, sigma(0) = 1/2: the gradient is (1/2 - t) x; it is 0 where sigma(w^T x) = t."""
    grad = symbolic.logistic_regression_gradient_derivation().lambdify()
    np.testing.assert_allclose(grad(np.zeros(3), np.array([1.0, 2.0, 3.0]), 1.0), [-0.5, -1.0, -1.5])
    w, x = np.array([0.3, -0.2, 0.5]), np.array([1.0, 0.5, -1.0])
    np.testing.assert_allclose(grad(w, x, 1 / (1 + np.exp(-w @ x))), 0, atol=1e-15)


def test_kl_sparsity_gradient_by_hand():
    """Every activation 1/2: rho_hat = 1/2, so with rho = 0.1, lam = 3, m = 3 each entry is (3/3)(-0.2 + 1.8) = 1.6."""
    grad = symbolic.kl_sparsity_gradient_derivation().lambdify()
    np.testing.assert_allclose(grad(np.full((3, 2), 0.5), 0.1, 3.0), np.full((3, 2), 1.6))


# -- identities hold exactly: backprop form minus direct derivative is 0 -----------------
def _sigma(t):
    return 1 / (1 + sp.exp(-t))


def test_delta_equations_equal_direct_differentiation_of_a_hand_written_loss():
    d = symbolic.delta_equations_derivation()
    x, y, W1, b1, W2, b2 = d.args.values()
    a2 = (W2 * (W1 * x + b1).applyfunc(_sigma) + b2).applyfunc(_sigma)
    J = ((y[0] - a2[0]) ** 2 + (y[1] - a2[1]) ** 2) / 2
    for params, grad in zip((W1, b1, W2, b2), d.result):
        assert grad.shape == params.shape
        for p, g in zip(params, grad):
            assert exact_zero(g - sp.diff(J, p))


def test_composite_partials_equal_direct_differentiation_exactly():
    d = symbolic.composite_backprop_derivation()
    x, y, beta, omega = d.args.values()
    f = beta[3] + omega[3] * sp.cos(beta[2] + omega[2] * sp.exp(beta[1] + omega[1] * sp.sin(beta[0] + omega[0] * x)))
    loss = (f - y) ** 2
    d_beta, d_omega = d.result
    for k in range(4):               # the same products of sin, cos, exp: expanding cancels them
        assert sp.expand(d_beta[k] - sp.diff(loss, beta[k])) == 0
        assert sp.expand(d_omega[k] - sp.diff(loss, omega[k])) == 0


def test_composite_domega0_is_the_deck_004_closed_form():
    d = symbolic.composite_backprop_derivation()
    x, y, beta, omega = d.args.values()
    f0 = beta[0] + omega[0] * x
    f1 = beta[1] + omega[1] * sp.sin(f0)
    f2 = beta[2] + omega[2] * sp.exp(f1)
    f = beta[3] + omega[3] * sp.cos(f2)
    deck = -2 * (f - y) * omega[1] * omega[2] * omega[3] * x * sp.cos(f0) * sp.exp(f1) * sp.sin(f2)
    assert sp.expand(d.result[1][0] - deck) == 0


def test_two_two_one_gradient_is_the_slide_product_and_notes_the_label_swap():
    d = symbolic.two_two_one_network_derivation()
    x, W1, w2, y = d.args.values()
    s1, s2 = W1[0, 0] * x[0] + W1[1, 0] * x[1], W1[0, 1] * x[0] + W1[1, 1] * x[1]
    y_hat = w2[0] * _sigma(s1) + w2[1] * _sigma(s2)
    slide = (y_hat - y) * w2[0] * _sigma(s1) * (1 - _sigma(s1)) * x[0]
    assert exact_zero(d.result - slide)
    assert any("swap" in note for note in d.notes)


@pytest.mark.parametrize("identity, expected", [
    (lambda z: sp.diff(_sigma(z), z) - _sigma(z) * (1 - _sigma(z)), True),
    (lambda z: sp.diff(_sigma(z), z) - _sigma(z) * (1 + _sigma(z)), False),   # sigma (1 + sigma)
    (lambda z: sp.exp(2 * z) - sp.exp(z) ** 2, True),
    (lambda z: sp.sin(z) ** 2 + sp.cos(z) ** 2 - 1, False),    # true, but beyond the sound test
    (lambda z: sp.exp(-z) - 1 / sp.exp(z) + 10 ** -30, False),
])
def test_exact_zero_is_sound(identity, expected):
    assert exact_zero(identity(sp.Symbol("z", real=True))) is expected


# -- wrong formulas are caught -------------------------------------------------------------
def test_compare_catches_a_wrong_backprop():
    def wrong(z):
        s = Sigmoid().forward(z)
        return s * (1 + s)                          # sigma (1 + sigma), a sign slip
    result = compare(symbolic.sigmoid_prime_derivation(), wrong, rng=0)
    assert result.sympy_vs_backprop > 0.1 and result.backprop_vs_numerical > 0.1
    assert result.sympy_vs_numerical < 1e-8


def test_compare_catches_a_wrong_derivation():
    good = symbolic.sigmoid_prime_derivation()
    s = _sigma(good.args["z"])
    wrong = Derivation("sigmoid derivative, wrong", good.source, good.steps, s * (1 + s), good.args,
                       function=good.function, wrt=good.wrt)
    result = compare(wrong, backprop.sigmoid_backward, rng=0)
    assert result.sympy_vs_numerical > 0.1 and result.sympy_vs_backprop > 0.1
    assert result.backprop_vs_numerical < 1e-8


class _SigmoidWithoutDerivative(Sigmoid):
    """The classic bug: delta = (a - y) without the factor f'(z)."""

    def f_prime(self, z, a):
        return np.ones_like(a)


def test_compare_catches_delta_without_f_prime():
    from coursekit.losses import MSELoss
    from coursekit.module import Sequential

    def buggy(x, y, W1, b1, W2, b2):
        net = Sequential(backprop._linear(W1, b1), Sigmoid(), backprop._linear(W2, b2),
                         _SigmoidWithoutDerivative())
        loss = MSELoss()
        loss(net.forward(x[None, :]), y[None, :])
        net.backward(loss.backward())
        return net[0].W.grad.T, net[0].b.grad, net[2].W.grad.T, net[2].b.grad
    result = compare(symbolic.delta_equations_derivation(), buggy, rng=0)
    assert result.sympy_vs_backprop > 0.1 and result.backprop_vs_numerical > 0.1


def test_a_derivation_whose_check_fails_raises():
    z = sp.Symbol("z")
    with pytest.raises(ArithmeticError, match="does not simplify to 0"):
        check_step("check", sp.diff(_sigma(z), z) - _sigma(z) * (1 + _sigma(z)))


@pytest.mark.parametrize("call, error, match", [
    (lambda: compare(symbolic.vjp_order_derivation()), ValueError, "not a gradient"),
    (lambda: compare("sigmoid"), TypeError, "derivation must be a Derivation"),
    (lambda: compare(symbolic.sigmoid_prime_derivation(), 3), TypeError, "numeric_fn"),
    (lambda: compare(symbolic.sigmoid_prime_derivation(), points=0), ValueError, "points"),
    (lambda: compare(symbolic.sigmoid_prime_derivation(), rng=None), TypeError, "rng"),
    (lambda: compare(symbolic.sigmoid_prime_derivation(), low=1.0, high=-1.0), ValueError, "low"),
    (lambda: compare(symbolic.sigmoid_prime_derivation(), lambda z: np.zeros(2)), ValueError, "numeric_fn returned 2"),
])
def test_compare_rejects_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_compare_without_backprop_and_same_seed_same_numbers():
    a = compare(symbolic.tanh_prime_derivation(), rng=5)
    b = compare(symbolic.tanh_prime_derivation(), rng=np.random.default_rng(5))
    assert np.isnan(a.sympy_vs_backprop) and a.sympy_vs_numerical < 1e-8
    assert a.sympy_vs_numerical == b.sympy_vs_numerical and a.max_error == a.sympy_vs_numerical
    assert "not run" in repr(a)


def test_derivation_is_read_only():
    d = symbolic.sigmoid_prime_derivation()
    with pytest.raises(TypeError):
        d.args["w"] = sp.Symbol("w")
    assert isinstance(d.steps[0], Step)
