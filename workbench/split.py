"""Stratified, leakage-free train/val/test splits and their quality report.

One algorithm serves every task: iterative stratification (Sechidis et al., 2011) on
the image x class indicator, which is exact stratification when each image has one
class. It is vectorised by label: labels are taken rarest first, as in the paper, and
all still-unassigned images of that label are placed at once, by largest remainder on
the label's remaining desired counts per split (the paper places them one by one, but
each placement depends only on that label's desired counts, so the batch gives the
same allocation). One sparse bincount then updates the desired counts of every other
label those images carry. With groups (asset, video, patient), whole groups are placed
the same way, largest first, each into the split whose deficit for the label is
largest, so no group straddles splits.

Beyond the paper: a class with at least as many images (or groups) as there are
splits gets at least one in every split (``min_per_split``), because a class missing
from val or test has no metric there; a class with fewer is kept in train and reported
(``rare="train"``) or refused (``rare="error"``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from workbench.apportion import largest_remainder
from workbench.catalog import Catalog
from workbench.errors import (
    DataError,
    DataWarning,
    Lacks,
    Missing,
    check_option,
    some,
    warn_data,
)
from workbench.measure import condition_overview, image_class_pairs, share_gaps
from workbench.split_refine import refine

SPLIT_NAMES = ("train", "val", "test")
BY = ("class", "class+condition")
RARE = ("train", "error")


# -- the array-level core ------------------------------------------------------------------


def check_fractions(fractions: Sequence[float], n_samples: int | None = None) -> np.ndarray:
    """Fractions as an array; they must be positive and sum to 1."""
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

    Parameters
    ----------
    Y : (n_samples, n_labels) binary indicator, dense numpy or scipy sparse.
    fractions : the split sizes, summing to 1.
    seed : the random seed; the same seed gives the same split.
    groups : optional group per sample: samples of a group always share a split.
    min_per_split : a label with at least ``n_splits`` samples (or groups) gets at least
        this many in every split.
    preassigned : optional split index per sample (-1: free), placed before the rest.

    One iterative pass (Sechidis et al. 2011, labels in batches), then, without groups, a
    local search (:mod:`workbench.split_refine`) that brings the split sizes to their
    targets and swaps samples between splits while that lowers the label distribution
    (LD): as good as the best of ten seeded passes, at the cost of about one.

    Returns
    -------
    split : (n_samples,) int array of split indices.

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


# -- quality measures ---------------------------------------------------------------------


def label_distribution(Y, split: np.ndarray, n_splits: int | None = None) -> float:
    """Sechidis et al.'s LD: how far each label's ratio in each split is from the whole.

    ``LD = mean over labels of mean over splits of |S_j^l / (|S_j| - S_j^l) - D^l / (|D| - D^l)|``.
    0 is perfect. Labels present in every sample (ratio undefined) are left out. The
    ratio is an odds, so a label in nearly every image weighs heavily: with 6 images
    without it out of 364, one split at 86:1 against 60:1 overall adds 26. Read it beside
    :attr:`SplitReport.mean_share_gap`, which stays in percentage points.
    """
    Y = indicator_matrix(Y)
    k = n_splits or int(split.max()) + 1
    onehot = sparse.csr_matrix((np.ones(len(split)), (split, np.arange(len(split)))),
                               shape=(k, len(split)))
    per_split = np.asarray((onehot @ Y).todense(), dtype=float)  # split x label
    sizes = np.bincount(split, minlength=k).astype(float)[:, None]
    total = per_split.sum(axis=0)
    n = len(split)
    valid = (total < n) & (total > 0)
    if not valid.any():
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_split = per_split[:, valid] / (sizes - per_split[:, valid])
        ratio_all = total[valid] / (n - total[valid])
        diff = np.abs(ratio_split - ratio_all)
    diff[~np.isfinite(diff)] = np.nan  # a split made only of one label: ratio undefined
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = np.nanmean(np.nanmean(diff, axis=0))
    return float(value) if np.isfinite(value) else 0.0


def examples_distribution(split: np.ndarray, fractions: Sequence[float]) -> float:
    """Sechidis et al.'s ED: mean absolute difference between split sizes and their targets."""
    r = np.asarray(fractions, dtype=float)
    sizes = np.bincount(split, minlength=len(r))
    return float(np.abs(sizes - r * len(split)).mean())


# -- Catalog level --------------------------------------------------------------------------


