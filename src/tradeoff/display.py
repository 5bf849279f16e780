"""What a reader sees of an objective: a display name and a unit, for axis labels and table headers.

Column names stay as they are (``mse``, ``demographic_parity_sq:exact``); only what is printed for
people changes. An objective can carry its own ``label`` and ``unit`` class attributes (a user's
registered objective, say), and ``exact_label`` and ``exact_unit`` for the exact metric its
``exact`` method reports; the built-in ones are listed here. Plain Python, no matplotlib: reports
use it too.

    >>> axis_label("demographic_parity_sq:exact")
    'parity difference of decisions'
    >>> axis_label("cap_violation", {"cap": 120})
    'squared excess over the cap, cap = 120 [target²]'
"""

from __future__ import annotations

from typing import NamedTuple


class Display(NamedTuple):
    label: str
    unit: str = ""  # "" for a pure number (a share, a difference of rates)


# The built-in objectives, and the exact metrics reported beside the surrogates (``name:exact``).
# Units are in terms of the target y, since datasets do not (yet) say theirs.
DISPLAY: dict[str, Display] = {
    "mse": Display("MSE", "target²"),
    "mae": Display("MAE", "target"),
    "huber": Display("Huber loss", "target"),
    "pinball": Display("pinball loss", "target"),
    "log_cosh": Display("log-cosh loss", "target"),
    "log_loss": Display("log-loss", "nats"),
    "cap_violation": Display("squared excess over the cap", "target²"),
    "cap_excess_rate": Display("share of predictions above the cap"),
    "cap_max": Display("largest excess over the cap", "target"),
    "l2": Display("squared L2 norm of the weights"),
    "l1": Display("L1 norm of the weights"),
    "mean_gap_sq": Display("squared gap of group mean predictions", "target²"),
    "mean_gap_sq:exact": Display("gap of group mean predictions", "target"),
    "group_loss_gap_sq": Display("squared gap of group losses"),
    "group_loss_gap_sq:exact": Display("gap of group losses"),
    "demographic_parity_sq": Display("squared parity gap of scores"),
    "demographic_parity_sq:exact": Display("parity difference of decisions"),
    "equal_opportunity_sq": Display("squared equal-opportunity gap of scores"),
    "equal_opportunity_sq:exact": Display("equal-opportunity difference of decisions"),
    "equalized_odds_sq": Display("squared equalized-odds gap of scores"),
    "equalized_odds_sq:exact": Display("equalized-odds difference of decisions"),
    "demographic_parity_tanh": Display("tanh-relaxed parity gap (LibMOON's ddp)"),
    "demographic_parity_tanh:exact": Display("parity difference of decisions"),
    "equal_opportunity_tanh": Display("tanh-relaxed equal-opportunity gap (LibMOON's deo)"),
    "equal_opportunity_tanh:exact": Display("equal-opportunity difference of decisions"),
}


def display(name: str) -> Display:
    """The display name and unit of an objective or metric column; the name itself if unknown.

    An objective registered with ``label`` (and optionally ``unit``) attributes wins over the
    built-in table, and so do ``exact_label`` / ``exact_unit`` for its ``<name>:exact`` metric;
    without them ``<name>:exact`` reads "<label> (exact metric)"."""
    base, _, suffix = name.partition(":")
    own = _registered(base)
    if own is not None and not suffix and getattr(own, "label", None):
        return Display(str(own.label), str(getattr(own, "unit", "") or ""))
    if own is not None and suffix == "exact" and getattr(own, "exact_label", None):
        return Display(str(own.exact_label), str(getattr(own, "exact_unit", "") or ""))
    if name in DISPLAY:
        return DISPLAY[name]
    if suffix == "exact":
        return Display(f"{display(base).label} (exact metric)")
    return Display(name)


def _registered(name: str):
    """The registered factory of an objective (a class, usually), or None; never raises."""
    from .objectives import objective_factory

    return objective_factory(name)


def _param(key, value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{key} = {value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else f"{key} = {value}"


def axis_label(name: str, params: dict | None = None, *, unit: bool = True) -> str:
    """``label, param = value [unit]``: what an axis or a table header says for an objective."""
    d = display(name)
    text = d.label
    params = {k: v for k, v in (params or {}).items() if k != "name"}
    if params:
        text += ", " + ", ".join(_param(k, v) for k, v in params.items())
    if unit and d.unit:
        text += f" [{d.unit}]"
    return text


def describe(name: str, params: dict | None = None) -> str:
    """``label [unit] (`name`)``: the display name with the column it comes from, for reports."""
    return f"{axis_label(name, params)} (`{name}`)"
