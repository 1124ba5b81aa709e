"""Activations, their derivatives and the gradients the output losses send back (deck 000 and 001).

Compute functions (NumPy, no widgets), all calling coursekit's own modules so the lesson plots
exactly the code the networks run:

* :func:`activation_curves` — f(z) and f'(z) from an activation module's forward and backward;
* :func:`saturated` — where |f'(z)| < tol, the flat parts where a unit stops learning;
* :func:`softmax_temperature` — softmax(z / T);
* :func:`output_gradients` — dJ/dz of a sigmoid or softmax output under MSE and cross-entropy.

Explorers: :class:`ActivationExplorer`, :class:`TemperatureExplorer`, :class:`OutputGradientExplorer`.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._checks import finite_float, float_array
from ..activations import LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh, softmax
from ..losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from ..module import Module
from ._base import Explorer, figure

Z_RANGE = 8.0  # the explorers plot z in [-8, 8]: wide enough to see sigmoid and tanh go flat


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


def softmax_temperature(z, T) -> np.ndarray:
    """p = softmax(z / T): T -> 0 tends to the one-hot argmax, T -> infinity to uniform.

    Shapes
    ------
    z: (K,) -> p: (K,).
    """
    z = float_array(z, "z", ndim=1)
    T = finite_float(T, "T", low=0.0, low_open=True)
    return softmax(z / T)


def output_gradients(output: str, z) -> dict:
    """dJ/dz at the output's pre-activation z for target class 1 (class 0 of 3 for softmax).

    ``output="sigmoid"``: a = sigma(z), target t = 1;
    ``output="softmax"``: logits (z, 0, 0), target t = (1, 0, 0); the entry for z is returned.

    Math
    ----
    MSE, J = 1/2 ||a - t||^2:  dJ/dz = J_f(z)^T (a - t)  (sigmoid: (a - t) a (1 - a)),
    which vanishes where the output saturates, even when the prediction is wrong.
    Cross-entropy:             dJ/dz = a - t, large exactly when the prediction is wrong.

    Returns
    -------
    dict with "mse" and "ce", arrays of the shape of z.
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
    return {"mse": d_mse[:, 0], "ce": d_ce[:, 0]}


ACTIVATIONS = {"sigmoid": Sigmoid(), "tanh": Tanh(), "ReLU": ReLU(),
               "leaky ReLU (0.1)": LeakyReLU(0.1), "softplus": Softplus()}


class ActivationExplorer(Explorer):
    """Pick an activation; see f, f' with the tangent at z0, and where f' is (nearly) zero."""

    def __init__(self, z_range=Z_RANGE):
        self.z = np.linspace(-z_range, z_range, 401)
        controls = {
            "activation": widgets.Dropdown(options=list(ACTIVATIONS.items()), description="f"),
            "z0": widgets.FloatSlider(value=1.0, min=-z_range, max=z_range, step=0.1, description="z0"),
            "tol": widgets.FloatLogSlider(value=1e-3, min=-6, max=-1, description="|f'| <"),
        }
        fig = figure(figsize=(9, 3.4))
        self.ax_f, self.ax_d = fig.subplots(1, 2, sharex=True)
        (self.f_line,) = self.ax_f.plot(self.z, self.z, label="f(z)")
        (self.tangent,) = self.ax_f.plot([], [], "--", color="tab:gray", label="tangent at z0")
        (self.point,) = self.ax_f.plot([], [], "ko")
        (self.d_line,) = self.ax_d.plot(self.z, self.z, color="tab:orange", label="f'(z)")
        (self.flat,) = self.ax_d.plot(self.z, self.z, color="tab:red", lw=6, alpha=0.4,
                                      label="saturated: |f'| < tol")
        (self.d_point,) = self.ax_d.plot([], [], "ko")
        self.ax_f.set(xlabel="z", title="activation f(z)")
        self.ax_d.set(xlabel="z", title="derivative f'(z)")
        self.ax_f.legend(loc="upper left")
        self.ax_d.legend(loc="upper left")
        super().__init__(controls, fig)

    def update(self, *, activation, z0, tol):
        f, d = activation_curves(activation, self.z)
        (f0,), (d0,) = activation_curves(activation, [z0])
        self.f_line.set_ydata(f)
        self.d_line.set_ydata(d)
        self.flat.set_ydata(np.where(saturated(d, tol), d, np.nan))
        self.point.set_data([z0], [f0])
        self.d_point.set_data([z0], [d0])
        self.tangent.set_data(self.z, f0 + d0 * (self.z - z0))
        self.ax_f.set_ylim(f.min() - 0.3, f.max() + 0.3)
        self.ax_d.set_ylim(min(d.min(), 0) - 0.1, d.max() + 0.1)
        self.ax_d.set_title(f"derivative f'(z); f'({z0:.1f}) = {d0:.3g}")


