"""Every lesson makes the student act, and together the lessons show every derivation.

Conventions checked here (the lessons follow them; STYLE.md, "Notebooks"):
- an explorer cell (a code cell tagged ``nbval-ignore-output`` that builds an ``...Explorer(``)
  sits between a markdown cell "Predict, then move the slider" with 2-4 numbered questions (not
  a slide fragment) and a markdown cell whose ``<details>`` block answers each of them;
- a "your turn" task is three cells: the student's code cell (tag ``your-turn``, with ``...`` to
  replace), a cell that checks it with ``coursekit.practice``, and a collapsed solution cell
  (tag ``solution``, ``jupyter.source_hidden``) that asserts the reference answer passes;
- every lesson has a task before its "Check yourself" heading, and after it a quiz on the
  student's own answers (a task checked with ``check_all``);
- every ``coursekit.symbolic.DERIVATIONS`` entry is shown (``symbolic.<name>()``) in some lesson,
  and each gradient derivation is compared three ways (``symbolic.compare``) in that lesson;
- each lesson's title cell names its exercises as the README's lessons-and-exercises table does.
"""
import re
from pathlib import Path

import nbformat
import pytest

from coursekit import symbolic

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSONS = [p for p in NOTEBOOKS if not p.stem.startswith("00_")]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))   # the graded assignments' sources
EXPLORER = re.compile(r"\b[A-Z]\w*Explorer\(")
NUMBERED = re.compile(r"^\d+\. ", re.M)


def read(path):
    return nbformat.read(path, as_version=4)


def tags(cell):
    return cell.metadata.get("tags", [])


# -- explorers: predict, then answers on demand ----------------------------------------------
def explorer_problems(nb) -> list[str]:
    """What is missing around each explorer cell of ``nb`` (empty if nothing)."""
    problems = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        if not (cell.cell_type == "code" and "nbval-ignore-output" in tags(cell) and EXPLORER.search(cell.source)):
            continue
        before = cells[i - 1] if i > 0 else None
        after = cells[i + 1] if i + 1 < len(cells) else None
        if not (before and before.cell_type == "markdown" and "Predict, then move the slider" in before.source):
            problems.append(f"cell {i}: no 'Predict, then move the slider' questions just before the explorer")
            continue
        if before.metadata.get("slideshow", {}).get("slide_type") == "fragment":
            # live RISE's Shift+Enter runs the explorer but never reveals the fragment it sits in
            problems.append(f"cell {i - 1}: the questions are a fragment, which hides the explorer on a live slide")
        n = len(NUMBERED.findall(before.source))
        if not 2 <= n <= 4:
            problems.append(f"cell {i - 1}: {n} numbered questions, not 2-4")
        if not (after and after.cell_type == "markdown" and "<details>" in after.source):
            problems.append(f"cell {i}: no <details> answers just after the explorer")
        elif len(NUMBERED.findall(after.source)) != n:
            problems.append(f"cell {i + 1}: {len(NUMBERED.findall(after.source))} answers to {n} questions")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_explorer_has_questions_and_answers(path):
    nb = read(path)
    assert any(EXPLORER.search(c.source) for c in nb.cells if c.cell_type == "code"), f"{path.name}: no explorer"
    assert explorer_problems(nb) == []


# -- your turn -------------------------------------------------------------------------------
def tasks(nb) -> list[tuple[int, str]]:
    """(index, check source) of every complete task: student cell, check cell, hidden solution."""
    found = []
    for i, cell in enumerate(nb.cells[:-2]):
        check, solution = nb.cells[i + 1], nb.cells[i + 2]
        if (cell.cell_type == "code" and "your-turn" in tags(cell) and "..." in cell.source
                and check.cell_type == "code" and re.search(r"\bcheck(_all)?\(", check.source)
                and solution.cell_type == "code" and "solution" in tags(solution)
                and solution.metadata.get("jupyter", {}).get("source_hidden") is True
                and re.search(r"^assert check(_all)?\(", solution.source, re.M)
                and "..." not in solution.source):
            found.append((i, check.source))
    return found


def check_yourself_index(nb) -> int:
    return next(i for i, c in enumerate(nb.cells)
                if c.cell_type == "markdown" and re.search(r"^#+ Check yourself", c.source, re.M))


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_has_a_task_and_a_quiz_on_the_students_answers(path):
    nb = read(path)
    found, heading = tasks(nb), check_yourself_index(nb)
    assert [i for i, _ in found if i < heading], f"{path.name}: no complete 'your turn' task before Check yourself"
    assert [i for i, src in found if i > heading and "check_all(" in src], \
        f"{path.name}: Check yourself does not check the student's own answers"
    student_cells = [i for i, c in enumerate(nb.cells) if "your-turn" in tags(c)]
    assert student_cells == [i for i, _ in found], f"{path.name}: a your-turn cell without check and solution"


