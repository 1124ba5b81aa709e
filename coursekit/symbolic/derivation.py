"""The ``Derivation`` object: a lecture's derivation as labelled SymPy steps and a result.

A derivation function (``sigmoid_prime_derivation()``, ``delta_equations_derivation()``, ...) builds one of these.
In a notebook the object shows its steps as LaTeX; ``lambdify()`` turns the result into a
NumPy function, and :func:`coursekit.symbolic.compare` checks it against coursekit's backprop
and finite differences.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np
import sympy as sp


@dataclass(frozen=True)
class Step:
    """One labelled line of a derivation.

    ``math`` is a SymPy expression, an ``Eq``, or a tuple of expressions shown as a chain of
    equalities ``a = b = c`` (a tuple avoids ``Eq`` evaluating two equal matrices to ``True``).
    """

    label: str
    math: Any

    def latex(self) -> str:
        sides = self.math if isinstance(self.math, tuple) else (self.math,)
        return " = ".join(sp.latex(side) for side in sides)


def _escape(text: str) -> str:
    """Plain text for ``\\text{...}``: escape the characters LaTeX treats as commands."""
    for char in "\\&%$#_{}":
        text = text.replace(char, "\\" + char)
    return text.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def _as_arg(obj):
    """A lambdify argument: a symbol, a flat list for a column vector, nested lists for a matrix."""
    if isinstance(obj, sp.MatrixBase):
        return list(obj) if obj.shape[1] == 1 else obj.tolist()
    return obj


def _shape(obj) -> tuple:
    """The NumPy shape of an argument or result: () scalar, (n,) column vector, (r, c) matrix."""
    if isinstance(obj, sp.MatrixBase):
        return (obj.shape[0],) if obj.shape[1] == 1 else obj.shape
    return ()


class _Tex(sp.Symbol):
    """A display-only symbol printed as its raw LaTeX name (SymPy would split ``_`` and ``^``)."""

    def _latex(self, printer):
        return self.name


def tex(latex: str) -> sp.Symbol:
    """A symbol shown verbatim in LaTeX, for notation such as ``g^T H g`` in a step."""
    return _Tex(latex)


def partial(num: str, den: str) -> sp.Symbol:
    """A display symbol for the partial derivative d num / d den (LaTeX names allowed)."""
    return tex(rf"\frac{{\partial {num}}}{{\partial {den}}}")


def check_step(label: str, difference) -> Step:
    """A step stating that ``difference`` (an expression, matrix or tuple) is exactly 0; raises ``ArithmeticError`` if it is not.

    Derivations use it for "direct differentiation agrees with the backprop form", so a
    derivation that stops being true fails when it is built, not silently on a slide.
    """
    if not exact_zero(difference):
        raise ArithmeticError(f"{label}: the difference does not simplify to 0")
    return Step(label, (tex(r"\text{difference}"), sp.S.Zero))


def exact_zero(expr) -> bool:
    """True if ``expr`` (or every entry of a matrix or tuple) is identically 0, exactly.

    Exponentials and trigonometric functions are replaced by fresh symbols (``e^(-a)`` and
    ``e^(2a)`` by powers of ``e^a``'s symbol), the expression is put over one denominator and its
    numerator expanded: a polynomial that expands to 0 is 0 for every value of those symbols,
    so the identity holds. The test is sound (never a false "zero") and far faster than
    ``sympy.simplify`` on a network's gradient: 0.2 s instead of 40 s for the delta equations.
    """
    if isinstance(expr, (sp.MatrixBase, tuple, list)):
        return all(exact_zero(e) for e in expr)
    expr = sp.sympify(expr)
    dummies, replace = {}, {}
    for f in expr.atoms(sp.exp, sp.sin, sp.cos, sp.tan, sp.tanh, sp.log):
        key, power = f, 1
        if f.func == sp.exp:                  # e^(-a) = 1 / e^a and e^(2a) = (e^a)^2: one symbol
            sign = -1 if f.args[0].could_extract_minus_sign() else 1
            coeff, base = (sign * f.args[0]).as_coeff_Mul()
            if coeff.is_Integer:
                key, power = sp.exp(base), sign * int(coeff)
        replace[f] = dummies.setdefault(key, sp.Dummy()) ** power
    expr = expr.xreplace(replace)
    return sp.expand(sp.together(expr).as_numer_denom()[0]) == 0


@dataclass(frozen=True, repr=False)
class Derivation:
    """A derivation from the lectures: labelled steps, a result, and how to evaluate it.

    Parameters
    ----------
    name : str
        What is derived, e.g. ``"sigmoid derivative"``.
    source : str
        The deck and slide topic it follows, e.g. ``"deck 000, perceptron: chain rule"``.
    steps : tuple of Step
        The derivation, in order.
    result : SymPy expression, Matrix, or tuple of them
        The final formula, in terms of the symbols in ``args``. For a gradient derivation entry
        k is d(function)/d(wrt[k]), with the shape of ``wrt[k]`` (preceded by the output axis
        when ``function`` is a vector); a tuple when ``wrt`` has several entries.
    args : mapping of str to Symbol or Matrix of symbols
        The inputs of ``lambdify()`` in order; a column Matrix is passed as a 1-D array, a
        matrix as a 2-D array, a Symbol as a float.
    function : SymPy expression or column Matrix, optional
        The (scalar or vector) function whose derivative ``result`` is; it makes the
        derivation checkable by finite differences in :func:`compare`.
    wrt : tuple of Symbol or Matrix, optional
        What ``result`` differentiates with respect to (symbols among ``args``).
    notes : tuple of str
        Disputed conventions and slide errata, shown after the steps.
    values : mapping of str to SymPy number
        Worked numbers of the slide, exact where the inputs are exact.
    samplers : mapping of str to callable
        ``samplers[name](rng)`` draws the argument ``name`` where uniform numbers in an interval
        make no sense (a probability vector, a positive epsilon).

    Shapes
    ------
    See ``args`` and ``result``; ``symbols`` lists every scalar symbol of ``args`` flattened.
    """

    name: str
    source: str
    steps: tuple
    result: Any
    args: Mapping[str, Any]
    function: Any = None
    wrt: tuple = ()
    notes: tuple = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    samplers: Mapping[str, Callable] = field(default_factory=dict)

    def __post_init__(self):
        # derivation functions cache their Derivation: make the shared object read-only
        for name in ("args", "values", "samplers"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "wrt", tuple(self.wrt))

    @property
    def symbols(self) -> tuple:
        """Every scalar symbol of ``args``, in order (matrices row by row)."""
        flat = []
        for obj in self.args.values():
            flat.extend(obj if isinstance(obj, sp.MatrixBase) else [obj])
        return tuple(flat)

    @property
    def shapes(self) -> dict:
        """``{name: NumPy shape}`` of each argument."""
        return {name: _shape(obj) for name, obj in self.args.items()}

    @cached_property
    def _numpy_result(self) -> Callable:
        # common subexpressions make a network's gradient 4x faster to build and to evaluate
        return sp.lambdify([_as_arg(obj) for obj in self.args.values()], self.result, "numpy", cse=True)

    @cached_property
    def numpy_function(self) -> Callable:
        """``function`` as a NumPy function of the flat ``symbols``, returning a list of outputs."""
        outputs = list(self.function) if isinstance(self.function, sp.MatrixBase) else [self.function]
        return sp.lambdify(self.symbols, outputs, "numpy", cse=True)

    def lambdify(self) -> Callable:
        """The result as a NumPy function of the arguments ``args``, in order.

        Matrix results come back as 2-D arrays (a column vector as 1-D), a tuple result as a
        tuple. Examples: ``sigmoid_prime_derivation().lambdify()(0.0) == 0.25``.
        """
        raw = self._numpy_result
        shapes = [_shape(r) for r in self.result] if isinstance(self.result, tuple) else None

        def fn(*values):
            out = raw(*values)
            if shapes is None:
                return _to_array(out, _shape(self.result))
            return tuple(_to_array(o, s) for o, s in zip(out, shapes))

        fn.__name__ = fn.__qualname__ = self.name.replace(" ", "_")
        fn.__doc__ = f"NumPy function of {self.name} ({self.source}); arguments {list(self.args)}."
        return fn

    # -- display ---------------------------------------------------------------------------
    def _repr_latex_(self) -> str:
        rows = [rf"\text{{{_escape(s.label)}:}} & {s.latex()}" for s in self.steps]
        rows += [rf"\text{{Note: {_escape(n)}}} &" for n in self.notes]
        title = rf"\textbf{{{_escape(self.name)}}}\ \text{{({_escape(self.source)})}} &"
        return "$$\\begin{array}{ll}" + " \\\\ ".join([title] + rows) + "\\end{array}$$"

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.name}** (follows {self.source})", ""]
        for i, s in enumerate(self.steps, 1):
            lines.append(f"{i}. {s.label}: $\\displaystyle {s.latex()}$")
        lines += [""] + [f"> **Note** {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        labels = "; ".join(s.label for s in self.steps)
        wrt = f", wrt={[_name(w) for w in self.wrt]}" if self.wrt else ""
        return (f"Derivation({self.name!r}, follows {self.source!r}, args={list(self.args)}{wrt}, "
                f"{len(self.steps)} steps: {labels})")


def _name(obj) -> str:
    """A symbol's name, or a matrix of symbols as ``[a, b, ...]``."""
    return str(list(obj)) if isinstance(obj, sp.MatrixBase) else str(obj)


def _to_array(value, shape) -> np.ndarray:
    """lambdify output as a float array of the argument convention's shape."""
    arr = np.asarray(value, dtype=np.float64)
    return arr.reshape(shape) if arr.size == int(np.prod(shape)) else arr
