"""Regularization (deck 003, "Regularization"): penalties, early stopping and dropout.

* L2: ``L_R(theta) = L(theta) + alpha/2 ||theta||^2``; near an optimum theta* with Hessian H
  the regularised optimum is ``(H + alpha I)^-1 H theta*`` (a rescaling along H's eigenvectors).
* L1: ``L_R(theta) = L(theta) + alpha ||theta||_1``; for diagonal H the optimum is the soft
  threshold ``sign(theta*_i) max(|theta*_i| - alpha / H_ii, 0)``, which is exactly zero for
  small coordinates (sparsity).
* Early stopping: keep the weights of the best validation loss, stop when it stops improving.
* Dropout: multiply the units by a random binary mask in each training step.

The code writes the deck's alpha as ``lam`` (lambda), the name the course's API uses.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._checks import _describe, as_generator, finite_float, float_array, positive_int
from .module import Module, Parameter


# -- dropout -----------------------------------------------------------------------------
class Dropout(Module):
    """Inverted dropout: drop each unit with probability ``p`` while training.

    Parameters
    ----------
    p : float in [0, 1), default 0.5
        Probability of **dropping** a unit (deck 003: typically 0.2 on inputs, 0.5 on hidden
        units).
    rng : numpy.random.Generator or int
        The module's own source of masks (keyword only); same seed, same masks.

    Shapes
    ------
    x: any shape -> y: same shape; ``mask``: same shape, bool.

    Math
    ----
    Training mode, with a fresh mask per call, ``mask_i = 1`` with probability ``1 - p``::

        y = x * mask / (1 - p)          dx = dout * mask / (1 - p)

    so ``E[y] = x``. Evaluation mode is the identity: ``y = x``, ``dx = dout``.

    Note
    ----
    ``p`` is the *drop* probability, as in PyTorch and Keras; some slides and the original
    paper use the *keep* probability ``1 - p``. Scaling the kept units by ``1 / (1 - p)``
    during training ("inverted" dropout) keeps each unit's expected value, so the trained
    network needs no change at test time; the paper's version instead multiplies the weights
    by the keep probability at test time. Both give the same expected activations.

    Attributes
    ----------
    mask : ndarray of bool or None
        Which units the last training-mode forward kept (False = dropped); None before the
        first forward and after a forward in evaluation mode, which drops nothing.
    """

    def __init__(self, p: float = 0.5, *, rng):
        p = finite_float(p, "p")
        if not 0 <= p < 1:
            raise ValueError(f"p is the probability of dropping a unit and must be in [0, 1), got {p}")
        self.p = p
        self.rng = as_generator(rng)
        self.mask = None
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = float_array(x, "x")
        if not self.training:
            self.mask = None
            self._cache = (x.shape, None)
            return x
        # one uniform draw per unit, in the input's precision (float32 stays float32)
        self.mask = self.rng.random(x.shape, dtype=x.dtype) >= self.p
        self._cache = (x.shape, self.mask)
        y = x * self.mask
        y *= 1 / (1 - self.p)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        shape, mask = self._require_cache(self._cache)
        dout = np.asarray(dout)
        if dout.shape != shape:
            raise ValueError(f"dout must have the shape of the output {shape}, got {dout.shape}")
        if mask is None:
            return dout
        dx = dout * mask
        dx *= 1 / (1 - self.p)
        return dx

    def extra_repr(self) -> str:
        return f"p={self.p:g}"


# -- weight penalties --------------------------------------------------------------------
def weight_parameters(model: Module) -> list[Parameter]:
    """The weight matrices of ``model``: parameters whose name ends in ``W`` (not b, gamma, beta)."""
    if not isinstance(model, Module):
        raise TypeError(f"model must be a coursekit Module, got {_describe(model)}")
    return [p for name, p in model.named_parameters() if name.rsplit(".", 1)[-1] == "W"]


class _Penalty:
    """``penalty(model) -> float`` and ``penalty.backward(model)`` over the model's weights."""

    def __init__(self, lam: float):
        self.lam = finite_float(lam, "lam", low=0.0)

    def __call__(self, model: Module) -> float:
        return float(sum(self._value(W.data) for W in weight_parameters(model)))

    def backward(self, model: Module) -> None:
        """Add the penalty's gradient into each weight's ``grad`` (after ``loss.backward``)."""
        for W in weight_parameters(model):
            W.grad += self._gradient(W.data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lam={self.lam:g})"


