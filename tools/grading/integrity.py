"""Checks of a submission before it runs: can it be read, are the locked cells intact, and does
its code tamper with the grader? Nothing here executes student code.

The findings go into the instructor's report. They do not change scores by themselves:
nbgrader restores edited locked cells and puts deleted test cells back, so such edits gain
nothing; code flagged as tampering is listed for a human to look at, because a grading kernel
that runs the student's code cannot prove that code harmless.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

from coursekit import checks


def read_notebook(path: Path):
    """``(notebook, None)`` or ``(None, reason)`` when the file is not a valid notebook."""
    try:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # JSON errors, schema errors, wrong encodings: all "unreadable"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return None, f"not a valid notebook ({type(exc).__name__}: {first[:160]})"
    return nb, None


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _is_locked(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("locked"))


def locked_cell_changes(submitted, release) -> list[str]:
    """Locked cells of the student copy (``release``) that the submission deleted or edited."""
    found = {}
    for cell in submitted.cells:
        found.setdefault(_grade_id(cell), []).append(cell)
    changes = []
    for cell in release.cells:
        gid = _grade_id(cell)
        if gid is None or not _is_locked(cell):
            continue
        copies = found.get(gid, [])
        if not copies:
            changes.append(f"locked cell '{gid}' was deleted (the grader puts test cells back)")
        elif any(c.source != cell.source or c.cell_type != cell.cell_type or not _is_locked(c) for c in copies):
            changes.append(f"locked cell '{gid}' was edited (the grader restores it)")
        if len(copies) > 1:
            changes.append(f"locked cell '{gid}' appears {len(copies)} times")
    return changes


# -- code that tampers with the grader ---------------------------------------------------
_KILL = {("os", "_exit"), ("os", "kill"), ("os", "killpg"), ("os", "abort"), ("sys", "exit"),
         ("signal", "signal"), ("signal", "alarm"), ("signal", "pthread_kill")}
_INTERPRETER = {"get_ipython", "__builtins__", "builtins", "importlib", "__import__", "ctypes", "gc",
                "inspect", "sys.modules", "sys.settrace", "sys.setprofile", "sys.displayhook",
                "sys.excepthook", "exec", "eval", "compile", "globals", "setattr", "delattr"}
_HOOKS = {"__eq__", "__ne__", "__bool__", "__array__", "__array_ufunc__", "__array_function__",
          "__float__", "__index__", "__int__", "__len__", "__getattr__", "__getattribute__",
          "__instancecheck__", "__subclasscheck__", "__class__"}
_FAKE_RESULT = re.compile(r"(?i)(tests?\s+pass|passed|all\s+tests|\bpoints?\b|\bscore|grade|✓|✔|\bok\b)")


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _scan_source(source: str, modules: set[str]) -> list[str]:
    """Tampering patterns in one cell's code; ``modules`` collects the names imported so far."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # IPython magics or a syntax error: the cell will fail on its own
    flags = []
    helpers = set(checks.CHECKS)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                modules.add(alias.asname or alias.name.split(".")[0])
                module = alias.name if isinstance(node, ast.Import) else (node.module or "")
                if module.split(".")[0] in _INTERPRETER:
                    flags.append(f"imports {module}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in helpers:
                flags.append(f"redefines the grading helper {node.name}()")
            if node.name in _HOOKS:
                flags.append(f"defines {node.name} (can make a wrong answer compare equal)")
        elif isinstance(node, ast.Name) and node.id in _INTERPRETER | helpers and isinstance(node.ctx, ast.Store):
            flags.append(f"assigns to {node.id}")
        elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            dotted = _dotted(node)
            if dotted in _INTERPRETER:
                flags.append(f"uses {dotted}")
            elif dotted and tuple(dotted.split(".")[:2]) in _KILL:
                flags.append(f"calls {dotted} (ends or signals the kernel)")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                dotted = _dotted(target) if isinstance(target, ast.Attribute) else None
                if dotted and dotted.split(".")[0] in modules:
                    flags.append(f"changes the library attribute {dotted}")
        if isinstance(node, ast.Call) and _dotted(node.func) == "print":
            for arg in node.args:
                for const in ast.walk(arg):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str) \
                            and _FAKE_RESULT.search(const.value):
                        flags.append(f"prints {const.value[:40]!r}, which looks like a test result")
    return flags


def suspicious_code(submitted, release) -> list[str]:
    """Tampering patterns in the cells the student wrote or could edit (not the locked ones)."""
    locked = {_grade_id(c) for c in release.cells if _is_locked(c) and _grade_id(c)}
    modules: set[str] = set()
    findings = []
    for index, cell in enumerate(submitted.cells):
        if cell.cell_type != "code":
            continue
        if _grade_id(cell) in locked and _is_locked(cell):
            # still learn its imports (the setup cell imports numpy as np)
            _scan_source(cell.source, modules)
            continue
        for flag in dict.fromkeys(_scan_source(cell.source, modules)):
            findings.append(f"cell {index + 1}: {flag}")
    return findings
