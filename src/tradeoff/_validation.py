"""Checks of user input at the public boundary, in one place.

Every message follows one pattern: "`{name}` must be {expectation}; got {value!r}." plus a fix where
one is likely, so that users and tests meet the same wording everywhere.
"""

from __future__ import annotations

import difflib
import numbers
from typing import Iterable

import numpy as np


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


def check_choice(name: str, value, valid: Iterable[str]):
    """Return ``value`` if it is one of ``valid``; else name the valid ones and the closest."""
    valid = sorted(valid)
    if not isinstance(value, str) or value not in valid:
        close = difflib.get_close_matches(str(value), valid, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        fail(name, f"one of {', '.join(valid)}", value, hint.strip())
    return value


def check_finite_array(name: str, a, *, ndim: tuple[int, ...] = (1, 2), dtype=float) -> np.ndarray:
    """Return ``a`` as a float array with no NaN or inf and a non-zero length."""
    try:
        arr = np.asarray(a, dtype=dtype)
    except (TypeError, ValueError):
        fail(name, "numeric", type(a).__name__, exc=TypeError)
    if arr.ndim not in ndim:
        fail(name, f"an array with {' or '.join(map(str, ndim))} dimensions",
             f"shape {arr.shape}")
    if arr.shape[0] == 0:
        fail(name, "non-empty", f"shape {arr.shape}", "Pass at least one row of data.")
    bad = ~np.isfinite(arr)
    if bad.any():
        rows = np.unique(np.nonzero(bad)[0])
        fail(name, "finite (no NaN or inf)", f"{bad.sum()} non-finite values in rows {rows[:5].tolist()}",
             "Drop or impute those rows first.")
    return arr


def check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    """Coerce features to (n, p) and a target to (n,), both finite and of one length."""
    X = check_finite_array("X", X)
    if X.ndim == 1:
        X = X[:, None]
    y = check_finite_array("y", y, ndim=(1,))
    if X.shape[0] != y.shape[0]:
        fail("X and y", "of the same length", f"{X.shape[0]} rows in X and {y.shape[0]} in y")
    return X, y


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


def closest(value: str, valid: Iterable[str]) -> str:
    """' Did you mean X?' for the closest valid name, or ''."""
    close = difflib.get_close_matches(value, list(valid), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""
