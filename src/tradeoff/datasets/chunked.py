"""Data held as Dask chunks of rows: out of core (Parquet read chunk by chunk) or on a cluster.

A ``ChunkedDataset`` is the same table as a ``Dataset`` (features X (n, p), target y (n,), optional
groups and sample weights) split into row chunks that are never gathered in one place. A problem
built on it (``tradeoff.Problem(chunked, …)``) runs each pass over the rows as one Dask
computation: every chunk gives its partial sums, which are added in chunk order (so the result
does not depend on the scheduler or the number of workers). Memory is bounded by the chunk size.

Dask's own rules say where the work runs: the threaded scheduler by default, or the cluster of a
``distributed.Client`` created in the session (``Client("tcp://host:8786")``, or a
``LocalCluster``). Everything here needs the ``dask`` extra: ``pip install 'tradeoff[dask]'``.
"""

from __future__ import annotations

import numpy as np

from .._validation import MAX_ABS, fail

_EXTRA = "pip install 'tradeoff[dask]' (and 'tradeoff[parquet]' for Parquet files)."


def _dask():
    try:
        import dask
        import dask.array as da
    except ImportError:
        fail("data", "usable with dask installed", "dask is not installed", _EXTRA, exc=ImportError)
    return dask, da


class ChunkedDataset:
    """X (n, p), y (n,), groups (n,) codes or None, sample weights (n,) or None, as Dask arrays
    with the same row chunks (every chunk holds all p columns).

    Built by ``from_dask``, ``from_dask_frame`` or ``from_parquet``, which check the data in one
    pass (finite, moderate values, weights ≥ 0, group codes) and gather what a problem needs before
    its first step: n, the column means and spreads, the groups present, whether y is binary.
    ``passes`` counts the passes over the rows made so far (construction's included)."""

    chunked = True

    def __init__(self, X, y, groups=None, sample_weight=None, *, name="data", feature_names=(),
                 target_name="y", group_names=(), sensitive_name=""):
        dask, da = _dask()
        for field, a in (("X", X), ("y", y), ("groups", groups), ("sample_weight", sample_weight)):
            if a is not None and not isinstance(a, da.Array):
                fail(field, "a dask array (use tradeoff.Dataset for in-memory data)",
                     type(a).__name__, exc=TypeError)
        if X.ndim != 2:
            fail("X", "a 2-D dask array (rows × features)", f"{X.ndim}-D")
        if any(np.isnan(c) for c in X.chunks[0]):
            fail("X", "a dask array with known chunk sizes", "unknown (NaN) chunk sizes",
                 "Call X.compute_chunk_sizes() first, or build it from a dask DataFrame with "
                 "ChunkedDataset.from_dask_frame.")
        X = X.rechunk({1: -1}) if len(X.chunks[1]) > 1 else X
        rows = X.chunks[0]
        n, p = int(sum(rows)), int(X.shape[1])

        def aligned(field, a):
            if a is None:
                return None
            if a.ndim != 1 or a.shape[0] != n:
                fail(field, f"a 1-D dask array of length {n} (one entry per row of X)",
                     f"shape {a.shape}")
            return a.rechunk((rows,)) if a.chunks[0] != rows else a

        self.X = X.astype(float)
        self.y = aligned("y", y).astype(float)
        self.groups = aligned("groups", groups)
        self.sample_weight = aligned("sample_weight", sample_weight)
        self.name, self.target_name, self.sensitive_name = name, target_name, sensitive_name
        names = tuple(feature_names) or (("x",) if p == 1 else tuple(f"x{j}" for j in range(p)))
        if len(names) != p:
            fail("feature_names", f"{p} names, one per column of X", names,
                 "Give one name per column, or leave feature_names out.")
        self.feature_names = names
        self.meta = {"rows_dropped": 0}
        self.encoder = None
        self.passes = 0
        self._summarise(tuple(group_names))

    # -- the construction pass -------------------------------------------------------------------
    def _summarise(self, group_names):
        stats = self.map_chunks(_chunk_summary)
        n = sum(s["n"] for s in stats)
        bad = sum(s["bad_x"] for s in stats)
        if bad:
            fail("X", f"finite, with magnitudes below {MAX_ABS:g}", f"{bad} non-finite or huge values",
                 "Drop or impute those rows first.")
        if sum(s["bad_y"] for s in stats):
            fail("y", f"finite, with magnitudes below {MAX_ABS:g}",
                 f"{sum(s['bad_y'] for s in stats)} non-finite or huge values",
                 "Drop or impute those rows first.")
        if sum(s["bad_w"] for s in stats):
            fail("sample_weight", "finite and ≥ 0", f"{sum(s['bad_w'] for s in stats)} bad values")
        if sum(s["bad_g"] for s in stats):
            fail("groups", "integer group codes ≥ 0", f"{sum(s['bad_g'] for s in stats)} bad codes",
                 "Pass codes from pandas.factorize, or build from a dask DataFrame with "
                 "`sensitive=`, which encodes labels.")
        # column means and spreads from the chunks' own means and centred sums of squares
        # (Chan et al.'s pairwise update): no cancellation of large squared sums
        mean = sum(s["n"] * s["mean"] for s in stats) / n
        m2 = sum(s["m2"] + s["n"] * (s["mean"] - mean) ** 2 for s in stats)
        self.n, self.column_mean, self.column_std = n, mean, np.sqrt(m2 / n)
        self.gram = sum(s["gram"] for s in stats)  # X̃ᵀX̃ (d, d), x̃ = (x, 1)
        self.xty = sum(s["xty"] for s in stats)  # X̃ᵀy (d,)
        self.y_sum = sum(s["y_sum"] for s in stats)
        self.y_sq = sum(s["y_sq"] for s in stats)
        self.weight_sum = sum(s["w_sum"] for s in stats)
        if self.sample_weight is not None and not self.weight_sum > 0:
            fail("sample_weight", "positive for at least one row", "all zero")
        self.y_binary = all(s["y_binary"] for s in stats)
        self.y_values = np.unique(np.concatenate([s["y_values"] for s in stats]))
        if self.groups is None:
            self.group_names, self.groups_present = (), None
            return
        present = np.unique(np.concatenate([s["groups"] for s in stats])).astype(int)
        G = int(present.max()) + 1
        names = group_names or tuple(str(g) for g in range(G))
        if len(names) < G:
            fail("group_names", f"a name for each of the {G} group codes", names)
        self.group_names, self.groups_present = tuple(str(x) for x in names), present

    # -- passes ------------------------------------------------------------------------------------
    @property
    def n_chunks(self) -> int:
        return len(self.X.chunks[0])

    def map_chunks(self, fn, *args):
        """[fn(X_c, y_c, groups_c, w_c, *args) for every chunk c], computed by Dask in one pass,
        in chunk order. ``fn`` gets numpy arrays (groups_c and w_c may be None)."""
        dask, _ = _dask()
        from dask import delayed

        Xs = self.X.to_delayed().ravel()
        ys = self.y.to_delayed().ravel()
        gs = [None] * len(Xs) if self.groups is None else self.groups.to_delayed().ravel()
        ws = [None] * len(Xs) if self.sample_weight is None else \
            self.sample_weight.to_delayed().ravel()
        args = tuple(delayed(a) if isinstance(a, np.ndarray) else a for a in args)
        parts = [delayed(fn, pure=False)(x, y, g, w, *args) for x, y, g, w in zip(Xs, ys, gs, ws)]
        self.passes += 1
        return list(dask.compute(*parts))

    def persist(self) -> "ChunkedDataset":
        """This dataset with its chunks computed once and kept in memory where Dask runs (on a
        cluster, spread over the workers' memory), so that later passes neither read the files
        again nor send the data from this process. Returns a new dataset; the statistics carry
        over (no pass is made to gather them again)."""
        import copy

        dask, _ = _dask()
        out = copy.copy(self)
        arrays = [a for a in (self.X, self.y, self.groups, self.sample_weight) if a is not None]
        kept = iter(dask.persist(*arrays))
        out.X, out.y = next(kept), next(kept)
        out.groups = None if self.groups is None else next(kept)
        out.sample_weight = None if self.sample_weight is None else next(kept)
        out.passes = self.passes + 1
        return out

    def omega_scale(self) -> float:
        """ω = w / Σw (or 1/n): the factor that turns a chunk's raw weights into the rows' ω."""
        return 1.0 / (self.weight_sum if self.sample_weight is not None else self.n)

    def summary(self):
        """A tiny in-memory stand-in with every group present and y's kind (binary or not), for the
        objectives' checks of the data (``check(data)``); never for values."""
        from .base import Dataset

        ys = self.y_values[:3]  # sorted: among 3 distinct values one is neither 0 nor 1
        if self.groups is None:
            return Dataset(np.zeros((len(ys), len(self.feature_names))), ys, name=self.name,
                           feature_names=self.feature_names)
        g = np.repeat(self.groups_present, len(ys))
        y = np.tile(ys, len(self.groups_present))
        return Dataset(np.zeros((len(y), len(self.feature_names))), y, name=self.name,
                       feature_names=self.feature_names, groups=g, group_names=self.group_names)

    @property
    def param_names(self) -> list[str]:
        if self.feature_names == ("x",):
            return ["m", "c"]
        return [f"w_{f}" for f in self.feature_names] + ["intercept"]

    def __repr__(self):
        return (f"ChunkedDataset({self.name!r}, n={self.n}, p={len(self.feature_names)}, "
                f"chunks={self.n_chunks})")

    # -- constructors ------------------------------------------------------------------------------
    @classmethod
    def from_dask(cls, X, y, groups=None, sample_weight=None, **names) -> "ChunkedDataset":
        """From dask arrays X (n, p), y (n,) and optional group codes and sample weights."""
        return cls(X, y, groups, sample_weight, **names)

    @classmethod
    def from_dask_frame(cls, frame, target: str, *, sensitive: str | None = None, features=None,
                        sample_weight: str | None = None, name: str = "data") -> "ChunkedDataset":
        """From a dask DataFrame: numeric ``features`` (default every other column) as X, the
        ``target`` column as y, the ``sensitive`` column's labels as groups (encoded in sorted
        order, one pass) and an optional ``sample_weight`` column."""
        _dask()
        import dask.dataframe as dd

        if not isinstance(frame, dd.DataFrame):
            fail("frame", "a dask DataFrame", type(frame).__name__, exc=TypeError)
        cols = list(frame.columns)
        for field, col in (("target", target), ("sensitive", sensitive),
                           ("sample_weight", sample_weight)):
            if col is not None and col not in cols:
                fail(field, f"one of the frame's columns {cols}", col)
        taken = {target, sensitive, sample_weight}
        features = [c for c in cols if c not in taken] if features is None else list(features)
        missing = [c for c in features if c not in cols]
        if missing:
            fail("features", f"columns of the frame {cols}", missing)
        if not features:
            fail("features", "at least one feature column", features)
        text = [c for c in features if not _numeric(frame[c].dtype)]
        if text:
            fail("features", "numeric columns (ChunkedDataset has no encoder)", text,
                 "Encode them first, e.g. dd.get_dummies(frame.categorize(columns="
                 f"{text!r})), or drop them with `features=`.")
        for field, col in (("target", target), ("sample_weight", sample_weight)):
            if col is not None and not _numeric(frame[col].dtype):
                fail(field, "a numeric column", f"{col!r} of dtype {frame[col].dtype}",
                     "Encode it as numbers first (e.g. 0/1 labels).")
        # every array is cut from the same partitions, so a pass reads each partition once
        from dask import compute, delayed

        da = _dask()[1]
        cols = [*features, target] + [c for c in (sensitive, sample_weight) if c is not None]
        parts = frame[cols].to_delayed()
        counted = compute(*[delayed(_count)(part, sensitive) for part in parts])
        lengths = [k for k, _, _ in counted]
        if sensitive is not None and sum(nans for _, _, nans in counted):
            fail("sensitive", f"a column free of missing values ({sensitive!r})",
                 f"{sum(nans for _, _, nans in counted)} missing values",
                 "Drop those rows or fill them with a label of their own.")
        values = np.unique(np.concatenate([v for _, v, _ in counted])) if sensitive else None

        def array(fn, *args, width=None, dtype=float):
            blocks = [da.from_delayed(delayed(fn)(part, *args), dtype=dtype,
                                      shape=(k,) if width is None else (k, width))
                      for part, k in zip(parts, lengths)]
            return da.concatenate(blocks)

        X = array(_columns, features, width=len(features))
        groups, group_names = None, ()
        if sensitive is not None:
            groups = array(_codes, sensitive, values, dtype=np.int64)
            group_names = tuple(str(v) for v in values)
        y = array(_column, target)
        w = array(_column, sample_weight) if sample_weight is not None else None
        data = cls(X, y, groups, w, name=name, feature_names=tuple(map(str, features)),
                   target_name=target, group_names=group_names, sensitive_name=sensitive or "")
        data.passes += 1  # the lengths-and-labels pass above
        return data

    @classmethod
    def from_parquet(cls, path, target: str, *, sensitive: str | None = None, features=None,
                     sample_weight: str | None = None, name: str | None = None,
                     blocksize=None) -> "ChunkedDataset":
        """From Parquet files (a path, a directory or a glob such as ``"data/*.parquet"``), read
        chunk by chunk on every pass (out of core): one chunk per file or row group, or per
        ``blocksize`` bytes (e.g. ``"256MiB"``)."""
        _dask()
        import glob as _glob
        import os

        import dask.dataframe as dd

        path = str(path)
        if not (_glob.glob(path) or os.path.exists(path)):
            fail("path", "existing Parquet file(s)", path, "Check the path or the glob pattern.")
        cols = None
        if features is not None:
            cols = [*features, target] + [c for c in (sensitive, sample_weight) if c is not None]
        kw = {} if blocksize is None else {"blocksize": blocksize}
        frame = dd.read_parquet(path, columns=cols, **kw)
        return cls.from_dask_frame(frame, target, sensitive=sensitive, features=features,
                                   sample_weight=sample_weight,
                                   name=name or os.path.basename(path.rstrip("/*")) or "data")


