"""Stratified, seeded train / validation / test splits of a `Dataset`."""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import check_positive, fail
from .base import Dataset
from .tabular import encode_like_train

__all__ = ["split", "strata"]

#: a target with at most this many distinct values is stratified by value (classes), a target with
#: more by quantile bins
MAX_CLASSES = 10


def strata(data: Dataset, bins: int = 5) -> np.ndarray:
    """Stratum codes (n,): group × label, or group × quantile bin of y for a continuous target.

    y with at most `MAX_CLASSES` distinct values counts as labels; otherwise it is cut into ``bins``
    quantile bins (fewer where quantiles tie). Data without groups is one group.
    """
    check_positive("bins", bins, integer=True)
    y = data.y
    values, label = np.unique(y, return_inverse=True)
    if len(values) > MAX_CLASSES:
        edges = np.unique(np.quantile(y, np.linspace(0.0, 1.0, bins + 1)[1:-1]))
        label = np.searchsorted(edges, y, side="right")
    groups = np.zeros(data.n, dtype=np.int64) if data.groups is None else data.groups
    _, g = np.unique(groups, return_inverse=True)
    _, codes = np.unique(g * (int(label.max()) + 1) + label, return_inverse=True)
    return codes.ravel()


def _fraction(name: str, value, *, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        fail(name, "a fraction of the rows (a number in (0, 1))", value, exc=TypeError)
    lo_ok = value >= 0 if allow_zero else value > 0
    if not (np.isfinite(value) and lo_ok and value < 1):
        fail(name, f"a fraction of the rows in {'[0, 1)' if allow_zero else '(0, 1)'}", value,
             "E.g. test=0.3 keeps 30 % of the rows for testing.")
    return float(value)


def _allocate(sizes: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Counts (S, P) per stratum and part: each the floor or ceiling of size × share, rows summing
    to the stratum sizes; leftover rows go where the part's running total lags its exact share."""
    exact = np.round(sizes[:, None] * shares[None, :], 9)
    counts = np.floor(exact).astype(np.int64)
    frac = exact - counts
    lag = np.zeros(len(shares))
    for s in range(len(sizes)):  # a loop over strata (few), not rows
        r = int(sizes[s] - counts[s].sum())
        if r:
            priority = np.where(frac[s] > 0, frac[s] + lag, -np.inf)
            counts[s, np.argsort(-priority, kind="stable")[:r]] += 1
        lag += exact[s] - counts[s]
    return counts


def split(data: Dataset, test: float = 0.3, validation: float = 0.0, seed=0,
          *, bins: int = 5) -> tuple[Dataset, ...]:
    """``(train, test)``, or ``(train, validation, test)`` when ``validation > 0``.

    Stratified by group × label (or group × quantile bin of y, ``bins`` of them, for a continuous
    target; see `strata`): in every stratum each part's row count is the floor or ceiling of its
    exact share, and the parts' totals stay within about a row of theirs. The parts are disjoint,
    cover every row, keep the original row order and carry names, groups, weights and the encoder
    (`Dataset.subset`); ``part.meta["rows"]`` are the part's row positions in ``data`` and
    ``part.meta["index"]`` (data from ``from_frame``) its labels in the frame's index; with a
    `tabular.Encoder`, a category no train row has is dropped from every part
    (`tabular.encode_like_train`: the encoding is the train rows' alone). ``seed`` (int or
    numpy Generator) makes it deterministic.
    """
    if not isinstance(data, Dataset):
        fail("data", "a Dataset", type(data).__name__, exc=TypeError)
    test = _fraction("test", test, allow_zero=False)
    validation = _fraction("validation", validation, allow_zero=True)
    if test + validation >= 1:
        fail("test + validation", "below 1 so that rows are left for training",
             test + validation, "Lower `test` or `validation`.")
    shares = np.array([test, validation, 1.0 - test - validation])
    codes = strata(data, bins)
    sizes = np.bincount(codes)
    counts = _allocate(sizes, shares)  # (S, 3): test, validation, train
    totals = counts.sum(axis=0)
    for j, name in ((0, "test"), (1, "validation"), (2, "test + validation")):
        if totals[j] == 0 and (j != 1 or validation):
            part = "train" if j == 2 else name
            value = test + validation if j == 2 else float(shares[j])
            fix = "Use a smaller share." if j == 2 else "Use a larger share or more data."
            fail(name, f"a share that leaves at least one of the {data.n} rows in the {part} part",
                 value, fix)
    if not isinstance(seed, np.random.Generator) and (
            isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
        fail("seed", "a non-negative integer or a numpy Generator", seed, exc=TypeError)
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(data.n), codes))  # shuffled within each stratum
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rank = np.empty(data.n, dtype=np.int64)
    rank[order] = np.arange(data.n) - start[codes[order]]
    cuts = np.cumsum(counts, axis=1)[codes]  # (n, 3) per row's stratum
    part = (rank[:, None] >= cuts).sum(axis=1)  # 0 test, 1 validation, 2 train
    train, val, tst = (np.flatnonzero(part == j) for j in (2, 1, 0))

    # the categories come from the train rows alone (the encoder is fitted, like the model)
    return encode_like_train(*(data.subset(r) for r in ((train, val, tst) if validation
                                                        else (train, tst))))
