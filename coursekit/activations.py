"""Activation functions and their derivatives, side by side (deck 001 and 000).

Each function ``f`` has its derivative ``f_prime`` right below it, as the lecture writes
them. The modules apply them elementwise: ``forward(z)`` returns ``a = f(z)`` and keeps what
the derivative needs; ``backward(da)`` returns ``dz = da * f'(z)``.
"""
from __future__ import annotations

import numpy as np

from ._checks import finite_float, float_array
from .module import Module


# -- the formulas ------------------------------------------------------------------------
def sigmoid(z):
    """sigma(z) = 1 / (1 + e^(-z)), computed without overflow for large |z|."""
    e = np.exp(-np.abs(z))  # <= 1, never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """sigma'(z) = sigma(z) (1 - sigma(z))  (deck 000 derives it through y = 1 + e^(-z))."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    """tanh(z) = (e^z - e^(-z)) / (e^z + e^(-z)) = 2 sigma(2z) - 1."""
    return np.tanh(z)


def tanh_prime(z):
    """tanh'(z) = 1 - tanh(z)^2."""
    return 1 - np.tanh(z) ** 2


def relu(z):
    """ReLU(z) = max(0, z)."""
    return np.maximum(z, 0)


def relu_prime(z):
    """ReLU'(z) = 1 if z > 0 else 0 (we take 0 at the kink z = 0, as PyTorch does)."""
    return (z > 0).astype(np.asarray(z).dtype)


def leaky_relu(z, negative_slope=0.01):
    """LeakyReLU(z) = z if z > 0 else negative_slope * z."""
    return np.where(z > 0, z, negative_slope * z)


def leaky_relu_prime(z, negative_slope=0.01):
    """LeakyReLU'(z) = 1 if z > 0 else negative_slope."""
    return np.where(z > 0, 1.0, negative_slope).astype(np.asarray(z).dtype)


def softplus(z):
    """softplus(z) = log(1 + e^z) = max(z, 0) + log(1 + e^(-|z|)) (the stable form).

    Note: deck 002's activation slide prints ln(1 + e^(-z)); that is softplus(-z), a decreasing
    function with derivative -sigma(-z). The usual softplus, whose derivative is sigma (deck 001,
    COURSE.md topic 3), is ln(1 + e^z).
    """
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_prime(z):
    """softplus'(z) = sigma(z)."""
    return sigmoid(z)


def softmax(z, axis=-1):
    """softmax(z)_k = e^(z_k) / sum_j e^(z_j); shifting by max(z) changes nothing but overflow."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian(p):
    """dp_i/dz_j = p_i (1{i=j} - p_j), i.e. J = diag(p) - p p^T, for one vector p = softmax(z).

    For a batch ``p`` of shape (n, K) it returns the n Jacobians, shape (n, K, K).
    """
    p = np.asarray(p)
    return p[..., :, None] * np.eye(p.shape[-1], dtype=p.dtype) - p[..., :, None] * p[..., None, :]


# -- the modules -------------------------------------------------------------------------
class Activation(Module):
    """Elementwise activation ``a = f(z)``; backward ``dz = da * f'(z)``.

    Shapes
    ------
    z: any shape -> a: same shape.
    """

    def __init__(self):
        self._z = self._a = None

    def f(self, z):
        raise NotImplementedError

    def f_prime(self, z, a):
        """f'(z); ``a = f(z)`` is passed too because several derivatives are cheapest in a."""
        raise NotImplementedError

    def forward(self, z):
        z = float_array(z, "z")
        self._z, self._a = z, self.f(z)
        return self._a

    def backward(self, da):
        z = self._require_cache(self._z)
        da = np.asarray(da)
        if da.shape != z.shape:
            raise ValueError(f"da must have the shape of the output {z.shape}, got {da.shape}")
        return da * self.f_prime(z, self._a)


class Sigmoid(Activation):
    """Logistic sigmoid; sigma' = sigma (1 - sigma). Saturates (sigma' -> 0) for large |z|."""

    def f(self, z):
        return sigmoid(z)

    def f_prime(self, z, a):
        return a * (1 - a)


class Tanh(Activation):
    """Hyperbolic tangent; tanh' = 1 - tanh^2. Zero-centred, still saturating."""

    def f(self, z):
        return np.tanh(z)

    def f_prime(self, z, a):
        return 1 - a * a


class ReLU(Activation):
    """Rectified linear unit; derivative 1 for z > 0, else 0."""

    def f(self, z):
        return relu(z)

    def f_prime(self, z, a):
        return relu_prime(z)


class LeakyReLU(Activation):
    """ReLU with a small slope for z <= 0 so that no unit is dead for good."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = finite_float(negative_slope, "negative_slope", low=0.0)

    def f(self, z):
        return leaky_relu(z, self.negative_slope)

    def f_prime(self, z, a):
        return leaky_relu_prime(z, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope:g}"


class Softplus(Activation):
    """Smooth ReLU log(1 + e^z); its derivative is the sigmoid."""

    def f(self, z):
        return softplus(z)

    def f_prime(self, z, a):
        return sigmoid(z)


class Identity(Activation):
    """f(z) = z (the output of a regression network)."""

    def f(self, z):
        return z

    def f_prime(self, z, a):
        return np.ones_like(z)


class Softmax(Module):
    """Softmax over the last axis (the class axis).

    For training a classifier use :class:`coursekit.losses.CrossEntropyLoss` on the logits
    instead: it fuses softmax and cross-entropy into the stable gradient ``p - t``.

    Math
    ----
    Backward is the vector-Jacobian product with J = diag(p) - p p^T, without forming J::

        dz = J^T da = p * (da - sum_k da_k p_k)
    """

    def __init__(self):
        self._p = None

    def forward(self, z):
        z = float_array(z, "z")
        self._p = softmax(z)
        return self._p

    def backward(self, dp):
        p = self._require_cache(self._p)
        dp = np.asarray(dp)
        if dp.shape != p.shape:
            raise ValueError(f"dp must have the shape of the output {p.shape}, got {dp.shape}")
        return p * (dp - np.sum(dp * p, axis=-1, keepdims=True))

    @staticmethod
    def jacobian(p):
        """The Jacobian diag(p) - p p^T (for teaching; backward never builds it)."""
        return softmax_jacobian(p)
