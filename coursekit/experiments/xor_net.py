"""The XOR network of deck 001: 2 inputs, 2 ReLU hidden units, a sigmoid output.

:func:`train_xor_net` trains ``MLP([2, 2, 1], ReLU())`` on the four XOR points with coursekit's
``fit`` and keeps a copy of the network every few epochs; :func:`xor_snapshot` is one of those
copies with its accuracy and loss (what the explorer of lessons 00 and 02 scrubs through;
``coursekit.explore.xor_net.show_xor_net`` draws a net).

Note
----
The sigmoid output is applied by the loss: the network outputs the logit z and is trained with
:class:`~coursekit.losses.BCEWithLogitsLoss`, the numerically stable form of cross-entropy on
sigma(z). Its prediction is class 1 where sigma(z) > 1/2, i.e. z > 0.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from .._checks import finite_float, positive_int
from ..activations import ReLU, sigmoid
from ..datasets import xor
from ..losses import BCEWithLogitsLoss
from ..mlp import MLP
from ..optim import Adam
from ..training import accuracy, fit

XOR_SEED = 1  # an initialisation from which both hidden units stay alive (see the lesson)


@dataclass
class XorTraining:
    """Copies of the net during training: ``models[i]`` after ``epochs[i]`` epochs, and the loss."""

    models: list
    epochs: list
    train_loss: list

    @property
    def model(self):
        """The trained network (the last copy)."""
        return self.models[-1]


def train_xor_net(*, rng=XOR_SEED, epochs=300, lr=0.05, every=10) -> XorTraining:
    """Train the 2-2-1 ReLU/sigmoid net on XOR with Adam, full batch, keeping a copy every ``every`` epochs.

    Parameters
    ----------
    rng : Generator or int
        Initial weights (the batches are the whole set, so nothing else is random).
    epochs, every : int
        Total epochs; a copy of the net is kept at epoch 0, every, 2 every, ...
    lr : float
        Adam's learning rate.
    """
    epochs, every = positive_int(epochs, "epochs"), positive_int(every, "every")
    lr = finite_float(lr, "lr", low=0.0, low_open=True)
    X, y = xor()
    model = MLP([2, 2, 1], ReLU(), rng=rng)
    loss, optimizer = BCEWithLogitsLoss(), Adam(model.parameters(), lr=lr)
    models, losses, done = [copy.deepcopy(model)], [], 0
    while done < epochs:
        chunk = min(every, epochs - done)
        history = fit(model, loss, optimizer, X, y, epochs=chunk, batch_size=len(X), rng=0, progress=False)
        losses.extend(history.train_loss)
        done += chunk
        models.append(copy.deepcopy(model))
    return XorTraining(models, list(range(0, epochs, every)) + [epochs], losses)


def probability(model):
    """The net's sigmoid output sigma(z) as a function of the inputs (for decision_boundary)."""
    return lambda P: sigmoid(model(P))


def xor_accuracy(model) -> float:
    """Fraction of the four XOR points the net classifies correctly."""
    X, y = xor()
    return accuracy(model, X, y, BCEWithLogitsLoss())


@dataclass
class XorSnapshot:
    """The net after ``epoch`` epochs, its accuracy on the four points and its loss then (None at 0)."""

    model: object
    epoch: int
    accuracy: float
    loss: float | None


def xor_snapshot(training: XorTraining, index: int) -> XorSnapshot:
    """Copy ``index`` of a training run, with what the explorer reports about it."""
    model, epoch = training.models[index], training.epochs[index]
    return XorSnapshot(model, epoch, xor_accuracy(model), training.train_loss[epoch - 1] if epoch > 0 else None)
