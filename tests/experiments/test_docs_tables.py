"""The results tables and the numbers in sentences of README.md and docs/*.md are the ones the
committed results give."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradeoff.experiments.docs_tables import REGION, TABLES, VALUE, main, rewrite, value

ROOT = Path(__file__).resolve().parents[2]
STUDIES = ROOT / "docs" / "studies.md"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_results_region_equals_what_the_csvs_give():
    text = STUDIES.read_text(encoding="utf-8")
    names = [m.group("name") for m in REGION.finditer(text)]
    assert set(names) == set(TABLES)  # every table is in the doc, once
    assert len(names) == len(set(names))
    assert rewrite(text, ROOT / "results") == text


def _caught_and_rewritten(tmp_path, stale, text):
    """A stale studies.md: rewrite() mends it; --check fails and writes nothing; a run mends it."""
    assert rewrite(stale, ROOT / "results") == text
    docs = tmp_path / "docs"
    docs.mkdir()
    (tmp_path / "results").symlink_to(ROOT / "results")
    (docs / "studies.md").write_text(stale, encoding="utf-8")
    assert main(["--check", str(docs / "studies.md")]) == 1
    assert (docs / "studies.md").read_text(encoding="utf-8") == stale  # --check writes nothing
    assert main([str(docs / "studies.md")]) == 0
    assert (docs / "studies.md").read_text(encoding="utf-8") == text


def test_a_typed_number_in_a_region_is_caught(tmp_path):
    text = STUDIES.read_text(encoding="utf-8")
    stale = text.replace("| penalty | 0.9885 | 0.9885 |", "| penalty | 0.9885 | 0.9900 |", 1)
    assert stale != text
    _caught_and_rewritten(tmp_path, stale, text)


def test_an_unknown_region_is_refused():
    with pytest.raises(ValueError, match=r"results:nope -->` must be one of .*cap_tradeoff"):
        rewrite("<!-- results:nope -->\nx\n<!-- /results:nope -->\n", ROOT / "results")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_value_region_equals_what_the_results_give(doc):
    text = doc.read_text(encoding="utf-8")
    assert rewrite(text, ROOT / "results") == text


def test_the_studies_quote_their_numbers_from_the_results():
    # the prose of every committed study quotes it through value regions, not typed numbers
    specs = [m.group("spec") for m in VALUE.finditer(STUDIES.read_text(encoding="utf-8"))]
    studies = {s.split()[0].lstrip("@").split("/")[0].split("-")[0] for s in specs}
    assert {"cap_tradeoff", "shootout", "fairness_adult3", "seed_blog", "fairness_diabetes",
            "fairness_cps1985", "fairness_arrests", "fairness_synthetic", "fairness_adult",
            "fairness_compas", "scaling_d"} <= studies
    assert len(specs) > 150


def test_a_typed_number_in_a_sentence_is_caught(tmp_path):
    text = STUDIES.read_text(encoding="utf-8")
    m = next(m for m in VALUE.finditer(text)
             if m.group("spec") == "cap_tradeoff evaluations range label=penalty")
    assert m.group("body").isdigit()  # the study's count, whatever the solver's code gives now
    stale = text[:m.start("body")] + str(int(m.group("body")) - 10) + text[m.end("body"):]
    _caught_and_rewritten(tmp_path, stale, text)


@pytest.fixture
def results(tmp_path):
    study = tmp_path / "s"
    study.mkdir()
    (study / "runs.csv").write_text(
        "run_id,label,seed,budget,hv_ratio,ok\n"
        "a,x,0,10,0.5,True\nb,x,1,10,0.7,True\nc,x,2,10,0.9,False\n"
        "d,y,,,0.25,True\ne,y,,,0.25,True\n", encoding="utf-8")
    (study / "manifest.json").write_text('{"runs": {"total": 5}, "commit": "abc"}',
                                         encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("spec, text", [
    ("s run_id count", "5"),
    ("s hv_ratio mean label=x :.2f", "0.70"),
    ("s hv_ratio range label=x :.1f", "0.5–0.9"),
    ("s hv_ratio range label=y :.2f", "0.25"),  # one number when lo and hi agree
    ("s hv_ratio max label!=x", "0.2500"),
    ("s hv_ratio min hv_ratio>=0.6 :.1f", "0.7"),
    ("s hv_ratio sum ok=True :.2f", "1.70"),
    ("s hv_ratio count budget=nan", "2"),
    ("s hv_ratio range label=x,y by=label :.2f", "0.25–0.70"),  # over the labels' means
    ("s hv_ratio ci label=y :.2f", "0.25"),
    ("s/manifest runs.total", "5"),
    ("s/manifest commit", "abc"),
])
def test_value_reads_what_the_spec_names(results, spec, text):
    assert value(spec, results) == text


def test_value_ci_gives_the_interval_where_values_differ(results):
    assert value("s hv_ratio ci label=x :.2f", results).startswith("0.70 [")


@pytest.mark.parametrize("spec, match", [
    ("s", r"value:s -->` must be `STUDY\[/NAME\] COLUMN AGG"),
    ("nope hv_ratio mean", r"must be a committed study's runs, another CSV .*got 'nope'"),
    ("s hv_ratio median", r"must be an aggregate, one of mean, .*got 'median'"),
    ("s hv_ratio mean colour=red", r"must be filters `COLUMN=V1,V2`.*got 'colour=red'"),
    ("s hv mean", r"must be a column of s's runs.csv; got 'hv'"),
    ("s hv_ratio mean label=z", r"must be a selection of at least one row"),
    ("s/manifest runs.executed", r"must be a field of .*manifest.json; got 'runs.executed'"),
    ("@nope x 1", r"must be `@NAME ROW COLUMN` with NAME one of .*got '@nope x 1'"),
    ("s hv_ratio mean budget<=ten", r"must be a number after `<=`; got 'budget<=ten'"),
    ("s label mean", r"must be a selection with numbers in label"),
    ("s hv_ratio ci :,.0f", r"must be a `ci` with a format `:.Nf`"),
])
def test_a_wrong_spec_is_refused_with_the_fix(results, spec, match):
    with pytest.raises(ValueError, match=match):
        value(spec, results)


def test_a_study_without_a_manifest_is_named(results):
    (results / "s" / "manifest.json").unlink()
    with pytest.raises(ValueError, match=r"`<!-- value:s/manifest runs.total -->` must be a study "
                                         r"with a manifest.json; got 's/manifest'"):
        value("s/manifest runs.total", results)


def test_a_cell_of_a_generated_table():
    assert value("@cap_tradeoff penalty 5", ROOT / "results") == "40"
    assert value("@shootout nsga2 1 :head", ROOT / "results") == value(
        "shootout hv_ratio mean label=nsga2 problem=bench :.4f", ROOT / "results")
    with pytest.raises(ValueError, match=r"must be a row and column of the table cap_tradeoff"):
        value("@cap_tradeoff nobody 1", ROOT / "results")
