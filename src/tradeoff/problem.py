"""Problem: data + model + m ≥ 2 objectives + optional constraints g(θ) ≤ ε, evaluated in batches.

``evaluate(Θ)`` gives F (K, m), G (K, c) and their gradients dF (K, m, d), dG (K, c, d) in one call,
the shapes of pymoo's ``out["F"]``, ``out["G"]``, ``out["dF"]``. ``combine(Θ, coef)`` gives F, G and
the gradient of a combination Σᵢ Cₖᵢ fᵢ(θₖ) with a single pull-back through the model, which is all
a scalarising solver needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._validation import check_theta, fail
from .data import Dataset, load_dataset
from .models import Model, Standardizer, get_model
from .objectives import Batch, Constraint, Objective, get_objective

_PROBLEM_KEYS = ("name", "data", "model", "objectives", "constraints", "bounds")


@dataclass(frozen=True)
class Evaluation:
    F: np.ndarray
    G: np.ndarray
    dF: np.ndarray | None
    dG: np.ndarray | None


class Problem:
    """A multi-objective training problem over parameters θ ∈ ℝᵈ (intercept last)."""

    def __init__(self, data: Dataset, model: Model | str, objectives, constraints=(), *,
                 bounds=None, name: str | None = None):
        if not isinstance(data, Dataset):
            fail("data", "a tradeoff.data.Dataset", type(data).__name__, exc=TypeError)
        self.data = data
        self.model = get_model(model)
        self.objectives: tuple[Objective, ...] = tuple(get_objective(o) for o in objectives)
        if len(self.objectives) < 2:
            fail("objectives", "at least 2 objectives", [o.name for o in self.objectives],
                 "Add e.g. 'cap_violation' or a fairness gap beside the accuracy loss.")
        names = [o.name for o in self.objectives]
        if len(set(names)) != len(names):
            fail("objectives", "distinct objectives", names)
        self.constraints: tuple[Constraint, ...] = tuple(_constraint(c) for c in constraints)
        for obj in self.objectives + tuple(c.objective for c in self.constraints):
            if hasattr(obj, "check"):
                obj.check(data)  # e.g. a fairness gap needs sensitive groups
        self.name = name or data.name
        self.d = self.model.n_params(data.X.shape[1])
        self.standardizer = Standardizer.fit(data.X)
        self.bounds = self._bounds(bounds)
        w = data.sample_weight
        omega = np.full(data.n, 1.0 / data.n) if w is None else np.asarray(w, float) / np.sum(w)
        self._full = Batch(data.X, data.y, data.groups, omega)

    # -- description ---------------------------------------------------------------------------
    @property
    def m(self) -> int:
        return len(self.objectives)

    @property
    def n_constraints(self) -> int:
        return len(self.constraints)

    @property
    def objective_names(self) -> list[str]:
        return [o.name for o in self.objectives]

    @property
    def param_names(self) -> list[str]:
        return self.data.param_names

    def is_convex(self) -> tuple[bool, str]:
        """(True, "") if every objective and constraint is convex in θ, else (False, why)."""
        for obj in self.objectives + tuple(c.objective for c in self.constraints):
            if not obj.is_convex(self.model):
                return False, f"objective {obj.name!r} is not convex with the {self.model.name} model"
        return True, ""

    def __repr__(self):
        return (f"Problem({self.name!r}, model={self.model.name}, objectives={self.objective_names}, "
                f"constraints={[c.name for c in self.constraints]}, d={self.d})")

    # -- evaluation ----------------------------------------------------------------------------
    def batch(self, rows=None) -> Batch:
        if rows is None:
            return self._full
        b = self._full
        omega = b.omega[rows]
        return Batch(b.X[rows], b.y[rows], None if b.groups is None else b.groups[rows],
                     omega / omega.sum())

    def _parts(self, Theta, batch, grad):
        """Values of every objective then constraint, and their raw gradient pieces."""
        P, S = self.model.forward(Theta, batch.X)
        values, pieces = [], []
        for obj in self.objectives + tuple(c.objective for c in self.constraints):
            if obj.kind == "parameter":
                f, g = obj.evaluate_theta(Theta, grad)
                pieces.append(("theta", g))
            else:
                f, dP = obj.evaluate(batch, P, grad)
                pieces.append(("z", None if dP is None else dP * S))
            values.append(f)
        return np.stack(values, axis=1), pieces

    def _split(self, V):
        m = self.m
        bounds = np.array([c.bound for c in self.constraints])
        return V[:, :m], V[:, m:] - bounds

    def evaluate(self, Theta, *, grad: bool = True, rows=None) -> Evaluation:
        """F (K, m), G (K, c) = constraint − bound, and (with ``grad``) dF (K, m, d), dG (K, c, d)."""
        Theta, _ = check_theta(Theta, self.d)
        batch = self.batch(rows)
        V, pieces = self._parts(Theta, batch, grad)
        F, G = self._split(V)
        if not grad:
            return Evaluation(F, G, None, None)
        grads = []
        for obj, (kind, piece) in zip(self.objectives + tuple(c.objective for c in self.constraints),
                                      pieces):
            if piece is None:
                fail("objective", "differentiable for a gradient solver", obj.name,
                     "Use a solver that needs no gradient, such as 'nsga2'.")
            grads.append(piece if kind == "theta" else self.model.pullback(batch.X, piece))
        dV = np.stack(grads, axis=1)
        return Evaluation(F, G, dV[:, : self.m], dV[:, self.m:])

    def combine(self, Theta, coef: Callable[[np.ndarray, np.ndarray], np.ndarray], *, rows=None):
        """F, G and ∇ Σᵢ Cₖᵢ vᵢ(θₖ) (K, d), where C = coef(F, G) is (K, m + c) over objectives then
        constraints. The prediction parts are summed before one pull-back through the model."""
        batch = self.batch(rows)
        V, pieces = self._parts(Theta, batch, True)
        F, G = self._split(V)
        C = coef(F, G)
        GZ = None
        grad = np.zeros_like(Theta)
        for i, (kind, piece) in enumerate(pieces):
            if piece is None:
                if np.any(C[:, i] != 0):
                    obj = (self.objectives + tuple(c.objective for c in self.constraints))[i]
                    fail("objective", "differentiable for a gradient solver", obj.name,
                         "Use a solver that needs no gradient, such as 'nsga2'.")
                continue
            if kind == "theta":
                grad += C[:, i:i + 1] * piece
            else:
                GZ = piece * C[:, i] if GZ is None else GZ + piece * C[:, i]
        if GZ is not None:
            grad += self.model.pullback(batch.X, GZ)
        return F, G, grad

    def hessians(self, Theta, coef: np.ndarray) -> np.ndarray | None:
        """Σᵢ Cₖᵢ ∇²fᵢ(θₖ), shape (K, d, d), for objectives that provide a curvature; else None."""
        if type(self.model).__name__ != "LinearModel":
            return None
        batch = self._full
        P, _ = self.model.forward(Theta, batch.X)
        Xt = np.column_stack([batch.X, np.ones(len(batch.X))])
        H = np.zeros((len(Theta), self.d, self.d))
        W = np.zeros_like(P)
        for i, obj in enumerate(self.objectives):
            if obj.kind == "parameter":
                h = obj.hessian(self.d)
                if h is None:
                    return None
                H += coef[:, i, None, None] * h
            else:
                c = obj.curvature(batch, P)
                if c is not None:
                    W += coef[:, i] * c
                    continue
                h = obj.hessian_matrix(batch, Xt, P)
                if h is None:
                    return None
                H += coef[:, i, None, None] * h
        # Xᵀ diag(w_k) X for all k in one contraction
        H += np.einsum("nk,nd,ne->kde", W, Xt, Xt, optimize=True)
        return H

    def exact_metrics(self, Theta) -> dict[str, np.ndarray]:
        """The exact metric behind each surrogate objective (e.g. a fairness gap), (K,) each."""
        Theta, _ = check_theta(Theta, self.d)
        out = {}
        P = None
        for obj in self.objectives + tuple(c.objective for c in self.constraints):
            if hasattr(obj, "exact") and len(Theta):
                P = self.model.forward(Theta, self.data.X)[0] if P is None else P
                out[f"{obj.name}:exact"] = np.asarray(obj.exact(self.data, self.model, P), float)
        return out

    # -- bounds ----------------------------------------------------------------------------------
    def _bounds(self, bounds):
        if bounds is not None:
            lo, hi = (np.broadcast_to(np.asarray(b, float), (self.d,)).copy() for b in bounds)
            if not (np.isfinite(lo).all() and np.isfinite(hi).all() and (lo < hi).all()):
                fail("bounds", f"two finite arrays of length {self.d} with lower < upper",
                     (lo.tolist(), hi.tolist()))
            return lo, hi
        # Default box in standardised parameters φ around the least-squares fit: φ_ls ± (2|φ_ls| + s),
        # with s the target's spread (4 for a logistic model's logit scale); mapped back to θ below.
        Xs = self.standardizer.transform(self.data.X)
        A = np.column_stack([Xs, np.ones(self.data.n)])
        phi = np.linalg.lstsq(A, self.data.y, rcond=None)[0]
        spread = 4.0 if self.model.name == "logistic" else float(np.std(self.data.y)) or 1.0
        half = 2.0 * np.abs(phi) + spread
        self.phi_bounds = (phi - half, phi + half)
        return None

    def phi_box(self):
        """Box bounds in standardised parameters φ (Θ = Φ A): given or the default rule."""
        if self.bounds is None:
            return self.phi_bounds
        # a user box in θ: take φ's box as the image of its corners (a safe enclosure)
        lo, hi = self.bounds
        corners = np.array(np.meshgrid(*zip(lo, hi))).reshape(self.d, -1).T
        phis = self.standardizer.to_standard(corners)
        return phis.min(axis=0), phis.max(axis=0)

    # -- construction from plain data --------------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: dict, *, path: str = "problem") -> "Problem":
        """Build from the schema the experiment configs use::

            {"name": "cap", "data": {"name": "blog", "n": 200, "seed": 0},
             "model": {"name": "linear"},
             "objectives": ["mse", {"name": "cap_violation", "cap": 120}],
             "constraints": [{"name": "cap_max", "cap": 120, "bound": 0}],
             "bounds": {"lower": [...], "upper": [...]}}
        """
        if not isinstance(spec, dict):
            fail(path, "a table", spec, exc=TypeError)
        for key in spec:
            if key not in _PROBLEM_KEYS:
                from ._validation import closest

                fail(f"{path}.{key}", f"one of the keys {', '.join(_PROBLEM_KEYS)}", key,
                     closest(key, _PROBLEM_KEYS).strip())
        for key in ("data", "objectives"):
            if key not in spec:
                fail(f"{path}.{key}", "given", "nothing")
        data = dataset_from_spec(spec["data"], path=f"{path}.data")
        model = spec.get("model", "linear")
        if isinstance(model, dict):
            model = dict(model)
            model = get_model(model.pop("name", "linear"), **model)
        objectives = spec["objectives"]
        if not isinstance(objectives, list):
            fail(f"{path}.objectives", "a list of objective names or tables", objectives)
        cons = []
        for i, c in enumerate(spec.get("constraints", [])):
            if not isinstance(c, dict) or "bound" not in c:
                fail(f"{path}.constraints[{i}]", "a table with an objective `name` and a `bound`", c)
            c = dict(c)
            bound = c.pop("bound")
            cons.append(Constraint(get_objective(c), float(bound)))
        bounds = spec.get("bounds")
        if bounds is not None:
            bounds = (bounds["lower"], bounds["upper"])
        return cls(data, model, objectives, cons, bounds=bounds, name=spec.get("name"))


def _constraint(c) -> Constraint:
    if isinstance(c, Constraint):
        return c
    if isinstance(c, tuple) and len(c) == 2:
        return Constraint(get_objective(c[0]), float(c[1]))
    fail("constraints", "Constraint objects or (objective, bound) pairs", c)


def dataset_from_spec(spec, *, path: str = "data") -> Dataset:
    """A Dataset from a name or a table: built-in ``{"name": ..., **params}`` or
    ``{"csv": PATH, "target": ..., "sensitive": ..., "features": [...]}``."""
    if isinstance(spec, Dataset):
        return spec
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict):
        fail(path, "a dataset name or table", spec, exc=TypeError)
    spec = dict(spec)
    if "csv" in spec:
        from .tabular import from_csv

        return from_csv(spec.pop("csv"), **spec)
    if "name" not in spec:
        fail(path, "a table with a dataset `name` (or `csv`)", spec)
    return load_dataset(spec.pop("name"), **spec)
