import numpy as np
import pandas as pd
import pytest

from workbench import counting
from workbench.catalog import Catalog, indicator
from workbench.measure import class_counts, image_class_pairs


@pytest.mark.parametrize("scratch", [7, 64, 1 << 20])  # batches of 1, 9 and all images
def test_one_box_per_image_and_class_against_np_unique(monkeypatch, scratch):
    monkeypatch.setattr(counting, "SCRATCH", scratch)
    rng = np.random.default_rng(0)
    rows = np.sort(rng.integers(3, 60, 900))  # images 0-2 have no box
    codes = rng.integers(0, 7, 900).astype(np.int16)
    keep = counting.first_in_image(rows, codes, 7)
    pairs = rows[keep] * 7 + codes[keep]
    assert len(pairs) == len(np.unique(pairs)) == len(np.unique(rows * 7 + codes))
    # the survivor is the first box of its pair
    first = pd.DataFrame({"r": rows, "c": codes}).drop_duplicates().index.to_numpy()
    assert np.flatnonzero(keep).tolist() == first.tolist()


def test_chunked_bincount_equals_numpy(monkeypatch):
    monkeypatch.setattr(counting, "CHUNK", 10)
    codes = np.random.default_rng(1).integers(0, 5, 95).astype(np.int8)
    weights = np.arange(95.0)
    assert counting.bincount(codes, 6).tolist() == np.bincount(codes, minlength=6).tolist()
    np.testing.assert_allclose(counting.bincount(codes, 6, weights),
                               np.bincount(codes, weights, minlength=6))


def _catalog():
    samples = pd.DataFrame({"filepath": list("abcd"), "width": 10, "height": 10,
                            "label": ["x", None, "y", "y"]}, index=list("abcd"))
    boxes = [("c", "y"), ("a", "y"), ("a", "x"), ("c", "y"), ("a", "y"), ("b", "y"),
             ("c", "z")]  # in no image order; a's label x is also a box of a
    objects = pd.DataFrame({"sample_id": [s for s, _ in boxes], "label": [c for _, c in boxes],
                            "x": np.arange(7) / 10, "y": 0.0, "w": 0.05, "h": 0.1})
    return Catalog(samples, classes=["x", "y", "z"], task="detection", objects=objects)


def test_boxes_are_kept_by_image_in_the_files_order_within_each():
    objects = _catalog().objects
    assert objects["sample_id"].astype(str).tolist() == list("aaabccc")
    # within an image, the given order: a's boxes were the 2nd, 3rd and 5th given
    assert objects["x"].tolist() == pytest.approx([0.1, 0.2, 0.4, 0.5, 0.0, 0.3, 0.6])


def test_image_counts_and_pairs_from_labels_and_boxes():
    catalog = _catalog()
    rows, codes = image_class_pairs(catalog)
    # a: label x first, then box classes y (x again is dropped); b: y; c: label y, box z
    assert list(zip(rows.tolist(), codes.tolist(), strict=True)) == [
        (0, 0), (0, 1), (1, 1), (2, 1), (2, 2), (3, 1)]
    images = class_counts(catalog, unit="images").total
    assert images.tolist() == indicator(catalog).sum().tolist() == [1, 4, 1]
    assert class_counts(catalog, unit="instances").total.tolist() == [1, 5, 1]


def test_two_boxes_of_one_class_in_one_image_keep_only_the_first():
    # two boxes in all: the smallest input that has a repeated (image, class) pair
    assert counting.first_in_image(np.array([4, 4]), np.array([1, 1]), 3).tolist() == [
        True, False]
    assert counting.first_in_image(np.array([4, 4]), np.array([1, 2]), 3).tolist() == [
        True, True]


@pytest.mark.parametrize("chunk", [1 << 18, 10])  # one call, and 10 codes per call
def test_bincount_keeps_weights_and_counts_in_int64_either_way(monkeypatch, chunk):
    monkeypatch.setattr(counting, "CHUNK", chunk)
    codes = np.array([3, 0, 3, 1] * 6, dtype=np.int8)  # 24 codes: chunked when CHUNK is 10
    counts = counting.bincount(codes, 5)
    assert counts.dtype == np.int64 and counts.tolist() == [6, 6, 0, 12, 0]
    weighted = counting.bincount(codes, 5, np.full(24, 0.5))
    assert weighted.dtype == np.float64 and weighted.tolist() == [3.0, 3.0, 0.0, 6.0, 0.0]


def test_an_image_labelled_with_the_first_class_and_boxed_with_it_counts_once():
    # class code 0 is a label like any other: "x" is the first class
    samples = pd.DataFrame({"filepath": list("ab"), "width": 10, "height": 10,
                            "label": ["x", None]}, index=list("ab"))
    objects = pd.DataFrame({"sample_id": ["a", "b"], "label": ["x", "y"], "x": 0.1, "y": 0.1,
                            "w": 0.2, "h": 0.2})
    catalog = Catalog(samples, classes=["x", "y"], task="detection", objects=objects)
    assert class_counts(catalog, unit="images").total.tolist() == [1, 1]
    rows, codes = image_class_pairs(catalog)
    assert (rows.tolist(), codes.tolist()) == ([0, 1], [0, 1])


def test_labels_come_before_boxes_within_each_image_of_a_large_catalog():
    # 600 pairs with ties on every row: an unstable sort would mix labels and boxes
    n = 300
    samples = pd.DataFrame({"filepath": [f"{i}.png" for i in range(n)], "width": 10,
                            "height": 10, "label": "x"}, index=[f"i{i}" for i in range(n)])
    objects = pd.DataFrame({"sample_id": samples.index[::-1], "label": "y", "x": 0.1,
                            "y": 0.1, "w": 0.2, "h": 0.2})
    catalog = Catalog(samples, classes=["x", "y"], task="detection", objects=objects)
    rows, codes = image_class_pairs(catalog)
    assert rows.tolist() == np.repeat(np.arange(n), 2).tolist()
    assert codes.tolist() == [0, 1] * n


def test_a_classification_catalog_pairs_each_labelled_image_with_its_label():
    samples = pd.DataFrame({"filepath": list("abc"), "width": 10, "height": 10,
                            "label": ["y", None, "x"]}, index=list("abc"))
    catalog = Catalog(samples, classes=["x", "y"], task="classification")
    rows, codes = image_class_pairs(catalog)
    assert (rows.tolist(), codes.tolist()) == ([0, 2], [1, 0])
