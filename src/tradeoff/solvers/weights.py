"""Weight vectors on the simplex, evenly spaced or placed where a two-objective front bends."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .._validation import fail


def simplex_grid(k: int, m: int) -> np.ndarray:
    """k weight vectors (k, m) spread over the simplex {w ≥ 0, Σw = 1}.

    m = 2 gives k evenly spaced points; m > 2 uses pymoo's Riesz s-energy directions, which place
    exactly k well-spread points for any k (computed once per (k, m): they take about a second).
    """
    if m == 2:
        t = np.linspace(0.0, 1.0, k)
        return np.column_stack([1.0 - t, t])
    return _energy(k, m).copy()


@lru_cache(maxsize=32)
def _energy(k: int, m: int) -> np.ndarray:
    from pymoo.util.ref_dirs import get_reference_directions

    return get_reference_directions("energy", m, k, seed=1)


PREFERENCES = ("grid", "das-dennis", "dirichlet")


def preference_rows(kind: str, k: int, m: int, seed: int = 0) -> np.ndarray:
    """k preference rows (k, m) on the simplex, by ``kind``:

    - ``grid``: ``simplex_grid`` (even for two objectives, Riesz s-energy for more);
    - ``das-dennis``: pymoo's Das–Dennis lattice, every row a multiple of 1/H; it has
      C(H + m − 1, m − 1) rows, so k must be one of those counts (any k for two objectives);
    - ``dirichlet``: k rows drawn from the flat Dirichlet distribution by a numpy Generator seeded
      with ``seed`` (the same rows for the same seed).
    """
    if kind == "grid":
        return simplex_grid(k, m)
    if kind == "dirichlet":
        return np.random.default_rng(seed).dirichlet(np.ones(m), size=k)
    if kind != "das-dennis":
        fail("preferences", f"one of {', '.join(map(repr, PREFERENCES))}", kind)
    from pymoo.util.ref_dirs import get_reference_directions

    return get_reference_directions("das-dennis", m, n_partitions=das_dennis_partitions(k, m))


def das_dennis_partitions(k: int, m: int, name: str = "n_points") -> int:
    """The H whose Das–Dennis lattice on m objectives has exactly k rows, C(H + m − 1, m − 1);
    else an error naming the two nearest counts (``name``: the option, as the caller calls it)."""
    from pymoo.util.reference_direction import (get_number_of_uniform_points,
                                                get_partition_closest_to_points)

    H = get_partition_closest_to_points(k, m)
    below = get_number_of_uniform_points(H, m)
    if below != k:
        above = get_number_of_uniform_points(H + 1, m)
        fail(name, f"a Das–Dennis count for {m} objectives (C(H + {m - 1}, {m - 1}) for an "
             "integer H)", k, f"Use n_points = {below} or {above}, or preferences = 'grid' for "
             "any number of points.")
    return H


def weight_rows(weights, preferences: str, k: int, m: int, seed: int = 0) -> np.ndarray:
    """The given ``weights`` rows (checked), else k rows of the kind ``preferences``."""
    if weights is None:
        return preference_rows(preferences, k, m, seed)
    if preferences != "grid":
        fail("preferences", "'grid' (the default) when `weights` are given", preferences,
             "Give either explicit weights or a kind of preference set, not both.")
    return check_weights(weights, m)


def check_weights(W, m: int) -> np.ndarray:
    """W (k, m) with non-negative rows summing to 1 (to 1e-9); else a clear error."""
    W = np.atleast_2d(np.asarray(W, dtype=float))
    if W.ndim != 2 or W.shape[1] != m:
        fail("weights", f"an array of shape (k, {m}), one column per objective", f"shape {W.shape}")
    off = (W < 0).any(axis=1) | (np.abs(W.sum(axis=1) - 1.0) > 1e-9) | ~np.isfinite(W).all(axis=1)
    if off.any():
        i = int(np.argmax(off))
        fail("weights", "on the simplex (every entry ≥ 0 and each row summing to 1)",
             W[i].tolist(), f"Row {i} is off the simplex; divide each row by its sum.")
    return W


def log_grid(k: int, low: float = 1e-3, high: float = 1e3) -> np.ndarray:
    """k penalty factors λ on a log grid, as two-objective weights (1, λ) / (1 + λ)."""
    lam = np.logspace(np.log10(low), np.log10(high), k)
    return lam


def refine_two(W: np.ndarray, Fn: np.ndarray, n_new: int):
    """New weights between neighbours whose normalised points Fn (k, 2) are farthest apart, and the
    indices of those neighbours (left, right) in W.

    Each new weight bisects the two neighbouring weights, so points fill the gaps where the front
    bends instead of bunching at its knee.
    """
    order = np.argsort(W[:, 1], kind="stable")
    gaps = np.linalg.norm(np.diff(Fn[order], axis=0), axis=1)
    widest = np.argsort(-gaps, kind="stable")[:n_new]
    left, right = order[widest], order[widest + 1]
    return 0.5 * (W[left] + W[right]), left, right
