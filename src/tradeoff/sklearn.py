"""scikit-learn estimators on top of ``solve`` + ``select`` + ``Predictor``.

``ParetoClassifier`` and ``ParetoRegressor`` solve a front between their ``objectives`` on the
training data, choose one point with the ``select`` rule and predict with it::

    clf = ParetoClassifier(objectives=("log_loss", "demographic_parity_sq"), select="knee")
    clf.fit(X, y, sensitive_features=sex)
    clf.predict_proba(X_new)            # the selected point; clf.front_ holds the whole front

- ``select``: a rule name (``"knee"``, ``"asf"``) or a dict ``{"rule": "epsilon", "minimise":
  "log_loss", "bounds": {"demographic_parity_sq:exact": 0.05}}`` (any keyword of
  ``Front.select``). With ``validation`` = v > 0, a share v of the rows is held out with
  ``tradeoff.split`` (stratified by group × label, or group × binned y for a regressor; seeded by
  ``seed``), the front is solved on the rest and the rule measures the points on the held-out
  rows.
- ``solver``, ``solver_options``: any solver of ``tradeoff.solve`` and its options; by default
  ``weighted-sum`` with ``FAST_OPTIONS`` (11 points, tol 1e-7) filled in where the solver takes
  them and not given, and ``seed`` goes to every solver that takes one.
- ``fit(X, y, *, sensitive_features=None)``: X numeric (an array or a numeric DataFrame, e.g. the
  output of a ``ColumnTransformer``); ``sensitive_features`` one label per row (or a DataFrame of
  several columns: intersectional groups), needed by fairness objectives. Inside a ``Pipeline``
  pass it as ``fit(X, y, <step>__sensitive_features=s)``; in ``cross_validate`` as
  ``params={"sensitive_features": s}`` and in ``GridSearchCV.fit(X, y, sensitive_features=s)``
  (split with the rows); with ``sklearn.set_config(enable_metadata_routing=True)`` request it with
  ``est.set_fit_request(sensitive_features=True)``.
- Fitted attributes: ``front_`` (the Front), ``selected_`` (the chosen point's index),
  ``predictor_`` (its ``Predictor``), ``classes_`` (classifier), ``n_features_in_`` and
  ``feature_names_in_``.

A ``ParetoClassifier`` is binary; ``predict_proba`` is (n, 2) in the order of ``classes_``. If the
selected point is a randomised mixture (solver ``fairlearn-eg``), ``predict`` draws one model per
row seeded by ``seed`` (see ``tradeoff.predictor``).
"""

from __future__ import annotations

import numbers

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.utils.multiclass import check_classification_targets, type_of_target
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as err:  # validate_data and estimator tags arrived in scikit-learn 1.6
    raise ImportError("tradeoff.sklearn needs scikit-learn >= 1.6: "
                      "pip install tradeoff[sklearn]") from err

from ._validation import fail

# the default front: enough points to choose from, solved to a tolerance that is ample for a model
# to deploy and ~10× faster than the solvers' default 1e-10 (each applies only if the solver takes it)
FAST_OPTIONS = {"n_points": 11, "tol": 1e-7}


