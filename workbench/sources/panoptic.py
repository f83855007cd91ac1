"""COCO panoptic JSON: per-class instances (things) and pixels (things and stuff).

A panoptic file lists, per image, the segments of its PNG (``segments_info``: ``id``,
``category_id``, ``area`` in pixels, ``bbox``, ``iscrowd``), and categories flagged
``isthing``. Pixel counts come from the segments' areas, so no PNG is decoded; boxes of
"thing" segments become objects. The PNGs store segment ids, not class ids, so the
Catalog has no class-index masks (tiles and mask augmentation need those).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, some
from workbench.sources.boxes import check_boxes, check_declared_sizes
from workbench.sources.coco import categories, images_table, match_ids, read_json, sample_ids
from workbench.sources.coco_objects import PIXEL_TOLERANCE
from workbench.sources.files import existing_path
from workbench.sources.pixels import pixels_table
from workbench.sources.problems import ItemNames, Problems


def read_panoptic(path, images_dir=None, *, data: dict | None = None,
                  check_files: bool = True) -> Catalog:
    """Read a COCO panoptic JSON into a segmentation Catalog (pixels and thing boxes).

    Parameters
    ----------
    path : str or Path
        The panoptic JSON.
    images_dir : str or Path, optional
        Where ``file_name`` is relative to; default the JSON's folder.
    data : dict, optional
        The parsed JSON, when already read.
    check_files : bool
        Compare each image's header with its declared size.

    Returns
    -------
    Catalog
        Pixels per class from the segments' areas; boxes of "thing" segments as relative
        (0-1) x, y, w, h.
    """
    path = existing_path(path, what="COCO panoptic file")
    images_dir = existing_path(images_dir, what="images folder") if images_dir else path.parent
    data = read_json(path) if data is None else data
    problems = Problems()
    images = images_table(data["images"], path)
    classes, names = categories(data["categories"], path, problems)
    cats = pd.DataFrame(data["categories"])
    thing_ids = cats.loc[cats.get("isthing", pd.Series(1, index=cats.index)).astype(bool), "id"]
    segments = pd.json_normalize(data["annotations"], record_path="segments_info",
                                 meta=["image_id"], meta_prefix="image.")
    if not len(segments):
        raise DataError(f"{str(path)!r} has panoptic annotations with no segments.")
    for column in ("category_id", "area"):
        if column not in segments.columns:
            raise DataError(f"The segments_info of {str(path)!r} lack '{column}'.")
    image_key, category_key = segments["image.image_id"], segments["category_id"]
    row = match_ids(images["id"], image_key)
    class_code = match_ids(names.index, category_key)
    unknown = (row < 0) | (class_code < 0)
    if unknown.any():
        raise DataError(
            f"{int(unknown.sum())} segments in {str(path)!r} point at images or categories "
            f"that are not listed, e.g. image ids {some(image_key[unknown].unique())}, "
            f"category ids {some(category_key[unknown].unique())}."
        )
    ids = sample_ids(images).to_numpy()
    area = pd.to_numeric(segments["area"], errors="coerce").fillna(0).to_numpy(np.int64)
    counts = np.zeros((len(images), len(classes)), dtype=np.int64)
    np.add.at(counts, (row, class_code), area)
    pixels = pixels_table(ids, counts, classes)
    is_thing = np.isin(class_code, match_ids(names.index, thing_ids))
    objects = None
    if is_thing.any() and "bbox" in segments.columns:
        box = np.array(segments.loc[is_thing, "bbox"].tolist(), dtype=float)
        width = images["width"].to_numpy(float)[row[is_thing]]
        height = images["height"].to_numpy(float)[row[is_thing]]
        x, y, w, h = box.T
        corners = np.column_stack([x / width, y / height, (x + w) / width, (y + h) / height])
        items = ItemNames("segment ", segments.loc[is_thing, "id"].to_numpy())
        keep = check_boxes(corners, str(path), items, problems,
                           tolerance=PIXEL_TOLERANCE / np.minimum(width, height))
        x0, y0, x1, y1 = np.clip(corners[keep], 0, 1).T
        objects = pd.DataFrame({
            "sample_id": ids[row[is_thing][keep]],
            "label": np.asarray(classes, dtype=object)[class_code[is_thing][keep]],
            "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0,
        })
        if "iscrowd" in segments.columns:
            objects["iscrowd"] = segments.loc[is_thing, "iscrowd"].fillna(0).astype(bool
                                                                                ).to_numpy()[keep]
    names_dir = str(images_dir) + "/"
    samples = pd.DataFrame({
        "filepath": [n if n.startswith("/") else names_dir + n
                     for n in images["file_name"].astype(str)],
        "width": images["width"].to_numpy(), "height": images["height"].to_numpy(),
    }, index=pd.Index(ids, name="sample_id"))
    if check_files:
        samples, objects = check_declared_sizes(samples, objects, path, problems)
    problems.warn()
    return Catalog(samples, classes=classes, task="segmentation", objects=objects,
                   pixels=pixels, source=str(Path(path).parent), problems=problems.frame())
