"""Merging sparse classes into a parent and splitting back; the small-class model."""

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.collect.hierarchy import BUCKET, merge_sparse, read_hierarchy, split_back
from workbench.errors import Lacks


def _detection():
    samples = pd.DataFrame({"filepath": list("abcd"), "width": 10, "height": 20},
                           index=list("abcd"))
    labels = ["car"] * 5 + ["bus", "bus", "tram", "van"]
    objects = pd.DataFrame({"sample_id": list("aaabbcdd") + ["d"], "label": labels,
                            "x": np.linspace(0, 0.5, 9), "y": 0.1, "w": 0.1, "h": 0.3})
    return Catalog(samples, classes=["car", "bus", "tram", "van"], task="detection",
                   objects=objects)


def test_sparse_classes_go_to_their_parent_or_the_bucket():
    merged = merge_sparse(_detection(), min_count=2, hierarchy={"tram": "rail"})
    assert merged.mapping == {"tram": "rail", "van": BUCKET}  # bus has 2: kept
    assert merged.catalog.classes == ("car", "bus", "rail", BUCKET)
    assert merged.after.to_dict() == {"car": 5, "bus": 2, "rail": 1, BUCKET: 1}
    assert merged.before.sum() == merged.after.sum() == 9
    frame = merged.to_frame()
    assert frame.loc["van", "now_in"] == BUCKET and frame.loc["car", "count_after"] == 5
    # the boxes keep their places; only their labels change
    assert merged.catalog.objects[["x", "w"]].equals(_detection().objects[["x", "w"]])


def test_a_parent_that_is_a_class_absorbs_its_children():
    merged = merge_sparse(_detection(), min_count=3, hierarchy={"bus": "car", "tram": "car"})
    assert merged.after.to_dict() == {"car": 8, BUCKET: 1}


def test_split_back_round_trips_and_keeps_a_later_split():
    original = _detection()
    merged = merge_sparse(original, min_count=2)
    assert split_back(merged).equals(original)
    later = merged.catalog.replace(samples=merged.catalog.samples.assign(
        split=["train", "train", "val", "test"]))
    back = split_back(merged, later.subset(["a", "c", "d"]))
    assert back.samples["split"].tolist() == ["train", "val", "test"]
    assert sorted(back.objects["label"].astype(str)) == ["bus", "bus", "car", "car", "car", "tram",
                                                         "van"]
    assert back.classes == original.classes


def test_masks_and_labels_round_trip():
    samples = pd.DataFrame({"filepath": list("ab"), "width": 4, "height": 4,
                            "mask_path": ["ma.png", "mb.png"], "label": ["road", "cone"]},
                           index=list("ab"))
    pixels = pd.DataFrame({"sample_id": ["a", "a", "b", "b"],
                           "label": ["road", "cone", "road", "kerb"], "count": [10, 3, 12, 4]})
    catalog = Catalog(samples, classes=["road", "cone", "kerb"], task="segmentation",
                      pixels=pixels, background="road", mask_values=(0, 5, 9))
    merged = merge_sparse(catalog, min_count=5, unit="pixels", hierarchy={"cone": "kerb"})
    # kerb (4 pixels) is sparse too: it goes to the bucket, and cone follows its parent
    assert merged.mapping == {"cone": BUCKET, "kerb": BUCKET}
    assert merged.notes and "mask_path" not in merged.catalog.samples.columns
    assert split_back(merged).equals(catalog)
    both = merge_sparse(catalog, min_count=5, unit="pixels")
    assert both.after.to_dict() == {"road": 22, BUCKET: 7}  # the background stays itself


def test_a_merge_into_the_background_is_refused():
    catalog = Catalog(pd.DataFrame({"filepath": list("ab"), "width": 4, "height": 4,
                                    "label": ["bg", "x"]}, index=list("ab")),
                      classes=["bg", "x"], background="bg")
    from workbench.errors import DataError

    with pytest.raises(DataError, match="background"):
        merge_sparse(catalog, min_count=2, hierarchy={"x": "bg"})


def test_hierarchy_from_yaml(tmp_path):
    path = tmp_path / "tree.yaml"
    path.write_text("vehicle: [car, bus]\ntram: rail\n")
    assert read_hierarchy(path) == {"car": "vehicle", "bus": "vehicle", "tram": "rail"}
    with pytest.raises(FileNotFoundError, match="YAML"):
        read_hierarchy(tmp_path / "none.yaml")


def test_small_class_model_needs_image_labels():
    from workbench.collect.small_model import small_class_model

    with pytest.raises(Lacks, match="image labels"):
        small_class_model(_detection(), min_count=2)


