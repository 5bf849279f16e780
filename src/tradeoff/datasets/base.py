"""The Dataset: features X (n, p), target y (n,), optional sensitive groups, all validated once here."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .._validation import check_finite_array, check_groups, check_sample_weight, check_xy, fail


@dataclass(frozen=True)
class Dataset:
    """X (n, p) float, y (n,) float, groups (n,) integer codes or None, with names for each."""

    X: np.ndarray
    y: np.ndarray
    name: str = "data"
    feature_names: tuple[str, ...] = ()
    target_name: str = "y"
    groups: np.ndarray | None = None
    group_names: tuple[str, ...] = ()
    sensitive_name: str = ""
    sample_weight: np.ndarray | None = None
    meta: dict = field(default_factory=dict)
    encoder: object | None = None  # the tabular.Encoder that made X from a frame (from_frame)

    def __post_init__(self):
        # the boundary: everything a Dataset holds is checked here, once, so that solvers and
        # objectives can trust it (finite and moderate X and y, weights ≥ 0, group codes ≥ 0)
        X = check_finite_array("X", self.X, columns=self.feature_names)
        X = X[:, None] if X.ndim == 1 else X
        if not self.feature_names:
            names = ("x",) if X.shape[1] == 1 else tuple(f"x{j}" for j in range(X.shape[1]))
            object.__setattr__(self, "feature_names", names)
        if len(self.feature_names) != X.shape[1]:
            fail("feature_names", f"{X.shape[1]} names, one per column of X", self.feature_names,
                 "Give one name per column, or leave feature_names out.")
        X, y = check_xy(X, self.y, feature_names=self.feature_names, target_name=self.target_name)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        if self.sample_weight is not None:
            object.__setattr__(self, "sample_weight", check_sample_weight(self.sample_weight, len(y)))
        if "rows_dropped" not in self.meta:  # how many rows a loader dropped (from_frame sets it)
            object.__setattr__(self, "meta", {**self.meta, "rows_dropped": 0})
        if self.groups is not None:
            codes, names = check_groups(self.groups, len(y), self.group_names)
            object.__setattr__(self, "groups", codes)
            object.__setattr__(self, "group_names", names)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    def subset(self, rows) -> Dataset:
        """The rows ``rows`` (integer indices or a boolean mask of length n), in that order.

        Names, groups (with all group names kept), sample weights, encoder and a copy of meta
        carry over. ``meta["rows"]`` records each row's position in the original data (composed
        over repeated subsets) and ``meta["index"]``, when the data came from a frame
        (``from_frame``), the frame's index labels of the rows kept, so a part of a split can be
        traced back: ``df.loc[part.meta["index"]]``.
        """
        idx = np.asarray(rows)
        if idx.dtype == bool:
            if idx.shape != (self.n,):
                fail("rows", f"a boolean mask of length {self.n} or integer indices",
                     f"a mask of shape {idx.shape}")
        elif idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
            fail("rows", "a 1-D array of integer indices or a boolean mask", rows, exc=TypeError)
        elif idx.size and (idx.min() < -self.n or idx.max() >= self.n):
            fail("rows", f"indices in [0, {self.n})", f"indices from {idx.min()} to {idx.max()}")
        if (idx.sum() if idx.dtype == bool else idx.size) == 0:
            fail("rows", "a selection of at least one row", "an empty selection")

        def take(a):
            return None if a is None else np.asarray(a)[idx]

        meta = dict(self.meta)
        meta["rows"] = np.asarray(meta.get("rows", np.arange(self.n)))[idx]
        if meta.get("index") is not None:
            meta["index"] = meta["index"][idx]
        return replace(self, X=self.X[idx], y=self.y[idx], groups=take(self.groups),
                       sample_weight=take(self.sample_weight), meta=meta)

    @property
    def param_names(self) -> list[str]:
        """Names of θ's entries: one weight per feature, then the intercept."""
        if self.feature_names == ("x",):
            return ["m", "c"]
        return [f"w_{f}" for f in self.feature_names] + ["intercept"]
