"""The three-way gradient check: SymPy's formula, coursekit's backprop, finite differences.

Lessons and exercises call it in one line, e.g.::

    compare(symbolic.sigmoid_prime_derivation(), backprop.sigmoid_backward)

Two independent routes agreeing with the derived formula to ~1e-10 is the course's standard
of proof that a backward pass is right (deck 003: check analytic gradients numerically).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from .._checks import as_generator, finite_float, positive_int
from ..gradcheck import numerical_gradient, relative_error
from .derivation import Derivation


@dataclass(frozen=True)
class Comparison:
    """Max relative errors (over the points) between the three gradients.

    ``backprop`` errors are NaN when :func:`compare` got no ``numeric_fn``. The relative error is
    :func:`coursekit.gradcheck.relative_error`: max |a - b| over max(|a|, |b|), per point.
    """

    name: str
    points: int
    sympy_vs_backprop: float
    sympy_vs_numerical: float
    backprop_vs_numerical: float

    @property
    def max_error(self) -> float:
        """The largest of the (available) errors: below ~1e-8 in float64 means all agree."""
        return float(np.nanmax([self.sympy_vs_backprop, self.sympy_vs_numerical,
                                self.backprop_vs_numerical]))

    def __repr__(self) -> str:
        rows = [("SymPy vs backprop", self.sympy_vs_backprop),
                ("SymPy vs finite differences", self.sympy_vs_numerical),
                ("backprop vs finite differences", self.backprop_vs_numerical)]
        body = "\n".join(f"  {label:<32}{'not run' if np.isnan(err) else f'{err:.1e}'}"
                         for label, err in rows)
        return f"{self.name}: max relative error at {self.points} random points\n{body}"


def flat_gradient(value) -> np.ndarray:
    """A gradient (array, float, or tuple of them) as one float64 vector."""
    parts = value if isinstance(value, tuple) else (value,)
    return np.concatenate([np.ravel(np.asarray(p, dtype=np.float64)) for p in parts])


def _sample(derivation: Derivation, rng, low, high) -> list:
    """One random value per argument, with the argument's shape (``Derivation.shapes``)."""
    values = []
    for name, shape in derivation.shapes.items():
        sampler = derivation.samplers.get(name)
        value = sampler(rng) if sampler is not None else rng.uniform(low, high, size=shape)
        values.append(np.asarray(value, dtype=np.float64).reshape(shape))
    return values


def finite_difference_gradient(derivation: Derivation):
    """A function ``values -> d(function)/d(wrt)`` (flattened) by central differences."""
    symbols, f = derivation.symbols, derivation.numpy_function
    n_outputs = len(derivation.function) if isinstance(derivation.function, sp.MatrixBase) else 1
    position = {s: i for i, s in enumerate(symbols)}
    columns = [position[s] for w in derivation.wrt
               for s in (w if isinstance(w, sp.MatrixBase) else [w])]
    sizes = [len(w) if isinstance(w, sp.MatrixBase) else 1 for w in derivation.wrt]

    def gradient(values, h):
        theta = np.concatenate([np.ravel(v) for v in values])
        def central(k, step):
            return numerical_gradient(lambda: float(f(*theta)[k]), theta, step)
        # Richardson: (4 D(h/2) - D(h)) / 3 cancels the h^2 error term of central differences
        jac = np.stack([(4 * central(k, h / 2) - central(k, h)) / 3
                        for k in range(n_outputs)])          # (outputs, symbols)
        # result order: each wrt item, output-major (a Jacobian's rows are the outputs)
        blocks, start = [], 0
        for size in sizes:
            blocks.append(jac[:, columns[start:start + size]].ravel())
            start += size
        return np.concatenate(blocks)

    return gradient


def compare(derivation: Derivation, numeric_fn=None, *, rng=0, points: int = 5,
            low: float = -1.0, high: float = 1.0, h: float = 1e-4) -> Comparison:
    """Check a derived gradient three ways at the same random points.

    Parameters
    ----------
    derivation : Derivation
        A gradient derivation (it has ``function`` and ``wrt``), e.g. ``delta_equations_derivation()``.
    numeric_fn : callable, optional
        coursekit's backprop for the same quantity, with the signature of
        ``derivation.lambdify()``: positional arguments named by ``derivation.args`` (a column
        vector as a 1-D array, a matrix as a 2-D array) returning the result's structure.
        ``coursekit.symbolic.BACKPROP_FOR`` has one for every gradient derivation. Without it
        only SymPy and finite differences are compared.
    rng : numpy.random.Generator or int, default 0
        Draws the points: each argument uniform in [low, high] unless the derivation has a
        sampler for it (a probability vector, a positive epsilon).
    points : int, default 5
        How many random points.
    low, high : float
        The interval of the uniform draws.
    h : float, default 1e-4
        Finite-difference step. Central differences (:func:`coursekit.gradcheck.numerical_gradient`)
        with steps h and h/2 are combined by Richardson extrapolation, (4 D(h/2) - D(h)) / 3,
        whose error is O(h^4): float64 rounding (~1e-16 |f| / h), not truncation, then limits
        the check, to ~1e-12 of the gradient instead of the ~1e-9 of plain differences.

    Returns
    -------
    Comparison
        The max relative error of each pair; ``.max_error`` is below ~1e-8 when all agree.

    Examples
    --------
    >>> from coursekit.symbolic import compare, sigmoid_prime_derivation, backprop
    >>> compare(sigmoid_prime_derivation(), backprop.sigmoid_backward).max_error < 1e-8
    True
    """
    if not isinstance(derivation, Derivation):
        raise TypeError(f"derivation must be a Derivation (e.g. sigmoid_prime_derivation()), got {derivation!r}")
    if derivation.function is None or not derivation.wrt:
        raise ValueError(f"derivation {derivation.name!r} is not a gradient (it has no function "
                         "and wrt), so there is nothing to check by finite differences")
    if numeric_fn is not None and not callable(numeric_fn):
        raise TypeError(f"numeric_fn must be a function like derivation.lambdify(), got {numeric_fn!r}")
    rng, points = as_generator(rng), positive_int(points, "points")
    low, high = finite_float(low, "low"), finite_float(high, "high")
    if not low < high:
        raise ValueError(f"low must be below high, got low={low}, high={high}")
    h = finite_float(h, "h", low=0.0, low_open=True)

    symbolic, numerical = derivation.lambdify(), finite_difference_gradient(derivation)
    errors = np.zeros((points, 3))
    for i in range(points):
        values = _sample(derivation, rng, low, high)
        s = flat_gradient(symbolic(*values))
        n = numerical([v.copy() for v in values], h)
        if n.size != s.size:
            raise ValueError(f"derivation {derivation.name!r}: result has {s.size} entries but "
                             f"wrt has {n.size}")
        errors[i, 1] = relative_error(s, n)
        if numeric_fn is None:
            errors[i, [0, 2]] = np.nan
            continue
        b = flat_gradient(numeric_fn(*[v.copy() for v in values]))
        if b.size != s.size:
            raise ValueError(f"numeric_fn returned {b.size} numbers; the derivation's result "
                             f"{derivation.name!r} has {s.size}")
        errors[i, 0], errors[i, 2] = relative_error(s, b), relative_error(b, n)
    worst = errors.max(axis=0)
    return Comparison(derivation.name, points, *map(float, worst))