def test_the_task_detector_rejects_a_task_without_its_hidden_solution():
    nb = read(LESSONS[0])
    i = tasks(nb)[0][0]
    del nb.cells[i + 2].metadata["jupyter"]
    assert i not in [j for j, _ in tasks(nb)]


# -- derivations -----------------------------------------------------------------------------
def shown_derivations(notebooks) -> dict[str, set[str]]:
    """{derivation name: lessons whose code calls symbolic.<name>(...), or <name>(...) imported from it}."""
    shown = {}
    for name, nb in notebooks.items():
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        imported = {n.strip() for group in re.findall(r"from coursekit\.symbolic[\w.]* import \(?([\w,\s]+)\)?", code)
                    for n in group.split(",")}
        calls = set(re.findall(r"\bsymbolic\.(\w+)\(", code))
        calls |= {n for n in re.findall(r"(?<![\w.])(\w+)\(", code) if n in imported}
        for hit in calls:
            shown.setdefault(hit, set()).add(name)
    return shown


def compared_derivations(nb) -> set[str]:
    """Names mentioned (as symbolic.<name>(, backprop.<name> or "<name>") in the cells that call symbolic.compare."""
    names = set()
    for c in nb.cells:
        if c.cell_type == "code" and "symbolic.compare(" in c.source:
            names |= (set(re.findall(r"\bsymbolic\.(\w+)\(", c.source)) | set(re.findall(r"backprop\.(\w+)", c.source))
                      | set(re.findall(r"[\"'](\w+)[\"']", c.source)))
    return names


@pytest.fixture(scope="module")
def lessons():
    return {p.stem: read(p) for p in LESSONS}


def test_every_derivation_is_shown_in_a_lesson(lessons):
    shown = shown_derivations(lessons)
    missing = [f.__name__ for f in symbolic.DERIVATIONS if f.__name__ not in shown]
    assert not missing, f"derivations shown in no lesson: {missing}"


def test_every_gradient_derivation_is_compared_three_ways_where_it_is_shown(lessons):
    shown = shown_derivations(lessons)
    for f, backprop in symbolic.BACKPROP_FOR.items():
        both = {f.__name__, backprop.__name__}
        assert any(both <= compared_derivations(lessons[name]) for name in shown.get(f.__name__, ())), \
            f"{f.__name__} is shown but never compared with backprop and finite differences"


def test_readme_topic_table_lists_the_derivations_each_lesson_shows(lessons):
    rows = table((ROOT / "README.md").read_text(), "## Where each lecture topic lives")
    header = cells(rows[0])
    lesson_col, derivation_col = header.index("lesson"), next(i for i, h in enumerate(header) if h.startswith("derivations"))
    listed = {cells(r)[lesson_col].strip("`"): set(re.findall(r"`(\w+)`", cells(r)[derivation_col])) for r in rows[2:]}
    names = {f.__name__ for f in symbolic.DERIVATIONS}
    for lesson in lessons:
        shown = {n for n, where in shown_derivations(lessons).items() if lesson in where} & names
        assert listed.get(lesson, set()) == shown, f"README topic table, {lesson}: lists {listed.get(lesson)}, lesson shows {shown}"


def test_the_coverage_check_fails_when_a_derivation_is_shown_nowhere(lessons):
    name = symbolic.DERIVATIONS[0].__name__
    stripped = {}
    for stem, nb in lessons.items():
        nb = nbformat.from_dict(nb)
        for c in nb.cells:
            c.source = c.source.replace(f"symbolic.{name}(", "print(")
        stripped[stem] = nb
    assert name not in shown_derivations(stripped) and name in shown_derivations(lessons)


# -- lessons and exercises -------------------------------------------------------------------
def table(markdown: str, heading: str) -> list[str]:
    """The lines of the first table under ``heading``."""
    lines = markdown.split(heading, 1)[1].strip().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i, line in enumerate(lines[start:], start) if not line.startswith("|")), len(lines))
    return lines[start:end]


def cells(line: str) -> list[str]:
    """A table row's cells (an escaped pipe, as in ``$\\|Wx\\|$``, stays inside its cell)."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def exercises_by_lesson(lines: list[str]) -> dict[str, str]:
    """{lesson: its exercise column (the last)} from a table's rows."""
    return {cols[0].strip("`"): cols[-1] for cols in map(cells, lines[2:])}


