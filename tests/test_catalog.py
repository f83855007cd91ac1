import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog, indicator
from workbench.errors import DataError


def samples(**extra):
    base = {"filepath": ["a.png", "b.png", "c.png"], "width": 10, "height": 10}
    return pd.DataFrame({**base, **extra}, index=["a", "b", "c"])


def test_labels_become_categoricals_over_classes_in_order():
    cat = Catalog(samples(label=["y", "x", "y"]), classes=["y", "x"])
    assert list(cat.samples["label"].cat.categories) == ["y", "x"]
    assert cat.samples["label"].cat.codes.tolist() == [0, 1, 0]
    assert cat.samples.index.name == "sample_id"


@pytest.mark.parametrize("change, message", [
    (dict(classes=["x"]), r"1 images have labels that are not classes: 'y'"),
    (dict(classes=["x", "x", "y"]), r"unique; 'x' appear"),
    (dict(classes=[]), r"no classes"),
    (dict(task="boxes"), r"The 'task' parameter of Catalog must be one of"),
    (dict(conditions=["site"]), r"Condition columns 'site' are not columns"),
])
def test_bad_catalogs_say_what_was_found(change, message):
    kwargs = dict(samples=samples(label=["x", "y", "x"]), classes=["x", "y"]) | change
    with pytest.raises((DataError, ValueError), match=message):
        Catalog(**kwargs)


def test_duplicate_ids_and_bad_sizes_are_reported():
    dup = samples(label=["x"] * 3)
    dup.index = ["a", "a", "b"]
    with pytest.raises(DataError, match=r"1 appear more than once: 'a'"):
        Catalog(dup, classes=["x"])
    with pytest.raises(DataError, match=r"non-positive width: 'b'"):
        Catalog(samples(label=["x"] * 3, width=[10, 0, 5]), classes=["x"])


@pytest.mark.parametrize("box, message", [
    ((0.5, 0.5, 0.6, 0.1), "outside the image"),
    ((0.1, 0.1, 0.0, 0.1), "non-positive width or height"),
    ((-0.1, 0.1, 0.2, 0.1), "outside the image"),
])
def test_boxes_must_lie_in_the_image(box, message):
    objects = pd.DataFrame([("a", "x", *box)], columns=["sample_id", "label", "x", "y", "w", "h"])
    with pytest.raises(DataError, match=message):
        Catalog(samples(), classes=["x"], task="detection", objects=objects)


def test_boxes_of_unknown_images_are_reported():
    objects = pd.DataFrame([("zz", "x", 0.1, 0.1, 0.1, 0.1)],
                           columns=["sample_id", "label", "x", "y", "w", "h"])
    with pytest.raises(DataError, match=r"not in samples: 'zz'"):
        Catalog(samples(), classes=["x"], task="detection", objects=objects)


def test_catalog_is_frozen_and_replace_returns_a_new_checked_value(small_detection):
    with pytest.raises(AttributeError):
        small_detection.task = "classification"
    relabelled = small_detection.replace(classes=["cat", "dog", "bird"])
    assert relabelled.classes == ("cat", "dog", "bird")
    assert small_detection.classes == ("cat", "dog")


def test_subset_keeps_boxes_of_kept_images(small_detection):
    sub = small_detection.subset(["b", "c"])
    assert list(sub.samples.index) == ["b", "c"]
    assert sub.objects["label"].tolist() == ["cat", "dog"]
    assert small_detection.split_subset("val").samples.index.tolist() == ["c"]


def test_equals_ignores_row_order(small_detection):
    shuffled = small_detection.replace(samples=small_detection.samples.iloc[::-1],
                                       objects=small_detection.objects.iloc[::-1])
    assert small_detection.equals(shuffled)
    assert not small_detection.equals(small_detection.subset(["a"]))


def test_indicator_by_task(small_detection):
    table = indicator(small_detection)
    assert table.astype(int).to_dict("list") == {"cat": [1, 1, 0], "dog": [0, 1, 0]}
    cls = Catalog(samples(label=["x", None, "y"]), classes=["x", "y"])
    assert indicator(cls).astype(int).to_dict("list") == {"x": [1, 0, 0], "y": [0, 0, 1]}


@pytest.mark.parametrize("labels, expected", [
    ([0, 1, 0], ["0", "1", "0"]),
    ([0.0, np.nan, 1.0], ["0", None, "1"]),  # integers read from a CSV with a gap
    (["0", "1", None], ["0", "1", None]),
])
def test_numeric_labels_match_string_classes(labels, expected):
    label = Catalog(samples(label=labels), classes=["0", "1"]).samples["label"]
    assert [None if pd.isna(v) else v for v in label] == expected


def test_default_mask_values_step_over_the_ignore_index_past_255_classes():
    """An LVIS-sized detection Catalog (1,203 classes) used to fail: class 255's default
    mask value was the ignore index."""
    classes = [f"c{i}" for i in range(300)]
    samples = pd.DataFrame({"filepath": ["a.jpg"], "width": 4, "height": 4}, index=["a"])
    catalog = Catalog(samples, classes=classes, task="detection")
    values = list(catalog.mask_values)
    assert values[:255] == list(range(255)) and values[255] == 256 and values[-1] == 300
    assert 255 not in values
    assert Catalog(samples, classes=classes, task="detection",
                   ignore_index=None).mask_values[255] == 255


def test_the_indicator_names_its_axes(small_detection):
    from workbench.catalog import indicator

    table = indicator(small_detection)
    assert table.columns.name == "class" and table.columns.tolist() == ["cat", "dog"]
    assert table.index.tolist() == ["a", "b", "c"]
    assert table.to_numpy().tolist() == [[True, False], [True, True], [False, False]]
