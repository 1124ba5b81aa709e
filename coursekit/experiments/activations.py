"""Activations, their derivatives and the gradients the output losses send back (deck 000 and 001).

All calling coursekit's own modules, so the lesson plots exactly the code the networks run:

* :func:`activation_curves` — f(z) and f'(z) from an activation module's forward and backward;
* :func:`saturated` — where |f'(z)| < tol, the flat parts where a unit stops learning;
* :func:`activation_at` — both curves, the flat parts and the tangent at z0 (lesson 03's explorer);
* :func:`softmax_temperature` — softmax(z / T);
* :func:`output_gradients` — dJ/dz of a sigmoid or softmax output under MSE and cross-entropy.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import finite_float, float_array
from ..activations import LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh, softmax
from ..losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from ..module import Module

Z_RANGE = 8.0  # the explorers plot z in [-8, 8]: wide enough to see sigmoid and tanh go flat
# The activations lesson 03 compares, by label (the one place these labels resolve).
ACTIVATIONS = {"sigmoid": Sigmoid(), "tanh": Tanh(), "ReLU": ReLU(),
               "leaky ReLU (0.1)": LeakyReLU(0.1), "softplus": Softplus()}
DEFAULT_LOGITS = (2.0, 1.0, 0.1, -1.0)


def activation_curves(activation: Module, z) -> tuple[np.ndarray, np.ndarray]:
    """``(f(z), f'(z))`` for an activation module: forward gives f, backward of ones gives f'.

    Shapes
    ------
    z: (m,) -> two arrays of shape (m,).
    """
    if not isinstance(activation, Module):
        raise TypeError(f"activation must be a Module such as Sigmoid(), got {activation!r}")
    z = float_array(z, "z", ndim=1)
    a = activation.forward(z)
    return a, activation.backward(np.ones_like(z))


def saturated(f_prime, tol=1e-3) -> np.ndarray:
    """Boolean mask where |f'(z)| < tol: a gradient through such a unit is (almost) zero."""
    tol = finite_float(tol, "tol", low=0.0, low_open=True)
    return np.abs(np.asarray(f_prime)) < tol


@dataclass
class ActivationPoint:
    """f and f' on a grid of z, the saturated part, and the point z0 with its tangent.

    ``tangent`` is f(z0) + f'(z0) (z - z0) on the same grid; ``flat`` is f' where |f'| < tol,
    NaN elsewhere (so a plot shows only the flat parts).
    """

    z: np.ndarray
    f: np.ndarray
    f_prime: np.ndarray
    flat: np.ndarray
    z0: float
    f0: float
    d0: float
    tangent: np.ndarray


def activation_at(activation: Module, z, z0: float, tol: float = 1e-3) -> ActivationPoint:
    """The curves of ``activation`` over ``z``, where it saturates, and its tangent at ``z0``."""
    f, d = activation_curves(activation, z)
    (f0,), (d0,) = activation_curves(activation, [z0])
    z = np.asarray(z, dtype=float)
    return ActivationPoint(z, f, d, np.where(saturated(d, tol), d, np.nan), float(z0), float(f0), float(d0),
                           f0 + d0 * (z - z0))


def softmax_temperature(z, T) -> np.ndarray:
    """p = softmax(z / T): T -> 0 tends to the one-hot argmax, T -> infinity to uniform.

    Shapes
    ------
    z: (K,) -> p: (K,).
    """
    z = float_array(z, "z", ndim=1)
    T = finite_float(T, "T", low=0.0, low_open=True)
    return softmax(z / T)


@dataclass
class Temperature:
    """p = softmax(z / T) at one temperature T."""

    T: float
    p: np.ndarray


def temperature(z, T) -> Temperature:
    """:func:`softmax_temperature` with its T, as lesson 03's explorer shows it."""
    return Temperature(float(T), softmax_temperature(z, T))


@dataclass
class OutputGradients:
    """dJ/dz under the course's MSE (with the 1/2) and under cross-entropy, arrays of z's shape."""

    mse: np.ndarray
    ce: np.ndarray


def output_gradients(output: str, z) -> OutputGradients:
    """dJ/dz at the output's pre-activation z for target class 1 (class 0 of 3 for softmax).

    ``output="sigmoid"``: a = sigma(z), target t = 1;
    ``output="softmax"``: logits (z, 0, 0), target t = (1, 0, 0); the entry for z is returned.

    Math
    ----
    MSE, J = 1/2 ||a - t||^2:  dJ/dz = J_f(z)^T (a - t)  (sigmoid: (a - t) a (1 - a)),
    which vanishes where the output saturates, even when the prediction is wrong.
    Cross-entropy:             dJ/dz = a - t, large exactly when the prediction is wrong.
    """
    z = float_array(z, "z", ndim=1)
    if output == "sigmoid":
        logits, target = z[:, None], np.ones((len(z), 1))
        unit, ce = Sigmoid(), BCEWithLogitsLoss()
    elif output == "softmax":
        logits = np.column_stack([z, np.zeros_like(z), np.zeros_like(z)])
        target = np.zeros_like(logits)
        target[:, 0] = 1
        unit, ce = Softmax(), CrossEntropyLoss()
    else:
        raise ValueError(f"output must be 'sigmoid' or 'softmax', got {output!r}")
    n = len(z)  # the losses average over the batch; undo it to get each example's gradient
    mse = MSELoss()
    mse(unit.forward(logits), target)
    d_mse = n * unit.backward(mse.backward())
    ce(logits, target)
    d_ce = n * ce.backward()
    return OutputGradients(d_mse[:, 0], d_ce[:, 0])


@dataclass
class OutputGradientCurves:
    """|dJ/dz| over a grid of z and at one point z0, under MSE and cross-entropy."""

    z0: float
    mse: np.ndarray
    ce: np.ndarray
    mse_at: float
    ce_at: float


def output_gradients_at(output: str, z, z0: float) -> OutputGradientCurves:
    """The magnitudes of :func:`output_gradients` over ``z`` and at ``z0`` (lesson 03's explorer)."""
    curves, at = output_gradients(output, z), output_gradients(output, [z0])
    return OutputGradientCurves(float(z0), np.abs(curves.mse), np.abs(curves.ce),
                                float(abs(at.mse[0])), float(abs(at.ce[0])))
