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
