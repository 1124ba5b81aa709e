"""A submission that tries to run script in whoever opens its feedback or its formgrader view.

Built from a solution notebook: a wrong answer (so a check fails), then a cell whose outputs
carry every kind of active content a notebook can display, and a Markdown cell with raw HTML.
Every payload sets ``document.title`` to something starting with ``PWNED`` and every fetch
goes to ``evil.invalid``: a page shows no payload ran when its title is unchanged and no
request to that host was made.
"""
from __future__ import annotations

import copy

import nbformat

MARK = "PWNED"
HOST = "evil.invalid"
PAYLOADS = f'''from IPython.display import HTML, SVG, Javascript, Markdown, display
import ipywidgets as widgets

display(HTML("<img src=x onerror=\\"document.title='{MARK}-onerror'\\">"))
display(HTML("<script>document.title='{MARK}-script'</script><b>bold stays</b>"))
display(HTML("<a id=link href=\\"javascript:document.title='{MARK}-link'\\">click me</a>"))
display(HTML("<img src='http://{HOST}/beacon.png'><iframe src='http://{HOST}/frame'></iframe>"))
display(HTML("<div style=\\"background:url(http://{HOST}/bg.png)\\">styled</div>"))
display(SVG("<svg xmlns='http://www.w3.org/2000/svg' onload=\\"document.title='{MARK}-svg'\\">"
            "<script>document.title='{MARK}-svg-script'</script><circle r='5'/></svg>"))
display(Javascript("document.title = '{MARK}-javascript'"))
display(Markdown("<img src=x onerror=\\"document.title='{MARK}-markdown'\\"> [a link](javascript:alert(1))"))
out = widgets.Output()
display(out)
with out:
    display(HTML("<img src='http://{HOST}/widget.png' onerror=\\"document.title='{MARK}-widget'\\">"))
'''
MARKDOWN = (f"My notes <script>document.title='{MARK}-md-cell'</script> "
            f"<img src='http://{HOST}/md.png' onerror=\"document.title='{MARK}-md-img'\">")


def hostile(nb, after_grade_id: str):
    """A copy of ``nb`` with the payload cells after the cell ``after_grade_id``."""
    nb = copy.deepcopy(nb)
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == after_grade_id)
    # fixed cell ids (nbformat draws random ones): the same submission every time it is built
    nb.cells[index + 1:index + 1] = [nbformat.v4.new_code_cell(PAYLOADS, id="payloads"),
                                     nbformat.v4.new_markdown_cell(MARKDOWN, id="notes")]
    return nb


NAME = "06_optimizers"


def grade_two_students(base, cases):
    """Grade ``passing`` (the solution) and ``failing`` (a wrong momentum step plus the payloads)
    for ``06_optimizers`` under ``base``; returns ``{student: feedback page path}`` and the output folder."""
    from tools.grading import grade
    from tools.grading.config import SOLUTIONS

    solution = nbformat.read(str(SOLUTIONS / f"{NAME}.ipynb"), as_version=4)
    wrong = cases.mutate(solution, *cases.MUTATIONS[NAME]["momentum_sign_flipped"])
    for student, nb in {"passing": solution, "failing": hostile(wrong, "momentum")}.items():
        folder = base / "submitted" / student / NAME
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{NAME}.ipynb"))
    outcomes = grade.grade_class(base / "submitted", base / "output", names=[NAME], log=lambda *_: None)
    return {o.student: o.feedback for o in outcomes}, base / "output"
