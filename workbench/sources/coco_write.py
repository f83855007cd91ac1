"""A Catalog written as COCO JSON: pixel boxes, and the fields that give the same
Catalog back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.catalog_schema import rows_of
from workbench.sources.output import link_media, new_output_dir, unique_file_names


def write_coco(catalog: Catalog, out_dir, *, split: str | None = None, media: str = "reference",
               overwrite: bool = False) -> Path:
    """Write ``catalog`` (or one ``split``) as ``out_dir/annotations.json``.

    Sample ids, labels, splits, groups, masks and conditions travel as extra image
    fields, so :func:`read_coco` gives the same Catalog back. Boxes are written in COCO's
    pixel x, y, w, h.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    out_dir : str or Path
        A new folder outside the dataset.
    split : str, optional
        Write only this split.
    media : {"reference", "symlink", "copy"}
        "reference" points ``file_name`` at the original images (absolute paths);
        "symlink" or "copy" put them in ``out_dir/images``, each named after its sample id
        (made unique where two ids clean to the same name).
    overwrite : bool
        Replace files an earlier export wrote.

    Returns
    -------
    Path
        The annotation file.
    """
    if split is not None:
        catalog = catalog.split_subset(split)
    out = new_output_dir(catalog, out_dir, overwrite=overwrite)
    samples = catalog.samples
    file_names = link_media(samples["filepath"], unique_file_names(samples.index),
                            out / "images", media=media)
    image_ids = np.arange(1, len(samples) + 1)
    images = pd.DataFrame({"id": image_ids, "file_name": file_names,
                           "width": samples["width"], "height": samples["height"]})
    images["sample_id"] = samples.index
    for column in samples.columns.drop(["filepath", "width", "height"]):
        values = samples[column].astype(object)
        images[column] = values.where(values.notna(), None).to_numpy()
    objects = catalog.objects
    rows = rows_of(objects)
    w, h = samples["width"].to_numpy(float)[rows], samples["height"].to_numpy(float)[rows]
    bbox = np.stack([objects["x"] * w, objects["y"] * h, objects["w"] * w, objects["h"] * h], 1)
    annotations = pd.DataFrame({
        "id": np.arange(1, len(objects) + 1),
        "image_id": image_ids[rows],
        "category_id": objects["label"].cat.codes.to_numpy() + 1,
        "bbox": bbox.tolist(),
        "area": (bbox[:, 2] * bbox[:, 3]),
        "iscrowd": objects.get("iscrowd", pd.Series(False, index=objects.index)).astype(int),
    })
    if "confidence" in objects.columns:
        annotations["score"] = objects["confidence"].to_numpy()
    data = {
        "info": {"description": "written by workbench",
                 "workbench": {"task": catalog.task, "conditions": list(catalog.conditions),
                               "background": catalog.background,
                               "mask_values": list(catalog.mask_values),
                               "ignore_index": catalog.ignore_index}},
        "images": images.to_dict("records"),
        "annotations": annotations.to_dict("records"),
        "categories": [{"id": i + 1, "name": c} for i, c in enumerate(catalog.classes)],
    }
    target = out / "annotations.json"
    target.write_text(json.dumps(data, default=_json_default))
    return target


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