class L2Penalty(_Penalty):
    """L2 penalty ``(lam/2) sum_W ||W||^2`` over the weight matrices (deck 003: alpha/2 ||theta||^2).

    Shapes
    ------
    Any weights; the value is a float, the gradient has each weight's shape.

    Math
    ----
    ``d/dW = lam W``, so a gradient step is the deck's "weight decay"::

        theta <- theta - lr (grad L + lam theta) = (1 - lr lam) theta - lr grad L

    Note
    ----
    Only weights (parameters named ``W``) are penalised; biases and BatchNorm's gamma and
    beta are not: each controls a single unit, so leaving it free adds little variance, while
    shrinking it can cause underfitting (Goodfellow et al., section 7.1). An optimizer's
    ``weight_decay`` instead decays every parameter it is given, biases included, as PyTorch's
    does. L2 in the loss (this class, or ``weight_decay`` in SGD/Adam) and *decoupled* weight
    decay (AdamW: ``theta <- theta - lr lam theta`` applied beside the Adam step) coincide for
    plain SGD. For adaptive methods they differ: the L2 gradient ``lam theta`` is divided by Adam's
    ``sqrt(r_hat)`` like any other gradient, so large-gradient weights are decayed less.
    """

    def _value(self, W):
        return 0.5 * self.lam * np.vdot(W, W)

    def _gradient(self, W):
        return self.lam * W


class L1Penalty(_Penalty):
    """L1 penalty ``lam sum_W |W|`` over the weight matrices (deck 003: alpha ||theta||_1).

    Shapes
    ------
    Any weights; the value is a float, the gradient has each weight's shape.

    Math
    ----
    Subgradient ``lam sign(W)`` (0 at W = 0). Subgradient steps make weights oscillate
    around 0 rather than reach it; :func:`proximal_l1_step` gives exact zeros.

    Note
    ----
    As for :class:`L2Penalty`, biases and BatchNorm's gamma and beta are not penalised.
    """

    def _value(self, W):
        return self.lam * np.abs(W).sum()

    def _gradient(self, W):
        return self.lam * np.sign(W)


def soft_threshold(x, t: float) -> np.ndarray:
    """Soft thresholding ``sign(x) max(|x| - t, 0)``: shrink towards 0 by t, exactly 0 inside [-t, t].

    It is the minimiser of ``1/2 (theta - x)^2 + t |theta|``, the deck's L1 optimum for
    diagonal H with ``x = theta*_i`` and ``t = alpha / H_ii``.
    """
    x = float_array(x, "x")
    t = finite_float(t, "t", low=0.0)
    return np.sign(x) * np.maximum(np.abs(x) - t, 0)


def proximal_l1_step(params_or_model, lr: float, lam: float) -> None:
    """Proximal step for the L1 penalty: ``W <- soft_threshold(W, lr lam)`` in place.

    Call it right after the optimizer's step on the *unpenalised* loss (do not also add
    :class:`L1Penalty`'s subgradient). Gradient step plus this step is the proximal gradient
    method (ISTA); its fixed points are exactly the L1-regularised optima, zeros included.

    Parameters
    ----------
    params_or_model : Module or list of Parameter
        A model (its weight matrices only, as for the penalties) or the parameters to shrink.
    lr : float > 0
        The learning rate of the step just taken.
    lam : float >= 0
        The L1 strength (the deck's alpha).
    """
    if isinstance(params_or_model, Module):
        params = weight_parameters(params_or_model)
    else:
        params = list(params_or_model)
        for i, p in enumerate(params):
            if not isinstance(p, Parameter):
                raise TypeError(f"params_or_model[{i}] must be a Parameter, got {_describe(p)}")
    t = finite_float(lr, "lr", low=0.0, low_open=True) * finite_float(lam, "lam", low=0.0)
    for p in params:
        p.data[...] = soft_threshold(p.data, t)


