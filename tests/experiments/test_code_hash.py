"""A sweep reuses a stored run only when the code that would make it again is unchanged: each run
records ``code_hash`` (tradeoff's computing modules), and a different one runs again."""

import json

from tradeoff.experiments import load_config, run_sweep
from tradeoff.experiments import runner
from tradeoff.experiments.store import Store

from .tiny import write


def test_a_run_made_by_other_code_runs_again(tmp_path, monkeypatch):
    config = load_config(write(tmp_path))
    out = tmp_path / "out"
    first = run_sweep(config, out)
    assert first.executed == first.total
    stored = Store(out).read_runs(r.run_id for r in config.runs())
    assert {res["code_hash"] for res in stored.values()} == {runner.code_hash()}
    # a checkout-dependent fact: in execution.json, not in the byte-stable manifest.json
    assert json.loads((out / "execution.json").read_text())["code_hash"] == runner.code_hash()
    assert "code_hash" not in json.loads((out / "manifest.json").read_text())
    assert run_sweep(config, out).reused == first.total  # same code: nothing runs

    monkeypatch.setattr(runner, "code_hash", lambda: "0" * 64)  # as if a solver were edited
    again = run_sweep(config, out)
    assert (again.executed, again.reused) == (first.total, 0)
    stored = Store(out).read_runs(r.run_id for r in config.runs())
    assert {res["code_hash"] for res in stored.values()} == {"0" * 64}


def test_results_stored_before_the_hash_are_reused(tmp_path):
    config = load_config(write(tmp_path))
    out = tmp_path / "out"
    run_sweep(config, out)
    store = Store(out)
    for res in store.read_runs(r.run_id for r in config.runs()).values():
        del res["code_hash"]  # what the committed results under results/ hold
        store.write_run(res)
    assert run_sweep(config, out).executed == 0


def test_code_hash_follows_the_computing_modules_only(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "experiments").mkdir(parents=True)
    (pkg / "solver.py").write_text("x = 1\n")
    (pkg / "experiments" / "report.py").write_text("y = 1\n")
    before = runner.code_hash(str(pkg))
    (pkg / "experiments" / "report.py").write_text("y = 2\n")  # presentation: same runs
    assert runner.code_hash.__wrapped__(str(pkg)) == before
    (pkg / "solver.py").write_text("x = 2\n")
    assert runner.code_hash.__wrapped__(str(pkg)) != before
