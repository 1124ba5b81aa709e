"""The instructors' servers on the course hub: nbgrader's formgrader shows each submission cleaned
of active content, under a policy that lets no script in it run (issue 19; the same settings as
``make formgrader``: tools/grading/formgrader_config.py)."""
from pathlib import Path

load_subconfig(str(Path(__file__).resolve().parents[4] / "tools" / "grading" / "formgrader_config.py"))  # noqa: F821
