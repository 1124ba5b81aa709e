"""The XOR network of deck 001: 2 inputs, 2 ReLU hidden units, a sigmoid output.

:func:`train_xor_net` trains ``MLP([2, 2, 1], ReLU())`` on the four XOR points with coursekit's
``fit`` and keeps a copy of the network every few epochs; :func:`show_xor_net` draws a trained
net's decision boundary (input space) and hidden representation (where the four points become
linearly separable); :class:`XorNetExplorer` scrubs through the training with a slider.
Lessons 00 and 02 both use these, so the start page and the lesson run the same code.

Note
----
The sigmoid output is applied by the loss: the network outputs the logit z and is trained with
:class:`~coursekit.losses.BCEWithLogitsLoss`, the numerically stable form of cross-entropy on
sigma(z). Its prediction is class 1 where sigma(z) > 1/2, i.e. z > 0.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from .._checks import finite_float, positive_int
from ..activations import ReLU, sigmoid
from ..datasets import xor
from ..losses import BCEWithLogitsLoss
from ..mlp import MLP
from ..optim import Adam
from ..plotting import decision_boundary, hidden_space
from ..training import accuracy, fit
from ._base import Explorer, figure

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


def show_xor_net(model, axes):
    """Draw the decision boundary into ``axes[0]`` and the hidden representation into ``axes[1]``.

    Returns the two plots (:class:`~coursekit.plotting.BoundaryPlot`, :class:`~coursekit.plotting.HiddenPlot`).
    """
    X, y = xor()
    boundary = decision_boundary(axes[0], probability(model), X, y, threshold=0.5, resolution=100)
    axes[0].set_title("input space: $\\sigma(z) > 1/2$ is red")
    hidden = hidden_space(axes[1], model, X, y)
    axes[1].set_title("hidden space $h = \\mathrm{ReLU}(x W + b)$")
    for (x1, x2), label in zip(X, ("(0,0)", "(0,1)", "(1,0)", "(1,1)")):
        axes[0].annotate(label, (x1, x2), textcoords="offset points", xytext=(6, 6))
    axes[1].legend(loc="upper right", fontsize="small")
    return boundary, hidden


class XorNetExplorer(Explorer):
    """Slide through the XOR net's training: the boundary, the hidden points and the loss."""

    def __init__(self, training: XorTraining | None = None):
        self.training = train_xor_net() if training is None else training
        last = len(self.training.epochs) - 1
        controls = {"snapshot": widgets.SelectionSlider(
            options=[(str(e), i) for i, e in enumerate(self.training.epochs)], value=last,
            description="epoch")}
        fig = figure(figsize=(10, 3.4))
        ax_in, ax_h, ax_loss = fig.subplots(1, 3)
        self.boundary, self.hidden = show_xor_net(self.training.model, (ax_in, ax_h))
        losses = self.training.train_loss
        ax_loss.plot(np.arange(1, len(losses) + 1), losses)
        (self.now,) = ax_loss.plot([], [], "ko")
        ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="training loss", yscale="log")
        self.ax_in = ax_in
        super().__init__(controls, fig)

    def update(self, *, snapshot):
        model = self.training.models[snapshot]
        self.boundary.update(probability(model))
        self.hidden.update(model)
        epoch = self.training.epochs[snapshot]
        if epoch > 0:
            self.now.set_data([epoch], [self.training.train_loss[epoch - 1]])
        else:
            self.now.set_data([], [])
        self.ax_in.set_title(f"epoch {epoch}: accuracy {xor_accuracy(model):.0%}")