class _ParetoEstimator(BaseEstimator):
    _default_objectives: tuple = ()
    _default_model = "linear"
    _classifier = False

    def _objectives(self):
        from .objectives import get_objective

        objectives = self.objectives
        if isinstance(objectives, (str, dict)) or not hasattr(objectives, "__iter__"):
            fail("objectives", "a list of at least 2 objective names, tables or objects",
                 objectives, exc=TypeError)
        return [get_objective(o) for o in objectives]

    def _select_args(self) -> dict:
        sel = self.select
        if isinstance(sel, str):
            return {"rule": sel}
        if isinstance(sel, dict) and isinstance(sel.get("rule"), str):
            return dict(sel)
        fail("select", "a rule name (e.g. 'knee') or a dict with a 'rule' key and the rule's "
             "options", sel, exc=TypeError)

    def _solver_options(self) -> dict:
        from .solvers import OPTIONS

        opts = dict(self.solver_options or {})
        accepts = OPTIONS.get(self.solver) if isinstance(self.solver, str) else None
        if accepts is not None:
            opts = {**{k: v for k, v in FAST_OPTIONS.items() if k in accepts}, **opts}
            if "seed" in accepts:
                opts.setdefault("seed", self.seed)
        return opts

    def _check_params(self):
        v = self.validation
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not 0 <= v < 1:
            fail("validation", "a share of rows in [0, 1)", v,
                 "E.g. validation=0.2 to choose the point on a fifth of the rows.")
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral):
            fail("seed", "an integer", self.seed, exc=TypeError)

    # -- fit ---------------------------------------------------------------------------------------
    def fit(self, X, y, *, sensitive_features=None):
        """Solve the front on (X, y), select one point and keep its predictor (module doc)."""
        from . import Problem, solve
        from .datasets import Dataset
        from .fairness import encode_groups

        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=not self._classifier)
        if len(X) < 2:
            fail("X", "at least 2 samples", f"{len(X)} sample")
        y = self._target(y)
        objectives = self._objectives()
        groups, group_names = None, ()
        if sensitive_features is not None:
            if np.ndim(sensitive_features) == 0 or len(sensitive_features) != len(X):
                fail("sensitive_features", f"one label per row of X ({len(X)})",
                     f"{np.size(sensitive_features)} value(s)")
            groups, group_names = encode_groups(sensitive_features)
        else:
            from .objectives.fairness import GroupMeanGap  # every built-in gap between groups

            need = [o.name for o in objectives if isinstance(o, GroupMeanGap)]
            if need:
                fail("sensitive_features", f"given to fit for objective {need[0]!r}", None,
                     "Pass fit(X, y, sensitive_features=s) (in a Pipeline: "
                     "<step>__sensitive_features=s).")
        names = getattr(self, "feature_names_in_", None)
        names = tuple(str(c) for c in names) if names is not None else ()
        data = Dataset(X, y, name=type(self).__name__, feature_names=names, groups=groups,
                       group_names=group_names)
        train, val = self._split(data)
        problem = Problem(train, self.model, objectives)
        front = solve(problem, self.solver, **self._solver_options())
        args = self._select_args()
        rule = args.pop("rule")
        self.front_ = front
        self.selected_ = front.select(rule, data=val, **args)
        pred = front.predictor(self.selected_)
        if self._classifier:
            pred.classes = self.classes_
        self.predictor_ = pred
        return self

    def _split(self, data):
        """(fit rows, validation rows or None): ``tradeoff.split``, stratified by group × label
        (group × binned y for a regressor), seeded."""
        if not self.validation:
            return data, None
        from .datasets import split

        return split(data, test=float(self.validation), seed=self.seed)

    def _target(self, y):
        return np.asarray(y, dtype=float)

    def predict(self, X):
        """The chosen point's predictions (a randomised point samples with ``seed``)."""
        X = self._X(X)
        return self.predictor_.predict(X, random_state=self.seed)

    def _X(self, X):
        check_is_fitted(self, "predictor_")
        return validate_data(self, X, dtype=np.float64, reset=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


class ParetoClassifier(ClassifierMixin, _ParetoEstimator):
    """A binary classifier: a front between ``objectives`` (default log-loss and the demographic
    parity surrogate) and the point ``select`` chooses; see the module doc."""

    _classifier = True

    def __init__(self, objectives=("log_loss", "demographic_parity_sq"), model="logistic",
                 solver="weighted-sum", solver_options=None, select="knee", validation=0.0,
                 seed=0):
        self.objectives = objectives
        self.model = model
        self.solver = solver
        self.solver_options = solver_options
        self.select = select
        self.validation = validation
        self.seed = seed

    def _target(self, y):
        check_classification_targets(y)
        kind = type_of_target(y)
        classes = np.unique(y)
        if kind != "binary" or len(classes) != 2:
            fail("y", "binary (exactly 2 classes) for ParetoClassifier",
                 f"{len(classes)} class(es) ({kind})",
                 "Only binary classification is supported.")
        self.classes_ = classes
        return (np.asarray(y) == classes[1]).astype(float)

    def predict_proba(self, X):
        X = self._X(X)
        return self.predictor_.predict_proba(X)

    def decision_function(self, X):
        X = self._X(X)
        return self.predictor_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.poor_score = True  # the chosen point trades accuracy for the others
        return tags


class ParetoRegressor(RegressorMixin, _ParetoEstimator):
    """A regressor: a front between ``objectives`` (default MSE and the squared gap between group
    mean predictions) and the point ``select`` chooses; see the module doc."""

    def __init__(self, objectives=("mse", "mean_gap_sq"), model="linear", solver="weighted-sum",
                 solver_options=None, select="knee", validation=0.0, seed=0):
        self.objectives = objectives
        self.model = model
        self.solver = solver
        self.solver_options = solver_options
        self.select = select
        self.validation = validation
        self.seed = seed

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags
