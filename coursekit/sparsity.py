"""Sparsity penalties on hidden activations: the sparse autoencoder (deck 002, "Sparse activations").

Deck 002 lists two ways to force an autoencoder to compress: few hidden neurons, or sparse
activations. It gives no formula for the second. Its notation (J, f, W^(l), delta^(l)) is that of
Ng's CS294A lecture notes "Sparse autoencoder" (2011), whose penalty :class:`KLSparsity`
implements: each hidden unit's average activation over the batch is pushed towards a small
target rho. :class:`L1Sparsity` is the other common choice (Goodfellow et al., section 14.2.1).

Usage, with the network split at the hidden layer (``encoder`` ends in a Sigmoid)::

    a = encoder(X); X_hat = decoder(a)
    J = loss(X_hat, X) + sparsity(a)
    da = decoder.backward(loss.backward()) + sparsity.backward()
    encoder.backward(da)

The course's penalties call their weight ``lam`` (Ng writes beta for this one).
"""
from __future__ import annotations

import numpy as np

from ._checks import finite_float, float_array


class _ActivationPenalty:
    """``penalty(a) -> float`` (a: the hidden activations, (m, h)), then ``backward() -> dJ/da``."""

    def __init__(self, lam: float):
        self.lam = finite_float(lam, "lam", low=0.0)
        self._a = None

    def __call__(self, a) -> float:
        a = float_array(a, "a", ndim=2)
        value = self._value(a)
        self._a = a
        return value

    def backward(self) -> np.ndarray:
        if self._a is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before the penalty was "
                               "computed: call penalty(a) first")
        return self._gradient(self._a)


class KLSparsity(_ActivationPenalty):
    """KL sparsity penalty ``lam sum_j KL(rho || rho_hat_j)`` (Ng, "Sparse autoencoder", 2011).

    Parameters
    ----------
    rho : float in (0, 1), default 0.05
        Target average activation of every hidden unit.
    lam : float >= 0, default 1.0
        Weight of the penalty (Ng's beta).

    Shapes
    ------
    a: (m, h) activations in (0, 1) (a sigmoid layer) -> float; ``backward()``: (m, h).

    Math
    ----
    With rho_hat_j = (1/m) sum_i a_ij, the mean activation of unit j over the batch::

        J_sparse = lam sum_j [rho log(rho / rho_hat_j) + (1 - rho) log((1 - rho) / (1 - rho_hat_j))]
        dJ_sparse / da_ij = (lam / m) (-rho / rho_hat_j + (1 - rho) / (1 - rho_hat_j))

    The gradient is the same for every example of the batch; it is zero when rho_hat_j = rho,
    positive (pushing activations down) when unit j is more active than rho.

    Note
    ----
    Ng's notes add ``beta (-rho/rho_hat + (1-rho)/(1-rho_hat))`` to each example's delta and then
    average the weight gradients over the m examples; here the loss terms are means over the
    batch (as coursekit's losses), so the 1/m sits in ``dJ/da``. The two give the same weight
    gradients.
    """

    def __init__(self, rho: float = 0.05, lam: float = 1.0):
        super().__init__(lam)
        self.rho = finite_float(rho, "rho", low=0.0, high=1.0, low_open=True, high_open=True)

    def _rho_hat(self, a) -> np.ndarray:
        rho_hat = a.mean(axis=0)
        if not ((rho_hat > 0) & (rho_hat < 1)).all():
            raise ValueError("the KL sparsity penalty needs mean activations strictly inside (0, 1) "
                             f"(use a sigmoid hidden layer), got rho_hat in [{rho_hat.min():g}, {rho_hat.max():g}]")
        return rho_hat

    def _value(self, a) -> float:
        rho, rho_hat = self.rho, self._rho_hat(a)
        kl = rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
        return float(self.lam * kl.sum())

    def _gradient(self, a) -> np.ndarray:
        rho, rho_hat = self.rho, self._rho_hat(a)
        per_unit = (self.lam / a.shape[0]) * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))
        return np.broadcast_to(per_unit, a.shape).copy()

    def __repr__(self) -> str:
        return f"KLSparsity(rho={self.rho:g}, lam={self.lam:g})"


class L1Sparsity(_ActivationPenalty):
    """L1 penalty on the activations, ``(lam / m) sum_i sum_j |a_ij|`` (Goodfellow et al. 14.2.1).

    Shapes
    ------
    a: (m, h) -> float; ``backward()``: (m, h).

    Math
    ----
    Subgradient ``dJ/da = (lam / m) sign(a)``. Unlike :class:`KLSparsity` it penalises each
    example's activations, not the units' averages, and needs no sigmoid.
    """

    def _value(self, a) -> float:
        return float(self.lam * np.abs(a).sum() / a.shape[0])

    def _gradient(self, a) -> np.ndarray:
        return (self.lam / a.shape[0]) * np.sign(a)

    def __repr__(self) -> str:
        return f"L1Sparsity(lam={self.lam:g})"
