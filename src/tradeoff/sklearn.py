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
  output of a ``ColumnTransformer``), or a raw DataFrame: one with a text/categorical column, or
  whose sensitive column is named, is encoded by a ``tradeoff.datasets.Encoder`` fitted on these
  rows (``encoder_``; ``predict`` then takes DataFrames). ``sensitive_features`` is one label per
  row (or a DataFrame of several columns: intersectional groups) or the name(s) of column(s) of a
  DataFrame X (which are then not features), needed by fairness objectives. Inside a ``Pipeline``
  pass it as ``fit(X, y, <step>__sensitive_features=s)``; in ``cross_validate`` as
  ``params={"sensitive_features": s}`` and in ``GridSearchCV.fit(X, y, sensitive_features=s)``
  (split with the rows); with ``sklearn.set_config(enable_metadata_routing=True)`` request it with
  ``est.set_fit_request(sensitive_features=True)``.
- ``model``: a model name, a ``tradeoff.models.Model`` (e.g. ``TorchModel(module)``) or a bare
  ``torch.nn.Module``, wrapped as ``TorchModel(module, output="logistic")`` for a classifier
  (``"linear"`` for a regressor) seeded by ``seed``. A network trains best with the mini-batch
  loop: ``solver_options={"optimizer": "adam", "epochs": 30, "batch_size": 64, "lr": 0.01}``.
