import pandas as pd
import pytest

from workbench.errors import DataError
from workbench.measure import class_counts


def test_images_instances_by_condition(small_detection):
    images = class_counts(small_detection, unit="images")
    assert images.total.to_dict() == {"cat": 2, "dog": 1}
    inst = class_counts(small_detection, unit="instances", by="light")
    assert inst.table.to_dict() == {"day": {"cat": 2, "dog": 0}, "night": {"cat": 1, "dog": 1}}
    frame = class_counts(small_detection, unit="instances", by="split").to_frame()
    assert frame.loc[("cat", "train"), "count"] == 3
    assert frame.loc[("cat", "train"), "share"] == pytest.approx(0.75)


def test_unavailable_unit_and_unknown_column(small_detection):
    with pytest.raises(DataError, match=r"has no pixels to count \(it has images, instances\)"):
        class_counts(small_detection, unit="pixels")
    with pytest.raises(DataError, match=r"Cannot count by 'site'"):
        class_counts(small_detection, by="site")
    with pytest.raises(ValueError, match=r"The 'unit' parameter of class_counts must be"):
        class_counts(small_detection, unit="boxes")


def test_crowd_boxes_are_not_instances(small_detection):
    objects = small_detection.objects.assign(iscrowd=[False, True, False, False])
    crowd = small_detection.replace(objects=objects)
    assert class_counts(crowd, unit="instances").total.to_dict() == {"cat": 2, "dog": 1}
    assert pd.api.types.is_bool_dtype(crowd.objects["iscrowd"])
