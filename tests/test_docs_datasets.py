"""docs/datasets.md: its Python examples run as written, and print what their comments say."""

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "datasets.md"


def test_datasets_doc_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 2
    out = io.StringIO()
    scope: dict = {}
    with contextlib.redirect_stdout(out):
        for code in blocks:
            exec(compile(code, str(DOC), "exec"), scope)
    lines = out.getvalue().splitlines()
    assert lines[0] == "120 40 40"
    assert lines[1] == "('income', 'job=manager', 'job=nurse')"
    assert lines[2] == "[[35.  0.  1.]]"
    assert lines[3].startswith("`column 'job'` must be one of the levels seen in training")
    assert scope["german"].X.shape == (1000, 45)
