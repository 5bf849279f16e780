"""One point of a front as a model to predict with: ``Predictor`` (from ``front.predictor(i)``).

A Predictor holds the point's parameters θ (or, for a randomised point, its mixture: weights wⱼ
and one θⱼ per model), the model, the training data's encoder and the feature names, so new data
is encoded the way the training data was:

- a DataFrame goes through the encoder when the front has one (columns matched by name, any order,
  extra columns such as the target or the sensitive ones ignored); without an encoder its
  ``feature_names`` columns are taken by name, in training order;
- an array must have one column per feature, in training order (a clear error otherwise); a 1-D
  array is a column for a one-feature model and an error otherwise (use ``X.reshape(1, -1)`` for
  one row); a Series or a dict of scalars is one row.

Classifiers (a model with a ``threshold``, e.g. logistic) have ``classes_``, the original labels
in the order of the codes 0, 1 (from the encoder's ``target_mapping`` when the data came from
``from_frame`` with a text target, e.g. ``["<=50K", ">50K"]``; else ``[0, 1]``), and give
``predict_proba`` (n, 2) in that order like scikit-learn's, ``predict`` (labels from
``classes_``; ``predict(X, encoded=True)`` gives the codes 0/1) and ``decision_function`` (the
score z, whose sign with threshold 0.5 decides the class). Regressors give ``predict`` and
``decision_function`` (the affine score before the model's link, e.g. before a cap).

**Randomised points** (fairlearn's ExponentiatedGradient) are mixtures, and the predictor is the
mixture, not its heaviest model:

- ``predict_proba`` is the weighted mixture Σⱼ wⱼ pⱼ(x) of the models' probabilities;
- ``predict(X, random_state=0)`` draws one model per row (model j with probability wⱼ) and returns
  that model's prediction, as fairlearn's randomised predictor does; the draws are seeded
  (``random_state`` an integer or a ``numpy.random.Generator``), so the same seed gives the same
  predictions. The chance that a row is predicted positive is Σⱼ wⱼ [pⱼ(x) ≥ threshold]
  (``positive_rate``), which is what the front's exact fairness metrics of a mixture describe;
- ``decision_function`` is the logit of the mixture's probability (classifier) or the weighted
  mean score Σⱼ wⱼ zⱼ(x) (regressor).

Predictors pickle.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from scipy.special import logit

from ._validation import fail
from .front import front_verb, require_context
from .models import n_features


class Predictor:
    """θ (or a mixture of θⱼ with weights wⱼ) + model + encoder + feature names; module doc."""

    def __init__(self, theta, model, *, weights=None, encoder=None, feature_names=None,
                 classes=None, point: int | None = None):
        from .models import get_model

        self.model = get_model(model)
        Theta = np.array(theta, dtype=float, ndmin=2)
        if weights is None:
            if Theta.shape[0] != 1:
                fail("weights", f"given for {Theta.shape[0]} parameter vectors (a mixture)", None)
            w = np.ones(1)
        else:
            w = np.array(weights, dtype=float, ndmin=1)
            if (w.shape != (Theta.shape[0],) or not np.isfinite(w).all() or (w < 0).any()
                    or w.sum() <= 0):
                fail("weights", f"{Theta.shape[0]} non-negative numbers, not all zero", weights)
            w = w / w.sum()
        self.thetas, self.weights = Theta, w
        self.thetas.setflags(write=False)
        self.weights.setflags(write=False)
        self.encoder = encoder
        p = n_features(self.model, Theta.shape[1])
        if feature_names is None:
            feature_names = ("x",) if p == 1 else tuple(f"x{j}" for j in range(p))
        elif len(feature_names) != p:
            fail("feature_names", f"{p} names (the model {self.model.name!r} with "
                 f"{Theta.shape[1]} parameters takes {p} features)", len(feature_names))
        self.feature_names = tuple(str(f) for f in feature_names)
        if classes is None:  # the labels the encoder coded as 0 and 1, when it coded any
            mapping = getattr(encoder, "target_mapping", None) or {}
            classes = sorted(mapping, key=mapping.get) if len(mapping) == 2 else (0, 1)
        classes = np.asarray(classes)
        if classes.shape != (2,):
            fail("classes", "two labels, for codes 0 and 1", classes.tolist())
        self.classes = classes
        self.point = point

    @classmethod
    def from_front(cls, front, i) -> "Predictor":
        require_context(front, "build a predictor")
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            fail("i", "an integer point index", i, "Pick one with front.select(...).",
                 exc=TypeError)
        if not -len(front) <= i < len(front):
            fail("i", f"a point index in [0, {len(front)})", i, "Pick one with front.select(...).")
        i = int(i) % len(front)
        mix = front.mixture(i)
        theta, weights = (front.X[i], None) if mix is None else (mix[1], mix[0])
        names = front.feature_names
        if names is None or len(names) != n_features(front.model, front.X.shape[1]):
            names = None
        return cls(theta, front.model, weights=weights, encoder=front.encoder,
                   feature_names=names, point=i)

    # -- description ----------------------------------------------------------------------------
    @property
    def is_mixture(self) -> bool:
        return len(self.weights) > 1

    @property
    def is_classifier(self) -> bool:
        """A model with a ``threshold`` whose output is a probability (not ``output="linear"``)."""
        return (getattr(self.model, "threshold", None) is not None
                and getattr(self.model, "output", "logistic") != "linear")

    @property
    def classes_(self) -> np.ndarray:
        """The labels ``predict`` returns, in ``predict_proba``'s column order (classifiers)."""
        self._need_classifier("classes_")
        return self.classes

    @property
    def theta(self) -> np.ndarray:
        """θ (d,) of a deterministic point (a mixture has ``thetas`` and ``weights``)."""
        if self.is_mixture:
            fail("theta", "asked of a deterministic point", f"a mixture of {len(self.weights)} models",
                 "Use .thetas and .weights.", exc=AttributeError)
        return self.thetas[0]

    def __repr__(self):
        what = f"mixture of {len(self.weights)} models" if self.is_mixture else "one model"
        return (f"Predictor(model={self.model.name}, point={self.point}, {what}, "
                f"features={len(self.feature_names)}, encoder={type(self.encoder).__name__})")

    # -- input -----------------------------------------------------------------------------------
    def transform(self, X) -> np.ndarray:
        """The float matrix (n, p) the model sees, from a DataFrame, Series or array (module doc)."""
        from ._validation import check_finite_array

        p = len(self.feature_names)
        if isinstance(X, dict):  # one row as {column: value}, or columns as {column: values}
            scalar = all(np.ndim(v) == 0 for v in X.values())
            X = pd.DataFrame({k: [v] for k, v in X.items()} if scalar else X)
        if isinstance(X, pd.Series):
            X = X.to_frame().T.infer_objects()
        if isinstance(X, pd.DataFrame):
            dup = X.columns[X.columns.duplicated()]
            if len(dup):  # X[name] would be a DataFrame, not a column
                fail("X", "a DataFrame with distinct column names",
                     f"column {str(dup[0])!r} {int((X.columns == dup[0]).sum())} times",
                     "Drop or rename the repeated columns.")
            if self.encoder is not None:
                A = np.asarray(self.encoder.transform(X), dtype=float)
            else:
                missing = [c for c in self.feature_names if c not in X.columns]
                if missing:
                    fail("X", f"a DataFrame with the training columns ({', '.join(self.feature_names[:8])})",
                         f"columns {[str(c) for c in X.columns][:8]}",
                         f"Missing: {missing[:5]}.")
                cols = X[list(self.feature_names)]
                bad = [c for c in cols.columns if not pd.api.types.is_numeric_dtype(cols[c])]
                if bad:
                    fail(f"column {bad[0]!r}", "numeric (this front has no encoder for categories)",
                         str(cols[bad[0]].dtype), "Encode it as the training data was.",
                         exc=TypeError)
                A = cols.to_numpy(dtype=float)
            A = check_finite_array("X", A, ndim=(2,))
        else:
            A = check_finite_array("X", X)
            if A.ndim == 1:
                if p != 1:
                    fail("X", f"a 2-D array with {p} columns", f"a 1-D array of shape {A.shape}",
                         "For one row use X.reshape(1, -1).")
                A = A[:, None]
        if A.shape[1] != p:
            fail("X", f"{p} columns ({', '.join(self.feature_names[:8])}"
                 f"{', …' if p > 8 else ''}) in training order", f"{A.shape[1]} columns",
                 "Pass a DataFrame to match columns by name.")
        return np.ascontiguousarray(A)  # one memory layout: the same rows give the same bits

    def _forward(self, X):
        A = self.transform(X)
        P = self.model.forward(self.thetas, A)[0]
        return A, P

    def _score(self, A):
        score = getattr(self.model, "score", None)
        if score is None:  # a model without an affine score: the prediction itself
            return self.model.forward(self.thetas, A)[0]
        return score(self.thetas, A)

    def _need_classifier(self, method):
        if not self.is_classifier:
            fail("model", f"a classifier (e.g. logistic) for {method}", self.model.name,
                 exc=AttributeError)

    # -- predictions -----------------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """(n, 2): P(class 0), P(class 1); for a mixture, Σⱼ wⱼ pⱼ(x)."""
        self._need_classifier("predict_proba")
        _, P = self._forward(X)
        p1 = P @ self.weights
        return np.column_stack([1.0 - p1, p1])

    def positive_rate(self, X) -> np.ndarray:
        """(n,): the chance that ``predict`` returns the positive class, Σⱼ wⱼ [pⱼ(x) ≥ t]."""
        self._need_classifier("positive_rate")
        _, P = self._forward(X)
        return (P >= self.model.threshold) @ self.weights

    def decision_function(self, X) -> np.ndarray:
        """(n,): the score z (module doc for mixtures)."""
        A = self.transform(X)
        if not self.is_mixture:
            return self._score(A)[:, 0]
        if self.is_classifier:
            p1 = self.model.forward(self.thetas, A)[0] @ self.weights
            return logit(np.clip(p1, 1e-15, 1 - 1e-15))
        return self._score(A) @ self.weights

    def predict(self, X, *, random_state=0, encoded: bool = False) -> np.ndarray:
        """(n,): labels from ``classes_`` for a classifier (the codes 0/1 with ``encoded=True``),
        values for a regressor; a mixture draws one model per row with ``random_state`` (ignored
        for a deterministic point)."""
        from ._validation import check_bool

        encoded = check_bool("encoded", encoded)
        _, P = self._forward(X)
        if self.is_mixture:
            rng = random_state if isinstance(random_state, np.random.Generator) else None
            if rng is None:
                if (isinstance(random_state, bool)
                        or not isinstance(random_state, (numbers.Integral, type(None)))):
                    fail("random_state", "an integer, None or a numpy.random.Generator",
                         random_state, exc=TypeError)
                rng = np.random.default_rng(random_state)
            j = rng.choice(len(self.weights), size=len(P), p=self.weights)
            out = P[np.arange(len(P)), j]
        else:
            out = P[:, 0]
        if self.is_classifier:
            codes = (out >= self.model.threshold).astype(int)
            return codes if encoded else self.classes[codes]
        return out


front_verb("predictor")(Predictor.from_front)
