"""Figures for people. Plots draw results they are given; they never compute an objective."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display on servers or CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .io import atomic_path  # noqa: E402

COLORS = plt.get_cmap("tab10").colors


def save(fig, stem: str | Path, formats=("png", "svg")) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg`` atomically and close the figure."""
    paths = []
    for fmt in formats:
        path = Path(f"{stem}.{fmt}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=130, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths


def _line(m, c, xs, cap=None):
    ys = m * xs + c
    return np.minimum(ys, cap) if cap is not None else ys


def _scatter(ax, data):
    ax.scatter(data.X[:, 0], data.y, s=12, color="0.55", alpha=0.7, label="data", zorder=1)
    ax.set_xlabel(f"{data.feature_names[0]} (feature)")
    ax.set_ylabel(f"{data.target_name} (target)")


def training_lines(data, frame, *, title: str, cap: float | None = None):
    """Data with the fitted line after every epoch, coloured from first (light) to last (dark)."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    _scatter(ax, data)
    xs = np.linspace(0, data.X[:, 0].max() * 1.02, 200)
    epochs = frame["epoch"].to_numpy()
    cmap = plt.get_cmap("viridis")
    norm = matplotlib.colors.Normalize(epochs.min(), epochs.max())
    for row in frame.itertuples():
        ax.plot(xs, _line(row.m, row.c, xs, cap), color=cmap(norm(row.epoch)), lw=1.2, zorder=2)
    if cap is not None:
        ax.axhline(cap, color="crimson", ls="--", lw=1, label=f"cap = {cap:g}")
    last = frame.iloc[-1]
    ax.set_title(f"{title}\nfinal m = {last.m:.4f}, c = {last.c:.4f}, {frame['loss'].iloc[0]} "
                 f"loss = {last.value:.1f}", fontsize=10)
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, label="epoch")
    ax.legend(loc="upper left")
    return fig


def compare_lines(data, finals: dict, *, cap: float):
    """Data with each run's final model; ``finals`` maps a label to a row with m, c and value."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    _scatter(ax, data)
    xs = np.linspace(0, data.X[:, 0].max() * 1.02, 200)
    for i, (label, row) in enumerate(finals.items()):
        capped = cap if label.endswith("max") else None
        name = f"{label} (capped at {cap:g})" if capped else label
        ax.plot(xs, _line(row.m, row.c, xs, capped), color=COLORS[i], lw=2,
                label=f"{name}: m = {row.m:.3f}, c = {row.c:.3f}, "
                      f"{'MAE' if label == 'MAE' else 'MSE'} = {row.value:.1f}")
    ax.axhline(cap, color="crimson", ls=":", lw=1)
    ax.set_title("The three final models (each scored by its own training loss)", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    return fig
