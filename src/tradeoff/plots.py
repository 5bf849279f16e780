"""Figures for people. Plots draw results they are given; they never compute an objective.

One solver, one look: ``style(label)`` gives every solver label its colour (Okabe–Ito, safe for
colour-blind readers), marker and line style, the same in every figure of every study; pairs that
share a colour differ in marker and line style, so they stay apart in grey or under deuteranopia.

For a user's own fronts: ``fronts([front, ...], reference=...)`` (or ``front.plot()``) draws them on
one matplotlib Axes and returns it; three or more objectives as parallel coordinates (pymoo's PCP),
never as a silent projection onto two.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

import matplotlib

matplotlib.use("Agg")  # files only; no display on servers or CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .io import atomic_path  # noqa: E402

# the same figure gives the same SVG bytes: fixed element ids, and no creation date (see save)
matplotlib.rcParams["svg.hashsalt"] = "tradeoff"

# -- one solver, one look -------------------------------------------------------------------------
# Okabe & Ito (2008), "Color universal design": distinguishable under the common colour-vision
# deficiencies. Yellow is left out (too light for thin lines on white); black is used once.
OKABE_ITO = {"orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
             "reddish purple": "#CC79A7", "black": "#000000"}
PALETTE = tuple(OKABE_ITO[c] for c in ("blue", "orange", "bluish green", "vermillion",
                                       "sky blue", "reddish purple", "black"))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">")
LINESTYLES = ("-", "--", "-.", ":")


class Style(NamedTuple):
    """How one solver is drawn: a colour, a marker for its points and a line style for its lines."""

    color: str
    marker: str
    linestyle: str

    def line(self, **kw) -> dict:
        """Keyword arguments of ``ax.plot`` for this solver's line (with markers)."""
        return {"color": self.color, "marker": self.marker, "ls": self.linestyle, **kw}

    def points(self, **kw) -> dict:
        """Keyword arguments of ``ax.scatter`` for this solver's points."""
        return {"color": self.color, "marker": self.marker, **kw}


_C = OKABE_ITO
# Gradient scalarisations draw solid lines, pymoo's evolutionary solvers dashed ones, fairlearn's
# reductions dotted ones. The labels the shipped studies use are all here; within any one of them
# no two labels share colour, marker and line style.
STYLES: dict[str, Style] = {
    "weighted-sum": Style(_C["blue"], "o", "-"),
    "penalty": Style(_C["sky blue"], "s", "-"),
    "chebyshev": Style(_C["reddish purple"], "D", "-"),
    "pbi": Style(_C["sky blue"], "X", "-"),
    "aasf": Style(_C["orange"], "v", "-"),  # not Chebyshev's colour: their points often coincide
    "epsilon-constraint": Style(_C["bluish green"], "^", "-"),
    "epsilon-constraint-exact": Style(_C["bluish green"], "v", "-."),
    "mgda": Style(_C["black"], "P", "-"),
    "hv-grad": Style(_C["vermillion"], "h", "-"),
    "epo": Style(_C["orange"], "<", "-"),
    "pareto-set": Style(_C["bluish green"], "*", "-."),
    "weighted-sum-adam": Style(_C["blue"], ">", ":"),
    "hv-grad-adam": Style(_C["vermillion"], "h", ":"),
    "epo-adam": Style(_C["orange"], "<", ":"),
    "nsga2": Style(_C["orange"], "o", "--"),
    "nsga3": Style(_C["sky blue"], "v", "--"),
    "sms-emoa": Style(_C["vermillion"], "s", "--"),
    "moead": Style(_C["reddish purple"], "^", "--"),
    "age-moea2": Style(_C["blue"], "X", "--"),
    "fairlearn-grid": Style(_C["vermillion"], "X", ":"),
    "fairlearn-eg": Style(_C["reddish purple"], "*", ":"),
    "fairlearn-eg-odds": Style(_C["reddish purple"], "*", ":"),
}
REFERENCE = dict(color="0.25", lw=1.6, zorder=1)  # the exact (or best-found) front: grey, no marker
EXACT_STYLE = REFERENCE  # the old name


