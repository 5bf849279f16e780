"""The Python examples in docs/ run as written."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", ["deploying.md"])
def test_doc_examples_run(name, tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    text = (DOCS / name).read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.S))
    assert code.strip()
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, str(DOCS / name), "exec"), scope)
    assert 0 <= scope["chosen"] < len(scope["front"])


def test_out_of_core_example_runs(tmp_path, monkeypatch):
    """docs/out-of-core.md's Python block: Parquet files to an exact front in one pass."""
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("pyarrow")
    text = (DOCS / "out-of-core.md").read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.S))
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, str(DOCS / "out-of-core.md"), "exec"), scope)
    assert scope["front"].success and scope["front"].extra["passes"] == 1
    assert scope["data"].n == 20_000 and scope["data"].n_chunks == 4
