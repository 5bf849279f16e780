"""Sweep figures: the attainment surface they draw, and figures a reader can use."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tradeoff import plots
from tradeoff.experiments.figures import attainment_surface

point_sets = st.lists(hnp.arrays(float, st.tuples(st.integers(1, 6), st.just(2)),
                                 elements=st.integers(0, 20).map(float)), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(point_sets, st.data())
def test_attainment_surface_matches_moocore(sets, data):
    moocore = pytest.importorskip("moocore")
    k = data.draw(st.integers(1, len(sets)))
    ours = attainment_surface(sets, k)
    points = np.vstack(sets)
    labels = np.concatenate([np.full(len(s), i + 1) for i, s in enumerate(sets)])
    level = 100.0 * k / len(sets)
    eaf = moocore.eaf(points, labels)
    # moocore lists the corners of every level; the one at k of n sets is ours
    theirs = eaf[np.isclose(eaf[:, 2], level)][:, :2]
    theirs = theirs[np.lexsort((theirs[:, 1], theirs[:, 0]))]
    np.testing.assert_array_equal(ours[np.lexsort((ours[:, 1], ours[:, 0]))], theirs)


def test_attainment_surface_by_hand():
    a = np.array([[1.0, 3.0], [3.0, 1.0]])
    b = np.array([[2.0, 2.0]])
    np.testing.assert_array_equal(attainment_surface([a, b], 1), [[1, 3], [2, 2], [3, 1]])
    np.testing.assert_array_equal(attainment_surface([a, b], 2), [[2, 3], [3, 2]])
    assert attainment_surface([a], 2).shape == (0, 2)


def _texts(fig):
    out = []
    for ax in fig.axes:
        out += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
        legend = ax.get_legend()
        if legend:
            out += [t.get_text() for t in legend.get_texts()]
    out += [t.get_text() for t in fig.texts]
    for legend in fig.legends:
        out += [t.get_text() for t in legend.get_texts()]
    return out


def test_front_panels_mark_infeasible_points_and_name_the_axes(tmp_path):
    exact = np.column_stack([np.linspace(0, 1, 20), 1 - np.linspace(0, 1, 20) ** 0.5])
    panels = [{"label": "nsga2", "color": "C0", "note": "3 seeds",
               "feasible": exact[::3] + 0.05, "infeasible": np.array([[0.2, 0.2], [9.0, 9.0]])},
              {"label": "penalty", "color": "C1", "note": "3 seeds",
               "feasible": exact[::5] + 0.01, "infeasible": np.zeros((0, 2))}]
    fig = plots.front_panels(exact, panels, ["mse", "cap_violation (cap = 120)"], title="t",
                             limits=((-0.1, 1.1), (-0.1, 1.1)))
    texts = _texts(fig)
    assert {"mse", "cap_violation (cap = 120)", "exact front", "infeasible points"} <= set(texts)
    assert any(t.startswith("feasible points") for t in texts)
    assert any("1 point beyond the axes" in t for t in texts)
    assert len(fig.legends) == 1 and not any(ax.get_legend() for ax in fig.axes)
    paths = plots.save(fig, tmp_path / "fronts")
    assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.stat().st_size for p in paths)


def test_the_other_figures(tmp_path):
    exact = np.column_stack([np.linspace(0, 1, 20), 1 - np.linspace(0, 1, 20)])
    surf = attainment_surface([exact[::4] + 0.1, exact[::3] + 0.05], 1)
    fig = plots.attainment(exact, [{"label": "a", "color": "C0", "note": "", "median": surf,
                                    "best": surf, "worst": surf}], ["f1", "f2"], title="t")
    assert {"best seed (attained by one seed)", "worst seed (attained by all seeds)",
            "median (attained by half the seeds)"} <= set(_texts(fig))
    plots.save(fig, tmp_path / "att")
    x = np.array([100.0, 1000.0])
    fig = plots.hv_against_evaluations({"a": (x, np.array([0.9, 0.99]), np.array([0.01, np.nan]),
                                              "C0")}, title="t")
    assert "HV ratio (1 = exact front)" in _texts(fig)
    assert fig.axes[0].get_xscale() == "log"
    plots.save(fig, tmp_path / "hv")
    fig = plots.training_curves({"a": (x, np.array([0.5, 0.99]), np.array([0.4, 0.98]),
                                       np.array([0.6, 1.0]), "C0")}, title="t")
    assert "a" in _texts(fig) and len(fig.axes) == 2
    plots.save(fig, tmp_path / "tr")
    assert len(list(tmp_path.iterdir())) == 6


# -- one solver, one look; axes a reader understands; nothing hidden --------------------------------
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

from tradeoff.display import axis_label, display  # noqa: E402
from tradeoff.front import Front  # noqa: E402

RESULTS = Path(__file__).resolve().parents[1] / "results"


def test_styles_are_fixed_distinct_and_deterministic():
    for label, s in plots.STYLES.items():
        assert plots.style(label) == s
        assert matplotlib.colors.is_color_like(s.color)
    # an unknown label gets the same look in every process (a hash, not the order of appearance)
    assert plots.style("my-solver") == plots.style("my-solver")
    looks = plots.styles(["a1", "a2", "a3", "nsga2", "my-solver"] + [f"x{i}" for i in range(40)])
    assert len(set(looks.values())) == len(looks)
    assert looks["nsga2"] == plots.STYLES["nsga2"]


def _studies():
    return sorted(p.parent for p in RESULTS.glob("*/runs.csv"))


def test_every_study_draws_a_solver_in_the_same_style(monkeypatch):
    """Issue 13: the same solver label has one colour, marker and line style in every figure of
    every committed study, and no two labels of one figure look alike."""
    from tradeoff.experiments import figures

    studies = _studies()
    if not studies:
        pytest.skip("no committed results")
    seen: dict[str, plots.Style] = {}
    figures_seen = []

    def record(kind):
        def fake(*args, **kwargs):
            looks = {}
            if kind in ("front_panels", "attainment"):
                looks = {p["label"]: p["style"] for p in args[1]}
            elif kind == "hv_against_cost":
                looks = {k: c["style"] for k, c in args[0].items()}
            elif kind == "training_curves":
                looks = {k: c[4] for k, c in args[0].items()}
            elif kind == "pairwise_fronts":
                looks = dict(kwargs["styles"])
            elif kind == "pcp_panels":
                looks = {p["label"]: p["style"] for p in args[1]}
            elif kind == "eafdiff":  # draws the two solvers in plots.style's looks
                looks = {kwargs["a"]: plots.style(kwargs["a"]), kwargs["b"]: plots.style(kwargs["b"])}
            figures_seen.append((kind, looks))
            return None
        return fake

    kinds = ("front_panels", "attainment", "hv_against_cost", "training_curves", "eafdiff",
             "pairwise_fronts", "pcp_panels")
    for kind in kinds:
        monkeypatch.setattr(plots, kind, record(kind))
    monkeypatch.setattr(plots, "save", lambda fig, stem, formats=("png", "svg"): [])
    for study in studies:
        figures.draw(study, out=None)
    assert figures_seen
    # every kind of figure a study draws was seen (the shoot-out has three objectives: PCP panels)
    assert {kind for kind, _ in figures_seen} == set(kinds)
    for kind, looks in figures_seen:
        assert len(set(looks.values())) == len(looks), (kind, looks)
        for label, s in looks.items():
            assert isinstance(s, plots.Style)
            assert seen.setdefault(label, s) == s, label
    assert seen["nsga2"] == plots.STYLES["nsga2"]


def test_display_names_and_units():
    assert display("mse").label == "MSE" and display("mse").unit == "target²"
    assert axis_label("demographic_parity_sq:exact") == "parity difference of decisions"
    assert axis_label("cap_violation", {"cap": 120.0}) == \
        "squared excess over the cap, cap = 120 [target²]"
    assert axis_label("my_objective") == "my_objective"
    assert axis_label("my_objective:exact") == "my_objective (exact metric)"


def test_an_objective_can_carry_its_own_label(monkeypatch):
    from tradeoff import objectives

    class Mine(objectives.PredictionObjective):
        name = "mine"
        label = "my own gap"
        unit = "points"

    monkeypatch.setitem(objectives.REGISTRY, "mine", Mine)
    assert axis_label("mine") == "my own gap [points]"


def _unconstrained_panels():
    exact = np.column_stack([np.linspace(0, 1, 20), 1 - np.linspace(0, 1, 20) ** 0.5])
    return exact, [{"label": lb, "style": plots.style(lb), "note": "3 seeds",
                    "feasible": exact[::2] + 0.02 * i, "infeasible": np.zeros((0, 2))}
                   for i, lb in enumerate(["penalty", "nsga2", "moead", "sms-emoa"])]


def test_nothing_hidden_in_the_panels():
    exact, panels = _unconstrained_panels()
    panels[1]["feasible"] = np.vstack([panels[1]["feasible"], [[5.0, 0.5], [0.5, 7.0]]])
    fig = plots.front_panels(exact, panels, ["f1", "f2"], title="t",
                             limits=((-0.1, 1.1), (-0.1, 1.1)))
    texts = _texts(fig)
    # no constraints: no "feasible" in the legend; one legend for the figure
    assert not any("feasible" in t for t in texts)
    assert len(fig.legends) == 1
    assert any("2 points beyond the axes" in t for t in texts)
    assert any("beyond the axes" in t for t in [t.get_text() for t in fig.legends[0].get_texts()])
    # the two far points are drawn on the edges, inside the limits
    ax = fig.axes[1]
    edge = [c.get_offsets() for c in ax.collections if not c.get_clip_on()]
    pts = np.vstack(edge)
    assert len(pts) == 2 and pts[:, 0].max() <= 1.1 and pts[:, 1].max() <= 1.1
    # tick labels on every visible panel of the grid
    for a in fig.axes:
        if a.get_visible():
            fig.canvas.draw()
            assert any(t.get_text() for t in a.get_xticklabels())
            assert any(t.get_text() for t in a.get_yticklabels())


def test_deterministic_solvers_are_drawn_once():
    exact = np.column_stack([np.linspace(0, 1, 10), 1 - np.linspace(0, 1, 10)])
    surf = attainment_surface([exact + 0.05], 1)
    fig = plots.attainment(exact, [{"label": "penalty", "style": plots.style("penalty"),
                                    "note": "", "median": surf, "best": surf, "worst": surf,
                                    "deterministic": True}], ["f1", "f2"], title="t")
    assert len(fig.axes[0].get_lines()) == 2  # the reference and one front
    texts = _texts(fig)
    assert "best seed (attained by one seed)" not in texts
    assert any(t.startswith("deterministic") for t in texts)


def test_hv_against_cost_puts_budget_and_seconds_on_the_axes():
    c = {"style": plots.style("nsga2"), "budget": np.array([300.0, 1000.0]),
         "seconds": np.array([0.1, 0.3]), "y": np.array([0.9, 0.95]), "lo": np.array([0.85, 0.94]),
         "hi": np.array([0.93, 0.96])}
    flat = {"style": plots.style("fairlearn-grid"), "budget": None, "seconds": np.array([2.0]),
            "y": np.array([0.5]), "lo": np.array([np.nan]), "hi": np.array([np.nan])}
    fig = plots.hv_against_cost({"nsga2": c, "fairlearn-grid": flat}, title="t")
    texts = _texts(fig)
    assert "budget: max_evaluations (log scale)" in texts
    assert any("wall-clock seconds" in t for t in texts)
    assert len(fig.legends) == 1


def _front(solver, shift=0.0, infeasible=False):
    t = np.linspace(0, 1, 8)
    F = np.column_stack([t + shift, 1 - t + shift])
    G = np.where(np.arange(8) == 0, 1.0, -1.0)[:, None] if infeasible else None
    return Front(F, np.zeros((8, 2)), ("mse", "demographic_parity_sq:exact"), ("a", "b"), solver,
                 G=G)


def test_fronts_for_a_users_own_fronts(tmp_path):
    ax = plots.fronts([_front("nsga2", 0.1), _front("penalty", 0.05, infeasible=True)],
                      reference=_front("exact"))
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_xlabel() == "MSE [target²]"
    assert ax.get_ylabel() == "parity difference of decisions"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["reference front", "nsga2", "penalty", "penalty: infeasible"]
    nsga2 = [c for c in ax.collections if c.get_label() == "nsga2"][0]
    assert matplotlib.colors.same_color(nsga2.get_facecolor()[0][:3], plots.style("nsga2").color)
    plots.save(ax.figure, tmp_path / "mine")
    # on a given Axes, and from the Front itself
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    assert _front("nsga2").plot(ax=axes[1], reference=_front("exact").F) is axes[1]
    assert plots.fronts(np.array([[1.0, 2.0], [2.0, 1.0]]), ax=axes[0]) is axes[0]
    plt.close("all")


def test_fronts_rejects_what_is_no_front():
    with pytest.raises(TypeError, match="`fronts` must be Fronts or arrays"):
        plots.fronts([np.zeros(3)])
    with pytest.raises(ValueError, match="`labels` must be one label per front"):
        plots.fronts([_front("a")], labels=["a", "b"])


# -- three or more objectives: parallel coordinates, not a silent projection ------------------------
def _front3(solver, shift=0.0, k=6, infeasible=False):
    t = np.linspace(0, 1, k)
    F = np.column_stack([t + shift, (1 - t) ** 2 + shift, 100 * (t - 0.5) ** 2 + shift])
    G = np.where(np.arange(k) == 0, 1.0, -1.0)[:, None] if infeasible else None
    return Front(F, np.zeros((k, 2)), ("mse", "cap_violation", "l2"), ("a", "b"), solver, G=G)


def _pcp_lines(ax, m=3):
    """The data polylines of a PCP: one Line2D through x = 0, 1, ..., m − 1 per point."""
    return [ln for ln in ax.get_lines() if list(ln.get_xdata()) == list(range(m))]


def test_three_objective_fronts_are_parallel_coordinates(tmp_path):
    import matplotlib.pyplot as plt

    family = list(plt.rcParams["font.family"])
    ax = plots.fronts([_front3("nsga2", 0.05), _front3("penalty", 0.1, infeasible=True)],
                      reference=_front3("exact", k=10))
    # one line per point (10 reference + 6 + 5 feasible + 1 infeasible), no 2-D scatter
    lines = _pcp_lines(ax)
    assert len(lines) == 22
    assert not [c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "MSE [target²]", "squared excess over\nthe cap [target²]", "squared L2 norm of the\nweights"]
    # every line in its solver's look; the bounds written at the axes' ends span every point
    colours = [matplotlib.colors.to_hex(ln.get_color()) for ln in lines]
    assert colours.count(plots.style("nsga2").color.lower()) == 6
    assert colours.count(plots.style("penalty").color.lower()) == 6
    assert all(0 <= y <= 1 for ln in lines for y in ln.get_ydata())
    assert {t.get_text() for t in ax.texts} == {"0", "1.1", "0.3086", "25.1"}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["reference front", "nsga2", "penalty", "penalty: infeasible"]
    assert list(plt.rcParams["font.family"]) == family  # pymoo's serif font does not leak
    plots.save(ax.figure, tmp_path / "pcp")
    # two chosen objectives: a scatter, named; the same from the Front itself
    ax = _front3("nsga2").plot(objectives=("mse", "l2"))
    assert ax.get_xlabel() == "MSE [target²]" and not _pcp_lines(ax)
    assert ax.get_ylabel() == "squared L2 norm of the weights"
    ax = _front3("nsga2").plot()
    assert len(_pcp_lines(ax)) == 6
    # two objectives can be drawn as parallel coordinates too
    assert len(_pcp_lines(plots.fronts([_front("nsga2")], kind="pcp"), m=2)) == 8
    plt.close("all")


def test_fronts_rejects_bad_kinds_and_objectives():
    with pytest.raises(ValueError, match=r"`objectives` must be two objectives for "
                                         r"kind='scatter'.*3 objectives"):
        plots.fronts([_front3("a")], kind="scatter")
    with pytest.raises(ValueError, match="`kind` must be one of auto, pcp, scatter"):
        plots.fronts([_front3("a")], kind="pairs")
    with pytest.raises(ValueError, match=r"`objectives` must be indices from 0 to 2.*5"):
        plots.fronts([_front3("a")], objectives=(0, 5))
    with pytest.raises(ValueError, match=r"`fronts` must be fronts \(and reference\) with the "
                                         r"same number of objectives.*\[2, 3\]"):
        plots.fronts([_front3("a")], reference=_front("exact"))


def test_pcp_panels_one_per_solver_with_shared_axes(tmp_path):
    ref = _front3("exact", k=10).F
    panels = [{"label": lb, "style": plots.style(lb), "note": "3 seeds",
               "feasible": _front3(lb, 0.05 * i).F, "infeasible": np.zeros((0, 3))}
              for i, lb in enumerate(["penalty", "nsga2", "moead", "sms-emoa"])]
    panels[1]["feasible"] = np.vstack([panels[1]["feasible"], [[9.0, 0.1, 0.1]]])
    fig = plots.pcp_panels(ref, panels, ["f1", "f2", "f3"], title="t")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4
    for ax, panel in zip(visible, panels):
        lines = _pcp_lines(ax)
        assert len(lines) == 10 + len(panel["feasible"])
        assert ax.get_title().startswith(panel["label"])
        # the far point widens every panel's first axis alike: nothing beyond the axes
        assert "9" in {t.get_text() for t in ax.texts}
        assert all(0 <= y <= 1 for ln in lines for y in ln.get_ydata())
    assert len(fig.legends) == 1 and not any("infeasible" in t.get_text()
                                             for t in fig.legends[0].get_texts())
    assert all(p.stat().st_size for p in plots.save(fig, tmp_path / "panels"))


def test_hv_against_cost_gives_estimator_fits_an_axis_of_their_own():
    c = {"style": plots.style("nsga2"), "budget": np.array([300.0, 1000.0]),
         "seconds": np.array([0.1, 0.3]), "y": np.array([0.9, 0.95]), "lo": np.array([0.85, 0.94]),
         "hi": np.array([0.93, 0.96]), "fits": None}
    fl = {"style": plots.style("fairlearn-grid"), "budget": None, "seconds": np.array([2.0]),
          "y": np.array([0.5]), "lo": np.array([0.4]), "hi": np.array([0.6]),
          "fits": np.array([21.0])}
    fig = plots.hv_against_cost({"nsga2": c, "fairlearn-grid": fl}, title="t")
    axb, axs, axf = fig.axes
    assert axb.get_xlabel().startswith("budget: max_evaluations")
    assert axf.get_xlabel() == "estimator fits per run (mean over seeds)"

    def xs(ax, colour):
        # x of the points and caps drawn in a colour (a level line has no marker)
        return {float(x) for ln in ax.get_lines() if ln.get_marker() not in ("None", "")
                and matplotlib.colors.same_color(ln.get_color(), colour) for x in ln.get_xdata()}

    # fairlearn's fits are on their own axis, never on the budget (evaluations) axis
    assert xs(axf, fl["style"].color) == {21.0} and xs(axf, c["style"].color) == set()
    assert xs(axb, fl["style"].color) == set() and xs(axb, c["style"].color) == {300.0, 1000.0}
    assert xs(axs, fl["style"].color) == {2.0}
    assert axf.get_xlim()[0] == 0


def test_fronts_in_an_exact_metric_and_empty_fronts_without_legend(tmp_path):
    import matplotlib.pyplot as plt

    import tradeoff

    data = tradeoff.datasets.synthetic_shift(n=300, task="classification", seed=0)
    problem = tradeoff.Problem(data, "logistic", ["log_loss", "demographic_parity_sq"])
    front = tradeoff.solve(problem, "weighted-sum", n_points=5)
    empty = Front(np.zeros((0, 2)), np.zeros((0, front.X.shape[1])), front.objective_names,
                  front.param_names, "nsga2")
    ax = plots.fronts([front, empty], objectives=("log_loss", "demographic_parity_sq:exact"))
    assert ax.get_ylabel() == "parity difference of decisions"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["weighted-sum"]
    drawn = [c for c in ax.collections if c.get_label() == "weighted-sum"][0].get_offsets()
    exact = front.to_frame()["demographic_parity_sq:exact"].to_numpy()
    assert np.allclose(np.sort(np.asarray(drawn)[:, 1]), np.sort(exact))
    plots.save(ax.figure, tmp_path / "exact")
    # the same metric as an axis of parallel coordinates, and an empty front there too
    three = ("log_loss", "demographic_parity_sq", "demographic_parity_sq:exact")
    ax = plots.fronts([front, empty], kind="pcp", objectives=three)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["weighted-sum"]
    assert len(_pcp_lines(ax)) == len(front)
    with pytest.raises(ValueError, match=r"`objectives` must be indices or names among .*"
                                         r"demographic_parity_sq:exact\); got 'mse:exact'"):
        plots.fronts([front], objectives=("log_loss", "mse:exact"))
    with pytest.raises(TypeError, match="`reference` must be a Front reporting "
                                        "'demographic_parity_sq:exact'"):
        plots.fronts([front], objectives=("log_loss", "demographic_parity_sq:exact"),
                     reference=front.F)
    plt.close("all")


def test_heldout_overlay_shows_every_point_and_names_every_solver():
    from tradeoff.plots import style

    rng = np.random.default_rng(0)
    far = np.array([[0.9, 0.2]])  # a poor point far from the rest stays inside the axes
    series = [{"label": lb, "style": style(lb), "note": "1 run",
               "test": np.vstack([rng.uniform(0, 0.1, (8, 2)) + [0, 0.8], far * (i + 1)]),
               "train": rng.uniform(0, 0.1, (8, 2)) + [0, 0.85],
               "chosen": [{"x": 0.04, "y": 0.83}]}
              for i, lb in enumerate(["weighted-sum", "nsga2", "fairlearn-grid"])]
    fig = plots.heldout_overlay(series, ["gap", "accuracy"], title="t", bounds=(0.05,),
                                chosen_legend=[("*", "chosen")])
    main = fig.axes[0]
    (x0, x1), (y0, y1) = main.get_xlim(), main.get_ylim()
    for s in series:
        for P in (s["test"], s["train"]):
            assert ((P[:, 0] >= x0) & (P[:, 0] <= x1) & (P[:, 1] >= y0) & (P[:, 1] <= y1)).all()
    assert x0 <= 0.05 <= x1  # the bound is in view
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    for s in series:
        assert any(t.startswith(s["label"]) for t in texts), s["label"]
    assert not any("beyond the axes" in t for t in _texts(fig))
    assert len(fig.axes) == 1  # no close-up without a zoom
    import matplotlib.pyplot as plt

    plt.close(fig)
