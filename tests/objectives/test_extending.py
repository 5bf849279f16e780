"""docs/extending.md's example runs as written, and installed packages register by entry point."""

import re
import sys
import textwrap
from pathlib import Path

import numpy as np

import tradeoff as to
from tradeoff import objectives

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EXTENDING = ROOT / "docs" / "extending.md"


def _section_code(title: str, page: Path = README) -> str:
    """The Python blocks under the heading ``## {title}…`` of ``page``, joined in order."""
    text = page.read_text(encoding="utf-8")
    assert f"\n## {title}" in text, f"no section '## {title}' in {page.name}"
    section = text.split(f"\n## {title}", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```python\n(.*?)```", section, flags=re.S))


def test_extension_example_runs():
    code = _section_code("An objective", EXTENDING)
    assert "register_objective" in code
    scope: dict = {}
    exec(compile(code, str(EXTENDING), "exec"), scope)
    front = scope["front"]
    assert "positive_rate_gap_sq" in front.objective_names
    assert len(front) == 12 and np.isfinite(front.F).all()
    # its gradient is the real one: compare with central differences at one point
    prob = scope["problem"]
    theta = front.X[3]
    ev = prob.evaluate(theta)
    h = 1e-6
    num = [(prob.evaluate(theta + h * e, grad=False).F[0, 1]
            - prob.evaluate(theta - h * e, grad=False).F[0, 1]) / (2 * h) for e in np.eye(len(theta))]
    np.testing.assert_allclose(ev.dF[0, 1], num, rtol=1e-5, atol=1e-9)


def test_installed_packages_register_through_the_entry_point_group(tmp_path, monkeypatch):
    pkg = tmp_path / "myfairness.py"
    pkg.write_text(textwrap.dedent('''
        from tradeoff.objectives import LossObjective

        def worst_mae(**params):
            return LossObjective("mae", **params)
    '''))
    dist = tmp_path / "myfairness-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: myfairness\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[tradeoff.objectives]\nmy_mae = myfairness:worst_mae\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(objectives, "_entry_points_loaded", False)
    assert "my_mae" in objectives.objective_names()
    prob = to.Problem.from_dict({"data": "blog", "objectives": ["mse", "my_mae"]})
    assert prob.objective_names == ["mse", "mae"]
    sys.modules.pop("myfairness", None)
    objectives.REGISTRY.pop("my_mae", None)


def test_exact_metric_and_display_names_example():
    """docs/extending.md's FDR gap: its labels reach the axes, its exact metric is fairlearn's
    false discovery rate gap, and the surrogate's gradient is the real one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pytest

    code = _section_code("An objective", EXTENDING)
    assert "exact_label" in code
    scope: dict = {}
    try:
        exec(compile(code, str(EXTENDING), "exec"), scope)
        front, prob = scope["fdr_front"], scope["fdr_problem"]
        ax = scope["ax"]
        assert ax.get_ylabel() == "false-discovery-rate gap"
        from tradeoff.display import axis_label

        assert axis_label("fdr_gap_sq") == "squared soft FDR gap"
        exact = front.to_frame()["fdr_gap_sq:exact"].to_numpy()
        assert np.isfinite(exact).all() and exact.max() > exact.min()
        fm = pytest.importorskip("fairlearn.metrics")
        data = prob.data
        for i in range(len(front)):
            p = front.predictor(i).predict_proba(data.X)[:, 1]
            decided = (p >= 0.5).astype(int)

            def fdr(y_true, y_pred):
                return float(np.mean(y_true[y_pred == 1] == 0))

            mf = fm.MetricFrame(metrics=fdr, y_true=data.y, y_pred=decided,
                                sensitive_features=data.groups)
            assert exact[i] == pytest.approx(mf.difference(), abs=1e-12)
        theta = front.X[2]
        ev = prob.evaluate(theta)
        h = 1e-6
        num = [(prob.evaluate(theta + h * e, grad=False).F[0, 1]
                - prob.evaluate(theta - h * e, grad=False).F[0, 1]) / (2 * h)
               for e in np.eye(len(theta))]
        np.testing.assert_allclose(ev.dF[0, 1], num, rtol=1e-5, atol=1e-9)
    finally:
        plt.close("all")
        objectives.REGISTRY.pop("fdr_gap_sq", None)
