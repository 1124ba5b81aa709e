"""Build the course site into ``build/site`` (``make site`` runs ``python -m tools.site.build``).

Inputs, all built first by ``make site``: the executed lessons (``build/executed/``, run once
by ``tools/slides/execute.py`` and shared with the decks) and the offline decks with their
npm assets (``build/slides/``), which the site's pages load too. Steps:

1. lay out Sphinx's sources in ``build/site-src``: the lessons, the exercises (offered as
   downloads, not rendered), ``widgets.js`` and an index page in course order with the
   README's topic table;
2. ``sphinx-build`` with ``tools/site/conf.py`` (myst-nb renders the notebooks as they are);
3. copy the decks into ``build/site/slides/`` and print the sizes: the site's, and the
   precomputed frames of every explorer (a budget of 2 MB each, 40 MB for the site).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BUILD = ROOT / "build"
SOURCE = BUILD / "site-src"
MAX_SITE_BYTES = 40_000_000
MAX_FRAME_BYTES = 2_000_000
def lessons() -> list[Path]:
    """The lessons in course order (their file names start with the lesson's number)."""
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def title(nb) -> str:
    """The lesson's first Markdown heading."""
    for cell in nb.cells:
        match = re.search(r"^#+\s+(.+)$", cell.source, re.M) if cell.cell_type == "markdown" else None
        if match:
            return match.group(1).strip()
    return ""


def topic_table(readme: str, lesson_names: set[str], exercise_names: set[str]) -> str:
    """README's "Where each lecture topic lives" table, lesson and exercise names made links."""
    section = readme.split("## Where each lecture topic lives", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))

    def link(match):
        name = match.group(1)
        if name in lesson_names:
            return f"[{name}]({name}.ipynb)"
        if name in exercise_names:
            return f"{{download}}`{name} <exercises/{name}.ipynb>`"
        return match.group(0)
    return re.sub(r"`([0-9]{2}_[a-z0-9_]+)`", link, table)


def index_page(readme: str, titles: dict[str, str], exercises: list[str]) -> str:
    intro = readme.split("\n\n", 2)[1]
    rows = "\n".join(f"| {i} | [{titles[name] or name}]({name}.ipynb) | "
                     f'<a href="slides/{name}.slides.html">slides</a> |'
                     for i, name in enumerate(titles))
    downloads = "\n".join(f"- {{download}}`{name}.ipynb <exercises/{name}.ipynb>`" for name in exercises)
    toctree = "\n".join(titles)
    return f"""# coursekit: neural networks from first principles

{intro}

## Lessons, in course order

Each lesson is shown as run; its sliders answer at once from values computed when the site
was built (a note under a figure says when a value was not precomputed). In JupyterLab
(`make lab`) the same explorers compute every value live. Each lesson is also an offline
slide deck.

| # | lesson | deck |
|---|---|---|
{rows}

## Where each lecture topic lives

{topic_table(readme, set(titles), set(exercises))}

## Exercises

Autograded assignments, to download and open in JupyterLab:

{downloads}

```{{toctree}}
:hidden:
:maxdepth: 1

{toctree}
```
"""


def lay_out_sources() -> None:
    if SOURCE.exists():  # keep Sphinx's doctrees (incremental rebuilds), replace the rest
        for path in SOURCE.iterdir():
            if path.name != ".doctrees":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    SOURCE.mkdir(parents=True, exist_ok=True)
    titles = {}
    for lesson in lessons():
        executed = BUILD / "executed" / lesson.name
        if not executed.exists():
            raise SystemExit(f"{executed} is missing: run `make site` (it executes the lessons first)")
        shutil.copy2(executed, SOURCE / lesson.name)
        titles[lesson.stem] = title(nbformat.read(executed, as_version=4))
    exercises = sorted((ROOT / "exercises").glob("*.ipynb"))
    (SOURCE / "exercises").mkdir()
    for exercise in exercises:
        shutil.copy2(exercise, SOURCE / "exercises" / exercise.name)
    (SOURCE / "_static").mkdir()
    shutil.copy2(HERE / "widgets.js", SOURCE / "_static" / "widgets.js")
    readme = (ROOT / "README.md").read_text()
    (SOURCE / "index.md").write_text(index_page(readme, titles, [e.stem for e in exercises]))


def frame_sizes(notebook: Path) -> list[int]:
    """Bytes of precomputed frames of each explorer in an executed lesson."""
    state = nbformat.read(notebook, as_version=4).metadata.get("widgets", {})
    models = state.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return [len(m["state"]["base"]) + sum(len(image[-1]) for image in m["state"]["images"])
            for m in models.values() if m.get("model_module") == "anywidget" and "images" in m.get("state", {})]


def tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build(out: Path) -> None:
    lay_out_sources()
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(HERE),
                    "-d", str(SOURCE / ".doctrees"), str(SOURCE), str(out)], check=True)
    if (out / "slides").exists():
        shutil.rmtree(out / "slides")
    shutil.copytree(BUILD / "slides", out / "slides", ignore=shutil.ignore_patterns(".copied"))
    for source_map in (out / "_static").rglob("*.map"):  # the theme's, for its developers (3 MB)
        source_map.unlink()
    report(out)


def report(out: Path) -> None:
    frames = {lesson.stem: frame_sizes(BUILD / "executed" / lesson.name) for lesson in lessons()}
    for name, sizes in frames.items():
        print(f"  {name}: frames of {len(sizes)} explorer(s), "
              f"{', '.join(f'{s / 1e6:.2f}' for s in sizes) or '-'} MB")
    total = tree_size(out)
    print(f"site: {total / 1e6:.1f} MB in {out} (frames {sum(map(sum, frames.values())) / 1e6:.1f} MB, "
          f"decks {tree_size(out / 'slides') / 1e6:.1f} MB)")
    over = {name: s for name, sizes in frames.items() for s in sizes if s > MAX_FRAME_BYTES}
    if over or total > MAX_SITE_BYTES:
        raise SystemExit(f"over budget: site {total} bytes (max {MAX_SITE_BYTES}), explorers {over} "
                         f"(max {MAX_FRAME_BYTES} each)")


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else BUILD / "site")
