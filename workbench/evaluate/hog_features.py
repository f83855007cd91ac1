"""The baseline probe's image features: HOG and colour histograms, cached on disk.

:func:`probe_features` describes each image by HOG of its grey image (at 32 x 32, and
pooled over positions at a larger size), grey-level percentiles and colour histograms;
:func:`cached_probe_features` stores them by the data's fingerprint, so the probe, the
active-learning simulation and the small-class model read the images once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image

from workbench.catalog import Catalog
from workbench.evaluate.caching import catalog_fingerprint, write_file_atomically


def probe_features(catalog: Catalog, *, size: int = 128) -> np.ndarray:
    """Per image: HOG (9 orientations, 8-pixel cells, 2x2 blocks) of the grey image
    resized to 32 x 32 (where the shapes are: digits, objects) and, resized to ``size`` x
    ``size``, pooled over positions (mean, max and std of each block feature: a small
    defect counts wherever it lies); grey-level percentiles; an 8-bin histogram per
    colour channel.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    size : int
        Side in pixels the images are resized to for the pooled HOG.

    Returns
    -------
    numpy.ndarray of float32
        One row per image.
    """
    from skimage.feature import hog

    from workbench.sources.files import read_image

    def features(path) -> np.ndarray:
        rgb = Image.fromarray(read_image(path)).resize((size, size), Image.Resampling.BILINEAR)
        grey = np.asarray(rgb.convert("L"), dtype=np.float32) / 255
        blocks = hog(grey, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2),
                     feature_vector=False).reshape(-1, 36)
        small = np.asarray(rgb.convert("L").resize((32, 32), Image.Resampling.BILINEAR),
                           dtype=np.float32) / 255
        shape = np.concatenate([blocks.mean(axis=0), blocks.max(axis=0), blocks.std(axis=0),
                                hog(small, orientations=9, pixels_per_cell=(8, 8),
                                    cells_per_block=(2, 2))])
        levels = np.percentile(grey, [1, 5, 25, 50, 75, 95, 99])
        colour = np.asarray(rgb).reshape(-1, 3) // 32  # 8 bins a channel
        hist = (colour[:, :, None] == np.arange(8)).mean(axis=0).ravel()
        return np.concatenate([shape, levels, hist]).astype(np.float32)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return np.stack(list(pool.map(features, catalog.samples["filepath"])))


def cached_probe_features(catalog: Catalog, *, cache: bool = True) -> np.ndarray:
    """:func:`probe_features`, stored under ``data_home()/features`` by the data's
    fingerprint (regenerated or edited files miss it): the probe, the active-learning
    simulation and the small-class model read the images once.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    cache : bool
        Read and write the stored features.

    Returns
    -------
    numpy.ndarray of float32
        One row per image.
    """
    from workbench.demo import data_home

    path = (data_home() / "features"
            / f"probe-n{len(catalog)}-{catalog_fingerprint(catalog)[:24]}.npy")
    if cache and path.is_file():
        return np.load(path)
    features = probe_features(catalog)
    if cache:
        write_file_atomically(path, lambda f: np.save(f, features))
    return features
