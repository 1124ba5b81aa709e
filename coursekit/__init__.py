"""coursekit: neural networks from first principles, in NumPy, beside the lecture slides.

The numeric core (this package's top level) imports only NumPy (and tqdm for progress bars).
SymPy derivations live in ``coursekit.symbolic``; plots and slider explorers in
``coursekit.plotting`` and ``coursekit.explore``. Data sets are in ``coursekit.datasets`` and
learning-rate schedules in ``coursekit.schedules``.
"""
import importlib

# Names are imported on first use (PEP 562), so that an assignment can withhold a module the
# student is asked to write (coursekit.checks.withhold) without breaking ``import coursekit``.
_WHERE = {
    "datasets": None, "init": None, "schedules": None,
    "Identity": "activations", "LeakyReLU": "activations", "ReLU": "activations", "Sigmoid": "activations",
    "Softmax": "activations", "Softplus": "activations", "Tanh": "activations",
    "BatchNorm1d": "batchnorm",
    "check_function": "gradcheck", "check_gradients": "gradcheck", "numerical_gradient": "gradcheck",
    "relative_error": "gradcheck",
    "Linear": "layers",
    "BCEWithLogitsLoss": "losses", "CrossEntropyLoss": "losses", "MSELoss": "losses",
    "MLP": "mlp", "parameter_count": "mlp",
    "Module": "module", "Parameter": "module", "Sequential": "module",
    "SGD": "optim", "AdaGrad": "optim", "Adam": "optim", "AdamW": "optim", "Optimizer": "optim", "RMSProp": "optim",
    "Dropout": "regularization", "EarlyStopping": "regularization", "L1Penalty": "regularization",
    "L2Penalty": "regularization", "ProximalL1": "regularization", "proximal_l1_step": "regularization",
    "soft_threshold": "regularization",
    "History": "training", "accuracy": "training", "evaluate": "training", "fit": "training", "predict": "training",
}


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'coursekit' has no attribute {name!r}")
    module = importlib.import_module(f".{_WHERE[name] or name}", __name__)
    value = module if _WHERE[name] is None else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE))


__all__ = list(_WHERE)
