"""The tables and numbers of the docs that quote committed results, made from the results' files.

A region ``<!-- results:NAME -->`` … ``<!-- /results:NAME -->`` in a Markdown file holds the
table ``TABLES[NAME]`` makes from ``results/``; ``python -m tradeoff.experiments.docs_tables``
rewrites every region of README.md and docs/*.md (``--check``: exit 1, naming the regions, when one
differs), so a typed number cannot drift from the CSVs it quotes. Wall-clock seconds are left
out: regenerated studies keep them in git-ignored timings.csv, and they differ on every machine.

A number in a sentence is a region too, on one line: ``<!-- value:SPEC -->0.9953<!-- /value -->``
holds what ``value(SPEC)`` gives, so the prose of README.md and docs/*.md quotes the results the
same way. SPEC is ``STUDY[/NAME] COLUMN AGG [FILTER ...] [by=COLUMN] [:FORMAT]``: the runs.csv
(or NAME.csv) of ``results/STUDY``, rows kept by every ``COLUMN=V1,V2`` / ``!=V`` / ``<=X``
(``>=``, ``<``, ``>``), then AGG (mean, min, max, range, count, sum; ci: the mean and its 95 %
bootstrap interval, as in the tables) of COLUMN, over the rows or over the per-``by`` means;
FORMAT is a format spec (default ``,.0f`` for whole numbers, else ``.4f``); a range prints
``lo–hi``, or one number when they are equal. ``STUDY/manifest KEY.KEY`` quotes a field of the
study's manifest, and ``@NAME ROW COLUMN`` a cell of the table ``TABLES[NAME]``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from .report import format_ci, heldout_pooled_markdown, setting_columns, summary

REGION = re.compile(r"(<!-- results:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /results:(?P=name) -->)",
                    re.S)


def _runs(results: Path, study: str) -> pd.DataFrame:
    return pd.read_csv(results / study / "runs.csv", low_memory=False)


def _budget(v) -> str:
    return f"{int(v):,}"


def cap_tradeoff(results: Path) -> str:
    """HV ratio at 1,000 and 10,000 evaluations, IGD+, evaluations and points returned at
    10,000, per solver (mean over seeds, 95 % bootstrap interval where the seeds differ)."""
    runs = _runs(results, "cap_tradeoff")
    table = summary(runs)
    ok = runs[runs["status"] == "ok"]
    head = ["solver", "HV ratio at 1,000", "HV ratio at 10,000", "IGD+ at 10,000",
            "evaluations at 10,000", "points returned at 10,000"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for label in table["label"].drop_duplicates():
        rows = table[table["label"] == label]
        mine = ok[ok["label"] == label]
        if label == "exact":
            at = {b: rows.iloc[0] for b in (1000, 10000)}
            pts = mine["n_points"]
        else:
            at = {b: rows[rows["opt_max_evaluations"] == b].iloc[0] for b in (1000, 10000)}
            pts = mine.loc[mine["opt_max_evaluations"] == 10000, "n_points"]
        top = at[10000]
        lo, hi = int(pts.min()), int(pts.max())
        cells = [label,
                 format_ci(at[1000]["hv_ratio_mean"], at[1000]["hv_ratio_lo"],
                           at[1000]["hv_ratio_hi"], 4),
                 format_ci(top["hv_ratio_mean"], top["hv_ratio_lo"], top["hv_ratio_hi"], 4),
                 format_ci(top["igd_plus_mean"], top["igd_plus_lo"], top["igd_plus_hi"], 4),
                 f"{top['evaluations_mean']:.0f}", str(lo) if lo == hi else f"{lo}–{hi}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _pooled(study: str, group: str):
    """The report's table pooled over split seeds for the problems ``group-s*`` of ``study``."""

    def make(results: Path) -> str:
        import json

        root = results / study
        runs = _runs(results, study)
        points = pd.read_csv(root / "points.csv", low_memory=False)
        manifest = json.loads((root / "manifest.json").read_text())
        lines = heldout_pooled_markdown(runs, points, manifest, setting_columns(runs))
        start = lines.index(next(x for x in lines if x.startswith("## ") and
                                 x.endswith(f": {group}")))
        table = []
        for line in lines[start + 1:]:
            if line.startswith("## "):
                break
            if line.startswith("|"):
                table.append(line)
        return "\n".join(table) + "\n"

    make.__doc__ = f"{study}'s table pooled over its split seeds, problems {group}-s*."
    return make


