"""A multilayer perceptron from its layer sizes (deck 001 and 002: forward propagation).

``MLP([2, 2, 1], ReLU(), Sigmoid(), rng=0)`` is the XOR network of deck 001: 2 inputs,
a hidden layer of 2 ReLU units and a sigmoid output. Forward propagation is the slide's
``z = W a + b, a = f(z)`` repeated, batch-first (see :mod:`coursekit.layers`).
"""
from __future__ import annotations

import copy

import numpy as np

from ._checks import as_generator, float_dtype, positive_int
from .activations import Identity, LeakyReLU, ReLU
from .init import he_normal, xavier_uniform
from .layers import Linear
from .module import Module, Sequential, pack


def parameter_count(sizes) -> int:
    """Number of weights and biases of a fully connected net: sum of (n_in + 1) * n_out."""
    sizes = [positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


class MLP(Sequential):
    """Fully connected network: Linear, activation, ..., Linear, output activation.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_inputs, hidden_1, ..., n_outputs]``; at least two entries.
    activation : Module, default ReLU()
        Hidden-layer activation; each hidden layer gets its own copy.
    output_activation : Module or None
        Applied after the last Linear layer. Leave None when the loss takes logits
        (CrossEntropyLoss, BCEWithLogitsLoss).
    rng : numpy.random.Generator or int
        Initial weights.
    init : callable or None
        Weight initialiser for every layer; None picks He for ReLU/LeakyReLU hidden units and
        Glorot (Xavier) otherwise, the usual defaults.
    dtype : np.float64 (default) or np.float32
    dropout : float or None
        Drop probability p of a :class:`~coursekit.regularization.Dropout` after each hidden
        activation (deck 003); None: no dropout.
    batch_norm : bool
        Insert :class:`~coursekit.batchnorm.BatchNorm1d` between each hidden Linear layer and
        its activation (deck 003).
    mask_rng : numpy.random.Generator or int
        Dropout masks (one generator shared by the Dropout layers); only with ``dropout``.

    Each hidden layer is ``Linear -> [BatchNorm1d] -> activation -> [Dropout(p)]``.
    """

    def __init__(self, sizes, activation: Module | None = None, output_activation: Module | None = None,
                 *, rng, init=None, dtype=np.float64, dropout: float | None = None, batch_norm: bool = False,
                 mask_rng=None):
        sizes = list(sizes) if not isinstance(sizes, (str, bytes)) and np.ndim(sizes) == 1 else None
        if sizes is None or len(sizes) < 2:
            raise ValueError("sizes must be a list of at least two layer sizes, e.g. [2, 2, 1]")
        self.sizes = [positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
        activation = ReLU() if activation is None else activation
        for name, act in (("activation", activation), ("output_activation", output_activation)):
            if act is not None and not isinstance(act, Module):
                raise TypeError(f"{name} must be a Module instance such as ReLU(), got {act!r}")
        if init is None:
            init = he_normal if isinstance(activation, (ReLU, LeakyReLU)) else xavier_uniform
        rng, dtype = as_generator(rng), float_dtype(dtype)
        if dropout is not None:
            mask_rng = as_generator(mask_rng, "mask_rng")
        self.dropout, self.batch_norm = dropout, bool(batch_norm)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            layers.append(Linear(n_in, n_out, rng=rng, init=init, dtype=dtype))
            if i < len(self.sizes) - 2:
                # imported only when used: the batch norm and regularization assignments withhold
                # these modules (coursekit.checks.withhold) and still build plain MLPs
                if batch_norm:
                    from .batchnorm import BatchNorm1d
                    layers.append(BatchNorm1d(n_out))
                layers.append(copy.deepcopy(activation))
                if dropout is not None:
                    from .regularization import Dropout
                    layers.append(Dropout(dropout, rng=mask_rng))
        if output_activation is not None and not isinstance(output_activation, Identity):
            layers.append(copy.deepcopy(output_activation))
        super().__init__(*layers)
        pack(self.parameters())   # contiguous parameters: faster optimizer steps (see pack)

    def extra_repr(self) -> str:
        extras = (f", dropout={self.dropout}" if self.dropout is not None else "") + \
            (", batch_norm=True" if self.batch_norm else "")
        return f"sizes={self.sizes}{extras}"


def hidden_activations(model: Sequential, X, n_layers: int) -> np.ndarray:
    """The output of the first ``n_layers`` layers of ``model`` (e.g. 2: Linear then ReLU): the
    hidden representation the later layers see."""
    h = X
    for layer in model.layers[:n_layers]:
        h = layer(h)
    return h
