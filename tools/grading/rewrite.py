"""A test cell as a grading kernel receives it: the student's results, reported; nothing else.

The grader sends a student's kernel each test cell rewritten (coursekit/checks/__init__.py says
how test cells are written so that this works):

* each check ``check_close(what, received, expected, ...)`` becomes a report
  ``<reporter>("close", what, received)``: the expected value, tolerances, measure and hint
  stay in the grader;
* only the statements that the reports' ``what`` and ``received`` arguments need are kept (a
  backward slice over names): the code that computes expected values — reference optimizers,
  finite differences, hidden constants — never reaches the kernel, and neither do imports of
  modules the assignment withholds;
* the cell starts by creating the reporter with this execution's nonce.

A statement is kept when it assigns or changes a needed name: assignment targets, the object
of an attribute or item assignment, every name in an expression statement (a method call may
change its object), and in ``for x in y`` with ``y`` needed, ``x`` (a change to an item is a
change to ``y``). A change made through another alias is not seen; the solutions' own grading (tests/test_grading_class.py)
shows a test that relies on one.
"""
from __future__ import annotations

import ast

from coursekit.checks import CHECKS

KINDS = {"check_close": "close", "check_at_least": "at_least", "check_equal": "equal",
         "check_shape": "shape", "check_type": "type"}
assert set(KINDS) == set(CHECKS)
REPORTER = "_coursekit_report"


class NotATestCell(ValueError):
    """The source breaks a rule of coursekit/checks/__init__.py (the message says which)."""


def _check_call(stmt) -> ast.Call | None:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id in KINDS:
        return stmt.value
    return None


def _loaded(node) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _base(target) -> set:
    """The names a store into ``target`` assigns or changes."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_base(t) for t in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return _base(target.value)
    if isinstance(target, (ast.Attribute, ast.Subscript)):
        return _base(target.value)
    return set()


def _defines(stmt) -> set:
    if isinstance(stmt, ast.Assign):
        return set().union(*(_base(t) for t in stmt.targets))
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        return _base(stmt.target)
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, ast.Delete):
        return set().union(*(_base(t) for t in stmt.targets))
    if isinstance(stmt, ast.Expr):
        return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)}
    return set()


def _uses(stmt) -> set:
    """Names a kept simple statement reads (the objects it changes count as read)."""
    names = _loaded(stmt)
    if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)) or isinstance(stmt, ast.AugAssign):
                names |= _base(target)
    return names


class _Slicer:
    def __init__(self, reporter: str):
        self.reporter = reporter
        self.needed: set = set()
        self.checks = 0

    def body(self, stmts: list) -> list:
        kept = []
        for stmt in reversed(stmts):
            new = self.statement(stmt)
            if new is not None:
                kept.insert(0, new)
        return kept

    def _block(self, stmts: list, loop: bool) -> list:
        """A nested body; a loop's body runs again, so slice it until the needed names settle."""
        while True:
            before = set(self.needed)
            kept = self.body(stmts)
            if not loop or self.needed == before:
                return kept

    def statement(self, stmt):
        call = _check_call(stmt)
        if call is not None:
            if len(call.args) < 2 or any(isinstance(a, ast.Starred) for a in call.args[:2]):
                raise NotATestCell(f"line {stmt.lineno}: a check needs `what` and `received` as its first "
                                   "two positional arguments")
            self.checks += 1
            what, received = call.args[:2]
            self.needed |= _loaded(what) | _loaded(received)
            report = ast.Call(ast.Name(self.reporter, ast.Load()),
                              [ast.Constant(KINDS[call.func.id]), what, received], [])
            return ast.copy_location(ast.Expr(report), stmt)
        if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            return self._loop(stmt)
        if isinstance(stmt, ast.If):
            return self._compound(stmt, [("body", False), ("orelse", False)], _loaded(stmt.test))
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            return self._compound(stmt, [("body", False)], set().union(*(_loaded(i) for i in stmt.items)))
        if isinstance(stmt, ast.Try):
            return self._try(stmt)
        if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in KINDS
               for n in ast.walk(stmt)):
            raise NotATestCell(f"line {stmt.lineno}: a check must be a statement of its own")
        if _defines(stmt) & self.needed:
            self.needed |= _uses(stmt)
            return stmt
        return None

    def _loop(self, stmt):
        if isinstance(stmt, ast.While):
            return self._compound(stmt, [("body", True), ("orelse", False)], _loaded(stmt.test))
        while True:
            before = set(self.needed)
            # the loop variable is an item of the iterable: a change to it changes what is needed
            if _loaded(stmt.iter) & self.needed:
                self.needed |= _base(stmt.target)
            kept = self._compound(stmt, [("body", True), ("orelse", False)], _loaded(stmt.iter))
            if kept is None or self.needed == before:
                return kept

    def _compound(self, stmt, fields, header: set):
        new = ast.copy_location(type(stmt)(**{f: getattr(stmt, f) for f in stmt._fields}), stmt)
        anything = False
        for name, loop in reversed(fields):
            kept = self._block(getattr(stmt, name), loop)
            anything |= bool(kept)
            setattr(new, name, kept or ([ast.Pass()] if name == "body" else []))
        if not anything:
            return None
        self.needed |= header
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.needed |= _base(stmt.target)
        return new

    def _try(self, stmt):
        new = ast.copy_location(ast.Try(body=[], handlers=[], orelse=[], finalbody=[]), stmt)
        new.finalbody = self.body(stmt.finalbody)
        new.orelse = self.body(stmt.orelse)
        for handler in stmt.handlers:
            kept = self.body(handler.body)
            if kept:
                self.needed |= _loaded(handler.type) if handler.type else set()
            new.handlers.append(ast.ExceptHandler(handler.type, handler.name, kept or [ast.Pass()]))
        new.body = self.body(stmt.body)
        if not (new.body or new.orelse or new.finalbody or any(not isinstance(h.body[0], ast.Pass)
                                                                 for h in new.handlers)):
            return None
        new.body = new.body or [ast.Pass()]
        return new


def report_cell(source: str, nonce: str, reporter: str = REPORTER) -> str:
    """The source a grading kernel runs for the test cell ``source`` (see the module docstring)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise NotATestCell(f"the test cell is not Python: {exc}") from exc
    slicer = _Slicer(reporter)
    body = slicer._block(tree.body, loop=False)
    if not slicer.checks:
        raise NotATestCell("a test cell without checks (coursekit.checks) scores nothing")
    header = ast.parse(f"from coursekit.checks.kernel import Reporter\n{reporter} = Reporter({nonce!r})\n"
                       "del Reporter").body
    return ast.unparse(ast.fix_missing_locations(ast.Module(header + body, type_ignores=[])))
