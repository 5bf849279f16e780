import numpy as np
import pandas as pd
import pytest

from tradeoff.cli import main
from tradeoff.losses import mse
from tradeoff.studies import seed_blog


def test_study_writes_table_csv_and_figures(tmp_path, capsys):
    assert main(["seed-blog", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Epoch #0: m = " in out and "Epoch #14: " in out and "; MAE = " in out
    frame = pd.read_csv(tmp_path / "epochs.csv")
    assert list(frame.columns) == ["loss", "epoch", "m", "c", "value"]
    assert sorted(frame["loss"].unique()) == ["MAE", "MSE", "MSE_max"]
    assert (frame.groupby("loss")["epoch"].max() == 15).all()
    for stem in ("training_mse", "training_mae", "training_mse_max", "compare"):
        for ext in ("png", "svg"):
            assert (tmp_path / f"{stem}.{ext}").stat().st_size > 1000
    # the recorded value is the loss of the recorded parameters
    data = seed_blog.blog_data()
    last = frame[frame["loss"] == "MSE"].iloc[-1]
    assert mse(data.y, last.m * data.X[:, 0] + last.c) == pytest.approx(last.value, rel=1e-12)


def test_study_is_deterministic_and_of_the_posts_order():
    _, a = seed_blog.train_all()
    _, b = seed_blog.train_all()
    pd.testing.assert_frame_equal(a, b)
    final = a.groupby("loss").last()
    assert 1.3 < final.loc["MSE", "m"] < 1.5  # the post: m ≈ 1.39
    assert 1000 < final.loc["MSE", "value"] < 3000  # the post: MSE ≈ 2,064
    # the post's MAE run moves m and c by exactly L = 0.1 per epoch
    steps = np.diff(a[a["loss"] == "MAE"][["m", "c"]].to_numpy(), axis=0)
    np.testing.assert_allclose(np.abs(steps), 0.1, atol=1e-12)


def test_capped_model_stays_below_120_and_uses_the_correct_subgradient():
    data, frame = seed_blog.train_all()
    last = frame[frame["loss"] == "MSE_max"].iloc[-1]
    pred = np.minimum(last.m * data.X[:, 0] + last.c, 120.0)
    assert pred.max() <= 120.0
    assert mse(data.y, pred) == pytest.approx(last.value, rel=1e-12)


def test_bad_cli_input_is_one_sentence(capsys, tmp_path):
    assert main(["seed-blog", "--out", str(tmp_path / "x"), "--epochs", "0"]) == 2
    assert "`epochs` must be > 0; got 0." in capsys.readouterr().err
    assert not (tmp_path / "x" / "epochs.csv").exists()
