"""Parameters, modules and the layer contract (deck 000 and 003: a network is a chain of layers).

The contract every layer follows (cs231n's cache contract):

* ``forward(x)`` returns the output and keeps exactly what ``backward`` needs;
* ``backward(dout)`` takes dL/d(output), returns ``dx`` = dL/d(input) and **adds** the
  gradients of its own parameters into ``Parameter.grad`` (so gradients of shared parameters
  or of several losses sum, as the multi-path chain rule says they must);
* calling ``backward`` before ``forward`` is an error, not a silent zero.
"""
from __future__ import annotations

import numpy as np


class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    Parameters
    ----------
    data : ndarray
        The values; float32 or float64. Stored as given (not copied).

    Shapes
    ------
    ``grad`` has the shape and dtype of ``data`` and starts at zero.
    """

    __slots__ = ("data", "grad")

    def __init__(self, data: np.ndarray):
        data = np.asarray(data)
        if data.dtype not in (np.float32, np.float64):
            raise TypeError(f"Parameter data must be float32 or float64, got dtype {data.dtype}")
        self.data = data
        self.grad = np.zeros_like(data)

    @property
    def shape(self) -> tuple:
        return self.data.shape

    def zero_grad(self) -> None:
        self.grad.fill(0)

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


def pack(params: list[Parameter]) -> None:
    """Store the parameters' values back to back in one array, and their gradients in another.

    A speed-up, not a concept of the course: each ``p.data`` and ``p.grad`` becomes a view, with
    the same shape and values, into one contiguous 1-D array. The optimizers notice and then run
    each line of their update rule as one NumPy call over the whole network instead of one call
    per parameter (:mod:`coursekit.optim`). :class:`~coursekit.mlp.MLP` packs its parameters when
    it is built, before anyone holds a reference to the old arrays.

    Shapes
    ------
    params: parameters of one dtype; afterwards ``p.data.base`` is the same 1-D array for all.
    """
    params = list(params)
    if not params:
        return
    if len({p.data.dtype for p in params}) > 1:
        raise TypeError(f"pack needs parameters of one dtype, got {sorted({str(p.data.dtype) for p in params})}")
    data = np.concatenate([p.data.ravel() for p in params])
    grad = np.concatenate([p.grad.ravel() for p in params])
    start = 0
    for p in params:
        stop = start + p.data.size
        p.data, p.grad = data[start:stop].reshape(p.data.shape), grad[start:stop].reshape(p.grad.shape)
        start = stop


class Module:
    """Base class of layers and networks.

    Subclasses implement ``forward`` and ``backward``. Parameters and sub-modules are found
    by looking at the instance's attributes (in the order they were assigned), so a layer
    only has to store them as attributes, as micrograd and PyTorch do.
    """

    training: bool = True
    # False tells backward that nobody reads dL/d(input): a layer may then skip computing it
    # and return None. fit() turns it off for the network's first layer, whose input is data.
    needs_input_grad: bool = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not implement forward")

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not implement backward")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    # -- traversal -----------------------------------------------------------------------
    def children(self) -> list["Module"]:
        """The direct sub-modules, in the order they were assigned."""
        return [module for _, module in self._named_children()]

    def named_parameters(self, prefix: str = "") -> list[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs, e.g. ``("0.W", ...)`` for the first layer's weights."""
        named = []
        for key, value in vars(self).items():
            if isinstance(value, Parameter):
                named.append((prefix + key, value))
        for name, module in self._named_children():
            named.extend(module.named_parameters(f"{prefix}{name}."))
        return named

    def _named_children(self) -> list[tuple[str, "Module"]]:
        named = []
        for key, value in vars(self).items():
            if isinstance(value, Module):
                named.append((key, value))
            elif isinstance(value, (list, tuple)):
                named.extend((str(i), v) for i, v in enumerate(value) if isinstance(v, Module))
        return named

    def parameters(self) -> list[Parameter]:
        """Every trainable parameter of this module and its sub-modules."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero (backward accumulates, so call this per step)."""
        for p in self.parameters():
            p.zero_grad()

    # -- modes ---------------------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Training mode: dropout drops, batch norm uses batch statistics. Returns self."""
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode: dropout is the identity, batch norm uses running statistics."""
        return self.train(False)

    # -- helpers for subclasses ----------------------------------------------------------
    def _require_cache(self, cache):
        """Raise the contract's error when ``backward`` comes before ``forward``."""
        if cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before forward: run forward(x) first "
                "so the layer can cache what the gradient needs"
            )
        return cache

    def extra_repr(self) -> str:
        """What goes between the parentheses of ``repr`` (layer sizes, hyperparameters)."""
        return ""

    def __repr__(self) -> str:
        children = self._named_children()
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)


class Sequential(Module):
    """Layers applied one after another; backward runs them in reverse (deck 002, step 4).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> net = Sequential(Linear(2, 2, rng=rng), ReLU(), Linear(2, 1, rng=rng))  # doctest: +SKIP
    """

    def __init__(self, *layers: Module):
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential layer {i} must be a Module, got {layer!r}")
        self.layers = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)
