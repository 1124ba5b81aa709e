"""Dropout as an ensemble: every sub-network, exactly (deck 003 "Dropout"; Goodfellow et al. 7.12).

A network with ``n`` droppable units (inputs and hidden units) holds 2^n sub-networks, one per
binary mask ``mu`` (``mu_j = 1``: unit j kept). Dropout training samples one per step, so all of
them learn with shared weights. The ensemble predicts with the mask-weighted average

    p_ens(y | x) = sum_mu P(mu) p(y | x, mu),    P(mu) = prod_j (1 - p_j)^mu_j p_j^(1 - mu_j)

(``p_j`` the drop probability of unit j). For a small network this sum can be enumerated. The
*weight scaling rule* replaces it by one pass through the whole network with each unit's
outgoing weights multiplied by its keep probability ``1 - p_j``. The rule is exact when the
output is affine in the masked units, and exact for the *normalised geometric* mean of a
softmax output when the network is linear before the softmax; a nonlinear hidden unit breaks
both (:func:`dropout_ensemble` computes the three predictions side by side).

The sub-networks here multiply units by the mask bits alone (the deck's and the paper's
convention); :class:`coursekit.regularization.Dropout` instead scales the kept units by
``1 / (1 - p)`` in training ("inverted" dropout), so its weight-scaled network is the plain
network. The two are the same model with weights rescaled by ``1 - p``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import _describe, finite_float, float_array, positive_int
from ..activations import Identity, ReLU
from ..module import Module

#: 2^MAX_UNITS sub-networks at most: enumeration is for small teaching networks.
MAX_UNITS = 16


def all_masks(n: int) -> np.ndarray:
    """Every binary mask over ``n`` units: row k holds k's binary digits (unit 0 the highest).

    Shapes
    ------
    -> (2**n, n) bool; row 0 drops every unit, the last row keeps every unit.
    """
    n = positive_int(n, "n")
    if n > MAX_UNITS:
        raise ValueError(f"n = {n} units give 2**{n} sub-networks; enumerate at most {MAX_UNITS} units")
    k = np.arange(2 ** n)[:, None]
    return ((k >> np.arange(n - 1, -1, -1)) & 1) == 1


def _drop_probabilities(p, n: int, name: str) -> np.ndarray:
    """``p`` as one drop probability per unit, each in [0, 1)."""
    if np.ndim(p) == 0:
        return np.full(n, finite_float(p, name, low=0.0, high=1.0, high_open=True))
    p = float_array(p, name, ndim=1)
    if p.shape != (n,) or not ((p >= 0) & (p < 1)).all():
        raise ValueError(f"{name} must be one drop probability in [0, 1) per unit ({n}), got {p}")
    return p


def mask_probabilities(masks, p) -> np.ndarray:
    """``P(mu) = prod_j (1 - p_j)^mu_j p_j^(1 - mu_j)`` for every row of ``masks``.

    Parameters
    ----------
    masks : (K, n) array of bool or 0/1
    p : float or (n,) array
        Drop probability of every unit, or of each unit.

    Shapes
    ------
    -> (K,); over :func:`all_masks` the probabilities sum to 1.
    """
    masks = np.asarray(masks)
    if masks.ndim != 2 or not np.isin(masks, (0, 1)).all():
        raise ValueError(f"masks must be a 2-D array of 0/1 (one mask per row), got {_describe(masks)}")
    p = _drop_probabilities(p, masks.shape[1], "p")
    kept = masks.astype(bool)
    return np.prod(np.where(kept, 1 - p, p), axis=1)


def normalized_geometric_mean(outputs, weights) -> np.ndarray:
    """The weighted geometric mean of class probabilities, renormalised over the classes.

    ``G_c ∝ exp(sum_k w_k log outputs[k, ..., c])`` with ``sum_c G_c = 1`` (the last axis is the
    class axis); Goodfellow et al. (7.12) use it to show that weight scaling is exact for softmax
    regression.

    Shapes
    ------
    outputs: (K, ..., c) probabilities, weights: (K,) -> (..., c).
    """
    outputs = float_array(outputs, "outputs")
    weights = float_array(weights, "weights", ndim=1)
    if outputs.shape[0] != weights.shape[0]:
        raise ValueError(f"outputs has {outputs.shape[0]} sub-networks but weights {weights.shape[0]}")
    if (outputs <= 0).any():
        raise ValueError("outputs must be probabilities > 0 (a softmax or sigmoid output)")
    log_g = np.tensordot(weights, np.log(outputs), axes=1)
    g = np.exp(log_g - log_g.max(axis=-1, keepdims=True))
    return g / g.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class DropoutEnsemble:
    """The 2^n sub-networks of a one-hidden-layer network and three predictions of its ensemble.

    Shapes (K = 2**n sub-networks, n = n_in + n_hidden units, m examples, c outputs)
    ------
    masks: (K, n) bool, inputs first; probabilities: (K,); outputs: (K, m, c);
    ensemble_mean, weight_scaled: (m, c).
    """

    masks: np.ndarray
    probabilities: np.ndarray
    outputs: np.ndarray
    ensemble_mean: np.ndarray
    weight_scaled: np.ndarray


def dropout_ensemble(W1, b1, W2, b2, x, *, p_input=0.0, p_hidden=0.5,
                     activation: Module | None = None, output: Module | None = None) -> DropoutEnsemble:
    """Enumerate every sub-network of ``output(activation((x mu_in) W1 + b1) mu_h W2 + b2)``.

    Parameters
    ----------
    W1, b1, W2, b2 : arrays of shapes (d, h), (h,), (h, c), (c,)
        The network, batch-first as :class:`coursekit.layers.Linear` (``z = x W + b``).
    x : (m, d) array
    p_input, p_hidden : float or array, default 0 and 0.5
        Drop probability of the inputs and of the hidden units (deck 003: 0.2 and 0.5); 0 for
        an input means it is never dropped (its mask bit is still enumerated, with weight 0).
    activation, output : Module, default ReLU() and Identity()
        The hidden and output nonlinearities, e.g. ``Sigmoid()`` or ``Softmax()`` as output.

    Math
    ----
    Sub-network ``mu = (mu_in, mu_h)``: ``y_mu = g(f((x * mu_in) W1 + b1) * mu_h W2 + b2)``.
    ``ensemble_mean = sum_mu P(mu) y_mu``; ``weight_scaled = g(f(x diag(1 - p_in) W1 + b1)
    diag(1 - p_h) W2 + b2)``, the weight scaling rule (each row of W1 and W2 times its unit's
    keep probability).
    """
    x = float_array(x, "x", ndim=2)
    W1, W2 = float_array(W1, "W1", ndim=2), float_array(W2, "W2", ndim=2)
    b1, b2 = float_array(b1, "b1", ndim=1), float_array(b2, "b2", ndim=1)
    (d, h), c = W1.shape, W2.shape[1]
    if x.shape[1] != d or b1.shape != (h,) or W2.shape[0] != h or b2.shape != (c,):
        raise ValueError(f"shapes do not chain: x {x.shape}, W1 {W1.shape}, b1 {b1.shape}, "
                         f"W2 {W2.shape}, b2 {b2.shape}")
    activation = ReLU() if activation is None else activation
    output = Identity() if output is None else output
    keep_in = 1 - _drop_probabilities(p_input, d, "p_input")
    keep_h = 1 - _drop_probabilities(p_hidden, h, "p_hidden")
    masks = all_masks(d + h)
    probabilities = mask_probabilities(masks, 1 - np.concatenate([keep_in, keep_h]))
    mu_in, mu_h = masks[:, None, :d], masks[:, None, d:]              # (K, 1, d), (K, 1, h)
    hidden = activation((x[None] * mu_in) @ W1 + b1)                   # (K, m, h), all at once
    outputs = output((hidden * mu_h) @ W2 + b2)                        # (K, m, c)
    weight_scaled = output(activation(x @ (keep_in[:, None] * W1) + b1) @ (keep_h[:, None] * W2) + b2)
    return DropoutEnsemble(masks=masks, probabilities=probabilities, outputs=outputs,
                           ensemble_mean=np.tensordot(probabilities, outputs, axes=1),
                           weight_scaled=weight_scaled)