def style(label: str) -> Style:
    """The look of a solver label: a fixed one for the built-in solvers, and for any other label
    one derived from a hash of the label (the same in every run, study and process)."""
    if label in STYLES:
        return STYLES[label]
    h = int.from_bytes(hashlib.sha256(str(label).encode()).digest()[:8], "big")
    return Style(PALETTE[h % len(PALETTE)], MARKERS[(h // 7) % len(MARKERS)],
                 LINESTYLES[(h // 77) % len(LINESTYLES)])


def styles(labels) -> dict[str, Style]:
    """``style`` of each label; a label that would look exactly like an earlier one in ``labels``
    (only possible for labels outside ``STYLES``) moves to the next free marker and line style."""
    out: dict[str, Style] = {}
    taken = set()
    for label in labels:
        s = style(label)
        if s in taken:
            i = MARKERS.index(s.marker) if s.marker in MARKERS else 0
            j = LINESTYLES.index(s.linestyle) if s.linestyle in LINESTYLES else 0
            for k in range(1, len(MARKERS) * len(LINESTYLES) + 1):
                cand = Style(s.color, MARKERS[(i + k) % len(MARKERS)],
                             LINESTYLES[(j + k // len(MARKERS)) % len(LINESTYLES)])
                if cand not in taken:
                    s = cand
                    break
        taken.add(s)
        out[label] = s
    return out


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


# -- the loss-function post -----------------------------------------------------------------------
# the epochs' colours: plasma without its palest end, so that the last epochs stay readable on white
EPOCH_CMAP = matplotlib.colors.LinearSegmentedColormap.from_list(
    "epochs", plt.get_cmap("plasma")(np.linspace(0.0, 0.8, 256)))
CAP_STYLE = dict(color=_C["vermillion"], ls="--", lw=1.1)


def _line(m, c, xs, cap=None):
    ys = m * xs + c
    return np.minimum(ys, cap) if cap is not None else ys


def _scatter(ax, data):
    ax.scatter(data.X[:, 0], data.y, s=12, color="0.6", alpha=0.7, lw=0, label="data", zorder=1)
    ax.set_xlabel(f"{data.feature_names[0]} (feature)")
    ax.set_ylabel(f"{data.target_name} (target)")


def training_lines(data, frame, *, title: str, cap: float | None = None,
                   metric: str = "MSE"):
    """Left: the data with the fitted line after every epoch, coloured from the first epoch (dark)
    to the last (orange), the final line drawn thick; right: the training loss per epoch."""
    fig, (ax, axl) = plt.subplots(1, 2, figsize=(11.5, 4.5), width_ratios=(1.5, 1))
    _scatter(ax, data)
    xs = np.linspace(0, data.X[:, 0].max() * 1.02, 200)
    epochs = frame["epoch"].to_numpy()
    norm = matplotlib.colors.Normalize(epochs.min(), epochs.max())
    for row in frame.itertuples():
        ax.plot(xs, _line(row.m, row.c, xs, cap), color=EPOCH_CMAP(norm(row.epoch)), lw=1.0,
                alpha=0.9, zorder=2)
    last = frame.iloc[-1]
    what = f"final line, capped at {cap:g}" if cap is not None else "final line"
    ax.plot(xs, _line(last.m, last.c, xs, cap), color=EPOCH_CMAP(1.0), lw=2.6, zorder=3,
            label=f"{what} (epoch {int(last.epoch)})")
    if cap is not None:
        ax.axhline(cap, zorder=1.5, label=f"cap = {cap:g}", **CAP_STYLE)
    ax.set_title(f"final m = {last.m:.4f}, c = {last.c:.4f}, {metric} = {last.value:.1f}",
                 fontsize=9)
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=EPOCH_CMAP)
    fig.colorbar(sm, ax=ax, label="epoch (line colour)", pad=0.01)
    ax.legend(loc="upper left", fontsize=8)
    axl.plot(epochs, frame["value"].to_numpy(), color="0.4", lw=1, zorder=1)
    axl.scatter(epochs, frame["value"].to_numpy(), c=EPOCH_CMAP(norm(epochs)), s=22, zorder=2)
    axl.set_xlabel("epoch")
    axl.set_ylabel(f"training {metric}" + (" (of the capped line)" if cap is not None else ""))
    values = frame["value"].to_numpy(float)
    log = values.min() > 0 and values.max() / values.min() > 20
    if log:  # a drop over decades: log scale, ticks as plain numbers
        axl.set_yscale("log")
        plain = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}")
        axl.yaxis.set_major_formatter(plain)
        axl.yaxis.set_minor_formatter(plain)
    axl.grid(True, which="both", color="0.9", lw=0.6)
    axl.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axl.set_title("training loss per epoch" + (" (log scale)" if log else ""), fontsize=9)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


SEED_POST_STYLES = {"MSE": Style(_C["blue"], "", "-"), "MAE": Style(_C["orange"], "", "--"),
                    "MSE_max": Style(_C["bluish green"], "", "-.")}


def compare_lines(data, finals: dict, *, cap: float):
    """Data with each run's final model; ``finals`` maps a label to a row with m, c and value."""
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    _scatter(ax, data)
    xs = np.linspace(0, data.X[:, 0].max() * 1.02, 200)
    ax.axhline(cap, zorder=1.5, label=f"cap = {cap:g}", **{**CAP_STYLE, "ls": ":"})
    for label, row in finals.items():
        capped = cap if label.endswith("max") else None
        name = f"{label} (capped at {cap:g})" if capped else label
        s = SEED_POST_STYLES.get(label, style(label))
        ax.plot(xs, _line(row.m, row.c, xs, capped), color=s.color, ls=s.linestyle, lw=2.2,
                zorder=3, label=f"{name}: m = {row.m:.3f}, c = {row.c:.3f}, "
                                f"{'MAE' if label == 'MAE' else 'MSE'} = {row.value:.1f}")
    ax.set_title("The three final models (each scored by its own training loss)", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    return fig


# -- sweep figures: each draws summaries it is given (see tradeoff.experiments.figures) ----------
def _exact_line(ax, exact, label="exact front"):
    """The reference front: a line through 2-D points; a projection of more objectives is no
    curve, so there it is drawn as dots."""
    if exact is None or not len(exact):
        return
    if exact.shape[1] > 2:
        ax.scatter(exact[:, 0], exact[:, 1], s=5, color="0.6", lw=0, label=label, zorder=1)
        return
    order = np.argsort(exact[:, 0])
    ax.plot(exact[order, 0], exact[order, 1], label=label, **REFERENCE)


def _panel_grid(n: int, *, width: float = 4.2, height: float = 3.6):
    cols = min(3, max(n, 1))
    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows + 0.6), sharex=True,
                             sharey=True, squeeze=False, layout="constrained")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def _finish_panels(fig, axes, names, limits, title, n: int, handles=None, labels=None):
    """Shared limits, tick labels on every panel, axis names on the outer ones, one legend."""
    if limits is not None:
        axes[0, 0].set_xlim(*limits[0])
        axes[0, 0].set_ylim(*limits[1])
    rows, cols = axes.shape
    for i, ax in enumerate(axes.flat[:n]):
        r, c = divmod(i, cols)
        ax.grid(True, color="0.9", lw=0.6, zorder=0)
        ax.tick_params(labelbottom=True, labelleft=True)
        if r == rows - 1 or i + cols >= n:  # no visible panel below
            ax.set_xlabel(names[0])
        if c == 0:
            ax.set_ylabel(names[1])
    fig.suptitle(title, fontsize=11)
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=min(len(handles), 5),
                   fontsize=8, frameon=False)


def _outside_mask(F, limits) -> np.ndarray:
    if limits is None or not len(F):
        return np.zeros(len(F), bool)
    (x0, x1), (y0, y1) = limits
    return (F[:, 0] < x0) | (F[:, 0] > x1) | (F[:, 1] < y0) | (F[:, 1] > y1)


def _outside(F, limits) -> int:
    return int(_outside_mask(F, limits).sum())


EDGE_MARKERS = {"right": ">", "left": "<", "top": "^", "bottom": "v"}


def _edge_points(ax, F, limits, color, zorder=4):
    """Points beyond the axes, drawn on the edge they lie past (a triangle pointing outwards)."""
    out = _outside_mask(F, limits)
    if not out.any():
        return 0
    (x0, x1), (y0, y1) = limits
    P = F[out]
    side = np.where(P[:, 0] > x1, "right", np.where(P[:, 0] < x0, "left",
                                                    np.where(P[:, 1] > y1, "top", "bottom")))
    C = np.column_stack([np.clip(P[:, 0], x0, x1), np.clip(P[:, 1], y0, y1)])
    for name, marker in EDGE_MARKERS.items():
        at = side == name
        if at.any():
            ax.scatter(C[at, 0], C[at, 1], s=40, marker=marker, facecolor="white",
                       edgecolor=color, lw=1.2, zorder=zorder, clip_on=False)
    return int(out.sum())


def _handle(**kw):
    from matplotlib.lines import Line2D

    return Line2D([], [], **kw)


def _reference_dots(ax, ref, label):
    if ref is not None and len(ref):
        ax.scatter(ref[:, 0], ref[:, 1], s=6, color="0.55", lw=0, label=label, zorder=1)


def front_panels(exact, panels, names, *, title: str, limits=None,
                 reference_label: str = "exact front", constrained: bool | None = None,
                 reference_points: bool = False):
    """Small multiples, one per solver: its points (all seeds) over the reference front.

    ``panels`` is a list of dicts with ``label``, ``style`` (a ``Style``; or ``color``),
    ``feasible`` and ``infeasible`` (arrays (k, 2) of the first two objectives) and a ``note``;
    ``limits`` ((x0, x1), (y0, y1)) fixes the axes: points beyond them are drawn on the edge as
    triangles and counted in the panel title. ``constrained`` (default: whether any point is
    infeasible) says whether points are told apart as feasible and infeasible;
    ``reference_points`` draws the reference as grey dots rather than a line (when it is no front
    in the plotted objectives)."""
    if constrained is None:
        constrained = any(len(p["infeasible"]) for p in panels)
    fig, axes = _panel_grid(len(panels))
    beyond_any = False
    for ax, panel in zip(axes.flat, panels):
        s = panel.get("style") or Style(panel.get("color", "C0"), "o", "-")
        if reference_points:
            _reference_dots(ax, exact, reference_label)
        else:
            _exact_line(ax, exact, reference_label)
        ok, bad = panel["feasible"], panel["infeasible"]
        inside_ok = ok[~_outside_mask(ok, limits)]
        inside_bad = bad[~_outside_mask(bad, limits)]
        if len(inside_ok):
            ax.scatter(inside_ok[:, 0], inside_ok[:, 1], s=16, alpha=0.65, lw=0, zorder=2,
                       **s.points())
        if len(inside_bad):
            ax.scatter(inside_bad[:, 0], inside_bad[:, 1], s=24, color="0.1", marker="x", lw=1.0,
                       zorder=3)
        beyond = 0
        if limits is not None:
            beyond = _edge_points(ax, ok, limits, s.color) + _edge_points(ax, bad, limits, "0.1")
        beyond_any |= beyond > 0
        note = panel["note"] + (f"\n{beyond} point{'s' if beyond > 1 else ''} beyond the axes, "
                                "drawn on the edge" if beyond else "")
        ax.set_title(f"{panel['label']}\n{note}", fontsize=8.5, color="0.1")
    dots = reference_points or (exact is not None and len(exact) and exact.shape[1] > 2)
    ref_handle = _handle(color="0.6", marker="o", ls="", ms=3) if dots else _handle(**REFERENCE)
    if dots and not reference_points:
        reference_label += " (projected: dots)"
    handles = [ref_handle, _handle(color="0.35", marker="o", ls="", ms=5)]
    labels = [reference_label, "feasible points (all seeds), in the solver's colour and marker"
              if constrained else "points of all seeds, in the solver's colour and marker"]
    if constrained:
        handles.append(_handle(color="0.1", marker="x", ls="", ms=6))
        labels.append("infeasible points")
    if beyond_any:
        handles.append(_handle(marker=">", ls="", ms=7, markerfacecolor="white",
                               markeredgecolor="0.35"))
        labels.append("beyond the axes (on the edge they lie past)")
    _finish_panels(fig, axes, names, limits, title, len(panels), handles, labels)
    return fig


def pairwise_fronts(reference, sets, names, *, styles: dict | None = None, title: str,
                    reference_label: str = "exact front"):
    """Fronts of m ≥ 3 objectives, one panel per pair of objectives, every solver's points in its
    own look over the reference's points (grey). ``sets`` maps a label to points (k, m)."""
    import itertools

    m = len(names)
    pairs = list(itertools.combinations(range(m), 2))
    cols = min(3, len(pairs))
    rows = -(-len(pairs) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.4 * cols, 3.8 * rows + 0.8), squeeze=False,
                             layout="constrained")
    for ax in axes.flat[len(pairs):]:
        ax.set_visible(False)
    looks = styles or globals()["styles"](list(sets))
    for ax, (i, j) in zip(axes.flat, pairs):
        if reference is not None and len(reference):
            ax.scatter(reference[:, i], reference[:, j], s=5, color="0.6", lw=0, zorder=1)
        for label, F in sets.items():
            if len(F):
                ax.scatter(F[:, i], F[:, j], s=12, alpha=0.6, lw=0, zorder=2,
                           **looks[label].points())
        ax.set_xlabel(names[i], fontsize=8)
        ax.set_ylabel(names[j], fontsize=8)
        ax.grid(True, color="0.9", lw=0.6, zorder=0)
    handles = [_handle(color="0.6", marker="o", ls="", ms=3)] + [
        _handle(color=looks[lb].color, marker=looks[lb].marker, ls="", ms=5) for lb in sets]
    labels = [reference_label] + list(sets)
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 6), fontsize=8,
               frameon=False)
    fig.suptitle(title, fontsize=10)
    return fig


# -- three or more objectives: parallel coordinates (pymoo's PCP) --------------------------------
PCP_REFERENCE = {"color": "0.72", "lw": 0.8, "alpha": 0.6, "zorder": 1}  # the reference front's lines


def pcp_bounds(arrays) -> np.ndarray:
    """(2, m) lower and upper bounds over every point of ``arrays`` (each (k, m)): the PCP's axes
    span everything drawn, so no line leaves them; a constant objective gets a small span."""
    pts = np.vstack([np.asarray(a, float) for a in arrays if a is not None and len(a)])
    pts = pts[np.isfinite(pts).all(1)]
    lo, hi = pts.min(0), pts.max(0)
    pad = np.where(hi > lo, 0.0, np.maximum(np.abs(hi) * 0.05, 0.5))
    lo, hi = lo - pad, hi + pad
    # a bound that is zero up to rounding (1.7e-16) reads as 0; moved outwards, so points stay in
    tiny = 1e-9 * (hi - lo)
    lo = np.where((lo > 0) & (lo < tiny), 0.0, lo)
    hi = np.where((hi < 0) & (hi > -tiny), 0.0, hi)
    return np.vstack([lo, hi])


def _wrap(name: str, width: int = 22) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(name), width)) or str(name)


