"""Modules an assignment withholds, taken out of its grading kernels' view.

``withhold("coursekit.optim")`` in an assignment's setup cell (recorded by
``expectations.py``) makes the grader hide that module's code from every sandboxed kernel of
the assignment: a stub that raises ImportError with the exercise's message is bound over the
module's file (or package folder), and its compiled ``__pycache__`` files are bound to
``/dev/null``. So no route inside the kernel — ``import``, ``importlib``, reading the file,
loading the ``.pyc`` — reaches the reference code; the kernel's own import hook (the
``withhold`` call) only makes the message friendly.

Every grading kernel also goes without the modules of ``NOT_NEEDED``, the same way.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from coursekit.checks.kernel import withheld_message

# ipykernel imports its debugger (debugpy) at start-up, about 0.1 s of CPU of a kernel's 0.35 s,
# and starts without one when the import fails (ipykernel.debugger catches the ImportError);
# grading never debugs, and a student's kernel has no use for a debugger either.
NOT_NEEDED = {"debugpy": "debugpy is not available in the grading sandbox: its kernels run no debugger"}


def _stub(folder: Path, message: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "__init__.py"
    path.write_text(f"raise ImportError({message!r})\n")
    os.chmod(folder, 0o755)
    os.chmod(path, 0o644)
    return path


def overlays(modules, run_dir) -> list:
    """``(host source, sandbox path)`` read-only binds that withhold ``modules`` (dotted names),
    and the modules of ``NOT_NEEDED`` that are installed."""
    binds = []
    messages = {**{name: withheld_message(name) for name in modules},
                **{name: why for name, why in NOT_NEEDED.items() if importlib.util.find_spec(name)}}
    for name, message in messages.items():
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin:
            raise ValueError(f"cannot withhold {name!r}: no such module in this environment")
        stub = _stub(Path(run_dir, "withheld", name), message)
        if spec.submodule_search_locations:  # a package: its whole folder, __pycache__ included
            binds += [(stub.parent, folder) for folder in spec.submodule_search_locations]
            continue
        origin = Path(spec.origin)
        binds.append((stub, origin))
        binds += [("/dev/null", pyc) for pyc in sorted(origin.parent.glob(f"__pycache__/{origin.stem}.*.pyc"))]
    return [(str(src), str(dest)) for src, dest in binds]
