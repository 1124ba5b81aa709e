"""Adam's first steps and the line-search step, against hand-derived values and coursekit.optim."""

import numpy as np
import pytest

from coursekit.experiments.optimizers import Quadratic
from coursekit.experiments.step_size import adam_steps, line_search_path
from coursekit.module import Parameter
from coursekit.optim import Adam


def test_corrected_adam_is_coursekits_adam():
    grads = np.random.default_rng(0).standard_normal((20, 3))
    p = Parameter(np.zeros(3))
    opt, steps = Adam([p], lr=0.1), []
    for g in grads:
        before = p.data.copy()
        opt.zero_grad()
        p.grad += g
        opt.step()
        steps.append(p.data - before)
    np.testing.assert_allclose(adam_steps(grads, lr=0.1), steps, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("t", [1, 2, 10, 100])
def test_uncorrected_steps_under_a_constant_gradient(t):
    # s_t = (1 - rho1^t) g and r_t = (1 - rho2^t) g^2, so |step_t| = lr (1 - rho1^t) / sqrt(1 - rho2^t) (eps aside)
    steps = adam_steps(np.ones((t, 1)), lr=0.1, eps=0.0, bias_correction=False)
    assert abs(steps[-1, 0]) == pytest.approx(0.1 * (1 - 0.9 ** t) / np.sqrt(1 - 0.999 ** t), rel=1e-12)
    assert adam_steps(np.ones((t, 1)), lr=0.1, eps=0.0)[-1, 0] == pytest.approx(-0.1, rel=1e-12)


def test_line_search_minimises_f_along_the_gradient():
    q = Quadratic(kappa=25)
    path, eps_star = line_search_path(q.A, q.start, 5)
    for theta, eps in zip(path[:-1], eps_star):
        g = q.gradient(theta)
        trial = np.linspace(0.5 * eps, 1.5 * eps, 101)
        values = [q.value(theta - e * g) for e in trial]
        assert trial[int(np.argmin(values))] == pytest.approx(eps, rel=0.011)   # brute-force minimiser
    assert np.all((eps_star >= 1 / 25 - 1e-12) & (eps_star <= 1 + 1e-12))   # between 1/lambda_max and 1/lambda_min
