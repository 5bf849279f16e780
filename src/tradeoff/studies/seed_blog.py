"""The loss-function post, reproduced: MSE, MAE (sign descent) and MSE of the model capped at 120.

Fifteen epochs from m = c = 0 on the post's gamma data; per-epoch tables printed the post's way, a
tidy CSV of every epoch, and the post's three training plots and its comparison plot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..datasets import blog_data
from ..io import atomic_write_csv
from ..models import get_model
from ..train import fit

CAP = 120.0


@dataclass(frozen=True)
class Run:
    """One of the post's three runs: a loss, a model, an optimizer and its learning rate."""

    label: str
    loss: str
    model: str
    optimizer: str
    lr: float


RUNS = (
    Run("MSE", "mse", "linear", "gd", 1e-4),
    Run("MAE", "mae", "linear", "sign", 0.1),
    Run("MSE_max", "mse", "capped_linear", "gd", 1e-4),
)


def train_all(*, n: int = 200, seed: int = 0, epochs: int = 15):
    """Fit the three runs; return the dataset and a tidy frame (loss, epoch, m, c, value)."""
    data = blog_data(n=n, seed=seed)
    frames = []
    for run in RUNS:
        model = get_model(run.model, **({"cap": CAP} if run.model == "capped_linear" else {}))
        res = fit(data.X, data.y, loss=run.loss, model=model, optimizer=run.optimizer,
                  lr=run.lr, epochs=epochs)
        frame = res.history.to_frame(["m", "c"]).drop(columns="candidate")
        frame.insert(0, "loss", run.label)
        frames.append(frame)
    return data, pd.concat(frames, ignore_index=True)


def format_table(frame: pd.DataFrame, label: str) -> str:
    """The post's lines ``Epoch #k: m = …; c = …; MSE = …`` for epochs 1…E (after each update)."""
    metric = "MAE" if label == "MAE" else "MSE"
    rows = frame[(frame["loss"] == label) & (frame["epoch"] > 0)]
    return "\n".join(f"Epoch #{int(r.epoch) - 1}: m = {_num(r.m)}; c = {_num(r.c)}; "
                     f"{metric} = {_num(r.value)}" for r in rows.itertuples())


def _num(x: float, digits: int = 6) -> str:
    """``digits`` significant digits, no float noise: 0.3 rather than 0.30000000000000004."""
    return f"{float(x):.{digits}g}"


RULE_NAMES = {"gd": "gradient descent", "sign": "sign descent"}


def run(out: str | Path = "results/seed_blog", *, n: int = 200, seed: int = 0, epochs: int = 15,
        echo=print) -> pd.DataFrame:
    """Train, print the tables, write ``epochs.csv`` and the figures under ``out``."""
    from .. import plots  # matplotlib only when figures are drawn

    data, frame = train_all(n=n, seed=seed, epochs=epochs)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for run_ in RUNS:
        echo(f"\n{run_.label} ({run_.optimizer}, L = {run_.lr:g})")
        echo(format_table(frame, run_.label))
    atomic_write_csv(frame, out / "epochs.csv")
    for run_ in RUNS:
        what = RULE_NAMES.get(run_.optimizer, run_.optimizer)
        fig = plots.training_lines(data, frame[frame["loss"] == run_.label],
                                   title=f"{run_.label}: {what} on the {run_.loss.upper()}, "
                                         f"learning rate L = {run_.lr:g}",
                                   cap=CAP if run_.model == "capped_linear" else None,
                                   metric="MAE" if run_.loss == "mae" else "MSE")
        plots.save(fig, out / f"training_{run_.label.lower()}")
    finals = {r.label: frame[frame["loss"] == r.label].iloc[-1] for r in RUNS}
    fig = plots.compare_lines(data, finals, cap=CAP)
    plots.save(fig, out / "compare")
    echo(f"\nwrote {out / 'epochs.csv'} and 4 figures (PNG and SVG) under {out}")
    return frame
