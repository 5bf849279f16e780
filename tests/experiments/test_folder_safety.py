"""The results folder is tradeoff's only where tradeoff made it: --fresh deletes only what it wrote
(never through a symlink), a foreign folder or another experiment's is refused, and one sweep at
a time writes into a folder (a lock)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tradeoff
from tradeoff.experiments import load_config, run_sweep
from tradeoff.experiments.runner import source_commit
from tradeoff.experiments.store import LOCK, Store

from .tiny import TINY, write

OTHER = TINY.replace('name = "tiny"', 'name = "other"')


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    root = tmp_path_factory.mktemp("reference")
    assert run_sweep(load_config(write(root)), root / "out").complete
    return root / "out"


def _copy(reference, tmp_path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    return out


def test_fresh_keeps_a_users_own_files_in_runs_and_figures(reference, tmp_path):
    out = _copy(reference, tmp_path)
    mine = {out / "runs" / "mine.json": '{"my": "notes"}', out / "figures" / "mine.png": "png",
            out / "runs" / "000000000000.json": "{}"}
    (out / "figures").mkdir(exist_ok=True)
    for path, text in mine.items():
        path.write_text(text)
    sweep = run_sweep(load_config(write(tmp_path)), out, fresh=True)
    assert sweep.executed == 9  # tradeoff's own run files were deleted
    for path, text in mine.items():
        assert path.read_text() == text


def test_a_symlinked_runs_folder_is_refused_and_its_files_kept(reference, tmp_path):
    out = _copy(reference, tmp_path)
    outside = tmp_path / "outside"
    shutil.move(out / "runs", outside)  # tradeoff's own run files, but out of the folder now
    (outside / "thesis.tex").write_text("mine")
    (out / "runs").symlink_to(outside, target_is_directory=True)
    before = sorted(p.name for p in outside.iterdir())
    with pytest.raises(ValueError, match=r"`out` must be a folder whose runs/ is a real folder, "
                                         r"not a symlink; got '.*out'\. tradeoff neither"):
        run_sweep(load_config(write(tmp_path)), out, fresh=True)
    Store(out).clear()  # even called directly, nothing is deleted through the link
    assert sorted(p.name for p in outside.iterdir()) == before
    assert (out / "runs").is_symlink() and not (out / LOCK).exists()


def test_a_foreign_folder_is_refused_unless_forced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    for fresh in (False, True):
        with pytest.raises(ValueError, match=r"`out` must be an empty folder or one written by "
                                             r"`tradeoff run`; got '.*out'\. It holds files but no "
                                             r"manifest.json.*--force"):
            run_sweep(load_config(write(tmp_path)), out, fresh=fresh)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]  # nothing written
    assert run_sweep(load_config(write(tmp_path)), out, force=True).complete
    assert run_sweep(load_config(write(tmp_path)), out, fresh=True).executed == 9
    assert (out / "notes.txt").read_text() == "mine"


def test_another_experiments_folder_is_refused_unless_fresh(reference, tmp_path):
    out = _copy(reference, tmp_path)
    other = load_config(write(tmp_path, OTHER, "other.toml"))
    with pytest.raises(ValueError, match=r"`out` must be a folder for experiment 'other'; got "
                                         r"'.*out'\. It holds the results of experiment 'tiny'"):
        run_sweep(other, out)
    assert json.loads((out / "manifest.json").read_text())["experiment"] == "tiny"
    assert run_sweep(other, out, fresh=True).executed == 9
    assert json.loads((out / "manifest.json").read_text())["experiment"] == "other"


def test_a_killed_first_sweep_still_marks_its_folder(tmp_path, monkeypatch):
    out = tmp_path / "out"
    real = Store.write_run

    def dies_on_the_third(self, result, calls=[]):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, result)

    monkeypatch.setattr(Store, "write_run", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_config(write(tmp_path)), out)
    monkeypatch.setattr(Store, "write_run", real)
    assert not (out / "manifest.json").exists() and not (out / LOCK).exists()
    with pytest.raises(ValueError, match=r"holds the results of experiment 'tiny'"):
        run_sweep(load_config(write(tmp_path, OTHER, "other.toml")), out)
    (out / "runs" / "mine.json").write_text("{}")
    assert run_sweep(load_config(write(tmp_path)), out, fresh=True).executed == 9
    assert (out / "runs" / "mine.json").read_text() == "{}"


def test_a_second_sweep_into_a_locked_folder_fails_naming_it(reference, tmp_path):
    out = _copy(reference, tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from tradeoff.experiments.store import Store\n"
         f"with Store({str(out)!r}).lock('other'):\n print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(tradeoff.__file__).parents[1])})
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ValueError, match=r"`out` must be a folder no other `tradeoff run` is "
                                             rf"writing; got '.*out'\. It is locked by process "
                                             rf"{holder.pid} .*experiment 'other'"):
            run_sweep(load_config(write(tmp_path)), out, fresh=True)
        assert (out / "runs.csv").exists()  # --fresh deleted nothing
    finally:
        holder.communicate("")
    assert not (out / LOCK).exists()  # the holder removed its lock at the end
    assert run_sweep(load_config(write(tmp_path)), out).complete


def test_a_stale_lock_is_taken_over(reference, tmp_path):
    out = _copy(reference, tmp_path)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    import socket

    (out / LOCK).write_text(json.dumps({"pid": int(gone), "host": socket.gethostname(),
                                        "experiment": "tiny", "since": "then"}))
    assert run_sweep(load_config(write(tmp_path)), out).complete
    assert not (out / LOCK).exists()


def _git(cwd, *args):
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_manifest_records_tradeoffs_own_version_and_commit(tmp_path):
    repo = tmp_path / "study"
    repo.mkdir()
    _git(repo, "init", "-q")
    config = write(repo)
    _git(repo, "add", "tiny.toml")
    _git(repo, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "study")
    study_commit = _git(repo, "rev-parse", "HEAD")
    run_sweep(load_config(config), tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["tradeoff_version"] == tradeoff.__version__
    # the commits change with the checkout: execution.json, out of the committed manifest
    assert "git_commit" not in manifest and "config_git_commit" not in manifest
    manifest = json.loads((tmp_path / "out" / "execution.json").read_text())
    package = Path(tradeoff.__file__).resolve().parent
    tracked = subprocess.run(["git", "-C", str(package), "ls-files", "--error-unmatch",
                              "__init__.py"], capture_output=True).returncode == 0
    expected = _git(package, "rev-parse", "HEAD") if tracked else None
    assert manifest["git_commit"] == expected and manifest["git_commit"] != study_commit
    assert manifest["config_git_commit"] == study_commit  # the study's own repository, apart
    assert source_commit(tmp_path / "out") is None  # no repository: None
    assert source_commit(repo) is None  # a repository that does not hold tradeoff: None
