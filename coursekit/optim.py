"""Optimizers: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW (deck 003, Optimization).

Usage, once per minibatch (the training loop in :mod:`coursekit.training` does this)::

    opt = Adam(model.parameters(), lr=1e-3)
    opt.zero_grad()                  # backward accumulates, so clear first
    loss(model(X), y); model.backward(loss.backward())
    opt.step()                       # theta <- theta + Delta theta, in place

Notation: the deck's learning rate epsilon is ``lr``; its delta (the small constant that keeps
the division finite) is ``eps``; its momentum alpha is ``momentum``; RMSProp's rho is ``rho``
and Adam's rho1, rho2 are ``betas``. Apart from ``rho`` (PyTorch's ``alpha``, a name the course
keeps for momentum), these are PyTorch's argument names, so the same call works in both.

Every step updates the parameters and the state **in place** through ufunc ``out=`` arguments
into arrays allocated once, at construction. The optimizer is a fifth or more of a training
step's time; the same Adam written with a fresh temporary per operation ran 1.3-1.9x slower
on a 784-256-256-10 network in float32 and 2.6-3.4x in float64 (one thread). Hyperparameters
are kept as Python floats, so a float32 network stays float32 (a NumPy float64 scalar would
promote every product).
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import _describe, finite_float
from .module import Module, Parameter


def _parameter_list(params) -> list[Parameter]:
    """Check ``params`` (a list of Parameters, e.g. ``model.parameters()``) and return it as a list."""
    if isinstance(params, Module):
        raise TypeError(
            f"params must be a list of Parameters: pass model.parameters(), not the model "
            f"itself (got {type(params).__name__})")
    if isinstance(params, Parameter):
        raise TypeError("params must be a list of Parameters: pass [p], not a single Parameter")
    if isinstance(params, np.ndarray):
        raise TypeError(f"params must be a list of Parameters (e.g. model.parameters()), got "
                        f"{_describe(params)}; wrap arrays as coursekit.Parameter(array)")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"params must be a list of Parameters (e.g. model.parameters()), got "
                        f"{_describe(params)}") from None
    if not params:
        raise ValueError("params is an empty list: the optimizer has nothing to train "
                         "(did the model define its Parameters as attributes?)")
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise TypeError(f"params[{i}] must be a coursekit Parameter (pass model.parameters()), "
                            f"got {_describe(p)}")
    if len({id(p) for p in params}) != len(params):
        raise ValueError("params contains the same Parameter more than once; it would be "
                         "updated twice per step")
    return params


def _unit_interval(value, name: str) -> float:
    """A decay rate in [0, 1): momentum alpha, RMSProp's rho, Adam's rho1 and rho2."""
    return finite_float(value, name, low=0.0, high=1.0, high_open=True)


def _accumulate_squares(r, g, rho, tmp) -> None:
    """RMSProp's and Adam's second moment, in place: r <- rho r + (1 - rho) g * g."""
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - rho
    r *= rho
    r += tmp


def _step_by_root(theta, numerator, r, delta, rate, tmp) -> None:
    """The adaptive update, in place: theta <- theta - rate * numerator / (delta + sqrt(r))."""
    np.sqrt(r, out=tmp)
    tmp += delta
    np.divide(numerator, tmp, out=tmp)
    tmp *= rate
    theta -= tmp


class Optimizer:
    """Base class: holds the parameters, the learning rate and per-parameter state.

    Parameters
    ----------
    params : list of Parameter
        What to train, e.g. ``model.parameters()``.
    lr : float
        Learning rate epsilon >= 0 (0 is allowed so a schedule may decay to it). Settable:
        ``opt.lr = schedule(k)`` before ``step()``; a bad value is refused when set.
    weight_decay : float, default 0
        lambda >= 0; every optimizer except :class:`AdamW` adds ``lambda * theta`` to the gradient
        (L2 penalty ``lambda/2 ||theta||^2`` in the loss), as PyTorch does.

    Shapes
    ------
    Each array in ``state[i]`` has the shape and dtype of ``params[i].data``.

    Attributes
    ----------
    state : list of dict
        ``state[i]`` maps the deck's symbol (``"v"``, ``"r"``, ``"s"``) to the array that the
        algorithm keeps for ``params[i]``, allocated at construction and updated in place.

    Note
    ----
    Every update rule is elementwise, so it can run on many parameters at once. When the
    parameters lie back to back in one array, as :class:`~coursekit.mlp.MLP` stores them
    (:func:`coursekit.module.pack`), the optimizer keeps its state the same way and runs each
    line of the rule as one NumPy call over the whole network (a 64-64-10 net: 12 calls per
    Adam step instead of 48); otherwise it runs the rule once per parameter. ``state[i]`` is
    ``params[i]``'s part of the state either way.
    """

    #: True for AdamW: decay acts on theta directly instead of entering the gradient.
    decoupled_weight_decay = False
    #: The constructor's arguments after ``params``, in order (for ``repr``).
    _hyperparameter_names = ("lr", "weight_decay")

    def __init__(self, params, lr, weight_decay=0.0):
        self.params = _parameter_list(params)
        self.lr = lr
        self.weight_decay = finite_float(weight_decay, "weight_decay", low=0.0)
        # g + lambda*theta needs its own array: p.grad is the caller's and stays untouched.
        self._l2 = self.weight_decay > 0 and not self.decoupled_weight_decay
        self.state, self._groups = [None] * len(self.params), []
        for dtype in dict.fromkeys(p.data.dtype for p in self.params):
            members = [i for i, p in enumerate(self.params) if p.data.dtype == dtype]
            self._add_groups(members)

    def _add_groups(self, members: list[int]) -> None:
        """Allocate the state of ``params[members]``: one group if they are packed, else one each."""
        ps = [self.params[i] for i in members]
        theta, g = _packed([p.data for p in ps]), _packed([p.grad for p in ps])
        if theta is None or g is None:
            for i, p in zip(members, ps):
                self.state[i] = self._init_state(p.data)
                self._groups.append(_Group([p], p.data, p.grad, self.state[i], self._l2))
            return
        state = self._init_state(theta)
        for i, views in zip(members, zip(*(_split(a, ps) for a in state.values()))):
            self.state[i] = dict(zip(state, views))
        self._groups.append(_Group(ps, theta, g, state, self._l2))

    def _current_groups(self) -> list["_Group"]:
        """The groups, rebuilt one per parameter if a ``p.data`` or ``p.grad`` was replaced."""
        if not all(group.bound() for group in self._groups):
            self._groups = [_Group([p], p.data, p.grad, state, self._l2)
                            for p, state in zip(self.params, self.state)]
        return self._groups

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = finite_float(value, "lr", low=0.0)

    def _init_state(self, theta: np.ndarray) -> dict:
        """The state arrays for ``theta`` (zeros, like the decks' ``v = 0``, ``r = 0``)."""
        return {}

    def step(self) -> None:
        """Update every parameter in place from its ``.grad``."""
        self._begin_step()
        for group in self._current_groups():
            g = group.g
            if group.l2_grad is not None:
                # L2 weight decay: g <- g + lambda theta, the gradient of lambda/2 ||theta||^2.
                g = np.multiply(group.theta, self.weight_decay, out=group.l2_grad)
                g += group.g
            self._update(group.theta, g, group.tmp, group.state)

    def _begin_step(self) -> None:
        """Work done once per step before the updates (Adam counts t here)."""

    def _update(self, theta: np.ndarray, g: np.ndarray, tmp: np.ndarray, state: dict) -> None:
        """The elementwise update of ``theta`` and its ``state`` arrays, in place.

        ``theta`` is one parameter, or several packed ones (see the Note); ``g`` is its
        gradient (with lambda theta for L2 decay); ``tmp`` is a scratch array of the same
        shape, so the update allocates nothing.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement _update")

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero (backward accumulates, so call this per step)."""
        for group in self._current_groups():
            group.g.fill(0)

    def hyperparameters(self) -> dict:
        """The constructor's arguments (besides ``params``) with their current values."""
        return {name: getattr(self, name) for name in self._hyperparameter_names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        n = sum(p.data.size for p in self.params)
        return f"{type(self).__name__}({args}) over {len(self.params)} parameters ({n} values)"


# -- packed parameters (the Note of Optimizer) -------------------------------------------------
def _packed(arrays: list[np.ndarray]) -> np.ndarray | None:
    """The 1-D array that ``arrays`` fill exactly, back to back and in order, or None."""
    whole = arrays[0].base
    if whole is None or whole.ndim != 1 or sum(a.size for a in arrays) != whole.size:
        return None
    address = whole.ctypes.data
    for a in arrays:
        if a.base is not whole or not a.flags.c_contiguous or a.ctypes.data != address:
            return None
        address += a.nbytes
    return whole


def _split(flat: np.ndarray, params: list[Parameter]) -> list[np.ndarray]:
    """Views of ``flat`` with the shapes of ``params``, in order."""
    views, start = [], 0
    for p in params:
        views.append(flat[start:start + p.data.size].reshape(p.data.shape))
        start += p.data.size
    return views


class _Group:
    """What one call of ``_update`` works on: the parameter arrays ``theta``, the gradients
    ``g``, the ``state`` arrays and scratch arrays, for one parameter or several packed ones."""

    def __init__(self, params: list[Parameter], theta, g, state: dict, l2: bool):
        self._arrays = [(p, p.data, p.grad) for p in params]
        self.theta, self.g, self.state = theta, g, state
        self.tmp = np.empty_like(theta)
        self.l2_grad = np.empty_like(theta) if l2 else None

    def bound(self) -> bool:
        """False once a ``p.data`` or ``p.grad`` has been replaced by another array."""
        return all(p.data is data and p.grad is grad for p, data, grad in self._arrays)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum or Nesterov momentum.

    Parameters
    ----------
    params : list of Parameter
        E.g. ``model.parameters()``.
    lr : float
        Learning rate epsilon >= 0.
    momentum : float in [0, 1), default 0
        alpha; 0 is plain SGD. The velocity's terminal speed under a constant gradient g
        is ``lr * ||g|| / (1 - momentum)`` (deck 003, "Momentum: step sizes").
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0``).
    weight_decay : float, default 0
        L2: lambda * theta is added to g.

    Shapes
    ------
    ``state[i]["v"]`` (only with momentum) has the shape and dtype of ``params[i].data``.

    Math
    ----
    Deck 003, Algorithms 2 and "SGD with momentum", with g = dL/dtheta (+ lambda theta)::

        plain:     theta <- theta - eps g
        momentum:  v <- alpha v - eps g          (v = 0 at the start)
                   theta <- theta + v
        Nesterov:  v <- alpha v - eps g
                   theta <- theta + alpha v - eps g

    Note
    ----
    PyTorch writes momentum with a buffer of summed gradients, ``b <- mu b + g`` and
    ``theta <- theta - lr b``. For a constant learning rate ``v = -lr b`` at every step, so both
    give the same iterates (tests/test_optim_torch.py checks it). This class implements the
    deck's form. The two differ when ``lr`` changes during training: here the velocity keeps the
    steps already taken with the old rate and only new gradients get the new rate, while
    PyTorch rescales the whole buffer, past gradients included, by the new rate.

    Nesterov as in Sutskever et al. (2013) evaluates the gradient at the look-ahead point
    ``theta + alpha v``: ``v <- alpha v - eps grad(theta + alpha v)``, ``theta <- theta + v``.
    The form above (PyTorch's) stores the look-ahead point itself as the parameter, so it needs
    only the gradient at the current parameter; its iterates are Sutskever's ``theta + alpha v``.
    """

    _hyperparameter_names = ("lr", "momentum", "nesterov", "weight_decay")

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        self.momentum = _unit_interval(momentum, "momentum")
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be True or False, got {_describe(nesterov)}")
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0 (got momentum=0.0): Nesterov is "
                             "a kind of momentum")
        self.nesterov = nesterov
        super().__init__(params, lr, weight_decay)

    def _init_state(self, theta):
        return {"v": np.zeros_like(theta)} if self.momentum > 0 else {}

    def _update(self, theta, g, tmp, state):
        alpha = self.momentum
        eps_g = np.multiply(g, self.lr, out=tmp)
        if alpha == 0:
            theta -= eps_g
            return
        v = state["v"]
        v *= alpha
        v -= eps_g
        if self.nesterov:
            theta -= eps_g
            theta += np.multiply(v, alpha, out=tmp)   # eps g is used up: tmp now holds alpha v
        else:
            theta += v


class AdaGrad(Optimizer):
    """AdaGrad: each coordinate's rate shrinks with the root of its summed squared gradients.

    Parameters
    ----------
    params : list of Parameter
        E.g. ``model.parameters()``.
    lr : float
        Global learning rate epsilon >= 0.
    eps : float > 0, default 1e-10
        delta, added to sqrt(r) so the first division is finite.
    weight_decay : float, default 0
        L2: lambda * theta is added to g.

    Shapes
    ------
    ``state[i]["r"]`` has the shape and dtype of ``params[i].data``.

    Math
    ----
    Deck 003, Algorithm 4 (r = 0 at the start; products and quotients elementwise)::

        r <- r + g * g
        Delta theta = -eps g / (delta + sqrt(r))
        theta <- theta + Delta theta

    so coordinate j moves with the effective rate ``eps / (delta + sqrt(sum_k g_kj^2))``.

    Note
    ----
    The deck's one-line summary slide drops the minus sign of Delta theta; Algorithm 4 has it.
    delta sits outside the square root, as in the deck and in ``torch.optim.Adagrad`` (with its
    defaults ``lr_decay=0``, ``initial_accumulator_value=0``), so the iterates equal PyTorch's.
    """

    _hyperparameter_names = ("lr", "eps", "weight_decay")

    def __init__(self, params, lr, eps=1e-10, weight_decay=0.0):
        self.eps = finite_float(eps, "eps", low=0.0, low_open=True)
        super().__init__(params, lr, weight_decay)

    def _init_state(self, theta):
        return {"r": np.zeros_like(theta)}

    def _update(self, theta, g, tmp, state):
        r = state["r"]
        r += np.multiply(g, g, out=tmp)
        _step_by_root(theta, g, r, self.eps, self.lr, tmp)


class RMSProp(Optimizer):
    """RMSProp: AdaGrad with an exponentially decaying average of squared gradients.

    Parameters
    ----------
    params : list of Parameter
        E.g. ``model.parameters()``.
    lr : float
        Global learning rate epsilon >= 0.
    rho : float in [0, 1), default 0.99
        The deck's decay rate rho (PyTorch's ``alpha``; the course's alpha is momentum).
    eps : float > 0, default 1e-8
        delta, added to sqrt(r).
    weight_decay : float, default 0
        L2: lambda * theta is added to g.

    Shapes
    ------
    ``state[i]["r"]`` has the shape and dtype of ``params[i].data``.

    Math
    ----
    Deck 003, Algorithm 5 (r = 0 at the start)::

        r <- rho r + (1 - rho) g * g
        Delta theta = -eps g / (delta + sqrt(r))
        theta <- theta + Delta theta

    Note
    ----
    This is ``torch.optim.RMSprop`` with ``centered=False, momentum=0`` (its defaults): delta
    outside the square root and no bias correction, so early steps are large (r starts at 0).
    PyTorch names the decay ``alpha``: ``RMSProp(params, lr, rho=0.9)`` is
    ``torch.optim.RMSprop(params, lr, alpha=0.9)``.
    """

    _hyperparameter_names = ("lr", "rho", "eps", "weight_decay")

    def __init__(self, params, lr, rho=0.99, eps=1e-8, weight_decay=0.0):
        self.rho = _unit_interval(rho, "rho")
        self.eps = finite_float(eps, "eps", low=0.0, low_open=True)
        super().__init__(params, lr, weight_decay)

    def _init_state(self, theta):
        return {"r": np.zeros_like(theta)}

    def _update(self, theta, g, tmp, state):
        _accumulate_squares(state["r"], g, self.rho, tmp)
        _step_by_root(theta, g, state["r"], self.eps, self.lr, tmp)


class Adam(Optimizer):
    """Adam: momentum on g (first moment s) scaled by the root of the second moment r.

    Parameters
    ----------
    params : list of Parameter
        E.g. ``model.parameters()``.
    lr : float, default 1e-3
        Learning rate epsilon >= 0.
    betas : (float, float), each in [0, 1), default (0.9, 0.999)
        The deck's decay rates (rho1, rho2).
    eps : float > 0, default 1e-8
        delta, added to sqrt(r_hat).
    weight_decay : float, default 0
        L2: lambda * theta is added to g (for decoupled decay use :class:`AdamW`).

    Shapes
    ------
    ``state[i]["s"]`` and ``state[i]["r"]`` have the shape and dtype of ``params[i].data``;
    the step counter ``t`` is shared by all parameters.

    Math
    ----
    Deck 003, Algorithm 7 (s = r = 0, t = 0 at the start)::

        t <- t + 1
        s <- rho1 s + (1 - rho1) g
        r <- rho2 r + (1 - rho2) g * g
        s_hat = s / (1 - rho1^t),   r_hat = r / (1 - rho2^t)
        Delta theta = -eps s_hat / (sqrt(r_hat) + delta)
        theta <- theta + Delta theta

    The first step is ``-eps g / (|g| + delta)``, i.e. ``-lr * sign(g)`` where ``|g| >> delta``,
    whatever the betas: the bias correction undoes the zero start of s and r.

    Note
    ----
    delta is added outside the square root and after the bias correction, as in the deck and
    in ``torch.optim.Adam``; the iterates equal PyTorch's. (Some texts put eps inside the root or
    add it before correcting r; with the default 1e-8 this changes the first steps.) The deck
    suggests epsilon = 1e-4 and rho2 = 0.9; the defaults here are PyTorch's. ``weight_decay`` adds
    lambda theta to g *before* the division by sqrt(r_hat), so large, rarely updated weights are
    decayed less than an L2 penalty suggests; :class:`AdamW` applies the decay outside it.
    """

    _hyperparameter_names = ("lr", "betas", "eps", "weight_decay")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2) such as (0.9, 0.999), "
                            f"got {_describe(betas)}")
        self.betas = (_unit_interval(betas[0], "betas[0]"), _unit_interval(betas[1], "betas[1]"))
        self.eps = finite_float(eps, "eps", low=0.0, low_open=True)
        self.t = 0
        super().__init__(params, lr, weight_decay)

    def _init_state(self, theta):
        return {"s": np.zeros_like(theta), "r": np.zeros_like(theta)}

    def _begin_step(self):
        self.t += 1
        # sqrt(r_hat) + delta = (sqrt(r) + delta c) / c with c = sqrt(1 - rho2^t), so
        # Delta theta = -(eps c / (1 - rho1^t)) s / (sqrt(r) + delta c): the deck's numbers
        # without two array passes for s_hat and r_hat.
        rho1, rho2 = self.betas
        c = math.sqrt(1.0 - rho2 ** self.t)
        self._step_size = self.lr * c / (1.0 - rho1 ** self.t)
        self._delta_c = self.eps * c

    def _update(self, theta, g, tmp, state):
        rho1, rho2 = self.betas
        s = state["s"]
        if self.decoupled_weight_decay and self.weight_decay > 0:
            theta *= 1.0 - self.lr * self.weight_decay      # AdamW; g holds no lambda theta
        s *= rho1
        s += np.multiply(g, 1.0 - rho1, out=tmp)
        _accumulate_squares(state["r"], g, rho2, tmp)
        _step_by_root(theta, s, state["r"], self._delta_c, self._step_size, tmp)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    Parameters
    ----------
    params : list of Parameter
        E.g. ``model.parameters()``.
    lr : float, default 1e-3
        Learning rate epsilon >= 0.
    betas : (float, float), each in [0, 1), default (0.9, 0.999)
        (rho1, rho2).
    eps : float > 0, default 1e-8
        delta.
    weight_decay : float >= 0, default 1e-2
        lambda; theta shrinks by the factor ``1 - lr * lambda`` every step.

    Shapes
    ------
    As :class:`Adam`.

    Math
    ----
    With g the loss gradient only (no lambda theta in it)::

        theta <- (1 - eps lambda) theta
        then the Adam step of :class:`Adam` with g

    i.e. ``Delta theta = -eps (s_hat / (sqrt(r_hat) + delta) + lambda theta)``.

    Note
    ----
    L2 weight decay (``Adam(weight_decay=lambda)``, or an L2 penalty in the loss) puts
    lambda theta into g, where Adam's division by sqrt(r_hat) rescales it: with no loss gradient
    its first step is ``-lr * sign(theta)``, the same for every weight. Decoupled decay
    bypasses the rescaling: with no loss gradient ``theta_k = (1 - lr lambda)^k theta_0``, a
    geometric shrink proportional to each weight. For plain SGD the two are the same thing.
    As in ``torch.optim.AdamW`` the decay is multiplied by the current ``lr`` (the paper
    multiplies it by a separate schedule factor), so a schedule on ``lr`` also scales the decay.
    """

    decoupled_weight_decay = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)
