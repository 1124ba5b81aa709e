"""A module an assignment withholds is out of reach in its grading sandbox, by any route:
import, the package's attribute, the source file, the compiled .pyc (tools/grading/sandbox/withheld.py)."""
from __future__ import annotations

import importlib.util
import py_compile
import subprocess
import sys
import tempfile

import nbformat
import pytest

from tools.grading import sandbox
from tools.grading.sandbox.command import sandbox_argv, sandbox_env
from tools.grading.sandbox.withheld import NOT_NEEDED, overlays

try:
    sandbox.check_available()
except sandbox.SandboxUnavailable as exc:
    pytestmark = pytest.mark.skip(reason=str(exc))

ROUTES = '''
import glob, importlib.machinery, os, sys
import coursekit
folder = os.path.dirname(coursekit.__file__)
def attempt(name, reach):
    try:
        reach()
        print(name, "reached")
    except Exception as exc:
        print(name, "refused:", str(exc)[:90])
attempt("import", lambda: __import__("coursekit.optim"))
attempt("attribute", lambda: coursekit.Adam)
attempt("package", lambda: __import__("coursekit.symbolic"))
namespace = {"__name__": "coursekit.optim_copy", "__package__": "coursekit"}
attempt("source", lambda: exec(open(os.path.join(folder, "optim.py")).read(), namespace) or namespace["Adam"])
for pyc in glob.glob(os.path.join(folder, "__pycache__", "optim.*.pyc")):
    attempt("pyc", lambda: importlib.machinery.SourcelessFileLoader("coursekit.optim_copy", pyc).load_module().Adam)
attempt("kept", lambda: __import__("coursekit.module"))
'''


def _run_in_sandbox(withheld):
    py_compile.compile(importlib.util.find_spec("coursekit.optim").origin)  # its .pyc, as after any import
    with tempfile.TemporaryDirectory() as run:
        argv = sandbox_argv([sys.executable, "-c", ROUTES], work_files=[], limits=sandbox.Limits(),
                            overlays=overlays(withheld, run))
        return subprocess.run(argv, cwd=run, env=sandbox_env(), capture_output=True, text=True, timeout=120)


def test_no_route_reaches_a_withheld_module():
    done = _run_in_sandbox(["coursekit.optim", "coursekit.symbolic"])
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr
    assert "kept reached" in lines
    refused = [line for line in lines if not line.startswith("kept")]
    assert len(refused) >= 4 and all("refused: coursekit." in line and "is not available in this assignment" in line
                                     or line.startswith("pyc refused") for line in refused), lines


def test_without_withholding_every_route_reaches_it():
    """The control: the same routes in the same sandbox reach the module when nothing is withheld."""
    lines = _run_in_sandbox([]).stdout.splitlines()
    assert {"import reached", "attribute reached", "package reached", "source reached", "pyc reached"} <= set(lines), lines


def test_an_unknown_module_cannot_be_withheld(tmp_path):
    with pytest.raises(ValueError, match="no such module"):
        overlays(["coursekit.no_such_module"], tmp_path)


def test_a_grading_kernel_starts_without_the_debugger(tmp_path):
    """ipykernel imports debugpy at start-up unless the import fails; in the sandbox it fails, so no
    part of the debugger is loaded, the kernel runs, and importing it says why."""
    cell = "import sys\nprint(sorted(m for m in sys.modules if 'pydevd' in m or 'debugpy' in m))\nimport debugpy"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "nb.ipynb")
    sandbox.execute_notebook(tmp_path / "nb.ipynb", tmp_path / "out.ipynb")
    printed, error = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs
    assert printed.text == "[]\n"
    assert (error.ename, error.evalue) == ("ImportError", NOT_NEEDED["debugpy"])
