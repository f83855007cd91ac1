"""Conditions from the pixels and the boxes, for datasets that ship none.

Hidden imbalance needs a condition (day/night, camera); most real datasets have no
such column, but their images and boxes carry conditions of their own:

- from the pixels (each image read once, decoded small): ``brightness`` (mean grey
  level), ``contrast`` (its standard deviation), ``sharpness`` (variance of the
  Laplacian at a fixed working size: blurred images score low);
- from the header: ``resolution`` (pixels) and ``aspect`` (width / height);
- from the labels: ``objects`` per image and the size of the ``smallest_object``;
- per box: its COCO area class, ``size`` = small (< 32x32 pixels), medium, large.

:func:`derived_conditions` bins each property into a few named levels and returns a
Catalog whose samples carry them as conditions, so :func:`measure.hidden_imbalance`,
the checklist and the split's joint strata use them like any other condition.
Statistic properties are binned by this dataset's tertiles (dataset-relative: "dark"
is the darkest third); aspect and sizes by fixed thresholds, object counts by tertiles
of the images with objects.
:func:`level_ranges` says which value range each level covers.
"""

from workbench.conditions.labels import COCO_AREAS, SIZES, label_properties, object_sizes
from workbench.conditions.levels import (
    ASPECT_EDGES,
    DEFAULT_PROPERTIES,
    HEADER_PROPERTIES,
    LABEL_PROPERTIES,
    LEVELS,
    PIXEL_PROPERTIES,
    PROPERTIES,
    bin_property,
    derived_conditions,
    level_ranges,
    property_values,
)
from workbench.conditions.pixels import (
    HASH_SIZE,
    WORK_SIZE,
    dhash_bits,
    image_statistics,
    laplacian_variance,
)

__all__ = [
    "ASPECT_EDGES", "COCO_AREAS", "DEFAULT_PROPERTIES", "HASH_SIZE", "HEADER_PROPERTIES",
    "LABEL_PROPERTIES", "LEVELS", "PIXEL_PROPERTIES", "PROPERTIES", "SIZES", "WORK_SIZE",
    "bin_property", "derived_conditions", "dhash_bits", "image_statistics",
    "label_properties", "laplacian_variance", "level_ranges", "object_sizes",
    "property_values",
]
