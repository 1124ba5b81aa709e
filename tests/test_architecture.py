"""The floors of ARCHITECTURE.md: what each part of coursekit may import, and who imports the views.

* the numeric core and ``coursekit.experiments`` import no presentation library and no SymPy;
* ``coursekit.symbolic`` imports no presentation library;
* outside ``coursekit/explore/`` only the lessons and the explorer tests import from
  ``coursekit.explore``, and only explorer classes (the explorer tests and the explorers'
  latency benchmark may also use the contract's own names, such as ``Control`` and the
  ``EXPLORERS`` registry): every computation comes from the floors below;
* a lesson calls no explorer method but the display and set API (``set``, ``refresh``,
  ``close``): it reads what an explorer computed from ``.result`` and computes with
  ``coursekit.experiments`` (issue 13, points 1 and 2);
* no two modules give one name to two things (issue 13, item 5): no public function or class of
  coursekit shares its name with another module's.
"""
import ast
import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import coursekit
import coursekit.experiments

ROOT = Path(__file__).resolve().parents[1]
PRESENTATION = ("matplotlib", "ipywidgets", "ipympl")
SYMBOLIC = ("sympy",)
# Packages and modules outside the numeric core.
OUTSIDE_CORE = {"symbolic", "explore", "plotting", "experiments"}


def core_modules():
    return sorted(f"coursekit.{m.name}" for m in pkgutil.iter_modules(coursekit.__path__)
                  if m.name not in OUTSIDE_CORE)


def experiment_modules():
    return sorted(f"coursekit.experiments.{m.name}" for m in pkgutil.iter_modules(coursekit.experiments.__path__))


