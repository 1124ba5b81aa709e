"""coursekit: neural networks from first principles, in NumPy, beside the lecture slides.

The numeric core (this package's top level) imports only NumPy (and tqdm for progress bars).
SymPy derivations live in ``coursekit.symbolic``; plots and slider explorers in
``coursekit.plotting`` and ``coursekit.explore``. Data sets are in ``coursekit.datasets`` and
learning-rate schedules in ``coursekit.schedules``.
"""
from . import datasets, init, schedules
from .activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .batchnorm import BatchNorm1d
from .gradcheck import check_function, check_gradients, numerical_gradient, relative_error
from .layers import Linear
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from .mlp import MLP, parameter_count
from .module import Module, Parameter, Sequential
from .optim import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSProp
from .regularization import (Dropout, EarlyStopping, L1Penalty, L2Penalty, ProximalL1, proximal_l1_step,
                             soft_threshold)
from .training import History, accuracy, evaluate, fit, predict

__all__ = [
    "datasets", "init", "schedules",
    "Parameter", "Module", "Sequential", "Linear", "MLP", "parameter_count",
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softplus", "Identity", "Softmax",
    "MSELoss", "CrossEntropyLoss", "BCEWithLogitsLoss",
    "Optimizer", "SGD", "AdaGrad", "RMSProp", "Adam", "AdamW",
    "Dropout", "BatchNorm1d", "L1Penalty", "L2Penalty", "ProximalL1", "soft_threshold", "proximal_l1_step",
    "EarlyStopping", "fit", "History", "predict", "accuracy", "evaluate",
    "numerical_gradient", "relative_error", "check_function", "check_gradients",
]
