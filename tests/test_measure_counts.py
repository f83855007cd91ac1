import numpy as np
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


def _boxes_catalog():
    """Four images (train, val, train, test); seven boxes with a per-box column, one crowd.

    a: x, x (one occluded), y      b: y (crowd, occluded)      c: z      d: x, z (occluded)
    """
    from workbench.catalog import Catalog

    samples = pd.DataFrame({"filepath": list("abcd"), "width": 40, "height": 20,
                            "split": ["train", "val", "train", "test"]}, index=list("abcd"))
    objects = pd.DataFrame({
        "sample_id": list("aaabcdd"), "label": list("xxyyzxz"),
        "occluded": ["no", "yes", "no", "yes", "no", "no", "yes"],
        "iscrowd": [False, False, False, True, False, False, False],
        "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.3})
    return Catalog(samples, classes=["x", "y", "z"], task="detection", objects=objects)


def test_instances_by_a_per_box_column_leave_the_crowd_box_out_of_its_stratum():
    counts = class_counts(_boxes_catalog(), unit="instances", by="occluded")
    assert counts.table.columns.name == "occluded" and counts.table.index.name == "class"
    assert counts.table.to_dict() == {"no": {"x": 2, "y": 1, "z": 1},
                                      "yes": {"x": 1, "y": 0, "z": 1}}  # b's crowd y: out
    assert counts.sizes.name == "instances" and counts.sizes.to_dict() == {"no": 4, "yes": 2}


def test_images_and_instances_by_split_in_split_order():
    catalog = _boxes_catalog()
    images = class_counts(catalog, unit="images", by="split")
    assert list(images.table.columns) == ["train", "val", "test"]
    assert images.table.to_dict() == {"train": {"x": 1, "y": 1, "z": 1},
                                      "val": {"x": 0, "y": 1, "z": 0},
                                      "test": {"x": 1, "y": 0, "z": 1}}
    assert images.sizes.name == "images"
    assert images.sizes.to_dict() == {"train": 2, "val": 1, "test": 1}  # images, not pairs
    boxes = class_counts(catalog, unit="instances", by="split")  # per image, crowd left out
    assert boxes.table.to_dict() == {"train": {"x": 2, "y": 1, "z": 1},
                                     "val": {"x": 0, "y": 0, "z": 0},
                                     "test": {"x": 1, "y": 0, "z": 1}}
    whole = class_counts(catalog, unit="instances")
    assert list(whole.table.columns) == ["all"] and whole.table.columns.name == "stratum"
    assert whole.total.to_dict() == {"x": 3, "y": 1, "z": 2}
    assert whole.sizes.name == "instances" and whole.sizes.to_dict() == {"all": 6}


def test_pixels_are_summed_by_their_counts_per_split():
    from workbench.catalog import Catalog

    samples = pd.DataFrame({"filepath": list("ab"), "width": 10, "height": 10,
                            "split": ["val", "train"]}, index=list("ab"))
    pixels = pd.DataFrame({"sample_id": ["a", "a", "b"], "label": ["road", "car", "road"],
                           "count": [70, 30, 100]})
    catalog = Catalog(samples, classes=["road", "car"], task="segmentation", pixels=pixels)
    counts = class_counts(catalog, unit="pixels", by="split")
    assert counts.table.dtypes.tolist() == [np.int64, np.int64]
    assert counts.table.to_dict() == {"train": {"road": 100, "car": 0},
                                      "val": {"road": 70, "car": 30}}
    assert class_counts(catalog, unit="pixels").total.to_dict() == {"road": 170, "car": 30}


def test_split_values_come_train_val_test_first_then_others_then_missing():
    from workbench.catalog import Catalog

    split = ["holdout", None, "test", "val", "train", "aside"]
    samples = pd.DataFrame({"filepath": list("abcdef"), "width": 10, "height": 10,
                            "label": list("xyxyxy"), "split": split, "site": split[::-1]},
                           index=list("abcdef"))
    catalog = Catalog(samples, classes=["x", "y"], task="classification")
    by_split = class_counts(catalog, by="split")
    assert list(by_split.table.columns) == ["train", "val", "test", "aside", "holdout",
                                            "(missing)"]
    assert by_split.table.loc["x"].tolist() == [1, 0, 1, 0, 1, 0]
    assert by_split.sizes.tolist() == [1, 1, 1, 1, 1, 1]
    # a column of text: its values sorted, the missing ones named, counted and last (they
    # sorted first, as "(missing)", before)
    by_site = class_counts(catalog, by="site")
    assert list(by_site.table.columns) == ["aside", "holdout", "test", "train", "val",
                                           "(missing)"]
    assert by_site.table.loc["y"].tolist() == [0, 1, 1, 1, 0, 0]  # b, d, f: train, test, holdout
    assert by_site.sizes.tolist() == [1, 1, 1, 1, 1, 1]


def test_instances_by_the_image_label_and_by_a_column_that_is_not_one():
    from workbench.catalog import Catalog

    samples = pd.DataFrame({"filepath": list("ab"), "width": 10, "height": 10,
                            "label": ["x", "y"]}, index=list("ab"))
    objects = pd.DataFrame({"sample_id": list("aab"), "label": list("xyy"), "x": 0.1,
                            "y": 0.1, "w": 0.2, "h": 0.2})
    catalog = Catalog(samples, classes=["y", "x"], task="detection", objects=objects)
    by_label = class_counts(catalog, unit="instances", by="label")  # the image's label
    assert by_label.table.to_dict() == {"y": {"y": 1, "x": 0}, "x": {"y": 1, "x": 1}}
    assert by_label.table.index.categories.tolist() == ["y", "x"]  # the Catalog's order
    frame = by_label.to_frame()
    assert list(frame.index.names) == ["class", "label"]
    with pytest.raises(DataError, match="Cannot count by 'sample_id'"):
        class_counts(catalog, unit="instances", by="sample_id")  # the index, not a column


def test_class_order_keeps_the_catalogs_order_among_equal_counts():
    from workbench.catalog import Catalog
    from workbench.measure import class_order

    classes = [f"c{i:02d}" for i in range(40)][::-1]  # c39 ... c00: not sorted
    labels = [c for c in classes for _ in range(2)]  # two images each: 40 ties
    samples = pd.DataFrame({"filepath": [f"{i}.png" for i in range(80)], "width": 8,
                            "height": 8, "label": labels}, index=[str(i) for i in range(80)])
    catalog = Catalog(samples.iloc[1:], classes=classes)  # c39 has one image: last
    assert class_order(catalog) == classes[1:] + ["c39"]