def parallel_coordinates(ax, sets, names, *, bounds=None):
    """Draw point sets as parallel coordinates on ``ax`` with pymoo's PCP and return ``ax``: one
    vertical axis per objective, each normalised to [lower, upper] of ``bounds`` (2, m) (default:
    all points drawn; the bounds are written at each axis's ends), one polyline per point.

    ``sets`` is a list of ``(F (k, m), kwargs of ax.plot)`` drawn in order (later on top). ``ax``
    must belong to a pyplot figure: pymoo draws on pyplot's current Axes."""
    from pymoo.visualization.pcp import PCP

    sets = [(np.asarray(F, float), kw) for F, kw in sets if F is not None and len(F)]
    m = len(names)
    if bounds is None:
        bounds = pcp_bounds([F for F, _ in sets]) if sets else np.array([[0.0] * m, [1.0] * m])
    family = plt.rcParams["font.family"]
    with plt.rc_context():  # pymoo's Plot sets a serif font for the whole process: undo that
        pcp = PCP(fig=ax.figure, ax=ax, labels=[_wrap(n) for n in names], bounds=bounds,
                  n_ticks=5, close_on_destroy=False,
                  axis_style={"color": "0.3", "linewidth": 1.0, "alpha": 1.0},
                  func_number_to_text=lambda v: f"{v:.4g}")
        plt.rcParams["font.family"] = family
        for F, kw in sets:
            pcp.add(F, **kw)
        if not sets:  # PCP needs the dimension: draw the axes of an empty plot
            pcp.add(np.full((1, m), np.nan))
        previous = plt.gca() if plt.get_fignums() else None
        plt.sca(ax)  # pymoo draws its lines with plt.plot, on the current Axes
        try:
            pcp.do()
        finally:
            if previous is not None and previous is not ax:
                plt.sca(previous)
    for side in ("top", "bottom"):  # the vertical axes are the frame; no box around them
        ax.spines[side].set_visible(False)
    ax.set_ylim(-0.13, 1.13)  # the bounds PCP writes at both ends stay inside the Axes
    for t in ax.texts:  # pymoo's bound labels: beside each axis, not across its line
        x, y = t.get_position()
        t.set_position((round(x + 0.08) - 0.04, y))
        t.set_horizontalalignment("right")
        t.set_verticalalignment("center")
        t.set_fontsize(7)
        t.set_color("0.25")
    ax.tick_params(axis="x", labelsize=8)
    return ax