@dataclass(frozen=True)
class Strata:
    """The indicator a split is stratified on, and which small strata were merged."""

    Y: sparse.csr_matrix
    names: list[str]
    merged: list[str]


def strata(catalog: Catalog, *, by: str = "class", condition: str | None = None,
           min_size: int = 3) -> Strata:
    """The image x stratum indicator: classes, or (class, condition value) pairs.

    A (class, value) stratum with fewer than ``min_size`` images cannot reach every
    split; its images are stratified by their class alone and the stratum is reported
    in ``merged``.
    """
    check_option("by", by, BY, func="strata")
    rows, codes = image_class_pairs(catalog)
    n, n_classes = len(catalog.samples), len(catalog.classes)
    if by == "class":
        Y = sparse.csr_matrix((np.ones(len(rows)), (rows, codes)), shape=(n, n_classes))
        return Strata(Y, list(catalog.classes), [])
    if condition is None:
        raise ValueError("by='class+condition' needs a condition, e.g. condition='lighting'.")
    if condition not in catalog.samples.columns:
        raise DataError(f"The condition {condition!r} is not a column of the samples; "
                        f"conditions: {some(catalog.conditions) or 'none'}.")
    values, value_names = pd.factorize(catalog.samples[condition].astype("string")
                                       .fillna("(missing)"), sort=True)
    joint = codes * len(value_names) + values[rows]
    size = np.bincount(joint, minlength=n_classes * len(value_names))
    small = size[joint] < min_size
    column = np.where(small, n_classes * len(value_names) + codes, joint)
    used, column = np.unique(column, return_inverse=True)
    names = [f"{catalog.classes[u // len(value_names)]}@{value_names[u % len(value_names)]}"
             if u < n_classes * len(value_names) else catalog.classes[u - n_classes *
                                                                       len(value_names)]
             for u in used]
    merged = [f"{catalog.classes[j // len(value_names)]}@{value_names[j % len(value_names)]}"
              for j in np.flatnonzero((size > 0) & (size < min_size))]
    Y = sparse.csr_matrix((np.ones(len(rows)), (rows, column)), shape=(n, len(used)))
    return Strata(Y, names, merged)


def stratified_split(catalog: Catalog, *, fractions: Sequence[float] = (0.7, 0.15, 0.15),
                     seed: int = 0, by: str = "class", condition: str | None = None,
                     groups: bool = False, names: Sequence[str] | None = None,
                     rare: str = "train") -> Catalog:
    """A new Catalog with a ``split`` column: stratified, and leakage-free with ``groups``.

    Parameters
    ----------
    fractions : split sizes (train, val, test by default), summing to 1.
    seed : the same seed gives the same split.
    by : "class", or "class+condition" to keep each (class, condition value) in
        every split (strata too small to split are merged into their class).
    condition : the condition for "class+condition"; "auto" takes the one where
        imbalance hides most (:func:`workbench.measure.condition_overview`).
    groups : keep each ``group`` (asset, video, patient) in a single split.
    names : split names; default train/val/test (or split_0, split_1, ...).
    rare : a class with fewer images (groups) than splits goes to train ("train") or
        raises an error naming it ("error").

    Returns
    -------
    Catalog
        The same images with a categorical ``split`` column (one value per image).

    Examples
    --------
    15 images of ``a`` and 5 of ``b``, split 60/20/20: each split keeps the 3:1 mix.

    >>> s = pd.DataFrame({"filepath": [f"{i}.png" for i in range(20)], "width": 4,
    ...                   "height": 4, "label": ["a"] * 15 + ["b"] * 5})
    >>> done = stratified_split(Catalog(s, classes=["a", "b"]), fractions=(0.6, 0.2, 0.2))
    >>> pd.crosstab(done.samples["label"], done.samples["split"])
    split  train  val  test
    label
    a          9    3     3
    b          3    1     1
    """
    r = check_fractions(fractions, len(catalog))
    check_option("rare", rare, RARE, func="stratified_split")
    names = list(names) if names is not None else (
        list(SPLIT_NAMES) if len(r) == 3 else ["train", "test"] if len(r) == 2
        else [f"split_{i}" for i in range(len(r))])
    if len(names) != len(r):
        raise ValueError(f"{len(names)} split names for {len(r)} fractions.")
    if by == "class+condition" and condition == "auto":
        condition = most_hidden_condition(catalog)
        if condition is None:
            warnings.warn("by='class+condition' with condition='auto', but no condition has two "
                          "or more values: stratifying by class.", DataWarning, stacklevel=2)
            by = "class"
    group_values = _groups(catalog) if groups else None
    if group_values is not None and len(set(group_values)) < len(r):
        raise DataError(f"{len(set(group_values))} groups cannot fill {len(r)} splits without "
                        "a group straddling two. Split without groups, or use fewer splits.")
    st = strata(catalog, by=by, condition=condition, min_size=len(r))
    preassigned = _rare_to_train(catalog, st, group_values, len(r), rare)
    split = multilabel_stratify(st.Y, fractions=r, seed=seed, groups=group_values,
                                preassigned=preassigned)
    samples = catalog.samples.assign(split=pd.Categorical.from_codes(split, categories=names))
    return catalog.replace(samples=samples)


