"""coursekit: neural networks from first principles, in NumPy, beside the lecture slides.

The numeric core (this package's top level) imports only NumPy. SymPy derivations live in
``coursekit.symbolic``; plots and slider explorers in ``coursekit.plotting`` and
``coursekit.explore``.
"""
from .activations import (Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh)
from .gradcheck import check_function, check_gradients, numerical_gradient, relative_error
from .layers import Linear
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from .mlp import MLP, parameter_count
from .module import Module, Parameter, Sequential

__all__ = [
    "Parameter", "Module", "Sequential", "Linear", "MLP", "parameter_count",
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softplus", "Identity", "Softmax",
    "MSELoss", "CrossEntropyLoss", "BCEWithLogitsLoss",
    "numerical_gradient", "relative_error", "check_function", "check_gradients",
]