def test_lessons_and_exercises_table_is_shared_by_readme_start_page_and_title_cells():
    readme = table((ROOT / "README.md").read_text(), "## Lessons and exercises")
    start = table(next(c.source for c in read(NOTEBOOKS[0]).cells if "## The lessons" in c.source), "## The lessons")
    assert readme == start, "README and lesson 00 show different lesson tables"
    mapping = exercises_by_lesson(readme)
    assert list(mapping) == [p.stem for p in NOTEBOOKS]
    exercises = [e for cell in mapping.values() for e in re.findall(r"`(\d\d_\w+)`", cell)]
    assert sorted(exercises) == sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb")), \
        ("every assignment in solutions/ follows exactly one lesson: add a new one to the README's 'Lessons and "
         "exercises' table, lesson 00's copy of it and that lesson's title cell")
    for path in LESSONS:
        title = read(path).cells[0].source
        assert f"**Exercise:** {mapping[path.stem]}" in title, f"{path.name}: title cell does not name {mapping[path.stem]}"


# -- one notation ------------------------------------------------------------------------------
# Symbols the lessons once used for a quantity that has its own symbol (README, "Notation"): the
# learning rate is epsilon, the error J, the penalty lambda (alpha is momentum). A note that names
# a deck's own symbol ("deck 001 writes $\eta$") is allowed: it is how a lesson maps the slide to ours.
OTHER_NAMES = {r"\eta": "the learning rate is \\epsilon", r"\varepsilon": "the learning rate is \\epsilon",
               r"\hat L": "the error is J", r"\hat{L}": "the error is J", r"\mathcal{L}": "the error is J"}
PENALTY_AS_ALPHA = re.compile(r"\\alpha\s*(I\b|\\lVert|\\,\\mathrm\{sign\}|/2|\}\{2\}|\\theta)|\\frac\{\\alpha\}\{2\}")
DECK_WRITES = re.compile(r"[Dd]eck\s+\d{3}\s+writes\s+\$[^$]*\$")


def notation_problems(nb) -> list[str]:
    problems = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "markdown":
            continue
        text = DECK_WRITES.sub("", c.source)
        problems += [f"cell {i}: {sym} ({why})" for sym, why in OTHER_NAMES.items()
                     if re.search(re.escape(sym) + r"(?![A-Za-z])", text)]
        if PENALTY_AS_ALPHA.search(text):
            problems.append(f"cell {i}: alpha as the penalty strength (it is lambda; alpha is momentum)")
    return problems


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=[f"{p.parent.name}/{p.stem}" for p in LESSONS + SOLUTIONS])
def test_lessons_use_one_notation(path):
    """Lessons and the graded assignments' sources (solutions/; exercises/ are generated from them)."""
    assert notation_problems(read(path)) == []


def test_the_notation_check_catches_the_old_slips():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(r"$\theta \leftarrow (1 - \eta\alpha)\theta$"),
        nbformat.v4.new_markdown_cell(r"$\hat L(\theta) + \frac{\alpha}{2}\lVert\theta\rVert^2$"),
        nbformat.v4.new_markdown_cell(r"$(H + \alpha I)^{-1}$"),
        nbformat.v4.new_markdown_cell(r"$\mathbf v \leftarrow \alpha\mathbf v - \epsilon g$"),
        nbformat.v4.new_markdown_cell(r"learning rate $\epsilon$ (deck 001 writes $\eta$)"),
        nbformat.v4.new_markdown_cell(r"deck 001 writes $\eta$; a step $\mathbf w + \eta\,\mathbf x_m y_m$")])
    found = notation_problems(nb)
    assert any(p.startswith("cell 0: \\eta") for p in found) and any(p.startswith("cell 1: \\hat L") for p in found)
    assert "cell 2: alpha as the penalty strength (it is lambda; alpha is momentum)" in found
    assert not any(p.startswith(("cell 3", "cell 4")) for p in found)
    assert any(p.startswith("cell 5: \\eta") for p in found)   # the note excuses itself, not the cell


# -- balanced maths --------------------------------------------------------------------------------
# A misplaced `$` (lesson 06 once had "compute $the error $J(...)$") turns the rest of a paragraph
# into maths or prints a stray dollar. Per paragraph, outside code, the unescaped `$` delimiters
# pair up: `$$` counts as one display delimiter, `$` as one inline delimiter, each count even.
FENCED_CODE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)


def unbalanced_maths(nb) -> list[str]:
    """'cell i, paragraph j: ...' for every markdown paragraph of ``nb`` whose maths does not close."""
    problems = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "markdown":
            continue
        text = CODE_SPAN.sub("", FENCED_CODE.sub("", c.source))
        for j, paragraph in enumerate(re.split(r"\n[ \t]*\n", text)):
            rest = paragraph.replace("\\\\", "").replace("\\$", "")   # an escaped \$ is a dollar sign
            display = rest.count("$$")
            inline = rest.replace("$$", "").count("$")
            if display % 2 or inline % 2:
                first = paragraph.strip().splitlines()[0][:60]
                problems.append(f"cell {i}, paragraph {j} ({first!r}...): {inline} inline $ and {display} $$")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS + SOLUTIONS])