def _pcp_line(s: Style, **kw) -> dict:
    return {"color": s.color, "ls": s.linestyle, "marker": s.marker, "ms": 3, "lw": 0.9,
            "alpha": 0.55, "zorder": 2, **kw}


def pcp_panels(reference, panels, names, *, title: str, reference_label: str = "exact front"):
    """Small multiples for m ≥ 3 objectives, one per solver: its points as parallel coordinates
    (pymoo's PCP) in its look, over the reference front's lines in grey; every panel has the same
    axes (bounds over all points drawn in the figure).

    ``panels`` is a list of dicts with ``label``, ``style``, ``feasible`` and ``infeasible``
    (arrays (k, m)) and a ``note``; infeasible points are drawn as thin black dotted lines."""
    bounds = pcp_bounds([reference] + [p[k] for p in panels for k in ("feasible", "infeasible")])
    n = len(panels)
    cols = min(3 if len(names) <= 4 else 2, max(n, 1))
    rows = max(1, -(-n // cols))
    width = max(4.8, 1.6 * len(names) + 1.2)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, 3.9 * rows + 0.6), squeeze=False,
                             layout="constrained")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    constrained = any(len(p["infeasible"]) for p in panels)
    for ax, panel in zip(axes.flat, panels):
        s = panel.get("style") or style(panel["label"])
        sets = [(reference, PCP_REFERENCE), (panel["feasible"], _pcp_line(s)),
                (panel["infeasible"], {"color": "0.1", "ls": ":", "lw": 0.8, "zorder": 3})]
        parallel_coordinates(ax, sets, names, bounds=bounds)
        k = len(panel["feasible"]) + len(panel["infeasible"])
        # pad: above the upper bounds PCP writes at the top of each axis
        ax.set_title(f"{panel['label']}\n{panel['note']}; {k} point{'s' if k != 1 else ''}",
                     fontsize=8.5, color="0.1", pad=16)
    handles = [_handle(**{k: v for k, v in PCP_REFERENCE.items() if k != "zorder"}),
               _handle(color="0.35", marker="o", ms=3, lw=0.9)]
    labels = [reference_label,
              "one line per point (all seeds), in the solver's colour, marker and line style"]
    if constrained:
        handles.append(_handle(color="0.1", ls=":", lw=0.8))
        labels.append("infeasible points")
    fig.legend(handles, labels, loc="outside lower center", ncol=len(handles), fontsize=8,
               frameon=False)
    fig.suptitle(f"{title}\n(parallel coordinates, pymoo's PCP: each axis spans the lowest to "
                 "the highest value drawn, written at its ends; lower is better on every axis)",
                 fontsize=10)
    return fig


def _staircase(ax, pts, xmax, **style):
    """A minimisation attainment surface through its corners: each holds until the next one."""
    if not len(pts):
        return
    pts = pts[np.argsort(pts[:, 0])]
    ax.step(np.append(pts[:, 0], max(xmax, pts[-1, 0])), np.append(pts[:, 1], pts[-1, 1]),
            where="post", **style)


def attainment(exact, panels, names, *, title: str, limits=None,
               reference_label: str = "exact front"):
    """Small multiples, one per solver: its median attainment surface over seeds (thick) between
    the best and the worst seed's surfaces (thin), over the reference front. A deterministic
    solver (``deterministic`` True: every seed gave the same front) is drawn once.

    ``panels`` is a list of dicts with ``label``, ``style`` (or ``color``), ``median``, ``best``,
    ``worst`` (corner arrays (k, 2)), a ``note`` and optionally ``deterministic``."""
    fig, axes = _panel_grid(len(panels))
    xmax = limits[0][1] if limits is not None else max(
        [p[k][:, 0].max() for p in panels for k in ("median", "best", "worst") if len(p[k])] + [0])
    any_det = any_seeds = False
    for ax, panel in zip(axes.flat, panels):
        s = panel.get("style") or Style(panel.get("color", "C0"), "o", "-")
        _exact_line(ax, exact, reference_label)
        if panel.get("deterministic"):
            any_det = True
            _staircase(ax, panel["median"], xmax, color=s.color, lw=1.8, ls="-", zorder=3)
        else:
            any_seeds = True
            _staircase(ax, panel["best"], xmax, color=s.color, lw=0.8, ls=(0, (4, 2)), zorder=2)
            _staircase(ax, panel["worst"], xmax, color=s.color, lw=0.8, ls=(0, (1, 1.5)),
                       zorder=2)
            _staircase(ax, panel["median"], xmax, color=s.color, lw=1.8, ls="-", zorder=3)
        ax.set_title(f"{panel['label']}\n{panel['note']}", fontsize=8.5)
    handles, labels = [_handle(**REFERENCE)], [reference_label]
    thick = []
    if any_seeds:
        thick.append("median (attained by half the seeds)")
    if any_det:
        thick.append("deterministic: the one front of every seed")
    handles.append(_handle(color="0.35", lw=1.8))
    labels.append("; ".join(thick))
    if any_seeds:
        handles += [_handle(color="0.35", lw=0.8, ls=(0, (4, 2))),
                    _handle(color="0.35", lw=0.8, ls=(0, (1, 1.5)))]
        labels += ["best seed (attained by one seed)", "worst seed (attained by all seeds)"]
    _finish_panels(fig, axes, names, limits, title, len(panels), handles, labels)
    return fig


