"""Front files are data only: loading one never imports or unpickles what the file names, and a
damaged file is one clear ValueError naming it."""

import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tradeoff as to
from tradeoff import Front
from tradeoff.datasets import blog_data
from tradeoff.models import MLP

from . import front_fixtures


class _Touch:
    """Unpickling this creates ``path``: what a malicious encoder.pkl would do."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


@pytest.fixture(scope="module")
def logistic_front():
    train = front_fixtures.clf_data()[0]
    return to.solve(to.Problem(train, "logistic", ["log_loss", "demographic_parity_sq"]),
                    "weighted-sum", n_points=3)


def _members(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(path, members):
    with zipfile.ZipFile(path, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    return path


def _edit(src, dst, change):
    """A copy of front file ``src`` whose front.json went through ``change(meta, members)``."""
    members = _members(src)
    meta = json.loads(members["front.json"])
    change(meta, members)
    members["front.json"] = json.dumps(meta).encode()
    return _write(dst, members)


def _npy(a):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(a))
    return buf.getvalue()


def test_a_pickle_in_a_front_file_runs_only_when_trusted(tmp_path, logistic_front):
    marker = tmp_path / "pwned"
    logistic_front.save(tmp_path / "f.zip")

    def add_pickle(meta, members):
        meta["encoder"] = "encoder.pkl"
        members["encoder.pkl"] = pickle.dumps(_Touch(marker))

    for version in (1, 2):  # an old file with a pickle is refused the same way
        bad = _edit(tmp_path / "f.zip", tmp_path / f"v{version}.zip",
                    lambda meta, members: (add_pickle(meta, members),
                                           meta.update(version=version)))
        with pytest.raises(ValueError, match=r"`trust` must be True .*v%d.zip' stores its "
                                             r"encoder as encoder.pkl" % version):
            Front.load(bad)
        assert not marker.exists()
    Front.load(tmp_path / "v1.zip", trust=True)  # told to trust it: the pickle runs
    assert marker.exists()


@pytest.mark.parametrize("spec", [
    {"class": "subprocess:run", "fields": {"args": ["touch", "MARKER"]}},
    {"class": "os:system", "fields": {"command": "touch MARKER"}},
    {"class": "tradeoff.tabular:Encoder", "fields": {"columns": ["a"], "levels": {},
                                                     "feature_names": ["a"], "cls": "os:system"}},
])
def test_an_encoder_spec_never_imports_what_it_names(tmp_path, monkeypatch, logistic_front, spec):
    monkeypatch.chdir(tmp_path)
    logistic_front.save(tmp_path / "f.zip")
    for version in (1, 2):
        bad = _edit(tmp_path / "f.zip", tmp_path / "bad.zip",
                    lambda meta, members: meta.update(encoder=spec, version=version))
        with pytest.raises(ValueError, match=r"`path` must be a front file written by Front.save; "
                                             r"got '.*bad.zip'. It is damaged: its encoder"):
            Front.load(bad)
        assert not (tmp_path / "MARKER").exists()


def test_a_model_must_be_a_built_in_one(tmp_path, logistic_front):
    logistic_front.save(tmp_path / "f.zip")
    bad = _edit(tmp_path / "f.zip", tmp_path / "bad.zip",
                lambda meta, members: meta.update(model={"name": "os:system", "command": "x"}))
    with pytest.raises(ValueError, match=r"bad.zip'. It is damaged: its model is 'os:system', "
                                         r"not one of the built-in models \(linear, capped_linear"):
        Front.load(bad)


def _predictions_equal(front, back, X):
    for i in range(len(front)):
        a, b = front.predictor(i), back.predictor(i)
        np.testing.assert_array_equal(b.predict(X), a.predict(X))


def test_round_trips_linear_logistic_mlp_and_an_encoder(tmp_path, logistic_front):
    from tradeoff.datasets import from_frame

    blog = blog_data(n=120)
    linear = to.solve(to.Problem(blog, "linear", ["mse", "cap_violation"]), "weighted-sum",
                      n_points=3)
    train = front_fixtures.clf_data()[0]
    net = MLP(hidden=[3], output="logistic", seed=0)
    mlp = to.solve(to.Problem(train, net, ["log_loss", "demographic_parity_sq"]),
                   "weighted-sum", n_points=2, max_evaluations=60)
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"age": rng.uniform(20, 60, 200), "job": rng.choice(["a", "b", "c"], 200),
                       "sex": rng.choice(["f", "m"], 200), "y": rng.choice(["no", "yes"], 200)})
    enc_data = from_frame(df, target="y", sensitive="sex")
    encoded = to.solve(to.Problem(enc_data, "logistic", ["log_loss", "demographic_parity_sq"]),
                       "weighted-sum", n_points=3)
    for name, front, X in (("linear", linear, blog.X), ("logistic", logistic_front, train.X),
                           ("mlp", mlp, train.X), ("encoded", encoded, df)):
        path = tmp_path / f"{name}.front.zip"
        front.save(path)
        assert "encoder.pkl" not in _members(path)
        back = Front.load(path)
        assert back.model == front.model and back.encoder == front.encoder
        np.testing.assert_array_equal(back.X, front.X)
        _predictions_equal(front, back, X)


def test_damaged_files_give_one_clear_error_naming_them(tmp_path, logistic_front):
    good = tmp_path / "f.zip"
    logistic_front.save(good)
    members = _members(good)
    k = len(logistic_front)

    def without(name):
        return _write(tmp_path / "missing.zip", {n: b for n, b in members.items() if n != name})

    cases = [
        (_write(tmp_path / "notjson.zip", {**members, "front.json": b"{not json"}),
         r"notjson.zip'. It is damaged: its front.json is not JSON"),
        (without("X.npy"), r"missing.zip'. It is damaged: it has no array X.npy"),
        (_write(tmp_path / "shape.zip", {**members, "F.npy": _npy(np.zeros((k, 3)))}),
         r"shape.zip'. It is damaged: its array F.npy is \(%d, 3\) <f8, not the \[%d, 2\]"
         % (k, k)),
        (_edit(good, tmp_path / "names.zip", lambda meta, m: (
            meta["objective_names"].append("z"),
            meta["shapes"]["F.npy"].update(shape=[k, 3]),
            m.update({"F.npy": _npy(np.zeros((k, 3)))}), meta.update(objective_names=["a"]))),
         r"names.zip'. It is damaged: its array F.npy has shape \(%d, 3\), not \(%d, 1\)" % (k, k)),
        (_edit(good, tmp_path / "keys.zip", lambda meta, m: meta.pop("param_names")),
         r"keys.zip'. Its front.json is damaged \(KeyError: 'param_names'\)"),
    ]
    for path, message in cases:
        with pytest.raises(ValueError, match=r"`path` must be a front file written by Front.save; "
                                             r"got '.*" + message):
            Front.load(path)


def test_a_header_claiming_huge_sizes_is_refused_before_allocating(tmp_path, logistic_front):
    good = tmp_path / "f.zip"
    logistic_front.save(good)
    huge = 10 ** 12
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (huge, 2)})

    def claim(meta, members):
        meta["n_points"] = huge
        meta["shapes"]["F.npy"]["shape"] = [huge, 2]
        members["F.npy"] = header.getvalue() + b"\0" * 64

    bad = _edit(good, tmp_path / "huge.zip", claim)
    with pytest.raises(ValueError, match=r"huge.zip'. It is damaged: its array F.npy claims "
                                         r"16000000000000 bytes, which its member"):
        Front.load(bad)


def test_a_version_1_file_without_a_pickle_still_loads(tmp_path, logistic_front):
    logistic_front.save(tmp_path / "f.zip")
    old = _edit(tmp_path / "f.zip", tmp_path / "v1.zip", lambda meta, members: (
        meta.pop("shapes"), meta.pop("n_points"), meta.update(version=1)))
    back = Front.load(old)
    np.testing.assert_array_equal(back.F, logistic_front.F)
    assert back.model == logistic_front.model
    bad = _edit(old, tmp_path / "v1bad.zip",
                lambda meta, members: members.update({"X.npy": _npy(np.zeros((1, 1)))}))
    k, d = logistic_front.X.shape
    with pytest.raises(ValueError, match=r"v1bad.zip'. It is damaged: its array X.npy has shape "
                                         r"\(1, 1\), not \(%d, %d\)" % (k, d)):
        Front.load(bad)
