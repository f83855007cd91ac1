"""An image folder with one sub-folder per class (torchvision's ImageFolder layout)."""

from __future__ import annotations

import warnings

import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning, some
from workbench.sources.files import IMAGE_SUFFIXES, existing_path, find_images, image_sizes


def read_image_folder(root) -> Catalog:
    """Read ``root/<class>/<image>``: classes are the sub-folder names, sorted.

    Images in nested folders below a class folder belong to that class. Images directly
    in ``root`` have no class and are left out with a warning; images that cannot be
    decoded are left out with a warning that lists them.
    """
    root = existing_path(root, what="image folder")
    if not root.is_dir():
        raise DataError(f"{str(root)!r} is a file; folder:PATH needs a folder of class folders.")
    loose = [p for p in root.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    if loose:
        warnings.warn(
            f"{len(loose)} images lie directly in {str(root)!r} with no class folder and were "
            f"left out: {some(p.name for p in loose)}. Move them into a folder named after "
            "their class.", DataWarning, stacklevel=3,
        )
    paths, labels = [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        found = find_images(folder)
        paths += found
        labels += [folder.name] * len(found)
    if not paths:
        raise DataError(
            f"Found no images in class folders under {str(root)!r}. Expected "
            f"{str(root)}/<class>/<image>.png (one folder per class)."
        )
    widths, heights, _ = image_sizes(paths)
    keep = widths > 0
    samples = pd.DataFrame({
        "filepath": [str(p) for p in paths], "width": widths, "height": heights,
        "label": labels,
    }, index=pd.Index([str(p.relative_to(root).with_suffix("")) for p in paths],
                      name="sample_id"))[keep]
    classes = sorted(set(samples["label"]))
    return Catalog(samples, classes=classes, task="classification", source=str(root))
