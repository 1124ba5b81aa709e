"""SymPy derivations of the lectures' formulas, checked against coursekit's NumPy backprop.

Each function below returns a :class:`Derivation`: labelled steps that a notebook cell shows
as LaTeX, the result, ``lambdify()`` for a NumPy function of it, and for gradients the
function and variables that :func:`compare` needs for the three-way check (SymPy, coursekit's
backprop from :mod:`coursekit.symbolic.backprop`, finite differences)::

    from coursekit import symbolic
    symbolic.delta_equations_derivation()                         # the steps, as LaTeX
    symbolic.compare(symbolic.delta_equations_derivation(), symbolic.backprop.delta_equations)

Modules follow the lectures: linear_models (linear and logistic regression), activations, losses, graphs (computational graphs, multi-path
chain rule, order of multiplication), networks (2-2-1 net, delta equations), composite
(deck 004's toy), shallow (ReLU regions), optimization, regularization, batchnorm, sparsity (the sparse autoencoder), counting.
"""
from . import backprop
from .activations import (relu_prime_derivation, sigmoid_prime_derivation, sigmoid_prime_via_y_derivation,
                          softmax_jacobian_derivation, softplus_prime_derivation, tanh_prime_derivation)
from .batchnorm import batchnorm_backward_derivation
from .compare import Comparison, compare, finite_difference_gradient, flat_gradient
from .composite import composite_backprop_derivation
from .counting import parameter_count_derivation
from .derivation import Derivation, Step, exact_zero
from .graphs import (add_multiply_graph_derivation, multi_path_chain_rule_derivation, squared_norm_Wx_derivation,
                     vjp_order_derivation)
from .linear_models import linear_regression_gradient_derivation, logistic_regression_gradient_derivation
from .losses import mse_gradient_derivation, softmax_cross_entropy_gradient_derivation
from .networks import delta_equations_derivation, two_two_one_network_derivation
from .optimization import (adam_bias_correction_derivation, learning_rate_conditions_derivation,
                           momentum_terminal_speed_derivation, optimal_step_derivation)
from .regularization import dropout_expectation_derivation, l1_soft_threshold_derivation, l2_optimum_derivation
from .shallow import shallow_relu_regions_derivation
from .sparsity import kl_sparsity_gradient_derivation

#: Every derivation function, in the order of the course (for notebooks and tests).
DERIVATIONS = (
    linear_regression_gradient_derivation, logistic_regression_gradient_derivation,
    sigmoid_prime_derivation, sigmoid_prime_via_y_derivation, tanh_prime_derivation, softplus_prime_derivation,
    relu_prime_derivation, softmax_jacobian_derivation,
    mse_gradient_derivation, softmax_cross_entropy_gradient_derivation,
    add_multiply_graph_derivation, squared_norm_Wx_derivation, multi_path_chain_rule_derivation, vjp_order_derivation,
    two_two_one_network_derivation, delta_equations_derivation, composite_backprop_derivation,
    shallow_relu_regions_derivation, parameter_count_derivation,
    momentum_terminal_speed_derivation, optimal_step_derivation, adam_bias_correction_derivation,
    learning_rate_conditions_derivation,
    l2_optimum_derivation, l1_soft_threshold_derivation, dropout_expectation_derivation, batchnorm_backward_derivation,
    kl_sparsity_gradient_derivation,
)

#: coursekit's backprop for each gradient derivation: ``compare(d(), BACKPROP_FOR[d])``.
BACKPROP_FOR = {
    linear_regression_gradient_derivation: backprop.linear_regression_gradient,
    logistic_regression_gradient_derivation: backprop.logistic_regression_gradient,
    sigmoid_prime_derivation: backprop.sigmoid_backward,
    sigmoid_prime_via_y_derivation: backprop.sigmoid_backward,
    tanh_prime_derivation: backprop.tanh_backward,
    softplus_prime_derivation: backprop.softplus_backward,
    relu_prime_derivation: backprop.relu_backward,
    softmax_jacobian_derivation: backprop.softmax_jacobian_from_backward,
    mse_gradient_derivation: backprop.mse_gradient,
    softmax_cross_entropy_gradient_derivation: backprop.softmax_cross_entropy_gradient,
    add_multiply_graph_derivation: backprop.add_multiply_graph,
    squared_norm_Wx_derivation: backprop.squared_norm_Wx,
    multi_path_chain_rule_derivation: backprop.multi_path_chain_rule,
    two_two_one_network_derivation: backprop.two_two_one_network,
    delta_equations_derivation: backprop.delta_equations,
    composite_backprop_derivation: backprop.composite_backprop,
    batchnorm_backward_derivation: backprop.batchnorm_backward,
    kl_sparsity_gradient_derivation: backprop.kl_sparsity_gradient,
}

__all__ = ["Derivation", "Step", "Comparison", "compare", "finite_difference_gradient", "flat_gradient",
           "exact_zero", "backprop", "DERIVATIONS", "BACKPROP_FOR", *(f.__name__ for f in DERIVATIONS)]
