"""The numeric core imports no presentation or symbolic library (ARCHITECTURE.md)."""
import pkgutil
import subprocess
import sys

import coursekit

PRESENTATION = ("matplotlib", "ipywidgets", "ipympl", "sympy")
# Packages and modules outside the numeric core.
OUTSIDE_CORE = {"symbolic", "explore", "plotting"}


def core_modules():
    return sorted(f"coursekit.{m.name}" for m in pkgutil.iter_modules(coursekit.__path__)
                  if m.name not in OUTSIDE_CORE)


def test_core_modules_exist():
    assert {"coursekit.module", "coursekit.layers", "coursekit.losses"} <= set(core_modules())


def test_core_imports_no_presentation_or_sympy():
    code = (f"import sys\nfor m in {core_modules()!r}: __import__(m)\n"
            f"print([m for m in sys.modules if m.split('.')[0] in {PRESENTATION!r}])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
