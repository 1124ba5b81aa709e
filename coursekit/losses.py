"""Loss functions (deck 001 and 002: J = 1/2 ||y - a||^2; deck 003: softmax + cross-entropy).

Usage: ``value = loss(pred, target)`` returns a Python float and remembers what the gradient
needs; ``dpred = loss.backward()`` returns dJ/d(pred), to be passed to ``model.backward``.

Note
----
Every loss is the **mean over the batch** of the per-example loss, so its gradient carries a
factor 1/n; learning rates then do not depend on the batch size.
"""
from __future__ import annotations

import numpy as np

from ._checks import _describe, float_array
from .activations import sigmoid


class Loss:
    """Base class: ``__call__(pred, target) -> float`` then ``backward() -> dpred``."""

    def __init__(self):
        self._cache = None

    def __call__(self, pred, target) -> float:
        return self.forward(pred, target)

    def forward(self, pred, target) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before the loss was computed: "
                "call loss(pred, target) first")
        return self._gradient()

    def _gradient(self) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _pred_2d(pred) -> np.ndarray:
    pred = float_array(pred, "pred")
    if pred.ndim != 2:
        raise ValueError(f"pred must be a 2-D array (n_samples, n_outputs), got {_describe(pred)}")
    return pred


class MSELoss(Loss):
    """Mean squared error with the decks' 1/2.

    Math
    ----
    J = (1/n) sum_i 1/2 ||y_i - a_i||^2,     dJ/da = (a - y) / n

    Note
    ----
    The 1/2 cancels the 2 of the derivative (decks 001/002). PyTorch's ``MSELoss`` has no
    1/2 and also averages over the output units, so its value is 2/n_outputs times ours.

    Shapes
    ------
    pred, target: (n, k), the same shape (reshape a 1-D target with ``y.reshape(-1, 1)``).
    """

    def forward(self, pred, target) -> float:
        pred = _pred_2d(pred)
        target = float_array(target, "target", dtype=pred.dtype)
        if target.shape != pred.shape:
            hint = " (use target.reshape(-1, 1))" if target.ndim == 1 else ""
            raise ValueError(f"target must have the shape of pred {pred.shape}, got {target.shape}{hint}")
        diff = pred - target
        self._cache = diff
        return float(0.5 * np.sum(diff * diff) / pred.shape[0])

    def _gradient(self):
        diff = self._cache
        return diff / diff.shape[0]


def _class_labels(target, n: int, n_classes: int) -> np.ndarray:
    """Integer labels in [0, n_classes), shape (n,); anything else is a clear error."""
    t = np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"target must hold integer class labels (or one-hot rows), got {_describe(t)}; "
            "convert with target.astype(int)")
    if t.shape != (n,):
        raise ValueError(f"target must have shape ({n},) (one label per row of pred), got {t.shape}")
    if n and (t.min() < 0 or t.max() >= n_classes):
        bad = t[(t < 0) | (t >= n_classes)][0]
        raise ValueError(f"target labels must be in [0, {n_classes}) for {n_classes} classes, got {bad}")
    return t


class CrossEntropyLoss(Loss):
    """Softmax + cross-entropy on the logits z, fused (deck 003, topic 4).

    Math
    ----
    p = softmax(z),   J = -(1/n) sum_i log p_{i, y_i},   dJ/dz = (p - t) / n

    with t the one-hot target. log p is computed as z - logsumexp(z), which stays finite for
    logits of any size (the naive log(softmax(z)) gives log 0 = -inf for a logit gap of ~750).

    Shapes
    ------
    pred: (n, K) logits; target: (n,) integer labels in [0, K), or (n, K) one-hot/probability rows.
    """

    def forward(self, pred, target) -> float:
        z = _pred_2d(pred)
        n, k = z.shape
        t = np.asarray(target)
        if t.ndim == 2:
            t = float_array(t, "target", dtype=z.dtype)
            if t.shape != z.shape:
                raise ValueError(f"one-hot target must have the shape of pred {z.shape}, got {t.shape}")
            if (t < 0).any() or not np.allclose(t.sum(axis=1), 1):
                raise ValueError("one-hot target rows must be non-negative and sum to 1")
        else:
            t = _class_labels(t, n, k)
        shifted = z - z.max(axis=1, keepdims=True)        # softmax(shifted) = softmax(z)
        p = np.exp(shifted)
        total = p.sum(axis=1, keepdims=True)
        p /= total
        self._cache = (p, t)
        log_total = np.log(total)                           # log p = shifted - log_total
        if t.ndim == 2:
            return float(-(t * (shifted - log_total)).sum() / n)
        # integer labels: sum_k t_ik log p_ik is log p at row i's label
        return float((log_total.sum() - shifted[np.arange(n), t].sum()) / n)

    def _gradient(self):
        p, t = self._cache
        n = p.shape[0]
        if t.ndim == 2:
            return (p - t) / n
        dz = p / n
        dz[np.arange(n), t] -= 1.0 / n   # (p - t) / n without building the one-hot t
        return dz


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy on the logit z of a sigmoid output (logistic regression, XOR net).

    Math
    ----
    J = (1/n) sum_i [ -t log sigma(z) - (1 - t) log(1 - sigma(z)) ]
      = (1/n) sum_i [ max(z, 0) - t z + log(1 + e^(-|z|)) ]   (the stable form)
    dJ/dz = (sigma(z) - t) / n

    Shapes
    ------
    pred: (n, 1) logits; target: (n, 1) or (n,) with values in [0, 1].
    """

    def forward(self, pred, target) -> float:
        z = _pred_2d(pred)
        if z.shape[1] != 1:
            raise ValueError(f"pred must have one column (one logit per example), got shape {z.shape}")
        t = float_array(target, "target", dtype=z.dtype).reshape(-1, 1) if np.ndim(target) == 1 \
            else float_array(target, "target", dtype=z.dtype)
        if t.shape != z.shape:
            raise ValueError(f"target must have shape {z.shape} or ({z.shape[0]},), got {np.shape(target)}")
        if ((t < 0) | (t > 1)).any():
            raise ValueError("target values must lie in [0, 1] (class 1 probability)")
        self._cache = (z, t)
        return float(np.sum(np.maximum(z, 0) - t * z + np.log1p(np.exp(-np.abs(z)))) / z.shape[0])

    def _gradient(self):
        z, t = self._cache
        return (sigmoid(z) - t) / z.shape[0]
