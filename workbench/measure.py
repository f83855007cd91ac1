"""Counts and imbalance statistics of a Catalog."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.catalog import Catalog, indicator
from workbench.errors import DataError, check_option

UNITS = ("images", "instances", "pixels")


@dataclass(frozen=True)
class ClassCounts:
    """Per-class counts in one unit, optionally per stratum (split or condition value).

    ``table`` is class x stratum (a single column ``"all"`` when not stratified).
    """

    table: pd.DataFrame
    unit: str
    by: str | None = None

    @property
    def total(self) -> pd.Series:
        """Counts per class over all strata."""
        return self.table.sum(axis=1).rename(self.unit)

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per class (and stratum) with ``count`` and ``share`` (within stratum)."""
        share = self.table / self.table.sum(axis=0).where(lambda s: s > 0)
        frame = pd.DataFrame({"count": self.table.stack(), "share": share.stack()})
        frame.index.names = ["class", self.by or "stratum"]
        if self.by is None:
            frame = frame.droplevel(1)
        return frame


def available_units(catalog: Catalog) -> list[str]:
    """The count units this Catalog can give."""
    units = ["images"]
    if len(catalog.objects):
        units.append("instances")
    if len(catalog.pixels):
        units.append("pixels")
    return units


def class_counts(catalog: Catalog, *, unit: str = "images", by: str | None = None) -> ClassCounts:
    """How many images contain each class, how many instances, or how many pixels.

    Parameters
    ----------
    unit : "images" (images containing the class), "instances" (boxes; crowd boxes left
        out) or "pixels".
    by : None, "split", "group" or a condition column: count per value of that column.

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
    samples = catalog.samples
    if by is not None and by not in samples.columns:
        raise DataError(
            f"Cannot count by {by!r}: it is not a column of the samples (columns: "
            f"{', '.join(map(str, samples.columns))}). Split the Catalog first, or name a "
            "condition column."
        )
    strata = (pd.Series("all", index=samples.index, name="stratum") if by is None
              else samples[by].astype("string").fillna("(missing)"))
    classes = pd.CategoricalIndex(catalog.classes, categories=catalog.classes, name="class")
    if unit == "images":
        table = indicator(catalog).groupby(strata.to_numpy()).sum().T
    else:
        rows = catalog.objects if unit == "instances" else catalog.pixels
        if unit == "instances" and "iscrowd" in rows.columns:
            rows = rows[~rows["iscrowd"]]
        weights = rows["count"] if unit == "pixels" else pd.Series(1, index=rows.index)
        table = weights.groupby(
            [rows["label"], strata.reindex(rows["sample_id"]).to_numpy()], observed=False
        ).sum().unstack(fill_value=0)
    table = table.reindex(index=list(catalog.classes), fill_value=0).astype("int64")
    table.index = classes
    table.columns = pd.Index(table.columns.astype(str), name=by or "stratum")
    return ClassCounts(table=table, unit=unit, by=by)
