"""A sweep runs the exact reference only where it can: a problem that is not convex has no exact run,
and the report says why its reference is the union of the runs."""

import pandas as pd

from tradeoff.experiments import load_config, run_sweep
from tradeoff.experiments.report import markdown

from .tiny import write

MIXED = """
[experiment]
name = "mixed"
seeds = [0]

[[problems]]
name = "lin"
data = { name = "blog", n = 40, seed = 0 }
objectives = ["mse", { name = "cap_violation", cap = 120 }]

[[problems]]
name = "net"
data = { name = "blog", n = 40, seed = 0 }
model = { name = "mlp", hidden = [3], seed = 0 }
objectives = ["mse", { name = "cap_violation", cap = 120 }]

[[solvers]]
name = "nsga2"
options = { pop_size = 8, max_evaluations = 40 }

[exact]
n_points = 10
"""


def test_no_exact_run_for_a_problem_that_is_not_convex(tmp_path):
    config = load_config(write(tmp_path, MIXED, "mixed.toml"))
    assert [(r.problem, r.solver) for r in config.runs()] == [
        ("lin", "exact"), ("lin", "nsga2"), ("net", "nsga2")]
    assert config.exact_skipped == {"net": "not convex: the mlp model is not affine in θ"}
    sweep = run_sweep(config, tmp_path / "out")
    assert (sweep.total, sweep.failed) == (3, 0)
    runs = pd.read_csv(tmp_path / "out" / "runs.csv")
    assert list(runs.loc[runs["problem"] == "net", "solver"]) == ["nsga2"]
    import json

    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["exact_skipped"] == config.exact_skipped
    text = markdown(runs, manifest)
    net = text[text.index("## net"):]
    assert ("as there is no exact front (the problem is not convex: the mlp model is not affine "
            "in θ, so the sweep ran no exact solver)") in net
    assert "| exact" not in net
    assert "Reference: the exact front (10 points)" in text[text.index("## lin"):text.index("## net")]