def most_hidden_condition(catalog: Catalog) -> str | None:
    """The condition where classes depart most from the overall mix (lowest p-value), the
    data's own before derived ones (:func:`workbench.measure.condition_overview`)."""
    overview = condition_overview(catalog)
    return str(overview["condition"].iloc[0]) if len(overview) else None


def _groups(catalog: Catalog) -> np.ndarray:
    if "group" not in catalog.samples.columns:
        raise DataError("groups=True needs a 'group' column (asset, video, patient); this "
                        "Catalog has none. Add one, or split without groups.")
    values = catalog.samples["group"]
    if values.isna().any():
        raise DataError(
            f"{int(values.isna().sum())} images have no group (NaN), e.g. "
            f"{some(catalog.samples.index[values.isna()], n=3)}. Give every image a group "
            "(its own id if it stands alone)."
        )
    return values.astype(str).to_numpy()


def _rare_to_train(catalog, st: Strata, group_values, k: int, rare: str):
    """Images of classes too rare to reach every split: pinned to train, or an error."""
    Y = sparse.csr_matrix(st.Y)
    if group_values is None:
        units = np.asarray((Y > 0).sum(axis=0)).ravel()
    else:
        codes, _ = pd.factorize(pd.Series(group_values))
        frame = pd.DataFrame({"g": codes[Y.nonzero()[0]], "c": Y.nonzero()[1]})
        units = np.bincount(frame.drop_duplicates()["c"], minlength=Y.shape[1])
    too_rare = np.flatnonzero((units > 0) & (units < k))
    if not len(too_rare):
        return None
    names = [st.names[j] for j in too_rare]
    unit = "groups" if group_values is not None else "images"
    if rare == "error":
        raise DataError(
            f"Classes {some(names)} have fewer {unit} ({some(units[too_rare])}) than the "
            f"{k} splits, so they cannot appear in every split. Collect more, merge them into "
            "a parent class, or pass rare='train' to keep them in train."
        )
    rows = np.unique(Y[:, too_rare].nonzero()[0])
    warn_data(
        f"{len(names)} {'class or stratum has' if len(names) == 1 else 'classes or strata have'}"
        f" fewer {unit} than the {k} splits "
        f"({some([f'{n}: {u}' for n, u in zip(names, units[too_rare], strict=True)])}): "
        f"their {len(rows)} images are kept in the first split, so they have no metric in "
        "the others. Collect more, or merge them into a parent class."
    )
    pinned = np.full(Y.shape[0], -1, dtype=np.int64)
    pinned[rows] = 0
    return pinned


def random_split(catalog: Catalog, *, fractions: Sequence[float] = (0.7, 0.15, 0.15),
                 seed: int = 0, groups: bool = False,
                 names: Sequence[str] = SPLIT_NAMES) -> Catalog:
    """The naive baseline: a shuffled split of images (or of groups), ignoring classes."""
    r = check_fractions(fractions, len(catalog))
    rng = np.random.default_rng(seed)
    if groups:
        codes, uniques = pd.factorize(pd.Series(_groups(catalog)))
        order = rng.permutation(len(uniques))
        sizes = np.bincount(codes)[order]
        cut = np.searchsorted(np.cumsum(sizes), np.cumsum(r)[:-1] * len(catalog))
        group_split = np.empty(len(uniques), dtype=np.int64)
        group_split[order] = np.searchsorted(cut, np.arange(len(uniques)), side="right")
        split = group_split[codes]
    else:
        counts = largest_remainder(r, len(catalog))
        split = rng.permutation(np.repeat(np.arange(len(r)), counts))
    samples = catalog.samples.assign(split=pd.Categorical.from_codes(split,
                                                                     categories=list(names)))
    return catalog.replace(samples=samples)