def _per_budget(study: str):
    """Test HV ratio per solver label and model, one value per wall-clock budget."""

    def make(results: Path) -> str:
        runs = _runs(results, study)
        ok = runs[(runs["status"] == "ok") & (runs["solver"] != "exact")]
        problems = list(ok["problem"].drop_duplicates())
        budgets = sorted(pd.to_numeric(ok["opt_max_seconds"]).dropna().unique())
        head = [f"test HV ratio at {' / '.join(f'{b:g}' for b in budgets)} s"] + problems
        lines = ["| " + " | ".join(head) + " |", "|---|" + "---|" * len(problems)]
        for label in ok["label"].drop_duplicates():
            cells = [label]
            for p in problems:
                mine = ok[(ok["label"] == label) & (ok["problem"] == p)]
                by = mine.groupby("opt_max_seconds")["test_hv_ratio"].mean().sort_index()
                cells.append(" / ".join(f"{v:.3f}" for v in by))
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    make.__doc__ = f"{study}: test HV ratio per solver and model at each wall-clock budget."
    return make


def shootout(results: Path) -> str:
    """HV ratio per solver and problem (mean over seeds, 95 % bootstrap interval where they
    differ), and the feasible points of each run on the constrained problem ``hard``."""
    runs = _runs(results, "shootout")
    table = summary(runs)
    ok = runs[(runs["status"] == "ok") & (runs["solver"] != "exact")]
    problems = list(ok["problem"].drop_duplicates())
    head = ["solver"] + [f"HV ratio, {p}" for p in problems]
    hard = "hard" in problems
    head += ["feasible points, hard"] * hard
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for label in ok["label"].drop_duplicates():
        cells = [label]
        for p in problems:
            row = table[(table["label"] == label) & (table["problem"] == p)]
            cells.append("–" if row.empty else format_ci(row.iloc[0]["hv_ratio_mean"],
                                                         row.iloc[0]["hv_ratio_lo"],
                                                         row.iloc[0]["hv_ratio_hi"], 4))
        if hard:
            n = ok.loc[(ok["label"] == label) & (ok["problem"] == "hard"), "n_feasible"]
            lo, hi = (int(n.min()), int(n.max())) if len(n) else (None, None)
            cells.append("–" if lo is None else str(lo) if lo == hi else f"{lo}–{hi}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


FAIRNESS = (("fairness_diabetes", "diabetes"), ("fairness_cps1985", "cps1985"),
            ("fairness_arrests", "arrests"), ("fairness_synthetic", "parity"),
            ("fairness_synthetic", "odds"))


def fairness(results: Path) -> str:
    """HV ratio per solver and problem of the four fairness studies at 10,000 evaluations (the
    solvers without a budget: their one setting), and the points returned there."""
    cells: dict[str, dict[str, str]] = {}
    for study, problem in FAIRNESS:
        runs = _runs(results, study)
        runs = runs[(runs["problem"] == problem) & (runs["solver"] != "exact")]
        at = runs[runs["opt_max_evaluations"].isna() | (runs["opt_max_evaluations"] == 10000)]
        table = summary(at)
        for row in table.itertuples(index=False):
            ok = at[(at["label"] == row.label) & (at["status"] == "ok")]["n_points"]
            n = f"{int(ok.min())}" if ok.min() == ok.max() else f"{int(ok.min())}–{int(ok.max())}"
            cells.setdefault(row.label, {})[problem] = (
                format_ci(row.hv_ratio_mean, row.hv_ratio_lo, row.hv_ratio_hi, 4) + f" ({n})")
    problems = [p for _, p in FAIRNESS]
    head = ["solver"] + [p if s == f"fairness_{p}" else f"{s[len('fairness_'):]}, {p}"
                         for s, p in FAIRNESS]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * len(problems)]
    for label, row in cells.items():
        lines.append("| " + " | ".join([label] + [row.get(p, "–") for p in problems]) + " |")
    return "\n".join(lines) + "\n"


TABLES = {
    "cap_tradeoff": cap_tradeoff,
    "shootout": shootout,
    "fairness": fairness,
    "fairness_adult-parity": _pooled("fairness_adult", "parity"),
    "fairness_adult-odds": _pooled("fairness_adult", "odds"),
    "fairness_compas-parity": _pooled("fairness_compas", "parity"),
    "scaling_d": _per_budget("scaling_d"),
}


