"""Wrong answers and cheats, built from the solution notebooks by editing their text.

Every mutation replaces a piece of one solution region; if the solution changes so that the
piece is no longer there, building the class fails loudly (the cases stay in sync with the
solutions). Each mutation is a plausible mistake a student makes.
"""
from __future__ import annotations

import copy
import re

import nbformat

SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)

# assignment -> {mutation name: (text in a solution region, wrong text)}
MUTATIONS = {
    "01_perceptron_xor": {
        "update_sign_flipped": ("return w + lr * y * x", "return w - lr * y * x"),
        "bias_column_last": ("np.hstack([np.ones((X.shape[0], 1)), X])", "np.hstack([X, np.ones((X.shape[0], 1))])"),
        "error_sign_flipped": ("return -np.sum(margins[margins <= 0])", "return np.sum(margins[margins <= 0])"),
        "boundary_not_misclassified": ("if y_m * (w @ x_m) <= 0:", "if y_m * (w @ x_m) < 0:"),
        "xor_hidden_unit_not_shifted": ("c = np.array([0.0, -1.0])", "c = np.array([0.0, 0.0])"),
    },
    "02_activations_losses": {
        "sigmoid_prime_of_z_not_sigma": ("s = sigmoid(z)\n    return s * (1 - s)", "return z * (1 - z)"),
        "tanh_prime_not_squared": ("return 1 - np.tanh(z) ** 2", "return 1 - np.tanh(z)"),
        "mse_missing_half": ("return 0.5 * np.sum((y - a) ** 2) / a.shape[0]", "return np.sum((y - a) ** 2) / a.shape[0]"),
        "softmax_without_max_shift": ("e = np.exp(z - z.max(axis=1, keepdims=True))", "e = np.exp(z)"),
        "ce_gradient_sign_flipped": ("return (softmax(z) - t) / np.shape(z)[0]", "return (t - softmax(z)) / np.shape(z)[0]"),
    },
    "03_backprop_by_hand": {
        "transposed_W": ("dX = dZ @ W.T", "dX = dZ @ W"),
        "forgotten_bias_gradient": ("db = dZ.sum(axis=0)", "db = np.zeros(dZ.shape[1])"),
        "relu_mask_from_gradient": ("return dA * (Z > 0)", "return dA * (dA > 0)"),
        "softmax_ce_sign_flipped": ("return (P - T) / Z.shape[0]", "return (T - P) / Z.shape[0]"),
        "delta_without_f_prime": ("delta1 = (delta2 @ W2.T) * A1 * (1 - A1)", "delta1 = delta2 @ W2.T"),
    },
    "04_sympy_gradients": {
        "operator_precedence": ("f = (x + y) * z", "f = x + y * z"),
        "sigmoid_sign_flipped": ("return sp.diff(1 / (1 + sp.exp(-x)), x)", "return sp.diff(1 / (1 + sp.exp(x)), x)"),
        "extra_half_in_loss": ('return (f - s["y"]) ** 2', 'return (f - s["y"]) ** 2 / 2'),
        "derivative_wrt_omega1": ('symbols["omega0"])', 'symbols["omega1"])'),
        "central_difference_missing_half": ("/ (2 * h)", "/ h"),
    },
    "05_digits_mlp": {
        "one_hot_transposed": ("np.eye(n_classes)[np.asarray(y)]", "np.eye(n_classes)[:, np.asarray(y)]"),
        "argmax_over_batch_axis": ("np.argmax(Z, axis=1)", "np.argmax(Z, axis=0)"),
        "parameters_without_biases": ("(n_in + 1) * n_out", "n_in * n_out"),
        "learning_rate_too_small": ("lr=0.1, momentum=0.9", "lr=1e-5, momentum=0.9"),
        "layer_sizes_reversed": ("MLP([64, 64, 10]", "MLP([10, 64, 64]"),
    },
    "06_optimizers": {
        "momentum_sign_flipped": ("v = alpha * v - lr * g", "v = alpha * v + lr * g"),
        "rmsprop_missing_one_minus_rho": ("r = rho * r + (1 - rho) * g * g", "r = rho * r + g * g"),
        "rmsprop_delta_inside_sqrt": ("(delta + np.sqrt(r))", "np.sqrt(r + delta)"),
        "adam_bias_correction_off_by_one": ("s_hat = s / (1 - rho1 ** t)", "s_hat = s / (1 - rho1 ** (t + 1))"),
        "terminal_speed_times_not_over": ("lr * g_norm / (1 - alpha)", "lr * g_norm * (1 - alpha)"),
    },
    "07_regularization": {
        "keep_instead_of_drop_probability": ("(rng.random(a.shape) >= p)", "(rng.random(a.shape) < p)"),
        "no_inverted_scaling": ("mask = (rng.random(a.shape) >= p) / (1 - p)", "mask = (rng.random(a.shape) >= p) * 1.0"),
        "backward_without_mask": ("return dout * mask", "return dout"),
        "l2_missing_half": ("return 0.5 * lam * sum(", "return lam * sum("),
        "biases_penalised": ('for name, p in model.named_parameters() if name.endswith("W"))',
                             "for name, p in model.named_parameters())"),
    },    "08_batch_norm": {
        "forward_unbiased_variance": ("var = ((x - mu) ** 2).mean(axis=0)", "var = ((x - mu) ** 2).sum(axis=0) / (x.shape[0] - 1)"),
        "eps_outside_sqrt": ("xhat = (x - mu) / np.sqrt(var + eps)", "xhat = (x - mu) / (np.sqrt(var) + eps)"),
        "backward_without_mean_term": (" + dmu / m", ""),
        "dvar_missing_half": ("* -0.5 * (var + eps) ** -1.5", "* -(var + eps) ** -1.5"),
        "dgamma_without_xhat": ("dgamma = np.sum(dy * xhat, axis=0)", "dgamma = np.sum(dy, axis=0)"),
        "running_var_biased": ("momentum * var * m / (m - 1)", "momentum * var"),
        "momentum_weight_on_old_value": ("(1 - momentum) * running_mean + momentum * mu",
                                         "momentum * running_mean + (1 - momentum) * mu"),
        "eval_with_batch_statistics": ("(x - running_mean) / np.sqrt(running_var + eps)",
                                       "(x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)"),
    },
    "09_adagrad_nesterov": {
        "adagrad_sums_gradients_not_squares": ("r = r + g * g", "r = r + np.abs(g)"),
        "adagrad_delta_inside_sqrt": ("(delta + np.sqrt(r))", "np.sqrt(r + delta)"),
        "adagrad_divides_by_old_r": ("r = r + g * g\n    theta = theta - lr * g / (delta + np.sqrt(r))",
                                     "theta = theta - lr * g / (delta + np.sqrt(r))\n    r = r + g * g"),
        "adagrad_rate_decays_like_1_over_k": ("abs(c) * np.sqrt(k)", "abs(c) * k"),
        "nesterov_gradient_at_theta": ("g = grad(theta + alpha * v)", "g = grad(theta)"),
        "nesterov_look_ahead_backwards": ("g = grad(theta + alpha * v)", "g = grad(theta - alpha * v)"),
        "nesterov_theta_with_old_velocity": ("v = alpha * v - lr * g\n    return theta + v, v",
                                             "theta = theta + v\n    v = alpha * v - lr * g\n    return theta, v"),
    },
    "10_l1_early_stopping": {
        "subgradient_without_sign": ("g + lam * np.sign(theta)", "g + lam * theta"),
        "threshold_not_scaled_by_lr": ("soft_threshold(theta - lr * g, lr * lam)", "soft_threshold(theta - lr * g, lam)"),
        "threshold_before_gradient_step": ("soft_threshold(theta - lr * g, lr * lam)",
                                           "soft_threshold(theta, lr * lam) - lr * g"),
        "soft_threshold_without_clip": ("np.maximum(np.abs(x) - t, 0)", "(np.abs(x) - t)"),
        "best_weights_not_copied": ("best_theta, best_epoch = loss, theta.copy(), epoch",
                                    "best_theta, best_epoch = loss, theta, epoch"),
        "patience_off_by_one": ("if wait >= patience:", "if wait > patience:"),
        "ties_count_as_improvement": ("if loss < best_loss:", "if loss <= best_loss:"),
    },
    "11_dropout_ensemble": {
        "masks_miss_the_empty_network": ("for k in range(2 ** n)", "for k in range(1, 2 ** n)"),
        "keep_and_drop_swapped": ("np.where(mask == 1, 1 - p, p)", "np.where(mask == 1, p, 1 - p)"),
        "unweighted_average": ("sum(mask_probability(mask, p) * subnetwork_output(x, mask, W1, b1, W2, b2) for mask in all_masks(n))",
                               "sum(subnetwork_output(x, mask, W1, b1, W2, b2) for mask in all_masks(n)) / 2 ** n"),
        "scaled_by_drop_probability": ("keep = 1 - np.asarray(p, dtype=float)", "keep = np.asarray(p, dtype=float)"),
        "input_scaling_forgotten": ("keep[:d, None] * W1", "W1"),
        "inputs_taken_from_the_end_of_the_mask": ("mu_in, mu_hid = mask[:d], mask[d:]", "mu_in, mu_hid = mask[-d:], mask[:-d]"),
    },
    "12_sparse_autoencoder": {
        "rho_hat_over_units": ("return A.mean(axis=0)", "return A.mean(axis=1)"),
        "kl_arguments_swapped": ("rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))",
                                 "rho_hat * np.log(rho_hat / rho) + (1 - rho_hat) * np.log((1 - rho_hat) / (1 - rho))"),
        "gradient_without_one_over_m": ("row = (lam / m) *", "row = lam *"),
        "gradient_second_term_sign": ("+ (1 - rho) / (1 - rho_hat))", "- (1 - rho) / (1 - rho_hat))"),
        "sparsity_term_after_f_prime": ("delta2 = (delta3 @ W2.T + sparsity_gradient(A1, rho, lam)) * A1 * (1 - A1)",
                                        "delta2 = (delta3 @ W2.T) * A1 * (1 - A1) + sparsity_gradient(A1, rho, lam)"),
        "penalty_forgotten_in_backprop": ("delta2 = (delta3 @ W2.T + sparsity_gradient(A1, rho, lam)) * A1 * (1 - A1)",
                                          "delta2 = (delta3 @ W2.T) * A1 * (1 - A1)"),
        "reconstruction_loss_without_half": ("J = 0.5 * np.sum((X_hat - X) ** 2) / m", "J = np.sum((X_hat - X) ** 2) / m"),
    },
}