DEFAULT_LOGITS = (2.0, 1.0, 0.1, -1.0)


class TemperatureExplorer(Explorer):
    """Bars of softmax(z / T) for fixed logits z and a temperature slider (log scale)."""

    def __init__(self, z=DEFAULT_LOGITS):
        self.z = float_array(z, "z", ndim=1)
        controls = {"T": widgets.FloatLogSlider(value=1.0, min=-1.5, max=1.5, description="T")}
        fig = figure(figsize=(5, 3.2))
        self.ax = fig.subplots()
        k = len(self.z)
        self.bars = self.ax.bar(np.arange(k), np.zeros(k), color="tab:blue")
        self.ax.axhline(1 / k, color="tab:gray", ls=":", label="uniform 1/K")
        self.ax.set(xticks=np.arange(k), xticklabels=[f"z={v:g}" for v in self.z], ylim=(0, 1.05),
                    ylabel="p = softmax(z / T)")
        self.ax.legend(loc="upper right")
        super().__init__(controls, fig)

    def update(self, *, T):
        p = softmax_temperature(self.z, T)
        for bar, height in zip(self.bars, p):
            bar.set_height(height)
        self.ax.set_title(f"T = {T:.3g}: max p = {p.max():.3f}")


class OutputGradientExplorer(Explorer):
    """|dJ/dz| under MSE and cross-entropy for a sigmoid or softmax output whose target is 1."""

    def __init__(self, z_range=10.0):
        self.z = np.linspace(-z_range, z_range, 401)
        controls = {
            "output": widgets.Dropdown(options=["sigmoid", "softmax"], description="output"),
            "z0": widgets.FloatSlider(value=-4.0, min=-z_range, max=z_range, step=0.1, description="z0"),
        }
        fig = figure(figsize=(6, 3.4))
        self.ax = fig.subplots()
        (self.mse,) = self.ax.plot(self.z, self.z, label=r"MSE $\frac{1}{2}\|a - t\|^2$")
        (self.ce,) = self.ax.plot(self.z, self.z, label=r"cross-entropy $-\sum_k t_k \log a_k$")
        (self.marks,) = self.ax.plot([], [], "ko")
        self.ax.set(xlabel="z (logit of the correct class)", ylabel="|dJ/dz|", ylim=(-0.05, 1.1))
        self.ax.legend(loc="upper right")
        super().__init__(controls, fig)

    def update(self, *, output, z0):
        grads = output_gradients(output, self.z)
        at = output_gradients(output, [z0])
        self.mse.set_ydata(np.abs(grads["mse"]))
        self.ce.set_ydata(np.abs(grads["ce"]))
        self.marks.set_data([z0, z0], [abs(at["mse"][0]), abs(at["ce"][0])])
        self.ax.set_title(f"z0 = {z0:.1f}: |dJ/dz| MSE {abs(at['mse'][0]):.2e}, CE {abs(at['ce'][0]):.2e}")
