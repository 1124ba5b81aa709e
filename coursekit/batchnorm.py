"""Batch normalization (deck 003, "Batch Normalization: forward prop" and "Backpropagation").

Each feature (column) of a minibatch is normalised to mean 0 and variance 1 with the
batch's own statistics, then scaled and shifted by the learned ``gamma`` and ``beta``
(Ioffe and Szegedy, 2015). At test time the layer uses running averages of the statistics
collected during training, so a prediction does not depend on the other examples in the batch.
"""
from __future__ import annotations

import numpy as np

from ._checks import finite_float, float_array, float_dtype, positive_int
from .module import Module, Parameter


class BatchNorm1d(Module):
    """Batch normalization over the batch axis of ``(m, n)`` activations.

    Parameters
    ----------
    n : int
        Number of features (the columns of the design matrix ``H`` on the slide).
    momentum : float in [0, 1], default 0.1
        Weight of the newest batch in the running averages (see the Note).
    eps : float > 0, default 1e-5
        Added to the variance before the square root (the slide's epsilon, or delta).
    dtype : np.float64 (default) or np.float32

    Shapes
    ------
    x: (m, n) -> y: (m, n); gamma, beta, running_mean, running_var: (n,).

    Math
    ----
    Training mode, per feature, over the m examples of the batch (deck 003)::

        mu     = (1/m) sum_i x_i                   sigma2 = (1/m) sum_i (x_i - mu)^2
        xhat_i = (x_i - mu) / sqrt(sigma2 + eps)   y_i    = gamma xhat_i + beta

    Backward, with ``dxhat = dy * gamma`` and ``inv_std = 1 / sqrt(sigma2 + eps)``: the slide's
    three chain-rule terms (through xhat, sigma2 and mu) collapse into one line::

        dx     = (1/m) inv_std (m dxhat - sum_i dxhat_i - xhat sum_i dxhat_i xhat_i)
        dgamma = sum_i dy_i xhat_i                 dbeta  = sum_i dy_i

    Evaluation mode replaces mu and sigma2 by ``running_mean`` and ``running_var``; they are
    then constants, so ``dx = dxhat / sqrt(running_var + eps)``.

    Note
    ----
    Running averages follow PyTorch: ``running = (1 - momentum) running + momentum batch_stat``,
    starting from mean 0 and variance 1. Keras writes the same update with its ``momentum``
    the weight of the *old* value (0.99 there is 0.01 here). The batch is normalised with the
    biased variance (divide by m, as on the slide), but ``running_var`` is updated with the
    unbiased variance (divide by m - 1), as PyTorch does; training therefore needs m >= 2.
    """

    def __init__(self, n: int, momentum: float = 0.1, eps: float = 1e-5, *, dtype=np.float64):
        self.n = positive_int(n, "n")
        self.momentum = finite_float(momentum, "momentum", low=0.0, high=1.0)
        self.eps = finite_float(eps, "eps", low=0.0, low_open=True)
        dtype = float_dtype(dtype)
        self.gamma = Parameter(np.ones(self.n, dtype=dtype))
        self.beta = Parameter(np.zeros(self.n, dtype=dtype))
        self.running_mean = np.zeros(self.n, dtype=dtype)
        self.running_var = np.ones(self.n, dtype=dtype)
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = float_array(x, "x", ndim=2, dtype=self.gamma.data.dtype)
        if x.shape[1] != self.n:
            raise ValueError(f"x must have {self.n} features (columns) for {self!r}, got shape {x.shape}")
        if self.training:
            m = x.shape[0]
            if m < 2:
                raise ValueError(
                    f"BatchNorm1d needs a batch of at least 2 examples in training mode "
                    f"(a variance of one value is meaningless), got shape {x.shape}")
            mu = x.mean(axis=0)
            xc = x - mu
            sigma2 = np.einsum("ij,ij->j", xc, xc) / m
            self.running_mean *= 1 - self.momentum
            self.running_mean += self.momentum * mu
            self.running_var *= 1 - self.momentum
            self.running_var += (self.momentum * m / (m - 1)) * sigma2
        else:
            xc = x - self.running_mean
            sigma2 = self.running_var
        inv_std = 1 / np.sqrt(sigma2 + self.eps)
        xhat = xc * inv_std
        self._cache = (xhat, inv_std, self.training)
        return xhat * self.gamma.data + self.beta.data

    def backward(self, dout: np.ndarray) -> np.ndarray:
        xhat, inv_std, batch_stats = self._require_cache(self._cache)
        dout = np.asarray(dout)
        if dout.shape != xhat.shape:
            raise ValueError(f"dout must have the shape of the output {xhat.shape}, got {dout.shape}")
        self.gamma.grad += np.einsum("ij,ij->j", dout, xhat)
        self.beta.grad += dout.sum(axis=0)
        dxhat = dout * self.gamma.data
        if not batch_stats:
            return dxhat * inv_std
        m = xhat.shape[0]
        dx = m * dxhat
        dx -= dxhat.sum(axis=0)
        dx -= xhat * np.einsum("ij,ij->j", dxhat, xhat)
        dx *= inv_std / m
        return dx

    def extra_repr(self) -> str:
        return f"{self.n}, momentum={self.momentum:g}, eps={self.eps:g}, dtype={self.gamma.data.dtype}"
