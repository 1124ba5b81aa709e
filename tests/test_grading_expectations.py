"""Expected values come from the solution, run once in a trusted kernel (tools/grading/expectations.py):
the reference code the assignment withholds from students is there, and a solution that fails its
own checks stops grading."""
from __future__ import annotations

import nbformat
import pytest

from coursekit.checks.plain import decode
from tools.grading.expectations import SolutionFails, run_solution

pytestmark = pytest.mark.slow


def _solution(tmp_path, test_source):
    setup = nbformat.v4.new_code_cell('from coursekit.checks import withhold\nwithhold("coursekit.optim")')
    test = nbformat.v4.new_code_cell(test_source)
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "test_step", "locked": True, "points": 1,
                                 "solution": False, "schema_version": 3}
    path = tmp_path / "a.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[setup, test]), str(path))
    return path


TEST = '''from coursekit.checks import check_close
from coursekit.module import Parameter
from coursekit.optim import SGD
import numpy as np

p = Parameter(np.array([1.0]))
p.grad[...] = 2.0
SGD([p], lr=0.1).step()
check_close("theta after one step", p.data - 0.0, p.data, hint="theta - lr g")
'''


def test_each_check_records_its_expected_value_from_the_withheld_reference(tmp_path):
    found = run_solution("a", _solution(tmp_path, TEST))
    [record] = found.checks["test_step"]
    assert found.withheld == ["coursekit.optim"]
    assert record["what"] == "theta after one step" and record["line"] == 9
    assert decode(record["expected"]).tolist() == [0.8]  # 1 - 0.1 * 2
    assert decode(record["options"])["hint"] == "theta - lr g"


def test_a_solution_that_fails_its_own_check_stops_grading(tmp_path):
    with pytest.raises(SolutionFails, match="the reference solution fails its own check"):
        run_solution("a", _solution(tmp_path, TEST.replace("p.data - 0.0", "p.data + 1.0")))
