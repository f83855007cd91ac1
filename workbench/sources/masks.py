"""Segmentation: class-index mask PNGs beside the images."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning, some
from workbench.sources.files import existing_path, find_images, image_sizes, pixels_from_masks


def read_masks(images_dir, masks_dir, *, classes=None, ignore_index: int | None = 255) -> Catalog:
    """Read images and their class-index masks (mask pixel value = class index).

    A mask belongs to the image with the same relative path and stem
    (``images/a/x.jpg`` <-> ``masks/a/x.png``). ``classes`` names the indices in order;
    without it ``masks_dir/classes.txt`` (one name a line) is used, else the indices
    themselves ('0', '1', ...). ``ignore_index`` pixels (255 by default) are not counted.
    """
    images_dir = existing_path(images_dir, what="images folder")
    masks_dir = existing_path(masks_dir, what="masks folder")
    images = find_images(images_dir)
    if not images:
        raise DataError(f"Found no images under {str(images_dir)!r}.")
    masks = {p.relative_to(masks_dir).with_suffix(""): p for p in find_images(masks_dir)}
    keys = [p.relative_to(images_dir).with_suffix("") for p in images]
    unmatched = [str(k) for k in keys if k not in masks]
    if unmatched:
        warnings.warn(
            f"{len(unmatched)} images have no mask in {str(masks_dir)!r} and count no pixels: "
            f"{some(unmatched)}.", DataWarning, stacklevel=2,
        )
    orphans = sorted(set(masks) - set(keys))
    if orphans:
        warnings.warn(
            f"{len(orphans)} masks have no image in {str(images_dir)!r} and were left out: "
            f"{some(map(str, orphans))}.", DataWarning, stacklevel=2,
        )
    classes = _class_names(classes, masks_dir, [masks[k] for k in keys if k in masks],
                           ignore_index)
    widths, heights, _ = image_sizes(images)
    samples = pd.DataFrame({
        "filepath": [str(p) for p in images], "width": widths, "height": heights,
        "mask_path": [str(masks[k]) if k in masks else None for k in keys],
    }, index=pd.Index([str(k) for k in keys], name="sample_id"))[widths > 0]
    pixels = pixels_from_masks(samples, classes, ignore_index=ignore_index)
    return Catalog(samples, classes=classes, task="segmentation", pixels=pixels,
                   source=str(Path(images_dir).parent))


def _class_names(classes, masks_dir: Path, mask_paths, ignore_index) -> tuple[str, ...]:
    if classes is not None:
        return tuple(str(c) for c in classes)
    listed = masks_dir / "classes.txt"
    if listed.is_file():
        return tuple(ln.strip() for ln in listed.read_text().splitlines() if ln.strip())
    import numpy as np

    from workbench.sources.files import read_mask

    def top_value(path):
        mask = read_mask(path)
        return int(np.max(mask[mask != ignore_index], initial=0))

    top = max(map(top_value, mask_paths), default=0)
    warnings.warn(
        f"No class names given and no classes.txt in {str(masks_dir)!r}: classes are named "
        f"by index '0'..'{top}'. Pass classes=[...] or write classes.txt.",
        DataWarning, stacklevel=3,
    )
    return tuple(str(i) for i in range(top + 1))
