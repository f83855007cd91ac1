"""Predicted masks: a folder of class-index PNGs (or TIFF, BMP) named like the images.

``masks-pred:DIR`` is matched to the images by file name; the values must be the
dataset's mask values, which segmentation evaluation checks pixel by pixel.
"""

from __future__ import annotations

import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.reader_parts import _existing, _images_named_like


def read_mask_predictions(folder, catalog: Catalog) -> Predictions:
    """Predicted class-index PNGs, matched to the images by file name. Their values must
    be the dataset's mask values (checked when they are evaluated, pixel by pixel).

    Parameters
    ----------
    folder : str or Path
        One mask per image.
    catalog : Catalog
        The dataset.

    Returns
    -------
    Predictions
        The mask files, by sample id.
    """
    folder = _existing(folder, "predicted masks folder")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".png", ".tif",
                                                                         ".tiff", ".bmp"))
    if not files:
        raise DataError(f"{str(folder)!r} holds no PNG (or TIFF, BMP) masks. Write one "
                        "class-index PNG per image, named like the image.")
    ids = _images_named_like(files, catalog, what="predicted masks",
                             fix="Name each mask like its image, or remove them.")
    masks = pd.Series([str(f) for f in files], index=pd.Index(ids,
                                                               name="sample_id"), name="mask")
    return Predictions(classes=tuple(catalog.classes), masks=masks,
                       source=f"your model ({folder.name})")
