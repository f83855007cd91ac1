"""The quality of a split, as a value: sizes, per-class shares and their gaps, LD and
ED, leaking groups, missing classes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from workbench.catalog import Catalog
from workbench.errors import (
    Lacks,
)
from workbench.measure import image_class_pairs, share_gaps
from workbench.split.core import SPLIT_NAMES
from workbench.split.quality import examples_distribution, label_distribution


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
        """The headline numbers, for one column of :func:`compare_reports`.

        Returns
        -------
        dict
            ``images`` per split, LD, ED, mean and largest share gap (fractions), worst class,
            number of missing (class, split) pairs; leaking groups and images without a split
            when there are any.
        """
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
        """Each condition value's share of each split (columns sum to 1 per condition).

        Returns
        -------
        pandas.DataFrame
            Fractions indexed by (condition, value), one column per split; empty without
            conditions.
        """
        if not self.condition_shares:
            return pd.DataFrame()
        return pd.concat(self.condition_shares, names=["condition", "value"])

    def to_frame(self) -> pd.DataFrame:
        """Per class: count and share in each split, and the largest share gap.

        Returns
        -------
        pandas.DataFrame
            Rows per class; columns ("count", split) in images, ("share", split) as fractions,
            ("gap", "max").
        """
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
    """One column per named split; rows: mean share gap, LD, ED, largest share gap, worst
    class, classes missing from a split, groups in two splits.

    The leakage row is left out when the data has no groups, ED when no split had
    intended fractions.

    Parameters
    ----------
    reports : dict of str to SplitReport
        Reports by split name.

    Returns
    -------
    pandas.DataFrame
        One column per name.
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
