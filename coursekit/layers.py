"""The fully connected layer (deck 002 forward propagation: z = W a + b).

The decks write one column vector: ``z = W a + b`` with ``W`` of shape ``(n_out, n_in)``.
coursekit is batch-first, as NumPy and PyTorch code is: a batch ``X`` of shape
``(n, n_in)`` gives ``Z = X @ W + b`` with ``W`` of shape ``(n_in, n_out)`` — the slide's
``W`` transposed, one row per example. The README's notation table lists the mapping.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_generator, float_array, float_dtype, positive_int
from .init import xavier_uniform
from .module import Module, Parameter


class Linear(Module):
    """Affine layer ``Z = X @ W + b``.

    Parameters
    ----------
    n_in, n_out : int
        Number of input and output features.
    rng : numpy.random.Generator or int
        Source of the initial weights (keyword only: no hidden global randomness).
    init : callable, default :func:`coursekit.init.xavier_uniform`
        ``init(n_in, n_out, rng, dtype) -> W``; see :mod:`coursekit.init`.
    dtype : np.float64 (default) or np.float32
        Precision of the parameters, the output and the gradients. Input of another dtype is
        converted to this one, so a float32 layer never silently computes in float64.

    Shapes
    ------
    X: (n, n_in) -> Z: (n, n_out); W: (n_in, n_out); b: (n_out,).

    Math
    ----
    Forward ``Z = X W + b``. Backward, with ``dZ = dL/dZ`` (deck 002: dJ/dw_ji = a_i delta_j,
    dJ/db_j = delta_j, summed over the batch)::

        dW = X^T dZ      db = sum_rows(dZ)      dX = dZ W^T
    """

    def __init__(self, n_in: int, n_out: int, *, rng, init=xavier_uniform, dtype=np.float64):
        self.n_in = positive_int(n_in, "n_in")
        self.n_out = positive_int(n_out, "n_out")
        dtype = float_dtype(dtype)
        if not callable(init):
            raise TypeError(
                f"init must be a function such as coursekit.init.he_normal, got {init!r}")
        self.init = init
        self.W = Parameter(np.asarray(init(self.n_in, self.n_out, as_generator(rng), dtype), dtype=dtype))
        self.b = Parameter(np.zeros(self.n_out, dtype=dtype))
        self._X = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        X = float_array(X, "X", ndim=2, dtype=self.W.data.dtype)
        if X.shape[1] != self.n_in:
            raise ValueError(
                f"X must have {self.n_in} features (columns) for {self!r}, got shape {X.shape}")
        self._X = X
        Z = X @ self.W.data
        Z += self.b.data
        return Z

    def backward(self, dZ: np.ndarray) -> np.ndarray:
        X = self._require_cache(self._X)
        dZ = np.asarray(dZ)
        if dZ.shape != (X.shape[0], self.n_out):
            raise ValueError(
                f"dZ must have shape {(X.shape[0], self.n_out)} (the output's shape), got {dZ.shape}")
        self.W.grad += X.T @ dZ
        self.b.grad += dZ.sum(axis=0)
        if not self.needs_input_grad:
            return None  # the first layer inside fit(): dX would be thrown away
        return dZ @ self.W.data.T

    def extra_repr(self) -> str:
        init = getattr(self.init, "__name__", repr(self.init))
        return f"{self.n_in} -> {self.n_out}, init={init}, dtype={self.W.data.dtype}"
