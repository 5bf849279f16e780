"""`tradeoff run` on a seed_blog config writes a manifest like a sweep's: config, hash, versions."""

import json

import pytest

from tradeoff.cli import main
from tradeoff.experiments import load_config, run_study
from tradeoff.experiments.runner import code_hash

from .tiny import write

BLOG = """
[experiment]
name = "blog_small"
kind = "seed_blog"
description = "Two epochs of the post."

[seed_blog]
n = 30
seed = 1
epochs = 2
"""


def test_seed_blog_run_writes_a_manifest(tmp_path, capsys):
    path = write(tmp_path, BLOG, "blog.toml")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    # what the clock and the checkout decide is in execution.json (git-ignored), as for sweeps
    execution = json.loads((out / "execution.json").read_text())
    assert not set(execution) & set(manifest)
    manifest = {**manifest, **execution}
    config = load_config(path)
    assert manifest["experiment"] == "blog_small" and manifest["kind"] == "seed_blog"
    assert manifest["config"] == config.raw and manifest["config_hash"] == config.hash
    assert manifest["config_file"] == str(path) and manifest["code_hash"] == code_hash()
    assert {"python", "numpy", "pandas", "matplotlib", "tradeoff"} <= set(manifest["versions"])
    assert "epochs.csv" in manifest["files"] and "compare.png" in manifest["files"]
    assert sorted(manifest["files"]) == sorted(p.name for p in out.iterdir()
                                               if p.name not in ("manifest.json",
                                                                 ".tradeoff-files.json"))
    assert manifest["started"] <= manifest["finished"]


def test_run_study_refuses_a_sweep(tmp_path):
    with pytest.raises(ValueError, match=r"`config` must be a study \(experiment\.kind = "
                       r"'seed_blog'\); got 'sweep'\. Run a sweep with run_sweep\."):
        run_study(load_config(write(tmp_path)), tmp_path / "out")
