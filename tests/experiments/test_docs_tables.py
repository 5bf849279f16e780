"""The results tables in docs/studies.md are the ones the committed CSVs give."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradeoff.experiments.docs_tables import REGION, TABLES, main, rewrite

ROOT = Path(__file__).resolve().parents[2]
STUDIES = ROOT / "docs" / "studies.md"


def test_every_results_region_equals_what_the_csvs_give():
    text = STUDIES.read_text(encoding="utf-8")
    names = [m.group("name") for m in REGION.finditer(text)]
    assert set(names) == set(TABLES)  # every table is in the doc, once
    assert len(names) == len(set(names))
    assert rewrite(text, ROOT / "results") == text


def test_a_typed_number_in_a_region_is_caught(tmp_path):
    text = STUDIES.read_text(encoding="utf-8")
    stale = text.replace("| penalty | 0.9885 | 0.9885 |", "| penalty | 0.9885 | 0.9900 |", 1)
    assert stale != text
    assert rewrite(stale, ROOT / "results") == text
    docs = tmp_path / "docs"
    docs.mkdir()
    (tmp_path / "results").symlink_to(ROOT / "results")
    (docs / "studies.md").write_text(stale, encoding="utf-8")
    assert main(["--check", str(docs / "studies.md")]) == 1
    assert (docs / "studies.md").read_text(encoding="utf-8") == stale  # --check writes nothing
    assert main([str(docs / "studies.md")]) == 0
    assert (docs / "studies.md").read_text(encoding="utf-8") == text


def test_an_unknown_region_is_refused():
    with pytest.raises(ValueError, match=r"results:nope -->` must be one of .*cap_tradeoff"):
        rewrite("<!-- results:nope -->\nx\n<!-- /results:nope -->\n", ROOT / "results")
