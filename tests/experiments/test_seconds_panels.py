"""The wall-clock figure of a study: (test) HV ratio against max_seconds, one panel per problem."""

import matplotlib
import pandas as pd

from tradeoff.experiments import figures


def _runs(test=True):
    rows = []
    for problem in ("small", "large"):
        for label, solver in (("weighted-sum", "weighted-sum"), ("nsga2", "nsga2")):
            for b, hv in ((10, 0.5), (60, 0.9)):
                rows.append({"problem": problem, "label": label, "solver": solver, "status": "ok",
                             "opt_max_seconds": b, "hv_ratio": hv,
                             "test_hv_ratio": hv - 0.1 if test else None})
        rows.append({"problem": problem, "label": "exact", "solver": "exact", "status": "ok",
                     "opt_max_seconds": None, "hv_ratio": None, "test_hv_ratio": None})
    return pd.DataFrame(rows)


def test_one_panel_per_problem_with_the_test_hv_ratio(tmp_path, monkeypatch):
    from tradeoff import plots

    drawn = {}

    def capture(fig, stem, formats=("png", "svg")):
        drawn["fig"] = fig
        return [stem]

    monkeypatch.setattr(plots, "save", capture)
    assert figures._seconds_panels(_runs(), tmp_path) == [tmp_path / "hv_budget_panels"]
    axes = [ax for ax in drawn["fig"].axes if ax.get_title()]
    assert [ax.get_title() for ax in axes] == ["small", "large"]
    line = axes[0].get_lines()[0]
    assert list(line.get_xdata()) == [10, 60] and list(line.get_ydata()) == [0.4, 0.8]
    assert axes[0].get_ylabel() == "test HV ratio (1 = best found)"
    assert len(drawn["fig"].legends) == 1
    matplotlib.pyplot.close(drawn["fig"])


def test_no_panels_without_a_seconds_grid(tmp_path):
    runs = _runs()
    assert figures._seconds_panels(runs[runs["problem"] == "small"], tmp_path) == []
    assert figures._seconds_panels(runs.drop(columns="opt_max_seconds"), tmp_path) == []
