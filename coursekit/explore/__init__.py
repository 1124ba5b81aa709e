"""Slider explorers: one module per lecture concept, each a pure compute function plus a view.

Import an explorer from its module, e.g. ``from coursekit.explore.activations import
ActivationExplorer``; the shared contract is :class:`coursekit.explore._base.Explorer`.
"""
from ._base import Explorer, figure, sweep_values, widget_backend

__all__ = ["Explorer", "figure", "sweep_values", "widget_backend"]