def _numeric(dtype) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def _count(part, sensitive):
    """A partition's length, its sensitive labels and how many are missing."""
    if sensitive is None:
        return len(part), None, 0
    labels = part[sensitive]
    return len(part), labels.dropna().unique(), int(labels.isna().sum())


def _columns(part, names):
    return part[list(names)].to_numpy(dtype=float)


def _column(part, name):
    return part[name].to_numpy(dtype=float)


def _codes(part, name, values):
    return np.searchsorted(values, part[name].to_numpy()).astype(np.int64)


def _chunk_summary(X, y, g, w):
    """One chunk's counts, checks and sums for the construction pass."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    n = len(y)
    finite = np.isfinite(X) & (np.abs(X) < MAX_ABS)
    out = {"n": n, "bad_x": int((~finite).sum()),
           "bad_y": int((~(np.isfinite(y) & (np.abs(y) < MAX_ABS))).sum()),
           "bad_w": 0 if w is None else int((~(np.isfinite(w) & (np.asarray(w) >= 0))).sum()),
           "bad_g": 0, "groups": np.zeros(0, int)}
    if out["bad_x"] or out["bad_y"]:
        X, y = np.where(finite, X, 0.0), np.where(np.isfinite(y), y, 0.0)
    mean = X.mean(axis=0) if n else np.zeros(X.shape[1])
    Xc = X - mean
    out["mean"], out["m2"] = mean, (Xc * Xc).sum(axis=0)
    X1 = np.column_stack([X, np.ones(n)])
    out["gram"], out["xty"] = X1.T @ X1, X1.T @ y
    out["y_sum"], out["y_sq"] = float(y.sum()), float(y @ y)
    out["w_sum"] = float(np.sum(w)) if w is not None else float(n)
    out["y_binary"] = bool(np.isin(y, (0.0, 1.0)).all())
    out["y_values"] = np.unique(y)[:3] if not out["y_binary"] else np.unique(y)
    if g is not None:
        g = np.asarray(g)
        ok = np.isfinite(g) & (g >= 0) & (g == np.round(g)) if g.dtype.kind == "f" else g >= 0
        out["bad_g"] = int((~ok).sum())
        out["groups"] = np.unique(g[ok]).astype(int)
    return out