def eafdiff(rects, names, *, a: str, b: str, title: str, limits=None, exact=None,
            reference_label: str = "exact front", best=None, worst=None, n_a: int = 0,
            n_b: int = 0):
    """Where one solver's runs attain more often than the other's (moocore.eafdiff), two panels.

    ``rects`` (r, 5) are moocore's rectangles (x0, y0, x1, y1, d) with d = the share of ``a``'s
    runs that attain a region minus the share of ``b``'s; the left panel shades d > 0 (``a``
    better), the right d < 0 (``b`` better), darker for larger differences. ``best``/``worst``
    are the surfaces attained by at least one / all runs of both solvers together."""
    from matplotlib.patches import Rectangle

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), sharex=True, sharey=True,
                             layout="constrained")
    rects = np.asarray(rects, float).reshape(-1, 5)
    if limits is None:
        pts = np.vstack([r for r in (best, worst, exact) if r is not None and len(r)] +
                        [np.zeros((0, 2))])
        finite = rects[:, :4][np.isfinite(rects[:, :4])]
        lo = pts.min(0) if len(pts) else np.zeros(2)
        hi = pts.max(0) if len(pts) else np.ones(2)
        span = np.where(hi > lo, hi - lo, 1.0)
        limits = ((lo[0] - 0.05 * span[0], hi[0] + 0.05 * span[0]),
                  (lo[1] - 0.05 * span[1], hi[1] + 0.05 * span[1])) if len(finite) or len(pts) \
            else ((0, 1), (0, 1))
    (x0, x1), (y0, y1) = limits
    cmap = plt.get_cmap("Greys")
    for ax, sign, who, other in ((axes[0], 1, a, b), (axes[1], -1, b, a)):
        color = style(who).color
        for r in rects:
            d = sign * r[4]
            if d <= 0:
                continue
            rx0, ry0 = max(r[0], x0), max(r[1], y0)
            rx1, ry1 = min(r[2], x1), min(r[3], y1)
            if rx1 <= rx0 or ry1 <= ry0:
                continue
            ax.add_patch(Rectangle((rx0, ry0), rx1 - rx0, ry1 - ry0, lw=0,
                                   facecolor=color, alpha=0.15 + 0.75 * min(d, 1.0), zorder=1))
        _exact_line(ax, exact, reference_label)
        if best is not None:
            _staircase(ax, best, x1, color="0.1", lw=0.9, ls=(0, (4, 2)), zorder=3)
        if worst is not None:
            _staircase(ax, worst, x1, color="0.1", lw=0.9, ls=(0, (1, 1.5)), zorder=3)
        ax.set_title(f"where {who} attains more often than {other}", fontsize=9)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.tick_params(labelbottom=True, labelleft=True)
        ax.set_xlabel(names[0])
        ax.grid(True, color="0.9", lw=0.6, zorder=0)
    axes[0].set_ylabel(names[1])
    sm = matplotlib.cm.ScalarMappable(norm=matplotlib.colors.Normalize(0, 1),
                                      cmap=matplotlib.colors.LinearSegmentedColormap.from_list(
                                          "d", cmap(np.linspace(0.15, 0.9, 64))))
    fig.colorbar(sm, ax=axes, shrink=0.9,
                 label="difference in the share of runs attaining (opacity of the shading)")
    handles = [_handle(**REFERENCE), _handle(color="0.1", lw=0.9, ls=(0, (4, 2))),
               _handle(color="0.1", lw=0.9, ls=(0, (1, 1.5)))]
    labels = [reference_label, f"attained by at least one of the {n_a + n_b} runs",
              f"attained by all {n_a + n_b} runs"]
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=10)
    return fig


def _log_x(ax, subs=(1.0, 2.0, 5.0)):
    ax.set_xscale("log")
    _plain_ticks(ax, subs)


def _plain_ticks(ax, subs=(1.0, 2.0, 5.0)):
    """Log-axis ticks as plain numbers (1,000 rather than 10³; 2,000 rather than 2×10³)."""
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}")
    ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(fmt)
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def _errorbars(ax, x, y, lo, hi, s: Style, label, **kw):
    lo = np.where(np.isfinite(lo), lo, y)
    hi = np.where(np.isfinite(hi), hi, y)
    ax.errorbar(x, y, yerr=[np.maximum(y - lo, 0), np.maximum(hi - y, 0)], color=s.color,
                marker=s.marker, ls=s.linestyle, ms=5, lw=1.4, capsize=3, label=label, **kw)


