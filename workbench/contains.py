"""Which classes each image contains: its label, its boxes' classes, its mask's classes.

One primitive, :func:`image_class_pairs` (the distinct (image, class) pairs, linear in the
boxes), under every count of images per class, every sampling key and every split
stratum; :func:`indicator` is the same as a boolean table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from workbench.catalog import Catalog


def image_class_pairs(catalog: Catalog) -> tuple[np.ndarray, np.ndarray]:
    """(row, class code) for every distinct class an image contains (label, boxes, mask),
    sorted by row; within a row, the label's class first, then the boxes' in box order.

    The boxes' pairs are found when the Catalog is made (:attr:`Catalog.pairs`, linear
    in the boxes: :func:`workbench.counting.first_in_image`).

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    rows, codes : numpy.ndarray of int64
        Row positions in ``catalog.samples`` and class codes (positions in
        ``catalog.classes``), one pair per (image, class).
    """
    label, rows, codes = _labels_and_box_pairs(catalog)
    labelled = np.flatnonzero(label >= 0)
    rows = rows.astype(np.int64)
    if len(labelled) and len(rows):
        new = codes != label[rows]  # a box of the class the image label already gives
        rows, codes = rows[new], codes[new]
    rows = np.concatenate([labelled, rows])
    order = np.argsort(rows, kind="stable")  # two sorted runs: merged, labels first
    return rows[order], np.concatenate([label[labelled], codes]).astype(np.int64)[order]


def _image_class_codes(catalog: Catalog) -> np.ndarray:
    """The class codes of :func:`image_class_pairs`, unordered, without their rows (what
    counting images per class needs; half the work at 50M boxes)."""
    label, rows, codes = _labels_and_box_pairs(catalog)
    if (label >= 0).any() and len(rows):
        codes = codes[codes != label[rows]]
    return np.concatenate([label[label >= 0], codes]) if (label >= 0).any() else codes


def _labels_and_box_pairs(catalog: Catalog):
    """Each image's label code (-1: none), and the rows and codes of the distinct (image,
    class) pairs of its boxes or masks (found when the Catalog was made)."""
    label = np.full(len(catalog), -1, dtype=np.int64)
    if "label" in catalog.samples.columns:
        label = catalog.samples["label"].cat.codes.to_numpy().astype(np.int64)
    if catalog.task == "classification":
        return label, np.zeros(0, np.int64), np.zeros(0, np.int64)
    rows, codes = catalog.pairs
    return label, rows, codes


def indicator(catalog: Catalog) -> pd.DataFrame:
    """Which classes each image contains: a boolean sample x class table.

    An image contains a class when its image ``label`` says so or, for detection, when it
    has a box of the class, or, for segmentation, when its mask has pixels of the class.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    pandas.DataFrame of bool
        Indexed by sample id, one column per class.

    Examples
    --------
    >>> from workbench.catalog import Catalog
    >>> s = pd.DataFrame({"filepath": ["a", "b"], "width": 4, "height": 4,
    ...                   "label": ["y", "x"]}, index=["a", "b"])
    >>> o = pd.DataFrame({"sample_id": ["a", "a"], "label": ["x", "y"], "x": 0.1, "y": 0.1,
    ...                   "w": 0.2, "h": 0.2})
    >>> indicator(Catalog(s, classes=["x", "y"], task="detection", objects=o)).astype(int)
    class      x  y
    sample_id
    a          1  1
    b          1  0
    """
    rows, codes = image_class_pairs(catalog)
    matrix = np.zeros((len(catalog), len(catalog.classes)), dtype=bool)
    matrix[rows, codes] = True
    return pd.DataFrame(matrix, index=catalog.samples.index,
                        columns=pd.Index(catalog.classes, name="class"))
