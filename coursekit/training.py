"""The training loop: epochs of shuffled minibatches (deck 003 SGD; deck 004 epochs vs iterations).

One **epoch** is one pass over the N training examples; one **iteration** (step) is one
gradient step on a minibatch of B examples, so an epoch has ceil(N / B) steps (the last batch
may be smaller). Each step runs the five steps of backprop (deck 002) and one optimizer update::

    optimizer.zero_grad()
    J = loss(model(X_batch), y_batch)          # forward, caches what backward needs
    model.backward(loss.backward())            # backward, accumulates Parameter.grad
    optimizer.step()                           # theta <- theta + Delta theta

:func:`fit` returns a :class:`History` of per-epoch numbers that the plotting helpers and the
lessons read; the numeric core itself never plots.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from ._checks import _describe, as_generator, data_already_checked, float_array, positive_int
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, Loss
from .module import Module, Sequential


@dataclass(repr=False)
class History:
    """What :func:`fit` measured, one entry per epoch.

    Attributes
    ----------
    train_loss : list of float
        Mean training objective over the epoch's minibatches, weighted by batch size (the
        weights change during the epoch). With a ``penalty`` it includes the penalty term.
    train_acc : list of float
        Training accuracy over the epoch's minibatches, as each batch was seen (NaN for
        regression losses).
    val_loss, val_acc : list of float
        Loss and accuracy on the validation set after the epoch, in eval mode (empty without
        a validation set). The validation loss never includes the penalty.
    lr : list of float
        Learning rate of the epoch's first step.
    grad_norms : dict str -> list of float
        With ``record_grad_norms``: for each parameter name (``"0.W"``, ...), the Euclidean
        norm ||dJ/dtheta|| averaged over the epoch's steps (the vanishing-gradient lesson).
    epochs_run : int
    iterations : int
        Optimizer steps taken, counted as they happen: ``epochs_run * iterations_per_epoch(N, B)``.
    stopped_early : bool
        True if early stopping ended the run before ``epochs``.
    """

    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    grad_norms: dict = field(default_factory=dict)
    epochs_run: int = 0
    iterations: int = 0
    stopped_early: bool = False

    def __repr__(self) -> str:
        parts = [f"epochs_run={self.epochs_run}", f"iterations={self.iterations}",
                 f"stopped_early={self.stopped_early}"]
        for name in ("train_loss", "train_acc", "val_loss", "val_acc", "lr"):
            values = getattr(self, name)
            if values:
                parts.append(f"{name}: {values[0]:.4g} -> {values[-1]:.4g}")
        if self.grad_norms:
            parts.append(f"grad_norms for {list(self.grad_norms)}")
        return "History(" + ", ".join(parts) + ")"


def iterations_per_epoch(N: int, B: int) -> int:
    """Minibatch updates in one pass over N examples with batch size B: ceil(N / B).

    The last minibatch is smaller when B does not divide N (it is still one update); B = N is
    batch gradient descent (one update per epoch), B = 1 the deck's one-example SGD.
    """
    N, B = positive_int(N, "N"), positive_int(B, "B")
    if B > N:
        raise ValueError(f"B (batch size) must be at most N = {N}, got {B}")
    return math.ceil(N / B)


# -- evaluation ---------------------------------------------------------------------------
def _correct(loss: Loss, out: np.ndarray, y: np.ndarray) -> float:
    """Number of correct predictions in a batch; NaN when the loss is not a classifier's."""
    if isinstance(loss, CrossEntropyLoss):
        labels = y if y.ndim == 1 else y.argmax(axis=1)
        return float(np.count_nonzero(out.argmax(axis=1) == labels))
    if isinstance(loss, BCEWithLogitsLoss):
        return float(np.count_nonzero((out.reshape(-1) > 0) == (y.reshape(-1) > 0.5)))
    return math.nan


def _labels_from(loss: Loss, out: np.ndarray) -> np.ndarray:
    if isinstance(loss, CrossEntropyLoss):
        return out.argmax(axis=1)
    if isinstance(loss, BCEWithLogitsLoss):
        return (out.reshape(-1) > 0).astype(np.int64)
    return out