def hv_against_cost(curves, *, title: str, budget_label: str = "budget: max_evaluations",
                    ylabel: str = "HV ratio (1 = exact front)"):
    """HV ratio (mean and 95 % bootstrap interval over seeds) against the cost a user sets (the
    budget, left) and the cost they pay (wall-clock seconds), one line per solver; fairlearn's
    reductions, which count estimator fits rather than evaluations, also on an axis of their own.

    ``curves`` maps a label to a dict with ``style``, ``budget`` (array over budgets, or None for
    a solver that takes no budget: drawn as a level line on the left), ``seconds``, ``y``, ``lo``,
    ``hi`` and optionally ``fits`` (estimator fits per point, for fairlearn's reductions)."""
    budgets = [c["budget"] for c in curves.values() if c.get("budget") is not None]
    fitted = [label for label, c in curves.items() if c.get("fits") is not None]
    n = 1 + bool(budgets) + bool(fitted)
    fig, axes = plt.subplots(1, n, figsize=(4.2 + 4.2 * n, 4.8), sharey=True,
                             layout="constrained", squeeze=False)
    axes = list(axes[0])
    axb = axes.pop(0) if budgets else None
    axs = axes.pop(0)
    axf = axes.pop(0) if fitted else None
    for label, c in curves.items():
        s = c["style"]
        y, lo, hi = (np.asarray(c[k], float) for k in ("y", "lo", "hi"))
        if c.get("budget") is not None and axb is not None:
            _errorbars(axb, np.asarray(c["budget"], float), y, lo, hi, s, label)
        elif budgets:
            axb.axhline(float(np.nanmean(y)), color=s.color, ls=s.linestyle, lw=1.3, zorder=1)
        _errorbars(axs, np.asarray(c["seconds"], float), y, lo, hi, s, label)
        if c.get("fits") is not None:
            _errorbars(axf, np.asarray(c["fits"], float), y, lo, hi, s, label)
    for ax in (axb, axs, axf):
        if ax is None:
            continue
        ax.axhline(1.0, color="0.3", ls=":", lw=1)
        ax.grid(True, which="both", color="0.9", lw=0.6)
        ax.tick_params(labelleft=True)
    if budgets:
        _log_x(axb)
        axb.set_xlabel(f"{budget_label} (log scale)")
        axb.set_title("against the budget a run is given", fontsize=9)
        axb.set_ylabel(ylabel)
    _log_x(axs, subs=(1.0,))
    axs.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axs.set_xlabel("wall-clock seconds per run (mean over seeds; log scale)")
    axs.set_title("against the time a run takes" + ("" if budgets else f" ({budget_label})"),
                  fontsize=9)
    axs.set_ylabel(ylabel if not budgets else "")
    if axf is not None:
        fits = np.concatenate([np.asarray(curves[lb]["fits"], float) for lb in fitted])
        if fits.max() / max(fits.min(), 1.0) > 20:  # fits over decades (a grid_size sweep)
            _log_x(axf)
        else:  # from no fits at all: a single grid size still shows how many it took
            axf.set_xlim(0, fits.max() * 1.15)
            axf.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        axf.set_xlabel("estimator fits per run (mean over seeds)"
                       + (" (log scale)" if axf.get_xscale() == "log" else ""))
        axf.set_title("fairlearn's reductions: against the estimator fits they make\n"
                      "(their own unit: they evaluate no objective while they search)", fontsize=9)
    handles, labels = [], []
    for label, c in curves.items():
        s = c["style"]
        handles.append(_handle(color=s.color, marker=s.marker, ls=s.linestyle, ms=5, lw=1.4))
        labels.append(label if c.get("budget") is not None or not budgets
                      else f"{label} (takes no budget: a level on the left)")
    fig.legend(handles, labels, loc="outside right center", fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=10)
    return fig


def hv_against_evaluations(curves, *, title: str, ylabel: str = "HV ratio (1 = exact front)"):
    """Mean HV ratio (± sd over seeds) against mean evaluations, one line per solver.

    ``curves`` maps a label to ``(evaluations, mean, sd, color)``, arrays over budgets. Kept for
    scripts; the sweep figures draw ``hv_against_cost``."""
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for label, (x, y, sd, color) in curves.items():
        sd = np.nan_to_num(sd)
        below, above = np.minimum(sd, y), np.maximum(np.minimum(sd, 1.0 - y), 0.0)
        s = style(label)
        ax.errorbar(x, y, yerr=[below, above], color=color, marker=s.marker, ls=s.linestyle, ms=4,
                    lw=1.4, capsize=3, label=label)
    ax.axhline(1.0, color="0.3", ls=":", lw=1)
    _log_x(ax)
    ax.set_xlabel("evaluations (one candidate on the full data; log scale)")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", color="0.9", lw=0.6)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def training_curves(curves, *, title: str, ylabel: str = "HV ratio of points evaluated so far"):
    """Median (line) and range over seeds (band) of each run's progress, one look per solver;
    the right panel zooms in on the finish, where the solvers differ.

    ``curves`` maps a label to ``(evaluations, median, low, high, style)`` (a ``Style`` or a
    colour)."""
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.6), layout="constrained")
    finals = [med[np.isfinite(med)][-1] for _, med, _, _, _ in curves.values() if np.isfinite(med).any()]
    low = min(finals + [1.0])
    for ax in axes:
        for label, (x, med, lo, hi, s) in curves.items():
            s = s if isinstance(s, Style) else Style(s, "", "-")
            ax.fill_between(x, lo, hi, color=s.color, alpha=0.15, lw=0)
            # markers spaced along the line (markevery: a fraction of the axes' diagonal): labels
            # of one colour and line style (penalty and pbi, aasf and epo) differ by marker only
            ax.plot(x, med, color=s.color, ls=s.linestyle, lw=1.6, label=label,
                    marker=s.marker or None, ms=4, markevery=0.1)
        ax.axhline(1.0, color="0.3", ls=":", lw=1)
        _log_x(ax, subs=(1.0,))
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
    fig.legend(handles, labels, fontsize=8, loc="outside right center", frameon=False)
    fig.suptitle(title, fontsize=10)
    return fig


# -- a user's own fronts --------------------------------------------------------------------------
def _metric_columns(fronts) -> list[str]:
    """The exact metric columns (``<objective>:exact``) the Fronts in ``fronts`` report."""
    cols = {}
    for f in fronts:
        if hasattr(f, "to_frame") and len(f):
            cols.update(dict.fromkeys(c for c in f.to_frame().columns if c.endswith(":exact")))
    return list(cols)


def _picked(f, F, idx, name="fronts") -> np.ndarray:
    """(k, len(idx)): the objectives (indices into F) and metric columns (names) of a front."""
    from ._validation import fail

    if not any(isinstance(i, str) for i in idx):
        return F[:, idx]
    if not len(F):  # an empty front has no columns to report
        return np.empty((0, len(idx)))
    frame = f.to_frame() if hasattr(f, "to_frame") else None
    cols = []
    for i in idx:
        if not isinstance(i, str):
            cols.append(F[:, i])
        elif frame is None or i not in frame.columns:
            fail(name, f"a Front reporting {i!r} (an array "
                 "holds objectives only)", type(f).__name__, "Pass a Front, or pick objectives.",
                 exc=TypeError)
        else:
            cols.append(frame[i].to_numpy(float))
    return np.column_stack(cols)


def _as_points(f):
    """(F, feasible, objective names, solver) of a Front or an array (k, m)."""
    if hasattr(f, "F") and hasattr(f, "objective_names"):
        return (np.asarray(f.F, float), np.asarray(f.feasible, bool), list(f.objective_names),
                getattr(f, "solver", None))
    F = np.asarray(f, float)
    if F.ndim != 2 or F.shape[1] < 2:
        from ._validation import fail

        fail("fronts", "Fronts or arrays of shape (k, m ≥ 2)", f"an array of shape {F.shape}",
             exc=TypeError if F.ndim != 2 else ValueError)
    return F, np.ones(len(F), bool), None, None


FRONT_KINDS = ("auto", "scatter", "pcp")


