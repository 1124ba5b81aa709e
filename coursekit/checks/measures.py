"""Measures: what a check computes from a student's result before comparing it.

A check on a property rather than a value ("w classifies every point", "about 20 % of the units
are dropped", "test accuracy >= 90 %") names a measure and the data it needs, e.g.
``check_close("AND points w misclassifies", w, 0, measure=misclassified(X, y))``. The measure
runs on the plain copy of the result (:mod:`coursekit.checks.plain`): in the student's kernel
for instant feedback, and during grading in the grader's process, so a grading kernel reports
the result itself (``w``, the dropout output, the network's weights) and never the verdict on it.

Each measure is a function ``f(value, **data)`` registered with :func:`measure`; calling the
registered name with the data gives a :class:`Measure`, which the grader can rebuild from its
name and data alone. Measures are small and exact: a formula, not a training run.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np

from .plain import Network

MEASURES = {}


@dataclass(frozen=True)
class Measure:
    """A registered measure with its data (plain arrays and numbers)."""

    name: str
    data: dict = field(default_factory=dict)

    def __call__(self, value):
        return MEASURES[self.name](value, **self.data)

    def describe(self) -> str:
        return self.name.replace("_", " ")


def measure(fn):
    """Register ``fn(value, **data)``; return the factory ``fn(**data) -> Measure``."""
    MEASURES[fn.__name__] = fn
    signature = inspect.signature(fn)

    def factory(*args, **kwargs):
        bound = signature.bind(None, *args, **kwargs)
        bound.apply_defaults()
        data = dict(list(bound.arguments.items())[1:])
        return Measure(fn.__name__, data)

    factory.__name__, factory.__doc__ = fn.__name__, fn.__doc__
    return factory


def _floats(value) -> np.ndarray:
    return np.array(value, dtype=np.float64)


@measure
def fraction_of_zeros(value) -> float:
    """The fraction of entries that are exactly 0 (the units dropout dropped)."""
    return float(np.mean(_floats(value) == 0))


@measure
def nonzero_values(value) -> np.ndarray:
    """The distinct nonzero entries, sorted (the scaled value of the units dropout kept)."""
    value = _floats(value)
    return np.unique(value[value != 0])


@measure
def largest_gap(value, scale=1.0) -> float:
    """For a pair ``(u, v)``: the largest ``|u - scale * v|`` (0 when ``u = scale * v`` exactly)."""
    u, v = (_floats(x) for x in value)
    if u.shape != v.shape:
        raise ValueError(f"the two arrays have shapes {u.shape} and {v.shape}")
    return float(np.max(np.abs(u - _floats(scale) * v), initial=0.0))


@measure
def misclassified(value, X, y) -> int:
    """How many points (rows of X, labels y in {-1, +1}) the perceptron w (bias first) gets
    wrong: ``y (w_0 + x . w_1:) <= 0``."""
    w = _floats(value).reshape(-1)
    return int(np.sum(y * (w[0] + _floats(X) @ w[1:]) <= 0))


def _relu_hidden(value, X):
    W, c, w, b = (_floats(v) for v in value)
    return np.maximum(_floats(X) @ W + c, 0), w, b


@measure
def relu_network_output(value, X) -> np.ndarray:
    """The output ``relu(X W + c) w + b`` of a one-hidden-layer ReLU network ``(W, c, w, b)``."""
    H, w, b = _relu_hidden(value, X)
    return H @ w + b


@measure
def hidden_gap(value, X) -> float:
    """The distance between the hidden representations ``relu(x W + c)`` of the two rows of X."""
    H, _, _ = _relu_hidden(value, X)
    return float(np.max(np.abs(H[0] - H[1])))


# activations a network may use, by class name, with their formula (deck 001)
_ACTIVATIONS = {
    "Identity": lambda z, s: z,
    "ReLU": lambda z, s: np.maximum(z, 0),
    "LeakyReLU": lambda z, s: np.where(z > 0, z, s.get("negative_slope", 0.01) * z),
    "Tanh": lambda z, s: np.tanh(z),
    "Sigmoid": lambda z, s: 0.5 * (1 + np.tanh(z / 2)),
    "Softplus": lambda z, s: np.logaddexp(0, z),
}


@measure
def classification_accuracy(value, X, y) -> float:
    """The accuracy, on (X, y), of a coursekit network made of Linear layers and activations:
    the fraction of rows whose largest output is at the label."""
    if not isinstance(value, Network):
        raise ValueError("not a coursekit network (build it with coursekit.mlp.MLP)")
    a = _floats(X)
    for layer in value.layers:
        if layer.kind == "Linear":
            a = a @ _floats(layer.params["W"]) + _floats(layer.params["b"])
        elif layer.kind in _ACTIVATIONS:
            a = _ACTIVATIONS[layer.kind](a, layer.settings)
        else:
            raise ValueError(f"a {layer.kind} layer (only Linear layers and activations are measured)")
    return float(np.mean(np.argmax(a, axis=1) == np.asarray(y)))