VALUE = re.compile(r"(<!-- value:(?P<spec>[^>]*?) -->)(?P<body>[^<\n]*)(<!-- /value -->)")
FILTER = re.compile(r"(?P<key>[^<>=!]+)(?P<op><=|>=|!=|=|<|>)(?P<value>.+)")
AGGREGATES = ("mean", "min", "max", "range", "count", "sum", "ci")


def _format(v, fmt: str | None) -> str:
    if fmt is None:
        fmt = ",.0f" if float(v) == round(float(v)) else ".4f"
    return format(v, fmt)


def _match(frame: pd.DataFrame, column: str, wanted: str) -> pd.Series:
    col = frame[column]
    keep = pd.Series(False, index=frame.index)
    for w in wanted.split(","):
        if w.lower() in ("nan", "none"):
            keep |= col.isna()
        elif pd.api.types.is_bool_dtype(col):
            keep |= col == (w.lower() == "true")
        elif pd.api.types.is_numeric_dtype(col):
            keep |= col == float(w)
        else:
            keep |= col.astype(str) == w
    return keep


def _cell(where: str, words: list, fmt: str | None, results, tables: dict) -> str:
    """The cell of a generated table: ``@NAME ROW COLUMN`` (the row whose first cell is ROW, the
    column counted from 0); FORMAT ``head`` keeps the text before a " [" or " (" that follows."""
    from .._validation import fail

    name = words[0][1:]
    if name not in TABLES or len(words) != 3 or not words[2].isdigit():
        fail(where, f"`@NAME ROW COLUMN` with NAME one of {', '.join(sorted(TABLES))}",
             " ".join(words), "Name a table, the first cell of its row and a column number.")
    if name not in tables:  # a table is made once per rewrite, however often it is quoted
        tables[name] = TABLES[name](Path(results))
    rows = [[c.strip() for c in line.strip("|").split("|")]
            for line in tables[name].splitlines()[2:]]
    row = next((r for r in rows if r[0] == words[1]), None)
    if row is None or int(words[2]) >= len(row):
        fail(where, f"a row and column of the table {name}", " ".join(words[1:]),
             f"Rows: {', '.join(r[0] for r in rows)}; columns 0 to {len(rows[0]) - 1}.")
    text = row[int(words[2])]
    return re.split(r" [\[(]", text)[0] if fmt == "head" else text