- Fitted attributes: ``front_`` (the Front), ``selected_`` (the chosen point's index),
  ``predictor_`` (its ``Predictor``), ``classes_`` (classifier), ``n_features_in_`` and
  ``feature_names_in_``.

An ``epsilon`` rule whose bounds no point meets warns (``BoundNotMetWarning``), takes the point
nearest to them and sets ``bound_met_`` False, so a grid search over bounds runs every fold;
``fair_scorer`` scores folds by accuracy subject to a gap bound.

A ``ParetoClassifier`` is binary; ``predict_proba`` is (n, 2) in the order of ``classes_``. If the
selected point is a randomised mixture (solver ``fairlearn-eg``), ``predict`` draws one model per
row seeded by ``seed`` (see ``tradeoff.predictor``).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd

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


class BoundNotMetWarning(UserWarning):
    """No point of the front meets an ``epsilon`` rule's bounds on the rows used to choose (in a
    grid search: that fold); the point nearest to meeting them is used and ``bound_met_`` is
    False."""


def _column_names(sensitive_features, X) -> list | None:
    """The sensitive columns when ``sensitive_features`` names columns of X (a string or a list of
    strings that are all columns), else None."""
    cols = getattr(X, "columns", None)
    if isinstance(sensitive_features, str):
        names = [sensitive_features]
    elif (isinstance(sensitive_features, (list, tuple)) and sensitive_features
          and all(isinstance(c, str) for c in sensitive_features)
          and cols is not None and all(c in cols for c in sensitive_features)):
        names = list(sensitive_features)
    else:
        return None
    if cols is not None and any(c not in cols for c in names):
        fail("sensitive_features", f"a column of X ({', '.join(map(str, cols))})", names[0])
    return names


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

    def _model(self):
        """``model``, with a bare torch module wrapped as a ``TorchModel`` (logistic output for a
        classifier, linear for a regressor; seeded by ``seed``)."""
        from .models.torch import TorchModel, is_module  # neither imports torch

        if is_module(self.model):
            return TorchModel(self.model, output="logistic" if self._classifier else "linear",
                              seed=self.seed)
        return self.model

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
        X, y, sensitive_features, names = self._inputs(X, y, sensitive_features)
        if len(X) < 2:
            fail("X", "at least 2 samples", f"{len(X)} sample")
        y = self._target(y)
        objectives = self._objectives()
        groups, group_names = None, ()
        if sensitive_features is not None:
            if np.ndim(sensitive_features) == 0 or len(sensitive_features) != len(X):
                fail("sensitive_features", f"one label per row of X ({len(X)}), or the name of "
                     "a column of a DataFrame X", f"{np.size(sensitive_features)} value(s)")
            groups, group_names = encode_groups(sensitive_features)
        else:
            from .objectives.fairness import GroupMeanGap  # every built-in gap between groups

            need = [o.name for o in objectives if isinstance(o, GroupMeanGap)]
            if need:
                fail("sensitive_features", f"given to fit for objective {need[0]!r}", None,
                     "Pass fit(X, y, sensitive_features=s) (in a Pipeline: "
                     "<step>__sensitive_features=s).")
        data = Dataset(X, y, name=type(self).__name__, feature_names=names, groups=groups,
                       group_names=group_names, encoder=self.encoder_)
        train, val = self._split(data)
        problem = Problem(train, self._model(), objectives)
        front = solve(problem, self.solver, **self._solver_options())
        args = self._select_args()
        rule = args.pop("rule")
        self.front_ = front
        self.selected_, self.bound_met_ = self._choose(front, rule, val, args)
        pred = front.predictor(self.selected_)
        if self._classifier:
            pred.classes = self.classes_
        self.predictor_ = pred
        return self

    def _inputs(self, X, y, sensitive_features):
        """(X float (n, p), y, sensitive labels or None, feature names): a DataFrame with a
        non-numeric column, or with the sensitive column named, is encoded with an ``Encoder``
        fitted on these rows (kept as ``encoder_``); anything else goes through
        ``validate_data`` as scikit-learn's own estimators take it."""
        from sklearn.utils.validation import check_consistent_length, column_or_1d

        from .datasets import Encoder

        named = _column_names(sensitive_features, X)
        self.encoder_ = None
        if not isinstance(X, pd.DataFrame) or (
                not named and all(pd.api.types.is_numeric_dtype(X[c])
                                  and not pd.api.types.is_bool_dtype(X[c]) for c in X.columns)):
            if named:
                fail("sensitive_features", "labels, one per row (a column name needs X to be a "
                     "DataFrame)", sensitive_features, exc=TypeError)
            X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=not self._classifier)
            names = getattr(self, "feature_names_in_", None)
            return X, y, sensitive_features, (tuple(str(c) for c in names)
                                              if names is not None else ())
        if X.columns.duplicated().any() or not all(isinstance(c, str) for c in X.columns):
            fail("X", "a DataFrame with distinct string column names", list(X.columns)[:8],
                 "Rename the columns first.", exc=TypeError)
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        features = [c for c in X.columns if c not in (named or ())]
        if not features:
            fail("X", "a DataFrame with at least one feature column besides the sensitive ones",
                 list(X.columns))
        self.encoder_ = Encoder.fit(X, features)
        A = self.encoder_.transform(X)
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        if named:
            sensitive_features = X[named[0]] if len(named) == 1 else X[named]
        return A, y, sensitive_features, self.encoder_.feature_names

    def _choose(self, front, rule, val, args):
        """(selected point, whether its bounds were met): an epsilon rule whose bounds no point
        meets warns (`BoundNotMetWarning`) and takes the point nearest to meeting them."""
        try:
            return front.select(rule, data=val, **args), True
        except ValueError:
            bounds = args.get("bounds")
            if rule != "epsilon" or not isinstance(bounds, dict) or not bounds:
                raise
            table = front.evaluate(val) if val is not None else front.to_frame()
            if any(name not in table.columns for name in bounds):
                raise
            feasible = (table["feasible"].to_numpy(bool) if "feasible" in table
                        else np.ones(len(table), bool))
            excess = np.max([table[n].to_numpy(float) - float(b) for n, b in bounds.items()],
                            axis=0)
            if (feasible & (excess <= 0)).any() or not (feasible & np.isfinite(excess)).any():
                raise  # another reason than the bounds (e.g. a bad option): the select error
            excess = np.where(feasible & np.isfinite(excess), excess, np.inf)
            best = int(np.argmin(excess))
            where = "the validation rows" if val is not None else "the training rows"
            stated = ", ".join(f"{n} ≤ {float(b):g} (best achievable "
                               f"{table[n].to_numpy(float)[feasible].min():.4g})"
                               for n, b in bounds.items())
            warnings.warn(BoundNotMetWarning(
                f"No point of the front meets the bound {stated} on {where}, so the point nearest "
                f"to meeting it (point {best}) was chosen."), stacklevel=3)
            return best, False

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
        if getattr(self, "encoder_", None) is None:
            return validate_data(self, X, dtype=np.float64, reset=False)
        if not isinstance(X, (pd.DataFrame, pd.Series, dict)):
            fail("X", "a DataFrame with the columns fit was given (the estimator encodes them)",
                 type(X).__name__, "Pass the rows as a DataFrame.", exc=TypeError)
        return X  # the predictor encodes it by column name with the training encoder

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


# -- a fairness-aware scorer for model selection ---------------------------------------------------
def _gaps() -> dict:
    from . import fairness

    return {"demographic_parity": fairness.demographic_parity_difference,
            "equalized_odds": fairness.equalized_odds_difference,
            "equal_opportunity": fairness.equal_opportunity_difference}


def _metrics() -> dict:
    from sklearn.metrics import accuracy_score, balanced_accuracy_score

    return {"accuracy": accuracy_score, "balanced_accuracy": balanced_accuracy_score}


