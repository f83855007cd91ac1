"""Label quality: what inflates a class's count or hides it.

- :func:`near_duplicates`: groups of near-identical images (dHash within a few bits),
  how much they inflate each class, and the groups that straddle train / val / test
  (leakage the group column does not know about);
- :func:`label_issues`: per box, duplicate boxes (same class, IoU >= 0.9), boxes nested
  in a box of another class, degenerate boxes, and aspect-ratio or area outliers within
  their class (robust z-score on the logarithm, boxes cut by the image border left
  out: their shape is the cut's); per image, near-duplicates. One row per finding, by
  file and box, and a count per class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from workbench.catalog import Catalog
from workbench.catalog_schema import rows_of
from workbench.errors import Lacks
from workbench.measure import image_class_pairs
from workbench.sources.boxes import DUPLICATE_IOU, box_pairs, corners, pair_iou

HASH_BITS = 64
ROBUST_Z = 3.5           # |modified z| above this is an outlier (Iglewicz and Hoaglin)
NESTED_TOLERANCE = 0.02  # a box "inside" another may stick out by 2% of the image
DEGENERATE_PIXELS = 2    # a box narrower or lower than this many pixels marks nothing


# -- near-duplicate images -----------------------------------------------------------------------


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


# -- box findings --------------------------------------------------------------------------------


FINDINGS = ("duplicate box", "nested in another class", "degenerate box", "aspect outlier",
            "area outlier", "near-duplicate image")


def robust_z(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Modified z-score within each group: ``0.6745 (x - median) / MAD`` (Iglewicz and
    Hoaglin); where the MAD is 0 (most values equal), ``(x - median) / (1.2533 MeanAD)``
    as they advise; 0 where every value is equal.

    Parameters
    ----------
    values : numpy.ndarray
        The values.
    groups : numpy.ndarray
        A group per value.

    Returns
    -------
    numpy.ndarray of float
        One z-score per value.

    Examples
    --------
    >>> robust_z(np.array([1.0, 2, 3, 4, 100]), np.zeros(5, int)).round(1).tolist()
    [-1.3, -0.7, 0.0, 0.7, 65.4]
    >>> robust_z(np.array([5.0, 5, 5, 5, 9]), np.zeros(5, int)).round(2).tolist()
    [0.0, 0.0, 0.0, 0.0, 3.99]
    """
    frame = pd.DataFrame({"x": values, "g": groups})
    median = frame.groupby("g")["x"].transform("median")
    deviation = (frame["x"] - median).abs()
    mad = deviation.groupby(frame["g"]).transform("median")
    mean_ad = deviation.groupby(frame["g"]).transform("mean")
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(mad > 0, 0.6745 * (frame["x"] - median) / mad,
                     (frame["x"] - median) / (1.253314 * mean_ad))
    return np.nan_to_num(np.asarray(z, float), nan=0.0, posinf=0.0, neginf=0.0)


@dataclass(frozen=True)
class LabelIssues:
    """One row per finding: ``sample_id``, ``box`` (1-based, within its image; 0 for an
    image finding), ``label``, ``finding``, ``detail``, ``score`` (larger is worse)."""

    table: pd.DataFrame
    classes: tuple[str, ...]

    def __repr__(self) -> str:
        return f"LabelIssues({len(self.table)} findings over {len(self.classes)} classes)"

    def per_class(self) -> pd.DataFrame:
        """Counts of each finding per class (every class, every finding).

        Returns
        -------
        pandas.DataFrame
            class x finding counts.
        """
        counts = pd.crosstab(pd.Categorical(self.table["label"], categories=list(self.classes)),
                             pd.Categorical(self.table["finding"], categories=list(FINDINGS)),
                             dropna=False)
        counts.index.name, counts.columns.name = "class", "finding"
        return counts

    def worst(self, n: int = 12) -> pd.Index:
        """The images with the most (and worst) findings, worst first.

        Parameters
        ----------
        n : int
            How many images.

        Returns
        -------
        pandas.Index
            Sample ids, by summed finding score.
        """
        per_image = self.table.groupby("sample_id")["score"].sum().sort_values(
            ascending=False, kind="stable")
        return per_image.index[:n]

    def to_frame(self) -> pd.DataFrame:
        """The findings.

        Returns
        -------
        pandas.DataFrame
            One row per finding: sample_id, box, label, finding, detail, score.
        """
        return self.table


def label_issues(catalog: Catalog, *, duplicates: NearDuplicates | None = None,
                 iou: float = DUPLICATE_IOU, z: float = ROBUST_Z) -> LabelIssues:
    """The findings that inflate or hide a class (see the module), one row each.

    Box findings need boxes (:class:`Lacks` without); near-duplicate images are added
    when ``duplicates`` is given (every image of a group but its first).

    Parameters
    ----------
    catalog : Catalog
        Any task.
    duplicates : NearDuplicates, optional
        Adds the near-duplicate images.
    iou : float
        Overlap from which two same-class boxes are duplicates.
    z : float
        Robust z-score (of the log area or aspect, within the class) beyond which a box
        is an outlier.

    Returns
    -------
    LabelIssues
        The findings, highest score first.
    """
    if not len(catalog.objects) and duplicates is None:
        raise Lacks("This dataset has no boxes, so there are no box findings: duplicate, "
                    "nested, degenerate or outlier boxes need a detection set.")
    rows = []
    objects = catalog.objects
    if len(objects):
        rows += _box_findings(catalog, iou=iou, z=z)
    if duplicates is not None:
        rows += _duplicate_findings(catalog, duplicates)
    table = pd.DataFrame(rows, columns=["sample_id", "box", "label", "finding", "detail",
                                        "score"])
    table = table.sort_values(["score", "sample_id"], ascending=[False, True], kind="stable")
    return LabelIssues(table=table.reset_index(drop=True), classes=tuple(catalog.classes))


