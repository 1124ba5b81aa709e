"""PyTorch as the oracle: for a constant lr coursekit's iterates equal torch.optim's.

Run with ``make test-oracle`` (or ``.venv/bin/python -m pytest -m oracle tests/test_optim_torch.py``
after ``.venv/bin/pip install torch==2.13.0``). Both optimizers see the same gradient, computed by
NumPy from their own current parameters, so only the update rules are compared.
"""
import numpy as np
import pytest

from coursekit import Parameter
from coursekit.optim import SGD, AdaGrad, Adam, AdamW, RMSProp
from coursekit.schedules import LinearDecay

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

SHAPES = [(6, 4), (4,), (3,)]  # a weight matrix, its bias and a second vector
STEPS = 50

CONFIGS = [
    ("SGD", SGD, torch.optim.SGD, dict(lr=0.05)),
    ("SGD", SGD, torch.optim.SGD, dict(lr=0.05, weight_decay=0.1)),
    ("SGD", SGD, torch.optim.SGD, dict(lr=0.02, momentum=0.9)),
    ("SGD", SGD, torch.optim.SGD, dict(lr=0.02, momentum=0.9, nesterov=True)),
    ("SGD", SGD, torch.optim.SGD, dict(lr=0.03, momentum=0.5, nesterov=True, weight_decay=0.01)),
    ("AdaGrad", AdaGrad, torch.optim.Adagrad, dict(lr=0.1)),
    ("AdaGrad", AdaGrad, torch.optim.Adagrad, dict(lr=0.3, eps=1e-6, weight_decay=0.05)),
    ("RMSProp", RMSProp, torch.optim.RMSprop, dict(lr=0.01)),
    ("RMSProp", RMSProp, torch.optim.RMSprop, dict(lr=0.003, rho=0.9, eps=1e-6, weight_decay=0.01)),
    ("Adam", Adam, torch.optim.Adam, dict(lr=0.01)),
    ("Adam", Adam, torch.optim.Adam, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", Adam, torch.optim.Adam, dict(lr=0.02, betas=(0.0, 0.5))),
    ("AdamW", AdamW, torch.optim.AdamW, dict(lr=0.01)),
    ("AdamW", AdamW, torch.optim.AdamW, dict(lr=0.05, betas=(0.9, 0.99), weight_decay=0.3)),
]
# The one argument named differently: RMSProp's decay rho is torch's alpha (the course's alpha is momentum).
TORCH_NAMES = {"rho": "alpha"}


def random_quadratic(seed):
    """Loss 1/2 x^T H x - c^T x over x = all parameters flattened; H symmetric positive definite."""
    rng = np.random.default_rng(seed)
    n = sum(int(np.prod(s)) for s in SHAPES)
    M = rng.standard_normal((n, n))
    H = M @ M.T / n + 0.1 * np.eye(n)
    c = rng.standard_normal(n)
    starts = [rng.standard_normal(s) for s in SHAPES]
    return H, c, starts


def gradients(H, c, arrays):
    """grad = H x - c, split back into the parameters' shapes."""
    x = np.concatenate([a.ravel() for a in arrays])
    g = H @ x - c
    out, i = [], 0
    for a in arrays:
        out.append(g[i:i + a.size].reshape(a.shape))
        i += a.size
    return out


def run_both(ours_cls, torch_cls, kwargs, seed, lrs=None):
    H, c, starts = random_quadratic(seed)
    ours = [Parameter(s.copy()) for s in starts]
    theirs = [torch.tensor(s.copy(), dtype=torch.float64, requires_grad=True) for s in starts]
    opt = ours_cls(ours, **kwargs)
    topt = torch_cls(theirs, **{TORCH_NAMES.get(k, k): v for k, v in kwargs.items()})
    for k in range(STEPS):
        if lrs is not None:
            opt.lr = lrs[k]
            for group in topt.param_groups:
                group["lr"] = lrs[k]
        for p, g in zip(ours, gradients(H, c, [p.data for p in ours])):
            p.grad[...] = g
        for t, g in zip(theirs, gradients(H, c, [t.detach().numpy() for t in theirs])):
            t.grad = torch.from_numpy(g.copy())
        opt.step()
        topt.step()
    return ([p.data for p in ours], [t.detach().numpy() for t in theirs])


def config_id(config):
    name, _, _, kwargs = config
    return "-".join([name] + [f"{k}={v}" for k, v in kwargs.items()])


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name, ours_cls, torch_cls, kwargs", CONFIGS, ids=map(config_id, CONFIGS))
def test_fifty_steps_equal_torch_optim(name, ours_cls, torch_cls, kwargs, seed):
    ours, theirs = run_both(ours_cls, torch_cls, kwargs, seed)
    moved = max(np.abs(a - s).max() for a, s in zip(ours, random_quadratic(seed)[2]))
    assert moved > 1e-2  # the optimizer did something worth comparing
    assert max(np.abs(a - b).max() for a, b in zip(ours, theirs)) < 1e-10


SCHEDULE = [LinearDecay(0.05, 0.0005, tau=20)(k) for k in range(STEPS)]


WITHOUT_MOMENTUM = [c for c in CONFIGS if "momentum" not in c[3]]


@pytest.mark.parametrize("name, ours_cls, torch_cls, kwargs", WITHOUT_MOMENTUM,
                         ids=map(config_id, WITHOUT_MOMENTUM))
def test_without_momentum_a_changing_lr_still_equals_torch(name, ours_cls, torch_cls, kwargs):
    """Plain SGD, AdaGrad, RMSProp, Adam and AdamW keep no lr in their state: any schedule
    gives PyTorch's iterates."""
    ours, theirs = run_both(ours_cls, torch_cls, kwargs, seed=2, lrs=SCHEDULE)
    assert max(np.abs(a - b).max() for a, b in zip(ours, theirs)) < 1e-10


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_differs_from_torch_once_lr_changes(nesterov):
    """The optim.SGD Note: the deck's velocity keeps old steps at their old rate, PyTorch's buffer
    is rescaled by the new lr. Equal for constant lr (above), different under a schedule."""
    kwargs = dict(lr=0.05, momentum=0.9, nesterov=nesterov)
    ours, theirs = run_both(SGD, torch.optim.SGD, kwargs, seed=3, lrs=SCHEDULE)
    assert max(np.abs(a - b).max() for a, b in zip(ours, theirs)) > 1e-3
