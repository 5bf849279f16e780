"""Results on disk: damaged run files are redone (with a warning naming them) and the final tables
equal an uninterrupted sweep's; tables are written all-or-nothing; write faults leave no temporaries,
no half-written table and no unfinished manifest, and the resumed sweep completes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradeoff.experiments import load_config, run_sweep
from tradeoff.experiments.store import Store, StoredRunWarning, checksum, dumps

from .test_runner import same_tables
from .tiny import write


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    root = tmp_path_factory.mktemp("reference")
    sweep = run_sweep(load_config(write(root)), root / "out")
    assert sweep.executed == 9 and sweep.complete
    return root / "out"


def _copy(reference, tmp_path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    return out


def _rewrite(path: Path, change, *, keep_checksum: bool = False):
    """Load a stored run, change it, and write it back (re-signed unless ``keep_checksum``)."""
    result = json.loads(path.read_text())
    change(result)
    if not keep_checksum:
        result["checksum"] = checksum(result)
    path.write_text(json.dumps(result))


def _set(key, value):
    def change(r):
        r[key] = value
    return change


def _front(key, value):
    def change(r):
        r["front"][key] = value
    return change


def _drop(key):
    return lambda r: r.pop(key)


def _tamper(r):
    r["front"]["F"][0][0] += 1e-9


# every kind of damage: (name, how to damage the file, what the warning says)
DAMAGE = [
    ("empty", lambda p: p.write_text(""), "it is empty"),
    ("whitespace", lambda p: p.write_text("  \n"), "it is empty"),
    ("truncated", lambda p: p.write_text(p.read_text()[: len(p.read_text()) // 2]),
     "not valid JSON"),
    ("garbage text", lambda p: p.write_text("garbage }{"), "not valid JSON"),
    ("garbage bytes", lambda p: p.write_bytes(b"\x00\xff\xfe garbage"), "not usable"),
    ("a JSON list", lambda p: p.write_text("[]"), "not a JSON object"),
    ("another run's id", lambda p: _rewrite(p, _set("run_id", "000000000000")), "its run_id"),
    ("an unknown status", lambda p: _rewrite(p, _set("status", "maybe")), "its status"),
    ("no front (re-signed)", lambda p: _rewrite(p, _drop("front")), "the front is missing"),
    ("no front (checksum kept)", lambda p: _rewrite(p, _drop("front"), keep_checksum=True),
     "checksum does not match"),
    ("front is a string", lambda p: _rewrite(p, _set("front", "garbage")), "not a table"),
    ("front without F", lambda p: _rewrite(p, lambda r: r["front"].pop("F")), "the front has no F"),
    ("F of strings", lambda p: _rewrite(p, _front("F", [["a", "b"]])), "front.F"),
    ("ragged F", lambda p: _rewrite(p, lambda r: r["front"]["F"][0].append(1.0)), "front.F"),
    ("X of the wrong length", lambda p: _rewrite(p, lambda r: r["front"]["X"].pop()), "front.X"),
    ("G of the wrong shape", lambda p: _rewrite(p, _front("G", [[1.0]] * 1000)), "front.G"),
    ("metrics of the wrong length", lambda p: _rewrite(p, _front("metrics", {"m": [1.0]})),
     "front.metrics"),
    ("success as text", lambda p: _rewrite(p, _front("success", "yes")), "front.success"),
    ("a bad trace", lambda p: _rewrite(p, _set("trace", [[1, 2]])), "its trace"),
    ("evaluations as text", lambda p: _rewrite(p, _set("evaluations", "many")), "`evaluations`"),
    ("tampered F", lambda p: _rewrite(p, _tamper, keep_checksum=True), "checksum does not match"),
    ("tampered X", lambda p: _rewrite(p, lambda r: r["front"]["X"][0].__setitem__(0, 7.0),
                                      keep_checksum=True), "checksum does not match"),
    ("tampered trace", lambda p: _rewrite(p, lambda r: r["trace"][0].__setitem__(1, 0.5),
                                          keep_checksum=True), "checksum does not match"),
    ("no checksum", lambda p: _rewrite(p, _drop("checksum"), keep_checksum=True), "no checksum"),
]


@pytest.mark.parametrize("kind, damage, says", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_a_damaged_run_file_is_redone_and_the_tables_match(reference, tmp_path, kind, damage, says):
    out = _copy(reference, tmp_path)
    files = sorted((out / "runs").glob("*.json"))
    victim = files[DAMAGE.index(next(d for d in DAMAGE if d[0] == kind)) % len(files)]
    damage(victim)
    with pytest.warns(StoredRunWarning) as caught:
        sweep = run_sweep(load_config(write(tmp_path)), out)
    text = " ".join(str(w.message) for w in caught)
    assert str(victim) in text and says in text, text
    assert (sweep.executed, sweep.reused) == (1, 8)
    same_tables(reference, out)
    # the redone file is trusted again: a second sweep reuses everything, silently
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoredRunWarning)
        assert run_sweep(load_config(write(tmp_path)), out).executed == 0


def test_many_damaged_files_at_once(reference, tmp_path):
    out = _copy(reference, tmp_path)
    files = sorted((out / "runs").glob("*.json"))
    for (_, damage, _), victim in zip(DAMAGE[::3], files):
        damage(victim)
    with pytest.warns(StoredRunWarning):
        sweep = run_sweep(load_config(write(tmp_path)), out)
    assert sweep.executed == min(len(DAMAGE[::3]), len(files))
    same_tables(reference, out)


def test_the_cli_names_the_file_it_redoes(reference, tmp_path, capsys):
    from tradeoff.cli import main

    out = _copy(reference, tmp_path)
    victim = sorted((out / "runs").glob("*.json"))[0]
    victim.write_text("")
    assert main(["run", str(write(tmp_path)), "--out", str(out), "--no-report"]) == 0
    err = capsys.readouterr().err
    assert f"tradeoff: warning: stored run {victim} is not usable (it is empty)" in err


# -- tables: one source, all or nothing ------------------------------------------------------------
def _temporaries(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.tmp"))


def _old_tables(out: Path):
    """Mark the tables so that a replaced one shows."""
    Store(out).write_tables({t: pd.DataFrame({"old": [1]}) for t in ("runs", "points", "traces")})


def _tables_are_old(out: Path) -> bool:
    return all(list(pd.read_csv(out / f"{t}.csv")) == ["old"] and
               list(pd.read_parquet(out / f"{t}.parquet")) == ["old"]
               for t in ("runs", "points", "traces"))


def test_a_failing_parquet_writer_replaces_no_table(reference, tmp_path, monkeypatch):
    out = _copy(reference, tmp_path)
    _old_tables(out)
    real = pd.DataFrame.to_parquet

    def broken(self, path, *args, **kwargs):
        if ".points.parquet." in str(path):
            raise OSError(28, "No space left on device")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(OSError, match="No space left"):
        run_sweep(load_config(write(tmp_path)), out)
    assert _tables_are_old(out) and not _temporaries(out)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", real)
    run_sweep(load_config(write(tmp_path)), out)
    same_tables(reference, out)


def test_a_failing_rename_rolls_back_the_tables_already_replaced(reference, tmp_path):
    out = _copy(reference, tmp_path)
    _old_tables(out)
    (out / "traces.parquet").unlink()
    (out / "traces.parquet").mkdir()  # the last rename fails: the others must be put back
    (out / "traces.parquet" / "x").write_text("x")
    with pytest.raises(OSError):
        run_sweep(load_config(write(tmp_path)), out)
    assert all(list(pd.read_csv(out / f"{t}.csv")) == ["old"] for t in ("runs", "points", "traces"))
    assert all(list(pd.read_parquet(out / f"{t}.parquet")) == ["old"] for t in ("runs", "points"))
    assert not _temporaries(out)
    shutil.rmtree(out / "traces.parquet")
    run_sweep(load_config(write(tmp_path)), out)
    same_tables(reference, out)


# -- faults while writing: nothing half-done is left, and a resume completes -----------------------
def _no_manifest_unfinished(out: Path):
    path = out / "execution.json"  # the manifest's record of this execution: when it finished
    assert not path.exists() or json.loads(path.read_text())["finished"] is not None


def test_an_unwritable_folder_is_a_clear_error_before_any_run(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "runs").write_text("not a folder")  # unwritable for root as well as for users
    with pytest.raises(OSError, match=r"`out` must be a folder this process can write; got "
                                      r"'.*runs'.*Choose another --out"):
        run_sweep(load_config(write(tmp_path)), out, force=True)  # force: not a tradeoff folder
    assert sorted(p.name for p in out.iterdir()) == ["runs"]
    (out / "runs").unlink()
    assert run_sweep(load_config(write(tmp_path)), out).complete


def test_a_read_only_folder_leaves_nothing_behind(reference, tmp_path):
    out = _copy(reference, tmp_path)
    for victim in sorted((out / "runs").glob("*.json"))[:3]:
        victim.unlink()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    os.chmod(out / "runs", 0o555)
    os.chmod(out, 0o555)
    try:
        if os.access(out, os.W_OK):
            pytest.skip("chmod does not stop this user (root) from writing")
        with pytest.raises(PermissionError, match="`out` must be a folder this process can write"):
            run_sweep(load_config(write(tmp_path)), out)
    finally:
        os.chmod(out, 0o755)
        os.chmod(out / "runs", 0o755)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert run_sweep(load_config(write(tmp_path)), out).executed == 3
    same_tables(reference, out)


def test_a_write_failing_mid_sweep_leaves_no_manifest_and_resumes(tmp_path, reference,
                                                                   monkeypatch):
    out = tmp_path / "out"
    real = Store.write_run
    calls = {"n": 0}

    def flaky(self, result):
        calls["n"] += 1
        if calls["n"] == 4:
            raise PermissionError(13, "Permission denied")
        return real(self, result)

    monkeypatch.setattr(Store, "write_run", flaky)
    with pytest.raises(PermissionError):
        run_sweep(load_config(write(tmp_path)), out)
    assert not (out / "manifest.json").exists() and not (out / "runs.csv").exists()
    assert len(list((out / "runs").glob("*.json"))) == 3 and not _temporaries(out)
    monkeypatch.setattr(Store, "write_run", real)
    sweep = run_sweep(load_config(write(tmp_path)), out)
    assert (sweep.executed, sweep.reused) == (6, 3)
    _no_manifest_unfinished(out)
    same_tables(reference, out)


def test_an_unreachable_scheduler_deletes_and_writes_nothing(reference, tmp_path, monkeypatch):
    from tradeoff.experiments import runner

    def unreachable(address):
        raise OSError(f"`scheduler` must be a reachable Dask scheduler; got {address!r}")

    monkeypatch.setattr(runner, "_reach", unreachable)
    out = tmp_path / "new"
    with pytest.raises(OSError, match="must be a reachable Dask scheduler"):
        run_sweep(load_config(write(tmp_path)), out, scheduler="tcp://127.0.0.1:1")
    assert not out.exists()
    old = _copy(reference, tmp_path)  # --fresh with an unreachable scheduler keeps the results
    before = {p: p.read_bytes() for p in old.rglob("*") if p.is_file()}
    with pytest.raises(OSError, match="must be a reachable Dask scheduler"):
        run_sweep(load_config(write(tmp_path)), old, scheduler="tcp://127.0.0.1:1", fresh=True)
    assert {p: p.read_bytes() for p in old.rglob("*") if p.is_file()} == before


def test_a_scheduler_lost_mid_sweep_leaves_no_manifest(tmp_path, monkeypatch):
    from tradeoff.experiments import runner

    def lost_scheduler(address):
        def go(runs, on_result, lost):
            on_result(runs[0], runner.execute(runs[0]))
            raise OSError(f"Timed out trying to connect to {address} after 20 s")
        return go

    monkeypatch.setattr(runner, "_reach", lambda address: None)
    monkeypatch.setattr(runner, "_dask", lost_scheduler)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="Timed out"):
        run_sweep(load_config(write(tmp_path)), out, scheduler="tcp://127.0.0.1:1")
    assert not (out / "manifest.json").exists() and not _temporaries(out)
    assert not list(out.rglob("*.csv")) and len(list((out / "runs").glob("*.json"))) == 1
    monkeypatch.undo()
    sweep = run_sweep(load_config(write(tmp_path)), out)
    assert (sweep.executed, sweep.reused) == (8, 1)


def test_a_full_disk_leaves_no_temporaries_and_resumes(reference, tmp_path):
    """On a small tmpfs (where this machine lets us mount one): the sweep fails with ENOSPC part way,
    leaves no temporary and no half-written table; with room again the resume completes."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40k", "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        out = mnt / "out"
        with pytest.raises(OSError) as info:
            run_sweep(load_config(write(tmp_path)), out)
        assert info.value.errno == 28  # ENOSPC
        assert not _temporaries(mnt)
        _no_manifest_unfinished(out)
        for t in ("runs", "points", "traces"):  # no table, or a complete pair
            assert (out / f"{t}.csv").exists() == (out / f"{t}.parquet").exists()
        subprocess.run(["mount", "-o", "remount,size=20m", str(mnt)], check=True)
        sweep = run_sweep(load_config(write(tmp_path)), out)
        assert sweep.complete and sweep.reused > 0
        same_tables(reference, out)
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