def test_markdown_maths_is_balanced(path):
    assert unbalanced_maths(read(path)) == []


def test_the_maths_check_catches_a_misplaced_dollar():
    old_lesson_06 = ("Repeat until convergence:\n\n"
                     "1. $(\\mathbf{x}, \\mathbf{y}) \\leftarrow$ a minibatch of $B$ examples;\n"
                     "2. $\\hat{\\mathbf{y}} \\leftarrow f(\\mathbf{x}; \\theta)$ (forward propagation);\n"
                     "3. compute $the error $J(\\mathbf{y}, \\hat{\\mathbf{y}})$, here cross-entropy on the logits;\n"
                     "4. $\\nabla_\\theta J \\leftarrow$ backward propagation (deck 002's five steps);\n"
                     "5. $\\theta \\leftarrow \\theta - \\epsilon\\, \\nabla_\\theta J$ (SGD with learning rate $\\epsilon$).")
    fixed = old_lesson_06.replace("compute $the error", "compute the error")
    fine = [fixed,
            "$$J = \\frac1m\n\\sum_i \\ell_i$$\nand $x$ inline",                # display maths over lines
            "costs \\$5 and `x = \"$\"` in code, then $a$",                     # escaped and code dollars
            "```python\nprice = '$'\n```\n\n$b$",                               # a fenced block
            "a $x$\n\n$$y$$"]
    broken = ["$$J = x$\n", "a $x$ and $y", "one $\n\nthen $z$ balanced"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(s) for s in [old_lesson_06] + fine + broken])
    found = unbalanced_maths(nb)
    assert [p.split(",")[0] for p in found] == ["cell 0", "cell 6", "cell 7", "cell 8"], found
    assert found[-1].startswith("cell 8, paragraph 0")


# -- deck slips and key points, on a visible slide -------------------------------------------------
# Every slip of the decks found so far is noted in the lesson that teaches the formula, and the
# points a lesson exists to make are on its slides, not only in speaker notes (slide_type "notes",
# which the deck never shows). (lesson, what, a pattern that the note matches)
STATED = [
    ("01_learning_machines", "deck 000's MSE has no 1/2", r"Deck 000 writes the mean squared error without the \$\\tfrac12\$"),
    ("01_learning_machines", "the train/test gap only means something once the training error is small (deck 000)",
     r"gap\s+between\s+them\s+only\s+means\s+something\s+once\s+the\s+training\s+error\s+is\s+small"),
    ("03_activations_and_losses", "deck 001's tanh = 2 sigma(x) - 1", r"Deck 001 writes \$\\tanh\(x\) = 2\\sigma\(x\) - 1\$"),
    ("03_activations_and_losses", "deck 002's softplus ln(1 + e^-z)", r"Deck 002 writes softplus"),
    ("03_activations_and_losses", "deck 000's L is the loss of one example, J its mean over the batch",
     r"\$L\$ is deck 000's symbol for the loss of \*\*one\*\* example[^.]*\$J\$[^.]*mean of \$L\$"),
    ("08_momentum_and_optimizers", "deck 003's summary slide drops AdaGrad's minus sign",
     r"Deck 003's summary slide[^.]*drops the minus sign"),
]


def visible_markdown(nb) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown"
                       and c.metadata.get("slideshow", {}).get("slide_type") != "notes")


@pytest.mark.parametrize("lesson,what,pattern", STATED, ids=[f"{s[0][:2]}: {s[1]}" for s in STATED])
def test_deck_slips_and_key_points_are_on_a_visible_slide(lesson, what, pattern):
    (path,) = [p for p in LESSONS if p.stem == lesson]
    assert re.search(pattern, visible_markdown(read(path))), f"{lesson} does not say on a slide: {what}"


def test_a_point_only_in_speaker_notes_is_not_on_a_slide():
    (pattern,) = [s[2] for s in STATED if s[0] == "01_learning_machines" and "gap" in s[1]]
    old_notes = ("The right panel is deck 000's Figure 5.3 made live: training error falls monotonically with\n"
                 "capacity, test (generalization) error is U-shaped. The gap between them only means something once\n"
                 "the training error is small (deck 000's remark).")        # lesson 01's speaker notes, once
    notes = nbformat.v4.new_markdown_cell(old_notes, metadata={"slideshow": {"slide_type": "notes"}})
    shown = nbformat.v4.new_markdown_cell(old_notes, metadata={"slideshow": {"slide_type": "fragment"}})
    assert not re.search(pattern, visible_markdown(nbformat.v4.new_notebook(cells=[notes])))
    assert re.search(pattern, visible_markdown(nbformat.v4.new_notebook(cells=[notes, shown])))
