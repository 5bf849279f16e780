"""Figures for people. Plots draw results they are given; they never compute an objective."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display on servers or CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .io import atomic_path  # noqa: E402

COLORS = plt.get_cmap("tab10").colors
# the same figure gives the same SVG bytes: fixed element ids, and no creation date (see save)
matplotlib.rcParams["svg.hashsalt"] = "tradeoff"
# solver colours: tab10 without its grey (the reference front is drawn in grey), then tab20's
# lighter shades for long lists
SOLVER_COLORS = tuple(c for i, c in enumerate(COLORS) if i != 7) + plt.get_cmap("tab20").colors[1::2]


def save(fig, stem: str | Path, formats=("png", "svg")) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg`` atomically and close the figure."""
    paths = []
    for fmt in formats:
        path = Path(f"{stem}.{fmt}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=130, bbox_inches="tight",
                        metadata={"Date": None} if fmt in ("svg", "pdf") else None)
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


# -- sweep figures: each draws summaries it is given (see tradeoff.experiments.figures) ----------
EXACT_STYLE = dict(color="0.2", lw=1.6, zorder=1)


def _objective_axes(ax, names):
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.grid(True, color="0.9", lw=0.6, zorder=0)


def _exact_line(ax, exact, label="exact front"):
    """The reference front: a line through 2-D points; a projection of more objectives is no
    curve, so there it is drawn as dots."""
    if exact is None or not len(exact):
        return
    if exact.shape[1] > 2:
        ax.scatter(exact[:, 0], exact[:, 1], s=5, color="0.25", lw=0, label=label, zorder=1)
        return
    order = np.argsort(exact[:, 0])
    ax.plot(exact[order, 0], exact[order, 1], label=label, **EXACT_STYLE)


def _panel_grid(n: int):
    cols = min(3, max(n, 1))
    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), sharex=True, sharey=True,
                             squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def _finish_panels(fig, axes, names, limits, title):
    if limits is not None:
        axes[0, 0].set_xlim(*limits[0])
        axes[0, 0].set_ylim(*limits[1])
    for ax in axes.flat:
        ax.grid(True, color="0.9", lw=0.6, zorder=0)
    for ax in axes[-1]:
        ax.set_xlabel(names[0])
    for ax in axes[:, 0]:
        ax.set_ylabel(names[1])
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()


def _outside(F, limits) -> int:
    if limits is None or not len(F):
        return 0
    (x0, x1), (y0, y1) = limits
    return int(((F[:, 0] < x0) | (F[:, 0] > x1) | (F[:, 1] < y0) | (F[:, 1] > y1)).sum())


def front_panels(exact, panels, names, *, title: str, limits=None,
                 reference_label: str = "exact front"):
    """Small multiples, one per solver: its points (all seeds) over the reference front.

    ``panels`` is a list of dicts with ``label``, ``color``, ``feasible`` and ``infeasible`` (arrays
    (k, 2) of the first two objectives) and a ``note``; ``limits`` ((x0, x1), (y0, y1)) fixes the
    axes (points beyond them are counted in the panel title)."""
    fig, axes = _panel_grid(len(panels))
    for ax, panel in zip(axes.flat, panels):
        _exact_line(ax, exact, reference_label)
        ok, bad = panel["feasible"], panel["infeasible"]
        if len(ok):
            ax.scatter(ok[:, 0], ok[:, 1], s=14, color=panel["color"], alpha=0.6, lw=0,
                       label="feasible points", zorder=2)
        if len(bad):
            ax.scatter(bad[:, 0], bad[:, 1], s=24, color="crimson", marker="x", lw=1.1,
                       label="infeasible points", zorder=3)
        beyond = _outside(ok, limits) + _outside(bad, limits)
        note = panel["note"] + (f"; {beyond} point{'s' if beyond > 1 else ''} beyond the axes"
                                if beyond else "")
        ax.set_title(f"{panel['label']}\n{note}", fontsize=9)
        ax.legend(fontsize=7, loc="best", frameon=False)
    _finish_panels(fig, axes, names, limits, title)
    return fig


def _staircase(ax, pts, xmax, **style):
    """A minimisation attainment surface through its corners: each holds until the next one."""
    if not len(pts):
        return
    pts = pts[np.argsort(pts[:, 0])]
    ax.step(np.append(pts[:, 0], xmax), np.append(pts[:, 1], pts[-1, 1]), where="post", **style)


