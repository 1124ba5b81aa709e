"""PyTorch as the oracle for BatchNorm1d: forward, backward, running statistics, eval output.

torch.nn.BatchNorm1d in float64 with the same momentum and eps; agreement within 1e-10.
"""
import numpy as np
import pytest

from coursekit.batchnorm import BatchNorm1d

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle
TOL = 1e-10


def _pair(n, momentum, eps, seed):
    rng = np.random.default_rng(seed)
    gamma, beta = rng.uniform(0.5, 2.0, n), rng.standard_normal(n)
    ours = BatchNorm1d(n, momentum=momentum, eps=eps)
    ours.gamma.data[:], ours.beta.data[:] = gamma, beta
    theirs = torch.nn.BatchNorm1d(n, momentum=momentum, eps=eps, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(gamma))
        theirs.bias.copy_(torch.from_numpy(beta))
    return ours, theirs, rng


def _close(a, t):
    np.testing.assert_allclose(a, t.detach().numpy(), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("momentum, eps", [(0.1, 1e-5), (0.5, 1e-3), (1.0, 1e-5)])
@pytest.mark.parametrize("m, n", [(4, 3), (32, 6)])
def test_batchnorm_matches_torch_through_training_then_eval(m, n, momentum, eps):
    ours, theirs, rng = _pair(n, momentum, eps, seed=m + n)
    for _ in range(4):
        x = 2 * rng.standard_normal((m, n)) + rng.standard_normal(n)
        dout = rng.standard_normal((m, n))
        ours.zero_grad()
        theirs.zero_grad()
        xt = torch.tensor(x, requires_grad=True)

        y = ours(x)
        dx = ours.backward(dout)
        yt = theirs(xt)
        yt.backward(torch.from_numpy(dout))

        _close(y, yt)
        _close(dx, xt.grad)
        _close(ours.gamma.grad, theirs.weight.grad)
        _close(ours.beta.grad, theirs.bias.grad)
        _close(ours.running_mean, theirs.running_mean)
        _close(ours.running_var, theirs.running_var)

    ours.eval()
    theirs.eval()
    x = rng.standard_normal((5, n))
    dout = rng.standard_normal((5, n))
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    yt.backward(torch.from_numpy(dout))
    _close(ours(x), yt)
    _close(ours.backward(dout), xt.grad)