def solution_regions(nb) -> list[str]:
    return [m.group(1) for cell in nb.cells for m in SOLUTION.finditer(cell.source)]


def mutate(nb, old: str, new: str):
    """A copy of ``nb`` with ``old`` replaced by ``new`` inside exactly one solution region."""
    nb = copy.deepcopy(nb)
    hits = [(cell, m) for cell in nb.cells for m in SOLUTION.finditer(cell.source) if old in m.group(1)]
    assert len(hits) == 1, f"{old!r} must occur in exactly one solution region, found {len(hits)}"
    cell, m = hits[0]
    region = m.group(1)
    assert region.count(old) == 1, f"{old!r} occurs {region.count(old)} times in its solution region"
    cell.source = cell.source[:m.start(1)] + region.replace(old, new) + cell.source[m.end(1):]
    return nb


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell):
    return bool(cell.metadata.get("nbgrader", {}).get("grade"))


def insert_code(nb, after_grade_id: str, source: str):
    """A copy of ``nb`` with a new (student) code cell after the cell ``after_grade_id``."""
    nb = copy.deepcopy(nb)
    index = next(i for i, c in enumerate(nb.cells) if grade_id(c) == after_grade_id)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return nb


def prepend_to_cell(nb, target_grade_id: str, source: str):
    nb = copy.deepcopy(nb)
    cell = next(c for c in nb.cells if grade_id(c) == target_grade_id)
    cell.source = source + "\n" + cell.source
    return nb