# -- the split report -------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitReport:
    """How good a split is: per-class counts and shares, LD / ED, missing classes, leakage.

    ``leaking_groups`` is None when the data has no groups (nothing can leak that is not
    known); ``unassigned`` counts images with no split, left out of every measure.
    """

    counts: pd.DataFrame          # class x split (images containing the class)
    sizes: pd.Series              # images per split
    label_distribution: float     # Sechidis LD, 0 is perfect
    examples_distribution: float  # Sechidis ED against the intended fractions (NaN: none given)
    missing: list[tuple[str, str]]
    condition_shares: dict[str, pd.DataFrame]
    leaking_groups: list[str] | None
    unassigned: int = 0

    @property
    def shares(self) -> pd.DataFrame:
        """Each class's share of the images in each split."""
        return self.counts / self.sizes

    @property
    def max_share_gap(self) -> pd.Series:
        """Per class: largest share minus smallest share across splits
        (:func:`workbench.measure.share_gaps`, as the checklist's split check)."""
        return share_gaps(self.shares)

    @property
    def mean_share_gap(self) -> float:
        """How far, on average over classes and splits, a class's share of a split's images
        is from its share of all images (a fraction: 0.004 is 0.4 percentage points).
        Classes with no image are left out."""
        overall = self.counts.sum(axis=1) / self.sizes.sum()
        present = overall > 0
        gap = self.shares.loc[present].sub(overall[present], axis=0).abs()
        return float(gap.to_numpy().mean()) if present.any() else 0.0

    def summary(self) -> dict:
        out = {
            "images": self.sizes.to_dict(), "label_distribution": self.label_distribution,
            "examples_distribution": self.examples_distribution,
            "mean_share_gap": self.mean_share_gap,
            "largest_share_gap": float(self.max_share_gap.max()),
            "worst_class": str(self.max_share_gap.idxmax()),
            "missing": len(self.missing),
        }
        if self.leaking_groups is not None:
            out["leaking_groups"] = len(self.leaking_groups)
        if self.unassigned:
            out["images_without_split"] = self.unassigned
        return out

    def condition_table(self) -> pd.DataFrame:
        """Each condition value's share of each split (columns sum to 1 per condition)."""
        if not self.condition_shares:
            return pd.DataFrame()
        return pd.concat(self.condition_shares, names=["condition", "value"])

    def to_frame(self) -> pd.DataFrame:
        """Per class: count and share in each split, and the largest share gap."""
        frame = pd.concat({"count": self.counts, "share": self.shares}, axis=1)
        frame[("gap", "max")] = self.max_share_gap
        return frame

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k} {v:,}" for k, v in self.sizes.items())
        return f"SplitReport({sizes}; mean share gap {self.mean_share_gap * 100:.2f} points)"

    def _repr_html_(self) -> str:
        sizes = ", ".join(f"{k} {v:,}" for k, v in self.sizes.items())
        return (f"<p>Images per split: {sizes}; mean share gap "
                f"{self.mean_share_gap * 100:.2f} points.</p>"
                + self.to_frame().round(3).to_html())


