"""Slider explorers: one module per lesson, each a view over :mod:`coursekit.experiments`.

Import an explorer from its module, e.g. ``from coursekit.explore.activations import
ActivationExplorer``; the shared contract (the control table, ``compute``, ``draw``,
``result``) is :class:`coursekit.explore._base.Explorer`.
"""
import importlib

from ._base import MAX_WIDTH_PX, Control, Explorer, figure, widget_backend

# Every explorer, "module:Class" under coursekit.explore, by lesson; each builds without
# arguments. The benchmark, the layout test and a static page's frames go through this list.
EXPLORERS = (
    "learning_machines:PolynomialFitExplorer",
    "perceptron:PerceptronExplorer",
    "xor_net:XorNetExplorer",
    "activations:ActivationExplorer",
    "activations:TemperatureExplorer",
    "activations:OutputGradientExplorer",
    "backprop:AddMultiplyExplorer",
    "backprop:SquaredNormExplorer",
    "backprop:TwoTwoOneExplorer",
    "backprop:CompositeExplorer",
    "relu_pieces:ReLUPiecesExplorer",
    "relu_pieces:ShallowFitExplorer",
    "relu_pieces:DepthWidthExplorer",
    "training:TrainingExplorer",
    "vanishing:GradientFlowExplorer",
    "vanishing:LinearChainExplorer",
    "optimizers:TerminalSpeedExplorer",
    "optimizers:QuadraticPathExplorer",
    "optimizers:RosenbrockPathExplorer",
    "optimizers:ScheduleExplorer",
    "regularization:EarlyStoppingExplorer",
    "regularization:PenaltyExplorer",
    "regularization:DropoutExplorer",
    "regularization:BatchNormExplorer",
    "autoencoder:AutoencoderExplorer",
)


def __getattr__(name):
    """``FramePlayer`` and ``precompute`` (an explorer in a page with no kernel, issue 18), imported
    on first use (PEP 562): only a static page's build needs them, and they bring anywidget and PIL."""
    if name not in ("FramePlayer", "precompute"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(".frames", __name__), name)
    globals()[name] = value
    return value


def explorer_class(entry: str) -> type:
    """The class of an ``EXPLORERS`` entry such as ``"vanishing:GradientFlowExplorer"``."""
    module, name = entry.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = ["EXPLORERS", "MAX_WIDTH_PX", "Control", "Explorer", "FramePlayer", "explorer_class", "figure",
           "precompute", "widget_backend"]