def attainment(exact, panels, names, *, title: str, limits=None,
               reference_label: str = "exact front"):
    """Small multiples, one per solver: its median attainment surface over seeds (thick) between
    the best and the worst seed's surfaces (thin), over the reference front.

    ``panels`` is a list of dicts with ``label``, ``color``, ``median``, ``best``, ``worst`` (corner
    arrays (k, 2)) and a ``note``."""
    fig, axes = _panel_grid(len(panels))
    xmax = limits[0][1] if limits is not None else max(
        [p[k][:, 0].max() for p in panels for k in ("median", "best", "worst") if len(p[k])] + [0])
    for ax, panel in zip(axes.flat, panels):
        _exact_line(ax, exact, reference_label)
        c = panel["color"]
        _staircase(ax, panel["best"], xmax, color=c, lw=0.8, ls="--", label="best seed", zorder=2)
        _staircase(ax, panel["worst"], xmax, color=c, lw=0.8, ls=":", label="worst seed", zorder=2)
        _staircase(ax, panel["median"], xmax, color=c, lw=1.8, label="median (half the seeds)",
                   zorder=3)
        ax.set_title(f"{panel['label']}\n{panel['note']}", fontsize=9)
        ax.legend(fontsize=7, loc="best", frameon=False)
    _finish_panels(fig, axes, names, limits, title)
    return fig


def hv_against_evaluations(curves, *, title: str, ylabel: str = "HV ratio (1 = exact front)"):
    """Mean HV ratio (± sd over seeds) against mean evaluations, one line per solver.

    ``curves`` maps a label to ``(evaluations, mean, sd, color)``, arrays over budgets."""
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for label, (x, y, sd, color) in curves.items():
        sd = np.nan_to_num(sd)
        # an HV ratio lies in [0, 1]: the bars stop there rather than at mean ± sd
        below, above = np.minimum(sd, y), np.maximum(np.minimum(sd, 1.0 - y), 0.0)
        ax.errorbar(x, y, yerr=[below, above], color=color, marker="o", ms=4, lw=1.4,
                    capsize=3, label=label)
    ax.axhline(1.0, color="0.3", ls=":", lw=1)
    ax.set_xscale("log")
    _plain_ticks(ax)
    ax.set_xlabel("evaluations (one candidate on the full data; log scale)")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", color="0.9", lw=0.6)
    ax.set_title(title, fontsize=10)
    # beside the axes: inside, it would hide the points of some solver
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def _plain_ticks(ax, subs=(1.0, 2.0, 5.0)):
    """Log-axis ticks as plain numbers (1,000 rather than 10³; 2,000 rather than 2×10³)."""
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}")
    ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(fmt)
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def training_curves(curves, *, title: str, ylabel: str = "HV ratio of points evaluated so far"):
    """Median (line) and range over seeds (band) of each run's progress, one colour per solver;
    the right panel zooms in on the finish, where the solvers differ.

    ``curves`` maps a label to ``(evaluations, median, low, high, color)``."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    finals = [med[np.isfinite(med)][-1] for _, med, _, _, _ in curves.values() if np.isfinite(med).any()]
    low = min(finals + [1.0])
    for ax in axes:
        for label, (x, med, lo, hi, color) in curves.items():
            ax.fill_between(x, lo, hi, color=color, alpha=0.15, lw=0)
            ax.plot(x, med, color=color, lw=1.6, label=label)
        ax.axhline(1.0, color="0.3", ls=":", lw=1)
        ax.set_xscale("log")
        _plain_ticks(ax, subs=(1.0,))
        ax.set_xlabel("evaluations (log scale)")
        ax.grid(True, which="both", color="0.9", lw=0.6)
    axes[0].set_ylabel(ylabel)
    axes[0].set_title("whole run", fontsize=9)
    pad = max(0.2 * (1.0 - low), 0.002)
    axes[1].set_ylim(low - 2 * pad, max(1.0 + pad, max(finals + [1.0]) + pad))
    xmax = max(float(np.nanmax(x)) for x, *_ in curves.values())
    axes[1].set_xlim(xmax / 150, xmax * 1.3)
    axes[1].set_title("the last two decades, zoomed in", fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="center right", frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0, 0.86, 1))
    return fig