def test_small_class_model_against_a_flat_model_on_separable_features():
    from workbench.collect.small_model import small_class_model

    rng = np.random.default_rng(0)
    sizes = {"big": 60, "s1": 10, "s2": 10}
    labels = np.repeat(list(sizes), list(sizes.values()))
    centres = {"big": (0, 0), "s1": (6, 0), "s2": (6, 6)}
    X = np.array([centres[c] for c in labels]) + rng.normal(0, 0.3, (len(labels), 2))
    ids = [f"i{k}" for k in range(len(labels))]
    samples = pd.DataFrame({"filepath": ids, "width": 4, "height": 4, "label": labels},
                           index=ids)
    catalog = Catalog(samples, classes=list(sizes))
    result = small_class_model(catalog, min_count=20, seeds=(0, 1), features=X, n_boot=50)
    assert result.small_classes == ("s1", "s2") and result.rarest == "s1"
    # well-separated classes: both models are perfect, and the table says so exactly
    assert result.runs["macro_f1"].tolist() == [1.0] * 4
    assert set(result.to_frame().index) == {"flat", "bucket + small-class model"}
    assert result.to_frame()["rarest_recall"].tolist() == [1.0, 1.0]


def test_the_merge_table_and_its_one_line_summary():
    merged = merge_sparse(_detection(), min_count=2, hierarchy={"tram": "rail"})
    frame = merged.to_frame()
    assert frame.columns.tolist() == ["count", "now_in", "count_after"]
    assert frame.index.tolist() == ["car", "bus", "tram", "van"]
    assert frame["now_in"].tolist() == ["car", "bus", "rail", BUCKET]
    assert frame["count_after"].tolist() == [5, 2, 1, 1]
    assert frame["count"].tolist() == [5, 2, 1, 1]
    assert repr(merged) == ("MergedLabels(4 classes -> 4: tram -> 'rail' (1 instances); "
                            "van -> 'small classes' (1 instances))")
    both = merge_sparse(_detection(), min_count=3)
    assert repr(both) == ("MergedLabels(4 classes -> 2: bus, tram, van -> 'small classes' "
                          "(4 instances))")
    assert repr(merge_sparse(_detection(), min_count=1)) == (
        "MergedLabels(nothing merged: every class has enough instances)")


def test_min_count_is_a_whole_number_of_at_least_one():
    assert merge_sparse(_detection(), min_count=1).mapping == {}
    with pytest.raises(ValueError, match="'min_count' parameter of merge_sparse"):
        merge_sparse(_detection(), min_count=0)
    with pytest.raises(ValueError, match="'min_count' parameter of merge_sparse"):
        merge_sparse(_detection(), min_count=2.5)


def test_a_cycle_in_the_hierarchy_ends_on_one_of_its_classes():
    # van -> bus -> tram -> bus: a cycle that van only leads into
    merged = merge_sparse(_detection(), min_count=3,
                          hierarchy={"van": "bus", "bus": "tram", "tram": "bus"})
    assert set(merged.mapping) == {"van", "bus", "tram"}
    assert set(merged.mapping.values()) <= {"bus", "tram"}
    assert merged.after.sum() == 9


def test_a_merge_into_the_background_names_the_classes_merged_there():
    samples = pd.DataFrame({"filepath": list("abcd"), "width": 4, "height": 4,
                            "label": ["bg", "x", "y", "z"]}, index=list("abcd"))
    catalog = Catalog(samples, classes=["bg", "x", "y", "z"], background="bg")
    from workbench.errors import DataError

    with pytest.raises(DataError, match=r"merges 'x' into the background class 'bg'"):
        merge_sparse(catalog, min_count=2, hierarchy={"x": "bg", "y": "w"})
    merged = merge_sparse(catalog, min_count=2, hierarchy={"y": "w"})
    assert merged.catalog.samples["label"].tolist() == ["bg", BUCKET, "w", BUCKET]


def test_merged_pixel_counts_add_up_per_image_and_class():
    samples = pd.DataFrame({"filepath": list("ab"), "width": 4, "height": 4},
                           index=list("ab"))
    pixels = pd.DataFrame({"sample_id": ["a", "a", "a", "b"],
                           "label": ["road", "cone", "kerb", "road"], "count": [10, 3, 2, 16]})
    catalog = Catalog(samples, classes=["road", "cone", "kerb"], task="segmentation",
                      pixels=pixels)
    merged = merge_sparse(catalog, min_count=5, unit="pixels")
    table = merged.catalog.pixels
    assert table.columns.tolist() == ["sample_id", "label", "count"]
    rows = sorted(zip(table["sample_id"], table["label"].astype(str), table["count"],
                      strict=True))
    assert rows == [("a", "road", 10), ("a", BUCKET, 5), ("b", "road", 16)]
    assert merged.notes == ()  # no mask paths to drop
