"""Checks of user input at the public boundary, in one place.

Every message follows one pattern: "`{name}` must be {expectation}; got {value!r}." plus a fix where
one is likely, so that users and tests meet the same wording everywhere.
"""

from __future__ import annotations

import difflib
import inspect
import numbers
import typing
from typing import Callable, Iterable

import numpy as np

# Largest magnitude a feature or target may have: squares of 1e150 and sums of n of them overflow
# float64 (1.8e308), which surfaces deep inside LAPACK; 1e100 leaves room for any n and any power.
MAX_ABS = 1e100


class MissingFileError(FileNotFoundError, ValueError):
    """A file named in the input does not exist: both a FileNotFoundError and a ValueError, so
    callers that catch input errors (ValueError) catch it too."""


def fail(name: str, expectation: str, value, fix: str = "", exc=ValueError):
    """Raise ``exc`` with the project's standard sentence."""
    shown = value if isinstance(value, str) else _short(value)
    msg = f"`{name}` must be {expectation}; got {shown!r}."
    if fix:
        msg += f" {fix}"
    raise exc(msg)


def _short(value):
    if isinstance(value, np.ndarray) and value.size > 6:
        return f"array of shape {value.shape}"
    return value


def check_positive(name: str, value, *, integer: bool = False, allow_zero: bool = False):
    """Return ``value`` if it is a positive (or non-negative) finite number, else raise."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        fail(name, "an integer" if integer else "a number", value, exc=TypeError)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        fail(name, "≥ 0" if allow_zero else "> 0", value)
    return value


# Largest synthetic dataset a built-in generator makes: 10 million rows (80 MB a column), far beyond
# what a study needs and well inside a laptop's memory; 10⁹ rows would take 8 GB a column.
MAX_ROWS = 10_000_000
MAX_CELLS = 100_000_000  # rows × feature columns (800 MB)


def check_rows(name: str, n, columns: int = 1) -> int:
    """``n`` if it is a positive integer with at most ``MAX_ROWS`` rows and ``MAX_CELLS`` cells."""
    check_positive(name, n, integer=True)
    if n > MAX_ROWS or n * columns > MAX_CELLS:
        fail(name, f"at most {MAX_ROWS:,} rows and {MAX_CELLS:,} values (rows × {columns} "
             "column(s)) for a built-in generated dataset", n,
             "Use fewer rows; for data that large, load your own with from_csv.")
    return int(n)


def check_number(name: str, value) -> float:
    """Return ``value`` as a float if it is a finite real number (not a bool, not a string)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        fail(name, "a finite number", value, "Write a plain number such as 1.5.", exc=TypeError)
    if not np.isfinite(value):
        fail(name, "a finite number", value, "Give a finite value.")
    return float(value)


