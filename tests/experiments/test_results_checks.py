"""Reading a results folder back: a cut, garbage or mismatched table is one clear error naming
the file, never a silently shorter table; an unwritable output folder is one sentence too."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pandas as pd
import pytest

import tradeoff as to
from tradeoff.cli import main
from tradeoff.experiments import load_config, run_sweep

from .tiny import write

pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    root = tmp_path_factory.mktemp("checks")
    sweep = run_sweep(load_config(write(root)), root / "out")
    assert sweep.complete
    return root / "out"


@pytest.fixture
def out(reference, tmp_path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(reference, copy)
    return copy


def _csv_only(out: Path) -> None:
    for p in out.glob("*.parquet"):
        p.unlink()


def test_the_reference_folder_reads_whole(reference):
    res = to.read_results(reference)
    assert res.points.groupby("run_id").size().to_dict() == {
        r: n for r, n in zip(res.runs["run_id"], res.runs["n_points"]) if n}


def test_a_points_csv_cut_mid_row_is_an_error_naming_it(out):
    path = out / "points.csv"
    text = path.read_bytes()
    path.write_bytes(text[: len(text) // 2])
    _csv_only(out)
    with pytest.raises(ValueError, match=r"`.*points\.csv` must be the whole points table "
                       r"\(every row ends with a newline\); got 'a file whose last row is cut "
                       r"off'\. Rebuild the tables"):
        to.read_results(out)


def test_a_points_csv_cut_between_rows_disagrees_with_n_points(out):
    path = out / "points.csv"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:14]))  # 13 points
    _csv_only(out)
    with pytest.raises(ValueError, match=r"`.*points\.csv` must be \d+ rows for run '.*', its "
                       r"n_points in runs\.csv; got '\d+ rows'"):
        to.read_results(out)


def test_a_parquet_file_shorter_than_its_csv_is_an_error(out):
    points = pd.read_parquet(out / "points.parquet")
    points.iloc[: len(points) - 5].to_parquet(out / "points.parquet", index=False)
    with pytest.raises(ValueError, match=r"`.*points\.parquet` must be the same table as "
                       r"points\.csv beside it .*; got '\d+ rows and \d+ columns against"):
        to.read_results(out)


def test_points_of_runs_the_runs_table_does_not_list(out):
    path = out / "runs.csv"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:3]))  # 2 of the runs
    _csv_only(out)
    with pytest.raises(ValueError, match=r"`.*points\.csv` must be rows of the runs that "
                       r"runs\.csv lists; got '\d+ row\(s\) of \d+ run\(s\) it does not list"
                       r".*Is runs\.csv cut"):
        to.read_results(out)


@pytest.mark.parametrize("content, says", [
    (b"", "an empty file"),
    (b"\x00\xff\xfe garbage \x81\n", "a file pandas cannot read as a CSV table"),
    (b"just some words\nand more\n", "a table without run_id"),
])
@pytest.mark.parametrize("table", ["runs", "points", "traces"])
def test_garbage_or_empty_csvs_are_one_sentence(out, table, content, says):
    (out / f"{table}.csv").write_bytes(content)
    _csv_only(out)
    with pytest.raises(ValueError, match=rf"`.*{table}\.csv` must be the {table} table written by "
                       rf"`tradeoff run`.*; got '{says}.*'\. Rebuild the tables"):
        to.read_results(out)


@pytest.mark.parametrize("content", [b"", b"\x00\xff garbage\n"])
def test_report_on_a_garbage_runs_csv_is_one_line(out, capsys, content):
    (out / "runs.csv").write_bytes(content)
    _csv_only(out)
    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"tradeoff: error: `{out / 'runs.csv'}` must be the runs table")
    assert "\n" not in err


def test_plot_refuses_a_cut_points_table(out, tmp_path, capsys):
    path = out / "points.csv"
    path.write_bytes(path.read_bytes()[:-40])
    assert main(["plot", str(out), "--out", str(tmp_path / "figs")]) == 2
    assert "points.csv` must be the whole points table" in capsys.readouterr().err


def test_an_unwritable_output_folder_is_one_sentence(out, tmp_path, capsys, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")  # unwritable for root as well as for users
    assert main(["plot", str(out), "--out", str(blocked)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"tradeoff: error: `out` must be a folder this process can write (the "
                          f"figures are written there); got '{blocked}'") and "\n" not in err

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("tradeoff.io.tempfile.mkstemp", read_only)  # a read-only mount
    before = (out / "report.md").read_bytes() if (out / "report.md").exists() else None
    assert main(["report", str(out), "--write"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == (
        f"tradeoff: error: `RESULTS_DIR` must be a folder this process can write (report --write "
        f"writes report.md there); got '{out}' (Read-only file system). Choose another folder, "
        "or fix the folder's permissions.")
    assert captured.out == ""  # refused before printing a report it cannot write
    assert main(["plot", str(out)]) == 2
    assert f"got '{out / 'figures'}' (Read-only file system)" in capsys.readouterr().err
    assert ((out / "report.md").read_bytes() if (out / "report.md").exists() else None) == before


def test_timings_are_merged_into_the_checked_runs_table(out):
    """The seconds come back from timings.csv (they are not in runs.csv); a timings.csv cut mid-row
    or with a run twice is one sentence naming it, as a table is."""
    assert "seconds" not in pd.read_csv(out / "runs.csv").columns
    assert to.read_results(out).runs["seconds"].gt(0).all()
    path = out / "timings.csv"
    text = path.read_bytes()
    path.write_bytes(text[:-3])
    with pytest.raises(ValueError, match=r"`.*timings\.csv` must be the whole timings table "
                       r"\(every row ends with a newline\); got 'a file whose last row is cut "
                       r"off'\. Rebuild the tables"):
        to.read_results(out)
    lines = text.decode().splitlines(keepends=True)
    path.write_text("".join(lines + lines[1:2]))
    with pytest.raises(ValueError, match=r"`.*timings\.csv` must be one row per run, by run_id, "
                       r"as `tradeoff run` writes it; got 'a table without run_id or with a run "
                       r"in two rows'\. Rebuild"):
        to.read_results(out)
