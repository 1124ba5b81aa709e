"""nbgrader settings for this course, in nbgrader's own config format.

`make grade` and `make exercises` (tools/grading/grade.py, release.py) load this file; the
course root, the course id and the preprocessor that runs a submission are set by those tools.
"""
c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

# Student copies: what replaces a solution region.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Autograding: a deleted test cell is put back (and reported); an edited locked cell is always
# restored from the gradebook's copy by nbgrader's OverwriteCells.
c.OverwriteCells.add_missing_cells = True

# Time, memory and other limits per submission: tools/grading/sandbox/limits.py (Limits).

# Keep feedback readable when a submission prints a flood.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 40

# Feedback pages (tools/grading/feedback.py) list hidden checks by name and result; True shows
# their code too (e.g. once the last extension is over).
c.TestCellReport.show_hidden_tests = False

# Due dates (UTC). A submission's time is read from its timestamp.txt; later ones are reported
# as late in build/grading/report.md (no points are taken off automatically).
c.Course.due_dates = {
    "01_perceptron_xor": "2026-02-09 23:59:00 UTC",
    "02_activations_losses": "2026-02-16 23:59:00 UTC",
    "03_backprop_by_hand": "2026-02-23 23:59:00 UTC",
    "04_sympy_gradients": "2026-03-02 23:59:00 UTC",
    "05_digits_mlp": "2026-03-09 23:59:00 UTC",
    "06_optimizers": "2026-03-16 23:59:00 UTC",
    "07_regularization": "2026-03-23 23:59:00 UTC",
    "08_batch_norm": "2026-03-30 23:59:00 UTC",
    "09_adagrad_nesterov": "2026-04-06 23:59:00 UTC",
    "10_l1_early_stopping": "2026-04-13 23:59:00 UTC",
    "11_dropout_ensemble": "2026-04-20 23:59:00 UTC",
    "12_sparse_autoencoder": "2026-04-27 23:59:00 UTC",
}

# Optional class roster: a listed student without a submission is reported as missing
# (students found in the submissions folder are always included).
c.Course.students = []