# -- early stopping ----------------------------------------------------------------------
class ProximalL1:
    """An optimizer followed by the L1 proximal step ``W <- soft_threshold(W, eps lam)``.

    :func:`proximal_l1_step` after every step of ``optimizer`` on the unpenalised loss (the
    proximal gradient method); ``fit`` drives it like any optimizer (``lr``, ``zero_grad``,
    ``step``), e.g. ``fit(model, loss, ProximalL1(SGD(model.parameters(), lr=0.1), model, 1e-3), ...)``.
    Unlike the subgradient ``lam sign(W)``, the proximal step sets small weights exactly to 0.
    """

    def __init__(self, optimizer, model: Module, lam: float):
        self.optimizer, self.model = optimizer, model
        self.lam = finite_float(lam, "lam", low=0.0)

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value) -> None:
        self.optimizer.lr = value

    def zero_grad(self) -> None:
        self.optimizer.zero_grad()

    def step(self) -> None:
        self.optimizer.step()
        proximal_l1_step(self.model, self.optimizer.lr, self.lam)

    def __repr__(self) -> str:
        return f"ProximalL1({self.optimizer!r}, lam={self.lam:g})"


class EarlyStopping:
    """Stop when the validation loss has not improved for ``patience`` epochs (deck 003).

    Call ``step(val_loss, model)`` once per epoch. Every improvement stores a copy of the
    weights; when ``patience`` epochs in a row bring none, ``step`` returns True and (with
    ``restore_best``) copies the stored weights back into the model.

    Parameters
    ----------
    patience : int >= 1
        Epochs without improvement to tolerate before stopping.
    min_delta : float >= 0, default 0
        An epoch improves only if ``val_loss < best_loss - min_delta``.
    restore_best : bool, default True
        Write the best weights back into the model when stopping.

    Attributes
    ----------
    best_loss : float
        Lowest validation loss seen (inf before the first step).
    best_epoch : int or None
        0-based index of the ``step`` call that produced it (``history.val_loss[best_epoch]``).
    epochs_without_improvement : int
    stopped : bool

    Note
    ----
    The snapshot holds the ``Parameter`` data only. Non-trainable state such as BatchNorm's
    running statistics is not part of it and keeps its latest values.
    """

    def __init__(self, patience: int, min_delta: float = 0.0, restore_best: bool = True):
        self.patience = positive_int(patience, "patience")
        self.min_delta = finite_float(min_delta, "min_delta", low=0.0)
        if not isinstance(restore_best, bool):
            raise TypeError(f"restore_best must be True or False, got {_describe(restore_best)}")
        self.restore_best = restore_best
        self.best_loss = float("inf")
        self.best_epoch = None
        self.epoch = 0
        self.epochs_without_improvement = 0
        self.stopped = False
        self._best = None

    def step(self, val_loss: float, model: Module) -> bool:
        """Record this epoch's validation loss; True means stop training now.

        A NaN or infinite loss (a diverged run) counts as no improvement.
        """
        if not isinstance(val_loss, numbers.Real) or isinstance(val_loss, bool):
            raise TypeError(f"val_loss must be a real number, got {_describe(val_loss)}")
        if not isinstance(model, Module):
            raise TypeError(f"model must be a coursekit Module, got {_describe(model)}")
        epoch, self.epoch = self.epoch, self.epoch + 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = float(val_loss), epoch
            self.epochs_without_improvement = 0
            self._best = [p.data.copy() for p in model.parameters()]
            return False
        self.epochs_without_improvement += 1
        if self.epochs_without_improvement < self.patience:
            return False
        if self.restore_best:
            self.restore(model)
        self.stopped = True
        return True

    def restore(self, model: Module) -> None:
        """Copy the best weights back into ``model``'s parameters, in place (same arrays)."""
        if self._best is None:
            raise RuntimeError("EarlyStopping.restore called before any step: there are no best weights yet")
        params = model.parameters()
        if [p.shape for p in params] != [a.shape for a in self._best]:
            raise ValueError(
                f"model's parameter shapes {[p.shape for p in params]} differ from the stored "
                f"best weights {[a.shape for a in self._best]}: is it the same model?")
        for p, best in zip(params, self._best):
            np.copyto(p.data, best)

    def __repr__(self) -> str:
        return (f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta:g}, "
                f"restore_best={self.restore_best})")
