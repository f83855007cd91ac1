"""Intervals for per-class metrics: Wilson for proportions, a seeded bootstrap over images
for everything else, and how many more test examples would make a number mean something.

A rare class with 7 test images has a recall interval about +-0.35 wide: a table that
shows the 0.71 without its interval invites a wrong decision. Every per-class number in
:mod:`workbench.evaluate` comes with ``_low`` / ``_high`` columns from here.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

CONFIDENCE = 0.95
N_BOOT = 400


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"The 'confidence' parameter must be in (0, 1). Got {confidence!r}.")
    return float(norm.ppf(0.5 + confidence / 2))


def wilson_interval(successes, trials, *, confidence: float = CONFIDENCE):
    """Wilson score interval of a proportion, vectorised; NaN where ``trials`` is 0.

    Equals scipy's ``binomtest(k, n).proportion_ci(method="wilson")``.

    Parameters
    ----------
    successes, trials : int or array of int
        Counts.
    confidence : float
        Coverage (0.95: 95%).

    Returns
    -------
    low, high : numpy.ndarray of float
        Bounds as fractions in [0, 1].

    Examples
    --------
    >>> low, high = wilson_interval([5, 0], [7, 10])
    >>> [round(float(v), 3) for v in (*low, *high)]
    [0.359, 0.0, 0.918, 0.278]
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z2 = _z(confidence) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = np.sqrt(z2) / (1 + z2 / n) * np.sqrt(p * (1 - p) / n + z2 / (4 * n**2))
    low = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return low, high


def bootstrap_counts(n_items: int, *, n_boot: int = N_BOOT, seed: int = 0) -> np.ndarray:
    """``(n_boot, n_items)`` resampling counts: how often each image is drawn in each
    replicate (a draw of ``n_items`` with replacement). Same seed, same counts.

    A statistic that is a sum over images (a confusion matrix, TP/FP/FN counts) is then
    ``counts @ per_image`` for all replicates at once.

    Parameters
    ----------
    n_items : int
        Number of images.
    n_boot : int
        Number of replicates.
    seed : int
        Seed of the draws.

    Returns
    -------
    numpy.ndarray of int64
        (n_boot, n_items); each row sums to ``n_items``.

    Examples
    --------
    >>> c = bootstrap_counts(4, n_boot=3, seed=0)
    >>> c.shape, c.sum(axis=1).tolist()
    ((3, 4), [4, 4, 4])
    """
    rng = np.random.default_rng(seed)
    if n_items == 0:
        return np.zeros((n_boot, 0), dtype=np.int64)
    draws = rng.integers(0, n_items, size=(n_boot, n_items))
    offsets = (np.arange(n_boot) * n_items)[:, None]
    return np.bincount((draws + offsets).ravel(), minlength=n_boot * n_items
                       ).reshape(n_boot, n_items)


def percentile_interval(replicates: np.ndarray, *, confidence: float = CONFIDENCE):
    """Percentile interval over axis 0 of the bootstrap ``replicates``, ignoring NaN (a
    replicate without any example of a class has no value for it). All-NaN gives NaN.

    Parameters
    ----------
    replicates : numpy.ndarray
        One row per replicate.
    confidence : float
        Coverage (0.95: the 2.5th and 97.5th percentiles).

    Returns
    -------
    low, high : numpy.ndarray
        Shape ``replicates.shape[1:]``.

    Examples
    --------
    >>> percentile_interval(np.array([[0.1], [0.2], [0.3], [np.nan]]), confidence=0.5)
    (array([0.15]), array([0.25]))
    """
    tail = (1 - confidence) / 2 * 100
    replicates = np.asarray(replicates, dtype=float)
    low = np.full(replicates.shape[1:], np.nan)
    high = low.copy()
    ok = ~np.all(np.isnan(replicates), axis=0)
    if ok.any():
        low[ok] = np.nanpercentile(replicates[:, ok], tail, axis=0)
        high[ok] = np.nanpercentile(replicates[:, ok], 100 - tail, axis=0)
    return low, high


def examples_needed(value, n, *, halfwidth: float, confidence: float = CONFIDENCE):
    """How many more examples (beyond ``n``) would bring a proportion's interval to
    +-``halfwidth``.

    The Agresti-Coull form: with ``p~ = (k + z**2/2) / (n + z**2)`` (``k = value * n``),
    the interval is +-``halfwidth`` once ``n + z**2 >= z**2 * p~ (1 - p~) / halfwidth**2``.
    ``p~`` keeps a recall of 1.0 on one example from claiming it needs no more (the
    plain ``p (1 - p)`` would be 0); a class with no example gets the worst case, 0.5.

    Parameters
    ----------
    value : float or array of float
        The proportion (a fraction; NaN: no example).
    n : int or array of int
        Examples it was measured on.
    halfwidth : float
        The half-width wanted, a fraction.
    confidence : float
        Coverage (0.95: 95%).

    Returns
    -------
    numpy.ndarray of int
        Extra examples, >= 0.

    Examples
    --------
    >>> examples_needed([1.0, 0.8, 0.5, np.nan], [1, 7, 400, 0], halfwidth=0.05).tolist()
    [363, 316, 0, 381]
    """
    p = np.asarray(value, dtype=float)
    n = np.asarray(n, dtype=float)
    z2 = _z(confidence) ** 2
    k = np.where(np.isnan(p), 0.0, p * n)
    shrunk = (k + z2 / 2) / (n + z2)
    need = np.ceil(z2 * shrunk * (1 - shrunk) / halfwidth**2 - z2)
    return np.maximum(need - n, 0).astype(int)
