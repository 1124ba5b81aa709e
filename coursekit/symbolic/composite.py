"""Backprop through a composition of sin, exp and cos, by hand (deck 004, "Another toy network")."""
from __future__ import annotations

from functools import cache

import sympy as sp

from .derivation import Derivation, Step, check_step, partial, tex

ACTIVATIONS = (sp.sin, sp.exp, sp.cos)   # h_1 = sin f_0, h_2 = exp f_1, h_3 = cos f_2


@cache
def composite_backprop_derivation() -> Derivation:
    """All eight partial derivatives of l = (f[x, phi] - y)^2 by a forward and a backward pass.

    f[x, phi] = beta_3 + omega_3 cos(beta_2 + omega_2 exp(beta_1 + omega_1 sin(beta_0 + omega_0 x))).
    Forward: f_0 = beta_0 + omega_0 x, h_1 = sin f_0, f_1 = beta_1 + omega_1 h_1, h_2 = exp f_1,
    f_2 = beta_2 + omega_2 h_2, h_3 = cos f_2, f_3 = beta_3 + omega_3 h_3. Backward: dl/df_3, then
    dl/dh_k = omega_k dl/df_k and dl/df_(k-1) = h_k'(f_(k-1)) dl/dh_k; finally dl/dbeta_k = dl/df_k
    and dl/domega_k = h_k dl/df_k (h_0 = x). Follows deck 004, "The backpropagation algorithm"
    (forward decomposition, backward chain rule, and the hand-derived dl/domega_0).
    """
    x, y = sp.symbols("x y", real=True)
    beta = sp.Matrix(sp.symbols("beta_0:4", real=True))
    omega = sp.Matrix(sp.symbols("omega_0:4", real=True))
    f = sp.symbols("f_0:4", real=True)
    h = (x,) + sp.symbols("h_1:4", real=True)          # h_0 = x: the input of the first affine step

    # forward pass, in the intermediate symbols and fully expanded in the parameters
    forward, full = [], {}
    for k in range(4):
        forward.append(Step(f"forward: f_{k}", (f[k], beta[k] + omega[k] * h[k])))
        full[f[k]] = (beta[k] + omega[k] * h[k]).xreplace(full)
        if k < 3:
            forward.append(Step(f"forward: h_{k + 1}", (h[k + 1], ACTIVATIONS[k](f[k]))))
            full[h[k + 1]] = ACTIVATIONS[k](full[f[k]])
    loss = (f[3] - y) ** 2

    # backward pass: dl/df_k from k = 3 down to 0
    dl_df = {3: sp.diff(loss, f[3])}
    backward = [Step("backward: dl/df_3", (partial(r"\ell", "f_3"), dl_df[3]))]
    for k in (2, 1, 0):
        dl_dh = sp.diff(beta[k + 1] + omega[k + 1] * h[k + 1], h[k + 1]) * dl_df[k + 1]
        dl_df[k] = sp.diff(ACTIVATIONS[k](f[k]), f[k]) * dl_dh
        backward += [Step(f"backward: dl/dh_{k + 1}", (partial(r"\ell", f"h_{k + 1}"), dl_dh)),
                     Step(f"backward: dl/df_{k}", (partial(r"\ell", f"f_{k}"), dl_df[k]))]
    d_beta = [sp.diff(beta[k] + omega[k] * h[k], beta[k]) * dl_df[k] for k in range(4)]
    d_omega = [sp.diff(beta[k] + omega[k] * h[k], omega[k]) * dl_df[k] for k in range(4)]
    params = [Step(f"parameters of step {k}", (sp.Tuple(partial(r"\ell", rf"\beta_{k}"), partial(r"\ell", rf"\omega_{k}")),
                                                sp.Tuple(d_beta[k], d_omega[k]))) for k in range(4)]

    result = (sp.Matrix(d_beta).xreplace(full), sp.Matrix(d_omega).xreplace(full))
    loss_full = loss.xreplace(full)
    direct = [sp.diff(loss_full, p) for p in list(beta) + list(omega)]
    deck = -2 * (f[3] - y) * omega[1] * omega[2] * omega[3] * x * sp.cos(f[0]) * sp.exp(f[1]) * sp.sin(f[2])
    return Derivation(
        "composite sin-exp-cos backprop", "deck 004, the backpropagation algorithm (another toy network)",
        steps=(*forward, Step("loss", (tex(r"\ell"), loss)), *backward, *params,
               check_step("check: the deck's hand-derived dl/domega_0 minus backprop",
                          (deck - d_omega[0]).xreplace(full)),
               check_step("check: direct differentiation minus backprop, all eight parameters",
                          [d - b for d, b in zip(direct, list(result[0]) + list(result[1]))])),
        result=result, args={"x": x, "y": y, "beta": beta, "omega": omega},
        function=loss_full, wrt=(beta, omega))
