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

from workbench.split.catalog_split import (
    BY,
    RARE,
    Strata,
    keep_together,
    most_hidden_condition,
    random_split,
    strata,
    stratified_split,
)
from workbench.split.compare import SplitComparison, chosen_split, compare_splits
from workbench.split.core import SPLIT_NAMES, check_fractions, indicator_matrix, multilabel_stratify
from workbench.split.quality import examples_distribution, label_distribution
from workbench.split.report import SplitReport, compare_reports, split_report

__all__ = [
    "BY",
    "check_fractions",
    "chosen_split",
    "compare_reports",
    "compare_splits",
    "examples_distribution",
    "indicator_matrix",
    "keep_together",
    "label_distribution",
    "most_hidden_condition",
    "multilabel_stratify",
    "random_split",
    "RARE",
    "SPLIT_NAMES",
    "split_report",
    "SplitComparison",
    "SplitReport",
    "Strata",
    "strata",
    "stratified_split",
]
