"""How big a step? Adam's bias correction and the best step along the gradient (deck 003, lesson 08).

Two computations the lesson tabulates:

* :func:`adam_steps` — Adam's first steps with and without the bias correction
  ``s_hat = s / (1 - rho1^t)``, ``r_hat = r / (1 - rho2^t)``. Without it, s and r start at 0 and
  r (rho2 = 0.999) stays far more shrunk than s (rho1 = 0.9), so the first steps are about
  ``(1 - rho1) / sqrt(1 - rho2) ≈ 3.2`` times epsilon (up to 1/sqrt(1 - rho2) ≈ 32 times on a sparse
  gradient), exactly when the estimates are least reliable.
* :func:`line_search_path` — gradient descent on ``f = 1/2 theta^T H theta`` with the best step
  along ``-g`` at every iterate, ``eps* = g^T g / g^T H g`` (deck 003, extra slides;
  :func:`coursekit.symbolic.optimal_step_derivation` derives it), against the fixed-step limit ``2 / lambda_max``.
"""
from __future__ import annotations

import numpy as np

from .._checks import finite_float, positive_int


def adam_steps(grads, *, lr: float = 0.1, betas=(0.9, 0.999), eps: float = 1e-8,
               bias_correction: bool = True) -> np.ndarray:
    """The steps Delta theta_1 ... Delta theta_T of Adam for the gradients ``grads`` (shape (T, n)).

    s <- rho1 s + (1 - rho1) g;  r <- rho2 r + (1 - rho2) g * g;  Delta theta = -lr s_hat / (sqrt(r_hat) + eps),
    with s_hat, r_hat the bias-corrected moments, or s, r themselves when ``bias_correction`` is False.
    """
    grads = np.atleast_2d(np.asarray(grads, dtype=np.float64))
    lr = finite_float(lr, "lr", low=0.0, low_open=True)
    rho1, rho2 = betas
    s, r, steps = np.zeros(grads.shape[1]), np.zeros(grads.shape[1]), []
    for t, g in enumerate(grads, start=1):
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g * g
        s_hat, r_hat = (s / (1 - rho1 ** t), r / (1 - rho2 ** t)) if bias_correction else (s, r)
        steps.append(-lr * s_hat / (np.sqrt(r_hat) + eps))
    return np.array(steps)


def line_search_path(H, theta0, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """(iterates (steps + 1, n), eps* used at each step (steps,)) of steepest descent with eps* = g^T g / g^T H g."""
    H, theta = np.asarray(H, dtype=np.float64), np.asarray(theta0, dtype=np.float64)
    path, eps_star = [theta], []
    for _ in range(positive_int(steps, "steps")):
        g = H @ theta
        curvature = g @ H @ g
        if curvature <= 0:           # at the minimum (g = 0) or no positive curvature: no best step
            break
        eps_star.append(g @ g / curvature)
        theta = theta - eps_star[-1] * g
        path.append(theta)
    return np.array(path), np.array(eps_star)