# -- temporaries ------------------------------------------------------------------------------------
def test_temporaries_are_cleaned_on_start_and_by_fresh(reference, tmp_path):
    out = _copy(reference, tmp_path)
    (out / "figures").mkdir(exist_ok=True)
    left = [out / ".runs.csv.abc123.tmp", out / "runs" / ".x.json.def456.tmp",
            out / "figures" / ".cap_fronts.png.gh7890.tmp"]
    for p in left:
        p.write_text("half")
    assert Store(out).temporaries() == sorted(left)
    run_sweep(load_config(write(tmp_path)), out)
    assert not _temporaries(out)
    for p in left:
        p.write_text("half")
    Store(out).clear()
    assert not _temporaries(out)
    for p in left[:1]:
        p.write_text("half")
    run_sweep(load_config(write(tmp_path)), out, fresh=True)
    assert not _temporaries(out)
    same_tables(reference, out)


# -- any damage at all: refused, or harmless --------------------------------------------------------
@pytest.fixture(scope="module")
def one_run_file(reference):
    return sorted((reference / "runs").glob("*.json"))[1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_damage_is_refused_or_changes_nothing(one_run_file, tmp_path_factory, data):
    """Flip, drop or insert bytes anywhere in a stored run: reading it either refuses the file
    (with a warning naming it) or gives exactly the stored result (e.g. only spacing changed)."""
    original = one_run_file.read_bytes()
    raw = bytearray(original)
    for _ in range(data.draw(st.integers(1, 3))):
        if not raw:  # a cut left nothing: an empty file is damage enough
            break
        at = data.draw(st.integers(0, len(raw) - 1))
        how = data.draw(st.sampled_from(["flip", "drop", "insert", "cut"]))
        if how == "flip":
            raw[at] = data.draw(st.integers(0, 255))
        elif how == "drop":
            del raw[at]
        elif how == "insert":
            raw.insert(at, data.draw(st.sampled_from(b' 019.e-"[]{},:x\n\x00')))
        else:
            del raw[at:]
            if not raw:
                break
    store = Store(tmp_path_factory.mktemp("damaged"))
    store.runs_dir.mkdir()
    run_id = one_run_file.stem
    store.run_path(run_id).write_bytes(bytes(raw))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = store.read_run(run_id)
    if got is None:
        assert any(issubclass(w.category, StoredRunWarning) and str(store.run_path(run_id)) in
                   str(w.message) for w in caught)
    else:
        assert dumps(got) == dumps(json.loads(original))  # (text: NaN equals NaN)
