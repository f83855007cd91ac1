"""Per-class counts of a Catalog: images containing each class, instances or pixels,
per split or per condition."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.catalog_schema import rows_of
from workbench.contains import _image_class_codes, image_class_pairs
from workbench.counting import bincount
from workbench.errors import (
    DataError,
    check_option,
)

UNITS = ("images", "instances", "pixels")


@dataclass(frozen=True)
class ClassCounts:
    """Per-class counts in one unit, optionally per stratum (split or condition value).

    ``table`` is class x stratum (a single column ``"all"`` when not stratified);
    ``sizes`` the number of units in each stratum: images (an image holding three
    classes counts once), instances or pixels.
    """

    table: pd.DataFrame
    unit: str
    by: str | None = None
    sizes: pd.Series | None = None

    def __repr__(self) -> str:
        per = f" per {self.by} ({len(self.table.columns)} values)" if self.by else ""
        return (f"ClassCounts({len(self.table)} classes, {int(self.total.sum()):,} "
                f"{self.unit}{per})")

    @property
    def total(self) -> pd.Series:
        """Counts per class over all strata."""
        return self.table.sum(axis=1).rename(self.unit)

    @property
    def shares(self) -> pd.DataFrame:
        """Each class's share of the units in its stratum: the fraction of the images that
        contain it (these can sum to more than 1: an image holds several classes), or of
        the instances or pixels (these sum to 1)."""
        sizes = self.sizes if self.sizes is not None else self.table.sum(axis=0)
        return self.table / sizes.where(sizes > 0)

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per class (and stratum) with ``count`` and ``share`` (of the units
        in the stratum, see :attr:`shares`).

        Returns
        -------
        pandas.DataFrame
            Indexed by class (and stratum): ``count`` in the unit, ``share`` a fraction.
        """
        frame = pd.DataFrame({"count": self.table.stack(), "share": self.shares.stack()})
        frame.index.names = ["class", self.by or "stratum"]
        if self.by is None:
            frame = frame.droplevel(1)
        return frame


def available_units(catalog: Catalog) -> list[str]:
    """The count units this Catalog can give.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    list of str
        "images", then "instances" when there are boxes, "pixels" when there are masks.
    """
    units = ["images"]
    if len(catalog.objects):
        units.append("instances")
    if len(catalog.pixels):
        units.append("pixels")
    return units


def default_unit(catalog: Catalog) -> str:
    """The unit of "examples" in the checklist and the long tail.

    Images when the images carry labels (the labels are what is imbalanced, background
    class included); else instances when there are boxes (a detector learns from boxes,
    and "at least 100 instances per class" is the usual floor); else images.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    str
        "images" or "instances".
    """
    labelled = "label" in catalog.samples.columns and catalog.samples["label"].notna().any()
    return "instances" if len(catalog.objects) and not labelled else "images"


def class_counts(catalog: Catalog, *, unit: str = "images", by: str | None = None) -> ClassCounts:
    """How many images contain each class, how many instances, or how many pixels.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    unit : {"images", "instances", "pixels"}
        Images containing the class (from the image label and the boxes or masks), instances
        (boxes; crowd boxes and the background class left out) or pixels.
    by : str, optional
        None, "split", "group" or a condition column (a per-box column for instances): count
        per value of that column.

    Returns
    -------
    ClassCounts
        ``table`` (class x value of ``by``, counts in ``unit``) and ``sizes`` per value
        (images per value for images; else the column sums).

    Examples
    --------
    >>> s = pd.DataFrame({"filepath": list("abc"), "width": 4, "height": 4,
    ...                   "label": ["x", "x", "y"], "split": ["train", "val", "train"]},
    ...                  index=list("abc"))
    >>> class_counts(Catalog(s, classes=["x", "y"]), by="split").table
    split  train  val
    class
    x          1    1
    y          1    0
    """
    check_option("unit", unit, UNITS, func="class_counts")
    if unit not in available_units(catalog):
        raise DataError(
            f"This {catalog.task} Catalog has no {unit} to count (it has "
            f"{', '.join(available_units(catalog))}). Use one of those units."
        )
    per_box = unit == "instances" and by is not None and by in catalog.objects.columns \
        and by not in ("sample_id", "label")
    strata, names = _strata(catalog.objects if per_box else catalog.samples, by)
    n_classes, n_strata = len(catalog.classes), len(names)
    if unit == "images" and n_strata == 1:
        counts = bincount(_image_class_codes(catalog), n_classes)
        sizes = np.array([len(catalog)])
    elif unit == "images":
        rows, codes = image_class_pairs(catalog)
        counts = bincount(codes * n_strata + strata[rows], n_classes * n_strata)
        sizes = np.bincount(strata, minlength=n_strata)
    else:
        table = catalog.objects if unit == "instances" else catalog.pixels
        if unit == "instances" and "iscrowd" in table.columns:  # crowd boxes left out
            keep = ~table["iscrowd"].to_numpy()
            table, strata = table[keep], (strata[keep] if per_box else strata)
        flat = table["label"].cat.codes.to_numpy()  # 8 or 16 bits: counted as they are
        if n_strata > 1:
            stratum = strata if per_box else strata[rows_of(table)]
            flat = flat.astype(np.int64) * n_strata + stratum
        weights = table["count"].to_numpy() if unit == "pixels" else None
        counts = bincount(flat, n_classes * n_strata, weights)
        sizes = None
    table = pd.DataFrame(
        counts.reshape(n_classes, n_strata).astype(np.int64),
        index=pd.CategoricalIndex(catalog.classes, categories=catalog.classes, name="class"),
        columns=pd.Index(names, name=by or "stratum"),
    )
    if unit == "instances" and catalog.background is not None:  # background has no boxes
        table = table.drop(index=catalog.background)
    sizes = (pd.Series(sizes, index=table.columns, name=unit) if sizes is not None else
             table.sum(axis=0).rename(unit))
    return ClassCounts(table=table, unit=unit, by=by, sizes=sizes)


