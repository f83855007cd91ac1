"""The naive, stratified and strongest splits side by side, and the one the notebooks
hand on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import (
    Missing,
)
from workbench.split.catalog_split import (
    keep_together,
    most_hidden_condition,
    random_split,
    stratified_split,
)
from workbench.split.report import SplitReport, compare_reports, split_report


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

    def __repr__(self) -> str:
        return (f"SplitComparison({', '.join(self.reports)}; strongest "
                f"{self.strongest_name or 'none'})")

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
        strongest split (else the stratified one).

        Parameters
        ----------
        resplit : bool
            Pass over the data's own split.

        Returns
        -------
        name : str
            The split's key in ``catalogs``.
        catalog : Catalog
            The catalog with that split.
        """
        if "yours" in self.catalogs and not resplit:
            return "yours", self.catalogs["yours"]
        name = self.strongest_name or "stratified"
        return name, self.catalogs[name]

    def condition_table(self, name: str | None = None) -> pd.DataFrame | Missing:
        """Each condition value's share of each split in split ``name`` (default: the
        strongest, else stratified), or why there is nothing to show.

        Parameters
        ----------
        name : str, optional
            A key of ``reports``.

        Returns
        -------
        pandas.DataFrame or Missing
            Fractions rounded to 3 decimals, indexed by (condition, value), one column per
            split; Missing when the data has no condition column.
        """
        name = name or self.strongest_name or "stratified"
        table = self.reports[name].condition_table()
        if not len(table):
            return Missing("This dataset has no condition column, so there is no condition "
                           "mix to compare across splits.")
        return table.round(3)

    def to_frame(self) -> pd.DataFrame:
        """:func:`compare_reports` of every split, one column each.

        Returns
        -------
        pandas.DataFrame
            One column per split name, one row per measure.
        """
        return compare_reports(self.reports)


def compare_splits(catalog: Catalog, *, fractions: Sequence[float] = (0.7, 0.15, 0.15),
                   seed: int = 0, condition: str | None = "auto") -> SplitComparison:
    """Make the splits worth comparing on this dataset and report each.

    See :class:`SplitComparison` for which splits.

    Parameters
    ----------
    catalog : Catalog
        Any task; a ``split`` column is reported as "yours", a ``group`` column kept whole.
    fractions : sequence of float
        Split sizes as fractions of the images, summing to 1.
    seed : int
        Seed of every split made.
    condition : str, optional
        The condition to stratify on with the class ("auto": the one hiding most
        imbalance; None: none).

    Returns
    -------
    SplitComparison
        The catalogs and their reports, by name.
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
    ``compare_splits(keep_together(catalog, near_duplicates(catalog)), ...).chosen()[1]``.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    fractions : sequence of float
        Split sizes as fractions of the images, summing to 1.
    seed : int
        Seed of the stratified split.
    condition : str, optional
        As in :func:`compare_splits`.
    resplit : bool
        Split again even when the data has a split.
    cache_dir : str or Path, optional
        A folder (not inside the dataset) where the image statistics and hashes are cached.

    Returns
    -------
    Catalog
        With a ``split`` column (and a ``group`` column when near-duplicates were found).
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