def value(spec: str, results: str | Path, tables: dict | None = None) -> str:
    """The text a ``<!-- value:SPEC -->`` region holds: see the module's docstring. ``tables``: a
    cache of the tables and CSVs already read, shared by the regions of one rewrite."""
    import json

    from .._validation import fail

    where = f"<!-- value:{spec} -->"
    words = spec.split()
    fmt = words.pop()[1:] if words and words[-1].startswith(":") else None
    if words and words[0].startswith("@"):
        return _cell(where, words, fmt, results, tables if tables is not None else {})
    if len(words) < 2:
        fail(where, "`STUDY[/NAME] COLUMN AGG [FILTER ...] [:FORMAT]`", spec,
             "Name the study, the column and the aggregate, e.g. `cap_tradeoff hv_ratio mean`.")
    study, _, table = words[0].partition("/")
    root = Path(results) / study
    if table == "manifest":
        if not (root / "manifest.json").is_file():
            fail(where, "a study with a manifest.json", words[0],
                 f"Use a folder of {results} that has one (`tradeoff run` writes it).")
        field = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        for key in words[1].split("."):
            if not isinstance(field, dict) or key not in field:
                fail(where, f"a field of {root / 'manifest.json'}", words[1],
                     "Name a field the manifest has, keys joined by dots.")
            field = field[key]
        return _format(field, fmt) if isinstance(field, (int, float)) else str(field)
    if not (root / f"{table or 'runs'}.csv").is_file():
        fail(where, "a committed study's runs, another CSV of its folder, or its manifest",
             words[0], f"Use a folder of {results}, with `/NAME` for its NAME.csv or `/manifest`.")
    path = root / f"{table or 'runs'}.csv"
    cache = tables if tables is not None else {}
    if path not in cache:  # a file is read once per rewrite, however often it is quoted
        cache[path] = pd.read_csv(path, low_memory=False)
    frame = cache[path]
    column, agg, rest = words[1], words[2] if len(words) > 2 else "", words[3:]
    if agg not in AGGREGATES:
        fail(where, f"an aggregate, one of {', '.join(AGGREGATES)}", agg,
             "Write it after the column, e.g. `hv_ratio mean`.")
    by = None
    for word in rest:
        m = FILTER.fullmatch(word)
        if not m or m["key"] not in frame.columns and m["key"] != "by":
            fail(where, f"filters `COLUMN=V1,V2`, `COLUMN!=V` or `COLUMN<=X` on columns of {study}",
                 word, "Name a column of the table, then `=`, `!=`, `<=`, `>=`, `<` or `>`.")
        key, op, wanted = m["key"], m["op"], m["value"]
        if key == "by":
            by = wanted
            continue
        if op in ("=", "!="):
            keep = _match(frame, key, wanted)
            frame = frame[~keep if op == "!=" else keep]
        else:
            try:
                x = float(wanted)
            except ValueError:
                fail(where, f"a number after `{op}`", word, "Compare a column with a number.")
            col = pd.to_numeric(frame[key], errors="coerce")
            frame = frame[{"<=": col <= x, ">=": col >= x, "<": col < x, ">": col > x}[op]]
    if column not in frame.columns or by is not None and by not in frame.columns:
        fail(where, f"a column of {study}'s {table or 'runs'}.csv", column if column not in
             frame.columns else by, "Name a column the table has.")
    if frame.empty:
        fail(where, "a selection of at least one row", spec, "Loosen the filters.")
    if agg == "count":
        return _format(len(frame), fmt)
    values = pd.to_numeric(frame[column], errors="coerce")
    if by is not None:
        values = values.groupby(frame[by]).mean()
    values = values.dropna()
    if values.empty:
        fail(where, f"a selection with numbers in {column}", spec,
             "Choose rows where the column has values (it is empty or not numeric there).")
    if agg == "ci":  # as the tables: the mean [95 % bootstrap interval] where the seeds differ
        from .stats import bootstrap_ci

        digits = re.fullmatch(r"\.(\d+)f", fmt or ".4f")
        if digits is None:
            fail(where, "a `ci` with a format `:.Nf`", spec, "Write e.g. `:.4f` after it.")
        digits = int(digits.group(1))
        return format_ci(float(values.mean()), *bootstrap_ci(values.astype(float).to_numpy()),
                         digits)
    if agg == "range":
        lo, hi = _format(values.min(), fmt), _format(values.max(), fmt)
        return lo if lo == hi else f"{lo}–{hi}"
    return _format(getattr(values, agg)(), fmt)


def rewrite(text: str, results: str | Path) -> str:
    """``text`` with every ``results:NAME`` region's body replaced by ``TABLES[NAME]``'s table and
    every ``value:SPEC`` region's by ``value(SPEC)``."""
    from .._validation import fail

    results = Path(results)
    tables: dict = {}
    text = VALUE.sub(lambda m: m.group(1) + value(m.group("spec"), results, tables) + m.group(4),
                     text)

    def one(m):
        name = m.group("name")
        if name not in TABLES:
            fail(f"<!-- results:{name} -->", f"one of {', '.join(sorted(TABLES))}", name,
                 "Rename the region or add its table to tradeoff.experiments.docs_tables.TABLES.")
        if name not in tables:
            tables[name] = TABLES[name](results)
        return m.group(1) + tables[name] + m.group(4)

    return REGION.sub(one, text)


def main(argv=None) -> int:
    """``[--check] [DOC ...]`` (default README.md and docs/*.md), run from the repository root."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    docs = ([Path(a) for a in args if a != "--check"]
            or [Path("README.md"), *sorted(Path("docs").glob("*.md"))])
    stale = []
    for doc in docs:
        text = doc.read_text(encoding="utf-8")
        # README.md sits beside results/, docs/*.md one level below it
        root = next((p for p in doc.resolve().parents if (p / "results").is_dir()),
                    doc.resolve().parent.parent)
        new = rewrite(text, root / "results")
        if new != text:
            stale.append(str(doc))
            if not check:
                doc.write_text(new, encoding="utf-8")
    if stale:
        verb = "differ from" if check else "rewritten from"
        print(f"{', '.join(stale)}: results tables or values {verb} the committed results"
              + ("; run `python -m tradeoff.experiments.docs_tables` to rewrite them." if check
                 else "."))
    return 1 if check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
