"""Objectives and their registry: the names a config or ``get_objective`` can use.

Members: ``base`` (Objective, PredictionObjective, ParameterObjective, Batch, Constraint), ``core``
(losses, caps, norms) and ``fairness`` (group-gap surrogates with their exact metrics). The
registry sits here, above its members; ``register_objective`` adds a user's objective, and installed
packages add theirs under the entry-point group "tradeoff.objectives".
"""

from __future__ import annotations

import inspect
from importlib.metadata import entry_points
from typing import Callable

from .._validation import check_choice, check_params, closest, fail
from ..losses import LOSSES, loss_factories
from .base import (Batch, Constraint, Objective, ParameterObjective, PredictionObjective,
                   check_loss_model, identity_link)
from .core import (CapExcessRate, CapMax, CapViolation, L1Norm, L2Norm, LossObjective)
from .fairness import (DemographicParitySq, DemographicParityTanh, EqualizedOddsSq,
                       EqualOpportunitySq, EqualOpportunityTanh, GroupLossGapSq, MeanGapSq)


def _loss_objective(name: str) -> Callable[..., Objective]:
    """The factory of a loss as an objective, with the loss's own parameters as its signature
    (so that get_objective names them, and a stray ``loss`` key is one more unknown name)."""
    def make(**params):
        return LossObjective(name, **params)

    make.__signature__ = inspect.signature(loss_factories()[name])
    return make


REGISTRY: dict[str, Callable[..., Objective]] = {
    **{name: _loss_objective(name) for name in LOSSES},
    "cap_violation": CapViolation,
    "cap_excess_rate": CapExcessRate,
    "cap_max": CapMax,
    "l2": L2Norm,
    "l1": L1Norm,
    "mean_gap_sq": MeanGapSq,
    "group_loss_gap_sq": GroupLossGapSq,
    "demographic_parity_sq": DemographicParitySq,
    "equal_opportunity_sq": EqualOpportunitySq,
    "equalized_odds_sq": EqualizedOddsSq,
    "demographic_parity_tanh": DemographicParityTanh,
    "equal_opportunity_tanh": EqualOpportunityTanh,
}
_REGISTRY = REGISTRY  # the old name, kept for code that reached into it
_entry_points_loaded = False


def register_objective(name: str):
    """Decorator: make an Objective subclass (or factory) available under ``name`` in configs.

    >>> @register_objective("my_gap")
    ... class MyGap(PredictionObjective): ...
    """
    def deco(factory):
        REGISTRY[name] = factory
        return factory
    return deco


def _load_entry_points():
    # installed packages register objectives under the entry-point group "tradeoff.objectives"
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group="tradeoff.objectives"):
        REGISTRY.setdefault(ep.name, ep.load())


def objective_names() -> list[str]:
    _load_entry_points()
    return sorted(REGISTRY)


def objective_factory(name: str):
    """The registered factory of ``name``, or None."""
    _load_entry_points()
    return REGISTRY.get(name)


def get_objective(spec, **params) -> Objective:
    """An objective from an instance, a name, or a dict ``{"name": ..., **params}``."""
    if isinstance(spec, Objective):
        return spec
    if isinstance(spec, dict):
        spec = dict(spec)
        if "name" not in spec:
            fail("objective", "a table with a `name` key", spec)
        params = {**spec, **params}
        spec = params.pop("name")
    names = objective_names()
    check_choice("objective", spec, names)
    factory = REGISTRY[spec]
    try:
        sig = inspect.signature(factory)
        sig.bind(**params)
    except TypeError:
        accepted = [p for p in sig.parameters if p not in ("self",)]
        bad = sorted(set(params) - set(accepted))
        hint = (closest(bad[0], accepted) if bad else "") or " Remove the ones not listed."
        fail(f"parameters of objective {spec!r}",
             f"among {', '.join(accepted) or 'none'}", sorted(params), hint.strip())
    except ValueError:
        pass  # builtins without a signature
    check_params(factory, params, f"objective {spec!r}")  # booleans must be booleans
    return factory(**params)



__all__ = ["REGISTRY", "Batch", "CapExcessRate", "CapMax", "CapViolation", "Constraint",
           "DemographicParitySq", "DemographicParityTanh", "EqualOpportunitySq",
           "EqualOpportunityTanh", "EqualizedOddsSq", "GroupLossGapSq", "L1Norm", "L2Norm",
           "LossObjective", "MeanGapSq", "Objective", "ParameterObjective", "PredictionObjective",
           "check_loss_model", "get_objective", "identity_link", "objective_factory",
           "objective_names", "register_objective"]
