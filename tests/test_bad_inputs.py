"""Inputs that used to end in a raw traceback (MemoryError, AttributeError, Errno) are refused first,
in one sentence naming the field or the file."""

import re

import numpy as np
import pandas as pd
import pytest

import tradeoff as to
from tradeoff.datasets import blog_data, load_dataset, synthetic_shift
from tradeoff.models import MLP
from tradeoff.models.mlp import MAX_PARAMS, MAX_WIDTH

CAP = {"name": "cap_violation", "cap": 120}


@pytest.fixture(scope="module")
def front():
    return to.solve(to.Problem(blog_data(n=50), "linear", ["mse", CAP]), "exact", n_points=5)


@pytest.mark.parametrize("hidden", [[10**6, 10**6], [10**6], [64, MAX_WIDTH + 1]])
def test_mlp_refuses_a_layer_too_wide_to_hold(hidden):
    with pytest.raises(ValueError, match=r"`hidden` must be layers of at most 65,536 units \(.*MB "
                       r"per network\); got \[.*\]\. Use fewer, smaller layers"):
        MLP(hidden=hidden)


def test_mlp_refuses_too_many_parameters_before_allocating():
    with pytest.raises(ValueError, match=r"`hidden` must be layers with at most 20,000,000 parameters"
                       r".*got '\[5000, 5000\]: 25,020,001 parameters with 1 input\(s\), 0\.2 GB "
                       r"per network'\. Use fewer, smaller layers\."):
        MLP(hidden=[5000, 5000])
    # the inputs count too: known once the problem sees the data
    with pytest.raises(ValueError, match=r"20,020,001 parameters with 2000 input\(s\)"):
        to.Problem(synthetic_shift(n=20, p=2000), MLP(hidden=[10_000]), ["mse", "l2"])
    assert MLP(hidden=[1000, 1000]).n_params(3) < MAX_PARAMS  # big but allowed


def test_mlp_refuses_a_block_too_large_for_the_population():
    net = MLP(hidden=[MAX_WIDTH])
    assert net.block_rows(8) == 16
    with pytest.raises(ValueError, match=r"`hidden` must be narrow enough that 16 rows of its widest "
                       r"layer for 300 networks fit in 2 GiB; got '\[65536\]: 2\.34 GiB'\. Use "
                       r"smaller layers, or fewer networks at once \(n_points, pop_size\)\."):
        net.block_rows(300)


@pytest.mark.parametrize("name", ["blog", "cap_benchmark", "synthetic_shift"])
def test_builtin_data_refuses_a_billion_rows(name):
    with pytest.raises(ValueError, match=r"`n` must be at most 10,000,000 rows and 100,000,000 "
                       r"values .*for a built-in generated dataset; got 1000000000\. Use fewer rows"):
        load_dataset(name, n=10**9)


def test_synthetic_shift_counts_its_columns():
    with pytest.raises(ValueError, match=r"rows × 1001 column\(s\).*got 200000"):
        synthetic_shift(n=200_000, p=1000)


def test_predictor_refuses_repeated_column_names(front):
    X = pd.DataFrame(np.ones((3, 2)), columns=["x", "x"])
    with pytest.raises(ValueError, match=r"`X` must be a DataFrame with distinct column names; got "
                       r"\"column 'x' 2 times\"\. Drop or rename the repeated columns\."):
        front.predictor(0).predict(X)
    assert front.predictor(0).predict(pd.DataFrame({"x": [1.0, 2.0]})).shape == (2,)


def test_save_into_a_folder_that_is_a_file(front, tmp_path):
    parent = tmp_path / "afile"
    parent.write_text("not a folder")
    with pytest.raises(NotADirectoryError, match=r"`path` must be a file in an existing folder; "
                       r"got '.*afile/front\.npz'\. .*afile is a file: create the folder"):
        front.save(parent / "front.npz")
    with pytest.raises(FileNotFoundError, match=r"missing does not exist"):
        front.save(tmp_path / "missing" / "front.npz")
    assert parent.read_text() == "not a folder" and list(tmp_path.iterdir()) == [parent]


def test_save_failure_names_the_folder_and_leaves_no_temporary(front, tmp_path, monkeypatch):
    import zipfile

    def refuse(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(zipfile, "ZipFile", refuse)
    with pytest.raises(OSError, match=r"`path` must be a file tradeoff can write; got '.*f\.npz'\. "
                       rf"Writing in {re.escape(str(tmp_path))} failed \(Read-only file system\)"):
        front.save(tmp_path / "f.npz")
    assert list(tmp_path.iterdir()) == []
