"""Weight initialisation (deck 003: why deep nets were hard; the vanishing-gradient lesson).

Each initialiser is a function ``init(n_in, n_out, rng, dtype) -> W`` with ``W`` of shape
``(n_in, n_out)``. Pass the function itself to :class:`coursekit.layers.Linear`, e.g.
``Linear(784, 256, rng=rng, init=he_normal)`` or ``init=normal(0.01)``.

The variance argument: for zero-mean weights drawn independently of the inputs,
``Var(z_j) = n_in Var(W) E[a^2]`` -- the mean square of the inputs, which is ``Var(a)`` only
for zero-mean activations. For tanh near 0, ``a ~ z``, so keeping the variance through the
layers needs ``Var(W) = 1/n_in``; Glorot averages the forward and backward conditions
(``2/(n_in + n_out)``). For ReLU, ``E[a^2] = Var(z_prev)/2`` when the previous pre-activations
are symmetric about 0, hence He's ``2/n_in``. Sigmoid outputs are not zero-mean (about 1/2), so
``E[a^2] >= 1/4`` whatever ``Var(z)`` is: Glorot's assumptions do not hold for sigmoid nets.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_generator, finite_float, float_dtype, positive_int


def _check(n_in, n_out, rng, dtype):
    return (positive_int(n_in, "n_in"), positive_int(n_out, "n_out"),
            as_generator(rng), float_dtype(dtype))


def normal(std: float):
    """Initialiser drawing ``W ~ N(0, std^2)`` (the slider of the vanishing-gradient lesson)."""
    std = finite_float(std, "std", low=0.0, low_open=True)

    def init(n_in, n_out, rng, dtype=np.float64):
        n_in, n_out, rng, dtype = _check(n_in, n_out, rng, dtype)
        return (std * rng.standard_normal((n_in, n_out))).astype(dtype)

    init.__name__ = init.__qualname__ = f"normal({std:g})"
    return init


def xavier_uniform(n_in, n_out, rng, dtype=np.float64):
    """Glorot & Bengio (2010): ``W ~ U(-r, r)``, ``r = sqrt(6 / (n_in + n_out))``.

    Note: variance ``r^2/3 = 2/(n_in + n_out)``; derived for zero-mean units such as tanh
    (commonly used with sigmoid too, whose mean of 1/2 breaks that assumption).
    """
    n_in, n_out, rng, dtype = _check(n_in, n_out, rng, dtype)
    r = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-r, r, size=(n_in, n_out)).astype(dtype)


def xavier_normal(n_in, n_out, rng, dtype=np.float64):
    """Glorot normal: ``W ~ N(0, 2 / (n_in + n_out))``."""
    n_in, n_out, rng, dtype = _check(n_in, n_out, rng, dtype)
    std = np.sqrt(2.0 / (n_in + n_out))
    return (std * rng.standard_normal((n_in, n_out))).astype(dtype)


def he_normal(n_in, n_out, rng, dtype=np.float64):
    """He et al. (2015): ``W ~ N(0, 2 / n_in)``, for ReLU networks."""
    n_in, n_out, rng, dtype = _check(n_in, n_out, rng, dtype)
    std = np.sqrt(2.0 / n_in)
    return (std * rng.standard_normal((n_in, n_out))).astype(dtype)
