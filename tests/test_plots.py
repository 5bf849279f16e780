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
    assert {"mse", "cap_violation (cap = 120)", "exact front", "feasible points",
            "infeasible points"} <= set(texts)
    assert any("1 point beyond the axes" in t for t in texts)
    paths = plots.save(fig, tmp_path / "fronts")
    assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.stat().st_size for p in paths)


def test_the_other_figures(tmp_path):
    exact = np.column_stack([np.linspace(0, 1, 20), 1 - np.linspace(0, 1, 20)])
    surf = attainment_surface([exact[::4] + 0.1, exact[::3] + 0.05], 1)
    fig = plots.attainment(exact, [{"label": "a", "color": "C0", "note": "", "median": surf,
                                    "best": surf, "worst": surf}], ["f1", "f2"], title="t")
    assert {"best seed", "worst seed", "median (half the seeds)"} <= set(_texts(fig))
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
