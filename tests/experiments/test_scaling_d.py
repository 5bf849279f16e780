"""The dimension study's config says what its docs say: four models of growing size on Adult, every
solver under wall-clock budgets of 10 and 60 s, and 300 s on the two larger MLPs; EPO and hv-grad both
full-batch and by mini-batch Adam."""

from pathlib import Path

from tradeoff import Problem
from tradeoff.experiments.config import load_config

CONFIG = Path(__file__).resolve().parents[2] / "experiments" / "scaling_d.toml"


def test_scaling_d_config():
    config = load_config(CONFIG)
    sizes = {p["name"]: Problem.from_dict({k: v for k, v in p.items() if k != "split"}).d
             for p in config.problems}
    assert sizes == {"logistic": 81, "mlp16": 1313, "mlp64x64": 9409, "mlp256x256": 86785}
    assert all(p["split"] == {"test": 0.3, "validation": 0.2, "seed": 0} for p in config.problems)
    # scored against a fixed reference point: the constant predictor's log-loss (0.561) is beyond
    assert config.hv_references == {p: (0.56, 0.05) for p in sizes}
    runs = [r for r in config.runs() if r.solver != "exact"]
    budgets = {(r.problem, r.label): set() for r in runs}
    for r in runs:
        budgets[(r.problem, r.label)].add(r.options["max_seconds"])
    long = {"mlp64x64", "mlp256x256"}
    assert all(v == ({10, 60, 300} if problem in long else {10, 60})
               for (problem, _), v in budgets.items())
    labels = {label for _, label in budgets}
    assert labels == {"weighted-sum", "weighted-sum-adam", "penalty", "chebyshev",
                      "epsilon-constraint", "mgda", "hv-grad", "hv-grad-adam", "epo", "epo-adam",
                      "pareto-set", "nsga2", "sms-emoa"}
    full = {r.label: r.options.get("optimizer") for r in runs}
    assert full["epo"] == "gd" and full["hv-grad"] == "adam"  # the full-batch loop on every model
    assert all(r.options["batch_size"] == 512 for r in runs if r.label.endswith("-adam"))
    assert len(runs) == 13 * (2 + 2 + 3 + 3)
