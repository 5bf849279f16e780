"""A tiny sweep for tests: 2 problems' worth of structure, runs in well under a second."""

from __future__ import annotations

from pathlib import Path

TINY = """
[experiment]
name = "tiny"
seeds = [0, 1]

[[problems]]
name = "cap"
data = { name = "blog", n = 60, seed = 0 }
objectives = ["mse", { name = "cap_violation", cap = 120 }]

[[solvers]]
name = "penalty"
options = { n_points = 6 }

[[solvers]]
name = "nsga2"
options = { pop_size = 10 }

[grid]
max_evaluations = [60, 200]

[exact]
n_points = 30
"""

# a run that raises at solve time (MGDA takes no constraints), beside one that works
FAILING = """
[experiment]
name = "failing"
seeds = [0]

[[problems]]
name = "hard"
data = { name = "blog", n = 40, seed = 0 }
objectives = ["mse", "mae"]
constraints = [{ name = "cap_max", cap = 120, bound = 0 }]

[[solvers]]
name = "mgda"
options = { n_points = 4, max_evaluations = 50 }

[[solvers]]
name = "nsga2"
options = { pop_size = 8, max_evaluations = 40 }
"""


def write(tmp_path: Path, text: str = TINY, name: str = "tiny.toml") -> Path:
    path = Path(tmp_path) / name
    path.write_text(text)
    return path