def _strata(table: pd.DataFrame, by: str | None) -> tuple[np.ndarray, list[str]]:
    """Stratum code per row of ``table`` (samples, or objects for a per-box column such as
    ``size``) and the stratum names: a categorical's order, else sorted; missing last."""
    if by is None:
        return np.zeros(len(table), dtype=np.int64), ["all"]
    if by not in table.columns:
        raise DataError(
            f"Cannot count by {by!r}: it is not a column of the samples (columns: "
            f"{', '.join(map(str, table.columns))}). Split the Catalog first, or name a "
            "condition column."
        )
    column = table[by]
    if not isinstance(column.dtype, pd.CategoricalDtype):  # its values, sorted
        column = column.astype("string").astype("category")
    # a categorical keeps its levels' own order (the Catalog puts train, val, test first)
    column = column.cat.remove_unused_categories()
    codes = column.cat.codes.to_numpy().astype(np.int64)
    names = [str(c) for c in column.cat.categories]
    if (codes < 0).any():  # missing values: their own stratum, last
        codes = np.where(codes < 0, len(names), codes)
        names.append("(missing)")
    return codes, names


def split_shares(catalog: Catalog) -> pd.DataFrame:
    """Each class's share of each split's images: the images of the split that contain it
    over the images of the split (train, val, test first; images with no split left out).

    The one definition behind the checklist's split check and
    :attr:`workbench.split.SplitReport.max_share_gap`, whatever unit the rest counts in:
    a split is made of images.

    Parameters
    ----------
    catalog : Catalog
        With a ``split`` column.

    Returns
    -------
    pandas.DataFrame
        Fractions, class x split (NaN for a split with no image).
    """
    counts = class_counts(catalog, unit="images", by="split")
    table = counts.table.drop(columns="(missing)", errors="ignore")
    sizes = counts.sizes.drop("(missing)", errors="ignore")
    return table / sizes.where(sizes > 0)


def share_gaps(shares: pd.DataFrame) -> pd.Series:
    """Per class (row): its largest share minus its smallest across the splits (columns).

    Parameters
    ----------
    shares : pandas.DataFrame
        Class x split shares (fractions), as :func:`split_shares`.

    Returns
    -------
    pandas.Series
        Per class, a difference of fractions.
    """
    return shares.max(axis=1) - shares.min(axis=1)


def class_order(catalog: Catalog) -> list[str]:
    """The classes by the number of images containing them, largest first (ties: the
    class list's order). Every table and figure orders classes this way.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    list of str
        Every class.
    """
    counts = class_counts(catalog, unit="images").total
    counts.index = counts.index.astype(str)
    return counts.sort_values(ascending=False, kind="stable").index.tolist()


def counts_by_unit(catalog: Catalog) -> pd.DataFrame:
    """Every available unit side by side, classes in :func:`class_order`.

    ``images`` counts the images containing the class and ``share of images`` is that
    over all images (an image with three classes counts for each, so these shares can
    sum past 1); ``instances`` and ``pixels`` with their shares (these sum to 1). A class
    can be common in images and rare in pixels: the table shows both at once.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    pandas.DataFrame
        Per class: a count and a fraction (``share of ...``) for each available unit.
    """
    columns = {}
    for unit in available_units(catalog):
        counts = class_counts(catalog, unit=unit)
        total = counts.total
        columns[unit] = total
        columns[f"share of {unit}"] = total / counts.sizes.sum()
    table = pd.DataFrame(columns)
    table.index = table.index.astype(str)
    return table.reindex([c for c in class_order(catalog) if c in table.index])


def unlabelled_images(catalog: Catalog) -> pd.Index:
    """Images with no class at all (no label, box or mask pixels): for detection, the
    negatives (images with no object).

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    pandas.Index
        Their sample ids.
    """
    rows, _ = image_class_pairs(catalog)
    has_class = np.zeros(len(catalog.samples), dtype=bool)
    has_class[rows] = True
    return catalog.samples.index[~has_class]


def rarest_class(catalog: Catalog, *, unit: str = "images") -> str:
    """The class with the fewest (but some) examples.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    unit : {"images", "instances", "pixels"}
        What is counted.

    Returns
    -------
    str
        The class name.
    """
    total = class_counts(catalog, unit=unit).total
    return str(total[total > 0].idxmin())
