"""`make exercises`: generate the student copies in exercises/ from solutions/ with nbgrader.

nbgrader's ``generate_assignment`` removes the solution regions (``### BEGIN SOLUTION`` ..
``### END SOLUTION`` become a stub that raises NotImplementedError) and the hidden tests
(``### BEGIN HIDDEN TESTS`` .. ``### END HIDDEN TESTS``), locks the test cells and stores their
checksums. The copies are committed; tests/test_grading_release.py fails when they are stale.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from nbgrader.apps import NbGraderAPI

from .config import EXERCISES, assignment_names, copy_sources, course_config, create_gradebook


def generate_release(root: Path, names: list[str], db_url: str | None = None) -> NbGraderAPI:
    """Run nbgrader generate_assignment for ``names`` in the course directory ``root``.

    This also records each assignment's cells (and hidden tests) in the gradebook: ``root``'s
    SQLite file, or the one at ``db_url``.
    """
    Path(root).mkdir(parents=True, exist_ok=True)
    db_url = db_url or f"sqlite:///{Path(root).resolve() / 'gradebook.db'}"
    create_gradebook(db_url)
    config = course_config(root)
    config.CourseDirectory.db_url = db_url
    api = NbGraderAPI(config=config)
    copy_sources(root, names)
    for name in names:
        result = api.generate_assignment(name, force=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not generate {name}:\n{result.get('log', '')}\n{result.get('error', '')}")
    return api


def write_exercises(out_dir: Path = EXERCISES, names: list[str] | None = None) -> list[Path]:
    """Generate the student copy of every assignment into ``out_dir/<name>.ipynb``."""
    names = assignment_names() if names is None else names
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        generate_release(Path(tmp), names)
        for name in names:
            target = out_dir / f"{name}.ipynb"
            shutil.copyfile(Path(tmp) / "release" / name / f"{name}.ipynb", target)
            written.append(target)
    return written


def main() -> int:
    for path in write_exercises():
        print(f"wrote {path.relative_to(EXERCISES.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
