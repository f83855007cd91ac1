"""Per-class counts on synthetic detection Catalogs (Zipf classes, about 5 boxes an image).

- Instances, 1M images / 5M boxes / 80 classes, against bare ``np.bincount`` of the same
  class codes already widened to int64 (the peer's widening is not timed): at most 2x.
  ``class_counts`` builds a labelled table and leaves crowd boxes out on top of counting.
- Images containing each class, against our own instance counts on the same Catalog, at
  1M / 5M / 600 and 10M / 50M / 600: at most 5x at every size, i.e. linear in the boxes
  (it was 108 s against 1.1 s at 10M: np.unique of 50M keys). The distinct (image, class)
  pairs are found once when the Catalog is made; the note says what that costs.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import detection_catalog
from table import Row, best_of, render

from workbench.measure import class_counts, image_class_pairs


def instance_row(catalog) -> Row:
    codes = catalog.objects["label"].cat.codes.to_numpy().astype(np.int64)
    n = len(catalog.classes)
    t_peer, expected = best_of(lambda: np.bincount(codes, minlength=n), 5)
    t_ours, counts = best_of(lambda: class_counts(catalog, unit="instances"), 5)
    assert counts.total.tolist() == expected.tolist()
    return Row(f"instance counts, {_size(catalog)}", t_ours, "np.bincount", t_peer,
               ("slower", 2.0))


def image_row(catalog, *, check: bool) -> Row:
    t_peer, _ = best_of(lambda: class_counts(catalog, unit="instances"), 3)
    t_ours, counts = best_of(lambda: class_counts(catalog, unit="images"), 3)
    if check:  # np.unique of the (image, class) keys: the reference (slow at 50M)
        rows, codes = image_class_pairs(catalog)
        objects = catalog.objects
        keys = (objects["sample_id"].cat.codes.to_numpy().astype(np.int64) * len(
            catalog.classes) + objects["label"].cat.codes.to_numpy())
        reference = np.bincount(np.unique(keys) % len(catalog.classes),
                                minlength=len(catalog.classes))
        assert counts.total.tolist() == reference.tolist() and len(rows) == reference.sum()
    from workbench.catalog import _distinct_pairs

    t_pairs, _ = best_of(lambda: _distinct_pairs(catalog.objects, len(catalog.classes)), 1)
    return Row(f"image counts, {_size(catalog)}", t_ours, "our instance counts", t_peer,
               ("slower", 5.0), note=f"the pairs they count are found when the Catalog is "
               f"made: {t_pairs:.2f} s of its build (first_in_image, linear in the boxes)")


def _size(catalog) -> str:
    return (f"{len(catalog) / 1e6:g}M images / {len(catalog.objects) / 1e6:g}M boxes / "
            f"{len(catalog.classes)} classes")


def rows(large=None) -> list[Row]:
    """``large``: the 10M-image Catalog, when the caller built it already."""
    out = [instance_row(detection_catalog(1_000_000, 5_000_000, 80))]
    out.append(image_row(detection_catalog(1_000_000, 5_000_000, 600), check=True))
    large = large if large is not None else detection_catalog(10_000_000, 50_000_000, 600)
    out.append(image_row(large, check=False))
    return out


if __name__ == "__main__":
    print(render(rows()))
