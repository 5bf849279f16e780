"""A config with a CSV data set and a module beside it, as docs/sweeps.md documents them."""

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradeoff.experiments.config import load_config

DOC = Path(__file__).resolve().parents[2] / "docs" / "sweeps.md"

MODULE = '''
from tradeoff import PredictionObjective, register_objective


@register_objective("beside_config_mean_sq")
class BesideConfigMeanSq(PredictionObjective):
    name = "beside_config_mean_sq"

    def evaluate(self, batch, P, grad=True):
        mean = batch.omega @ P
        return mean ** 2, (2 * mean * batch.omega[:, None] if grad else None)
'''


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A folder holding people.csv and my_objectives.py; the test runs from elsewhere."""
    from tradeoff import objectives

    rng = np.random.default_rng(0)
    n = 120
    df = pd.DataFrame({"age": rng.uniform(20, 60, n).round(), "hours": rng.uniform(10, 50, n),
                       "job": rng.choice(["clerk", "nurse", "driver"], n),
                       "sex": rng.choice(["f", "m"], n)})
    df["income"] = np.where(df["hours"] + 10 * (df["sex"] == "m") + rng.normal(0, 8, n) > 35,
                            "high", "low")
    df.loc[3, "age"] = np.nan  # one row with a missing value: drop_missing = true drops it
    study = tmp_path / "study"
    study.mkdir()
    df.to_csv(study / "people.csv", index=False)
    (study / "my_objectives.py").write_text(MODULE)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield study
    sys.modules.pop("my_objectives", None)
    objectives.REGISTRY.pop("beside_config_mean_sq", None)


def _doc_config() -> str:
    section = DOC.read_text(encoding="utf-8").split("### Your own data and your own modules")[1]
    return re.findall(r"```toml\n(.*?)```", section, flags=re.S)[0]


def test_documented_csv_config_runs_with_a_module_beside_it(folder, tmp_path):
    from tradeoff.experiments import run_sweep
    from tradeoff.objectives import objective_factory

    path = folder / "people.toml"
    path.write_text(_doc_config())
    config = load_config(path)  # from another working directory
    assert objective_factory("beside_config_mean_sq") is not None  # my_objectives was imported
    assert config.data["income"]["csv"] == str((folder / "people.csv").resolve())
    assert config.data["income"]["rows_dropped"] == 1
    runs = config.runs()
    assert {r.import_folder for r in runs} == {str(folder.resolve())}
    # a fresh worker has neither the module nor the folder on its path: the run finds it again
    sys.modules.pop("my_objectives", None)
    sys.path.remove(str(folder.resolve()))
    sweep = run_sweep(config, tmp_path / "out", jobs=1)
    # the solver's run; no exact one (log-loss with a parity gap is not convex)
    assert sweep.failed == 0 and sweep.executed == len(runs) == 1
    assert Path(sys.modules["my_objectives"].__file__).parent == folder.resolve()


def test_imports_beside_the_config_win_and_a_missing_one_says_where_it_looked(folder):
    text = _doc_config()
    path = folder / "people.toml"
    path.write_text(text.replace('imports = ["my_objectives"]', 'imports = ["not_beside_me"]'))
    with pytest.raises(ValueError, match=r"`experiment\.imports\[0\]` must be an importable "
                                         r"module; got 'not_beside_me'\. Importing it raised "
                                         r"ModuleNotFoundError: .*looked for beside the config, "
                                         r"in "):
        load_config(path)
