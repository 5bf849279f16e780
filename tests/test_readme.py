"""The README's example, and docs/library.md's, run as written."""

import re
from pathlib import Path

import numpy as np

from .objectives.test_extending import README, _section_code

LIBRARY = Path(__file__).resolve().parents[1] / "docs" / "library.md"


def test_readme_pareto_fronts_example_runs():
    code = _section_code("Pareto fronts")
    assert code.strip(), "no Python example under '## Pareto fronts'"
    scope: dict = {}
    exec(compile(code, str(README), "exec"), scope)
    scores = scope["tradeoff"].compare(scope["ws"], scope["exact"])
    assert scores["hv_ratio"] > 0.99 and scope["exact"].success


def test_library_page_examples_run(tmp_path, monkeypatch):
    """docs/library.md's Python blocks run in order as one script (the plot is saved in tmp)."""
    blocks = re.findall(r"```python\n(.*?)```", LIBRARY.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile("\n".join(blocks), str(LIBRARY), "exec"), scope)
    assert scope["res"].theta.shape == (8, 2) and np.isfinite(scope["res"].theta).all()
    assert (tmp_path / "fronts.png").stat().st_size > 0
    # the pymoo section: a user's minimize on problem.to_pymoo(), and an algorithm object in solve
    assert scope["own"].options["pop_size"] == 20 and len(scope["own"]) > 0
    assert scope["mine"].options["termination"] == ["n_gen", 20] and scope["mine"].evaluations == 400
