"""Small image features for quick baselines: grey thumbnails, one image read each."""

from __future__ import annotations

import numpy as np

from workbench.catalog import Catalog


def thumbnail_features(catalog: Catalog, *, size: int = 16) -> np.ndarray:
    """Grey ``size`` x ``size`` thumbnails, flattened and scaled to [0, 1]: small features
    for quick baselines (one image read each).

    Parameters
    ----------
    catalog : Catalog
        Any task.
    size : int
        Thumbnail side, in pixels.

    Returns
    -------
    numpy.ndarray of float32
        (n_images, size * size).
    """
    from PIL import Image

    out = np.empty((len(catalog), size * size), dtype=np.float32)
    for i, path in enumerate(catalog.samples["filepath"]):
        with Image.open(path) as im:
            out[i] = np.asarray(im.convert("L").resize((size, size)), np.float32).ravel() / 255
    return out
