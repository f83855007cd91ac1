"""Counts and imbalance statistics of a Catalog: the diagnosis before any remedy.

- :func:`class_counts`: images containing each class, instances (boxes) or pixels, per
  split or per condition;
- :func:`long_tail`: the shape of the distribution (imbalance ratio, Gini, evenness, how
  many classes hold half of the data, effective numbers of samples);
- :func:`hidden_imbalance`: a class's mix across a condition (day/night, camera) against
  everyone's, with a chi-square test and adjusted residuals;
- :func:`health_checklist`: the data-health checklist as pass / warn / fail rows.
"""

from __future__ import annotations

# Conditions from pixels and labels: their own module, named here too (notebook 01 calls
# them measure.derived_conditions and measure.level_ranges). Label quality sits above
# measure, in workbench.quality.
from workbench.conditions import derived_conditions, level_ranges
from workbench.contains import image_class_pairs
from workbench.measure.checklist import STATUSES, Checklist, health_checklist
from workbench.measure.counts import (
    UNITS,
    ClassCounts,
    available_units,
    class_counts,
    class_order,
    counts_by_unit,
    default_unit,
    rarest_class,
    share_gaps,
    split_shares,
    unlabelled_images,
)
from workbench.measure.diagnosis import (
    LOW_LIGHT_WORDS,
    Diagnosis,
    backdrop_class,
    diagnose,
    low_light_gap,
    no_condition_reason,
)
from workbench.measure.hidden import HiddenImbalance, condition_overview, hidden_imbalance
from workbench.measure.tail import LongTail, long_tail

__all__ = [
    "derived_conditions",
    "image_class_pairs",
    "level_ranges",
    "available_units",
    "backdrop_class",
    "Checklist",
    "class_counts",
    "class_order",
    "ClassCounts",
    "condition_overview",
    "counts_by_unit",
    "default_unit",
    "diagnose",
    "Diagnosis",
    "health_checklist",
    "hidden_imbalance",
    "HiddenImbalance",
    "long_tail",
    "LongTail",
    "low_light_gap",
    "LOW_LIGHT_WORDS",
    "no_condition_reason",
    "rarest_class",
    "share_gaps",
    "split_shares",
    "STATUSES",
    "UNITS",
    "unlabelled_images",
]
