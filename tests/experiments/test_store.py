"""The results folder: atomic per-run files, merged tables in CSV and Parquet, a careful --fresh."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from tradeoff.experiments.store import Store, StoredRunWarning, dumps
from tradeoff.experiments.tables import _column


def valid_result(run_id="abc", **changes):
    """A stored run as `execute` returns it (the smallest that passes the schema)."""
    front = {"F": [[0.1, 1 / 3], [2e-300, 1e300]], "X": [[1.0], [2.0]], "G": None,
             "objective_names": ["a", "b"], "param_names": ["t"], "options": {}, "success": True,
             "message": "", "metrics": {}}
    result = {"run_id": run_id, "status": "ok", "run": {"solver": "penalty"}, "front": front,
              "error": "", "evaluations": 3, "seconds": 0.5, "versions": {},
              "trace": [[1, float("inf"), 0.5]]}
    result.update(changes)
    return result


def test_run_files_round_trip_exactly(tmp_path):
    store = Store(tmp_path)
    result = valid_result(status="failed", front=None, seconds=float("nan"))
    store.write_run(result)
    back = store.read_run("abc")
    assert back["front"] is None and back["checksum"]
    assert math.isnan(back["seconds"]) and back["trace"][0][1] == float("inf")
    result = valid_result()
    store.write_run(result)
    back = store.read_run("abc")
    assert back["front"] == result["front"]  # floats by repr: bit for bit
    # no temp files left; the per-run cache keeps itself out of git
    assert sorted(p.name for p in tmp_path.joinpath("runs").iterdir()) == [".gitignore", "abc.json"]


@pytest.mark.parametrize("text", ['{"run_id": "abc", "sta', "", "[]", '{"run_id": "other", '
                                  '"status": "ok"}', '{"run_id": "abc"}'])
def test_unreadable_results_count_as_missing(tmp_path, text):
    store = Store(tmp_path)
    store.runs_dir.mkdir()
    store.run_path("abc").write_text(text)
    with pytest.warns(StoredRunWarning, match="abc.json is not usable"):
        assert store.read_run("abc") is None
    assert store.read_runs(["abc", "nope"], warn=False) == {}


def test_tables_in_csv_and_parquet(tmp_path):
    store = Store(tmp_path)
    frame = pd.DataFrame({"seed": _column([None, 1, 2]), "budget": _column([10, None, 30]),
                          "lambdas": _column([[1, 2], None, [3]]), "x": _column([0.5, None, 1.5]),
                          "ok": _column([True, False, None])})
    assert [str(t) for t in frame.dtypes] == ["Int64", "Int64", "object", "float64", "boolean"]
    paths = store.write_table(frame, "runs")
    assert [p.name for p in paths] == ["runs.csv", "runs.parquet"]
    assert (tmp_path / "runs.csv").read_text().splitlines()[1] == ',10,"[1,2]",0.5,True'
    back = store.read_table("runs")
    # Parquet keeps the nullable integers and booleans (text may come back as pandas' string dtype)
    assert [str(t) for t in back.dtypes[["seed", "budget", "x", "ok"]]] == \
        ["Int64", "Int64", "float64", "boolean"]
    pd.testing.assert_frame_equal(back.drop(columns="lambdas"), frame.drop(columns="lambdas"))
    assert [v if isinstance(v, str) else None for v in back["lambdas"]] == ["[1,2]", None, "[3]"]
    (tmp_path / "runs.parquet").unlink()
    assert store.read_table("runs")["budget"].tolist()[0] == 10  # the CSV fallback


def test_missing_tables_say_what_to_do(tmp_path):
    with pytest.raises(ValueError, match=r"`results` must be a folder written by `tradeoff run`"):
        Store(tmp_path).read_table("runs")


def test_clear_removes_only_what_a_sweep_writes(tmp_path):
    store = Store(tmp_path)
    store.write_run({"run_id": "a", "status": "ok"})
    store.write_table(pd.DataFrame({"a": [1]}), "runs")
    store.write_manifest({"experiment": "x"})
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "cap_fronts.png").write_bytes(b"png")
    store.record([tmp_path / "figures" / "cap_fronts.png"])  # as `tradeoff plot` does
    (tmp_path / "figures" / "mine.png").write_bytes(b"png")  # not written by tradeoff
    (tmp_path / "runs" / "mine.json").write_text("{}")
    (tmp_path / "figures" / "notes.txt").write_text("keep")
    (tmp_path / "README.md").write_text("keep")
    removed = store.clear()
    assert removed == 7  # runs/a.json, runs/.gitignore, runs.csv, runs.parquet, manifest, png,
    # and the ledger of what tradeoff wrote
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "README.md", "figures", "mine.json", "mine.png", "notes.txt", "runs"]


def test_manifest(tmp_path):
    store = Store(tmp_path)
    assert store.read_manifest() == {}
    store.write_manifest({"config": {"b": 1, "a": [1.5]}, "finished": None})
    # files: what tradeoff wrote here (what --fresh deletes), execution.json and .gitignore too
    written = {"config": {"a": [1.5], "b": 1}, "files": [".gitignore", "execution.json"]}
    assert json.loads((tmp_path / "manifest.json").read_text()) == written
    # when the sweep ran is not part of what it found: execution.json, out of git
    assert json.loads((tmp_path / "execution.json").read_text()) == {"finished": None}
    assert "execution.json" in (tmp_path / ".gitignore").read_text()
    assert store.read_manifest() == {**written, "finished": None}
    assert store.read_manifest(execution=False) == written
    assert store.clear() == 4  # the two, the manifest and the ledger
    assert list(tmp_path.iterdir()) == []
    assert dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
