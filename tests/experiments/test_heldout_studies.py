"""The Adult and COMPAS held-out studies: what their configs run, and COMPAS's environment variable."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from tradeoff.datasets.benchmarks import COMPAS_ENV
from tradeoff.cli import main
from tradeoff.experiments import load_config

from .tiny import write

pytest.importorskip("fairlearn")
EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "compas-two-years.csv"
COMPAS_CSV = Path(os.environ.get(COMPAS_ENV) or SHARED)
LABELS = ["weighted-sum", "penalty", "epsilon-constraint-exact", "nsga2", "fairlearn-grid",
          "fairlearn-eg"]
OBJECTIVES = {"parity": ["log_loss", "demographic_parity_sq"],
              "odds": ["log_loss", "equalized_odds_sq"]}


def _check_design(config, points: int):
    names = [f"{p}-s{s}" for p in OBJECTIVES for s in range(5)]
    assert [p["name"] for p in config.problems] == names
    for spec in config.problems:
        assert spec["model"] == "logistic"
        assert spec["objectives"] == OBJECTIVES[spec["name"].split("-s")[0]]
        assert spec["split"] == {"test": 0.3, "validation": 0.2,
                                 "seed": int(spec["name"].split("-s")[1])}
    assert [s.label for s in config.solvers] == LABELS
    for entry in config.solvers:
        if entry.name in ("weighted-sum", "penalty", "epsilon-constraint"):
            assert entry.options["n_points"] == points
        assert "constraint" not in entry.options  # fairlearn's constraint comes from each problem
    assert config.seeds == (0,)
    # no exact runs: neither fairness gap is convex with the logistic model
    assert len(config.runs()) == len(names) * len(LABELS)
    assert set(config.exact_skipped) == set(names)


def test_adult_study_runs_both_fairness_notions_over_five_split_seeds():
    config = load_config(EXPERIMENTS / "fairness_adult.toml")
    _check_design(config, 15)
    assert {d["split_rows"]["test"] for d in config.data.values()} == {9_049}


@pytest.mark.skipif(not COMPAS_CSV.is_file(), reason="ProPublica's COMPAS file is not here")
def test_compas_study_runs_the_same_design(monkeypatch):
    monkeypatch.setenv(COMPAS_ENV, str(COMPAS_CSV))
    config = load_config(EXPERIMENTS / "fairness_compas.toml")
    _check_design(config, 20)
    assert {d["rows"] for d in config.data.values()} == {5_278}
    assert len({d["sha256"] for d in config.data.values()}) == 1  # the file is in the identity


def test_compas_config_names_no_path_outside_the_repository():
    text = (EXPERIMENTS / "fairness_compas.toml").read_text()
    assert "shared" not in text and "/work" not in text
    for spec in tomllib.loads(text)["problems"]:
        assert spec["data"] == "compas"


def test_compas_study_without_the_variable_fails_in_one_sentence(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv(COMPAS_ENV, raising=False)
    code = main(["run", str(EXPERIMENTS / "fairness_compas.toml"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code != 0 and not (tmp_path / "out").exists()
    assert err.count("\n") == 0
    assert err.startswith("tradeoff: error: In `problems[0]`: `TRADEOFF_COMPAS_CSV` must be set to "
                          "the path of ProPublica's compas-scores-two-years.csv")
    assert "export TRADEOFF_COMPAS_CSV=" in err


def _compas_like(path: Path, shift: int = 0) -> Path:
    """A file laid out like ProPublica's, big enough to build a problem (both races, both labels)."""
    n = 40
    rows = pd.DataFrame({
        "sex": ["Male", "Female"] * (n // 2), "age": [20 + i % 40 for i in range(n)],
        "race": ["African-American", "Caucasian"] * (n // 2),
        "juv_fel_count": 0, "juv_misd_count": [i % 2 for i in range(n)], "juv_other_count": 0,
        "priors_count": [(i * 7 + shift) % 9 for i in range(n)],
        "days_b_screening_arrest": 0, "c_charge_degree": ["F", "M"] * (n // 2), "is_recid": 0,
        "score_text": "Low", "two_year_recid": [(i // 2) % 2 for i in range(n)],
    })
    rows.to_csv(path, index=False)
    return path


COMPAS_TINY = """
[experiment]
name = "compas_tiny"

[[problems]]
name = "parity"
data = "compas"
model = "logistic"
objectives = ["log_loss", "demographic_parity_sq"]

[[solvers]]
name = "weighted-sum"
options = { n_points = 3 }
"""


def test_the_compas_file_is_part_of_the_run_identity(monkeypatch, tmp_path):
    config = write(tmp_path, COMPAS_TINY)
    ids = {}
    for name, shift in (("a.csv", 0), ("copy.csv", 0), ("b.csv", 1)):
        monkeypatch.setenv(COMPAS_ENV, str(_compas_like(tmp_path / name, shift)))
        ids[name] = [r.run_id for r in load_config(config).runs()]
    assert ids["a.csv"] == ids["copy.csv"]  # the content counts, not where the file is
    assert set(ids["a.csv"]).isdisjoint(ids["b.csv"])
    manifest_data = load_config(config).data["parity"]
    assert "csv" not in manifest_data and str(tmp_path) not in str(manifest_data)