def check_choice(name: str, value, valid: Iterable[str]):
    """Return ``value`` if it is one of ``valid``; else name the valid ones and the closest."""
    valid = sorted(valid)
    if not isinstance(value, str) or value not in valid:
        close = difflib.get_close_matches(str(value), valid, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        fail(name, f"one of {', '.join(valid)}", value, hint.strip())
    return value


def check_finite_array(name: str, a, *, ndim: tuple[int, ...] = (1, 2), dtype=float,
                       columns=()) -> np.ndarray:
    """Return ``a`` as a float array with no NaN or inf and a non-zero length (``columns``: the
    names of a 2-D array's columns, to say where a bad value is)."""
    try:
        arr = np.asarray(a, dtype=dtype)
    except (TypeError, ValueError):
        fail(name, "numeric", type(a).__name__,
             "Convert it to numbers first (e.g. encode categories as 0/1 columns).", exc=TypeError)
    if arr.ndim not in ndim:
        fail(name, f"an array with {' or '.join(map(str, ndim))} dimensions",
             f"shape {arr.shape}",
             "Pass one value per row." if ndim == (1,) else "Pass one row per sample.")
    if arr.shape[0] == 0:
        fail(name, "non-empty", f"shape {arr.shape}", "Pass at least one row of data.")
    bad = ~np.isfinite(arr)
    if bad.any():
        rows = np.unique(np.nonzero(bad)[0])
        where = ""
        if arr.ndim == 2 and len(columns) == arr.shape[1]:
            cols = [str(columns[j]) for j in np.nonzero(bad.any(axis=0))[0]]
            where = f" (column{'s' if len(cols) > 1 else ''} {', '.join(map(repr, cols[:5]))})"
        fail(name, "finite (no NaN or inf)",
             f"{bad.sum()} non-finite values in rows {rows[:5].tolist()}{where}",
             "Drop or impute those rows first.")
    return arr


def check_xy(X, y, *, feature_names=(), target_name: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Coerce features to (n, p) and a target to (n,), finite, of one length and of a magnitude
    float64 can square and sum (|value| ≤ MAX_ABS); the names, if given, go into the messages."""
    X = check_finite_array("X", X)
    if X.ndim == 1:
        X = X[:, None]
    y = check_finite_array("y", y, ndim=(1,))
    if X.shape[0] != y.shape[0]:
        fail("X and y", "of the same length", f"{X.shape[0]} rows in X and {y.shape[0]} in y")
    check_magnitude("X", X, feature_names)
    check_magnitude("y", y[:, None], (target_name,) if target_name else ())
    return X, y


def check_magnitude(name: str, arr: np.ndarray, columns=()):
    """Raise if a value of the 2-D ``arr`` exceeds MAX_ABS, naming its column (by ``columns``)."""
    big = np.abs(arr) > MAX_ABS
    if not big.any():
        return
    rows, cols = np.nonzero(big)
    j = int(cols[0])
    col = repr(str(columns[j])) if len(columns) > j else (str(j) if arr.shape[1] > 1 else "")
    where = f"column {col}" if col else name
    fail(name, f"of magnitude at most {MAX_ABS:g}",
         f"{arr[rows[0], j]:g} in {where + ', ' if col else ''}row {int(rows[0])} "
         f"({int(big[:, j].sum())} such rows)",
         f"Rescale {where} (e.g. divide by a power of ten or take logs) before fitting; "
         "squares of such values overflow.")


def check_bool(name: str, value) -> bool:
    """Return ``value`` if it is a real boolean: the string "false" is not False."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    fix = "Write true or false (True or False in Python)."
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "0", "1"):
        word = "true" if value.strip().lower() in ("true", "yes", "1") else "false"
        fix = (f"Write {word} without quotes (in a TOML config) or {word.capitalize()} in Python; "
               "a non-empty string would count as true.")
    fail(name, "true or false (a boolean)", value, fix, exc=TypeError)


def check_seed(name: str, seed):
    """Return ``seed`` if numpy can seed a Generator with it: None, an integer ≥ 0, a Generator."""
    if seed is None or isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        fail(name, "an integer ≥ 0, None or a numpy.random.Generator", seed, "Use e.g. seed=0.",
             exc=TypeError)
    if seed < 0:
        fail(name, "an integer ≥ 0", seed, "Seeds are non-negative; use e.g. seed=0.")
    return seed


def check_sample_weight(weight, n: int, name: str = "sample_weight") -> np.ndarray:
    """(n,) float weights: finite, ≥ 0, one per row, with a positive sum."""
    if isinstance(weight, (str, bytes)):
        fail(name, "an array of numbers, one weight per row", weight,
             "Pass the weights themselves, e.g. df['weight'].to_numpy().", exc=TypeError)
    w = check_finite_array(name, weight, ndim=(1,))
    if w.shape[0] != n:
        fail(name, f"of length {n} (one weight per row)", f"length {w.shape[0]}",
             "Pass one weight for each row of the data, in the same order.")
    if (w < 0).any():
        fail(name, "non-negative", f"{int((w < 0).sum())} negative weight(s), the smallest {w.min():g}",
             "Use weight 0 to leave a row out.")
    total = w.sum()
    if not total > 0:
        fail(name, "of positive sum", "all weights 0", "Give at least one row a positive weight.")
    if not np.isfinite(total) or w.max() > MAX_ABS:
        fail(name, f"of moderate size (each at most {MAX_ABS:g}, with a finite sum)",
             f"largest {w.max():g}", "Rescale the weights: only their ratios matter.")
    return w


def check_labels(name: str, y: np.ndarray, *, fix: str = "",
                 expectation: str = "binary labels (0/1)") -> np.ndarray:
    """Return ``y`` if every value is 0 or 1 (the classes of a binary problem), else name them."""
    vals = np.unique(y)
    bad = vals[~np.isin(vals, (0.0, 1.0))]
    if bad.size:
        fail(name, expectation, f"values {bad[:6].tolist()}",
             fix or "Encode the two classes as 0 and 1, e.g. (y == positive_class).astype(float).")
    return y


def check_probabilities(name: str, p: np.ndarray, *, fix: str = "") -> np.ndarray:
    """Return ``p`` if every value lies in [0, 1], else name how many do not."""
    bad = (p < 0) | (p > 1)
    if bad.any():
        first = p[bad].flat[0]
        fail(name, "probabilities in [0, 1]", f"{int(bad.sum())} value(s) outside, e.g. {first:g}",
             fix or "Pass predicted probabilities (a logistic model's output), not scores or "
                    "classes; turn scores s into probabilities with scipy.special.expit(s).")
    return p


def check_groups(groups, n: int, group_names=(), name: str = "groups"):
    """Group codes (n,) int64 ≥ 0 and their names from integer codes or labels.

    Integer codes (or integral floats) are kept, with ``group_names`` checked to name every code.
    Labels (strings, booleans, objects) are encoded in sorted order and named by themselves.
    Missing values (NaN, None, or the code −1 that ``pandas.factorize`` gives them) are an error.
    """
    try:
        g = np.asarray(groups)
    except (TypeError, ValueError):
        fail(name, "a 1-D array of group codes or labels", type(groups).__name__,
             "Pass one label or code per row, e.g. df['sex'].to_numpy().", exc=TypeError)
    if g.ndim != 1 or g.shape[0] != n:
        fail(name, f"a 1-D array of length {n} (one group per row)", f"shape {g.shape}",
             "Pass one label or code per row, in the order of the rows of X.")
    fill = ("Drop the rows with missing values (e.g. df.dropna(subset=[column])) or fill them with "
            "a label of their own (e.g. df[column].fillna('unknown')) before building the Dataset.")
    names = tuple(str(x) for x in group_names)
    if g.dtype.kind in "iuf":
        if g.dtype.kind == "f":
            if np.isnan(g).any():
                fail(name, "free of missing values", f"{int(np.isnan(g).sum())} NaN", fill)
            odd = ~np.isfinite(g) | (g != np.round(g))
            if odd.any():
                fail(name, "integer group codes 0, 1, …", f"values {np.unique(g[odd])[:4].tolist()}",
                     "Pass the labels themselves (e.g. strings) or codes from pandas.factorize.")
        if (g < 0).any():
            if (g == -1).any():
                fail(name, "free of missing values", f"code -1 in {int((g == -1).sum())} row(s)",
                     "pandas.factorize gives -1 for a missing value. " + fill)
            fail(name, "integer group codes ≥ 0", f"values {np.unique(g[g < 0])[:4].tolist()}",
                 "Number the groups 0, 1, … (pandas.factorize does), or pass the labels.")
        codes = g.astype(np.int64)
        if names and len(names) <= codes.max():
            fail("group_names", f"one name for each group code 0 … {int(codes.max())}", names,
                 "Give a name per code, or leave group_names out.")
        return codes, names
    # labels: strings, booleans, objects
    import pandas as pd  # only for its notion of missing (None, NaN, NaT, pd.NA)

    missing = np.asarray(pd.isna(g), dtype=bool)
    if missing.any():
        fail(name, "free of missing values", f"{int(missing.sum())} missing label(s)", fill)
    if names:
        fail("group_names", "left out when groups are given as labels (the labels name them)",
             names, "Pass integer codes with group_names, or labels alone.")
    labels = [x.item() if isinstance(x, np.generic) else x for x in g.tolist()]
    try:
        uniques = sorted(set(labels))
    except TypeError:  # mixed types (e.g. 1 and "a") only sort as text
        uniques = sorted(set(labels), key=lambda v: (str(v), type(v).__name__))
    index = {u: i for i, u in enumerate(uniques)}
    shown = [str(u) for u in uniques]
    if len(set(shown)) < len(shown):  # e.g. 1 and "1": keep them apart
        shown = [f"{s} [{i}]" for i, s in enumerate(shown)]
    return np.fromiter((index[x] for x in labels), np.int64, count=n), tuple(shown)


def check_theta(Theta, d: int, name: str = "Theta") -> tuple[np.ndarray, bool]:
    """Return a (K, d) finite float array and whether the input was a single vector of length d.

    NaN or inf in a parameter would only come back as rows of NaN values, far from their cause."""
    try:
        arr = np.asarray(Theta, dtype=float)
    except (TypeError, ValueError):
        fail(name, f"numeric, of shape (K, {d}) or ({d},)", type(Theta).__name__, exc=TypeError)
    single = arr.ndim == 1
    if single:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != d:
        fail(name, f"of shape (K, {d}) or ({d},)", f"shape {np.shape(Theta)}")
    bad = ~np.isfinite(arr)
    if bad.any():
        rows = np.unique(np.nonzero(bad)[0])
        fail(name, "finite (no NaN or inf)", f"{int(bad.sum())} non-finite values in rows "
             f"{rows[:5].tolist()}", "Check where these parameters came from (a diverged fit?).")
    return arr, single


def check_keys(table: dict, path: str, valid) -> None:
    """Every key of ``table`` among ``valid``, else "`path.key` must be one of the keys …; got …",
    naming the closest valid key on a typo."""
    for key in table:
        if key not in valid:
            fail(f"{path}.{key}", f"one of the keys {', '.join(valid)}", key,
                 closest(key, valid).strip())


def closest(value: str, valid: Iterable[str]) -> str:
    """' Did you mean X?' for the closest valid name, or ''."""
    close = difflib.get_close_matches(str(value), [str(v) for v in valid], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_params(fn: Callable, params: dict, what: str, *, path: str = "", skip=(),
                 also=()) -> dict:
    """Check keyword ``params`` for ``fn`` before calling it: unknown names (with the closest
    valid one), missing required ones, and booleans declared ``bool`` that are not (the string
    "false" is truthy). ``path`` prefixes the names (a config path); ``skip``: names given
    elsewhere (e.g. positionally); ``also``: names valid beside fn's (taken by the caller)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without a signature: nothing to check
        return params
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    accepted = [p for p in sig.parameters.values() if p.kind in kinds and p.name not in skip]
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())
    valid = list(also) + [p.name for p in accepted]
    at = (lambda key: f"{path}.{key}") if path else (lambda key: str(key))
    for key in params:
        if not isinstance(key, str):
            fail(at(key), f"a parameter name of {what}", key, "Name parameters by strings.",
                 exc=TypeError)
        if key not in valid and not takes_any:
            hint = closest(key, valid).strip() or (
                "Remove it, or use one of those." if valid else "Remove it: none is taken.")
            if path:
                fail(at(key), f"a parameter of {what} ({', '.join(valid) or 'none'})", key, hint)
            fail(f"parameters of {what}", f"among {', '.join(valid) or 'none'}", sorted(params),
                 hint)
    for p in accepted:
        if p.default is inspect.Parameter.empty and p.name not in params:
            fail(at(p.name), f"given (a required parameter of {what})", "nothing",
                 f"Add `{p.name} = ...`.")
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - unresolvable annotations: skip the type checks
        hints = {}
    for key, value in params.items():
        if hints.get(key) is bool:
            check_bool(at(key), value)
        elif key == "seed":
            check_seed(at(key), value)
    return params
