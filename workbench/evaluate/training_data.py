"""What a model trains on: the train split's images, and every image and mask as arrays.

:func:`train_ids_of` gives the train split's sample ids, or the error that says how to get
one; :func:`read_arrays` reads all images into one uint8 array and their masks into class
codes (resized to the first image's size, files read by a thread pool).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from PIL import Image

from workbench.catalog import Catalog
from workbench.errors import Lacks


def train_ids_of(catalog: Catalog) -> pd.Index:
    """The images of the train split, or the error that says how to get one.

    Parameters
    ----------
    catalog : Catalog
        With a ``split`` column.

    Returns
    -------
    pandas.Index
        Sample ids.
    """
    if "split" not in catalog.samples.columns or not (catalog.samples["split"] == "train").any():
        raise Lacks("Training needs a 'train' split, and this dataset has none. Split it "
                    "first: catalog = workbench.split.chosen_split(catalog).")
    return catalog.samples.index[(catalog.samples["split"] == "train").to_numpy()]


def read_arrays(catalog: Catalog, *, masks: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """All images as one (N, H, W, 3) uint8 array, and their masks as class codes (N, H, W),
    -1 for ignored pixels and images without a mask. Images of another size than the
    first are resized to it (masks by nearest neighbour). Files are read by a thread pool.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    masks : bool
        Read the masks too.

    Returns
    -------
    images : numpy.ndarray of uint8
        (N, H, W, 3).
    codes : numpy.ndarray of int8 or None
        (N, H, W) class codes, or None without ``masks``.
    """
    from workbench.mask_values import mask_class_codes
    from workbench.sources.files import read_image
    from workbench.sources.pixels import read_mask

    first = catalog.samples.iloc[0]
    size = (int(first["width"]), int(first["height"]))

    def image(path) -> np.ndarray:
        pixels = read_image(path)
        if pixels.shape[1::-1] == size:
            return pixels
        return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR))

    def codes(path) -> np.ndarray:
        if not isinstance(path, str):
            return np.full(size[::-1], -1, dtype=np.int8)
        mask = read_mask(path)
        if mask.shape[::-1] != size:
            mask = np.asarray(Image.fromarray(mask.astype(np.int32)).resize(
                size, Image.Resampling.NEAREST))
        return mask_class_codes(mask, catalog.mask_values, catalog.ignore_index).astype(np.int8)

    with ThreadPoolExecutor(max_workers=4) as pool:
        images = np.stack(list(pool.map(image, catalog.samples["filepath"])))
        if not masks:
            return images, None
        return images, np.stack(list(pool.map(codes, catalog.samples["mask_path"])))
