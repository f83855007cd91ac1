"""Class-aware augmentation: stronger for rare classes, boxes and masks kept aligned.

Albumentations does the transforms (it declined class-conditional augmentation, its
issue #1661, so that part is ours and stays thin): a policy is a function of a
strength in [0, 1] returning an ``A.Compose`` with box and mask targets configured;
0 is the identity, 1 the strongest setting that still looks like a real photograph.
Per-class strengths come from the counts; an image's strength follows its rarest class.
"""

from __future__ import annotations

from workbench.augment.materialize import (
    copies_per_image,
    copy_table,
    materialize,
    transform_record,
)
from workbench.augment.online import ClassAwareAugmenter
from workbench.augment.policy import (
    DEFAULT_FAMILIES,
    FAMILIES,
    LEVELS,
    TASKS,
    Policy,
    apply,
    check_sample,
    policy,
)
from workbench.augment.preview import Preview, fill_value, preview, read_sample
from workbench.augment.strength import class_strengths, image_strengths

__all__ = [
    "apply",
    "check_sample",
    "class_strengths",
    "ClassAwareAugmenter",
    "copies_per_image",
    "copy_table",
    "DEFAULT_FAMILIES",
    "FAMILIES",
    "fill_value",
    "image_strengths",
    "LEVELS",
    "materialize",
    "policy",
    "Policy",
    "Preview",
    "preview",
    "read_sample",
    "TASKS",
    "transform_record",
]