class FairScorer:
    """``scorer(estimator, X, y)``: ``metric`` of the estimator's predictions on (X, y) when their
    ``gap`` between the groups of ``sensitive`` is at most ``bound``, else ``penalty``
    (see `fair_scorer`)."""

    def __init__(self, metric, gap, bound, sensitive, method, penalty):
        from ._validation import check_choice

        if isinstance(metric, str):
            check_choice("metric", metric, _metrics())
        elif not callable(metric):
            fail("metric", "a metric name (accuracy, balanced_accuracy) or a callable "
                 "metric(y_true, y_pred)", type(metric).__name__, exc=TypeError)
        check_choice("gap", gap, _gaps())
        check_choice("method", method, ("between_groups", "to_overall"))
        for name, value in (("bound", bound), ("penalty", penalty)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or np.isnan(value):
                fail(name, "a number", value, exc=TypeError)
        if not 0 <= bound:
            fail("bound", "a gap bound ≥ 0", bound, "E.g. bound=0.05.")
        if sensitive is None:
            fail("sensitive", "a column name of X, a pandas Series indexed like X or one label "
                 "per row", None, "E.g. sensitive='sex'.", exc=TypeError)
        self.metric, self.gap, self.bound = metric, gap, float(bound)
        self.sensitive, self.method, self.penalty = sensitive, method, float(penalty)

    def __repr__(self):
        name = self.metric if isinstance(self.metric, str) else getattr(
            self.metric, "__name__", "metric")
        return f"fair_scorer(metric={name!r}, gap={self.gap!r}, bound={self.bound:g})"

    def groups(self, X):
        """The sensitive labels of the rows of X."""
        s = self.sensitive
        cols = getattr(X, "columns", None)
        if isinstance(s, str) or (isinstance(s, (list, tuple)) and s and cols is not None
                                  and all(isinstance(c, str) and c in cols for c in s)):
            names = [s] if isinstance(s, str) else list(s)
            if cols is None or any(c not in cols for c in names):
                where = f" ({', '.join(map(str, cols))})" if cols is not None \
                    else " (X is no DataFrame)"
                fail("sensitive", "a column of X" + where, names[0] if len(names) == 1 else names)
            return X[names[0]] if len(names) == 1 else X[names]
        if isinstance(s, (pd.Series, pd.DataFrame)) and isinstance(X, pd.DataFrame):
            missing = X.index.difference(s.index)
            if len(missing):
                fail("sensitive", "a Series holding every row label of X", f"{len(missing)} row "
                     f"label(s) of X missing, e.g. {missing[0]!r}",
                     "Index it like the frame that is cross-validated.")
            return s.loc[X.index]
        if len(s) != len(X):
            fail("sensitive", f"one label per row of the {len(X)} scored rows", f"{len(s)} labels",
                 "In cross-validation pass a column name of a DataFrame X, or a pandas Series "
                 "indexed like X, so each fold finds its rows.")
        return s

    def score_and_gap(self, estimator, X, y) -> tuple[float, float]:
        """(metric, gap) of the estimator's predictions on (X, y), penalty not applied."""
        y_pred = np.asarray(estimator.predict(X))
        y = np.asarray(y)
        metric = _metrics()[self.metric] if isinstance(self.metric, str) else self.metric
        value = float(metric(y, y_pred))
        classes = getattr(estimator, "classes_", None)
        if classes is None or len(classes) != 2:
            fail("estimator", "a binary classifier with classes_ (fair_scorer measures gaps of "
                 "decisions)", type(estimator).__name__, exc=TypeError)
        pos = classes[1]  # fairlearn's metrics take the positive class as 1
        gap = float(_gaps()[self.gap]((y == pos).astype(int), (y_pred == pos).astype(int),
                                      sensitive_features=self.groups(X), method=self.method))
        return value, gap

    def __call__(self, estimator, X, y, **kwargs):
        value, gap = self.score_and_gap(estimator, X, y)
        return value if gap <= self.bound else self.penalty


def fair_scorer(metric="accuracy", gap="demographic_parity", bound=0.05, *, sensitive,
                method="between_groups", penalty=float("-inf")) -> FairScorer:
    """A scorer for ``GridSearchCV``, ``cross_validate`` (``scoring=``): ``metric`` on the fold
    when the fold's ``gap`` is at most ``bound``, else ``penalty`` (default −inf: such a setting
    never wins a search, and scikit-learn warns that some test scores are non-finite).

    ``metric``: ``"accuracy"``, ``"balanced_accuracy"`` or a callable ``metric(y_true, y_pred)`` in
    the estimator's labels. ``gap``: fairlearn's ``demographic_parity`` (selection rates),
    ``equalized_odds`` (the larger of the TPR and FPR differences) or ``equal_opportunity`` (TPR)
    difference of the predicted classes, with ``method`` ``"between_groups"`` (max − min) or
    ``"to_overall"``; the positive class is ``estimator.classes_[1]``. ``sensitive``: a column name
    (or names) of a DataFrame X, a pandas Series indexed like X (each fold takes its rows by
    label), or one label per scored row.
    """
    return FairScorer(metric, gap, bound, sensitive, method, penalty)