def _eval_forward(model: Module, X) -> np.ndarray:
    """``model(X)`` in eval mode, leaving the model in the mode it was in."""
    was_training = model.training
    model.eval()
    try:
        return model.forward(X)
    finally:
        model.train(was_training)


def predict(model: Module, X, loss: Loss) -> np.ndarray:
    """Predictions in eval mode: class labels for CrossEntropy (argmax of the logits) and
    BCEWithLogits (1 where the logit is > 0, i.e. sigma(z) > 1/2); the raw outputs otherwise.

    Shapes
    ------
    X: (n, d) -> (n,) labels, or (n, k) outputs for regression.
    """
    _check_model_and_loss(model, loss)
    return _labels_from(loss, _eval_forward(model, X))


def accuracy(model: Module, X, y, loss: Loss) -> float:
    """Fraction of correct predictions (see :func:`predict`); NaN for regression losses."""
    _check_model_and_loss(model, loss)
    y = np.asarray(y)
    return _correct(loss, _eval_forward(model, X), y) / len(y)


def evaluate(model: Module, X, y, loss: Loss) -> tuple[float, float]:
    """``(loss, accuracy)`` of ``model`` on ``(X, y)`` in eval mode, from one forward pass.

    The arguments come in the order of :func:`predict` and :func:`accuracy`: model, data, loss.
    """
    _check_model_and_loss(model, loss)
    out = _eval_forward(model, X)
    y = np.asarray(y)
    return loss(out, y), _correct(loss, out, y) / len(y)


# -- validation of fit's arguments (once, at the boundary) ---------------------------------
def _check_model_and_loss(model, loss) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"model must be a coursekit Module (e.g. MLP(...)), got {_describe(model)}")
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a coursekit loss such as CrossEntropyLoss(), got {_describe(loss)}")


def _data(X, y, dtype, loss: Loss, name: str):
    """Check ``X, y`` once and convert them to what every batch needs (no per-step conversion)."""
    X = float_array(X, f"{name} X", ndim=2, dtype=dtype)
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != len(X):
        raise ValueError(f"{name} X and y must have the same number of rows, got {len(X)} rows "
                         f"and y of shape {y.shape}")
    if not isinstance(loss, CrossEntropyLoss) or y.dtype.kind == "f":
        y = float_array(y, f"{name} y", dtype=dtype)  # float targets in the model's precision
    return X, y


def _model_dtype(model: Module):
    params = model.parameters()
    if not params:
        raise ValueError(f"model has no parameters to train: {model!r}")
    return params[0].data.dtype


def _first_layer(model: Module) -> Module:
    while isinstance(model, Sequential) and len(model):
        model = model[0]
    return model


@contextmanager
def _input_grad_not_needed(model: Module):
    """While training, nobody reads dJ/dX of the data: let the first layer skip that product."""
    first = _first_layer(model)
    saved = first.needs_input_grad
    first.needs_input_grad = False
    try:
        yield
    finally:
        first.needs_input_grad = saved


