"""The `tradeoff` command: help everywhere, list, run → report → plot, exit codes, clean errors."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tradeoff.cli import Progress, main
from tradeoff.experiments.store import Store

from .experiments.tiny import FAILING, TINY, write

COMMANDS = ["run", "plot", "report", "list", "seed-blog"]


@pytest.mark.parametrize("argv", [[]] + [[c] for c in COMMANDS])
def test_help_everywhere(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv + ["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: tradeoff")
    if argv == ["run"]:
        assert all(flag in out for flag in ("--jobs", "--scheduler", "--out", "--fresh", "--force"))


def test_console_script_help():
    done = subprocess.run([sys.executable, "-m", "tradeoff.cli", "--help"], capture_output=True,
                          text=True)
    assert done.returncode == 0 and all(c in done.stdout for c in COMMANDS)


def test_list(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    kinds = [line.split(":")[0] for line in lines]
    assert kinds == ["losses", "objectives", "metrics", "models", "solvers", "datasets", "[extra]"]
    text = "\n".join(lines)
    for name in ("mse", "cap_violation", "hv_ratio", "nsga2", "epsilon-constraint", "blog",
                 "linear", "logistic"):
        assert re.search(rf"[ ,]{re.escape(name)}(,|$)", text, re.M), name
    # names that need an optional extra say which
    assert re.search(r"[ ,]fairlearn-grid \[fairlearn(, not installed)?\](,|$)", text, re.M)
    assert re.search(r"[ ,]cps1985 \[real-data(, not installed)?\](,|$)", text, re.M)


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert re.fullmatch(r"tradeoff \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    code = main(["run", str(write(root)), "--out", str(root / "out")])
    assert code == 0
    return root / "out"


def test_fresh_deletes_the_report_and_figures_it_recorded_but_not_mine(results, tmp_path):
    import json
    import shutil

    out = tmp_path / "out"
    shutil.copytree(results, out)
    from tradeoff.experiments.store import Store

    files = Store(out).written()
    assert "report.md" in files and "figures/cap_fronts.png" in files  # recorded as written
    assert "runs.csv" in json.loads((out / "manifest.json").read_text())["files"]
    (out / "figures" / "my_plot.png").write_bytes(b"mine")
    Store(out).clear()
    assert not (out / "report.md").exists() and not (out / "figures" / "cap_fronts.png").exists()
    assert (out / "figures" / "my_plot.png").read_bytes() == b"mine"


def test_run_refuses_a_folder_it_did_not_make(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "thesis.tex").write_text("mine")
    code = main(["run", str(write(tmp_path)), "--out", str(tmp_path / "out"), "--fresh",
                 "--no-report"])
    assert code == 2
    assert "no manifest.json, so tradeoff did not make it" in capsys.readouterr().err
    assert (tmp_path / "out" / "thesis.tex").read_text() == "mine"


def test_run_writes_tables_report_and_figures(results):
    for name in ("runs", "points", "traces"):
        assert (results / f"{name}.csv").is_file() and (results / f"{name}.parquet").is_file()
    assert (results / "manifest.json").is_file() and (results / "report.md").is_file()
    for kind in ("fronts", "attainment", "eafdiff", "hv_cost", "training"):
        for ext in ("png", "svg"):
            assert (results / "figures" / f"cap_{kind}.{ext}").stat().st_size > 1000


def _cells(markdown: str) -> list[list[str]]:
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows]


def test_report_numbers_match_the_runs_table(results, capsys):
    assert main(["report", str(results)]) == 0
    out = capsys.readouterr().out
    assert "### Differences in HV ratio between solvers" in out
    table = _cells(out.split("### Differences")[0])
    head, rows = table[0], table[1:]
    assert head == ["solver", "max_evaluations", "runs", "HV ratio", "IGD+", "evaluations", "seconds",
                    "spacing", "sparsity"]
    assert "seconds" not in pd.read_csv(results / "runs.csv").columns  # wall-clock: timings.csv
    runs = Store(results).read_table("runs")
    for row in rows:
        label, budget = row[0], row[1]
        sub = runs[runs["label"] == label]
        if budget:
            sub = sub[sub["opt_max_evaluations"] == int(budget)]
        assert row[2].split(",")[0] == str(len(sub))
        for cell, col, digits in zip(row[3:], ("hv_ratio", "igd_plus", "evaluations", "seconds",
                                               "spacing", "sparsity"), (4, 4, 0, 3, 4, 4)):
            # the mean, then a 95 % bootstrap interval unless every seed gave the same value
            assert cell.split(" [")[0] == f"{sub[col].mean():.{digits}f}", (label, budget, col)
            if sub[col].nunique() == 1:
                assert "[" not in cell
            elif " [" in cell:
                lo, hi = map(float, cell.split(" [")[1].rstrip("]").split(", "))
                assert round(sub[col].min(), digits) <= lo <= hi <= round(sub[col].max(), digits)
        if row[0] == "penalty":  # deterministic: the same front for every seed
            assert row[2].endswith(", same result")
    assert (results / "report.md").read_text().split("### Differences")[0].count("| penalty |") == 2


def test_plot_command(results, tmp_path, capsys):
    assert main(["plot", str(results), "--out", str(tmp_path / "figs")]) == 0
    printed = capsys.readouterr().out.split()
    assert len(printed) == 10 and all(p.endswith((".png", ".svg")) for p in printed)
    for path in map(Path, printed):  # the same tables draw the same bytes, SVG included
        assert path.read_bytes() == (results / "figures" / path.name).read_bytes(), path.name


def test_failed_runs_set_the_exit_code(tmp_path, capsys):
    code = main(["run", str(write(tmp_path, FAILING, "f.toml")), "--out", str(tmp_path / "o"),
                 "--no-plots"])
    assert code == 1
    err = capsys.readouterr().err
    assert "failed: hard/mgda seed 0" in err or "run 2/3 failed: hard/mgda seed 0" in err
    assert "## Failed runs" in (tmp_path / "o" / "report.md").read_text()


def test_errors_are_one_clear_line(tmp_path):
    bad = write(tmp_path, TINY.replace("n_points = 6", "n_points = 6, tol = -0.1"), "bad.toml")
    done = subprocess.run([sys.executable, "-m", "tradeoff.cli", "run", str(bad)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == ("tradeoff: error: `solvers[0].options.tol` must be a number > 0; "
                                   "got -0.1.")
    assert not (tmp_path / "results").exists()


def test_report_into_a_closed_pipe_is_not_an_error(results):
    """`tradeoff report DIR | head`: the reader leaves early; no "[Errno 32] Broken pipe"."""
    proc = subprocess.Popen([sys.executable, "-m", "tradeoff.cli", "report", str(results)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before the report is computed: its first write meets a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait() == 0 and err == ""


def test_report_and_plot_say_what_the_seed_post_folder_is(tmp_path, capsys):
    (tmp_path / "epochs.csv").write_text("loss,epoch,m,c,value\n")
    for cmd in ("report", "plot"):
        assert main([cmd, str(tmp_path)]) == 2
        assert "the seed post's folder" in capsys.readouterr().err


def test_plot_budget_and_compare(results, tmp_path, capsys):
    assert main(["plot", str(results), "--out", str(tmp_path / "b"), "--budget", "60",
                 "--compare", "nsga2", "penalty"]) == 0
    assert (tmp_path / "b" / "cap_eafdiff.png").is_file()
    assert main(["plot", str(results), "--out", str(tmp_path / "c"), "--budget", "61"]) == 2
    assert "`budget` must be one of the study's budgets (60, 200); got 61.0." in \
        capsys.readouterr().err


def test_eta_costs_the_runs_left_by_their_own_solver():
    from types import SimpleNamespace as R

    todo = [R(run_id=f"{lb}{i}", label=lb, settings={}, problem="p", seed=i)
            for lb in ("fast", "slow") for i in range(3)]
    p = Progress(io.StringIO(), tty=False, todo=todo)
    p(0, 6, None, None)
    for i in range(3):
        p(i + 1, 6, todo[i], {"status": "ok", "evaluations": 1, "seconds": 0.01, "error": ""})
    p(4, 6, todo[3], {"status": "ok", "evaluations": 1, "seconds": 1.0, "error": ""})
    p.t0 = time.perf_counter() - 1.03  # as if 1.03 s had passed: wall-clock = solver time here
    eta = p.eta()
    assert 1.5 < eta < 2.6  # two slow runs left at ~1 s each, not 2 × (1.03 s / 4 runs)


@pytest.mark.parametrize("argv", [["report", "nowhere"], ["plot", "nowhere"],
                                  ["run", "nowhere.toml"]])
def test_missing_inputs(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tradeoff: error: `") and "Traceback" not in err


def test_seed_blog_config(tmp_path):
    cfg = write(tmp_path, '[experiment]\nname = "blog"\nkind = "seed_blog"\n[seed_blog]\nepochs = 2\n',
                "blog.toml")
    assert main(["run", str(cfg), "--out", str(tmp_path / "blog")]) == 0
    frame = pd.read_csv(tmp_path / "blog" / "epochs.csv")
    assert frame["epoch"].max() == 2


def test_progress_bar_on_a_terminal_and_lines_elsewhere():
    from tradeoff.experiments import parse_config
    import tomllib

    run = parse_config(tomllib.loads(TINY)).runs()[1]
    ok = {"status": "ok", "evaluations": 60, "seconds": 0.01, "error": ""}
    tty, plain, verbose = io.StringIO(), io.StringIO(), io.StringIO()
    for stream, is_tty, loud in ((tty, True, False), (plain, False, False), (verbose, False, True)):
        progress = Progress(stream, tty=is_tty, verbose=loud)
        progress(0, 2, None, None)
        progress(1, 2, run, ok)
        progress(2, 2, run, {**ok, "status": "failed", "error": "ValueError: boom"})
    bar = tty.getvalue()
    assert "cap/penalty" in bar and "1/2 runs" in bar and "2/2 runs" in bar
    assert "max_evaluations 60 seed 0" in bar and "eta" in bar
    assert "failed: cap/penalty max_evaluations 60 seed 0: ValueError: boom" in bar
    assert "evaluations, 0.01 s" not in bar  # a line per run only with --verbose
    # a log: a line at each quarter of the runs; failures always; --verbose: every run, budget too
    lines = plain.getvalue().splitlines()
    assert re.fullmatch(r"runs: 1/2 done, \d+ s, eta \d+ s", lines[0]), lines
    assert lines[1:] == ["run 2/2 failed: cap/penalty max_evaluations 60 seed 0 (ValueError: boom)"]
    assert verbose.getvalue().splitlines() == [
        "run 1/2 ok: cap/penalty max_evaluations 60 seed 0: 60 evaluations, 0.01 s",
        "run 2/2 failed: cap/penalty max_evaluations 60 seed 0 (ValueError: boom)"]