def split_report(catalog: Catalog, *, fractions: Sequence[float] | None = None) -> SplitReport:
    """The quality of the split in ``catalog['split']``.

    Parameters
    ----------
    catalog : Catalog
        With a ``split`` column. Images with no split are counted in ``unassigned`` and
        left out of the rest; a Catalog without the column raises :class:`Lacks`.
    fractions : sequence of float, optional
        The intended sizes, for the examples distribution (ED); without them (a split
        that came with the data) ED is not computed.

    Returns
    -------
    SplitReport
        Images per split, per-class counts and shares (images containing the class),
        the share gaps between splits, LD and ED, leaking groups and missing classes.

    Examples
    --------
    >>> s = pd.DataFrame({"filepath": list("abcdefgh"), "width": 4, "height": 4,
    ...                   "label": list("xxxyxxxy"), "split": ["train"] * 4 + ["test"] * 4})
    >>> report = split_report(Catalog(s, classes=["x", "y"]))
    >>> report
    SplitReport(train 4, test 4; mean share gap 0.00 points)
    >>> report.shares
    split  train  test
    class
    x       0.75  0.75
    y       0.25  0.25
    """
    if "split" not in catalog.samples.columns:
        raise Lacks("This dataset came without a split (no split column, split files or "
                    "train/val folders), so there is none to report: the stratified split "
                    "below is the first one.")
    assigned = catalog.samples["split"].notna().to_numpy()
    unassigned = int((~assigned).sum())
    if unassigned:
        catalog = catalog.subset(catalog.samples.index[assigned])
    split_values = catalog.samples["split"].astype("string")
    codes, split_names = pd.factorize(split_values, sort=False)
    order = [n for n in SPLIT_NAMES if n in set(split_names)] + sorted(
        n for n in split_names if n not in SPLIT_NAMES)
    codes = pd.Index(order).get_indexer(split_values)
    rows, classes = image_class_pairs(catalog)
    Y = sparse.csr_matrix((np.ones(len(rows)), (rows, classes)),
                          shape=(len(catalog), len(catalog.classes)))
    onehot = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                               shape=(len(order), len(codes)))
    counts = pd.DataFrame(np.asarray((onehot @ Y).todense()).T.astype(np.int64),
                          index=pd.Index(catalog.classes, name="class"),
                          columns=pd.Index(order, name="split"))
    sizes = pd.Series(np.bincount(codes, minlength=len(order)), index=counts.columns,
                      name="images")
    present = counts.loc[counts.sum(axis=1) > 0]
    missing = [(str(present.index[c]), str(present.columns[s])) for c, s in
               zip(*np.nonzero(present.to_numpy() == 0), strict=True)]
    ed = np.nan
    if fractions is not None:
        r = np.asarray(fractions, dtype=float)
        ed = examples_distribution(codes, r / r.sum()) if len(r) == len(order) else np.nan
    condition_shares = {
        c: pd.crosstab(catalog.samples[c], split_values, normalize="columns")[order]
        for c in catalog.conditions if catalog.samples[c].notna().any()
    }
    leaking = None
    if "group" in catalog.samples.columns:
        per_group = catalog.samples.groupby(catalog.samples["group"].astype(str))["split"]
        n_splits = per_group.nunique()
        leaking = sorted(n_splits.index[n_splits > 1])
    return SplitReport(
        counts=counts, sizes=sizes,
        label_distribution=label_distribution(Y, codes, len(order)),
        examples_distribution=ed,
        missing=missing, condition_shares=condition_shares, leaking_groups=leaking,
        unassigned=unassigned,
    )


def compare_reports(reports: dict[str, SplitReport]) -> pd.DataFrame:
    """One column per named split; rows: LD, ED, largest share gap, missing, leaking groups.

    The leakage row is left out when the data has no groups, ED when no split had
    intended fractions.
    """
    rows = {}
    for name, report in reports.items():
        s = report.summary()
        rows[name] = {"mean_share_gap": s["mean_share_gap"],
                      "label_distribution": s["label_distribution"],
                      "examples_distribution": s["examples_distribution"],
                      "largest_share_gap": s["largest_share_gap"], "worst_class": s["worst_class"],
                      "classes_missing_from_a_split": s["missing"]}
        if "leaking_groups" in s:
            rows[name]["groups_in_two_splits"] = s["leaking_groups"]
    table = pd.DataFrame(rows)
    if table.loc["examples_distribution"].isna().all():
        table = table.drop(index="examples_distribution")
    return table


def keep_together(catalog: Catalog, duplicates) -> Catalog:
    """The Catalog with near-identical images in one group each (merged with its own
    groups), so a grouped split keeps each copy with its original; unchanged when there
    are no near-duplicates. ``duplicates`` comes from
    :func:`workbench.quality.near_duplicates`."""
    return duplicates.with_groups(catalog) if duplicates.n_groups else catalog


