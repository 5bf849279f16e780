"""`make demo` leaves a clone as it found it and says what it did in under 40 lines.

The demo's two configs are run into a temporary folder holding a copy of the committed results
(and of the stored runs, when this checkout has them: then the sweep resumes, as a user's second
`make demo` does, in seconds; without them every run is done, about a minute). Every committed file
must come back byte for byte, and everything else written must be something the results folder's
.gitignore keeps out of git."""

from __future__ import annotations

import contextlib
import fnmatch
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tradeoff.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = (("experiments/cap_tradeoff.toml", "cap_tradeoff", ["--jobs", "2"]),
        ("experiments/seed_blog.toml", "seed_blog", []))


def _tracked(folder: str) -> list[str]:
    """The committed files under results/<folder>, relative to it."""
    try:
        out = subprocess.run(["git", "ls-files", f"results/{folder}"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: nothing committed to compare with")
    return [str(Path(p).relative_to(f"results/{folder}")) for p in out.splitlines()]


def _committed(folder: str, name: str) -> bytes:
    return subprocess.run(["git", "show", f"HEAD:results/{folder}/{name}"], cwd=ROOT, check=True,
                          capture_output=True).stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Run the demo's configs (from the repository root, as make does) into copies of the
    committed results folders; returns {folder: (copy, tracked files)} and what was printed."""
    root = tmp_path_factory.mktemp("demo")
    out, printed = {}, io.StringIO()
    here = Path.cwd()
    try:
        os.chdir(ROOT)  # the manifest records the config's path as given: experiments/...
        for config, folder, extra in DEMO:
            tracked = _tracked(folder)
            copy = root / folder
            for name in tracked:
                (copy / name).parent.mkdir(parents=True, exist_ok=True)
                (copy / name).write_bytes(_committed(folder, name))
            stored = ROOT / "results" / folder / "runs"
            if stored.is_dir():  # resume from this checkout's runs, as a second `make demo` does
                shutil.copytree(stored, copy / "runs", dirs_exist_ok=True)
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                assert main(["run", config, "--out", str(copy), *extra]) == 0
            out[folder] = (copy, tracked)
    finally:
        os.chdir(here)
    return out, printed.getvalue()


@pytest.mark.parametrize("folder", [f for _, f, _ in DEMO])
def test_the_demo_changes_no_committed_file(demo, folder):
    copy, tracked = demo[0][folder]
    assert tracked, f"results/{folder} has no committed files"
    changed = [name for name in tracked if (copy / name).read_bytes() != _committed(folder, name)]
    assert changed == [], f"the demo rewrote committed files of results/{folder}: {changed}"


@pytest.mark.parametrize("folder", [f for _, f, _ in DEMO])
def test_what_the_demo_adds_is_ignored_by_git(demo, folder):
    """New files are the run cache and what the folder's .gitignore names (wall-clock outputs),
    so `git status` stays empty."""
    copy, tracked = demo[0][folder]
    ignore = copy / ".gitignore"
    patterns = [p for p in ignore.read_text().splitlines() if p and not p.startswith("#")] \
        if ignore.is_file() else []
    new = [str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file()]
    new = [p for p in new if p not in tracked and not p.startswith("runs/")]
    assert [p for p in new if not any(fnmatch.fnmatch(p, pat) for pat in patterns)] == []
    if folder == "cap_tradeoff":  # the wall-clock outputs are written, just not committed
        assert {"timings.csv", "execution.json", "figures/cap_hv_cost.png"} <= set(new)


def test_the_demo_says_what_it_did_in_under_40_lines(demo):
    printed = demo[1]
    lines = printed.splitlines()
    assert len(lines) < 40, printed
    # one summary table: a row per solver, a column per budget
    assert "cap: mean HV ratio over seeds, by max_evaluations" in printed
    assert any(line.split()[:1] == ["sms-emoa"] and len(line.split()) == 5 for line in lines)
    assert not any(line.startswith("run ") for line in lines)  # per-run lines: --verbose only
    assert "Epoch #" not in printed  # the seed post's tables: --verbose only
