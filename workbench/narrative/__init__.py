"""Notebook prose computed from the data in front of it.

Each function takes a Catalog or a stage result and returns Markdown that states this
dataset's numbers, so a sentence is true of the dataset the notebook runs on: the
demo's story ("cracks are rarer at night") comes out of the demo's data, and another
dataset gets its own. Where the data lacks what a section needs, the function returns
the :class:`workbench.errors.Missing` that says so.
"""

from __future__ import annotations

from workbench.narrative.condition_prose import derived, hidden, size_mix
from workbench.narrative.measure_prose import (
    loader_findings,
    long_tail,
    overview,
    thresholds,
    units,
)
from workbench.narrative.quality_prose import label_findings, near_duplicate_groups
from workbench.narrative.sample_prose import (
    copies,
    instance_mix,
    keys,
    low_light,
    plan,
    repeat,
    strengths,
)
from workbench.narrative.split_prose import given_split, split_verdict
from workbench.narrative.words import TASK_WORDS

__all__ = [
    "copies",
    "derived",
    "given_split",
    "hidden",
    "instance_mix",
    "keys",
    "label_findings",
    "loader_findings",
    "long_tail",
    "low_light",
    "near_duplicate_groups",
    "overview",
    "plan",
    "repeat",
    "size_mix",
    "split_verdict",
    "strengths",
    "TASK_WORDS",
    "thresholds",
    "units",
]
