"""Gradient checking by central finite differences (deck 003: check analytic gradients).

One checker for everyone: the tests, the lessons and the exercises call the same functions.

Math
----
(f(x + h e_i) - f(x - h e_i)) / 2h = df/dx_i + O(h^2). With h = 1e-6 in float64 the truncation
error (~h^2) and the rounding error (~1e-16 / h) are both around 1e-10 of the gradient's scale.

The error reported for an array is ``max_i |analytic_i - numeric_i| / scale``, where ``scale``
is the largest magnitude in either array: relative to the gradient as a whole, so entries that
are (nearly) zero, such as those behind a dead ReLU, do not make the ratio meaningless.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_generator, float_array


def numerical_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """df/dx by central differences, for a scalar function ``f`` of the float64 array ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored; ``f`` must read it anew on
    every call (a closure over ``x`` or over a Parameter's ``data``).
    """
    if x.dtype != np.float64:
        raise TypeError(f"gradient checks need float64 (float32 rounding swamps h), got dtype {x.dtype}")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(analytic, numeric) -> float:
    """max |a - n| / max(max|a|, max|n|); 0 when both are exactly zero."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"analytic and numeric gradients differ in shape: {a.shape} vs {n.shape}")
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(n), initial=0.0))
    return 0.0 if scale == 0 else float(np.max(np.abs(a - n)) / scale)


def check_function(f, f_prime, x, h: float = 1e-6) -> float:
    """Compare an elementwise derivative ``f_prime`` with differences of ``f`` at points ``x``."""
    x = float_array(x, "x", dtype=np.float64).copy()
    numeric = numerical_gradient(lambda: float(np.sum(f(x))), x, h)
    return relative_error(f_prime(x), numeric)


def check_gradients(model, X, loss=None, target=None, *, rng=0, h: float = 1e-6) -> dict[str, float]:
    """Backprop vs finite differences for every parameter of ``model`` and for its input.

    Parameters
    ----------
    model : Module
        Deterministic in its current mode (put Dropout in eval mode or fix its mask).
    X : array, float64
        Input batch.
    loss, target : Loss and its target, optional
        Without a loss, the scalar checked is ``sum(model(X) * G)`` for a fixed random ``G``:
        its gradient with respect to the output is ``G``, so any layer can be checked alone.
    rng : Generator or int
        Draws ``G``.

    Returns
    -------
    dict
        ``{"X": err, "0.W": err, ...}``: the relative error (module docstring) per array.
    """
    X = float_array(X, "X", dtype=np.float64).copy()
    for name, p in model.named_parameters():
        if p.data.dtype != np.float64:
            raise TypeError(f"gradient checks need a float64 model; parameter {name} is {p.data.dtype}")
    out = model.forward(X)
    if loss is None:
        G = as_generator(rng).standard_normal(out.shape)

        def scalar():
            return float(np.sum(model.forward(X) * G))
        dout = G
    else:
        def scalar():
            return loss(model.forward(X), target)
        loss(out, target)
        dout = loss.backward()

    model.zero_grad()
    model.forward(X)
    dX = model.backward(dout)
    errors = {"X": relative_error(dX, numerical_gradient(scalar, X, h))}
    for name, p in model.named_parameters():
        errors[name] = relative_error(p.grad, numerical_gradient(scalar, p.data, h))
    return errors
