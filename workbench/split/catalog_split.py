"""Splits of a Catalog: stratified by class or by (class, condition), leakage-free
with groups; a random split to compare against."""

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
    check_option,
    some,
    warn_data,
)
from workbench.measure import condition_overview, image_class_pairs
from workbench.split.core import SPLIT_NAMES, check_fractions, multilabel_stratify

BY = ("class", "class+condition")


RARE = ("train", "error")


@dataclass(frozen=True)
class Strata:
    """The indicator a split is stratified on, and which small strata were merged."""

    Y: sparse.csr_matrix
    names: list[str]
    merged: list[str]

    def __repr__(self) -> str:
        merged = f", {len(self.merged)} merged into their class" if self.merged else ""
        return f"Strata({self.Y.shape[0]:,} images x {len(self.names)} strata{merged})"


def strata(catalog: Catalog, *, by: str = "class", condition: str | None = None,
           min_size: int = 3) -> Strata:
    """The image x stratum indicator: classes, or (class, condition value) pairs.

    A (class, value) stratum with fewer than ``min_size`` images cannot reach every
    split; its images are stratified by their class alone and the stratum is reported
    in ``merged``.

    Parameters
    ----------
    catalog : Catalog
        Any task; an image belongs to the stratum of each class it holds.
    by : {"class", "class+condition"}
        Strata of classes, or of (class, condition value) pairs.
    condition : str, optional
        Needed for "class+condition".
    min_size : int
        Strata with fewer images are merged into their class (the number of splits).

    Returns
    -------
    Strata
        ``Y`` (images x strata, sparse), the strata's names, and the merged ones.
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
    catalog : Catalog
        Any task; an image counts for every class it holds.
    fractions : sequence of float
        Split sizes as fractions of the images (train, val, test by default), summing to 1.
    seed : int
        The same seed gives the same split.
    by : {"class", "class+condition"}
        "class+condition" keeps each (class, condition value) in every split (strata too
        small to split are merged into their class).
    condition : str, optional
        The condition for "class+condition"; "auto" takes the one where imbalance hides
        most (:func:`workbench.measure.condition_overview`).
    groups : bool
        Keep each ``group`` (asset, video, patient) in a single split.
    names : sequence of str, optional
        Split names; default train/val/test (train/test for two, else split_0, split_1, ...).
    rare : {"train", "error"}
        A class with fewer images (groups) than splits goes to the first split ("train") or
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
    data's own before derived ones (:func:`workbench.measure.condition_overview`).

    Parameters
    ----------
    catalog : Catalog
        With condition columns, or none.

    Returns
    -------
    str or None
        The condition's column name; None when no condition has two or more values.
    """
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
    """The naive baseline: a shuffled split of images (or of groups), ignoring classes.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    fractions : sequence of float
        Split sizes as fractions of the images (or of the groups' images), summing
        to 1.
    seed : int
        The same seed gives the same split.
    groups : bool
        Deal out whole groups instead of images.
    names : sequence of str
        Split names, one per fraction.

    Returns
    -------
    Catalog
        With a categorical ``split`` column.
    """
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


def keep_together(catalog: Catalog, duplicates) -> Catalog:
    """The Catalog with near-identical images in one group each (merged with its own
    groups), so a grouped split keeps each copy with its original.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    duplicates : NearDuplicates
        From :func:`workbench.quality.near_duplicates` on this catalog.

    Returns
    -------
    Catalog
        With a ``group`` column; ``catalog`` itself when there are no near-duplicates.
    """
    return duplicates.with_groups(catalog) if duplicates.n_groups else catalog
