"""The README's Python examples run as written."""

import numpy as np
import pytest

from .test_extending import README, _section_code


@pytest.mark.parametrize("title", ["Using the library", "Pareto fronts"])
def test_readme_examples_run(title):
    code = _section_code(title)
    assert code.strip(), f"no Python example under '## {title}'"
    scope: dict = {}
    exec(compile(code, str(README), "exec"), scope)
    if title == "Pareto fronts":
        scores = scope["tradeoff"].compare(scope["ws"], scope["exact"])
        assert scores["hv_ratio"] > 0.99 and scope["exact"].success
    else:
        assert scope["res"].theta.shape == (8, 2) and np.isfinite(scope["res"].theta).all()
