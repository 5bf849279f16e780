"""The benchmark tables in the docs are generated from the committed JSON (benchmarks/tables.py),
never typed: a region that differs from what its file renders fails here."""

from __future__ import annotations

import importlib.util
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _tables():
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location("bench_tables", ROOT / "benchmarks" / "tables.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


tables = _tables()


@pytest.mark.parametrize("doc", tables.DOCS, ids=lambda p: pathlib.Path(p).name)
def test_generated_regions_equal_the_committed_json(doc):
    text = pathlib.Path(doc).read_text()
    assert tables.REGION.search(text), f"{doc} has no generated table"
    assert tables.rewrite(text) == text, \
        f"{doc}: a table differs from benchmarks/results/; run `python benchmarks/tables.py`"


def test_every_marker_names_a_recorded_table_and_json_is_complete():
    for doc in tables.DOCS:
        for m in tables.REGION.finditer(pathlib.Path(doc).read_text()):
            name = m.group("key").partition("#")[0]
            data = json.loads((ROOT / "benchmarks" / "results" / f"{name}.json").read_text())
            assert data["date"] and data["machine"]["cores"] and data["tables"]


def test_a_typed_number_is_rewritten(tmp_path):
    doc = pathlib.Path(tables.DOCS[0]).read_text()
    m = tables.REGION.search(doc)
    body = m.group("body")
    typed = doc.replace(body, body.replace("|", "| 9.99 |", 1), 1)
    assert typed != doc and tables.rewrite(typed) == doc


def test_a_marker_without_its_file_names_it(tmp_path):
    with pytest.raises(SystemExit, match=r"`table:nosuch` must name a recorded benchmark; got no "
                                         r"file .*nosuch\.json\. Run `python benchmarks/nosuch\.py`"):
        tables.rewrite("<!-- table:nosuch -->\nx\n<!-- /table:nosuch -->", str(tmp_path))


@pytest.mark.parametrize("name", ["libmoon_side_by_side", "libmoon_side_by_side_compas"])
def test_libmoon_side_by_side_has_every_method_with_libmoon_numpy_and_torch_rows(name):
    """Issue 22's tables (Adult, COMPAS): per LibMOON method, its HV (train / test) beside
    tradeoff's numpy and torch rows, CPU of each, and every seed of every code in the per-seed
    table."""
    data = json.loads((ROOT / "benchmarks" / "results" / f"{name}.json").read_text())
    main, per_seed = data["tables"]
    methods = [r["LibMOON method"] for r in main["rows"]]
    # the six of LibMOON's table, in its order, then PMGDA where that run had it
    assert methods in (["LS", "mTche", "EPO", "HVGrad", "MGDA-UB", "COSMOS"],
                       ["LS", "mTche", "EPO", "HVGrad", "MGDA-UB", "COSMOS", "PMGDA"])
    for r in main["rows"]:
        for col in ("LibMOON HV train / test", "numpy HV train / test", "torch HV train / test"):
            train, test = (float(v) for v in r[col].split(" / "))
            assert 0 < test <= 1 and 0 < train <= 1, (r["LibMOON method"], col)
        assert all(float(v) > 0 for v in r["CPU s LibMOON / numpy / torch"].split(" / "))
    seeds = sorted({r["seed"] for r in per_seed["rows"]})
    assert len(per_seed["rows"]) == len(methods) * 3 * len(seeds)
    readme = (ROOT / "benchmarks" / "README.md").read_text()
    section = readme.split("## 11.")[1].split("\n## 12.")[0]
    assert f"<!-- table:{name} -->" in section
    assert f"<!-- table:{name}#2 -->" in section
    assert tables.render(name).startswith(tables.markdown(main["rows"], main["columns"]))
    assert "by `python benchmarks/libmoon_side_by_side.py" in tables.render(name)  # the script that ran


def test_a_results_file_of_another_script_names_that_script(tmp_path):
    doc = {"benchmark": "x_compas", "script": "x", "argv": ["--dataset", "compas"], "date": "d",
           "machine": {"cores": 2}, "tables": [{"columns": ["a"], "rows": [{"a": 1}]}]}
    (tmp_path / "x_compas.json").write_text(json.dumps(doc))
    text = tables.render("x_compas", str(tmp_path))
    assert "by `python benchmarks/x.py --dataset compas`" in text


def _common_module():
    import importlib
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module("_common")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


@pytest.mark.parametrize("argv, record, written", [
    (["bench.py"], True, True),
    (["bench.py", "--quick"], True, False),
    (["bench.py", "--small"], True, False),
    (["quick.py"], False, False),  # quick.py turns RECORD off: its checks' tables are reduced runs
])
def test_save_records_only_full_runs(tmp_path, monkeypatch, argv, record, written):
    common = _common_module()
    monkeypatch.setattr(common, "RESULTS", str(tmp_path))
    monkeypatch.setattr(common, "RECORD", record)
    monkeypatch.setattr(common.sys, "argv", argv)
    monkeypatch.setattr(common, "TABLES", [{"columns": ["a"], "rows": [{"a": 1}]}])
    path = common.save("bench")
    assert (path is not None) == written
    assert (tmp_path / "bench.json").exists() == written
    if written:
        data = json.loads((tmp_path / "bench.json").read_text())
        assert data["tables"] == [{"columns": ["a"], "rows": [{"a": 1}]}]
        assert data["machine"]["cores"]


def test_spread_gives_each_codes_mean_standard_error_and_difference_from_libmoon(monkeypatch):
    """`libmoon_side_by_side.py --merge … --spread`: mean ± sd/√n per code, the difference from
    LibMOON ± √(se₁² + se₂²), and "above" / "below" only beyond two standard errors."""
    import importlib
    import sys

    common = _common_module()
    monkeypatch.setattr(common, "TABLES", [])
    monkeypatch.setattr(common, "RECORD", False)  # nothing written at exit
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        sbs = importlib.import_module("libmoon_side_by_side")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    monkeypatch.setattr(sbs, "table", common.table)
    base = {"libmoon": [0.60, 0.61, 0.62], "numpy": [0.70, 0.71, 0.72], "torch": [0.59, 0.61, 0.63]}
    records = [{"code": code, "method": "LS", "seed": s, "train": v, "test": v - 0.1, "cpu": 1.0}
               for code, values in base.items() for s, v in enumerate(values)]
    sbs.spread(records, [("LS", "weighted-sum"), ("EPO", "epo")], 10)
    (row,) = common.TABLES[0]["rows"]  # EPO has no records: no row
    assert row["seeds"] == "3 / 3 / 3"
    assert row["LibMOON HV train / test"] == "0.6100 ± 0.0058 / 0.5100 ± 0.0058"
    assert row["numpy − LibMOON train / test"] == ("+0.1000 ± 0.0082 (above) / "
                                                    "+0.1000 ± 0.0082 (above)")
    assert row["torch − LibMOON train / test"].startswith("+0.0000 ± 0.0129 (within noise)")
