"""The array-level core: iterative multi-label stratification (Sechidis et al. 2011) of
an image x stratum indicator, with groups kept whole and preassigned rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from workbench.apportion import largest_remainder
from workbench.errors import (
    DataError,
    some,
)
from workbench.split.refine import refine

SPLIT_NAMES = ("train", "val", "test")


def check_fractions(fractions: Sequence[float], n_samples: int | None = None) -> np.ndarray:
    """Fractions as an array; they must be positive and sum to 1.

    Parameters
    ----------
    fractions : sequence of float
        Split sizes, each > 0, summing to 1.
    n_samples : int, optional
        Images to split: each split must get at least one after rounding.

    Returns
    -------
    numpy.ndarray of float
        The fractions.
    """
    try:
        r = np.asarray(fractions, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"The 'fractions' parameter must be numbers that sum to 1, e.g. "
                         f"(0.7, 0.15, 0.15). Got {fractions!r} instead.") from None
    if r.ndim != 1 or len(r) < 2:
        raise ValueError(f"The 'fractions' parameter needs at least two splits. Got {fractions!r}.")
    if (r < 0).any() or not np.isclose(r.sum(), 1.0, atol=1e-6):
        raise ValueError(
            f"The 'fractions' parameter must be non-negative and sum to 1. Got {list(fractions)} "
            f"(sum {r.sum():g}) instead."
        )
    if (r == 0).any():
        raise ValueError(f"Every split needs a positive fraction; got {list(fractions)}. Drop "
                         "the empty split instead.")
    if n_samples is not None:
        if n_samples < len(r):
            raise DataError(f"{n_samples} images cannot fill {len(r)} splits.")
        empty = np.flatnonzero(np.floor(r * n_samples + 0.5) < 1)
        if len(empty):
            raise DataError(
                f"With {n_samples} images, the split(s) {some(empty)} of fractions "
                f"{list(fractions)} would get no image. Use larger fractions or more data."
            )
    return r


def multilabel_stratify(Y, *, fractions: Sequence[float] = (0.7, 0.15, 0.15), seed: int = 0,
                        groups: Sequence | None = None, min_per_split: int = 1,
                        preassigned: np.ndarray | None = None) -> np.ndarray:
    """Assign each sample to a split so that every label keeps its share in every split.

    One iterative pass (Sechidis et al. 2011, labels in batches), then, without groups, a
    local search (:mod:`workbench.split.refine`) that brings the split sizes to their
    targets and swaps samples between splits while that lowers the label distribution
    (LD): as good as the best of ten seeded passes, at the cost of about one.

    Parameters
    ----------
    Y : array or sparse matrix
        Binary indicator of shape (n_samples, n_labels), dense numpy or scipy sparse.
    fractions : sequence of float
        Split sizes as fractions of the samples, summing to 1.
    seed : int
        The same seed gives the same split.
    groups : sequence, optional
        Group per sample: samples of a group always share a split.
    min_per_split : int
        A label with at least ``n_splits`` samples (or groups) gets at least this many in
        every split.
    preassigned : numpy.ndarray, optional
        Split index per sample (-1: free), placed before the rest.

    Returns
    -------
    numpy.ndarray of int
        Split index per sample, shape (n_samples,).

    Examples
    --------
    >>> Y = np.array([[1, 0]] * 6 + [[0, 1]] * 4)
    >>> split = multilabel_stratify(Y, fractions=(0.5, 0.5), seed=0)
    >>> np.bincount(split[:6]).tolist(), np.bincount(split[6:]).tolist()
    ([3, 3], [2, 2])
    """
    r = check_fractions(fractions)
    Y = indicator_matrix(Y)
    n, n_labels = Y.shape
    if groups is None:
        unit_of = np.arange(n)
        units = Y
        size = np.ones(n, dtype=np.int64)
    else:
        codes, _ = pd.factorize(pd.Series(groups), sort=False)
        if (codes < 0).any():
            raise DataError(f"{int((codes < 0).sum())} samples have no group (NaN). Give "
                            "every sample a group, e.g. its own id.")
        unit_of = codes
        member = sparse.csr_matrix((np.ones(n, dtype=np.int64), (codes, np.arange(n))),
                                   shape=(codes.max() + 1, n))
        units = (member @ Y).tocsr()  # images of each label in each group
        size = np.bincount(codes)
    fixed = _unit_preassigned(preassigned, unit_of, len(size))
    split = _stratify_units(units, size, r, np.random.default_rng(seed),
                            min_per_split=min_per_split, preassigned=fixed)[unit_of]
    if groups is not None or n == 0:  # swapping groups of unequal sizes moves the sizes
        return split
    per_label = np.bincount(Y.indices, minlength=n_labels)
    return refine(Y, split, r,
                  floor=np.where(per_label >= len(r), min_per_split, 0),
                  frozen=None if preassigned is None else preassigned >= 0)


def indicator_matrix(Y) -> sparse.csr_matrix:
    """A binary (int64) CSR copy of a dense or sparse indicator; any non-zero is a 1.

    A dense input is made sparse in its own dtype first: an int8 100k x 1,203 matrix
    would otherwise be widened to a 1 GB int64 array before its zeros are dropped.

    Parameters
    ----------
    Y : array or sparse matrix
        Indicator of shape (n_samples, n_labels).

    Returns
    -------
    scipy.sparse.csr_matrix
        int64, ones where ``Y`` is non-zero.
    """
    Y = sparse.csr_matrix(Y)
    Y.eliminate_zeros()
    Y = Y.astype(np.int64)
    Y.data[:] = 1
    return Y


def _unit_preassigned(preassigned, unit_of, n_units):
    if preassigned is None:
        return None
    fixed = np.full(n_units, -1, dtype=np.int64)
    chosen = preassigned >= 0
    fixed[unit_of[chosen]] = preassigned[chosen]
    torn = np.flatnonzero(fixed[unit_of[chosen]] != preassigned[chosen])
    if len(torn):
        groups = unit_of[np.flatnonzero(chosen)[torn]]
        samples = np.flatnonzero(chosen & np.isin(unit_of, groups))
        raise DataError(f"Samples {some(samples)} share a group but are preassigned to "
                        f"different splits ({some(preassigned[samples])}): a group stays in "
                        "one split. Preassign every sample of a group to the same split.")
    return fixed


def _stratify_units(units: sparse.csr_matrix, size: np.ndarray, r: np.ndarray, rng, *,
                    min_per_split: int, preassigned) -> np.ndarray:
    """Iterative stratification of units (samples or groups) with label counts and sizes."""
    n_units, n_labels = units.shape
    k = len(r)
    unit_count = size.sum()
    label_total = np.asarray(units.sum(axis=0)).ravel()
    desired = np.outer(label_total, r)  # label x split, in images
    desired_size = r * unit_count
    have = np.zeros((n_labels, k), dtype=np.int64)  # units (not images) of a label per split
    by_label = units.tocsc()
    unit_labels = (units > 0).astype(np.int64).tocsr()  # row slices: labels of each unit
    units_per_label = np.asarray(unit_labels.sum(axis=0)).ravel()
    assignment = np.full(n_units, -1, dtype=np.int64)
    weighted = bool((size != 1).any())
    tiebreak = rng.random(n_labels) * 0.5  # counts are integers: this only breaks ties

    def place(rows: np.ndarray, splits: np.ndarray) -> None:
        assignment[rows] = splits
        block = units[rows]
        split_of_entry = np.repeat(splits, np.diff(block.indptr))
        flat = block.indices * k + split_of_entry
        desired.ravel()[:] -= np.bincount(flat, weights=block.data, minlength=n_labels * k)
        have.ravel()[:] += np.bincount(flat, minlength=n_labels * k)
        desired_size[:] -= np.bincount(splits, weights=size[rows], minlength=k)

    if preassigned is not None and (preassigned >= 0).any():
        rows = np.flatnonzero(preassigned >= 0)
        place(rows, preassigned[rows])
    remaining = units_per_label - np.asarray(
        unit_labels[assignment >= 0].sum(axis=0)).ravel() if (assignment >= 0).any() else (
        units_per_label.copy())
    while True:
        open_labels = np.flatnonzero(remaining > 0)
        if not len(open_labels):
            break
        label = open_labels[np.argmin(remaining[open_labels] + tiebreak[open_labels])]
        col = by_label.indices[by_label.indptr[label]:by_label.indptr[label + 1]]
        rows = col[assignment[col] < 0]
        rows = rows[rng.permutation(len(rows))]
        weights = by_label[:, label].toarray().ravel()[rows] if weighted else None
        floor = min_per_split if units_per_label[label] >= k else 0
        if weighted:
            splits = _greedy_groups(weights, desired[label], desired_size, have[label], floor)
        else:
            counts = _batch_counts(len(rows), desired[label], desired_size, have[label], floor,
                                   r)
            splits = np.repeat(np.arange(k), counts)  # rows are shuffled
        before = unit_labels[rows]
        place(rows, splits)
        remaining -= np.bincount(before.indices, minlength=n_labels)
    free = np.flatnonzero(assignment < 0)  # units with no label at all
    if len(free):
        free = free[rng.permutation(len(free))]
        if weighted:
            splits = _greedy_groups(size[free].astype(float), desired_size, desired_size,
                                    np.zeros(k, np.int64), 0)
        else:
            splits = np.repeat(np.arange(k), _batch_counts(
                len(free), desired_size, desired_size, np.zeros(k, np.int64), 0, r))
        place(free, splits)
    return assignment


def _batch_counts(m: int, want: np.ndarray, want_size: np.ndarray, have: np.ndarray,
                  floor: int, r: np.ndarray) -> np.ndarray:
    """How many of ``m`` units of one label each split gets: its remaining desire
    (``want``); equal remainders go to the split furthest behind its fraction ``r`` of the
    units placed so far (``want_size`` is what each split still wants)."""
    k = len(want)
    counts = np.zeros(k, dtype=np.int64)
    if floor:  # splits still short of this label get their minimum first, neediest first
        short = np.flatnonzero(have < floor)
        short = short[np.argsort(-want[short], kind="stable")]
        need = np.cumsum(floor - have[short])
        counts[short] = np.diff(np.minimum(need, m), prepend=0)
    left = m - counts.sum()
    weights = np.maximum(want - counts, 0)
    if weights.sum() <= 0:
        weights = np.maximum(want_size, 0)
    if weights.sum() <= 0:
        weights = np.ones(k)
    # ties: the split furthest behind its share of what is placed so far, so equal
    # remainders alternate between splits rather than all going to the largest
    behind = want_size - r * want_size.sum()
    counts += largest_remainder(weights, left, tiebreak=behind)
    return counts


def _greedy_groups(weights: np.ndarray, want: np.ndarray, want_size: np.ndarray,
                   have: np.ndarray, floor: int) -> np.ndarray:
    """Split per group, largest group first, into the split that needs the label most."""
    k = len(want)
    want = want.astype(float).copy()
    size_want = want_size.astype(float).copy()
    have = have.copy()
    out = np.empty(len(weights), dtype=np.int64)
    for i in np.argsort(-weights, kind="stable"):  # one step per group: groups are few
        need = (have < floor)
        candidates = np.flatnonzero(need) if need.any() else np.arange(k)
        score = want[candidates] + 1e-9 * size_want[candidates]
        split = candidates[np.argmax(score)]
        out[i] = split
        want[split] -= weights[i]
        size_want[split] -= weights[i]
        have[split] += 1
    return out