@dataclass(frozen=True)
class SplitComparison:
    """The splits worth comparing on one dataset, each with its report.

    ``catalogs`` and ``reports`` are keyed by name, in order: "yours" (the split the data
    came with, when it has one), "naive" (shuffled images), "stratified" (by class), and
    the strongest split the data supports (by class and a condition, groups whole),
    named for what it keeps; left out when the data has neither a condition nor groups,
    since it would equal "stratified".
    """

    catalogs: dict[str, Catalog]
    reports: dict[str, SplitReport]
    strongest_name: str | None
    condition: str | None
    has_groups: bool
    fractions: tuple[float, ...]

    @property
    def given(self) -> SplitReport | Missing:
        """The report of the split the data came with, or why there is none."""
        if "yours" in self.reports:
            return self.reports["yours"]
        return Missing("This dataset came without a split (no split column, split files or "
                       "train/val folders), so there is none to report: the stratified split "
                       "below is the first one.")

    @property
    def naive(self) -> SplitReport:
        return self.reports["naive"]

    @property
    def stratified(self) -> SplitReport:
        return self.reports["stratified"]

    @property
    def strongest(self) -> SplitReport | Missing:
        """The report of the condition- and group-aware split, or why there is none."""
        if self.strongest_name is not None:
            return self.reports[self.strongest_name]
        return Missing("This dataset has no condition column with two or more values and no "
                       "group column (asset, video, patient), so the stratified split above "
                       "is the strongest it supports. Add a condition to keep each (class, "
                       "condition) in every split; add groups to keep related images "
                       "together.")

    def chosen(self, *, resplit: bool = False) -> tuple[str, Catalog]:
        """The split to use: yours, unless ``resplit`` or there is none; then the
        strongest split (else the stratified one)."""
        if "yours" in self.catalogs and not resplit:
            return "yours", self.catalogs["yours"]
        name = self.strongest_name or "stratified"
        return name, self.catalogs[name]

    def condition_table(self, name: str | None = None) -> pd.DataFrame | Missing:
        """Each condition value's share of each split in split ``name`` (default: the
        strongest, else stratified), or why there is nothing to show."""
        name = name or self.strongest_name or "stratified"
        table = self.reports[name].condition_table()
        if not len(table):
            return Missing("This dataset has no condition column, so there is no condition "
                           "mix to compare across splits.")
        return table.round(3)

    def to_frame(self) -> pd.DataFrame:
        """:func:`compare_reports` of every split, one column each."""
        return compare_reports(self.reports)


def compare_splits(catalog: Catalog, *, fractions: Sequence[float] = (0.7, 0.15, 0.15),
                   seed: int = 0, condition: str | None = "auto") -> SplitComparison:
    """Make the splits worth comparing on this dataset and report each.

    ``condition``: the condition to stratify on with the class ("auto": the one hiding
    most imbalance; None: none). See :class:`SplitComparison` for which splits.
    """
    groups = "group" in catalog.samples.columns
    catalogs = {}
    if "split" in catalog.samples.columns:
        catalogs["yours"] = catalog
    catalogs["naive"] = random_split(catalog, fractions=fractions, seed=seed)
    catalogs["stratified"] = stratified_split(catalog, fractions=fractions, seed=seed)
    if condition == "auto":
        condition = most_hidden_condition(catalog)
    strongest = None
    if condition is not None or groups:
        strongest = "stratified" + (f" by class x {condition}" if condition else "") + (
            ", groups whole" if groups else "")
        catalogs[strongest] = stratified_split(
            catalog, fractions=fractions, seed=seed,
            by="class+condition" if condition else "class", condition=condition, groups=groups)
    reports = {name: split_report(c, fractions=None if name == "yours" else fractions)
               for name, c in catalogs.items()}
    return SplitComparison(catalogs=catalogs, reports=reports, strongest_name=strongest,
                           condition=condition, has_groups=groups,
                           fractions=tuple(float(f) for f in fractions))


def chosen_split(catalog: Catalog, *, fractions: Sequence[float] = (0.7, 0.15, 0.15),
                 seed: int = 0, condition: str | None = "auto", resplit: bool = False,
                 cache_dir=None) -> Catalog:
    """The split notebook 02 hands on, without the comparison around it: near-duplicates
    kept together, then the data's own split unless ``resplit`` (or it has none), else the
    strongest stratified split it supports. Equal to
    ``compare_splits(keep_together(catalog, near_duplicates(catalog)), ...).chosen()``.
    """
    from workbench.quality import near_duplicates

    catalog = keep_together(catalog, near_duplicates(catalog, cache_dir=cache_dir))
    if "split" in catalog.samples.columns and not resplit:
        return catalog
    if condition == "auto":
        condition = most_hidden_condition(catalog)
    return stratified_split(catalog, fractions=fractions, seed=seed,
                            by="class+condition" if condition else "class",
                            condition=condition, groups="group" in catalog.samples.columns)
