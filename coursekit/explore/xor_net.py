"""View of lessons 00 and 02: scrub through the XOR net's training (deck 001).

The computation is :mod:`coursekit.experiments.xor_net`; :func:`coursekit.plotting.show_xor_net`
draws one net.
"""
from __future__ import annotations

import numpy as np

from ..experiments.xor_net import XorTraining, probability, train_xor_net, xor_snapshot
from ..plotting import show_xor_net
from ._base import Control, Explorer, figure


class XorNetExplorer(Explorer):
    """Slide through the XOR net's training: the boundary, the hidden points and the loss."""

    def __init__(self, training: XorTraining | None = None):
        self.training = train_xor_net() if training is None else training
        epochs = self.training.epochs
        super().__init__(figure(figsize=(8.6, 3.2)), controls=(Control(
            "snapshot", "choice", len(epochs) - 1, options=tuple((str(e), i) for i, e in enumerate(epochs)),
            label="epoch"),))
        ax_in, ax_h, ax_loss = self.fig.subplots(1, 3)
        self.boundary, self.hidden = show_xor_net(self.training.model, (ax_in, ax_h))
        losses = self.training.train_loss
        ax_loss.plot(np.arange(1, len(losses) + 1), losses)
        (self.now,) = ax_loss.plot([], [], "ko")
        ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="training loss", yscale="log")
        self.title = ax_in.set_title(" ", fontsize=9)
        self.animate(self.boundary.image, self.boundary.contour, self.hidden.points, self.hidden.line,
                     self.now, self.title)

    def compute(self, *, snapshot):
        return xor_snapshot(self.training, snapshot)

    def draw(self, r, changed):
        self.boundary.update(probability(r.model))
        self.hidden.update(r.model)
        self.now.set_data(*(([r.epoch], [r.loss]) if r.epoch > 0 else ([], [])))
        self.title.set_text(f"epoch {r.epoch}: accuracy {r.accuracy:.0%}")
