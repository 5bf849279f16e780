"""The benchmark tables in the docs, generated from the recorded JSON (benchmarks/results/), never
typed: every region marked

    <!-- table:NAME -->            (the first table NAME.json holds)
    <!-- table:NAME#2 -->          (its second)
    ...
    <!-- /table:NAME -->

in benchmarks/README.md, docs/performance.md and docs/solvers.md is rewritten with the table and
the date and machine it was measured on.

    python benchmarks/tables.py            # rewrite the regions
    python benchmarks/tables.py --check    # exit 1 if a region differs from its JSON
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DOCS = [os.path.join(HERE, "README.md"), os.path.join(ROOT, "docs", "performance.md"),
        os.path.join(ROOT, "docs", "solvers.md")]
RESULTS = os.path.join(HERE, "results")
REGION = re.compile(r"<!-- table:(?P<key>[\w.-]+(?:#\d+)?) -->\n(?P<body>.*?)<!-- /table:(?P<end>[\w.-]+) -->",
                    re.S)

sys.path.insert(0, HERE)
from _common import markdown  # noqa: E402  (the same formatting as the printed tables)


def load(name: str, results: str = RESULTS) -> dict:
    path = os.path.join(results, f"{name}.json")
    if not os.path.exists(path):
        raise SystemExit(f"`table:{name}` must name a recorded benchmark; got no file {path}. Run "
                         f"`python benchmarks/{name}.py` (it writes the file), or fix the marker.")
    with open(path) as f:
        return json.load(f)


def render(key: str, results: str = RESULTS) -> str:
    """The Markdown for one marker key (``name`` or ``name#i``): the table and where it was run."""
    name, _, index = key.partition("#")
    doc = load(name, results)
    i = int(index or 1)
    if not 1 <= i <= len(doc["tables"]):
        raise SystemExit(f"`table:{key}` must be a table {name}.json holds (1 to "
                         f"{len(doc['tables'])}); got {i}. Fix the marker.")
    t = doc["tables"][i - 1]
    mc = doc["machine"]
    blas = ", ".join(f"{b.get('internal_api')} {b.get('version')}" for b in mc.get("blas", []))
    command = " ".join(["python", f"benchmarks/{doc.get('script', name)}.py"] + doc["argv"])
    where = (f"Recorded {doc['date']} by `{command}` "
             f"({mc.get('processor')}, {mc.get('cores')} cores, load {mc.get('load_average', '?')}; "
             f"Python {mc.get('python')}, numpy {mc.get('numpy')}"
             + (f", {blas}" if blas else "") + f"; benchmarks/results/{name}.json).")
    return markdown(t["rows"], t["columns"]) + "\n\n" + where + "\n"


def rewrite(text: str, results: str = RESULTS) -> str:
    """``text`` with every marked region replaced by what its JSON renders."""
    def sub(m):
        if m.group("end") != m.group("key").partition("#")[0]:
            raise SystemExit(f"`<!-- /table:{m.group('end')} -->` must close "
                             f"`table:{m.group('key')}`; fix the marker.")
        return (f"<!-- table:{m.group('key')} -->\n{render(m.group('key'), results)}"
                f"<!-- /table:{m.group('end')} -->")

    return REGION.sub(sub, text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 where a region differs")
    args = ap.parse_args(argv)
    stale = []
    for path in DOCS:
        with open(path) as f:
            text = f.read()
        new = rewrite(text)
        if new != text:
            stale.append(os.path.relpath(path, ROOT))
            if not args.check:
                with open(path, "w") as f:
                    f.write(new)
    if args.check and stale:
        print("tables differ from benchmarks/results/: " + ", ".join(stale) +
              "; run `python benchmarks/tables.py`.")
        return 1
    print(("rewrote " + ", ".join(stale)) if stale else "tables up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
