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

from workbench.quality.duplicates import (
    HASH_BITS,
    NearDuplicates,
    hamming,
    hash_pairs,
    near_duplicates,
)
from workbench.quality.issues import (
    DEGENERATE_PIXELS,
    FINDINGS,
    NESTED_TOLERANCE,
    ROBUST_Z,
    LabelIssues,
    label_issues,
    robust_z,
)

__all__ = [
    "DEGENERATE_PIXELS", "FINDINGS", "HASH_BITS", "NESTED_TOLERANCE", "ROBUST_Z",
    "LabelIssues", "NearDuplicates", "hamming", "hash_pairs", "label_issues",
    "near_duplicates", "robust_z",
]
