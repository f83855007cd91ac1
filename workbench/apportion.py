"""Sharing a whole number out: integers near exact targets that sum to a total.

One largest-remainder rounding for the package (split sizes, demo class sizes, epoch
plans, collection quotas), and the water level a capped plan fills to.
"""

from __future__ import annotations

import numpy as np


def round_to_total(exact, total: int, *, lo=None, hi=None, tiebreak=None) -> np.ndarray:
    """Integers near ``exact`` (each within ``[lo, hi]``) that sum to ``total``.

    Largest remainder: each target is rounded down, then the units still missing go to
    the largest remainders (units in excess come off the smallest). Equal remainders go
    to the largest ``tiebreak``, then to the leftmost. Remainders are compared to 9
    decimals, so float noise does not decide a tie.

    Parameters
    ----------
    exact : array of float
        The targets, e.g. ``[2.5, 2.5, 2.0]``, summing to about ``total``.
    total : int
        What the result sums to; it must lie within ``[sum(lo), sum(hi)]``.
    lo, hi : array of int, optional
        Bounds per entry (default 0 and no upper bound).
    tiebreak : array of float, optional
        Priority among equal remainders, larger first.

    Returns
    -------
    numpy.ndarray of int64
        One integer per target, summing to ``total``.

    Raises
    ------
    ValueError
        When rounding each target down or up cannot reach ``total``.

    Examples
    --------
    >>> round_to_total([2.5, 2.5, 2.0], 7).tolist()
    [3, 2, 2]
    >>> round_to_total([2.5, 2.5, 2.0], 7, tiebreak=[0, 1, 0]).tolist()
    [2, 3, 2]
    >>> round_to_total([1.6, 1.6, 1.8], 5, hi=[1, 2, 2]).tolist()
    [1, 2, 2]
    """
    exact = np.asarray(exact, dtype=float)
    lo = np.zeros(len(exact), np.int64) if lo is None else np.asarray(lo, np.int64)
    hi = np.full(len(exact), np.iinfo(np.int64).max) if hi is None else np.asarray(hi, np.int64)
    base = np.clip(np.floor(exact + 1e-9).astype(np.int64), lo, hi)
    remainder = np.round(exact - base, 9)
    ties = np.zeros(len(exact)) if tiebreak is None else np.asarray(tiebreak, float)
    short = int(total - base.sum())
    if short > 0:
        room = np.flatnonzero(base < hi)
        order = room[np.lexsort((-ties[room], -remainder[room]))]  # remainder first
        base[order[:short]] += 1
    elif short < 0:
        room = np.flatnonzero(base > lo)
        order = room[np.lexsort((ties[room], remainder[room]))]
        base[order[:-short]] -= 1
    if base.sum() != total:
        raise ValueError(f"Targets summing to {exact.sum():g} cannot be rounded to {total} "
                         "within their bounds: each moves by less than one. Scale them to "
                         "the total first (largest_remainder does).")
    return base


def largest_remainder(weights, total: int, *, tiebreak=None) -> np.ndarray:
    """Non-negative integers proportional to ``weights`` that sum to ``total``.

    Parameters
    ----------
    weights : array of float
        Shares or counts; negative ones count as 0; all 0 gives equal shares.
    total : int
        What the result sums to (0 or less gives zeros).
    tiebreak : array of float, optional
        Priority among equal remainders (larger first), then the leftmost.

    Returns
    -------
    numpy.ndarray of int64
        One integer per weight, summing to ``total`` (zeros when ``total`` <= 0).

    Examples
    --------
    >>> largest_remainder([0.5, 0.3, 0.2], 7).tolist()
    [4, 2, 1]
    >>> largest_remainder([1, 1, 1], 4).tolist()
    [2, 1, 1]
    """
    w = np.maximum(np.asarray(weights, dtype=float), 0)
    if total <= 0:
        return np.zeros(len(w), dtype=np.int64)
    if not w.sum() > 0:  # no weight anywhere: equal shares, not a division by zero
        w = np.ones(len(w))
    return round_to_total(w / w.sum() * total, total, tiebreak=tiebreak)


def water_level(w: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: float) -> float:
    """The level ``L`` with ``sum(clip(w * L, lo, hi)) == total``.

    The fill is piecewise linear and increasing in ``L``: its breaks are where an entry
    leaves its floor or reaches its cap.

    Parameters
    ----------
    w : array of float
        Weights per entry (> 0).
    lo, hi : array of float
        Floor and cap per entry.
    total : float
        The sum to reach, clamped to what the bounds allow.

    Returns
    -------
    float
        ``L``, clamped to the first or last break when ``total`` is out of reach.

    Examples
    --------
    >>> water_level(np.array([1.0, 1.0]), np.array([0, 0]), np.array([1, 10]), 5.0)
    4.0
    """
    breaks = np.unique(np.concatenate([lo / w, hi / w]))
    filled = np.clip(np.outer(breaks, w), lo, hi).sum(axis=1)
    i = np.searchsorted(filled, total)
    if i == 0:
        return float(breaks[0])
    if i >= len(breaks):
        return float(breaks[-1])
    a, b = breaks[i - 1], breaks[i]
    fa, fb = filled[i - 1], filled[i]
    return float(a + (total - fa) * (b - a) / (fb - fa)) if fb > fa else float(b)