def replace_stub(nb, target_grade_id: str, source: str):
    """Replace the whole body of a (student) solution cell."""
    nb = copy.deepcopy(nb)
    next(c for c in nb.cells if grade_id(c) == target_grade_id).source = source
    return nb


def cheats(solution: dict, exercise: dict) -> dict:
    """name -> (assignment, notebook): submissions that try to score without a correct answer.

    Each is built on the unmodified exercise (so it must score 0) or on the solution with the
    cheat added (so it must score no more than the solution without the affected part).
    """
    ex1, ex6, sol1, sol6 = exercise["01_perceptron_xor"], exercise["06_optimizers"], \
        solution["01_perceptron_xor"], solution["06_optimizers"]
    deleted = copy.deepcopy(ex6)
    deleted.cells = [c for c in deleted.cells if not is_test(c)]
    edited = copy.deepcopy(ex6)
    for cell in edited.cells:
        if is_test(cell):
            cell.source = "pass"
    sol_deleted = copy.deepcopy(sol6)
    sol_deleted.cells = [c for c in sol_deleted.cells if not is_test(c)]
    return {
        "redefined_helpers": ("01_perceptron_xor", insert_code(ex1, "setup", (
            "def check_close(*args, **kwargs):\n    pass\n\n\n"
            "def check_true(*args, **kwargs):\n    pass\n\n\nnp = None"))),
        "monkeypatched_helpers": ("06_optimizers", insert_code(ex6, "setup", (
            "import coursekit.checks as g\n"
            "g.check_close = lambda *args, **kwargs: None\n"
            "g.check_equal = lambda *args, **kwargs: None"))),
        "always_equal": ("06_optimizers", replace_stub(ex6, "momentum", (
            "class AlwaysEqual(float):\n"
            "    def __eq__(self, other):\n        return True\n\n"
            "    def __ne__(self, other):\n        return False\n\n\n"
            "def momentum_step(theta, v, g, lr, alpha):\n    return AlwaysEqual(), AlwaysEqual()\n\n\n"
            "def terminal_speed(lr, g_norm, alpha):\n    return AlwaysEqual()"))),
        "deleted_test_cells": ("06_optimizers", deleted),
        "edited_test_cells": ("06_optimizers", edited),
        "fake_test_output": ("06_optimizers", replace_stub(ex6, "momentum", (
            "import sys\n\n\n"
            "def momentum_step(theta, v, g, lr, alpha):\n"
            "    print('All tests passed! Score: 7 / 7')\n"
            "    sys.displayhook(7.0)\n"
            "    return theta, v\n\n\n"
            "def terminal_speed(lr, g_norm, alpha):\n    sys.displayhook(7.0)\n    return 0.0"))),
        # on the solution: the cheat costs the cells it breaks, and is reported
        "infinite_loop": ("06_optimizers", prepend_to_cell(sol6, "rmsprop", "while True:\n    pass\n")),
        "kernel_exit": ("06_optimizers", prepend_to_cell(sol6, "adam", "import os\nos._exit(0)\n")),
        "kernel_kill": ("01_perceptron_xor", mutate(sol1, "return w + lr * y * x",
                                                     "import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)")),
        "solution_with_deleted_test_cells": ("06_optimizers", sol_deleted),
    }