def fronts(fronts, *, labels=None, ax=None, reference=None, objectives=None, names=None,
           reference_label: str = "reference front", title: str | None = None,
           kind: str = "auto"):
    """Draw fronts on one Axes and return it: each front's points in its solver's look, its
    non-dominated feasible points joined by a line, infeasible points as crosses, over an optional
    ``reference`` (a Front or an array (k, m)) in grey.

    ``fronts`` is a list of Fronts (or arrays (k, m)); ``labels`` names them (default: the solver);
    ``objectives`` picks the objectives to draw (indices or names; default all; a name may also be
    an exact metric column ``"<objective>:exact"`` of ``front.to_frame()``, e.g. to draw the front
    in the thresholded parity difference rather than its surrogate); ``names``
    overrides the axis labels (default: the objectives' display names). ``kind="auto"`` draws two
    objectives as a scatter and three or more as parallel coordinates (pymoo's PCP: one line per
    point, every objective on an axis of its own); ``"scatter"`` needs exactly two objectives and
    ``"pcp"`` takes any number. A front with no feasible point has no legend entry of its own."""
    from ._validation import check_choice, fail
    from .display import axis_label
    from .indicators import nondominated

    check_choice("kind", kind, FRONT_KINDS)
    if hasattr(fronts, "F") or isinstance(fronts, np.ndarray):
        fronts = [fronts]
    fronts = list(fronts)
    parts = [_as_points(f) for f in fronts]
    if labels is None:
        labels = [solver or f"front {i + 1}" for i, (_, _, _, solver) in enumerate(parts)]
    if len(labels) != len(parts):
        fail("labels", f"one label per front ({len(parts)})", list(labels))
    dims = {F.shape[1] for F, _, _, _ in parts}
    if reference is not None:
        dims.add(_as_points(reference)[0].shape[1])
    if len(dims) > 1:
        fail("fronts", "fronts (and reference) with the same number of objectives",
             f"{sorted(dims)} objectives")
    m = dims.pop() if dims else 2
    obj_names = next((n for _, _, n, _ in parts if n), None)
    idx = []  # an objective's index into F, or the name of a metric column of front.to_frame()
    for o in range(m) if objectives is None else objectives:
        if isinstance(o, str):
            if obj_names is not None and o in obj_names:
                idx.append(obj_names.index(o))
                continue
            metrics = _metric_columns(fronts)
            if o not in metrics:
                fail("objectives", f"indices or names among {obj_names or []} or exact metric "
                     f"columns of front.to_frame() ({', '.join(metrics) or 'none'})", o)
            idx.append(o)
        else:
            if not 0 <= int(o) < m:
                fail("objectives", f"indices from 0 to {m - 1} (the fronts have {m} objectives)",
                     o)
            idx.append(int(o))
    if any(isinstance(i, str) for i in idx):  # draw the chosen columns: F becomes (k, len(idx))
        parts = [(_picked(f, F, idx), ok, n, solver)
                 for f, (F, ok, n, solver) in zip(fronts, parts)]
        if reference is not None:
            reference = _picked(reference, _as_points(reference)[0], idx, "reference")
        labels_of = [i if isinstance(i, str) else obj_names[i] if obj_names else None for i in idx]
        if names is None:
            names = [axis_label(n) if n else f"objective {i + 1}" for i, n in enumerate(labels_of)]
        idx = list(range(len(idx)))
    if kind == "auto":
        kind = "scatter" if len(idx) == 2 else "pcp"
    if kind == "scatter" and len(idx) != 2:
        fail("objectives", "two objectives for kind='scatter'", f"{len(idx)} objectives",
             "Pick two, e.g. objectives=(0, 2), or draw all with kind='pcp'.")
    if len(idx) < 2:
        fail("objectives", "at least two objectives", f"{len(idx)}")
    if names is None:
        names = [axis_label(obj_names[i]) if obj_names else f"objective {i + 1}" for i in idx]
    if kind == "pcp":
        return _fronts_pcp(parts, labels, ax, reference, idx, names, reference_label, title)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.6), layout="constrained")
    if reference is not None:
        R = _as_points(reference)[0][:, idx]
        _exact_line(ax, R[nondominated(R)] if len(R) else R, reference_label)
    looks = styles(labels)
    handles, texts = [], []
    if reference is not None:
        handles.append(_handle(**REFERENCE))
        texts.append(reference_label)
    for (F, ok, _, _), label in zip(parts, labels):
        s = looks[label]
        P = F[:, idx]
        good = P[ok]
        if len(good):  # a front with no (feasible) point gets no legend entry of its own
            ax.scatter(good[:, 0], good[:, 1], s=22, alpha=0.8, lw=0, zorder=3,
                       label=label, **s.points())
            nd = good[nondominated(good)]
            nd = nd[np.argsort(nd[:, 0])]
            ax.plot(nd[:, 0], nd[:, 1], color=s.color, ls=s.linestyle, lw=1.0, zorder=2)
            handles.append(_handle(color=s.color, marker=s.marker, ls=s.linestyle, lw=1.0, ms=5))
            texts.append(label)
        if (~ok).any():
            ax.scatter(P[~ok, 0], P[~ok, 1], s=22, marker="x", color=s.color, lw=1.0, zorder=3,
                       label=f"{label}: infeasible")
            handles.append(_handle(color=s.color, marker="x", ls="", ms=5))
            texts.append(f"{label}: infeasible")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.grid(True, color="0.9", lw=0.6, zorder=0)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(handles, texts, fontsize=8, frameon=False)
    return ax