def _box_findings(catalog: Catalog, *, iou: float, z: float) -> list[dict]:
    objects = catalog.objects
    image = rows_of(objects)
    width = catalog.samples["width"].to_numpy(float)[image]
    height = catalog.samples["height"].to_numpy(float)[image]
    box = corners(objects)
    number = objects.groupby("sample_id", observed=True).cumcount().to_numpy() + 1
    ids = objects["sample_id"].astype(str).to_numpy()
    labels = objects["label"].astype(str).to_numpy()
    pixels = np.column_stack([box[:, 0] * width, box[:, 1] * height, box[:, 2] * width,
                              box[:, 3] * height]).round().astype(int)
    out = []

    def add(k, finding, detail, score):
        out.append({"sample_id": ids[k], "box": int(number[k]), "label": labels[k],
                    "finding": finding, "detail": f"{detail}; box {pixels[k].tolist()} px",
                    "score": float(score)})

    a, b = box_pairs(objects)
    overlap = pair_iou(box, a, b)
    for i, j, v in zip(a[overlap >= iou], b[overlap >= iou], overlap[overlap >= iou],
                       strict=True):
        add(j, "duplicate box", f"IoU {v:.2f} with box {number[i]}", 1 + v)
    a, b = box_pairs(objects, same_class=False)
    other = labels[a] != labels[b]
    a, b = a[other], b[other]
    t = NESTED_TOLERANCE
    inside = ((box[a, 0] >= box[b, 0] - t) & (box[a, 1] >= box[b, 1] - t)
              & (box[a, 2] <= box[b, 2] + t) & (box[a, 3] <= box[b, 3] + t))
    inside_b = ((box[b, 0] >= box[a, 0] - t) & (box[b, 1] >= box[a, 1] - t)
                & (box[b, 2] <= box[a, 2] + t) & (box[b, 3] <= box[a, 3] + t))
    for inner, outer in [(a[inside & ~inside_b], b[inside & ~inside_b]),
                         (b[inside_b & ~inside], a[inside_b & ~inside])]:
        for i, j in zip(inner, outer, strict=True):
            add(i, "nested in another class", f"inside box {number[j]} ({labels[j]})", 1)
    w_px = pixels[:, 2] - pixels[:, 0]
    h_px = pixels[:, 3] - pixels[:, 1]
    tiny = (np.minimum((box[:, 2] - box[:, 0]) * width, (box[:, 3] - box[:, 1]) * height)
            < DEGENERATE_PIXELS)
    for k in np.flatnonzero(tiny):
        add(k, "degenerate box", f"{w_px[k]}x{h_px[k]} px", 2)
    codes = objects["label"].cat.codes.to_numpy()
    # a box cut by the image border (truncated) has the shape of the cut, not its class's
    edge = 1.0 / np.maximum(width, height)
    border = (box[:, 0] <= edge) | (box[:, 1] <= edge) | (box[:, 2] >= 1 - edge) | (
        box[:, 3] >= 1 - edge)
    if "truncated" in objects.columns:
        border |= objects["truncated"].fillna(False).astype(bool).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        aspect = np.log((box[:, 2] - box[:, 0]) * width / ((box[:, 3] - box[:, 1]) * height))
        area = np.log((box[:, 2] - box[:, 0]) * width * (box[:, 3] - box[:, 1]) * height)
    for name, values in (("aspect outlier", aspect), ("area outlier", area)):
        whole = ~tiny & ~border
        scores = np.zeros(len(values))
        scores[whole] = robust_z(np.nan_to_num(values[whole]), codes[whole])
        for k in np.flatnonzero(np.abs(scores) > z):
            what = "wider" if (name == "aspect outlier") == (scores[k] > 0) else "narrower"
            if name == "area outlier":
                what = "larger" if scores[k] > 0 else "smaller"
            add(k, name, f"{what} than its class (robust z {scores[k]:+.1f})",
                abs(scores[k]) / z)
    return out


def _duplicate_findings(catalog: Catalog, duplicates: NearDuplicates) -> list[dict]:
    group = duplicates.group.reindex(catalog.samples.index)
    later = group[(group >= 0) & group.duplicated()]  # every image of a group but its first
    first = group[(group >= 0) & ~group.duplicated()]
    first_of = pd.Series(first.index, index=first.to_numpy())
    rows, codes = image_class_pairs(catalog.subset(later.index))
    part = catalog.subset(later.index)
    out = []
    for row, code in zip(rows, codes, strict=True):  # only the duplicated images
        sample_id = part.samples.index[row]
        out.append({"sample_id": sample_id, "box": 0, "label": catalog.classes[code],
                    "finding": "near-duplicate image",
                    "detail": f"near-identical to {first_of[group[sample_id]]}", "score": 1.0})
    return out

