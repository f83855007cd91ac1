"""Label properties: each box's COCO size class, and per image its number of objects and
the area of its smallest one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.catalog_schema import rows_of

COCO_AREAS = (32 ** 2, 96 ** 2)    # pycocotools' area ranges: small < 32^2 <= medium < 96^2
# (pycocotools' own ranges are closed, so an area of exactly 32^2 is small and medium there)
SIZES = ("small", "medium", "large")


def object_sizes(catalog: Catalog) -> pd.Series:
    """Each box's COCO area class from its area in pixels: small (< 32x32), medium
    (< 96x96), large.

    Parameters
    ----------
    catalog : Catalog
        With boxes.

    Returns
    -------
    pandas.Series (categorical)
        One size class per box, named "size".

    Examples
    --------
    >>> s = pd.DataFrame({"filepath": ["a"], "width": 100, "height": 100}, index=["a"])
    >>> o = pd.DataFrame({"sample_id": "a", "label": "x", "x": 0.0, "y": 0.0,
    ...                   "w": [0.31, 0.32, 0.97], "h": [0.31, 0.32, 0.97]})
    >>> object_sizes(Catalog(s, classes=["x"], task="detection", objects=o)).tolist()
    ['small', 'medium', 'large']
    """
    objects = catalog.objects
    rows = rows_of(objects)
    width = catalog.samples["width"].to_numpy(float)[rows]
    height = catalog.samples["height"].to_numpy(float)[rows]
    area = objects["w"].to_numpy(float) * width * objects["h"].to_numpy(float) * height
    codes = np.searchsorted(np.asarray(COCO_AREAS, float), area, side="right")
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(SIZES)),
                     index=objects.index, name="size")


def label_properties(catalog: Catalog) -> pd.DataFrame:
    """Per image: number of ``objects`` and the pixel area of the ``smallest_object``.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    pandas.DataFrame
        Indexed by sample id: objects (boxes), smallest_object (pixels; NaN without boxes).
    """
    n = len(catalog)
    counts = np.zeros(n, dtype=np.int64)
    smallest = np.full(n, np.nan)
    if len(catalog.objects):
        rows = rows_of(catalog.objects)
        counts = np.bincount(rows, minlength=n)
        width = catalog.samples["width"].to_numpy(float)[rows]
        height = catalog.samples["height"].to_numpy(float)[rows]
        area = (catalog.objects["w"].to_numpy(float) * width
                * catalog.objects["h"].to_numpy(float) * height)
        smallest = np.full(n, np.inf)
        np.minimum.at(smallest, rows, area)
        smallest[np.isinf(smallest)] = np.nan
    return pd.DataFrame({"objects": counts, "smallest_object": smallest},
                        index=catalog.samples.index)