def _fronts_pcp(parts, labels, ax, reference, idx, names, reference_label, title):
    """``fronts`` for three or more objectives: parallel coordinates on one Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.5, 2.0 * len(idx) + 1.5), 4.6), layout="constrained")
    looks = styles(labels)
    sets, handles, texts = [], [], []
    if reference is not None:
        R = _as_points(reference)[0][:, idx]
        sets.append((R, PCP_REFERENCE))
        handles.append(_handle(**{k: v for k, v in PCP_REFERENCE.items() if k != "zorder"}))
        texts.append(reference_label)
    for (F, ok, _, _), label in zip(parts, labels):
        s = looks[label]
        if ok.any():  # a front with no (feasible) point gets no legend entry of its own
            sets.append((F[ok][:, idx], _pcp_line(s)))
            handles.append(_handle(color=s.color, marker=s.marker, ls=s.linestyle, lw=0.9, ms=4))
            texts.append(label)
        if (~ok).any():
            sets.append((F[~ok][:, idx], _pcp_line(s, ls=":", marker="x", alpha=0.8)))
            handles.append(_handle(color=s.color, marker="x", ls=":", lw=0.9, ms=4))
            texts.append(f"{label}: infeasible")
    parallel_coordinates(ax, sets, names)
    if title:
        ax.set_title(title, fontsize=10, pad=16)
    ax.legend(handles, texts, fontsize=8, frameon=False, loc="upper left",
              bbox_to_anchor=(1.01, 1.0))
    return ax


# -- held-out sweeps: every solver's test front on one axes ---------------------------------------
def fitted_limits(arrays, margin: float = 0.04, include_x=()):
    """((x0, x1), (y0, y1)) around every finite point of ``arrays`` (each (k, 2)) and the x values
    ``include_x`` (e.g. a bound), with a margin: nothing lies beyond them. None with no point."""
    P = [np.asarray(a, float).reshape(-1, 2) for a in arrays if a is not None and len(a)]
    P = np.vstack(P) if P else np.zeros((0, 2))
    P = P[np.isfinite(P).all(1)]
    if not len(P):
        return None
    lo, hi = P.min(0), P.max(0)
    for x in include_x:
        lo[0], hi[0] = min(lo[0], x), max(hi[0], x)
    span = np.where(hi > lo, hi - lo, np.maximum(np.abs(hi), 1.0))
    return tuple((float(a - margin * s), float(b + margin * s)) for a, b, s in zip(lo, hi, span))


def _draw_overlay(ax, series, bounds, bound_styles, *, clip=True):
    for b in bounds:
        ax.axvline(b, color="0.25", lw=1.0, zorder=1.5, **bound_styles[b])
    for s in series:
        look = s["style"]
        train = s.get("train")
        if train is not None and len(train):
            ax.scatter(train[:, 0], train[:, 1], s=22, marker=look.marker, facecolor="none",
                       edgecolor=look.color, lw=0.7, alpha=0.35, zorder=2, clip_on=clip)
        test = s["test"]
        if len(test):
            ax.scatter(test[:, 0], test[:, 1], s=s.get("size", 26), lw=0,
                       alpha=s.get("alpha", 0.85), zorder=3, clip_on=clip, **look.points())
        front = s.get("front")
        if front is not None and len(front) > 1:
            ax.plot(front[:, 0], front[:, 1], color=look.color, ls=look.linestyle, lw=1.1,
                    alpha=0.9, zorder=3, clip_on=clip)
    for s in series:  # the chosen models above every solver's points
        look = s["style"]
        for c in s.get("chosen", ()):
            if c.get("xerr") is not None or c.get("yerr") is not None:
                ax.errorbar(c["x"], c["y"], xerr=c.get("xerr"), yerr=c.get("yerr"), fmt="none",
                            ecolor="black", elinewidth=1.0, capsize=3, zorder=5, clip_on=clip)
            ax.scatter(c["x"], c["y"], s=c.get("size", 320), marker=c.get("marker", "*"),
                       facecolor=look.color, edgecolor="black", lw=1.4, zorder=6, clip_on=clip)


def heldout_overlay(series, names, *, title: str, limits=None, zoom=None, bounds=(),
                    bound_styles=None, chosen_legend=(), train_label="the same points on train",
                    test_label="points on test"):
    """Every solver's test points (filled, its colour and marker), its front on test (a line in
    its line style), the same points on train (hollow and lighter) and the chosen models (large
    outlined markers) on one axes whose ``limits`` hold every point (default: fitted to all).
    ``series``: dicts with ``label``, ``style``, ``test`` (k, 2), optional ``train``, ``front``,
    ``chosen`` (dicts x, y, marker, xerr, yerr) and ``note`` (shown in the legend). ``zoom``:
    limits of a second panel, a close-up of the best points, marked by a box on the first.
    ``bounds``: x values drawn as vertical lines (``bound_styles``: bound -> line keywords);
    ``chosen_legend``: (marker, text) pairs."""
    if limits is None:
        limits = fitted_limits([a for s in series for a in (s["test"], s.get("train"))]
                               + [np.array([[c["x"], c["y"]]]) for s in series
                                  for c in s.get("chosen", ())], include_x=bounds)
    bound_styles = bound_styles or {b: {"ls": "--"} for b in bounds}
    cols = 2 if zoom is not None else 1
    ncol = 3 if cols == 2 else 2
    entries = len(series) + 2 + len(chosen_legend) + len(bounds)
    # the legend sits below the axes: room for its rows (two lines each), so they never squash
    fig, axes = plt.subplots(1, cols, figsize=(7.0 * cols if cols == 2 else 9.5,
                                               5.0 + 0.4 * -(-entries // ncol)),
                             squeeze=False, layout="constrained")
    main = axes[0, 0]
    _draw_overlay(main, series, bounds, bound_styles, clip=False)
    panels = [(main, limits)]
    if zoom is not None:
        close = axes[0, 1]
        _draw_overlay(close, series, bounds, bound_styles, clip=True)
        main.set_title("every point", fontsize=9, color="0.1")
        close.set_title("close-up of the best test points (the grey box on the left)",
                        fontsize=9, color="0.1")
        from matplotlib.patches import Rectangle

        (x0, x1), (y0, y1) = zoom
        main.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor="0.5", alpha=0.08,
                                 edgecolor="0.4", lw=0.8, zorder=1))
        panels.append((close, zoom))
    for ax, (xl, yl) in (p for p in panels if p[1] is not None):
        ax.set_xlim(*xl)
        ax.set_ylim(*yl)
    for ax, _ in panels:
        ax.grid(True, color="0.9", lw=0.6, zorder=0)
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
    handles, labels = [], []
    for s in series:
        look = s["style"]
        handles.append(_handle(color=look.color, marker=look.marker, ls=look.linestyle, ms=6,
                               lw=1.1))
        labels.append(s["label"] + (f"\n  {s['note']}" if s.get("note") else ""))
    handles.append(_handle(color="0.35", marker="o", ls="", ms=6))
    labels.append(test_label)
    if any(s.get("train") is not None and len(s["train"]) for s in series):
        handles.append(_handle(color="0.35", marker="o", ls="", ms=6, markerfacecolor="none",
                               alpha=0.5))
        labels.append(train_label)
    for marker, text in chosen_legend:
        handles.append(_handle(color="0.55", marker=marker, ls="", ms=14, mec="black", mew=1.4))
        labels.append(text)
    for b in bounds:
        handles.append(_handle(color="0.25", lw=1.0, **bound_styles[b]))
        labels.append(f"bound {b:g}")
    # below the axes, never over a point; long solver notes wrap onto a second line
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol,
               fontsize=8, frameon=False, labelspacing=0.9, columnspacing=2.0)
    fig.suptitle(title, fontsize=11)
    return fig
