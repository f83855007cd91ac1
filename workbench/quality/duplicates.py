"""Near-duplicate images: groups of near-identical images (dHash within a few bits), how
much they inflate each class, and the groups that straddle train / val / test (leakage
the group column does not know about).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from workbench.catalog import Catalog
from workbench.measure import image_class_pairs

HASH_BITS = 64



def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bits that differ between 64-bit hashes (element-wise).

    Parameters
    ----------
    a, b : numpy.ndarray
        64-bit hashes.

    Returns
    -------
    numpy.ndarray of int64
        Differing bits.

    Examples
    --------
    >>> hamming(np.array([0b1011], np.uint64), np.array([0b0001], np.uint64)).tolist()
    [2]
    """
    return np.bitwise_count(np.bitwise_xor(np.asarray(a, np.uint64), np.asarray(b, np.uint64))
                            ).astype(np.int64)


def hash_pairs(hashes: np.ndarray, max_distance: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i, j), i < j, of hashes within ``max_distance`` bits.

    Multi-index hashing: the 64 bits are cut into ``max_distance + 1`` bands; two hashes
    that close agree exactly on at least one band (pigeonhole), so only hashes sharing a
    band value are compared.

    Parameters
    ----------
    hashes : numpy.ndarray
        64-bit hashes.
    max_distance : int
        Most bits two hashes of a pair may differ by.

    Returns
    -------
    i, j : numpy.ndarray
        Positions of each pair, ``i < j``.
    """
    hashes = np.asarray(hashes, dtype=np.uint64)
    n = len(hashes)
    bounds = np.linspace(0, HASH_BITS, max_distance + 2).astype(int)
    found = []
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):  # one pass per band
        band = (hashes >> np.uint64(lo)) & np.uint64((1 << (hi - lo)) - 1)
        order = np.argsort(band, kind="stable")
        key = band[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        ends = np.r_[starts[1:], n]
        after = np.repeat(ends, ends - starts) - np.arange(n) - 1
        left = np.repeat(np.arange(n), after)
        step = np.arange(len(left)) - np.repeat(np.cumsum(after) - after, after) + 1
        i, j = order[left], order[left + step]
        close = hamming(hashes[i], hashes[j]) <= max_distance
        found.append(np.column_stack([np.minimum(i, j), np.maximum(i, j)])[close])
    pairs = np.unique(np.concatenate(found), axis=0) if found else np.zeros((0, 2), int)
    return pairs[:, 0], pairs[:, 1]


@dataclass(frozen=True)
class NearDuplicates:
    """Groups of near-identical images: ``group`` per sample (-1: no near-duplicate)."""

    group: pd.Series
    max_distance: int

    def __repr__(self) -> str:
        return (f"NearDuplicates({self.n_groups} groups of near-identical images, max "
                f"distance {self.max_distance} bits)")

    @property
    def n_groups(self) -> int:
        return int(self.group[self.group >= 0].nunique())

    def to_frame(self) -> pd.DataFrame:
        """One row per group: its size and its sample ids.

        Returns
        -------
        pandas.DataFrame
            Indexed by group, largest first: images, sample_ids.
        """
        grouped = self.group[self.group >= 0]
        table = grouped.groupby(grouped).agg(
            images="size", sample_ids=lambda ids: ", ".join(map(str, ids.index)))
        table.index.name = "group"
        return table.sort_values("images", ascending=False, kind="stable")

    def inflation(self, catalog: Catalog) -> pd.DataFrame:
        """Per class: images containing it, the same counting each near-duplicate group
        once, and the ratio (1.0: no inflation).

        Parameters
        ----------
        catalog : Catalog
            The dataset the groups were found in.

        Returns
        -------
        pandas.DataFrame
            Per class: images, distinct, inflation (their ratio).
        """
        rows, codes = image_class_pairs(catalog)
        group = self.group.reindex(catalog.samples.index).to_numpy()
        top = int(group.max()) + 1 if len(group) else 0
        unit = np.where(group[rows] >= 0, group[rows], top + rows)  # a group counts once
        span = top + len(catalog)
        k = len(catalog.classes)
        images = np.bincount(codes, minlength=k)
        distinct = np.bincount(np.unique(codes * span + unit) // span, minlength=k)
        table = pd.DataFrame({"images": images, "distinct": distinct},
                             index=pd.Index(catalog.classes, name="class"))
        table["inflation"] = table["images"] / table["distinct"].where(table["distinct"] > 0)
        return table.sort_values("images", ascending=False, kind="stable")

    def straddling(self, catalog: Catalog) -> pd.DataFrame | None:
        """Groups whose images lie in more than one split (None without a split).

        Parameters
        ----------
        catalog : Catalog
            With a ``split`` column.

        Returns
        -------
        pandas.DataFrame or None
            Indexed by group: the splits it lies in.
        """
        if "split" not in catalog.samples.columns:
            return None
        split = catalog.samples["split"].astype("string").reindex(self.group.index)
        grouped = pd.DataFrame({"group": self.group, "split": split})
        grouped = grouped[grouped["group"] >= 0]
        n = grouped.groupby("group")["split"].nunique()
        bad = n.index[n > 1]
        rows = grouped[grouped["group"].isin(bad)]
        return rows.groupby("group")["split"].agg(lambda s: ", ".join(sorted(set(s.dropna()))))\
            .to_frame("splits")

    def with_groups(self, catalog: Catalog) -> Catalog:
        """The Catalog with a ``group`` column that keeps each near-duplicate group whole
        (merged with the groups it already has), for ``stratified_split(groups=True)``.

        Parameters
        ----------
        catalog : Catalog
            The dataset the groups were found in.

        Returns
        -------
        Catalog
            With the ``group`` column.
        """
        ids = catalog.samples.index
        own = (catalog.samples["group"].astype(str).to_numpy() if "group" in
               catalog.samples.columns else ids.astype(str).to_numpy())
        codes, _ = pd.factorize(own)
        dup = self.group.reindex(ids).to_numpy()
        n, m = len(ids), codes.max() + 1
        edges_from = np.r_[np.arange(n), np.flatnonzero(dup >= 0)]
        edges_to = np.r_[n + codes, n + m + dup[dup >= 0]]
        size = n + m + max(int(dup.max()) + 1, 0)
        graph = sparse.coo_matrix((np.ones(len(edges_from)), (edges_from, edges_to)),
                                  shape=(size, size))
        _, label = connected_components(graph, directed=False)
        return catalog.replace(samples=catalog.samples.assign(
            group=[f"g{c}" for c in label[:n]]))


def near_duplicates(catalog: Catalog, *, max_distance: int = 4, cache_dir=None
                    ) -> NearDuplicates:
    """Near-identical images: 64-bit difference hashes (dHash) within ``max_distance``
    bits, grouped by connected components. The hashes come from the same single read
    as :func:`workbench.conditions.image_statistics` (and its cache).

    Parameters
    ----------
    catalog : Catalog
        Any task.
    max_distance : int
        Bits two hashes may differ by, in [0, 16).
    cache_dir : str or Path, optional
        Where :func:`image_statistics` caches its results.

    Returns
    -------
    NearDuplicates
        A group number per image (-1: no near-duplicate).
    """
    if not (isinstance(max_distance, (int, np.integer)) and 0 <= max_distance < 16):
        raise ValueError(f"The 'max_distance' parameter must be an integer in [0, 16) (bits "
                         f"of 64). Got {max_distance!r} instead.")
    from workbench.conditions import image_statistics

    stats = image_statistics(catalog, cache_dir=cache_dir)
    readable = stats["brightness"].notna().to_numpy()
    hashes = stats["dhash"].to_numpy(np.uint64)
    index = np.flatnonzero(readable)
    i, j = hash_pairs(hashes[index], max_distance)
    group = np.full(len(catalog), -1, dtype=np.int64)
    if len(i):
        n = len(index)
        graph = sparse.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
        _, label = connected_components(graph, directed=False)
        paired = np.zeros(n, dtype=bool)
        paired[i] = paired[j] = True
        _, renumbered = np.unique(label[paired], return_inverse=True)
        group[index[paired]] = renumbered
    return NearDuplicates(group=pd.Series(group, index=catalog.samples.index, name="group"),
                          max_distance=int(max_distance))

