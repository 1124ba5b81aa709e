"""SymPy derivations of the lectures' formulas, checked against coursekit's NumPy backprop.

Each function below returns a :class:`Derivation`: labelled steps that a notebook cell shows
as LaTeX, the result, ``lambdify()`` for a NumPy function of it, and for gradients the
function and variables that :func:`compare` needs for the three-way check (SymPy, coursekit's
backprop from :mod:`coursekit.symbolic.backprop`, finite differences)::

    from coursekit import symbolic
    symbolic.delta_equations()                                    # the steps, as LaTeX
    symbolic.compare(symbolic.delta_equations(), symbolic.backprop.delta_equations)

Modules follow the lectures: linear_models (linear and logistic regression), activations, losses, graphs (computational graphs, multi-path
chain rule, order of multiplication), networks (2-2-1 net, delta equations), composite
(deck 004's toy), shallow (ReLU regions), optimization, regularization, batchnorm, sparsity (the sparse autoencoder), counting.
"""
from . import backprop
from .activations import (relu_prime_derivation, sigmoid_prime_derivation, sigmoid_prime_derivation_via_y,
                          softmax_jacobian_derivation, softplus_prime_derivation, tanh_prime_derivation)
from .batchnorm import batchnorm_backward
from .compare import Comparison, compare, finite_difference_gradient, flat_gradient
from .composite import composite_backprop
from .counting import parameter_count
from .derivation import Derivation, Step, exact_zero
from .graphs import add_multiply_graph, multi_path_chain_rule, squared_norm_Wx, vjp_order
from .linear_models import linear_regression_gradient, logistic_regression_gradient
from .losses import mse_gradient, softmax_cross_entropy_gradient
from .networks import delta_equations, two_two_one_network
from .optimization import (adam_bias_correction, learning_rate_conditions, momentum_terminal_speed,
                           optimal_step)
from .regularization import dropout_expectation, l1_soft_threshold, l2_optimum
from .shallow import shallow_relu_regions
from .sparsity import kl_sparsity_gradient

#: Every derivation function, in the order of the course (for notebooks and tests).
DERIVATIONS = (
    linear_regression_gradient, logistic_regression_gradient,
    sigmoid_prime_derivation, sigmoid_prime_derivation_via_y, tanh_prime_derivation, softplus_prime_derivation,
    relu_prime_derivation, softmax_jacobian_derivation,
    mse_gradient, softmax_cross_entropy_gradient,
    add_multiply_graph, squared_norm_Wx, multi_path_chain_rule, vjp_order,
    two_two_one_network, delta_equations, composite_backprop, shallow_relu_regions,
    parameter_count,
    momentum_terminal_speed, optimal_step, adam_bias_correction, learning_rate_conditions,
    l2_optimum, l1_soft_threshold, dropout_expectation, batchnorm_backward, kl_sparsity_gradient,
)

#: coursekit's backprop for each gradient derivation: ``compare(d(), BACKPROP_FOR[d])``.
BACKPROP_FOR = {
    linear_regression_gradient: backprop.linear_regression_gradient,
    logistic_regression_gradient: backprop.logistic_regression_gradient,
    sigmoid_prime_derivation: backprop.sigmoid_backward,
    sigmoid_prime_derivation_via_y: backprop.sigmoid_backward,
    tanh_prime_derivation: backprop.tanh_backward,
    softplus_prime_derivation: backprop.softplus_backward,
    relu_prime_derivation: backprop.relu_backward,
    softmax_jacobian_derivation: backprop.softmax_jacobian_from_backward,
    mse_gradient: backprop.mse_gradient,
    softmax_cross_entropy_gradient: backprop.softmax_cross_entropy_gradient,
    add_multiply_graph: backprop.add_multiply_graph,
    squared_norm_Wx: backprop.squared_norm_Wx,
    multi_path_chain_rule: backprop.multi_path_chain_rule,
    two_two_one_network: backprop.two_two_one_network,
    delta_equations: backprop.delta_equations,
    composite_backprop: backprop.composite_backprop,
    batchnorm_backward: backprop.batchnorm_backward,
    kl_sparsity_gradient: backprop.kl_sparsity_gradient,
}

__all__ = ["Derivation", "Step", "Comparison", "compare", "finite_difference_gradient", "flat_gradient",
           "exact_zero", "backprop", "DERIVATIONS", "BACKPROP_FOR", *(f.__name__ for f in DERIVATIONS)]