def loaded_after_import(modules) -> list:
    """Top-level packages in sys.modules after importing ``modules`` in a fresh interpreter."""
    code = (f"import sys\nfor m in {modules!r}: __import__(m)\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return ast.literal_eval(out.stdout.strip())


def test_the_floors_have_modules():
    assert {"coursekit.module", "coursekit.layers", "coursekit.losses"} <= set(core_modules())
    assert {"coursekit.experiments.vanishing", "coursekit.experiments.optimizers"} <= set(experiment_modules())


@pytest.mark.parametrize("floor, modules, forbidden", [
    ("numeric core", core_modules, PRESENTATION + SYMBOLIC),
    ("experiments", experiment_modules, PRESENTATION + SYMBOLIC),
    ("symbolic", lambda: ["coursekit.symbolic", "coursekit.symbolic.passes"], PRESENTATION),
])
def test_a_floor_imports_nothing_above_it(floor, modules, forbidden):
    loaded = loaded_after_import(modules())
    assert not set(loaded) & set(forbidden), f"{floor} imports {sorted(set(loaded) & set(forbidden))}"


def test_the_check_sees_a_forbidden_import():
    """Deliberately broken: a module that imports matplotlib is caught."""
    assert "matplotlib" in loaded_after_import(["coursekit.plotting"])


# -- who imports the views -----------------------------------------------------------------
def _code_cells(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    lines = [line for c in cells if c["cell_type"] == "code" for line in "".join(c["source"]).splitlines()]
    return "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def explore_imports(source: str):
    """(module, name) for every name imported from coursekit.explore in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("coursekit.explore"):
            yield from ((node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from ((alias.name, None) for alias in node.names if alias.name.startswith("coursekit.explore"))


def sources():
    for path in sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("solutions/*.ipynb")) \
            + sorted(ROOT.glob("exercises/*.ipynb")):
        yield path, _code_cells(path)
    for folder in ("coursekit", "tests", "bench", "tools"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "explore" not in path.relative_to(ROOT / "coursekit").parts if folder == "coursekit" else True:
                yield path, path.read_text()


def is_explorer_class(module: str, name: str) -> bool:
    Explorer = importlib.import_module("coursekit.explore").Explorer
    __import__(module)
    obj = getattr(sys.modules[module], name, None)
    return inspect.isclass(obj) and issubclass(obj, Explorer) and obj is not Explorer


def wrong_imports(path: Path, source: str) -> list:
    relative = path.relative_to(ROOT)
    explorer_test = relative.parts[:2] == ("tests", "explore")
    contract_user = explorer_test or relative == Path("bench", "explorer_latency.py")
    lesson = relative.parts[0] == "notebooks" and path.suffix == ".ipynb"
    base = importlib.import_module("coursekit.explore._base")
    contract = set(importlib.import_module("coursekit.explore").__all__) | set(vars(base))

    wrong = []
    for module, name in explore_imports(source):
        allowed = name is not None and (
            ((lesson or explorer_test) and is_explorer_class(module, name))
            or (contract_user and module in ("coursekit.explore", "coursekit.explore._base") and name in contract))
        if not allowed:
            wrong.append(f"{module}.{name}" if name else module)
    return wrong


def test_only_lessons_and_explorer_tests_import_explorers_and_nothing_else_from_explore():
    found = {str(path.relative_to(ROOT)): bad for path, source in sources() if (bad := wrong_imports(path, source))}
    assert found == {}, f"computations must come from coursekit.experiments (or the core), not explore/: {found}"


def test_the_import_check_catches_a_computation_taken_from_explore():
    """Deliberately broken: a lesson importing a compute function from a view module."""
    lesson = ROOT / "notebooks" / "99_example.ipynb"
    bad = "from coursekit.explore.vanishing import GradientFlowExplorer, gradient_flow\n"
    assert wrong_imports(lesson, bad) == ["coursekit.explore.vanishing.gradient_flow"]
    assert wrong_imports(ROOT / "bench" / "x.py", "from coursekit.explore.vanishing import GradientFlowExplorer") \
        == ["coursekit.explore.vanishing.GradientFlowExplorer"]



# Methods a lesson may call on an explorer: what sets its controls and shows it. What it computed
# is read from .result; a lesson that needs a computation calls coursekit.experiments.
EXPLORER_CALLS = {"set", "refresh", "close"}


def explorer_method_calls(source: str) -> list:
    """``owner.method(`` calls in ``source`` on an explorer (a name bound to ``SomeExplorer(...)``,
    or such a call itself) other than ``EXPLORER_CALLS``."""
    tree = ast.parse(source)
    classes = {alias.asname or alias.name for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("coursekit.explore")
               for alias in node.names if is_explorer_class(node.module, alias.name)}

    def makes_explorer(node) -> bool:
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes

    explorers = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign) and makes_explorer(node.value)
                 for target in node.targets if isinstance(target, ast.Name)}
    return [f"{ast.unparse(node.func.value)}.{node.func.attr}(" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr not in EXPLORER_CALLS
            and ((isinstance(node.func.value, ast.Name) and node.func.value.id in explorers)
                 or makes_explorer(node.func.value))]


def test_lessons_call_no_explorer_method_but_set_refresh_and_close():
    found = {str(path.relative_to(ROOT)): bad for path, source in sources()
             if path.suffix == ".ipynb" and (bad := explorer_method_calls(source))}
    assert found == {}, f"lessons read an explorer's .result and compute with coursekit.experiments: {found}"


def test_the_call_check_catches_a_lesson_training_through_its_explorer():
    """Deliberately broken: the check-yourself cells of lessons 10 and 11 before issue 13's fix."""
    lesson_10 = ("from coursekit.explore.regularization import DropoutExplorer\n"
                 "dropout = DropoutExplorer(data)\ndropout.set(p=0.5)\n"
                 "no_dropout, half = dropout.train(0.0)[1], dropout.train(0.5)[1]\n")
    assert explorer_method_calls(lesson_10) == ["dropout.train(", "dropout.train("]
    lesson_11 = ("from coursekit.explore.autoencoder import AutoencoderExplorer as AE\n"
                 "explorer = AE()\nerrors = [explorer.train(k=k, model='x').test_error for k in (2, 8)]\n"
                 "AE().compute(k=2, model='x')\nexplorer.result.run.model(X)\n")
    assert sorted(explorer_method_calls(lesson_11)) == ["AE().compute(", "explorer.train("]

# -- one name, one meaning -------------------------------------------------------------------
def public_modules() -> list:
    return [importlib.import_module(m.name) for m in pkgutil.walk_packages(coursekit.__path__, "coursekit.")
            if not any(part.startswith("_") for part in m.name.split("."))]


def shared_names(modules) -> dict:
    """{name: modules} for each public function or class name that more than one module defines."""
    homes = {}
    for module in modules:
        for name, obj in vars(module).items():
            if not name.startswith("_") and callable(obj) and getattr(obj, "__module__", None) == module.__name__:
                homes.setdefault(name, []).append(module.__name__)
    return {name: found for name, found in homes.items() if len(found) > 1}


def test_no_two_modules_give_one_name_to_two_things():
    """mlp.parameter_count counts what symbolic.parameter_count_derivation() derives, and
    activations.sigmoid_prime is the formula that symbolic.backprop.sigmoid_backward checks."""
    modules = public_modules()
    assert {"coursekit.mlp", "coursekit.symbolic.backprop", "coursekit.explore.frames"} <= {m.__name__ for m in modules}
    assert shared_names(modules) == {}, "one name, several meanings"


def test_the_name_check_catches_a_derivation_named_like_its_formula():
    """Deliberately broken: a derivation module defining parameter_count, as symbolic.counting did."""
    fake = types.ModuleType("coursekit.symbolic.fake")
    exec("def parameter_count(L=2):\n    pass", fake.__dict__)
    mlp = importlib.import_module("coursekit.mlp")
    assert shared_names([mlp, fake]) == {"parameter_count": ["coursekit.mlp", "coursekit.symbolic.fake"]}