# -- the loop -----------------------------------------------------------------------------
def fit(model: Module, loss: Loss, optimizer, X, y, *, epochs: int, batch_size: int, rng,
        validation=None, schedule=None, early_stopping=None, penalty=None,
        record_grad_norms: bool = False, progress: bool = True) -> History:
    """Train ``model`` by minibatch gradient descent and return its :class:`History`.

    Parameters
    ----------
    model : Module
        Trained in place; left in eval mode at the end.
    loss : Loss
        ``CrossEntropyLoss`` (y: int labels), ``BCEWithLogitsLoss`` (y: 0/1), ``MSELoss``.
    optimizer : coursekit.optim.Optimizer
        Built over ``model.parameters()``.
    X, y : arrays, (N, d) and (N,) or (N, k)
        Converted once to the model's dtype (a float32 model trains in float32 throughout).
    epochs, batch_size : int >= 1
        An epoch has ceil(N / batch_size) steps; the last batch holds the remainder.
    rng : Generator or int
        Draws one permutation of the rows per epoch: same seed, same batches, same history.
    validation : (X_val, y_val), optional
        Evaluated after every epoch in eval mode (dropout off, batch norm running stats).
    schedule : callable k -> lr, optional
        Sets ``optimizer.lr = schedule(k)`` before step k = 0, 1, 2, ... (counted across epochs).
    early_stopping : EarlyStopping, optional
        ``early_stopping.step(val_loss, model)`` after each epoch; needs ``validation``.
    penalty : L2Penalty or L1Penalty, optional
        Its value is added to the training objective and ``penalty.backward(model)`` adds its
        gradient after ``model.backward``.
    record_grad_norms : bool
        Record per-parameter gradient norms (see :class:`History`).
    progress : bool
        Show a tqdm progress bar over epochs (a widget in JupyterLab) with the latest losses.

    Note
    ----
    The first layer does not compute dJ/dX during training (its ``needs_input_grad`` is off
    inside ``fit``): the data are not trained, so the product would be thrown away.
    """
    _check_model_and_loss(model, loss)
    epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
    rng = as_generator(rng)
    for name, f in (("schedule", schedule), ("penalty", penalty)):
        if f is not None and not callable(f):
            raise TypeError(f"{name} must be callable, got {_describe(f)}")
    if early_stopping is not None and validation is None:
        raise ValueError("early_stopping needs a validation set: pass validation=(X_val, y_val)")
    dtype = _model_dtype(model)
    X, y = _data(X, y, dtype, loss, "training")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"validation must be a pair (X_val, y_val), got {_describe(validation)}")
        X_val, y_val = _data(*validation, dtype, loss, "validation")
    named = model.named_parameters() if record_grad_norms else []
    history = History(grad_norms={name: [] for name, _ in named})
    n, k = len(X), 0
    # Each step gathers its shuffled rows into these buffers, allocated once: the batch is
    # then still in cache for the first matrix product (an epoch-wide gather writes and
    # rereads all N rows). mode="clip" because the default mode="raise" copies through a
    # second buffer; the indices are a permutation of range(n), so nothing is clipped.
    m = min(batch_size, n)
    X_buf, y_buf = np.empty((m, *X.shape[1:]), X.dtype), np.empty((m, *y.shape[1:]), y.dtype)
    from tqdm.auto import tqdm  # here, not at import: in a kernel it loads ipywidgets (0.1-0.3 s)

    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress)
    with _input_grad_not_needed(model), data_already_checked():  # X, y were checked above
        for _ in bar:
            model.train()
            order = rng.permutation(n)
            total = correct = 0.0
            norms = np.zeros(len(named))
            history.lr.append(float(schedule(k)) if schedule is not None else optimizer.lr)
            for start in range(0, n, batch_size):
                rows = order[start:start + batch_size]
                Xb = np.take(X, rows, axis=0, out=X_buf[:len(rows)], mode="clip")
                yb = np.take(y, rows, axis=0, out=y_buf[:len(rows)], mode="clip")
                if schedule is not None:
                    optimizer.lr = schedule(k)
                optimizer.zero_grad()
                out = model.forward(Xb)
                J = loss(out, yb)
                model.backward(loss.backward())
                if penalty is not None:
                    J += penalty(model)
                    penalty.backward(model)
                for i, (_, p) in enumerate(named):
                    norms[i] += np.linalg.norm(p.grad)
                optimizer.step()
                total += J * len(Xb)
                correct += _correct(loss, out, yb)
                k += 1
            steps = math.ceil(n / batch_size)
            history.iterations = k
            history.train_loss.append(total / n)
            history.train_acc.append(correct / n)
            for (name, _), norm in zip(named, norms):
                history.grad_norms[name].append(float(norm / steps))
            history.epochs_run += 1
            if not math.isfinite(history.train_loss[-1]):
                err = FloatingPointError(
                    f"training diverged in epoch {history.epochs_run}: mean loss "
                    f"{history.train_loss[-1]}; try a smaller learning rate (lr={optimizer.lr:g})")
                err.history = history
                raise err
            if validation is not None:
                val_loss, val_acc = evaluate(model, X_val, y_val, loss)
                history.val_loss.append(val_loss)
                history.val_acc.append(val_acc)
                bar.set_postfix(loss=f"{total / n:.4f}", val_loss=f"{val_loss:.4f}", refresh=False)
                if early_stopping is not None and early_stopping.step(val_loss, model):
                    history.stopped_early = True
                    break
            else:
                bar.set_postfix(loss=f"{total / n:.4f}", refresh=False)
    model.eval()
    return history
